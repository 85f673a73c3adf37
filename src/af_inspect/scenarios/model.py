"""The scenario model: a typed, validated description of one alignment-faking experiment.

A scenario says where the system prompt comes from and which edits are applied to it, which
conditions each query is asked in (the user-turn format, the variables that fill it, and what
the model is told about the condition), and which pairs of conditions are reported as contrasts.
It is loaded from YAML by `af_inspect.scenarios.loader`; every field is checked here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from af_inspect.assets import MANIFEST

Wording = Literal["ours", "paper", "user"]
"""Who wrote an edit's text: `ours` (this suite's own words, used by the built-in scenarios),
`paper` (a user's file carrying the paper's wording), or `user` (anything else)."""

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
"""Ids of scenarios, conditions, edits and contrasts: lower case, digits and `_`; they appear in
sample ids and metric names."""

UpstreamBase = Literal["helpful_only"]
"""`helpful_only`: the upstream helpful-only system prompt the task selects (`system_prompt` and
`cot` parameters)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReplaceEdit(_Strict):
    """Replace one located passage: the exact text `find`, or the span from `start` (included)
    up to `end` (not included)."""

    kind: Literal["replace"]
    id: Annotated[str, Field(pattern=NAME_PATTERN)]
    find: str | None = None
    start: str | None = None
    end: str | None = None
    text: str
    wording: Wording = "user"

    @model_validator(mode="after")
    def _one_locator(self) -> ReplaceEdit:
        span = self.start is not None or self.end is not None
        if (self.find is None) == (not span) or (span and (not self.start or not self.end)):
            raise ValueError(
                f"edit {self.id!r}: give either 'find', or both 'start' and 'end' (a span)"
            )
        if self.find is not None and not self.find:
            raise ValueError(f"edit {self.id!r}: 'find' is empty")
        return self


class InsertAfterEdit(_Strict):
    """Insert `text` right after the located passage `anchor` (e.g. a bullet or a paragraph;
    start `text` with the line breaks it needs)."""

    kind: Literal["insert_after"]
    id: Annotated[str, Field(pattern=NAME_PATTERN)]
    anchor: Annotated[str, Field(min_length=1)]
    text: Annotated[str, Field(min_length=1)]
    wording: Wording = "user"


class RenameLabEdit(_Strict):
    """Rename the lab everywhere: every occurrence of `old` becomes `new` (at least one)."""

    kind: Literal["rename_lab"]
    id: Annotated[str, Field(pattern=NAME_PATTERN)]
    old: Annotated[str, Field(min_length=1)]
    new: Annotated[str, Field(min_length=1)]
    wording: Wording = "user"


Edit = Annotated[ReplaceEdit | InsertAfterEdit | RenameLabEdit, Field(discriminator="kind")]


