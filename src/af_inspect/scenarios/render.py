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

from af_inspect.assets import MANIFEST, jinja_environment, read_text
from af_inspect.dataset import Query
from af_inspect.metrics.contrasts import CONTRASTS_KEY
from af_inspect.metrics.tiers import PARAPHRASE_KEY
from af_inspect.prompts import (
    SYSTEM_PROMPT_PATHS,
    PromptTemplateError,
    SystemPromptKind,
    UserFile,
    check_instruction_format,
    instruction_format_path,
    load_instruction_format,
    render,
    render_system_prompt,
)
from af_inspect.scenarios.edits import EditError, apply_edits
from af_inspect.scenarios.loader import LoadedScenario, ScenarioError
from af_inspect.scenarios.model import Condition, Edit, Scenario, Variant
from af_inspect.types import Tier

CONDITION_KEY = "condition"
CONDITION_LABEL_KEY = "condition_label"
TIER_KEY = "tier"
"""Metrics and scorers read the condition id from `tier`; samples carry it under both keys."""


@dataclass(frozen=True)
class RenderedScenario:
    """A scenario made concrete for one task: texts ready to send, and the log's record.

    With a variant, `scenario` is the scenario as the variant sees it (`variant_scenario`): its
    conditions, their labels and `told`, and its contrasts.
    """

    scenario: Scenario
    system_prompt: str
    formats: dict[str, str]
    """Condition id -> user-turn format (still holding `{user_input}`)."""
    edits: list[dict[str, Any]] = field(default_factory=list)
    user_file: UserFile | None = None
    variant: Variant | None = None

    def user_turn(self, condition: Condition, query_text: str) -> str:
        return self.formats[condition.id].format(user_input=query_text, **condition.variables)


def select_variant(
    loaded: LoadedScenario, variant: str | None, condition_ids: Sequence[str] | None = None
) -> Variant | None:
    """The scenario's variant `variant` (None: the scenario as written), checked: an unknown
    variant, or a condition in `condition_ids` that the variant drops, is a `ScenarioError`
    naming the scenario file."""
    if variant is None:
        return None
    scenario = loaded.scenario
    try:
        chosen = scenario.variant(variant)
    except KeyError:
        known = ", ".join(v.id for v in scenario.variants) or "none"
        raise ScenarioError(
            f"Scenario file {loaded.path}: no variant {variant!r}; its variants are {known}."
        ) from None
    if chosen.conditions is not None and condition_ids is not None:
        dropped = [i for i in condition_ids if i not in chosen.conditions]
        if dropped:
            raise ScenarioError(
                f"Scenario file {loaded.path}: variant {chosen.id!r} drops the condition(s) "
                f"{', '.join(dropped)}; its conditions are {', '.join(chosen.conditions)}."
            )
    return chosen


def variant_scenario(scenario: Scenario, variant: Variant) -> Scenario:
    """The scenario as `variant` sees it: only the conditions it keeps, with its overrides, and
    its contrasts (else the scenario's contrasts between the conditions it keeps). The edits are
    the scenario's own; the variant's are applied after them by `render_scenario`."""
    kept = variant.conditions or [c.id for c in scenario.conditions]
    conditions = []
    for condition in scenario.conditions:
        if condition.id in kept:
            override = variant.overrides.get(condition.id)
            if override is not None:
                changes = {"label": override.label, "told": override.told}
                condition = condition.model_copy(
                    update={key: value for key, value in changes.items() if value is not None}
                )
            conditions.append(condition)
    contrasts = variant.contrasts
    if contrasts is None:
        contrasts = [c for c in scenario.contrasts if c.minuend in kept and c.subtrahend in kept]
    return scenario.model_copy(update={"conditions": conditions, "contrasts": contrasts})


