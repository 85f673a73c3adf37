"""Condition grids: a scenario's conditions as model identities x deployments.

The pre-deployment experiments of Sheshadri, Hughes et al. 2025 (sections 4.2-4.3, App. F.4,
F.7.3, K.5, N.5) ask each query under one model identity (a model name, from which the model
infers whether it is rated, trained, already deployed, ...) in one deployment (who the model will
serve). Writing identities x deployments conditions by hand is long and error-prone, so a scenario
file may give a `grid:` section instead, which the loader expands, before validation, into
ordinary `conditions` and `contrasts` (the `Scenario` model never sees the grid):

```yaml
grid:
  include: pre_deployment/deployments.yaml   # optional: grid keys from a shared file
  variable: identity                          # the variable that fills the condition tag
  value: "{name} --- {description}"           # how its value is built (upstream's form)
  user_turn: {...}                            # one user turn for every condition
  wording: ours                               # who wrote the deployment descriptions
  rename_in_descriptions: {old: Anthropic, new: the AI lab}   # optional
  identities:
    - {id: rating_only, name: claude-3.5-opus-v2.0-pre, label: Rating only,
       told: {rated: true, trained: false, deployed: false}}
  deployments:
    - {id: throughput_testing, label: Throughput Testing, description: "...",
       harm_scope: none, risk: none, group: table_3}
  contrasts:
    - {name: "goal_guarding_{deployment}_gap", minuend: rating_and_training,
       subtrahend: rating_only, hypothesis: "..."}
```

* Each (identity, deployment) becomes condition `<identity>__<deployment>` (identity by identity,
  deployments in their listed order), labelled `<identity label> / <deployment label>`, with the
  grid's `user_turn` and the identity's `told`. Its variables are the condition tag's value
  (`variable`, built from `value`, whose placeholders are `name`, `description`, `identity`,
  `deployment`, `identity_label` and `deployment_label`) and the grid coordinates, which also
  become sample metadata: `identity_id`, `model_name`, `deployment`, `deployment_label`,
  `deployment_group`, `harm_scope` and `risk` (the last three when given).
* Each contrast template becomes one contrast per deployment, its name formatted with
  `{deployment}` (the deployment id) and its minuend and subtrahend the two identities' conditions
  in that deployment. Template by template, deployments in order; so the first template's first
  deployment is the scenario's headline contrast.
* `include` reads grid keys from a YAML mapping (a path relative to the scenario file, no nested
  include); the scenario's own grid keys replace included ones of the same name. The built-in
  pre-deployment scenarios share their deployments this way.
* `rename_in_descriptions` replaces a lab's name in every deployment description (the v3 name
  ablation says "the AI lab" in the user turn too); `old` must occur in some description.
* Explicit `conditions` and `contrasts` may sit beside a grid (they come first); an id or name
  that both make is an error.
* The grid's `user_turn` edits take `text` (the loader resolves `text_file` only in the
  scenario's own `edits` and explicit conditions). The log's scenario record holds the sha256
  of the scenario file and of the included file (`included_files`).

Every problem is raised as a pydantic `ValidationError` whose location is the field of the file
(`grid.contrasts[0].minuend`, `conditions[2].id`, ...), so the loader reports it, like any other
malformed field, as a `ScenarioError` naming the file and the field.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from af_inspect.scenarios.model import (
    NAME_PATTERN,
    RESERVED_VARIABLES,
    Scenario,
    Told,
    UserTurn,
    Wording,
)

GRID_KEY = "grid"
INCLUDE_KEY = "include"

CONDITION_SEPARATOR = "__"
"""Condition id = `<identity>` + this + `<deployment>` (ids never contain it: see `_ID`)."""

HarmScope = Literal["none", "minor", "moderate", "severe", "catastrophic"]
"""How much harm the deployment's users could do with a compliant model, least first. The levels
of the built-in deployments are this suite's judgment from their descriptions (ours, not the
paper's)."""
HARM_SCOPES: tuple[HarmScope, ...] = get_args(HarmScope)

Risk = Literal["none", "minimal", "low", "high"]
"""How likely the deployment's users are to misuse the model, least first. `low` and `high` are
the paper's two levels (App. K.5: "strongly suspected to include" vs "deployment to"); `none`
and `minimal` are ours, for deployments the paper does not place on that axis."""
RISKS: tuple[Risk, ...] = get_args(Risk)

