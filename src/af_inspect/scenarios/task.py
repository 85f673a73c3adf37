"""Turning (scenario, queries) into an Inspect task: shared by every scenario task.

The task functions (`helpful_only`, `three_tier`) check their parameters and call
`scenario_task`; this module only wires the pieces together.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import Solver

from af_inspect import defaults, params
from af_inspect.assets import collect_provenance, provenance_metadata
from af_inspect.base_format import (
    PROMPT_FORMATS,
    BaseTemplate,
    PromptFormat,
    load_base_template,
)
from af_inspect.dataset import load_queries
from af_inspect.follow_up import check_selection, follow_up_questions
from af_inspect.gc_policy import register_if_requested
from af_inspect.judge_check import resolve_judges
from af_inspect.keys import PREFILL
from af_inspect.paraphrases.apply import examples_block, prepare_paraphrases
from af_inspect.paraphrases.files import load_paraphrases
from af_inspect.paraphrases.scoring import with_paraphrase_gaps
from af_inspect.parsing import TAG_RULES, TagRule
from af_inspect.prefill import BUILTIN_PREFILLS, Prefill, resolve_prefill
from af_inspect.prompts import SYSTEM_PROMPT_KINDS, SystemPromptKind, instruction_format_name
from af_inspect.provider_support import (
    active_model_name,
    check_base_support,
    check_prefill_support,
)
from af_inspect.scenarios.loader import LoadedScenario
from af_inspect.scenarios.render import (
    CONDITION_KEY,
    build_condition_samples,
    render_scenario,
    scenario_metadata,
    select_variant,
)
from af_inspect.scenarios.scoring import ScenarioScoring
from af_inspect.scenarios.variants import (
    CLARIFICATIONS,
    Clarification,
    clarification_edits,
    lab_edits,
)
from af_inspect.scorers.judges import build_scorers, judge_roles, parse_selection
from af_inspect.scorers.judges.voting import PARSE_MODES, ParseMode
from af_inspect.solvers import (
    base_document,
    inject_paraphrased_system_prompt,
    inject_system_prompt,
    scratchpad_generate,
)
from af_inspect.types import INVALID_POLICIES, SCRATCHPAD_SOURCES, InvalidPolicy, ScratchpadSource
from af_inspect.version import EVAL_VERSION


@dataclass(frozen=True)
class ScenarioTaskSettings:
    """The checked parameters shared by every scenario task."""

    cot: bool
    suffix: bool
    system_prompt: SystemPromptKind
    system_prompt_file: str | None
    instruction_format: str | None
    dataset: str
    num_queries: int | None
    max_resamples: int
    max_next_turns: int
    scorers: str
    grader: str | None
    af_votes: int
    af_threshold: float
    categorize: bool
    invalid: InvalidPolicy
    parse: ParseMode
    tag_rule: TagRule
    clarify: Clarification = "none"
    lab: str | None = None
    prefill: Prefill | None = None
    """The start of the assistant turn (§5.3); None: the model starts its turn itself."""
    format: PromptFormat = "chat"
    """``chat`` messages, or ``base``: one document for a base model (§5.1)."""
    base_template: BaseTemplate | None = None
    """The dialogue format of ``format=base`` (None with ``chat``)."""
    scratchpad: ScratchpadSource = "tags"
    """What the scratchpad judges read: the `<SCRATCHPAD_REASONING>` blocks or the model's own
    ("native") reasoning. Native also drops the scratchpad block from the validity rules."""
    follow_up: bool = False
    """Ask the model under test the upstream follow-up questions after StrongREJECT > 0."""

    @property
    def requires_scratchpad_block(self) -> bool:
        """Validity needs a `<SCRATCHPAD_REASONING>` block: CoT prompts read through tags."""
        return self.cot and self.scratchpad == "tags"

    paraphrases: str | None = None
    """A paraphrase directory (`af_inspect.paraphrases.files`): run every query under each of
    its system prompts. None: the scenario's system prompt."""


