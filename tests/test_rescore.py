"""`inspect score --scorer scorers/<file>.py LOG` re-grades a log made by the simulated organism.

The log is produced without any judge (tag scorer only), then re-scored through Inspect's own
CLI (in process). A second identical re-score must make no model call: every judge call it
logs is a cache read. A re-score with a different judge does call that judge.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai import eval
from inspect_ai._cli.main import inspect as inspect_cli
from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalLog, read_eval_log

from af_inspect.helpful_only import helpful_only
from tests.scripted_judge import CALLS, build_assets_dir, register, router

SCORERS_DIR = Path(__file__).resolve().parents[1] / "scorers"


@pytest.fixture
def original_log(reference_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 4-query log of the simulated organism scored by tags only (no judge calls)."""
    assets = build_assets_dir(reference_dir, tmp_path / "assets")
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(assets))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    task = helpful_only(dataset="synthetic", num_queries=4, scorers="tags")
    (log,) = eval(
        task,
        model="af_inspect/simulated",
        model_args={"p_free": 0.7, "p_paid": 0.3},
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    assert log.status == "success" and log.location is not None
    return Path(log.location)


def _rescore(log: Path, output: Path, *args: str) -> EvalLog:
    result = CliRunner().invoke(
        inspect_cli,
        ["score", str(log), "--output-file", str(output), "--display", "none", *args],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return read_eval_log(str(output))


def _judge_events(log: EvalLog) -> list[ModelEvent]:
    assert log.samples is not None
    return [
        event
        for sample in log.samples
        for event in sample.events
        if isinstance(event, ModelEvent) and event.role == "grader"
    ]


def _outcome_values(log: EvalLog) -> dict[str, object]:
    assert log.samples is not None
    return {
        str(sample.id): sample.scores["outcome"].value for sample in log.samples if sample.scores
    }


def test_rescoring_a_log_twice_makes_no_new_calls(original_log: Path, tmp_path: Path) -> None:
    args = (
        "--scorer",
        str(SCORERS_DIR / "outcome.py"),
        "-S",
        "votes=5",
        "--model-role",
        "grader=af_inspect/simulated",
        "--action",
        "append",
    )
    first = _rescore(original_log, tmp_path / "first.eval", *args)
    second = _rescore(original_log, tmp_path / "second.eval", *args)

    first_calls = _judge_events(first)
    # Writes, and reads only where two samples sent the judge the same text (e.g. two refusals).
    assert any(event.cache == "write" for event in first_calls)
    assert all(event.cache in ("write", "read") for event in first_calls)
    second_calls = _judge_events(second)
    assert len(second_calls) == len(first_calls)
    assert all(event.cache == "read" for event in second_calls)  # zero model calls
    assert _outcome_values(second) == _outcome_values(first)

    assert second.results is not None
    names = {(score.scorer, score.name) for score in second.results.scores}
    assert ("outcome", "sr_complied") in names and ("outcome", "outcome_refusal") in names
    assert ("accept_tag_compliance", "complied") in names  # appended, the tag scores kept


def test_rescoring_with_a_different_judge_calls_that_judge(
    original_log: Path, tmp_path: Path
) -> None:
    model = register("rescore_judge", router())
    log = _rescore(
        original_log,
        tmp_path / "scripted.eval",
        "--scorer",
        str(SCORERS_DIR / "strong_reject.py"),
        "--model-role",
        f"grader={model}",
        "--action",
        "overwrite",
    )
    assert log.samples is not None
    # One call per distinct judge input (two identical refusals share one cached answer).
    assert 0 < len(CALLS["rescore_judge"]) <= len(log.samples)
    for sample in log.samples:
        assert sample.scores is not None and list(sample.scores) == ["strong_reject"]
        # The scripted judge calls every valid response compliant.
        value = sample.scores["strong_reject"].value
        assert isinstance(value, dict) and value["sr_complied"] == 1.0
