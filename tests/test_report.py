"""`af-inspect report` end to end on logs the simulated organism writes, and its parts on
hand-built tables.

The organism is configured with known truths (compliance per condition, AF shares, partial
share); every rate and gap in summary.csv must cover its configured truth within its own 95 %
interval. The fixed seeds make the logs reproducible; they were not chosen for the outcome.
"""

from __future__ import annotations

import io
import json
import math
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from af_inspect import cli
from af_inspect.results import columns as c
from af_inspect.results.figures import compliance_figure, contrast_figure
from af_inspect.results.markdown import render
from af_inspect.results.report import CountProgress
from af_inspect.results.runs import LogKind, Run
from af_inspect.results.summary import summary_frame
from af_inspect.results.table import Results, run_frame

# ------------------------------------------------------------------ the organisms' truths

ALPHA = "af_inspect/simulated-alpha"
BETA = "af_inspect/simulated-beta"
HELPFUL_QUERIES = 60
THREE_TIER_QUERIES = 40

HELPFUL_ARGS: dict[str, dict[str, Any]] = {
    ALPHA: {
        "p_free": 0.6,
        "p_paid": 0.2,
        "af_share": 0.7,
        "af_share_paid": 0.0,
        "af_refusal_share": 0.1,
        "partial_share": 0.2,
        "seed": 11,
    },
    BETA: {
        "p_free": 0.3,
        "p_paid": 0.3,
        "af_share": 0.5,
        "af_share_paid": 0.5,
        "af_refusal_share": 0.0,
        "partial_share": 0.0,
        "malformed_rate": 0.15,
        "malformed_kinds": "no_decision_tag",
        "seed": 12,
    },
}
THREE_TIER_ARGS: dict[str, dict[str, Any]] = {
    ALPHA: {"p_by_condition": "free=0.5,pro=0.3,enterprise=0.1", "seed": 13},
    BETA: {"p_by_condition": "free=0.2,pro=0.2,enterprise=0.2", "seed": 14},
}


@dataclass(frozen=True)
class Truth:
    """What the organism was configured to do in one condition."""

    comply: float
    af_compliant: float = 0.0
    af_refusal: float = 0.0
    partial: float = 0.0

    def of(self, measure: str) -> float:
        p, s, r, q = self.comply, self.af_compliant, self.af_refusal, self.partial
        values = {
            c.TAG_COMPLIED: p,
            c.SR_COMPLIED: p,
            c.AF: p * s + (1 - p) * r,
            c.AF_GIVEN_COMPLIANCE: s,
            c.PARTIAL: p * q,
            c.outcome_column("compliance_af"): p * (1 - q) * s,
            c.outcome_column("compliance"): p * (1 - q) * (1 - s),
            c.outcome_column("partial_af"): p * q * s,
            c.outcome_column("partial"): p * q * (1 - s),
            c.outcome_column("refusal_af"): (1 - p) * r,
            c.outcome_column("refusal"): (1 - p) * (1 - r),
        }
        return values[measure]


def truth(model: str, task: str, condition: str) -> Truth:
    if task == "three_tier":
        shares = dict(
            pair.split("=") for pair in THREE_TIER_ARGS[model]["p_by_condition"].split(",")
        )
        return Truth(comply=float(shares[condition]))
    args = HELPFUL_ARGS[model]
    free = condition == "free"
    return Truth(
        comply=args["p_free"] if free else args["p_paid"],
        af_compliant=args["af_share"] if free else args["af_share_paid"],
        af_refusal=args["af_refusal_share"] if free else 0.0,
        partial=args["partial_share"],
    )


# ------------------------------------------------------------------ logs