def condition_ids(
    loaded: LoadedScenario,
    value: object,
    name: str = "conditions",
    *,
    variant: str | None = None,
) -> list[str]:
    """The conditions to ask in, checked against the scenario's (a comma list or a list).

    `None` (with a `variant`): every condition of the variant. A condition the variant drops is
    refused by `scenario_task`, naming the scenario file and the variant.
    """
    chosen = select_variant(loaded, variant)
    if value is None and chosen is not None:
        return list(chosen.conditions or [c.id for c in loaded.scenario.conditions])
    known = [condition.id for condition in loaded.scenario.conditions]
    return params.comma_list(name, value, allowed=known, lower=True)


def scenario_task(
    loaded: LoadedScenario,
    conditions: Sequence[str],
    settings: ScenarioTaskSettings,
    *,
    variant: str | None = None,
    scoring: ScenarioScoring | None = None,
) -> Task:
    """The task: one sample per (query, condition), the scenario's prompts, the chosen scorers.

    `variant` names one of the scenario's variants (None: the scenario as written); an unknown
    variant, or a condition it drops, stops the task first, naming the scenario file. Judges are
    resolved next, so a missing key stops the run before any asset is loaded.

    With `settings.paraphrases`, every query is asked in every condition under each paraphrase
    of the directory (samples `q<query>-<condition>-p<id>`); each paraphrase is checked against
    the scenario's rendered prompt and takes the clarification and lab edits itself
    (`af_inspect.paraphrases.apply`), the log records every paraphrase file with its sha256
    under `paraphrases`, and the gap scorers also report `paraphrase_gaps`.

    `scoring` (a scenario's own judges) replaces the scorers `settings.scorers` selects and
    their roles; pass it with `scorers="tags"`, which loads and resolves nothing.
    """
    select_variant(loaded, variant, conditions)
    # A bad AF_INSPECT_GC_FREEZE stops the task here, with its message; a switch turned on after
    # the suite was imported (e.g. in Python) still takes effect.
    register_if_requested()
    s = settings
    paraphrase_set = load_paraphrases(s.paraphrases) if s.paraphrases is not None else None
    selection = "judges" if s.scorers == "all" and not s.suffix else s.scorers
    try:
        roles = judge_roles(selection, cot=s.cot, scratchpad=s.scratchpad)
    except ValueError as error:
        raise params.ParameterError(f"Parameter 'scorers': {error}.") from None
    check_model_support(s)
    if s.follow_up:
        try:
            check_selection(parse_selection(selection, cot=s.cot, scratchpad=s.scratchpad))
        except ValueError as error:
            raise params.ParameterError(f"Parameter 'follow_up': {error}.") from None
    judges = resolve_judges(roles, s.grader)
    if scoring is not None:  # the scenario's own judges (its `scorers="tags"` resolved none)
        judges = resolve_judges(scoring.roles, s.grader)

    format_name = s.instruction_format or instruction_format_name(cot=s.cot, suffix=s.suffix)
    extra_edits = [*clarification_edits(s.clarify), *lab_edits(s.lab)]
    paraphrased = None
    with collect_provenance() as records:
        rendered = render_scenario(
            loaded,
            variant=variant,
            condition_ids=conditions,
            cot=s.cot,
            system_prompt_kind=s.system_prompt,
            system_prompt_file=s.system_prompt_file,
            format_name=format_name,
            extra_edits=extra_edits if paraphrase_set is None else [],
        )
        if paraphrase_set is not None:
            paraphrased = prepare_paraphrases(
                paraphrase_set,
                rendered.system_prompt,
                scenario=rendered.scenario,
                examples=examples_block(records),
                extra_edits=extra_edits,
                variant=variant,
            )
        queries, dataset_record = load_queries(s.dataset, s.num_queries)
        scorer_list = build_scorers(
            selection,
            cot=s.cot,
            categorize=s.categorize,
            grader=s.grader,
            votes=s.af_votes,
            threshold=s.af_threshold,
            parse=s.parse,
            invalid=s.invalid,
            tag_rule=s.tag_rule,
            scratchpad=s.scratchpad,
        )
        if scoring is not None:
            scorer_list = scoring.build()
        if s.follow_up:
            # last: it reads the StrongREJECT verdict the scorers before it gave the sample
            scorer_list.append(follow_up_questions())

    dataset = build_condition_samples(
        queries,
        rendered,
        conditions,
        dataset_name=str(s.dataset),
        paraphrase_ids=paraphrased.ids if paraphrased is not None else None,
    )
    solvers: list[Solver] = [
        inject_system_prompt(rendered.system_prompt)
        if paraphrased is None
        else inject_paraphrased_system_prompt(paraphrased.prompts)
    ]
    if s.base_template is not None:
        solvers.append(base_document(s.base_template))
    solvers.append(
        scratchpad_generate(
            cot=s.requires_scratchpad_block,
            require_decision_tag=s.suffix,
            max_resamples=s.max_resamples,
            max_next_turns=s.max_next_turns,
            prefill_in_document=s.base_template is not None,
        )
    )
    metadata = {
        "assets": provenance_metadata(records),
        "user_files": [rendered.user_file.as_dict()] if rendered.user_file else [],
        "dataset": dataset_record,
        "instruction_format": format_name,
        "tiers": list(conditions),
        "judges": judges,
        "scenario": scenario_metadata(loaded, rendered),
    }
    # Recorded only when used, so default logs keep their metadata as it was.
    if s.prefill is not None:
        add_prefills(dataset, s.prefill)
        metadata["prefill"] = s.prefill.record()
    if s.base_template is not None:
        metadata["format"] = s.base_template.record()
    if paraphrased is not None:
        metadata["paraphrases"] = paraphrased.record
        scorer_list = with_paraphrase_gaps(scorer_list)
    return Task(
        dataset=dataset,
        solver=solvers,
        scorer=scorer_list,
        config=GenerateConfig(
            temperature=defaults.MODEL_TEMPERATURE,
            max_tokens=defaults.MODEL_MAX_TOKENS,
            stop_seqs=list(s.base_template.stop) if s.base_template is not None else None,
        ),
        metadata=metadata,
        version=EVAL_VERSION,
    )


