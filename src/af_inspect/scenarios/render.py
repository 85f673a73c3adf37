"""Rendering a scenario: its system prompt and user-turn formats, edits applied, and the samples.

The system prompt and the upstream instruction formats are loaded as `af_inspect.prompts` loads
them (so with no edits they are byte-identical to upstream's rendering); each condition's format
is filled the upstream way, `str.format(user_input=..., **variables)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample

from af_inspect.assets import jinja_environment
from af_inspect.dataset import Query
from af_inspect.metrics.contrasts import CONTRASTS_KEY
from af_inspect.prompts import (
    SYSTEM_PROMPT_PATHS,
    SystemPromptKind,
    UserFile,
    check_instruction_format,
    instruction_format_path,
    load_instruction_format,
    render,
    render_system_prompt,
)
from af_inspect.scenarios.edits import apply_edits
from af_inspect.scenarios.loader import LoadedScenario
from af_inspect.scenarios.model import Condition, Edit, Scenario
from af_inspect.types import Tier

CONDITION_KEY = "condition"
CONDITION_LABEL_KEY = "condition_label"
TIER_KEY = "tier"
"""Metrics and scorers read the condition id from `tier`; samples carry it under both keys."""


@dataclass(frozen=True)
class RenderedScenario:
    """A scenario made concrete for one task: texts ready to send, and the log's record."""

    scenario: Scenario
    system_prompt: str
    formats: dict[str, str]
    """Condition id -> user-turn format (still holding `{user_input}`)."""
    edits: list[dict[str, Any]] = field(default_factory=list)
    user_file: UserFile | None = None

    def user_turn(self, condition: Condition, query_text: str) -> str:
        return self.formats[condition.id].format(user_input=query_text, **condition.variables)


def render_scenario(
    loaded: LoadedScenario,
    *,
    condition_ids: Sequence[str] | None = None,
    cot: bool = True,
    system_prompt_kind: SystemPromptKind = "prompt_only",
    system_prompt_file: str | None = None,
    format_name: str = "tags_cot",
    extra_edits: Sequence[Edit] = (),
) -> RenderedScenario:
    """Load the system prompt and formats of the chosen conditions, and apply the edits.

    `system_prompt_file` (the task parameter) replaces the scenario's source; the scenario's
    edits still apply to it. `extra_edits` (prompt clarifications, a lab swap) follow the
    scenario's own edits on the system prompt.
    """
    scenario = loaded.scenario
    source = scenario.system_prompt
    if system_prompt_file is None and source.file is not None:
        system_prompt_file = str((loaded.path.parent / source.file).resolve())
    if system_prompt_file is not None or source.base is not None:
        text, user_file = render_system_prompt(system_prompt_kind, cot=cot, file=system_prompt_file)
        where = user_file.path if user_file else SYSTEM_PROMPT_PATHS[(system_prompt_kind, cot)]
    else:
        assert source.asset is not None
        text, user_file = render(jinja_environment().get_template(source.asset)), None
        where = source.asset
    text, records = apply_edits(
        text,
        [*scenario.edits, *extra_edits],
        scenario=scenario.id,
        where=where,
        scenario_file=str(loaded.path),
    )
    conditions = [
        scenario.condition(i) for i in condition_ids or [c.id for c in scenario.conditions]
    ]
    formats: dict[str, str] = {}
    upstream_formats: dict[Tier, str] = {}  # conditions sharing a tier's format load it once
    for condition in conditions:
        turn = condition.user_turn
        if turn.upstream_format is not None:
            tier = Tier(turn.upstream_format)
            if tier not in upstream_formats:
                upstream_formats[tier] = load_instruction_format(tier, format_name)
            template = upstream_formats[tier]
            turn_where = instruction_format_path(tier, format_name)
        else:
            assert turn.template is not None
            template = turn.template
            turn_where = f"{loaded.path} (conditions {condition.id!r} user_turn.template)"
        template, turn_records = apply_edits(
            template,
            turn.edits,
            scenario=scenario.id,
            where=turn_where,
            scenario_file=str(loaded.path),
        )
        records += [{**record, "condition": condition.id} for record in turn_records]
        check_instruction_format(
            template,
            where=f"of condition {condition.id!r} ({turn_where})",
            allowed_fields=("user_input", *condition.variables),
        )
        formats[condition.id] = template
    return RenderedScenario(scenario, text, formats, records, user_file)


def build_condition_samples(
    queries: Sequence[Query],
    rendered: RenderedScenario,
    condition_ids: Sequence[str],
    *,
    dataset_name: str,
) -> MemoryDataset:
    """One sample `q<query>-<condition>` per (query, condition), query by query, so every
    contrast is paired by query and `--limit` keeps whole queries. The metadata carries the
    condition id (also as `tier`, which the metrics read), its label, its variables and the
    contrasts between the chosen conditions (for `contrast_gaps`)."""
    conditions = [rendered.scenario.condition(i) for i in condition_ids]
    contrasts = [
        [c.name, c.minuend, c.subtrahend]
        for c in rendered.scenario.contrasts
        if c.minuend in condition_ids and c.subtrahend in condition_ids
    ]
    samples = [
        Sample(
            id=f"{query.id}-{condition.id}",
            input=rendered.user_turn(condition, query.text),
            metadata={
                "query_id": query.id,
                "query": query.text,
                TIER_KEY: condition.id,
                CONDITION_KEY: condition.id,
                CONDITION_LABEL_KEY: condition.label,
                CONTRASTS_KEY: contrasts,
                **condition.variables,
            },
        )
        for query in queries
        for condition in conditions
    ]
    return MemoryDataset(samples, name=dataset_name)


def scenario_metadata(loaded: LoadedScenario, rendered: RenderedScenario) -> dict[str, Any]:
    """The task metadata of a scenario: its file, sha256, conditions, contrasts and edits."""
    scenario = loaded.scenario
    return {
        **loaded.record(),
        "title": scenario.title,
        "conditions": [
            {
                "id": c.id,
                "label": c.label,
                "told": c.told.model_dump(),
                "variables": dict(c.variables),
            }
            for c in scenario.conditions
            if c.id in rendered.formats
        ],
        "contrasts": [c.model_dump() for c in scenario.contrasts],
        "edits": rendered.edits,
    }
