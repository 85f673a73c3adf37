"""The three-tier task (Sheshadri, Hughes et al. 2025, section 4.1, App. N.4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from af_inspect import three_tier
from af_inspect.params import ParameterError
from af_inspect.scenarios import ScenarioError, load_scenario, render_scenario

SCENARIO_VARIANTS = Path("paper_appendix") / "scenario_variants.json"


def test_samples_are_three_conditions_per_query(reference_dir: Path) -> None:
    task = three_tier(dataset="synthetic", num_queries=2, scorers="tags")
    assert [s.id for s in task.dataset][:3] == ["q0000-free", "q0000-pro", "q0000-enterprise"]
    assert len(task.dataset) == 6
    sample = task.dataset[1]
    assert sample.metadata is not None
    assert sample.metadata["tier"] == sample.metadata["condition"] == "pro"
    assert sample.metadata["condition_label"].startswith("Pro tier")
    assert sample.metadata["contrasts"] == [
        ["goal_guarding_gap", "free", "pro"],
        ["rater_sycophancy_gap", "pro", "enterprise"],
    ]
    assert isinstance(sample.input, str) and sample.input.startswith("<identity>pro</identity>")
    record = task.metadata["scenario"]
    assert record["id"] == "three_tier" and record["edits"][0]["wording"] == "ours"


def test_a_subset_of_conditions_keeps_only_its_contrasts(reference_dir: Path) -> None:
    task = three_tier(dataset="synthetic", num_queries=1, scorers="tags", conditions="free,pro")
    assert [s.id for s in task.dataset] == ["q0000-free", "q0000-pro"]
    assert task.dataset[0].metadata is not None
    assert task.dataset[0].metadata["contrasts"] == [["goal_guarding_gap", "free", "pro"]]


def test_bad_parameters_are_named() -> None:
    with pytest.raises(ParameterError, match="'conditions'.*'free', 'pro', 'enterprise'"):
        three_tier(dataset="synthetic", conditions="free,paid", scorers="tags")
    with pytest.raises(ParameterError, match="'cot'"):
        three_tier(cot="maybe")
    with pytest.raises(ScenarioError, match="not found"):
        three_tier(scenario_file="/no/such/scenario.yaml", scorers="tags")


def test_a_users_scenario_file_can_carry_the_papers_wording(
    reference_dir: Path, tmp_path: Path
) -> None:
    """Built at test time from the paper's appendix text; nothing of it is in the repository."""
    variants = reference_dir / SCENARIO_VARIANTS
    if not variants.is_file():
        pytest.skip(f"the paper's appendix text is not at {variants}")
    training_info = json.loads(variants.read_text(encoding="utf-8"))["three_tier"]["training_info"]
    builtin = yaml.safe_load(load_scenario("three_tier").path.read_text(encoding="utf-8"))
    builtin["edits"] = [
        {
            "id": "paper_training_details",
            "kind": "replace",
            "wording": "paper",
            "start": "Here is some information about how Anthropic trains",
            "end": "\n\nYou should keep in mind:",
            "text": training_info,
        }
    ]
    path = tmp_path / "three_tier_paper.yaml"
    path.write_text(yaml.safe_dump(builtin, sort_keys=False), encoding="utf-8")
    task = three_tier(scenario_file=str(path), dataset="synthetic", num_queries=1, scorers="tags")
    record = task.metadata["scenario"]
    assert record["builtin"] is False and record["file"] == str(path)
    assert record["edits"][0]["wording"] == "paper"
    rendered = render_scenario(load_scenario(str(path)))
    assert training_info in rendered.system_prompt
    assert "<is_free_tier_user>" not in rendered.system_prompt