def add_prefills(dataset: MemoryDataset, prefill: Prefill) -> None:
    """Give each sample its prefill (`keys.PREFILL`), rendered for the sample's condition."""
    for sample in dataset:
        assert sample.metadata is not None
        sample.metadata[PREFILL] = prefill.render(str(sample.metadata[CONDITION_KEY]))


def check_model_support(settings: ScenarioTaskSettings) -> None:
    """Refuse, at task creation, a model whose provider cannot run the prefill or the base
    document (known only when the task is created inside an eval; the solvers check again)."""
    model = active_model_name()
    if model is None:
        return
    if settings.base_template is not None:
        check_base_support(model)
    elif settings.prefill is not None:
        check_prefill_support(model)


def settings_from(arguments: Mapping[str, object], **fixed: object) -> ScenarioTaskSettings:
    """`checked_settings` from a task function's own arguments (its `locals()`, read first thing).

    Every shared parameter the task takes is passed through; `fixed` sets those the family
    decides itself (e.g. ``system_prompt="prompt_only"``). A task that does not take a shared
    parameter gets its default; `tests/test_task_files.py` checks that no family drops one.
    """
    shared = inspect.signature(checked_settings).parameters
    given = {name: value for name, value in arguments.items() if name in shared}
    return checked_settings(**{**given, **fixed})


