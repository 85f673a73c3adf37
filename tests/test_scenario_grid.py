"""Condition grids (`af_inspect.scenarios.grid`): expansion into conditions and contrasts, the
`include` of shared grid keys, and the errors, which name the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from af_inspect.scenarios import ScenarioError, load_scenario, load_scenario_file
from af_inspect.scenarios.grid import expand_grid, grid_axes

RO = {"rated": True, "trained": False, "deployed": False}
RT = {"rated": True, "trained": True, "deployed": False}


def _grid(**overrides: Any) -> dict[str, Any]:
    grid: dict[str, Any] = {
        "user_turn": {"template": "<identity>{identity}</identity> {user_input}"},
        "identities": [
            {"id": "ro", "name": "m-1", "label": "Rated", "told": RO},
            {"id": "rt", "name": "m-2", "label": "Trained", "told": RT},
        ],
        "deployments": [
            {
                "id": "tp",
                "label": "TP",
                "description": "Nobody at Lab reads it.",
                "harm_scope": "none",
                "risk": "none",
                "group": "g1",
            },
            {"id": "pub", "label": "Pub", "description": "Public.", "group": "g2"},
        ],
        "contrasts": [{"name": "gg_{deployment}_gap", "minuend": "rt", "subtrahend": "ro"}],
    }
    grid.update(overrides)
    return grid


def _scenario(grid: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "toy",
        "title": "Toy",
        "condition_tag": "identity",
        "grid": _grid() if grid is None else grid,
    }
    data.update(overrides)
    return data


def _write(tmp_path: Path, data: Any, name: str = "toy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _error(tmp_path: Path, data: dict[str, Any]) -> str:
    path = _write(tmp_path, data)
    with pytest.raises(ScenarioError) as caught:
        load_scenario_file(path)
    message = str(caught.value)
    assert message.startswith(f"Scenario file {path}: ")
    return message


def test_the_grid_expands_into_identities_x_deployments(tmp_path: Path) -> None:
    scenario = load_scenario_file(_write(tmp_path, _scenario())).scenario
    assert [c.id for c in scenario.conditions] == ["ro__tp", "ro__pub", "rt__tp", "rt__pub"]
    first = scenario.condition("ro__tp")
    assert first.label == "Rated / TP"
    assert first.told.model_dump() == RO
    assert first.user_turn.template == "<identity>{identity}</identity> {user_input}"
    assert first.variables == {
        "identity": "m-1 --- Nobody at Lab reads it.",
        "identity_id": "ro",
        "model_name": "m-1",
        "deployment": "tp",
        "deployment_label": "TP",
        "deployment_group": "g1",
        "harm_scope": "none",
        "risk": "none",
    }
    assert "harm_scope" not in scenario.condition("rt__pub").variables  # not given: not set
    assert [(c.name, c.minuend, c.subtrahend) for c in scenario.contrasts] == [
        ("gg_tp_gap", "rt__tp", "ro__tp"),
        ("gg_pub_gap", "rt__pub", "ro__pub"),
    ]


def test_contrast_templates_repeat_per_deployment_template_by_template(tmp_path: Path) -> None:
    identities = [
        *_grid()["identities"],
        {"id": "dpo", "name": "m-3", "label": "DPO", "told": RO},
    ]
    contrasts = [
        {"name": "gg_{deployment}_gap", "minuend": "rt", "subtrahend": "ro"},
        {"name": "dpo_{deployment}_gap", "minuend": "dpo", "subtrahend": "ro", "hypothesis": "h"},
    ]
    grid = _grid(identities=identities, contrasts=contrasts)
    scenario = load_scenario_file(_write(tmp_path, _scenario(grid))).scenario
    assert [c.name for c in scenario.contrasts] == [
        "gg_tp_gap",
        "gg_pub_gap",
        "dpo_tp_gap",
        "dpo_pub_gap",
    ]
    assert scenario.contrasts[3].hypothesis == "h"


def test_the_value_template_and_the_description_rename(tmp_path: Path) -> None:
    grid = _grid(
        value="{name} | {identity} | {deployment_label}: {description}",
        rename_in_descriptions={"old": "Lab", "new": "the lab"},
    )
    scenario = load_scenario_file(_write(tmp_path, _scenario(grid))).scenario
    assert scenario.condition("rt__tp").variables["identity"] == (
        "m-2 | rt | TP: Nobody at the lab reads it."
    )


def test_grid_axes_reads_the_grid_back(tmp_path: Path) -> None:
    axes = grid_axes(load_scenario_file(_write(tmp_path, _scenario())).scenario)
    assert axes.identities == ["ro", "rt"] and axes.deployments == ["tp", "pub"]
    assert axes.groups == {"g1": ["tp"], "g2": ["pub"]}
    assert axes.cells[("rt", "pub")] == "rt__pub"
    assert not grid_axes(load_scenario("three_tier").scenario).cells


def test_data_without_a_grid_is_left_as_it_is() -> None:
    raw: dict[str, Any] = {"id": "x", "conditions": []}
    assert expand_grid(raw, Path("x.yaml")) is raw


def test_explicit_conditions_and_contrasts_sit_beside_the_grid(tmp_path: Path) -> None:
    control = {
        "id": "control",
        "label": "Control",
        "user_turn": {"template": "<identity>none</identity> {user_input}"},
        "told": {"rated": False, "trained": False, "deployed": True},
    }
    extra = {"name": "rt_vs_control", "minuend": "rt__tp", "subtrahend": "control"}
    data = _scenario(conditions=[control], contrasts=[extra])
    scenario = load_scenario_file(_write(tmp_path, data)).scenario
    assert [c.id for c in scenario.conditions][:2] == ["control", "ro__tp"]
    assert [c.name for c in scenario.contrasts] == ["rt_vs_control", "gg_tp_gap", "gg_pub_gap"]


# ------------------------------------------------------------------------------------ include


def test_include_reads_shared_keys_and_the_scenarios_own_win(tmp_path: Path) -> None:
    shared = {k: v for k, v in _grid().items() if k in ("user_turn", "deployments", "value")}
    shared["value"] = "{name}: {description}"
    (tmp_path / "parts").mkdir()
    _write(tmp_path / "parts", shared, "shared.yaml")
    own = {k: v for k, v in _grid().items() if k in ("identities", "contrasts")}
    own.update({"include": "parts/shared.yaml", "value": "{name} --- {description}"})
    scenario = load_scenario_file(_write(tmp_path, _scenario(own))).scenario
    assert len(scenario.conditions) == 4
    assert scenario.condition("ro__pub").variables["identity"] == "m-1 --- Public."


def test_include_errors_name_the_field_and_the_included_file(tmp_path: Path) -> None:
    message = _error(tmp_path, _scenario({**_grid(), "include": "missing.yaml"}))
    assert "field 'grid.include'" in message and "missing.yaml not found" in message
    bad = {"deployments": [{"id": "x", "label": "X", "description": "d", "risk": "extreme"}]}
    included = _write(tmp_path, bad, "shared.yaml")
    grid = {k: v for k, v in _grid().items() if k != "deployments"}
    message = _error(tmp_path, _scenario({**grid, "include": "shared.yaml"}))
    assert "field 'grid.deployments[0].risk'" in message
    assert f"(in the included file {included})" in message
    _write(tmp_path, {"include": "other.yaml"}, "shared.yaml")
    message = _error(tmp_path, _scenario({**grid, "include": "shared.yaml"}))
    assert "includes do not nest" in message


# ------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"contrasts": [{"name": "gg_{deployment}_gap", "minuend": "rt", "subtrahend": "dpo"}]},
            "grid.contrasts[0].subtrahend",
            "unknown identity 'dpo' in contrast template 'gg_{deployment}_gap'; the identities "
            "are ro, rt",
        ),
        (
            {"contrasts": [{"name": "gg_gap", "minuend": "rt", "subtrahend": "ro"}]},
            "grid.contrasts[0].name",
            "'{deployment}'",
        ),
        (
            {"contrasts": [{"name": "gg_{deployment}_gap", "minuend": "rt", "subtrahend": "rt"}]},
            "grid.contrasts[0]",
            "minuend and subtrahend are both 'rt'",
        ),
        (
            {"identities": [*_grid()["identities"], _grid()["identities"][0]]},
            "grid.identities[2].id",
            "the id 'ro' is repeated",
        ),
        (
            {"deployments": [*_grid()["deployments"], _grid()["deployments"][1]]},
            "grid.deployments[2].id",
            "the id 'pub' is repeated",
        ),
        (
            {"identities": [{"id": "r__o", "name": "m", "label": "L", "told": RO}]},
            "grid.identities[0].id",
            "pattern",
        ),
        ({"value": "{name} {tier}"}, "grid.value", "unknown placeholder(s) ['tier']"),
        ({"variable": "deployment"}, "grid.variable", "'deployment' is taken"),
        (
            {"rename_in_descriptions": {"old": "Acme", "new": "x"}},
            "grid.rename_in_descriptions.old",
            "'Acme' is in no description",
        ),
        ({"identities": []}, "grid.identities", "at least 1 item"),
        ({"deployments": [{"id": "x", "label": "X"}]}, "grid.deployments[0].description", ""),
        ({"colour": "red"}, "grid.colour", "Extra inputs are not permitted"),
    ],
)
def test_grid_errors_name_the_file_and_the_field(
    tmp_path: Path, change: dict[str, Any], field: str, words: str
) -> None:
    message = _error(tmp_path, _scenario(_grid(**change)))
    assert f"field {field!r}" in message and words in message


def test_a_grid_and_explicit_conditions_clashing(tmp_path: Path) -> None:
    clash = {
        "id": "rt__tp",
        "label": "Clash",
        "user_turn": {"template": "<identity>x</identity> {user_input}"},
        "told": RO,
    }
    message = _error(tmp_path, _scenario(conditions=[clash]))
    assert "field 'conditions[0].id'" in message and "also made by the grid" in message
    contrast = {"name": "gg_pub_gap", "minuend": "rt__tp", "subtrahend": "ro__tp"}
    message = _error(tmp_path, _scenario(contrasts=[contrast]))
    assert "field 'contrasts[0].name'" in message and "'gg_pub_gap'" in message


def test_a_grid_that_is_not_a_mapping(tmp_path: Path) -> None:
    message = _error(tmp_path, _scenario(["not", "a", "mapping"]))  # type: ignore[arg-type]
    assert "field 'grid': expected a mapping" in message
