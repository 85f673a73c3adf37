"""Scenario variants: more edits after the scenario's own, fewer conditions, changed conditions,
their own contrasts; checked when loaded, chosen by name when the task is created."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from af_inspect.scenarios import (
    EditError,
    ScenarioError,
    build_condition_samples,
    load_scenario,
    render_scenario,
    scenario_metadata,
)
from af_inspect.scenarios.task import checked_settings, condition_ids, scenario_task

SYSTEM = "Intro.\n\n- about a\n- about b\n- about c\n\nOutro."


def _condition(name: str, rated: bool, trained: bool) -> dict[str, Any]:
    return {
        "id": name,
        "label": name.upper(),
        "user_turn": {"template": "<identity>{identity}</identity> {user_input}"},
        "variables": {"identity": name},
        "told": {"rated": rated, "trained": trained, "deployed": not trained},
    }


def _scenario(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "toy",
        "title": "Toy",
        "condition_tag": "identity",
        "system_prompt": {"file": "system.jinja2"},
        "edits": [{"id": "own", "kind": "replace", "find": "Intro.", "text": "Hello."}],
        "conditions": [
            _condition("a", True, True),
            _condition("b", True, False),
            _condition("c", False, False),
        ],
        "contrasts": [
            {"name": "a_minus_b", "minuend": "a", "subtrahend": "b"},
            {"name": "b_minus_c", "minuend": "b", "subtrahend": "c"},
        ],
        "variants": [
            {
                "id": "plain",
                "description": "No more edits.",
            },
            {
                "id": "drop_a",
                "description": "Condition a removed.",
                "conditions": ["b", "c"],
                "edits": [
                    {
                        "id": "no_a",
                        "kind": "replace",
                        "start": "- about a",
                        "end": "- about b",
                        "text": "",
                    },
                    {"id": "hello_again", "kind": "replace", "find": "Hello.", "text": "Hi."},
                ],
            },
            {
                "id": "swap",
                "description": "What b and c are told is swapped.",
                "edits": [
                    {
                        "id": "more_c",
                        "kind": "insert_after",
                        "anchor": "- about c",
                        "text": " (now rated)",
                        "wording": "ours",
                    },
                ],
                "overrides": {
                    "b": {
                        "label": "B (unrated)",
                        "told": {"rated": False, "trained": False, "deployed": True},
                    },
                    "c": {"told": {"rated": True, "trained": False, "deployed": True}},
                },
                "contrasts": [{"name": "c_minus_b", "minuend": "c", "subtrahend": "b"}],
            },
        ],
    }
    data.update(overrides)
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    (tmp_path / "system.jinja2").write_text(SYSTEM, encoding="utf-8")
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    return _write(tmp_path, _scenario())


# ---------------------------------------------------------------------------------- rendering


def test_without_a_variant_the_scenario_is_as_written(toy: Path) -> None:
    loaded = load_scenario(str(toy))
    rendered = render_scenario(loaded)
    assert rendered.system_prompt == SYSTEM.replace("Intro.", "Hello.")
    assert rendered.variant is None and list(rendered.formats) == ["a", "b", "c"]
    assert "variant" not in scenario_metadata(loaded, rendered)


def test_variant_edits_follow_the_scenarios_own_and_are_recorded(toy: Path) -> None:
    loaded = load_scenario(str(toy))
    rendered = render_scenario(loaded, variant="drop_a")
    # `hello_again` finds the text the scenario's own edit wrote: it ran after it
    assert rendered.system_prompt == "Hi.\n\n- about b\n- about c\n\nOutro."
    assert list(rendered.formats) == ["b", "c"]
    assert [(e["id"], e.get("variant")) for e in rendered.edits] == [
        ("own", None),
        ("no_a", "drop_a"),
        ("hello_again", "drop_a"),
    ]
    record = scenario_metadata(loaded, rendered)
    assert record["variant"]["id"] == "drop_a"
    assert record["variant"]["description"] == "Condition a removed."
    assert record["variant"]["conditions"] == ["b", "c"]
    assert [e["id"] for e in record["variant"]["edits"]] == ["no_a", "hello_again"]
    assert record["variant"]["edits"][0]["removed_chars"] == len("- about a\n")
    assert [c["id"] for c in record["conditions"]] == ["b", "c"]
    # a contrast with a dropped condition is not reported
    assert [c["name"] for c in record["contrasts"]] == ["b_minus_c"]


def test_overrides_and_own_contrasts_reach_the_samples_and_the_log(toy: Path) -> None:
    from af_inspect.dataset import Query

    loaded = load_scenario(str(toy))
    rendered = render_scenario(loaded, variant="swap")
    assert "- about c (now rated)\n" in rendered.system_prompt
    dataset = build_condition_samples(
        [Query("q0000", "x")], rendered, ["a", "b", "c"], dataset_name="toy"
    )
    metadata = [sample.metadata or {} for sample in dataset]
    assert [m["condition_label"] for m in metadata] == ["A", "B (unrated)", "C"]
    assert metadata[0]["contrasts"] == [["c_minus_b", "c", "b"]]
    record = scenario_metadata(loaded, rendered)
    told = {c["id"]: c["told"] for c in record["conditions"]}
    assert told["b"]["rated"] is False and told["c"]["rated"] is True
    assert told["a"] == {"rated": True, "trained": True, "deployed": False}
    assert [c["name"] for c in record["contrasts"]] == ["c_minus_b"]
    # the loaded scenario itself is unchanged
    assert loaded.scenario.condition("b").label == "B"


def test_unknown_variant_names_the_file_and_lists_the_variants(toy: Path) -> None:
    with pytest.raises(ScenarioError) as error:
        render_scenario(load_scenario(str(toy)), variant="drop_z")
    message = str(error.value)
    assert str(toy) in message and "'drop_z'" in message
    assert "plain, drop_a, swap" in message


def test_a_condition_the_variant_drops_names_the_file_and_the_variant(toy: Path) -> None:
    with pytest.raises(ScenarioError) as error:
        render_scenario(load_scenario(str(toy)), variant="drop_a", condition_ids=["a", "b"])
    message = str(error.value)
    assert str(toy) in message and "variant 'drop_a' drops the condition(s) a" in message
    assert "its conditions are b, c" in message


def test_a_missing_anchor_of_a_variant_names_the_variant(tmp_path: Path) -> None:
    data = _scenario()
    data["variants"][0]["edits"] = [{"id": "gone", "kind": "replace", "find": "zzz", "text": "y"}]
    path = _write(tmp_path, data)
    with pytest.raises(EditError, match=r"edit 'gone'.*\(With variant 'plain'\.\)"):
        render_scenario(load_scenario(str(path)), variant="plain")


def test_a_variants_text_file_is_read_relative_to_the_scenario(tmp_path: Path) -> None:
    data = _scenario()
    data["variants"][0]["edits"] = [
        {"id": "from_file", "kind": "replace", "find": "Outro.", "text_file": "outro.txt"}
    ]
    path = _write(tmp_path, data)
    (tmp_path / "outro.txt").write_text("Bye.", encoding="utf-8")
    rendered = render_scenario(load_scenario(str(path)), variant="plain")
    assert rendered.system_prompt.endswith("- about c\n\nBye.")


# ---------------------------------------------------------------------------------- validation


def _variant(index: int, **fields: Any) -> dict[str, Any]:
    data = _scenario()
    data["variants"][index].update(fields)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _scenario(variants=[{"id": "x", "description": "d"}] * 2),
            r"variants: ids \['x'\] are repeated",
        ),
        (_variant(1, conditions=["b", "z"]), r"variants\[1\]\.conditions: \['z'\]"),
        (_variant(1, conditions=["b", "b"]), r"variants\[1\]\.conditions: repeated"),
        (_variant(1, conditions=[]), r"'variants\[1\]\.conditions': List should have at least 1"),
        (
            _variant(1, overrides={"a": {"label": "gone"}}),
            r"variants\[1\]\.overrides: condition 'a'",
        ),
        (
            _variant(1, contrasts=[{"name": "x", "minuend": "a", "subtrahend": "b"}]),
            r"variants\[1\]\.contrasts\[0\]\.minuend: condition 'a'",
        ),
        (
            _variant(0, edits=[{"id": "own", "kind": "replace", "find": "x", "text": "y"}]),
            r"variants\[0\]\.edits: edit ids must be unique",
        ),
        (_variant(0, id="Bad Id"), r"variants\[0\]\.id"),
        (_variant(0, description=""), r"variants\[0\]\.description"),
    ],
)
def test_a_malformed_variant_names_the_file_and_the_field(
    tmp_path: Path, data: dict[str, Any], message: str
) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(ScenarioError, match=message) as error:
        load_scenario(str(path))
    assert str(path) in str(error.value)


# --------------------------------------------------------------------------------------- task


def _settings() -> Any:
    return checked_settings(
        cot=True,
        suffix=True,
        system_prompt="prompt_only",
        system_prompt_file=None,
        instruction_format=None,
        dataset="synthetic",
        num_queries=2,
        max_resamples=0,
        max_next_turns=0,
        scorers="tags",
        grader=None,
        af_votes=1,
        af_threshold=0.5,
        categorize=False,
        invalid="grade",
        parse="upstream",
        tag_rule="anywhere",
    )


def test_the_task_asks_in_the_variants_conditions_by_default(toy: Path) -> None:
    loaded = load_scenario(str(toy))
    conditions = condition_ids(loaded, None, variant="drop_a")
    assert conditions == ["b", "c"]
    task = scenario_task(loaded, conditions, _settings(), variant="drop_a")
    assert [s.id for s in task.dataset][:2] == ["q0000-b", "q0000-c"]
    assert task.metadata is not None and task.metadata["tiers"] == ["b", "c"]
    assert task.metadata["scenario"]["variant"]["id"] == "drop_a"


def test_the_task_refuses_a_bad_variant_when_it_is_created(toy: Path) -> None:
    loaded = load_scenario(str(toy))
    with pytest.raises(ScenarioError, match=rf"{toy}.*no variant 'nope'"):
        condition_ids(loaded, None, variant="nope")
    with pytest.raises(ScenarioError, match=rf"{toy}.*'drop_a' drops the condition\(s\) a"):
        scenario_task(loaded, ["a", "c"], _settings(), variant="drop_a")
