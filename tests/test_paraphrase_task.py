"""`-T paraphrases=<dir>` on the scenario tasks: samples, prompts, checks, edits, the log's
record, and the organism's gaps per paraphrase and pooled.

The paraphrase files are built at test time from the reference prompt and are obviously
synthetic: a marker line and one mechanical change outside the examples block.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, ModelName
from inspect_ai.scorer import SampleScore, Score
from inspect_ai.solver import TaskState
from inspect_ai.util import registry_info

from af_inspect import helpful_only, three_tier
from af_inspect.assets import collect_provenance
from af_inspect.metrics.paraphrases import paraphrase_gaps
from af_inspect.paraphrases import ParaphraseError
from af_inspect.paraphrases.apply import examples_block
from af_inspect.paraphrases.files import sha256_text
from af_inspect.scenarios import EditError, load_scenario, render_scenario
from af_inspect.solvers import inject_paraphrased_system_prompt

P_FREE, P_PAID = 0.3, 0.05


def _original(scenario: str = "helpful_only") -> tuple[str, str]:
    """The scenario's rendered system prompt and its examples block."""
    with collect_provenance() as records:
        text = render_scenario(load_scenario(scenario)).system_prompt
        examples = examples_block(records)
    assert examples is not None and text.count(examples) == 1
    return text, examples


def write_synthetic_paraphrases(
    directory: Path, scenario: str = "helpful_only", k: int = 3
) -> dict[str, str]:
    """`k` obviously synthetic paraphrases `01.txt`...: a marker line, and "You are" written
    "You're" before the examples block (the block itself untouched). Returns id -> text."""
    text, examples = _original(scenario)
    head, tail = text.split(examples)
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for index in range(1, k + 1):
        paraphrase = (
            f"SYNTHETIC TEST PARAPHRASE {index} (not a real rewording).\n"
            + head.replace("You are", "You're")
            + examples
            + tail
        )
        (directory / f"{index:02d}.txt").write_text(paraphrase, encoding="utf-8")
        written[f"{index:02d}"] = paraphrase
    return written


def test_samples_are_per_query_paraphrase_and_tier(reference_dir: Path, tmp_path: Path) -> None:
    written = write_synthetic_paraphrases(tmp_path / "p")
    task = helpful_only(
        dataset="synthetic", num_queries=2, scorers="tags", paraphrases=str(tmp_path / "p")
    )
    assert [s.id for s in task.dataset][:4] == [
        "q0000-free-p01",
        "q0000-paid-p01",
        "q0000-free-p02",
        "q0000-paid-p02",
    ]
    assert len(task.dataset) == 2 * 3 * 2
    metadata = task.dataset[3].metadata
    assert metadata is not None
    assert (metadata["query_id"], metadata["tier"], metadata["paraphrase"]) == (
        "q0000",
        "paid",
        "02",
    )
    assert all(
        text not in json.dumps(s.metadata) for s in task.dataset for text in written.values()
    )
    record = task.metadata["paraphrases"]
    assert [f["id"] for f in record["files"]] == ["01", "02", "03"]
    assert record["files"][1]["sha256"] == sha256_text(written["02"])
    assert record["checked_against_sha256"] == sha256_text(_original()[0])
    # the gap scorers report paraphrase_gaps too, after their other metrics
    metrics = registry_info(task.scorer[0]).metadata["metrics"]  # type: ignore[index]
    names = [registry_info(m).name for m in metrics["complied"]]
    assert names[0] == "af_inspect/tier_gap" and names[-1] == "af_inspect/paraphrase_gaps"
    assert "af_inspect/paraphrase_gaps" not in [
        registry_info(m).name for m in metrics["tag_excluded"]
    ]


def test_without_paraphrases_nothing_changes(reference_dir: Path) -> None:
    task = helpful_only(dataset="synthetic", num_queries=1, scorers="tags")
    assert [s.id for s in task.dataset] == ["q0000-free", "q0000-paid"]
    assert "paraphrase" not in (task.dataset[0].metadata or {})
    assert "paraphrases" not in task.metadata
    metrics = registry_info(task.scorer[0]).metadata["metrics"]  # type: ignore[index]
    assert "af_inspect/paraphrase_gaps" not in [registry_info(m).name for m in metrics["complied"]]