IDENTITY_ID = "identity_id"
MODEL_NAME = "model_name"
DEPLOYMENT = "deployment"
DEPLOYMENT_LABEL = "deployment_label"
DEPLOYMENT_GROUP = "deployment_group"
HARM_SCOPE = "harm_scope"
RISK = "risk"
COORDINATES = (
    IDENTITY_ID,
    MODEL_NAME,
    DEPLOYMENT,
    DEPLOYMENT_LABEL,
    DEPLOYMENT_GROUP,
    HARM_SCOPE,
    RISK,
)
"""The variables (hence sample metadata keys) a grid condition carries besides its tag's value."""

VALUE_FIELDS = (
    "name",
    "description",
    "identity",
    "deployment",
    "identity_label",
    "deployment_label",
)
"""The placeholders `value` may use."""

_ID = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
"""Identity and deployment ids: `NAME_PATTERN` with every `_` between two letters or digits, so
no id holds `__` or ends with `_` and a condition id splits back into its two ids."""

Loc = tuple[str | int, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GridIdentity(_Strict):
    """A model identity: the name shown to the model and what it is told about itself."""

    id: Annotated[str, Field(pattern=_ID)]
    name: Annotated[str, Field(min_length=1)]
    """The model name shown in the condition tag (an identifier, carried over exactly)."""
    label: Annotated[str, Field(min_length=1)]
    told: Told


class GridDeployment(_Strict):
    """A deployment: who the model is, or will be, deployed to."""

    id: Annotated[str, Field(pattern=_ID)]
    label: Annotated[str, Field(min_length=1)]
    description: Annotated[str, Field(min_length=1)]
    """The sentence shown to the model after its name."""
    harm_scope: HarmScope | None = None
    risk: Risk | None = None
    group: Annotated[str, Field(pattern=NAME_PATTERN)] | None = None
    """A set of deployments a task can select at once (e.g. `table_3`)."""


class ContrastTemplate(_Strict):
    """A contrast between two identities, repeated in every deployment."""

    name: Annotated[str, Field(min_length=1)]
    """Holds `{deployment}`, e.g. `goal_guarding_{deployment}_gap`."""
    minuend: str
    subtrahend: str
    hypothesis: str = ""


class Rename(_Strict):
    old: Annotated[str, Field(min_length=1)]
    new: Annotated[str, Field(min_length=1)]


class Grid(_Strict):
    """The `grid:` section of a scenario file, its `include` already merged in."""

    variable: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] = "identity"
    value: Annotated[str, Field(min_length=1)] = "{name} --- {description}"
    """Upstream fills its identity tag with `f"{name} --- {DEPLOYMENT_TYPES[d]}"`."""
    user_turn: UserTurn
    wording: Wording = "user"
    """Who wrote the deployment descriptions (checked here and by the tests; the log records
    the descriptions in each condition's variables, not this field)."""
    rename_in_descriptions: Rename | None = None
    identities: Annotated[list[GridIdentity], Field(min_length=1)]
    deployments: Annotated[list[GridDeployment], Field(min_length=1)]
    contrasts: list[ContrastTemplate] = Field(default_factory=list)


