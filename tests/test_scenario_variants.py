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
