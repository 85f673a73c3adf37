"""ROC plot and tables from a classifier-validation log.

Usage, after ``inspect eval af_inspect/af_classifier_validation ...``::

    from af_inspect.validation.report import write_validation_report
    files = write_validation_report("logs/<the log>.eval", "validation_report")

or ``python -m af_inspect.validation.report logs/<the log>.eval validation_report``.

Files written to ``out_dir``:

- ``roc.png``: the ROC curve of each scorer (new classifier; old classifiers if run) with its
  AUROC and bootstrap interval, the operating point at the task's threshold, and (new classifier)
  the AUROC against the number of votes with the spread of one random subsample;
- ``metrics.csv``: every metric of the log, one row per (scorer, metric) - the same numbers as
  ``inspect view`` shows;
- ``thresholds.csv``: TP, FP, TN, FN, precision, recall and FPR at every threshold k/20, per
  scorer, recomputed from the logged per-sample scores;
- ``summary.md``: the headline numbers as Markdown tables, next to the paper's reference figures.

Matplotlib is used through its object API with the Agg canvas (no display, no global backend).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from af_inspect.errors import UsageError
from af_inspect.validation import stats
from af_inspect.validation.metrics import ValidationRows, extract_rows

__all__ = ["ReportError", "ReportFiles", "main", "write_validation_report"]

VALIDATION_TASK = "af_classifier_validation"


class ReportError(UsageError):
    """A log the report cannot be made from; the message says which and why."""


_PAPER_LINE = (
    "Paper (Sheshadri, Hughes et al. 2025): 106 human-labelled scratchpads, 51 positive; new "
    "classifier AUROC 0.92 with 20 votes (GPT-4o), old classifier 0.62; at threshold 0.4 the "
    "false-positive rate is near zero."
)


@dataclass(frozen=True)
class ReportFiles:
    """Paths of the files :func:`write_validation_report` wrote."""

    roc_png: Path
    metrics_csv: Path
    thresholds_csv: Path
    summary_md: Path


@dataclass
class _ScorerView:
    name: str
    metrics: dict[str, float]
    rows: ValidationRows


def _fmt(value: float | None, digits: int = 3) -> str:
    """A rate or score with `digits` decimals; "n/a" for a missing or NaN value."""
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.{digits}f}"


def _count(value: float | None) -> str:
    """A count as an integer; "n/a" for a missing or NaN value."""
    if value is None or math.isnan(value):
        return "n/a"
    return str(round(value))


def _is_curve_point(key: str) -> bool:
    """``auroc_votes_<k>`` itself, not its ``_sd``/``_low``/``_high`` companions."""
    return key.startswith("auroc_votes_") and key.removeprefix("auroc_votes_").isdigit()


def _load(log_path: str | Path) -> tuple[Any, list[_ScorerView], float]:
    from inspect_ai.log import read_eval_log

    header = read_eval_log(str(log_path), header_only=True)
    task = header.eval.task.split("/")[-1]
    if task != VALIDATION_TASK:
        raise ReportError(
            f"{log_path} is a log of task {header.eval.task!r}, not of {VALIDATION_TASK}: the "
            "validation report reads the AUROC and confusion metrics only that task writes. Run "
            f'`inspect eval af_inspect/{VALIDATION_TASK} ...` first (docs/validation.md, "Validate '
            'your judge before you trust a null").'
        )
    log = read_eval_log(str(log_path), exclude_fields={"events", "messages"})
    if log.results is None:
        raise ReportError(f"{log_path}: the log has no results (did the eval finish?)")
    views: list[_ScorerView] = []
    for score in log.results.scores:
        if any(v.name == score.scorer for v in views):
            continue
        metrics = {name: float(metric.value) for name, metric in score.metrics.items()}
        items = [
            (sample.id, sample.scores[score.scorer], sample.metadata)
            for sample in (log.samples or [])
            if sample.scores and score.scorer in sample.scores
        ]
        views.append(_ScorerView(score.scorer, metrics, extract_rows(items)))
    threshold = float((log.eval.metadata or {}).get("threshold", stats.DEFAULT_THRESHOLD))
    return log, views, threshold


def _write_metrics_csv(path: Path, views: Sequence[_ScorerView]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["scorer", "metric", "value"])
        for view in views:
            for name, value in view.metrics.items():
                writer.writerow([view.name, name, value])


def _write_thresholds_csv(path: Path, views: Sequence[_ScorerView]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        columns = ["threshold", "tp", "fp", "tn", "fn", "precision", "recall", "fpr", "accuracy"]
        writer.writerow(["scorer", *columns])
        for view in views:
            if not view.rows.scores:
                continue
            for c in stats.threshold_sweep(view.rows.scores, view.rows.labels, 20):
                writer.writerow(
                    [view.name, c.threshold, c.tp, c.fp, c.tn, c.fn]
                    + [c.precision, c.recall, c.fpr, c.accuracy]
                )


def _plot(path: Path, views: Sequence[_ScorerView], threshold: float, title: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    curve_view = next(
        (v for v in views if any(k.startswith("auroc_votes_") for k in v.metrics)), None
    )
    panels = 2 if curve_view is not None else 1
    figure = Figure(figsize=(5.2 * panels, 4.8))
    FigureCanvasAgg(figure)
    roc_axes = figure.add_subplot(1, panels, 1)
    roc_axes.plot([0, 1], [0, 1], linestyle=":", color="grey", linewidth=1, label="chance")
    for view in views:
        points = stats.roc_points(view.rows.scores, view.rows.labels)
        if not points:
            continue
        m = view.metrics
        label = (
            f"{view.name}: AUROC {_fmt(m.get('auroc'))} "
            f"[{_fmt(m.get('auroc_ci_low'))}, {_fmt(m.get('auroc_ci_high'))}]"
        )
        line = roc_axes.plot(
            [p[0] for p in points], [p[1] for p in points], marker=".", label=label
        )
        confusion = stats.confusion_at(view.rows.scores, view.rows.labels, threshold)
        roc_axes.plot(
            [confusion.fpr],
            [confusion.recall],
            marker="o",
            markersize=9,
            fillstyle="none",
            color=line[0].get_color(),
        )
    roc_axes.set_xlabel("false-positive rate")
    roc_axes.set_ylabel("true-positive rate (recall)")
    roc_axes.set_xlim(-0.02, 1.02)
    roc_axes.set_ylim(-0.02, 1.02)
    roc_axes.set_title(f"ROC (circle: threshold {threshold:g})")
    roc_axes.legend(loc="lower right", fontsize=7)
    if curve_view is not None:
        ks = sorted(
            int(k.removeprefix("auroc_votes_")) for k in curve_view.metrics if _is_curve_point(k)
        )
        values = [curve_view.metrics[f"auroc_votes_{k}"] for k in ks]
        metrics = curve_view.metrics
        errors = [
            [
                max(0.0, v - metrics.get(f"auroc_votes_{k}_low", v))
                for k, v in zip(ks, values, strict=True)
            ],
            [
                max(0.0, metrics.get(f"auroc_votes_{k}_high", v) - v)
                for k, v in zip(ks, values, strict=True)
            ],
        ]
        votes_axes = figure.add_subplot(1, panels, 2)
        votes_axes.errorbar(ks, values, yerr=errors, marker="o", capsize=3)
        votes_axes.set_xscale("log")
        votes_axes.set_xticks(ks)
        votes_axes.set_xticklabels([str(k) for k in ks])
        votes_axes.set_xlabel("votes per scratchpad")
        votes_axes.set_ylabel("expected AUROC (bars: 95 % of one k-vote run)")
        votes_axes.set_title(f"{curve_view.name}: AUROC vs votes")
    figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def _markdown(log: Any, views: Sequence[_ScorerView], threshold: float) -> str:
    roles = log.eval.model_roles or {}
    judges = ", ".join(f"{role}={config.model}" for role, config in roles.items())
    if not judges:
        grader = (log.eval.task_args or {}).get("grader")
        judges = f"none bound; judge: `{grader or log.eval.model}`"
    dataset = (log.eval.metadata or {}).get("dataset", {})
    lines = [
        "# Classifier validation",
        "",
        f"- Log: `{log.location}`",
        f"- Model: `{log.eval.model}`; judge roles: {judges}",
        f"- Dataset: `{dataset.get('dataset', log.eval.dataset.name)}` "
        f"({dataset.get('num_samples', '?')} samples, {dataset.get('num_positive', '?')} positive)",
        f"- Threshold: {threshold:g} (AF iff vote share >= threshold)",
        f"- {_PAPER_LINE}",
        "",
        "| scorer | n | positives | AUROC [95 % CI] | precision | recall | FPR | TP | FP | TN | FN "
        "| judge errors | excluded |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for view in views:
        m = view.metrics
        lines.append(
            f"| {view.name} | {_count(m.get('n'))} | {_count(m.get('n_positive'))} | "
            f"{_fmt(m.get('auroc'))} [{_fmt(m.get('auroc_ci_low'))}, {_fmt(m.get('auroc_ci_high'))}] | "
            f"{_fmt(m.get('precision'))} | {_fmt(m.get('recall'))} | {_fmt(m.get('fpr'))} | "
            f"{_count(m.get('tp'))} | {_count(m.get('fp'))} | {_count(m.get('tn'))} | "
            f"{_count(m.get('fn'))} | {_count(m.get('judge_errors'))} | {_count(m.get('excluded'))} |"
        )
    for view in views:
        ks = sorted(int(k.removeprefix("auroc_votes_")) for k in view.metrics if _is_curve_point(k))
        if ks:
            lines += ["", f"## {view.name}: AUROC vs number of votes", "",
                      "| votes | expected AUROC | sd of one run | 95 % of one run |",
                      "|---|---|---|---|"]  # fmt: skip
            lines += [
                f"| {k} | {_fmt(view.metrics[f'auroc_votes_{k}'])} | "
                f"{_fmt(view.metrics.get(f'auroc_votes_{k}_sd'))} | "
                f"[{_fmt(view.metrics.get(f'auroc_votes_{k}_low'))}, "
                f"{_fmt(view.metrics.get(f'auroc_votes_{k}_high'))}] |"
                for k in ks
            ]
        groups = sorted({k.split(":")[1] for k in view.metrics if k.startswith("model:")})
        if groups:
            lines += ["", f"## {view.name}: by source model", "",
                      "| source model | n | positives | AUROC | recall | FPR |",
                      "|---|---|---|---|---|---|"]  # fmt: skip
            for group in groups:
                g = {
                    k.split(":")[2]: v
                    for k, v in view.metrics.items()
                    if k.startswith(f"model:{group}:")
                }
                lines.append(
                    f"| {group} | {_count(g.get('n'))} | {_count(g.get('n_positive'))} | "
                    f"{_fmt(g.get('auroc'))} | {_fmt(g.get('recall'))} | {_fmt(g.get('fpr'))} |"
                )
    lines += [
        "",
        "Full threshold sweep: `thresholds.csv`; every logged metric: `metrics.csv`. "
        'How to read these numbers: docs/validation.md, "Validate your judge before you trust a null".',
        "",
    ]
    return "\n".join(lines)


def write_validation_report(log_path: str | Path, out_dir: str | Path) -> ReportFiles:
    """Write ``roc.png``, ``metrics.csv``, ``thresholds.csv`` and ``summary.md`` for a log.

    Args:
        log_path: An eval log of ``af_classifier_validation`` (``.eval`` or ``.json``).
        out_dir: Directory for the files (created if needed; existing files are replaced).

    Returns:
        The paths written.
    """
    log, views, threshold = _load(log_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(
        roc_png=out / "roc.png",
        metrics_csv=out / "metrics.csv",
        thresholds_csv=out / "thresholds.csv",
        summary_md=out / "summary.md",
    )
    _write_metrics_csv(files.metrics_csv, views)
    _write_thresholds_csv(files.thresholds_csv, views)
    _plot(
        files.roc_png,
        views,
        threshold,
        title=f"{log.eval.task} - judge validation ({log.eval.model})",
    )
    files.summary_md.write_text(_markdown(log, views, threshold), encoding="utf-8")
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m af_inspect.validation.report LOG OUT_DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("log", help="eval log of af_classifier_validation")
    parser.add_argument(
        "out_dir", help="directory for roc.png, metrics.csv, thresholds.csv, summary.md"
    )
    args = parser.parse_args(argv)
    try:
        files = write_validation_report(args.log, args.out_dir)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in (files.roc_png, files.metrics_csv, files.thresholds_csv, files.summary_md):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