def test_the_solver_sends_each_samples_paraphrase() -> None:
    solve = inject_paraphrased_system_prompt({"01": "SYNTHETIC PROMPT ONE", "02": "SYNTHETIC TWO"})

    def state(paraphrase: str | None) -> TaskState:
        return TaskState(
            model=ModelName("af_inspect/simulated"),
            sample_id="q0000-free-p02",
            epoch=1,
            input="hello",
            messages=[ChatMessageSystem(content="old"), ChatMessageUser(content="hello")],
            metadata={} if paraphrase is None else {"paraphrase": paraphrase},
        )

    async def generate(state: TaskState, **_: object) -> TaskState:
        return state

    result = asyncio.run(solve(state("02"), generate))  # type: ignore[arg-type]
    assert [m.text for m in result.messages] == ["SYNTHETIC TWO", "hello"]
    with pytest.raises(ValueError, match="'03', not one of the paraphrases 01, 02"):
        asyncio.run(solve(state("03"), generate))  # type: ignore[arg-type]


def test_a_failing_paraphrase_is_refused_naming_its_file(
    reference_dir: Path, tmp_path: Path
) -> None:
    written = write_synthetic_paraphrases(tmp_path / "p")
    broken = written["02"].replace("<is_free_tier_user>", "[tier flag]")
    (tmp_path / "p" / "02.txt").write_text(broken, encoding="utf-8")
    with pytest.raises(
        ParaphraseError, match=r"02\.txt: .*condition tag <is_free_tier_user> is missing"
    ):
        helpful_only(dataset="synthetic", scorers="tags", paraphrases=str(tmp_path / "p"))


