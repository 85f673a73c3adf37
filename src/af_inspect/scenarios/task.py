"""Turning (scenario, queries) into an Inspect task: shared by every scenario task.

The task functions (`helpful_only`, `three_tier`) check their parameters and call
`scenario_task`; this module only wires the pieces together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inspect_ai import Task
from inspect_ai.model import GenerateConfig

from af_inspect import defaults, params
from af_inspect.assets import collect_provenance, provenance_metadata
from af_inspect.dataset import load_queries
from af_inspect.follow_up import check_selection, follow_up_questions
from af_inspect.judge_check import resolve_judges
from af_inspect.parsing import TAG_RULES, TagRule
from af_inspect.prompts import SYSTEM_PROMPT_KINDS, SystemPromptKind, instruction_format_name
from af_inspect.scenarios.loader import LoadedScenario
from af_inspect.scenarios.render import (
    build_condition_samples,
    render_scenario,
    scenario_metadata,
)
from af_inspect.scenarios.variants import (
    CLARIFICATIONS,
    Clarification,
    clarification_edits,
    lab_edits,
)
from af_inspect.scorers.judges import build_scorers, judge_roles, parse_selection
from af_inspect.scorers.judges.voting import PARSE_MODES, ParseMode
from af_inspect.solvers import inject_system_prompt, scratchpad_generate
from af_inspect.types import INVALID_POLICIES, SCRATCHPAD_SOURCES, InvalidPolicy, ScratchpadSource

TASK_VERSION = "0.1.0"


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
    scratchpad: ScratchpadSource = "tags"
    """What the scratchpad judges read: the `<SCRATCHPAD_REASONING>` blocks or the model's own
    ("native") reasoning. Native also drops the scratchpad block from the validity rules."""
    follow_up: bool = False
    """Ask the model under test the upstream follow-up questions after StrongREJECT > 0."""

    @property
    def requires_scratchpad_block(self) -> bool:
        """Validity needs a `<SCRATCHPAD_REASONING>` block: CoT prompts read through tags."""
        return self.cot and self.scratchpad == "tags"


def condition_ids(loaded: LoadedScenario, value: object, name: str = "conditions") -> list[str]:
    """The conditions to ask in, checked against the scenario's (a comma list or a list)."""
    known = [condition.id for condition in loaded.scenario.conditions]
    return params.comma_list(name, value, allowed=known, lower=True)


def scenario_task(
    loaded: LoadedScenario, conditions: Sequence[str], settings: ScenarioTaskSettings
) -> Task:
    """The task: one sample per (query, condition), the scenario's prompts, the chosen scorers.

    Judges are resolved first, so a missing key stops the run before any asset is loaded.
    """
    s = settings
    selection = "judges" if s.scorers == "all" and not s.suffix else s.scorers
    try:
        roles = judge_roles(selection, cot=s.cot, scratchpad=s.scratchpad)
    except ValueError as error:
        raise params.ParameterError(f"Parameter 'scorers': {error}.") from None
    if s.follow_up:
        try:
            check_selection(parse_selection(selection, cot=s.cot, scratchpad=s.scratchpad))
        except ValueError as error:
            raise params.ParameterError(f"Parameter 'follow_up': {error}.") from None
    judges = resolve_judges(roles, s.grader)

    format_name = s.instruction_format or instruction_format_name(cot=s.cot, suffix=s.suffix)
    with collect_provenance() as records:
        rendered = render_scenario(
            loaded,
            condition_ids=conditions,
            cot=s.cot,
            system_prompt_kind=s.system_prompt,
            system_prompt_file=s.system_prompt_file,
            format_name=format_name,
            extra_edits=[*clarification_edits(s.clarify), *lab_edits(s.lab)],
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
        if s.follow_up:
            # last: it reads the StrongREJECT verdict the scorers before it gave the sample
            scorer_list.append(follow_up_questions())

    return Task(
        dataset=build_condition_samples(queries, rendered, conditions, dataset_name=str(s.dataset)),
        solver=[
            inject_system_prompt(rendered.system_prompt),
            scratchpad_generate(
                cot=s.requires_scratchpad_block,
                require_decision_tag=s.suffix,
                max_resamples=s.max_resamples,
                max_next_turns=s.max_next_turns,
            ),
        ],
        scorer=scorer_list,
        config=GenerateConfig(
            temperature=defaults.MODEL_TEMPERATURE, max_tokens=defaults.MODEL_MAX_TOKENS
        ),
        metadata={
            "assets": provenance_metadata(records),
            "user_files": [rendered.user_file.as_dict()] if rendered.user_file else [],
            "dataset": dataset_record,
            "instruction_format": format_name,
            "tiers": list(conditions),
            "judges": judges,
            "scenario": scenario_metadata(loaded, rendered),
        },
        version=TASK_VERSION,
    )


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
    clarify: object = "none",
    lab: object = None,
    scratchpad: object = "tags",
    follow_up: object = False,
) -> ScenarioTaskSettings:
    """Every shared task parameter checked (`af_inspect.params`), one line each."""
    return ScenarioTaskSettings(
        cot=params.boolean("cot", cot),
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
        scratchpad=params.choice("scratchpad", scratchpad, SCRATCHPAD_SOURCES),
        follow_up=params.boolean("follow_up", follow_up),
    )