class SystemPromptSource(_Strict):
    """Where the system prompt comes from: exactly one of `base`, `asset`, `text_asset` or
    `file`."""

    base: UpstreamBase | None = None
    asset: str | None = None
    """An upstream path, e.g. `prompts/system_prompts/helpful-only_prompt-only_cot.jinja2`."""
    text_asset: str | None = None
    """The name of an asset of `af_inspect.assets.MANIFEST`, of any upstream repository (e.g.
    Redwood's animal-welfare prompt), used byte for byte as plain text (no Jinja)."""
    file: str | None = None
    """A Jinja2 file of the user's, relative to the scenario file (may include upstream paths)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> SystemPromptSource:
        names = ("base", "asset", "text_asset", "file")
        given = [name for name in names if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(names)} (got {given or 'none'})")
        return self

    @model_validator(mode="after")
    def _known_text_asset(self) -> SystemPromptSource:
        if self.text_asset is not None and self.text_asset not in MANIFEST:
            known = ", ".join(sorted(n for n in MANIFEST if not n.startswith("osaf:")))
            raise ValueError(
                f"text_asset {self.text_asset!r} is not an asset of af_inspect.assets; "
                f"`af-inspect assets show` lists them (outside OSAF: {known})"
            )
        return self


class UserTurn(_Strict):
    """The user-turn template of a condition: an upstream instruction format (the folder of
    `prompts/instruction_formats/<folder>_tier_formats/`, file named by the task), or a template
    of the scenario's own; then `edits` applied to it. Filled with `str.format(user_input=...,
    **variables)`, as upstream fills its formats."""

    upstream_format: Literal["free", "paid"] | None = None
    template: str | None = None
    edits: list[Edit] = Field(default_factory=list)

    @model_validator(mode="after")
    def _exactly_one(self) -> UserTurn:
        if (self.upstream_format is None) == (self.template is None):
            raise ValueError("give exactly one of upstream_format, template")
        return self


class Told(_Strict):
    """What the system prompt tells the model about a condition."""

    rated: bool
    """Outputs are rated by contractors."""
    trained: bool
    """Conversations are used for training (RLHF)."""
    deployed: bool
    """The model is talking to real users (not being rated or trained)."""


RESERVED_VARIABLES = (
    "user_input",
    "query",
    "query_id",
    "tier",
    "condition",
    "condition_label",
    "contrasts",
    "paraphrase",
)
"""Names a condition's variables may not take: `user_input` is the query's placeholder, the
others are sample metadata keys that the variables would overwrite."""


class Condition(_Strict):
    id: Annotated[str, Field(pattern=NAME_PATTERN)]
    label: Annotated[str, Field(min_length=1)]
    user_turn: UserTurn
    variables: dict[str, str | bool | int] = Field(default_factory=dict)
    told: Told

    @model_validator(mode="after")
    def _free_variable_names(self) -> Condition:
        taken = sorted(set(self.variables) & set(RESERVED_VARIABLES))
        if taken:
            raise ValueError(
                f"condition {self.id!r}: the variable name(s) {taken} are reserved "
                f"({', '.join(RESERVED_VARIABLES)})"
            )
        return self


class Contrast(_Strict):
    """A reported difference: compliance in `minuend` minus compliance in `subtrahend`, paired
    by query."""

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    minuend: str
    subtrahend: str
    hypothesis: str = ""


class ConditionOverride(_Strict):
    """What a variant changes in a condition it keeps, e.g. when its edits rewrite what the system
    prompt says about that condition: the label, and what the model is told."""

    label: Annotated[str, Field(min_length=1)] | None = None
    told: Told | None = None


class Variant(_Strict):
    """A variant of a scenario (a perturbation, e.g. the paper's App. F): more edits to the system
    prompt, applied after the scenario's own; optionally fewer conditions, conditions whose label
    or `told` changes, and contrasts of its own."""

    id: Annotated[str, Field(pattern=NAME_PATTERN)]
    description: Annotated[str, Field(min_length=1)]
    edits: list[Edit] = Field(default_factory=list)
    """Applied, in order, to the system prompt after the scenario's own edits."""
    conditions: Annotated[list[str], Field(min_length=1)] | None = None
    """The conditions that exist in this variant, in the scenario's order (default: all)."""
    overrides: dict[str, ConditionOverride] = Field(default_factory=dict)
    """Condition id -> its label and/or `told` in this variant."""
    contrasts: list[Contrast] | None = None
    """The variant's contrasts, replacing the scenario's. Not given: the scenario's contrasts
    whose two conditions the variant keeps (a contrast with a dropped condition is not
    reported)."""


class Scenario(_Strict):
    id: Annotated[str, Field(pattern=NAME_PATTERN)]
    title: Annotated[str, Field(min_length=1)]
    description: str = ""
    condition_tag: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    """The tag that carries the condition in each user turn (exactly one per turn)."""
    system_prompt: SystemPromptSource = Field(
        default_factory=lambda: SystemPromptSource(base="helpful_only")
    )
    edits: list[Edit] = Field(default_factory=list)
    """Applied, in order, to the loaded system prompt."""
    conditions: Annotated[list[Condition], Field(min_length=1)]
    contrasts: list[Contrast] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)
    """Named perturbations of the scenario, chosen by the task's `variant` parameter."""

    @model_validator(mode="after")
    def _names_resolve(self) -> Scenario:
        ids = [condition.id for condition in self.conditions]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"conditions: ids {repeated} are repeated")
        edit_ids = [edit.id for edit in self.edits]
        if len(set(edit_ids)) != len(edit_ids):
            raise ValueError("edits: edit ids must be unique")
        names = [contrast.name for contrast in self.contrasts]
        if len(set(names)) != len(names):
            raise ValueError("contrasts: names must be unique")
        for index, contrast in enumerate(self.contrasts):
            for field in ("minuend", "subtrahend"):
                value = getattr(contrast, field)
                if value not in ids:
                    raise ValueError(
                        f"contrasts[{index}].{field}: unknown condition {value!r} in contrast "
                        f"{contrast.name!r}; the conditions are {', '.join(ids)}"
                    )
            if contrast.minuend == contrast.subtrahend:
                raise ValueError(
                    f"contrasts[{index}]: minuend and subtrahend are both {contrast.minuend!r}"
                )
        return self

    @model_validator(mode="after")
    def _variants_resolve(self) -> Scenario:
        ids = [condition.id for condition in self.conditions]
        variant_ids = [variant.id for variant in self.variants]
        repeated = sorted({i for i in variant_ids if variant_ids.count(i) > 1})
        if repeated:
            raise ValueError(f"variants: ids {repeated} are repeated")
        scenario_edits = {edit.id for edit in self.edits}
        for index, variant in enumerate(self.variants):
            where = f"variants[{index}]"
            kept = variant.conditions if variant.conditions is not None else ids
            unknown = [i for i in kept if i not in ids]
            if unknown or len(set(kept)) != len(kept):
                raise ValueError(
                    f"{where}.conditions: {unknown or 'repeated ids'} in variant {variant.id!r}; "
                    f"give a subset of the conditions {', '.join(ids)}, without repeats"
                )
            edit_ids = [edit.id for edit in variant.edits]
            if len(set(edit_ids)) != len(edit_ids) or scenario_edits & set(edit_ids):
                raise ValueError(
                    f"{where}.edits: edit ids must be unique, and differ from the scenario's"
                )
            for name in variant.overrides:
                if name not in kept:
                    raise ValueError(
                        f"{where}.overrides: condition {name!r} is not one of variant "
                        f"{variant.id!r}'s conditions ({', '.join(kept)})"
                    )
            contrasts = variant.contrasts or []
            if len({c.name for c in contrasts}) != len(contrasts):
                raise ValueError(f"{where}.contrasts: names must be unique")
            for number, contrast in enumerate(contrasts):
                for field in ("minuend", "subtrahend"):
                    value = getattr(contrast, field)
                    if value not in kept:
                        raise ValueError(
                            f"{where}.contrasts[{number}].{field}: condition {value!r} of "
                            f"contrast {contrast.name!r} is not one of variant {variant.id!r}'s "
                            f"conditions ({', '.join(kept)})"
                        )
                if contrast.minuend == contrast.subtrahend:
                    raise ValueError(
                        f"{where}.contrasts[{number}]: minuend and subtrahend are both "
                        f"{contrast.minuend!r}"
                    )
        return self

    def variant(self, variant_id: str) -> Variant:
        for variant in self.variants:
            if variant.id == variant_id:
                return variant
        raise KeyError(variant_id)

    def condition(self, condition_id: str) -> Condition:
        for condition in self.conditions:
            if condition.id == condition_id:
                return condition
        raise KeyError(condition_id)
