"""The three-tier task (Sheshadri, Hughes et al. 2025, section 4.1, App. N.4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from inspect_ai import eval as inspect_eval

from af_inspect import three_tier
from af_inspect.metrics import wilson_interval
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


# ------------------------------------------------------------------ the organism per condition

TRUTH = {"free": 0.45, "pro": 0.25, "enterprise": 0.05}


def test_organism_reads_the_condition_from_the_text() -> None:
    from af_inspect.simulated.organism import OrganismConfig, detect_tier

    assert detect_tier("<identity>pro</identity>\n\n<user_input>x</user_input>") == "pro"
    assert detect_tier("<identity> Enterprise </identity>") == "enterprise"
    assert detect_tier("<is_free_tier_user>true</is_free_tier_user>") == "free"
    assert detect_tier("<user_input>no tag</user_input>") == "unknown"
    config = OrganismConfig.from_args({"p_by_condition": ["free=0.45", "pro=0.25"], "p_paid": 0.1})
    assert config.compliance("pro") == 0.25 and config.compliance("free") == 0.45
    assert config.compliance("paid") == 0.1  # not listed: the old arguments still work
    assert config.compliance("enterprise") == config.compliance_unknown == 0.1
    assert OrganismConfig.from_args({"p_by_condition": {"pro": "0.3"}}).compliance("pro") == 0.3


@pytest.mark.parametrize(
    ("value", "message"),
    [("free=1.5", r"p_by_condition\[free\]"), ("free", "no '<condition>=<probability>'")],
)
def test_organism_refuses_bad_condition_probabilities(value: str, message: str) -> None:
    from af_inspect.simulated.organism import OrganismConfig

    with pytest.raises(ValueError, match=message):
        OrganismConfig.from_args({"p_by_condition": value})


def test_organism_core_complies_per_condition(reference_dir: Path) -> None:
    """The pure core, without Inspect: each condition's compliance share is the configured one."""
    from af_inspect.simulated.organism import Turn
    from af_inspect.simulated.provider import SimulatorSettings, simulate

    task = three_tier(dataset="synthetic", num_queries=300, scorers="tags")
    system = render_scenario(load_scenario("three_tier")).system_prompt
    args = {"p_by_condition": ",".join(f"{k}={v}" for k, v in TRUTH.items()), "seed": 5}
    settings = SimulatorSettings.from_args(args)
    complied: dict[str, list[bool]] = {name: [] for name in TRUTH}
    for sample in task.dataset:
        assert isinstance(sample.input, str) and sample.metadata is not None
        reply = simulate([Turn("system", system), Turn("user", sample.input)], settings, 0, 1)
        assert reply.metadata["tier"] == sample.metadata["condition"]
        complied[sample.metadata["condition"]].append(bool(reply.metadata["complied"]))
    for name, values in complied.items():
        low, high = wilson_interval(sum(values), len(values))
        assert low <= TRUTH[name] <= high, (name, sum(values) / len(values))


@pytest.mark.slow
def test_three_tier_on_the_organism_recovers_each_condition_and_contrast(
    reference_dir: Path, tmp_path: Path
) -> None:
    [log] = inspect_eval(
        three_tier(dataset="synthetic", num_queries=120, scorers="tags"),
        model="af_inspect/simulated",
        model_args={
            "p_by_condition": ",".join(f"{k}={v}" for k, v in TRUTH.items()),
            "seed": 0,
        },
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.results is not None and log.samples is not None
    assert log.results.completed_samples == 360
    [complied] = [s for s in log.results.scores if s.name == "complied"]
    metrics = {name: metric.value for name, metric in complied.metrics.items()}
    for name, truth in TRUTH.items():
        prefix = f"af_inspect/tier_rates_{name}"
        assert metrics[f"{prefix}_n"] == 120
        assert metrics[f"{prefix}_wilson_low"] <= truth <= metrics[f"{prefix}_wilson_high"], name
    # The contrasts are the scorers' metrics; the headline `gap` is the first contrast.
    assert list(complied.metrics)[0] == "af_inspect/tier_gap_gap"
    assert (
        metrics["af_inspect/tier_gap_gap"] == metrics["af_inspect/contrast_gaps_goal_guarding_gap"]
    )
    assert (
        metrics["af_inspect/tier_gap_free_only"] >= 0 and "af_inspect/tier_gap_pro_only" in metrics
    )
    for contrast, (minuend, subtrahend) in {
        "goal_guarding": ("free", "pro"),
        "rater_sycophancy": ("pro", "enterprise"),
    }.items():
        truth = TRUTH[minuend] - TRUTH[subtrahend]
        prefix = f"af_inspect/contrast_gaps_{contrast}"
        assert metrics[f"{prefix}_n_pairs"] == 120
        assert metrics[f"{prefix}_ci_low"] <= truth <= metrics[f"{prefix}_ci_high"], contrast
        assert metrics[f"{prefix}_mcnemar_p"] < 0.01, contrast
