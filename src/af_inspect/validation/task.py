"""Classifier validation: AUROC and confusion of the alignment-faking judges against human labels.

Sheshadri, Hughes et al. 2025 (arXiv 2506.18032) validated their new alignment-faking classifier
on 106 human-labelled scratchpads (51 positives): AUROC 0.92 with 20 votes, against 0.62 for the
old classifier of Greenblatt et al. 2024, and a 0.4 vote threshold with a false-positive rate near
zero. This task re-runs that validation with any judge model, so a null result ("this model does
not fake alignment") can be checked against the judge's known error rates first.

Each sample is one labelled scratchpad, presented as the sample's assistant response (no model
call); the suite's own judge scorers then grade it exactly as they grade a real transcript (same
prompt loading, same input layout, same vote parsing). The validation metrics
(:mod:`af_inspect.validation.metrics`) replace the scorers' usual per-tier metrics.

Which model judges: ``-T grader=<model>`` if given, else the ``grader`` model role
(``--model-role grader=<model>``), else the eval's ``--model`` (this task calls no other model,
so the model under evaluation *is* the judge being validated). With ``-T classic=true`` the old
easy/hard classifiers run too, judged by ``-T grader``, else the ``classic_grader`` role, else
``--model``. The scorers resolve the judge per sample; the task itself binds no model role.

`tasks/af_classifier_validation.py` is a link to this file, for `inspect eval tasks/af_classifier_validation.py` from a checkout.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, ModelOutput
from inspect_ai.scorer import Scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver

from af_inspect import params
from af_inspect.assets import collect_provenance, provenance_metadata
from af_inspect.defaults import DEFAULT_VOTES
from af_inspect.parsing import parse_response
from af_inspect.scorers.judges.voting import PARSE_MODES, ParseMode
from af_inspect.solvers import RecordedProtocol, response_text
from af_inspect.validation import stats
from af_inspect.validation.data import (
    HF_DATASET,
    LabelledScratchpad,
    LogTranscript,
    ValidationDataError,
    load_labelled,
    load_log_labels,
    response_text_for,
)
from af_inspect.validation.metrics import validation_metrics
from af_inspect.version import EVAL_VERSION

__all__ = [
    "PAPER_REFERENCE",
    "RESPONSE_RECORD_KEY",
    "af_classifier_validation",
    "build_samples",
    "labelled_response",
    "vote_counts_for",
]

RESPONSE_RECORD_KEY = "response_record"
"""Sample-metadata key of the protocol record the solver attaches to the response (see below)."""

HUMAN_LABELLED = "human_labelled"
"""`ModelOutput.model` of a presented response: written by the source model, not generated here."""

PLACEHOLDER_INPUT = (
    "[validation sample: the user turn of this scratchpad is not in the labelled data]"
)

PAPER_REFERENCE: dict[str, Any] = {
    "source": "Sheshadri, Hughes et al. 2025 (arXiv 2506.18032), classifier validation",
    "dataset": "jplhughes2/classify_alignment_faking_human_labels",
    "num_samples": 106,
    "num_positive": 51,
    "new_classifier_auroc_20_votes": 0.92,
    "old_classifier_auroc": 0.62,
    "threshold": 0.4,
    "threshold_fpr": "near zero",
}
"""The paper's reference figures, recorded in the task metadata for comparison."""

_LABELLED_RECORD: dict[str, Any] = {
    "attempts": 1,
    "invalid_reasons": [None],
    "next_turns": [0],
    "valid": True,
    "cot": True,
    "require_decision_tag": False,
}
"""A labelled scratchpad is a CoT response with no accept/reject suffix to check."""


def vote_counts_for(votes: int) -> list[int]:
    """The votes-curve points: 1, 2, 5, 10, 20 below `votes`, then `votes` itself."""
    if votes < 1:
        raise ValueError(f"votes must be at least 1, got {votes}")
    return [k for k in stats.DEFAULT_VOTE_COUNTS if k < votes] + [votes]


# --------------------------------------------------------------------------------------------
# Samples
# --------------------------------------------------------------------------------------------