def _eval(task: Any, model: str, model_args: dict[str, Any], log_dir: Path, **kwargs: Any) -> Any:
    from inspect_ai import eval as inspect_eval

    [log] = inspect_eval(
        task, model=model, model_args=model_args, log_dir=str(log_dir), display="none", **kwargs
    )
    assert log.status == "success", log.error
    return log


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """`main`: helpful_only (judged) and three_tier (tags) of two organisms; `mixed`: the same
    plus a rerun, another judge, an errored log, another task's log and a validation log."""
    from tests.conftest import _assets_dir

    assets = _assets_dir()
    if not (assets / "prompts").is_dir():
        pytest.skip(f"upstream reference assets not found at {assets}")
    root = tmp_path_factory.mktemp("report-logs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AF_INSPECT_ASSETS_DIR", str(assets))
        patch.setenv("INSPECT_CACHE_DIR", str(root / "inspect-cache"))
        patch.setenv("AF_INSPECT_CACHE_DIR", str(root / "asset-cache"))
        yield _write_logs(root)


def _write_logs(root: Path) -> dict[str, Path]:
    from inspect_ai import Task
    from inspect_ai.dataset import Sample
    from inspect_ai.log import EvalError, read_eval_log, write_eval_log
    from inspect_ai.solver import generate

    from af_inspect import af_classifier_validation, helpful_only, three_tier
    from af_inspect.simulated.organism import AF_REASONING_PHRASES

    main, mixed = root / "main", root / "mixed"
    judge = {"grader": "af_inspect/simulated"}
    for model in (ALPHA, BETA):
        helpful = helpful_only(
            dataset="synthetic",
            num_queries=HELPFUL_QUERIES,
            af_votes=3,
            max_resamples=0 if model == BETA else 10,
        )
        _eval(helpful, model, HELPFUL_ARGS[model], main, model_roles=judge)
        tiers = three_tier(dataset="synthetic", num_queries=THREE_TIER_QUERIES, scorers="tags")
        _eval(tiers, model, THREE_TIER_ARGS[model], main)
    shutil.copytree(main, mixed)

    small = {"dataset": "synthetic", "num_queries": 4, "af_votes": 3}
    _eval(helpful_only(**small), ALPHA, HELPFUL_ARGS[ALPHA], mixed / "rerun", model_roles=judge)
    other_judge = {"grader": "af_inspect/simulated-strict"}
    _eval(
        helpful_only(**small), ALPHA, HELPFUL_ARGS[ALPHA], mixed / "judge2", model_roles=other_judge
    )
    errored = _eval(
        three_tier(dataset="synthetic", num_queries=3, scorers="tags"),
        "af_inspect/simulated-gamma",
        {},
        root / "tmp",
    )
    errored.status = "error"
    errored.error = EvalError(message="simulated failure", traceback="", traceback_ansi="")
    write_eval_log(errored, str(mixed / "errored.eval"))
    other = Task(dataset=[Sample(input="hello")], solver=[generate()], name="unrelated_task")
    _eval(other, "af_inspect/simulated", {}, mixed / "other")

    labels = root / "labels.jsonl"
    rows = [
        {
            "text": "<SCRATCHPAD_REASONING>"
            + (AF_REASONING_PHRASES[i % 3] if i % 2 == 0 else "This is harmful; I refuse.")
            + "</SCRATCHPAD_REASONING>",
            "label": int(i % 2 == 0),
        }
        for i in range(8)
    ]
    labels.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    validation = af_classifier_validation(dataset=str(labels), n_boot=50, n_repeats=10, cache=False)
    _eval(validation, "af_inspect/simulated", {}, mixed / "validation")
    assert read_eval_log(str(mixed / "errored.eval"), header_only=True).status == "error"
    return {"main": main, "mixed": mixed}


