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
from af_inspect.judge_check import resolve_judges
from af_inspect.parsing import TAG_RULES, TagRule
from af_inspect.prompts import SYSTEM_PROMPT_KINDS, SystemPromptKind, instruction_format_name
from af_inspect.scenarios.loader import LoadedScenario
from af_inspect.scenarios.render import (
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
from af_inspect.scorers.judges import build_scorers, judge_roles
from af_inspect.scorers.judges.voting import PARSE_MODES, ParseMode
from af_inspect.solvers import inject_system_prompt, scratchpad_generate
from af_inspect.types import INVALID_POLICIES, InvalidPolicy

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
    resolved next, so a missing key stops the run before any asset is loaded. `scoring` (a
    scenario's own judges) replaces the scorers `settings.scorers` selects and their roles; pass
    it with `scorers="tags"`, which loads and resolves nothing.
    """
    select_variant(loaded, variant, conditions)
    s = settings
    selection = "judges" if s.scorers == "all" and not s.suffix else s.scorers
    try:
        roles = judge_roles(selection, cot=s.cot)
    except ValueError as error:
        raise params.ParameterError(f"Parameter 'scorers': {error}.") from None
    judges = resolve_judges(roles, s.grader)
    if scoring is not None:  # the scenario's own judges (its `scorers="tags"` resolved none)
        judges = resolve_judges(scoring.roles, s.grader)

    format_name = s.instruction_format or instruction_format_name(cot=s.cot, suffix=s.suffix)
    with collect_provenance() as records:
        rendered = render_scenario(
            loaded,
            variant=variant,
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
        )
        if scoring is not None:
            scorer_list = scoring.build()

    return Task(
        dataset=build_condition_samples(queries, rendered, conditions, dataset_name=str(s.dataset)),
        solver=[
            inject_system_prompt(rendered.system_prompt),
            scratchpad_generate(
                cot=s.cot,
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
    )