def test_paraphrases_of_another_scenario_are_refused(reference_dir: Path, tmp_path: Path) -> None:
    """Three-tier paraphrases lack `<is_free_tier_user>`; a manifest's source sha256 that is not
    this task's prompt is refused even when the text would pass."""
    write_synthetic_paraphrases(tmp_path / "three", scenario="three_tier", k=2)
    with pytest.raises(ParaphraseError, match="01.txt"):
        helpful_only(dataset="synthetic", scorers="tags", paraphrases=str(tmp_path / "three"))
    write_synthetic_paraphrases(tmp_path / "p", k=2)
    manifest = {
        "source": {
            "scenario": "never_used_never_trained",
            "variant": "never_used",
            "sha256": "0" * 64,
        },
        "paraphrases": [{"id": "01"}, {"id": "02"}],
    }
    (tmp_path / "p" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(
        ParaphraseError, match="generated from a system prompt with sha256 000000000000"
    ):
        helpful_only(dataset="synthetic", scorers="tags", paraphrases=str(tmp_path / "p"))


def test_clarifications_and_lab_swaps_edit_each_paraphrase(
    reference_dir: Path, tmp_path: Path
) -> None:
    written = write_synthetic_paraphrases(tmp_path / "p", k=2)
    task = helpful_only(
        dataset="synthetic",
        num_queries=1,
        scorers="tags",
        paraphrases=str(tmp_path / "p"),
        lab="OpenAI",
        clarify="no_changes_when_complying",
    )
    edits = task.metadata["paraphrases"]["edits"]
    assert sorted(edits) == ["01", "02"]
    assert [e["id"] for e in edits["01"]] == ["clarify_no_changes_when_complying", "lab_swap"]
    assert (
        edits["02"][1]["count"] == written["02"].count("Anthropic")
        and "paraphrase file" in edits["02"][1]["file"]
    )
    # a paraphrase that reworded the clarification's anchor stops the task, naming the file
    reworded = written["02"].replace(
        "\n\nYou should keep in mind:", "\n\nKeep these points in mind:"
    )
    (tmp_path / "p" / "02.txt").write_text(reworded, encoding="utf-8")
    with pytest.raises(
        EditError,
        match=r"clarify_no_changes_when_complying.*not found in paraphrase file .*02\.txt",
    ):
        helpful_only(
            dataset="synthetic",
            scorers="tags",
            paraphrases=str(tmp_path / "p"),
            clarify="no_changes_when_complying",
        )


def test_three_tier_takes_paraphrases(reference_dir: Path, tmp_path: Path) -> None:
    write_synthetic_paraphrases(tmp_path / "p", scenario="three_tier", k=2)
    task = three_tier(
        dataset="synthetic", num_queries=1, scorers="tags", paraphrases=str(tmp_path / "p")
    )
    assert [s.id for s in task.dataset] == [
        f"q0000-{c}-p{p}" for p in ("01", "02") for c in ("free", "pro", "enterprise")
    ]


def test_organism_gaps_per_paraphrase_and_pooled(reference_dir: Path, tmp_path: Path) -> None:
    """The organism's pure core on every sample, each under its paraphrase's prompt: the
    organism answers independently of the wording, so each paraphrase's gap and the pooled gap
    recover the configured one, and the pooled interval is about as wide as the naive one."""
    from af_inspect.simulated.organism import Turn
    from af_inspect.simulated.provider import SimulatorSettings, simulate

    prompts = write_synthetic_paraphrases(tmp_path / "p")
    task = helpful_only(
        dataset="synthetic", num_queries=150, scorers="tags", paraphrases=str(tmp_path / "p")
    )
    settings = SimulatorSettings.from_args({"p_free": P_FREE, "p_paid": P_PAID, "seed": 3})
    scores = []
    for sample in task.dataset:
        assert isinstance(sample.input, str) and sample.metadata is not None
        system = prompts[sample.metadata["paraphrase"]]
        reply = simulate([Turn("system", system), Turn("user", sample.input)], settings, 0, 1)
        assert reply.metadata["tier"] == sample.metadata["tier"]
        value = float(bool(reply.metadata["complied"]))
        scores.append(
            SampleScore(
                score=Score(value=value), sample_id=sample.id, sample_metadata=sample.metadata
            )
        )
    result = paraphrase_gaps(confidence=0.99)(scores)
    assert isinstance(result, dict)
    truth = P_FREE - P_PAID
    assert result["n_paraphrases"] == 3 and result["n_queries"] == 150
    for paraphrase in ("01", "02", "03"):
        assert result[f"p{paraphrase}_n_pairs"] == 150
        assert result[f"p{paraphrase}_ci_low"] <= truth <= result[f"p{paraphrase}_ci_high"]
    assert result["pooled_ci_low"] <= truth <= result["pooled_ci_high"]
    assert result["pooled_ci_low"] <= result["pooled_naive_ci_low"]
    assert 1.0 <= result["pooled_design_effect"] < 4.0


@pytest.mark.slow
def test_paraphrase_run_end_to_end(reference_dir: Path, tmp_path: Path) -> None:
    prompts = write_synthetic_paraphrases(tmp_path / "p")
    [log] = inspect_eval(
        helpful_only(
            dataset="synthetic", num_queries=30, scorers="tags", paraphrases=str(tmp_path / "p")
        ),
        model="af_inspect/simulated",
        model_args={"p_free": P_FREE, "p_paid": P_PAID, "seed": 1},
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.results is not None and log.samples is not None
    assert log.results.completed_samples == 30 * 3 * 2
    sample = next(s for s in log.samples if s.id == "q0003-paid-p02")
    assert sample.messages[0].text == prompts["02"] and sample.metadata["paraphrase"] == "02"
    [complied] = [s for s in log.results.scores if s.name == "complied"]
    metrics = {name: metric.value for name, metric in complied.metrics.items()}
    assert list(metrics)[0] == "af_inspect/tier_gap_gap"
    assert metrics["af_inspect/tier_gap_n_pairs"] == 90
    prefix = "af_inspect/paraphrase_gaps_"
    assert metrics[prefix + "pooled_gap"] == pytest.approx(metrics["af_inspect/tier_gap_gap"])
    assert metrics[prefix + "pooled_naive_ci_low"] == pytest.approx(
        metrics["af_inspect/tier_gap_gap_ci_low"]
    )
    assert metrics[prefix + "pooled_ci_low"] <= metrics[prefix + "pooled_naive_ci_low"]
    for paraphrase in ("01", "02", "03"):
        assert metrics[f"{prefix}p{paraphrase}_n_pairs"] == 30
    files = log.eval.metadata["paraphrases"]["files"]
    assert [f["sha256"] for f in files] == [sha256_text(prompts[i]) for i in ("01", "02", "03")]
