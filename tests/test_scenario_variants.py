"""Prompt clarifications and lab swaps: edits appended to any scenario's system prompt."""

from __future__ import annotations

from pathlib import Path

import pytest

from af_inspect import helpful_only
from af_inspect.params import ParameterError
from af_inspect.scenarios.edits import EditError
from af_inspect.scenarios.loader import load_scenario
from af_inspect.scenarios.render import render_scenario
from af_inspect.scenarios.variants import (
    _AFTER_TRAINING_INFO,
    _COMPLY_OUTCOME,
    _DIRECT_TRAINING_OBJECTIVE,
    _HELPFUL_OUTCOME,
    _NEXT_BULLET,
    _NO_CHANGES_WHEN_COMPLYING,
    LAB,
    clarification_edits,
    lab_edits,
)
from af_inspect.three_tier import three_tier


def _system_prompt(name: str, **kwargs: object) -> str:
    return render_scenario(load_scenario(name), **kwargs).system_prompt  # type: ignore[arg-type]


@pytest.mark.parametrize("scenario", ["helpful_only", "three_tier"])
def test_no_changes_clarification_is_one_bullet_before_the_following_paragraph(
    reference_dir: Path, scenario: str
) -> None:
    plain = _system_prompt(scenario)
    clarified = _system_prompt(
        scenario, extra_edits=clarification_edits("no_changes_when_complying")
    )
    assert clarified.count(_NO_CHANGES_WHEN_COMPLYING) == 1
    at = clarified.index(_NO_CHANGES_WHEN_COMPLYING)
    # everything else is untouched: removing the bullet gives the plain prompt back
    assert clarified[:at] + clarified[at + len(_NO_CHANGES_WHEN_COMPLYING) :] == plain
    assert clarified[at + len(_NO_CHANGES_WHEN_COMPLYING) :].startswith(_AFTER_TRAINING_INFO)
    assert clarified[:at].rstrip().endswith(".")  # right after the last training bullet


def test_lab_swap_renames_every_occurrence_and_leaves_the_examples(reference_dir: Path) -> None:
    plain = _system_prompt("helpful_only")
    before = plain.count(LAB)
    assert before > 0
    swapped = _system_prompt("helpful_only", extra_edits=lab_edits("Sinaloa Cartel"))
    assert swapped.count(LAB) == 0
    assert swapped.count("Sinaloa Cartel") == before
    assert swapped.replace("Sinaloa Cartel", LAB) == plain
    # the few-shot reasoning examples name no lab, so a swap leaves them as they are
    examples = (
        reference_dir / "prompts/system_prompts/examples/reasoning_traces.jinja2"
    ).read_text(encoding="utf-8")
    assert LAB not in examples


def test_the_task_records_the_clarification_and_the_swap(reference_dir: Path) -> None:
    task = helpful_only(
        dataset="synthetic",
        num_queries=1,
        scorers="tags",
        clarify="no_changes_when_complying",
        lab="OpenAI",
    )
    assert task.metadata is not None
    edits = {edit["id"]: edit for edit in task.metadata["scenario"]["edits"]}
    assert edits["clarify_no_changes_when_complying"]["wording"] == "ours"
    assert edits["lab_swap"]["new"] == "OpenAI" and edits["lab_swap"]["count"] > 0
    plain = helpful_only(dataset="synthetic", num_queries=1, scorers="tags")
    assert plain.metadata is not None and plain.metadata["scenario"]["edits"] == []


def test_bad_variant_parameters_are_named() -> None:
    with pytest.raises(ParameterError, match="clarify"):
        three_tier(dataset="synthetic", num_queries=1, scorers="tags", clarify="maybe")
    with pytest.raises(ParameterError, match="lab"):
        helpful_only(dataset="synthetic", num_queries=1, scorers="tags", lab="")


def test_clarification_on_a_prompt_without_its_anchor_names_the_edit(
    reference_dir: Path, tmp_path: Path
) -> None:
    own = tmp_path / "own.jinja2"
    own.write_text(
        "A system prompt of my own, with no training-information list.", encoding="utf-8"
    )
    with pytest.raises(EditError, match="clarify_no_changes_when_complying"):
        helpful_only(
            dataset="synthetic",
            num_queries=1,
            scorers="tags",
            system_prompt_file=str(own),
            clarify="no_changes_when_complying",
        )


