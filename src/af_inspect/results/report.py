"""`af-inspect report LOGS... [--out DIR] [--all]`: tables and figures from eval logs.

Writes into `out_dir`:

- ``summary.csv``: every number, one row per run and rate, contrast or count
  (`af_inspect.results.summary.summary_frame`);
- ``summary.md``: the same as Markdown tables per task, with the runs and the logs left out
  (`af_inspect.results.markdown`);
- ``samples.csv``: the results table, one row per sample and epoch;
- ``compliance.png`` / ``.svg``: outcome bars per model and condition
  (`af_inspect.results.figures.compliance_figure`);
- ``contrasts.png`` / ``.svg``: the gaps of runs with several contrasts;
- ``validation/<log>/``: the ROC report of each judge-validation log
  (`af_inspect.validation.report`).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TextIO

from af_inspect.errors import UsageError
from af_inspect.results.table import Progress, Results, load_results

NO_MATPLOTLIB = (
    "No figures and no validation reports: matplotlib is not installed "
    '(`pip install "af-inspect[report]"`).'
)


def _matplotlib_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


class ReportError(UsageError):
    """Nothing to report from the logs given; the message says why."""


@dataclass(frozen=True)
class ReportFiles:
    """What `write_report` wrote, and what it read."""

    out_dir: Path
    written: list[Path] = field(default_factory=list)
    results: Results | None = None


def write_report(
    logs: str | PathLike[str] | Sequence[str | PathLike[str]],
    out_dir: str | PathLike[str],
    *,
    keep_all: bool = False,
    progress: Progress | None = None,
) -> ReportFiles:
    """Read the logs and write the report's files into `out_dir` (created if needed).

    Raises:
        ReportError: No log, or no log of a task the report reads.
    """
    from af_inspect.results.figures import compliance_figure, contrast_figure
    from af_inspect.results.markdown import render
    from af_inspect.results.summary import empty_summary, summary_frame
    from af_inspect.validation.report import write_validation_report

    try:
        results = load_results(logs, keep_all=keep_all, progress=progress)
    except FileNotFoundError as error:
        raise ReportError(
            f"{error}: give eval log files (.eval, .json) or folders that hold them"
        ) from None
    if not results.runs and not results.validation:
        tasks = sorted({run.task for run in results.other})
        found = f"only logs of other tasks ({', '.join(tasks)})" if tasks else "no readable log"
        raise ReportError(
            f"nothing to report: {found}. The report reads logs of the af_inspect scenario "
            "tasks (helpful_only, three_tier, five_tier, never_used_never_trained, "
            "pre_deployment) and of af_classifier_validation."
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    figures: list[str] = []
    summary = summary_frame(results.samples) if results.runs else empty_summary()
    notes: list[str] = []
    drawing = _matplotlib_available()
    if not drawing:
        notes.append(NO_MATPLOTLIB)
    if results.runs:
        summary.to_csv(out / "summary.csv", index=False)
        results.samples.to_csv(out / "samples.csv", index=False)
        written += [out / "summary.csv", out / "samples.csv"]
        for name, draw, source in (
            ("compliance", compliance_figure, results.samples),
            ("contrasts", contrast_figure, summary),
        ):
            paths = [out / f"{name}.png", out / f"{name}.svg"]
            if drawing and draw(source, paths):
                written += paths
                figures.append(f"{name}.png")
    for run in results.validation if drawing else []:
        files = write_validation_report(run.log, out / "validation" / Path(run.log).stem)
        written += [files.summary_md, files.roc_png]
    text = render(results, summary, figures, notes)
    (out / "summary.md").write_text(text, encoding="utf-8")
    written.append(out / "summary.md")
    return ReportFiles(out_dir=out, written=written, results=results)


class CountProgress:
    """Reading progress on stderr: one updating line on a terminal, else a line per tenth."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.last_tenth: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        what = "log headers" if stage == "headers" else "logs' samples"
        if self.tty:
            end = "\n" if done == total else ""
            print(f"\rreading {what}: {done}/{total}", end=end, file=self.stream, flush=True)
            return
        tenth = done * 10 // max(total, 1)
        if done == total or (total >= 10 and tenth != self.last_tenth.get(stage)):
            self.last_tenth[stage] = tenth
            print(f"reading {what}: {done}/{total}", file=self.stream, flush=True)
