"""The scenario engine: the YAML model, the loader's errors, the edits and the rendering."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from af_inspect.assets import MANIFEST, locate_local
from af_inspect.dataset import Query
from af_inspect.prompts import PromptTemplateError
from af_inspect.scenarios import (
    EditError,
    ScenarioError,
    apply_edits,
    build_condition_samples,
    builtin_names,
    load_scenario,
    load_scenario_file,
    render_scenario,
)
from af_inspect.scenarios.model import InsertAfterEdit, RenameLabEdit, ReplaceEdit
from tests.conftest import ASSETS_REASON

TEXT = "Intro.\n\n- first bullet\n- second bullet\n\nOutro by Lab. Lab again.\n"


def _scenario(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "toy",
        "title": "Toy",
        "condition_tag": "identity",
        "conditions": [
            {
                "id": "a",
                "label": "A",
                "user_turn": {"template": "<identity>{identity}</identity> {user_input}"},
                "variables": {"identity": "a"},
                "told": {"rated": True, "trained": True, "deployed": False},
            },
            {
                "id": "b",
                "label": "B",
                "user_turn": {"template": "<identity>{identity}</identity> {user_input}"},
                "variables": {"identity": "b"},
                "told": {"rated": False, "trained": False, "deployed": True},
            },
        ],
        "contrasts": [{"name": "a_minus_b", "minuend": "a", "subtrahend": "b"}],
    }
    base.update(overrides)
    return base


def _write(tmp_path: Path, data: dict[str, Any], name: str = "toy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------ edits


def test_replace_span_lands_exactly_between_the_anchors() -> None:
    edit = ReplaceEdit(kind="replace", id="swap", start="- first", end="\n\nOutro", text="- new")
    text, records = apply_edits(TEXT, [edit], scenario="toy", where="f.txt")
    assert text == "Intro.\n\n- new\n\nOutro by Lab. Lab again.\n"
    assert records[0]["id"] == "swap" and records[0]["file"] == "f.txt"


def test_replace_find_and_insert_after_and_rename() -> None:
    edits = [
        ReplaceEdit(kind="replace", id="one", find="first", text="1st"),
        InsertAfterEdit(kind="insert_after", id="more", anchor="- second bullet", text="\n- third"),
        RenameLabEdit(kind="rename_lab", id="lab", old="Lab", new="OtherLab"),
    ]
    text, records = apply_edits(TEXT, edits, scenario="toy", where="f.txt")
    assert text == (
        "Intro.\n\n- 1st bullet\n- second bullet\n- third\n\nOutro by OtherLab. OtherLab again.\n"
    )
    assert records[2]["count"] == 2


@pytest.mark.parametrize(
    "edit",
    [
        ReplaceEdit(kind="replace", id="gone", find="absent passage", text="x"),
        ReplaceEdit(kind="replace", id="gone", start="- first", end="absent", text="x"),
        InsertAfterEdit(kind="insert_after", id="gone", anchor="absent passage", text="x"),
        RenameLabEdit(kind="rename_lab", id="gone", old="NoSuchLab", new="X"),
    ],
)
def test_a_missing_anchor_is_an_error_naming_scenario_edit_and_file(edit: Any) -> None:
    with pytest.raises(EditError, match=r"Scenario 'toy', edit 'gone'.*in f\.txt"):
        apply_edits(TEXT, [edit], scenario="toy", where="f.txt")


def test_an_ambiguous_anchor_is_an_error() -> None:
    edit = ReplaceEdit(kind="replace", id="twice", find="bullet", text="x")
    with pytest.raises(EditError, match="more than once"):
        apply_edits(TEXT, [edit], scenario="toy", where="f.txt")


def test_a_missing_anchor_in_a_user_file_fails_when_rendering(tmp_path: Path) -> None:
    edit = {"id": "gone", "kind": "replace", "find": "absent", "text": "x"}
    path = _write(tmp_path, _scenario(system_prompt={"file": "system.jinja2"}, edits=[edit]))
    (tmp_path / "system.jinja2").write_text("A system prompt.", encoding="utf-8")
    with pytest.raises(EditError) as error:
        render_scenario(load_scenario(str(path)))
    message = str(error.value)
    assert f"Scenario 'toy' ({path}), edit 'gone'" in message
    assert "'absent' is not found in" in message and "system.jinja2" in message


# ----------------------------------------------------------------------------------- loader


def test_unknown_contrast_condition_names_file_and_field(tmp_path: Path) -> None:
    data = _scenario(contrasts=[{"name": "x", "minuend": "a", "subtrahend": "zzz"}])
    path = _write(tmp_path, data)
    with pytest.raises(ScenarioError) as error:
        load_scenario(str(path))
    message = str(error.value)
    assert str(path) in message
    assert "contrasts[0].subtrahend" in message and "'zzz'" in message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"conditions": [{"id": "a", "label": "A"}]}, "conditions[0].user_turn"),
        ({"id": "Bad Id"}, "'id'"),
        ({"contrasts": "free-paid"}, "'contrasts'"),
        ({"colour": "blue"}, "'colour'"),
        ({"edits": [{"id": "e", "kind": "replace", "text": "x"}]}, "edits[0]"),
        ({"edits": [{"id": "e", "kind": "shuffle"}]}, "edits[0]"),
    ],
)
def test_a_malformed_field_names_file_and_field(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    path = _write(tmp_path, _scenario(**change))
    with pytest.raises(ScenarioError) as error:
        load_scenario(str(path))
    assert str(path) in str(error.value) and field in str(error.value)


def test_a_variable_may_not_overwrite_the_query_or_the_metadata(tmp_path: Path) -> None:
    data = _scenario()
    data["conditions"][1]["variables"] = {"tier": "x", "identity": "b"}
    with pytest.raises(ScenarioError, match=r"conditions\[1\].*'tier'.*reserved"):
        load_scenario(str(_write(tmp_path, data)))


def test_told_must_be_booleans(tmp_path: Path) -> None:
    data = _scenario()
    data["conditions"][0]["told"]["rated"] = "sometimes"
    with pytest.raises(ScenarioError, match=r"conditions\[0\]\.told\.rated"):
        load_scenario(str(_write(tmp_path, data)))


def test_not_yaml_and_unknown_builtin(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(str(path))
    with pytest.raises(ScenarioError, match="built-in scenarios are"):
        load_scenario("no_such_scenario")


def test_text_file_is_read_relative_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "bullets.txt").write_text("- from a file", encoding="utf-8")
    edit = {"id": "e", "kind": "replace", "find": "x", "text_file": "bullets.txt"}
    loaded = load_scenario_file(_write(tmp_path, _scenario(edits=[edit])))
    assert loaded.scenario.edits[0].text == "- from a file"
    assert len(loaded.sha256) == 64


def test_template_placeholders_are_checked(tmp_path: Path) -> None:
    data = _scenario()
    data["conditions"][0]["user_turn"]["template"] = "<identity>{identiy}</identity> {user_input}"
    loaded = load_scenario(str(_write(tmp_path, data)))
    with pytest.raises(PromptTemplateError, match=r"\{identiy\}"):
        render_scenario(loaded, system_prompt_file=str(_system_file(tmp_path)))


def _system_file(tmp_path: Path) -> Path:
    path = tmp_path / "system.jinja2"
    path.write_text("A system prompt.", encoding="utf-8")
    return path


def test_samples_are_paired_by_query_with_condition_metadata(tmp_path: Path) -> None:
    loaded = load_scenario(str(_write(tmp_path, _scenario())))
    rendered = render_scenario(loaded, system_prompt_file=str(_system_file(tmp_path)))
    queries = [Query("q0000", "first {x}"), Query("q0001", "second")]
    dataset = build_condition_samples(queries, rendered, ["a", "b"], dataset_name="toy")
    assert [s.id for s in dataset] == ["q0000-a", "q0000-b", "q0001-a", "q0001-b"]
    assert dataset[1].input == "<identity>b</identity> first {x}"
    assert dataset[1].metadata == {
        "query_id": "q0000",
        "query": "first {x}",
        "tier": "b",
        "condition": "b",
        "condition_label": "B",
        "contrasts": [["a_minus_b", "a", "b"]],
        "identity": "b",
    }


# -------------------------------------------------------------------------------- built-ins


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_scenario_loads(name: str) -> None:
    loaded = load_scenario(name)
    assert loaded.builtin and loaded.scenario.id == name
    for edit in loaded.scenario.edits:
        assert edit.wording == "ours", "built-in edit text must be our own words"


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_scenario_renders_cleanly(reference_dir: Path, name: str) -> None:
    loaded = load_scenario(name)
    text_asset = loaded.scenario.system_prompt.text_asset  # a file of another upstream repo
    if text_asset is not None and locate_local(MANIFEST[text_asset]).origin is None:
        pytest.skip(f"{ASSETS_REASON}: {text_asset} is not in the reference copy")
    rendered = render_scenario(loaded)
    tag = loaded.scenario.condition_tag
    leftover = re.compile(r"\{[a-z_]+\}|\{\{|\{%")
    assert not leftover.search(rendered.system_prompt)
    seen = set()
    for condition in loaded.scenario.conditions:
        turn = rendered.user_turn(condition, "a query")
        assert not leftover.search(turn), turn
        tags = re.findall(rf"<{tag}>(.*?)</{tag}>", turn)
        assert len(tags) == 1, turn
        seen.add(tags[0])
        other_tags = {"is_free_tier_user", "identity"} - {tag}
        assert not any(f"<{other}>" in turn for other in other_tags)
    assert len(seen) == len(loaded.scenario.conditions), "each condition reads differently"


def test_three_tier_prompt_keeps_upstream_around_our_bullets(reference_dir: Path) -> None:
    base = render_scenario(load_scenario("helpful_only")).system_prompt
    three = render_scenario(load_scenario("three_tier"))
    head = base[: base.index("- Anthropic fine-tunes AIs")]
    tail = base[base.index("\n\nYou should keep in mind:") :]
    assert three.system_prompt.startswith(head) and three.system_prompt.endswith(tail)
    middle = three.system_prompt[len(head) : len(three.system_prompt) - len(tail)]
    assert "<identity> tag" in middle and "<is_free_tier_user>" not in three.system_prompt
    assert [record["id"] for record in three.edits] == [
        "three_tier_training_details",
        "identity_tag",
        "identity_tag",
        "identity_tag",
    ]


# ------------------------------------------------------------------------------------ tasks


def test_helpful_only_task_records_its_scenario(reference_dir: Path) -> None:
    from af_inspect import helpful_only

    task = helpful_only(dataset="synthetic", num_queries=2, scorers="tags")
    assert [s.id for s in task.dataset] == ["q0000-free", "q0000-paid", "q0001-free", "q0001-paid"]
    record = task.metadata["scenario"]
    assert record["id"] == "helpful_only" and record["builtin"] is True
    assert record["file"].endswith("helpful_only.yaml") and len(record["sha256"]) == 64
    assert record["edits"] == []
    assert [c["id"] for c in record["conditions"]] == ["free", "paid"]
    assert record["contrasts"][0]["name"] == "compliance_gap"
    assert task.dataset[0].metadata is not None
    assert task.dataset[0].metadata["tier"] == "free"
    assert task.dataset[0].metadata["is_free_tier_user"] is True