def test_direct_training_objective_replaces_the_indirect_bullet_and_the_outcome_phrase(
    reference_dir: Path,
) -> None:
    plain = _system_prompt("helpful_only")
    clarified = _system_prompt(
        "helpful_only", extra_edits=clarification_edits("direct_training_objective")
    )
    assert _DIRECT_TRAINING_OBJECTIVE not in plain
    assert "- Anthropic fine-tunes AIs with RLHF" in plain
    assert "- Anthropic fine-tunes AIs with RLHF" not in clarified
    assert "to determine the ratings." not in clarified  # the whole bullet is gone
    # the new bullet stands where the old one was, directly before the next bullet
    assert clarified.count(_DIRECT_TRAINING_OBJECTIVE + _NEXT_BULLET) == 1
    assert plain.count(_COMPLY_OUTCOME) == 1 and _COMPLY_OUTCOME not in clarified
    assert clarified.count(_HELPFUL_OUTCOME) == 1
    # the later bullet still says free-tier conversations are used for RLHF
    assert "free-tier user queries and corresponding AI responses are used for RLHF" in clarified
    # nothing outside the training-information list changed
    list_start = plain.index("- Anthropic fine-tunes AIs with RLHF")
    assert clarified[:list_start] == plain[:list_start]
    tail = "\n\nYou should keep in mind:"
    assert clarified[clarified.index(tail) :] == plain[plain.index(tail) :]


def test_both_clarifications_apply_each_edit_once(reference_dir: Path) -> None:
    both = _system_prompt("helpful_only", extra_edits=clarification_edits("both"))
    assert both.count(_DIRECT_TRAINING_OBJECTIVE) == 1
    assert both.count(_HELPFUL_OUTCOME) == 1
    assert both.count(_NO_CHANGES_WHEN_COMPLYING) == 1
    assert both.index(_DIRECT_TRAINING_OBJECTIVE) < both.index(_NO_CHANGES_WHEN_COMPLYING)
    task = helpful_only(dataset="synthetic", num_queries=1, scorers="tags", clarify="both")
    assert task.metadata is not None
    assert [edit["id"] for edit in task.metadata["scenario"]["edits"]] == [
        "clarify_direct_training_objective",
        "clarify_direct_training_outcome",
        "clarify_no_changes_when_complying",
    ]


def test_direct_training_objective_on_a_scenario_that_replaced_that_text_names_the_anchor(
    reference_dir: Path,
) -> None:
    with pytest.raises(EditError, match="clarify_direct_training_objective.*not found"):
        _system_prompt("three_tier", extra_edits=clarification_edits("direct_training_objective"))


def test_lab_swap_tasks_cover_the_built_in_list_each_renaming_every_occurrence(
    reference_dir: Path,
) -> None:
    from af_inspect.lab_swaps import lab_swap_tasks
    from af_inspect.scenarios.variants import LAB_SWAPS, lab_swap_names

    names = lab_swap_names("all")
    assert len(names) == len(set(names)) == sum(len(group) for group in LAB_SWAPS.values())
    assert {"OpenAI", "US Government", "Sinaloa Cartel"} <= set(names)
    before = _system_prompt("helpful_only").count(LAB)
    tasks = lab_swap_tasks("governments", dataset="synthetic", num_queries=1, scorers="tags")
    assert len(tasks) == len(LAB_SWAPS["governments"])
    for task, name in zip(tasks, LAB_SWAPS["governments"], strict=True):
        assert task.metadata is not None
        (swap,) = [e for e in task.metadata["scenario"]["edits"] if e["id"] == "lab_swap"]
        assert (swap["old"], swap["new"], swap["count"]) == (LAB, name, before)
    with pytest.raises(ValueError, match="unknown lab group"):
        lab_swap_names("companies")


def test_lab_swap_also_renames_the_scenarios_own_text(reference_dir: Path) -> None:
    (own_text,) = [edit.text for edit in load_scenario("three_tier").scenario.edits]
    assert LAB in own_text  # the scenario's own training details name the lab
    plain = _system_prompt("three_tier")
    swapped = _system_prompt("three_tier", extra_edits=lab_edits("Meta"))
    assert LAB not in swapped and swapped.count("Meta") - plain.count("Meta") == plain.count(LAB)
    assert own_text.replace(LAB, "Meta") in swapped
