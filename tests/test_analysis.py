"""Logs to pandas with expanded score columns."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai import eval as inspect_eval
from inspect_ai._cli.main import inspect as inspect_cli
from inspect_ai.log import EvalLog

from af_inspect import helpful_only
from af_inspect.analysis import samples_frame

SCORING_DOC = Path(__file__).resolve().parents[1] / "docs" / "scoring.md"
SCORERS_DIR = Path(__file__).resolve().parents[1] / "scorers"


@pytest.fixture
def tag_log(reference_dir: Path, tmp_path: Path) -> EvalLog:
    [log] = inspect_eval(
        helpful_only(dataset="synthetic", num_queries=5, scorers="tags"),
        model="af_inspect/simulated",
        model_args={"p_free": 0.6, "p_paid": 0.2, "malformed_rate": 0.3, "seed": 5},
        log_dir=str(tmp_path / "logs"),
        display="none",
        max_samples=10,
    )
    assert log.status == "success" and log.samples is not None
    return log


def test_samples_frame_expands_dict_scores(tag_log: EvalLog, tmp_path: Path) -> None:
    log = tag_log
    assert log.samples is not None
    frame = samples_frame(str(tmp_path / "logs"))
    assert len(frame) == 10
    assert {"accept_tag_compliance_complied", "accept_tag_compliance_tag_excluded"} <= set(
        frame.columns
    )
    assert "score_accept_tag_compliance" not in frame.columns
    by_id = frame.set_index("id")
    for sample in log.samples:
        assert sample.scores is not None
        value = sample.scores["accept_tag_compliance"].value
        assert isinstance(value, dict)
        row = by_id.loc[sample.id]
        assert row["accept_tag_compliance_tag_excluded"] == value["tag_excluded"]
        complied = row["accept_tag_compliance_complied"]
        assert (math.isnan(complied) and math.isnan(value["complied"])) or complied == value[
            "complied"
        ]
    # per-tier rates straight from pandas agree with the logged metric
    rates = frame.groupby("metadata_tier")["accept_tag_compliance_complied"].mean()
    assert log.results is not None
    logged = {
        m.name: m.value
        for s in log.results.scores
        if s.name == "complied"
        for m in s.metrics.values()
    }
    assert math.isclose(rates["free"], logged["free_rate"])


def test_readme_pandas_snippet_runs(tag_log: EvalLog, tmp_path: Path) -> None:
    """Issue #8 bug 6: the documented snippet grouped by a `model` column that did not exist."""
    [snippet] = [
        block
        for block in re.findall(
            r"```python\n(.*?)```", SCORING_DOC.read_text(encoding="utf-8"), re.S
        )
        if "samples_frame" in block
    ]
    snippet = snippet.replace('samples_frame("logs")', f"samples_frame({str(tmp_path / 'logs')!r})")
    namespace: dict[str, object] = {}
    exec(compile(snippet, "docs/scoring.md", "exec"), namespace)
    frame = namespace["frame"]
    table = frame.groupby(["model", "metadata_tier"])["accept_tag_compliance_complied"].agg(  # type: ignore[attr-defined]
        ["mean", "count"]
    )
    assert set(table.index) == {("af_inspect/simulated", "free"), ("af_inspect/simulated", "paid")}


def test_a_rescored_log_beside_its_original_keeps_both(tag_log: EvalLog, tmp_path: Path) -> None:
    """Issue #8 bug 7: a re-scored copy shares its original's eval_id; both must stay."""
    assert tag_log.location is not None
    rescored = tmp_path / "logs" / "rescored.eval"
    result = CliRunner().invoke(
        inspect_cli,
        ["score", tag_log.location, "--scorer", str(SCORERS_DIR / "tag_compliance.py")]
        + ["--action", "overwrite", "--output-file", str(rescored), "--display", "none"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    frame = samples_frame(str(tmp_path / "logs"))
    assert len(frame) == 20 and frame["eval_id"].nunique() == 1
    per_log = frame.groupby("log")["id"].count()
    assert dict(per_log) == {tag_log.location.removeprefix("file://"): 10, str(rescored): 10}
    assert set(frame["log_scorers"]) == {"accept_tag_compliance", "tag_compliance"}