def render_scenario(
    loaded: LoadedScenario,
    *,
    variant: str | None = None,
    condition_ids: Sequence[str] | None = None,
    cot: bool = True,
    system_prompt_kind: SystemPromptKind = "prompt_only",
    system_prompt_file: str | None = None,
    format_name: str = "tags_cot",
    extra_edits: Sequence[Edit] = (),
) -> RenderedScenario:
    """Load the system prompt and formats of the chosen conditions, and apply the edits.

    `system_prompt_file` (the task parameter) replaces the scenario's source; the scenario's
    edits still apply to it. `variant` names one of the scenario's variants: its edits follow the
    scenario's own, and its conditions are the ones that can be chosen (default: all of them).
    `extra_edits` (prompt clarifications, a lab swap) come last.
    """
    chosen_variant = select_variant(loaded, variant, condition_ids)
    scenario = loaded.scenario
    if chosen_variant is not None:
        scenario = variant_scenario(scenario, chosen_variant)
    variant_edits = list(chosen_variant.edits) if chosen_variant is not None else []
    source = scenario.system_prompt
    if system_prompt_file is None and source.file is not None:
        system_prompt_file = str((loaded.path.parent / source.file).resolve())
    if system_prompt_file is not None or source.base is not None:
        text, user_file = render_system_prompt(system_prompt_kind, cot=cot, file=system_prompt_file)
        where = user_file.path if user_file else SYSTEM_PROMPT_PATHS[(system_prompt_kind, cot)]
    elif source.text_asset is not None:
        text, user_file, where = load_text_asset(source.text_asset), None, source.text_asset
    else:
        assert source.asset is not None
        text, user_file = render(jinja_environment().get_template(source.asset)), None
        where = source.asset
    try:
        text, records = apply_edits(
            text,
            [*scenario.edits, *variant_edits, *extra_edits],
            scenario=scenario.id,
            where=where,
            scenario_file=str(loaded.path),
        )
    except EditError as error:
        if chosen_variant is None:
            raise
        raise EditError(f"{error} (With variant {chosen_variant.id!r}.)") from None
    if chosen_variant is not None:
        first = len(scenario.edits)
        for record in records[first : first + len(variant_edits)]:
            record["variant"] = chosen_variant.id
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
    return RenderedScenario(scenario, text, formats, records, user_file, chosen_variant)


def load_text_asset(name: str) -> str:
    """The asset `name` of `af_inspect.assets.MANIFEST` as it is, byte for byte: a plain-text
    system prompt (e.g. Redwood's `.txt` prompts, which upstream reads without Jinja)."""
    text, _ = read_text(MANIFEST[name])
    if not text.strip():
        raise PromptTemplateError(f"System prompt {name} is empty.")
    return text


def build_condition_samples(
    queries: Sequence[Query],
    rendered: RenderedScenario,
    condition_ids: Sequence[str],
    *,
    dataset_name: str,
    paraphrase_ids: Sequence[str] | None = None,
) -> MemoryDataset:
    """One sample `q<query>-<condition>` per (query, condition), query by query, so every
    contrast is paired by query and `--limit` keeps whole queries. The metadata carries the
    condition id (also as `tier`, which the metrics read), its label, its variables and the
    contrasts between the chosen conditions (for `contrast_gaps`).

    With `paraphrase_ids` (a paraphrase run), one sample `q<query>-<condition>-p<id>` per
    (query, paraphrase, condition), query by query and then paraphrase by paraphrase, with the
    paraphrase id in the metadata (`paraphrase`), so contrasts pair by (query, paraphrase). The
    system prompt itself is held by the solver, once per paraphrase, not by each sample."""
    conditions = [rendered.scenario.condition(i) for i in condition_ids]
    contrasts = [
        [c.name, c.minuend, c.subtrahend]
        for c in rendered.scenario.contrasts
        if c.minuend in condition_ids and c.subtrahend in condition_ids
    ]

    def sample(query: Query, condition: Condition, paraphrase: str | None) -> Sample:
        metadata = {
            "query_id": query.id,
            "query": query.text,
            TIER_KEY: condition.id,
            CONDITION_KEY: condition.id,
            CONDITION_LABEL_KEY: condition.label,
            CONTRASTS_KEY: contrasts,
            **condition.variables,
        }
        sample_id = f"{query.id}-{condition.id}"
        if paraphrase is not None:
            metadata[PARAPHRASE_KEY] = paraphrase
            sample_id += f"-p{paraphrase}"
        return Sample(
            id=sample_id, input=rendered.user_turn(condition, query.text), metadata=metadata
        )

    samples = [
        sample(query, condition, paraphrase)
        for query in queries
        for paraphrase in (paraphrase_ids if paraphrase_ids is not None else [None])
        for condition in conditions
    ]
    return MemoryDataset(samples, name=dataset_name)


def scenario_metadata(loaded: LoadedScenario, rendered: RenderedScenario) -> dict[str, Any]:
    """The task metadata of a scenario: its file, sha256, conditions, contrasts and edits; with
    a variant, the conditions and contrasts are the variant's, and `variant` records its id,
    description, conditions and edits as applied."""
    scenario = rendered.scenario
    record: dict[str, Any] = {
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
    variant = rendered.variant
    if variant is not None:
        record["variant"] = {
            "id": variant.id,
            "description": variant.description,
            "conditions": [c.id for c in scenario.conditions],
            "edits": [e for e in rendered.edits if e.get("variant") == variant.id],
        }
    return record