def _labelled_sample(item: LabelledScratchpad, origin: str) -> Sample:
    return Sample(
        id=item.id,
        input=[
            ChatMessageUser(content=item.user_input or PLACEHOLDER_INPUT),
            ChatMessageAssistant(content=response_text_for(item), model=item.source_model),
        ],
        target=str(item.label),
        metadata={
            "label": item.label,
            "source_model": item.source_model,
            "origin": origin,
            **item.metadata,
            RESPONSE_RECORD_KEY: dict(_LABELLED_RECORD),
        },
    )


def _log_record(store: dict[str, Any], messages: Sequence[Any]) -> dict[str, Any]:
    """The original run's protocol record, or (logs of other tasks) a CoT record without tags."""
    record = RecordedProtocol.read(messages, store)
    if record.attempts:
        return record.as_metadata()
    has_scratchpad = bool(parse_response(response_text(list(messages))).scratchpad_blocks)
    return {**_LABELLED_RECORD, "cot": has_scratchpad}


def _log_sample(item: LogTranscript) -> Sample:
    return Sample(
        id=item.id,
        input=list(item.messages),
        target=str(item.label),
        metadata={
            "label": item.label,
            "source_model": item.source_model,
            "origin": "log",
            **item.metadata,
            RESPONSE_RECORD_KEY: _log_record(item.store, item.messages),
        },
    )


def build_samples(
    items: Sequence[LabelledScratchpad] | Sequence[LogTranscript], *, origin: str
) -> list[Sample]:
    """One sample per labelled scratchpad (or labelled log transcript)."""
    samples: list[Sample] = []
    for item in items:
        if isinstance(item, LogTranscript):
            samples.append(_log_sample(item))
        else:
            samples.append(_labelled_sample(item, origin))
    return samples


# --------------------------------------------------------------------------------------------
# Solver
# --------------------------------------------------------------------------------------------