def checked_settings(
    *,
    cot: object,
    suffix: object,
    system_prompt: object,
    system_prompt_file: object,
    instruction_format: object,
    dataset: object,
    num_queries: object,
    max_resamples: object,
    max_next_turns: object,
    scorers: object,
    grader: object,
    af_votes: object,
    af_threshold: object,
    categorize: object,
    invalid: object,
    parse: object,
    tag_rule: object,
    clarify: object = None,
    lab: object = None,
    prefill: object = None,
    format: object = "chat",
    base_template: object = None,
    scratchpad: object = "tags",
    follow_up: object = False,
    paraphrases: object = None,
) -> ScenarioTaskSettings:
    """Every shared task parameter checked (`af_inspect.params`), one line each.

    `prefill`, `format` and `base_template` have defaults, so a task that does not pass them
    runs as before; `format=base` changes the defaults of `prefill` and `clarify`
    (`format_defaults`).
    """
    prompt_format = params.choice("format", format, PROMPT_FORMATS)
    cot_checked = params.boolean("cot", cot)
    prefill, clarify = format_defaults(prompt_format, cot_checked, prefill, clarify)
    check_base_only(prompt_format, base_template, max_next_turns)
    checked_prefill = resolve_prefill(prefill)
    if not cot_checked and checked_prefill is not None and checked_prefill.name in BUILTIN_PREFILLS:
        raise params.ParameterError(
            f"Parameter 'prefill': {checked_prefill.name!r} opens a scratchpad, which the no-CoT "
            "prompts (cot=false) do not use; give your own prefill file, or none."
        )
    return ScenarioTaskSettings(
        cot=cot_checked,
        suffix=params.boolean("suffix", suffix),
        system_prompt=params.choice("system_prompt", system_prompt, SYSTEM_PROMPT_KINDS),
        system_prompt_file=params.optional_text("system_prompt_file", system_prompt_file),
        instruction_format=params.optional_text("instruction_format", instruction_format),
        dataset=params.text("dataset", dataset),
        num_queries=params.optional_positive_int("num_queries", num_queries),
        max_resamples=params.non_negative_int("max_resamples", max_resamples),
        max_next_turns=params.non_negative_int("max_next_turns", max_next_turns),
        scorers=",".join(params.comma_list("scorers", scorers)).lower(),
        grader=params.optional_text("grader", grader),
        af_votes=params.positive_int("af_votes", af_votes),
        af_threshold=params.unit_interval("af_threshold", af_threshold),
        categorize=params.boolean("categorize", categorize),
        invalid=params.choice("invalid", invalid, INVALID_POLICIES),
        parse=params.choice("parse", parse, PARSE_MODES),
        tag_rule=params.choice("tag_rule", tag_rule, TAG_RULES),
        clarify=params.choice("clarify", clarify, CLARIFICATIONS),
        lab=params.optional_text("lab", lab),
        prefill=checked_prefill,
        format=prompt_format,
        base_template=load_base_template(base_template) if prompt_format == "base" else None,
        scratchpad=params.choice("scratchpad", scratchpad, SCRATCHPAD_SOURCES),
        follow_up=params.boolean("follow_up", follow_up),
        paraphrases=params.optional_text("paraphrases", paraphrases),
    )


def format_defaults(
    prompt_format: PromptFormat, cot: bool, prefill: object, clarify: object
) -> tuple[object, object]:
    """`prefill` and `clarify` with their defaults filled in (a value given is kept).

    With ``base`` (§5.1: the paper ran base models with the clarified prompt and the basic
    prefill) they are ``basic`` (``none`` without CoT, as it opens a scratchpad) and
    ``no_changes_when_complying``; with ``chat`` both are ``none``.
    """
    base = prompt_format == "base"
    if prefill is None:
        prefill = "basic" if base and cot else "none"
    if clarify is None:
        clarify = "no_changes_when_complying" if base else "none"
    return prefill, clarify


def check_base_only(
    prompt_format: PromptFormat, base_template: object, max_next_turns: object
) -> None:
    """Refuse what only one format can take: a base template with ``chat``, `<NEXT/>` turns with
    ``base`` (its one document cannot hold a further user turn)."""
    if prompt_format == "chat" and base_template is not None:
        raise params.ParameterError(
            "Parameter 'base_template': it applies only with format=base (got format='chat')."
        )
    if prompt_format == "base" and params.non_negative_int("max_next_turns", max_next_turns) > 0:
        raise params.ParameterError(
            f"Parameter 'max_next_turns': got {max_next_turns!r}; format=base sends one document, "
            "which takes no <NEXT/> turns, so it accepts only 0."
        )
