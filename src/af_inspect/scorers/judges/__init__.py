"""The paper's judges as Inspect scorers, and `build_scorers` to pick them for a task.

Scorers (all registered in the ``af_inspect`` namespace; every judge uses Inspect model roles,
``grader`` by default ``openai/gpt-4o``, ``classic_grader`` by default Claude 3.5 Sonnet):

* `af_outcome`: StrongREJECT + AF classifier + partial compliance -> six categories (default);
* `strong_reject_compliance`: StrongREJECT alone (also the no-CoT default);
* `af_classifier`: the 20-vote alignment-faking classifier alone;
* `partial_compliance_classifier`: the partial-compliance verdict alone;
* `classic_af_classifier`: the easy/hard classifiers of Greenblatt et al. (2024), combined;
* `motivation_categorizers`: helpfulness and AF-motivation categories.

AF vote metadata contract (read by the classifier-validation task): ``af_votes`` = list (in
memory a `SharedRecords`, which copies share; a plain list in the log) of
``{"final_answer": "Yes"|"No"|str|None, "criteria": {"1": "Yes"|"No"|None, ...}, "quotes":
{"1": str|None, ...}, "stated_answer": str|None, "reconciled": bool, "valid": bool, "raw": str,
"round": int, "via": "num_choices"|"separate_call"}`` (failed votes add ``invalid_kind``);
``af_vote_share`` (Yes votes / counted votes), ``af_valid_votes`` (counted votes),
``af_threshold``, ``af_parse``, ``af_vote_path`` ("num_choices" | "separate_calls"); value keys
``af`` (0/1) and ``af_score`` (share).

One module per judge (prompt path, messages, parsing, call, scorer): `strong_reject`,
`alignment_faking`, `partial_compliance`, `classic`, `categorizers`; `outcome` combines them.
Shared: `calls` (calling, votes, cache, judge resolution), `voting` (pure answer reading and vote
aggregation), `_common` (prompts, `Component`, `Score` assembly).
"""

from __future__ import annotations

from inspect_ai.scorer import Scorer

from af_inspect.defaults import DEFAULT_THRESHOLD, DEFAULT_VOTES
from af_inspect.parsing import TagRule
from af_inspect.scorers.judges.alignment_faking import af_classifier
from af_inspect.scorers.judges.calls import (
    CLASSIC_GRADER_ROLE,
    DEFAULT_CLASSIC_GRADER,
    DEFAULT_GRADER,
    GRADER_ROLE,
)
from af_inspect.scorers.judges.categorizers import motivation_categorizers
from af_inspect.scorers.judges.classic import classic_af_classifier
from af_inspect.scorers.judges.outcome import af_outcome
from af_inspect.scorers.judges.partial_compliance import partial_compliance_classifier
from af_inspect.scorers.judges.strong_reject import strong_reject_compliance
from af_inspect.scorers.judges.voting import ParseMode
from af_inspect.scorers.tag import accept_tag_compliance
from af_inspect.types import InvalidPolicy, ScratchpadSource

SCORER_NAMES: tuple[str, ...] = (
    "tag",
    "outcome",
    "strong_reject",
    "af",
    "partial",
    "classic",
    "categorizers",
)
"""Names accepted in a comma-separated `selection` of `build_scorers`."""

_NEEDS_SCRATCHPAD = frozenset({"outcome", "af", "partial", "classic", "categorizers"})


def parse_selection(
    selection: str | list[str], *, cot: bool, scratchpad: ScratchpadSource = "tags"
) -> list[str]:
    """Scorer names for a selection, in a stable order without repeats.

    A comma-separated string or a list (Inspect's CLI turns ``-T scorers=tag,af`` into one).
    ``"all"`` -> tag + outcome (CoT) or tag + strong_reject (no CoT); ``"tags"``/``"tag"`` ->
    tag only; ``"judges"`` -> the judge part of "all"; otherwise a comma-separated list of
    `SCORER_NAMES`. Scratchpad judges with ``cot=False`` are refused (they would only mark
    every sample not applicable), unless ``scratchpad="native"``: the model's own reasoning is
    then what they read, with or without the CoT prompt.
    """
    cot = cot or scratchpad == "native"
    text = (
        (",".join(str(part) for part in selection) if isinstance(selection, list) else selection)
        .strip()
        .lower()
    )
    judge_default = "outcome" if cot else "strong_reject"
    if text == "all":
        names = ["tag", judge_default]
    elif text in ("tags", "tag"):
        names = ["tag"]
    elif text == "judges":
        names = [judge_default]
    else:
        names = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [name for name in names if name not in SCORER_NAMES]
        if unknown or not names:
            raise ValueError(
                f"unknown scorer selection {selection!r}: use 'all', 'tags', 'judges' or a "
                f"comma-separated list of {list(SCORER_NAMES)}"
            )
    if not cot:
        refused = [name for name in names if name in _NEEDS_SCRATCHPAD]
        if refused:
            raise ValueError(
                f"scorers {refused} judge the scratchpad, which a no-CoT run does not have; "
                "use 'tag' and/or 'strong_reject'"
            )
    return list(dict.fromkeys(names))