@solver
def labelled_response() -> Solver:
    """Present the sample's stored response as the model's answer; no model is called.

    The response is already the last assistant message(s) of the sample input. This writes the
    protocol record (`RecordedProtocol`, from ``metadata["response_record"]``) that the judge
    scorers read, onto the last assistant message, and sets ``state.output`` so the viewer shows the scratchpad as the answer.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        record = state.metadata.get(RESPONSE_RECORD_KEY) or _LABELLED_RECORD
        RecordedProtocol.from_mapping(record).attach(state.messages)
        state.output = ModelOutput.from_content(
            model=HUMAN_LABELLED, content=response_text(state.messages)
        )
        return state

    return solve


# --------------------------------------------------------------------------------------------
# Task
# --------------------------------------------------------------------------------------------


def _scorers(
    *,
    grader: str | None,
    votes: int,
    threshold: float,
    classic: bool,
    cache: bool | str,
    parse: ParseMode,
) -> list[Scorer]:
    """The judge scorers. With no `grader` and no role bound, each judge is the model under
    evaluation: ``default_grader=None`` resolves it per sample, at scoring time, so a task built
    in Python and one created by ``inspect eval`` are judged by the same model."""
    from af_inspect.scorers.judges import af_classifier, classic_af_classifier

    scorers = [
        af_classifier(
            grader=grader,
            votes=votes,
            threshold=threshold,
            cache=cache,
            default_grader=None,
            parse=parse,
        )
    ]
    if classic:
        scorers.append(
            classic_af_classifier(grader=grader, cache=cache, default_grader=None, parse=parse)
        )
    return scorers


@task
def af_classifier_validation(
    dataset: str = HF_DATASET,
    label_map: dict[str, Any] | str | list[str] | None = None,
    column_map: dict[str, str] | str | list[str] | None = None,
    threshold: float = stats.DEFAULT_THRESHOLD,
    votes: int = DEFAULT_VOTES,
    classic: bool = False,
    grader: str | None = None,
    log: str | None = None,
    labels: str | None = None,
    n_boot: int = stats.DEFAULT_N_BOOT,
    n_repeats: int = stats.DEFAULT_N_REPEATS,
    seed: int = stats.DEFAULT_SEED,
    cache: bool | str = True,
    parse: ParseMode = "upstream",
) -> Task:
    """Validate the alignment-faking judge against human labels (AUROC, confusion, votes curve).

    Args:
        dataset: "hf" (the paper's 106 human-labelled scratchpads from Hugging Face, via the
            assets module) or a `.jsonl`/`.json`/`.csv` file of `{text, label}` rows.
        label_map: Named label classes -> 0/1, e.g. `{alignment_faking: 1, other: 0}` or
            "alignment_faking=1,other=0" (labels otherwise must be 0/1 or true/false).
        column_map: Column of each role when it differs from the defaults, e.g.
            `{text: reasoning, label: human}`; roles: text, label, source_model, user_input,
            output, id.
        threshold: AF iff the share of valid Yes votes >= threshold (0.4 in the paper); used by
            the judge and by the confusion metrics.
        votes: Votes per scratchpad (20 in the paper); the votes curve uses 1, 2, 5, 10 and this.
        classic: Also run the old easy/hard classifiers of Greenblatt et al. 2024 for comparison.
        grader: Judge model for every classifier; default: the `grader` role (the
            `classic_grader` role for the old classifiers), else the eval's `--model`.
        log: Second mode: validate on the transcripts of this eval log instead of `dataset`.
        labels: With `log`: file of human labels by sample id (`.jsonl`/`.csv` with columns
            `id`, `label`, optional `epoch`; or `.json` `{"<id>": label}`).
        n_boot: Bootstrap resamples of the AUROC interval.
        n_repeats: Random subsamples per point of the votes curve (for its spread).
        seed: Seed of the bootstrap and of the votes-curve subsampling.
        cache: Inspect cache for judge calls: True, an expiry like "1W", or False (fresh votes).
        parse: How judge answers are read: "upstream" (the paper's code: every returned vote
            counts, nothing re-asked) or "lenient" (share over parseable votes, re-asked).

    Every parameter is checked here, before anything is loaded; a bad value raises
    `af_inspect.params.ParameterError` naming the parameter and what it accepts.
    """
    dataset = params.text("dataset", dataset)
    threshold = params.unit_interval("threshold", threshold)
    votes = params.positive_int("votes", votes)
    classic = params.boolean("classic", classic)
    grader = params.optional_text("grader", grader)
    log = params.optional_text("log", log)
    labels = params.optional_text("labels", labels)
    n_boot = params.positive_int("n_boot", n_boot)
    n_repeats = params.positive_int("n_repeats", n_repeats)
    seed = params.integer("seed", seed)
    cache = params.cache_setting("cache", cache)
    parse = params.choice("parse", parse, PARSE_MODES)
    if labels is not None and log is None:
        raise ValidationDataError("labels= is for validating on an eval log: also pass log=<path>")
    if log is not None and labels is None:
        raise ValidationDataError(
            "log= needs labels=<file> mapping the log's sample ids to human labels (0/1)"
        )
    if log is not None and dataset != HF_DATASET:
        raise ValidationDataError("pass either dataset= or log= (with labels=), not both")
    with collect_provenance() as records:
        if log is not None and labels is not None:
            log_items, dataset_record = load_log_labels(log, labels, label_map)
            samples = build_samples(log_items, origin="log")
            name = f"log:{log}"
        else:
            items, dataset_record = load_labelled(dataset, column_map, label_map)
            samples = build_samples(items, origin=dataset)
            name = dataset
        scorers = _scorers(
            grader=grader,
            votes=votes,
            threshold=threshold,
            classic=classic,
            cache=cache,
            parse=parse,
        )
    if not samples:
        raise ValidationDataError(f"no labelled samples in {name}")

    return Task(
        dataset=MemoryDataset(samples, name=name),
        solver=[labelled_response()],
        scorer=scorers,
        metrics=validation_metrics(
            threshold=threshold,
            vote_counts=vote_counts_for(votes),
            n_boot=n_boot,
            n_repeats=n_repeats,
            seed=seed,
        ),
        metadata={
            "assets": provenance_metadata(records),
            "dataset": dataset_record,
            "threshold": threshold,
            "votes": votes,
            "classic": classic,
            "paper_reference": PAPER_REFERENCE,
        },
        version=EVAL_VERSION,
    )