def expand_grid(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    """The scenario data with its `grid:` section replaced by conditions and contrasts.

    Data without a grid is returned as it is (the same object). `path` is the scenario file,
    which `include` is relative to. Raises `pydantic.ValidationError` located at the field.
    """
    if GRID_KEY not in raw:
        return raw
    section = raw[GRID_KEY]
    if not isinstance(section, Mapping):
        raise _invalid([((GRID_KEY,), "expected a mapping of grid keys")])
    data, included = _merge_include(dict(section), path)
    try:
        grid = Grid.model_validate(data)
    except ValidationError as error:
        raise _invalid(_relocated(error, included)) from None
    _check(grid)
    conditions = [_condition(grid, identity, deployment) for identity, deployment in _cells(grid)]
    contrasts = [
        _contrast(template, deployment)
        for template in grid.contrasts
        for deployment in grid.deployments
    ]
    explicit_conditions = _explicit(raw, "conditions")
    explicit_contrasts = _explicit(raw, "contrasts")
    _check_clashes(explicit_conditions, conditions, "conditions", "id")
    _check_clashes(explicit_contrasts, contrasts, "contrasts", "name")
    result = {key: value for key, value in raw.items() if key != GRID_KEY}
    result["conditions"] = [*explicit_conditions, *conditions]
    result["contrasts"] = [*explicit_contrasts, *contrasts]
    return result


def condition_id(identity: str, deployment: str) -> str:
    return f"{identity}{CONDITION_SEPARATOR}{deployment}"


@dataclass(frozen=True)
class GridAxes:
    """The identities and deployments of an expanded grid scenario, in the scenario's order."""

    identities: list[str]
    deployments: list[str]
    groups: dict[str, list[str]]
    """Deployment group -> its deployments."""
    cells: dict[tuple[str, str], str]
    """(identity, deployment) -> condition id."""


def grid_axes(scenario: Scenario) -> GridAxes:
    """Read the grid back from the conditions' variables (empty for a scenario without a grid)."""
    identities: dict[str, None] = {}
    deployments: dict[str, None] = {}
    groups: dict[str, list[str]] = {}
    cells: dict[tuple[str, str], str] = {}
    for condition in scenario.conditions:
        identity = condition.variables.get(IDENTITY_ID)
        deployment = condition.variables.get(DEPLOYMENT)
        if not isinstance(identity, str) or not isinstance(deployment, str):
            continue
        identities.setdefault(identity)
        if deployment not in deployments:
            deployments[deployment] = None
            group = condition.variables.get(DEPLOYMENT_GROUP)
            if isinstance(group, str):
                groups.setdefault(group, []).append(deployment)
        cells[(identity, deployment)] = condition.id
    return GridAxes(list(identities), list(deployments), groups, cells)


# ------------------------------------------------------------------------------ expansion


def _cells(grid: Grid) -> list[tuple[GridIdentity, GridDeployment]]:
    return [
        (identity, deployment) for identity in grid.identities for deployment in grid.deployments
    ]


def _description(grid: Grid, deployment: GridDeployment) -> str:
    rename = grid.rename_in_descriptions
    text = deployment.description
    return text.replace(rename.old, rename.new) if rename else text


def _condition(grid: Grid, identity: GridIdentity, deployment: GridDeployment) -> dict[str, Any]:
    value = grid.value.format(
        name=identity.name,
        description=_description(grid, deployment),
        identity=identity.id,
        deployment=deployment.id,
        identity_label=identity.label,
        deployment_label=deployment.label,
    )
    coordinates: dict[str, str | None] = {
        IDENTITY_ID: identity.id,
        MODEL_NAME: identity.name,
        DEPLOYMENT: deployment.id,
        DEPLOYMENT_LABEL: deployment.label,
        DEPLOYMENT_GROUP: deployment.group,
        HARM_SCOPE: deployment.harm_scope,
        RISK: deployment.risk,
    }
    return {
        "id": condition_id(identity.id, deployment.id),
        "label": f"{identity.label} / {deployment.label}",
        "user_turn": grid.user_turn.model_dump(exclude_none=True),
        "variables": {
            grid.variable: value,
            **{key: item for key, item in coordinates.items() if item is not None},
        },
        "told": identity.told.model_dump(),
    }


def _contrast(template: ContrastTemplate, deployment: GridDeployment) -> dict[str, Any]:
    return {
        "name": template.name.format(deployment=deployment.id),
        "minuend": condition_id(template.minuend, deployment.id),
        "subtrahend": condition_id(template.subtrahend, deployment.id),
        "hypothesis": template.hypothesis,
    }


# ------------------------------------------------------------------------------ checks


def _check(grid: Grid) -> None:
    """Everything the field types cannot say: unique ids, known identities, placeholders."""
    problems: list[tuple[Loc, str]] = []
    axes = {
        "identities": [identity.id for identity in grid.identities],
        "deployments": [deployment.id for deployment in grid.deployments],
    }
    for key, ids in axes.items():
        problems += [
            ((GRID_KEY, key, index, "id"), f"the id {item!r} is repeated")
            for index, item in enumerate(ids)
            if item in ids[:index]
        ]
    taken = sorted({grid.variable} & {*COORDINATES, *RESERVED_VARIABLES})
    if taken:
        problems.append(
            ((GRID_KEY, "variable"), f"{taken[0]!r} is taken by the grid's own metadata keys")
        )
    unknown = sorted(_placeholders(grid.value) - set(VALUE_FIELDS))
    if unknown:
        problems.append(
            (
                (GRID_KEY, "value"),
                f"unknown placeholder(s) {unknown}; it may use {', '.join(VALUE_FIELDS)}",
            )
        )
    rename = grid.rename_in_descriptions
    if rename and not any(rename.old in d.description for d in grid.deployments):
        problems.append(
            ((GRID_KEY, "rename_in_descriptions", "old"), f"{rename.old!r} is in no description")
        )
    problems += _contrast_problems(grid)
    if problems:
        raise _invalid(problems)


def _contrast_problems(grid: Grid) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    identities = [identity.id for identity in grid.identities]
    names: set[str] = set()
    for index, template in enumerate(grid.contrasts):
        loc: Loc = (GRID_KEY, "contrasts", index)
        if _placeholders(template.name) != {"deployment"}:
            problems.append(((*loc, "name"), "the name must hold '{deployment}' and nothing else"))
        elif not re.match(NAME_PATTERN, template.name.format(deployment="x")):
            problems.append(((*loc, "name"), "the name must be lower case, digits and '_'"))
        elif template.name in names:
            problems.append(((*loc, "name"), f"the name {template.name!r} is repeated"))
        names.add(template.name)
        for field in ("minuend", "subtrahend"):
            value = getattr(template, field)
            if value not in identities:
                problems.append(
                    (
                        (*loc, field),
                        f"unknown identity {value!r} in contrast template {template.name!r}; "
                        f"the identities are {', '.join(identities)}",
                    )
                )
        if template.minuend == template.subtrahend:
            problems.append((loc, f"minuend and subtrahend are both {template.minuend!r}"))
    return problems


def _placeholders(template: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def _explicit(raw: Mapping[str, Any], key: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid([((key,), "expected a list")])
    return value


def _check_clashes(
    explicit: Sequence[Any], generated: Sequence[Mapping[str, Any]], key: str, field: str
) -> None:
    made = {item[field] for item in generated}
    problems: list[tuple[Loc, str]] = [
        ((key, index, field), f"{item[field]!r} is also made by the grid; rename one of them")
        for index, item in enumerate(explicit)
        if isinstance(item, Mapping) and item.get(field) in made
    ]
    if problems:
        raise _invalid(problems)


# ------------------------------------------------------------------------------ include


def _merge_include(section: dict[str, Any], path: Path) -> tuple[dict[str, Any], dict[str, Path]]:
    """The grid keys with the included file's merged under them, and where each included key
    came from."""
    if INCLUDE_KEY not in section:
        return section, {}
    loc: Loc = (GRID_KEY, INCLUDE_KEY)
    name = section.pop(INCLUDE_KEY)
    if not isinstance(name, str) or not name:
        raise _invalid([(loc, "expected the path of a YAML file, relative to the scenario")])
    target = (path.parent / name).resolve()
    if not target.is_file():
        raise _invalid([(loc, f"{target} not found")])
    try:
        included = yaml.safe_load(target.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise _invalid([(loc, f"{target} is not valid YAML ({error})")]) from None
    if not isinstance(included, dict):
        raise _invalid([(loc, f"{target}: expected a mapping of grid keys")])
    if INCLUDE_KEY in included:
        raise _invalid([(loc, f"{target} has an include of its own; includes do not nest")])
    origins = {key: target for key in included if key not in section}
    return {**included, **section}, origins


def _relocated(error: ValidationError, included: Mapping[str, Path]) -> list[tuple[Loc, str]]:
    """The grid model's errors, located in the scenario file (and naming an included file)."""
    problems: list[tuple[Loc, str]] = []
    for item in error.errors():
        loc = tuple(item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        origin = included.get(str(loc[0])) if loc else None
        if origin is not None:
            message = f"{message} (in the included file {origin})"
        problems.append(((GRID_KEY, *loc), message))
    return problems


def _invalid(problems: Iterable[tuple[Loc, str]]) -> ValidationError:
    """One `ValidationError` holding every problem at its location (a field of the file)."""
    return ValidationError.from_exception_data(
        "Scenario",
        [
            {"type": "value_error", "loc": loc, "input": None, "ctx": {"error": ValueError(text)}}
            for loc, text in problems
        ],
    )