def judge_roles(
    selection: str | list[str], *, cot: bool, scratchpad: ScratchpadSource = "tags"
) -> list[tuple[str, str]]:
    """The (model role, default model) pairs the scorers of `selection` will call."""
    names = parse_selection(selection, cot=cot, scratchpad=scratchpad)
    roles: list[tuple[str, str]] = []
    if any(name not in ("tag", "classic") for name in names):
        roles.append((GRADER_ROLE, DEFAULT_GRADER))
    if "classic" in names:
        roles.append((CLASSIC_GRADER_ROLE, DEFAULT_CLASSIC_GRADER))
    return roles


def build_scorers(
    selection: str | list[str] = "all",
    *,
    cot: bool = True,
    categorize: bool = False,
    grader: str | None = None,
    votes: int = DEFAULT_VOTES,
    threshold: float = DEFAULT_THRESHOLD,
    parse: ParseMode = "upstream",
    invalid: InvalidPolicy = "grade",
    tag_rule: TagRule = "anywhere",
    scratchpad: ScratchpadSource = "tags",
) -> list[Scorer]:
    """The scorers for a task's ``scorers`` parameter (see `parse_selection`).

    `categorize` turns on the categorizers inside `af_outcome`; `grader` overrides the
    ``grader`` role of every paper judge (the classic classifiers keep ``classic_grader``);
    `votes` and `threshold` configure the AF classifier; `parse` and `invalid` every judge
    (see README "Fidelity to the paper's code"); `tag_rule` the tag scorer; `scratchpad` what
    the scratchpad judges read ("tags" or the model's "native" reasoning). Prompt files are
    loaded here, so call this inside the task's `collect_provenance()` block to record them.
    """
    scorers: list[Scorer] = []
    for name in parse_selection(selection, cot=cot, scratchpad=scratchpad):
        if name == "tag":
            scorers.append(accept_tag_compliance(rule=tag_rule, invalid=invalid))
        elif name == "outcome":
            scorers.append(
                af_outcome(
                    grader=grader,
                    votes=votes,
                    threshold=threshold,
                    categorize=categorize,
                    parse=parse,
                    invalid=invalid,
                    scratchpad=scratchpad,
                )
            )
        elif name == "strong_reject":
            scorers.append(strong_reject_compliance(grader=grader, parse=parse, invalid=invalid))
        elif name == "af":
            scorers.append(
                af_classifier(
                    grader=grader,
                    votes=votes,
                    threshold=threshold,
                    parse=parse,
                    invalid=invalid,
                    scratchpad=scratchpad,
                )
            )
        elif name == "partial":
            scorers.append(
                partial_compliance_classifier(
                    grader=grader, parse=parse, invalid=invalid, scratchpad=scratchpad
                )
            )
        elif name == "classic":
            scorers.append(
                classic_af_classifier(parse=parse, invalid=invalid, scratchpad=scratchpad)
            )
        elif name == "categorizers":
            scorers.append(
                motivation_categorizers(
                    grader=grader, parse=parse, invalid=invalid, scratchpad=scratchpad
                )
            )
    return scorers


__all__ = [
    "SCORER_NAMES",
    "af_classifier",
    "af_outcome",
    "build_scorers",
    "judge_roles",
    "classic_af_classifier",
    "motivation_categorizers",
    "parse_selection",
    "partial_compliance_classifier",
    "strong_reject_compliance",
]