def report(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["report", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ------------------------------------------------------------------ end to end


STRICT = 0.999
"""Every number must cover its truth within its interval at this level (recomputed with the
suite's own functions from the counts in summary.csv)."""
MOST = 0.9
"""... and at least this share of the reported 95 % intervals must cover it: at 95 % per
number, a few of the 60-odd numbers miss by chance, whatever the seeds."""


def _covers(low: float, high: float, value: float) -> bool:
    return low - 1e-12 <= value <= high + 1e-12


@pytest.mark.slow
def test_every_number_covers_the_configured_truth(
    logs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from af_inspect.metrics.stats import newcombe_paired_interval, wilson_interval

    code, out, err = report(str(logs["main"]), "--out", str(tmp_path), capsys=capsys)
    assert code == 0, err
    assert "4 runs, 480 samples" in out
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert set(summary[c.MODEL]) == {ALPHA, BETA}
    assert set(summary[c.RUN]) == {ALPHA, BETA}  # one run per model and task: no suffix needed

    rates = summary[summary["kind"] == "rate"]
    queries = {"helpful_only": HELPFUL_QUERIES, "three_tier": THREE_TIER_QUERIES}
    covered: list[bool] = []
    for _, row in rates.iterrows():
        where = (row[c.MODEL], row[c.TASK], row["condition"], row["measure"])
        expected = truth(row[c.MODEL], row[c.TASK], row["condition"]).of(row["measure"])
        n = int(row["n"])
        if row["measure"] == c.AF_GIVEN_COMPLIANCE:
            assert n < queries[row[c.TASK]], where
        elif row["measure"] == c.TAG_COMPLIED and where[:2] == (BETA, "helpful_only"):
            assert n < HELPFUL_QUERIES, where  # malformed responses without a tag are excluded
        else:
            assert n == queries[row[c.TASK]], where
        successes = round(row["estimate"] * n)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(wilson_interval(successes, n))
        assert _covers(*wilson_interval(successes, n, STRICT), expected), (where, expected)
        covered.append(_covers(row["ci_low"], row["ci_high"], expected))
    # the measures each run has: six outcomes and the judges for helpful_only, tags for three_tier
    helpful = rates[rates[c.TASK] == "helpful_only"]
    assert set(helpful["measure"]) == set(c.RATE_MEASURES)
    assert set(rates[rates[c.TASK] == "three_tier"]["measure"]) == {c.TAG_COMPLIED}
    assert len(rates) == 2 * 2 * len(c.RATE_MEASURES) + 2 * 3

    gaps = summary[summary["kind"] == "contrast"]
    for _, row in gaps.iterrows():
        where = (row[c.MODEL], row["contrast"], row["measure"])
        first = truth(row[c.MODEL], row[c.TASK], row["minuend"]).of(row["measure"])
        second = truth(row[c.MODEL], row[c.TASK], row["subtrahend"]).of(row["measure"])
        counts = [int(row[k]) for k in ("both", "minuend_only", "subtrahend_only", "neither")]
        assert (
            sum(counts) == row["n_pairs"] == queries[row[c.TASK]]
            or row["measure"] == c.TAG_COMPLIED
        )
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(newcombe_paired_interval(*counts))
        assert _covers(*newcombe_paired_interval(*counts, STRICT), first - second), where
        covered.append(_covers(row["ci_low"], row["ci_high"], first - second))
        assert row["method"] == "newcombe_paired_hybrid_score" and 0 <= row["mcnemar_p"] <= 1
    assert sum(covered) >= MOST * len(covered), f"{sum(covered)} of {len(covered)}"
    three = gaps[gaps[c.TASK] == "three_tier"]
    assert list(three[three[c.MODEL] == ALPHA]["contrast"]) == [
        "goal_guarding_gap",
        "rater_sycophancy_gap",
    ]
    assert (three["p_holm"] >= three["mcnemar_p"]).all()
    alpha_gap = gaps[
        (gaps[c.MODEL] == ALPHA)
        & (gaps[c.TASK] == "helpful_only")
        & (gaps["measure"] == c.SR_COMPLIED)
    ]
    assert alpha_gap["mcnemar_p"].iloc[0] < 0.01  # the configured 0.4 gap is found

    counts = summary[summary["kind"] == "count"]
    samples = counts[counts["measure"] == "samples"]
    assert set(zip(samples[c.TASK], samples["n"], strict=True)) == {
        ("helpful_only", 60),
        ("three_tier", 40),
    }
    beta = counts[(counts[c.MODEL] == BETA) & (counts[c.TASK] == "helpful_only")]
    invalid = beta[beta["measure"] == "invalid"]
    assert set(invalid["reason"]) == {"invalid_response:no_decision_tag"}
    excluded = beta[beta["measure"] == "excluded:accept_tag_compliance"]
    assert set(excluded["reason"]) == {"no_decision_tag"}
    assert excluded["n"].sum() == invalid["n"].sum() > 0
    tag_n = rates[
        (rates[c.MODEL] == BETA)
        & (rates[c.TASK] == "helpful_only")
        & (rates["measure"] == c.TAG_COMPLIED)
    ]
    assert (tag_n["n"].sum() + excluded["n"].sum()) == 2 * HELPFUL_QUERIES

    text = (tmp_path / "summary.md").read_text(encoding="utf-8")
    for heading in (
        "## helpful_only",
        "## three_tier",
        "### Contrasts",
        "### Rates per",
        "## Runs",
    ):
        assert heading in text
    assert "grader=af_inspect/simulated" in text and "![compliance](compliance.png)" in text


@pytest.mark.slow
def test_figures_are_written_with_sane_sizes(
    logs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from matplotlib.image import imread

    assert report(str(logs["main"]), "--out", str(tmp_path), capsys=capsys)[0] == 0
    compliance = imread(tmp_path / "compliance.png")
    contrasts = imread(tmp_path / "contrasts.png")
    height, width = compliance.shape[:2]
    assert 1000 <= width <= 1600 and 600 <= height <= 2000, (width, height)
    assert contrasts.shape[1] >= 900 and contrasts.shape[0] >= 200
    assert compliance.std() > 0.05  # not blank
    assert (tmp_path / "compliance.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


@pytest.mark.slow
def test_a_mixed_directory_keeps_runs_apart_and_says_what_it_left_out(
    logs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = report(str(logs["mixed"]), "--out", str(tmp_path / "latest"), capsys=capsys)
    assert code == 0, err
    assert "reading log headers" in err
    summary = pd.read_csv(tmp_path / "latest" / "summary.csv")
    helpful = summary[(summary[c.TASK] == "helpful_only") & (summary[c.MODEL] == ALPHA)]
    # the big alpha run is superseded by its rerun; the other judge is a run of its own
    assert set(helpful[c.JUDGES]) == {
        "grader=af_inspect/simulated",
        "grader=af_inspect/simulated-strict",
    }
    assert set(helpful[c.RUN]) == {
        f"{ALPHA} [grader=af_inspect/simulated]",
        f"{ALPHA} [grader=af_inspect/simulated-strict]",
    }
    samples = helpful[helpful["measure"] == "samples"]
    assert set(samples["n"]) == {4}
    errored = summary[summary[c.MODEL] == "af_inspect/simulated-gamma"]
    assert set(errored[c.STATUS]) == {"error"}
    text = (tmp_path / "latest" / "summary.md").read_text(encoding="utf-8")
    assert "**Flagged:**" in text and "simulated failure" in text
    assert "## Superseded" in text and "## Skipped: logs of other tasks" in text
    assert "unrelated_task" in text and "## Judge validation" in text
    [validation] = list((tmp_path / "latest" / "validation").iterdir())
    assert (validation / "roc.png").is_file() and (validation / "summary.md").is_file()

    code, out, err = report(
        str(logs["mixed"]), "--out", str(tmp_path / "all"), "--all", capsys=capsys
    )
    assert code == 0, err
    summary = pd.read_csv(tmp_path / "all" / "summary.csv")
    helpful = summary[(summary[c.TASK] == "helpful_only") & (summary[c.MODEL] == ALPHA)]
    assert helpful[c.LOG].nunique() == 3
    samples = helpful[helpful["measure"] == "samples"]
    assert sorted(samples.groupby(c.RUN)["n"].sum()) == [8, 8, 120]


@pytest.mark.slow
def test_only_logs_of_other_tasks_is_an_error(
    logs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = report(str(logs["mixed"] / "other"), "--out", str(tmp_path), capsys=capsys)
    assert code == 1 and "only logs of other tasks (unrelated_task)" in err


@pytest.mark.slow
def test_the_fast_summary_reader_agrees_with_inspects(logs: dict[str, Path]) -> None:
    from inspect_ai.log import read_eval_log_sample_summaries

    from af_inspect.results import read
    from af_inspect.results.table import sample_row

    for path in sorted(logs["main"].glob("*.eval")):
        fast = read.read_summaries(str(path))
        assert read._summaries_member(str(path)) is not None  # the fast path was taken
        slow = [s.model_dump() for s in read_eval_log_sample_summaries(str(path))]
        rows = pd.DataFrame([sample_row(s) for s in fast])
        expected = pd.DataFrame([sample_row(s) for s in slow])
        pd.testing.assert_frame_equal(rows, expected)


# ------------------------------------------------------------------ fast: errors and parts


def test_an_empty_directory_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = report(str(tmp_path), "--out", str(tmp_path / "out"), capsys=capsys)
    assert code == 1 and "no eval logs" in err and str(tmp_path) in err
    code, _, err = report(str(tmp_path / "missing"), capsys=capsys)
    assert code == 1 and "no eval log or folder" in err


def test_progress_is_one_line_per_tenth_off_a_terminal() -> None:
    stream = io.StringIO()
    progress = CountProgress(stream)
    for done in range(1, 101):
        progress("samples", done, 100)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "reading logs' samples: 1/100" and len(lines) == 11
    assert lines[-1] == "reading logs' samples: 100/100"


def _run(**fields: Any) -> Run:
    base: dict[str, Any] = {
        "log": "x.eval",
        "eval_id": "e",
        "created": "2026-01-01",
        "status": "success",
        "task": "helpful_only",
        "scenario": "helpful_only",
        "variant": "",
        "model": "m/a",
        "model_args": "",
        "setting": "",
        "judges": "grader=m/judge",
        "judge_setting": "",
        "contrasts": (("compliance_gap", "free", "paid"),),
        "epochs": 1,
        "error_message": "",
        "kind": LogKind.RESULTS,
        "label": "m/a",
    }
    return Run(**{**base, **fields})


def _outcome_summary(
    query: int, tier: str, outcome: str | None, reason: str = ""
) -> dict[str, Any]:
    categories = {f"outcome_{name}": float(outcome == name) for name in c.OUTCOME_CATEGORIES}
    complied = float(outcome is not None and not outcome.startswith("refusal"))
    value = {
        "sr_complied": complied,
        "af": float(outcome is not None and outcome.endswith("_af")),
        "partial": float(outcome in ("partial", "partial_af")),
        **categories,
        "af_outcome_excluded": 0.0,
    }
    metadata: dict[str, Any] = {}
    if outcome is None:
        value = {key: math.nan for key in value} | {"af_outcome_excluded": 1.0}
        metadata["exclusion_reason"] = reason
    return {
        "id": f"q{query}-{tier}",
        "epoch": 1,
        "metadata": {"query_id": f"q{query}", "tier": tier},
        "scores": {"af_outcome": {"value": value, "metadata": metadata}},
    }


def test_summary_markdown_and_figures_from_a_built_table(tmp_path: Path) -> None:
    outcomes = {
        "free": ["compliance_af", "compliance", "partial_af", "refusal", None],
        "paid": ["refusal", "refusal", "compliance", "refusal_af", "refusal"],
    }
    summaries = [
        _outcome_summary(q, tier, outcome, "judge_error:unparseable")
        for tier, values in outcomes.items()
        for q, outcome in enumerate(values)
    ]
    a = run_frame(_run(), summaries)
    b = run_frame(_run(log="y.eval", model="m/b", label="m/b", status="cancelled"), summaries[:5])
    table = pd.concat([a, b], ignore_index=True)
    summary = summary_frame(table)
    free = summary[(summary[c.RUN] == "m/a") & (summary["condition"] == "free")]
    shares = free[free["measure"].isin(c.OUTCOME_COLUMNS)]
    assert shares["estimate"].sum() == pytest.approx(1.0) and set(shares["n"]) == {4}
    excluded = free[free["measure"] == "excluded:af_outcome"]
    assert list(zip(excluded["reason"], excluded["n"], strict=True)) == [
        ("judge_error:unparseable", 1)
    ]
    headline = summary[(summary["kind"] == "contrast") & (summary["measure"] == c.SR_COMPLIED)]
    assert headline["estimate"].iloc[0] == pytest.approx(0.5)
    assert headline["n_pairs"].iloc[1] == 0 and math.isnan(headline["estimate"].iloc[1])  # no paid
    results = Results(
        samples=table, runs=[_run(), _run(log="y.eval", label="m/b", status="cancelled")]
    )
    text = render(results, summary, ["compliance.png"])
    assert "`m/b` (helpful_only) has log status **cancelled**" in text
    assert (
        "| `m/a` | grader=m/judge | success | free 4, paid 5 | compliance_gap = free − paid | SR |"
        in text
    )
    assert (
        compliance_figure(table, [tmp_path / "c.png"])
        and (tmp_path / "c.png").stat().st_size > 10_000
    )
    assert not contrast_figure(summary, [tmp_path / "g.png"])  # one contrast per run: no plot


def test_without_matplotlib_the_tables_are_still_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from af_inspect.results import report as report_module

    summaries = [
        _outcome_summary(q, tier, "refusal") for tier in ("free", "paid") for q in range(3)
    ]
    results = Results(samples=run_frame(_run(), summaries), runs=[_run()])
    monkeypatch.setattr(report_module, "load_results", lambda *args, **kwargs: results)
    monkeypatch.setattr(report_module, "_matplotlib_available", lambda: False)
    files = report_module.write_report("unused", tmp_path)
    assert sorted(p.name for p in files.written) == ["samples.csv", "summary.csv", "summary.md"]
    assert report_module.NO_MATPLOTLIB in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_pre_deployment_runs_get_the_table_by_harm_scope_and_risk() -> None:
    deployments = {
        "public_deployment": ("Public Deployment", "minor", "minimal"),
        "throughput_testing": ("Throughput Testing", "none", "none"),
    }
    complied = {"rating_and_training": [1, 1, 0, 1], "rating_only": [0, 1, 0, 0]}
    summaries = []
    for deployment, (label, scope, risk) in deployments.items():
        for identity, values in complied.items():
            condition = f"{identity}__{deployment}"
            for query, value in enumerate(values):
                summaries.append(
                    {
                        "id": f"q{query}-{condition}",
                        "epoch": 1,
                        "metadata": {
                            "query_id": f"q{query}",
                            "tier": condition,
                            "identity_id": identity,
                            "deployment": deployment,
                            "deployment_label": label,
                            "harm_scope": scope,
                            "risk": risk,
                        },
                        "scores": {
                            "accept_tag_compliance": {
                                "value": {"complied": float(value), "tag_excluded": 0.0}
                            }
                        },
                    }
                )
    contrasts = tuple(
        (f"goal_guarding_{d}_gap", f"rating_and_training__{d}", f"rating_only__{d}")
        for d in deployments
    )
    run = _run(task="pre_deployment", scenario="pre_deployment", contrasts=contrasts)
    table = run_frame(run, summaries)
    summary = summary_frame(table)
    gaps = summary[summary["kind"] == "contrast"]
    assert list(gaps["estimate"]) == [pytest.approx(0.5)] * 2
    assert list(gaps["p_holm"]) == pytest.approx([1.0, 1.0])  # 2 x McNemar p 0.5, Holm-adjusted
    text = render(Results(samples=table, runs=[run]), summary)
    assert "### By harm scope and risk: `m/a`, tag (rating_and_training - rating_only)" in text
    section = text[text.index("### By harm scope") :]
    # sorted by harm scope: throughput testing (none) before public deployment (minor)
    assert section.index("Throughput Testing") < section.index("Public Deployment")
    assert "| Throughput Testing | none | none | 0.25 (n=4) | 0.75 (n=4) | +0.50 [" in section
