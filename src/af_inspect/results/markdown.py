"""summary.md: the summary's numbers as Markdown tables, one section per task.

Each task's section has an overview (one row per run: the headline contrast with its interval
and McNemar p, n, invalid responses and exclusions with their reasons, the log's status), the
rates per condition, every contrast by name (the family's table), and for `pre_deployment` the
table by harm scope and risk (`af_inspect.pre_deployment_table`). A last section lists the runs
with everything that identifies them, and the logs left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from af_inspect.pre_deployment_table import deployment_table
from af_inspect.results import columns as c
from af_inspect.results.runs import Run
from af_inspect.results.summary import (
    CONTRAST,
    COUNT,
    ERRORED,
    EXCLUDED_PREFIX,
    INVALID,
    RATE,
    SAMPLES,
    count_text,
    first_row,
    format_gap,
    format_p,
    format_rate,
    primary_measure,
    select,
)
from af_inspect.results.table import Results
from af_inspect.scenarios.grid import DEPLOYMENT, DEPLOYMENT_LABEL, HARM_SCOPE, IDENTITY_ID, RISK

PRE_DEPLOYMENT_TASK = "pre_deployment"

RATE_HEADERS: tuple[tuple[str, str], ...] = (
    (c.TAG_COMPLIED, "tag compliance"),
    (c.SR_COMPLIED, "SR compliance"),
    (c.AF, "AF"),
    (c.AF_GIVEN_COMPLIANCE, "AF among compliant"),
    (c.PARTIAL, "partial"),
)

NOTES = (
    "Intervals are 95 %: Wilson for a rate, Newcombe's paired interval for a gap (a paired "
    "t-interval when epochs make the values fractional). p: exact McNemar test of no gap; "
    "Holm p: adjusted over the run's contrasts. n: queries with a score (epochs pooled, as the "
    "metrics do); counts of invalid and excluded responses are of sample-epochs. SR: "
    "StrongREJECT. Runs are never pooled: each row is one log."
)


def render(
    results: Results,
    summary: pd.DataFrame,
    figures: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> str:
    """The whole summary.md: `figures` are embedded, `notes` said first."""
    lines = ["# Alignment-faking results", "", *_header(results), ""]
    for note in [*notes, NOTES]:
        lines += [note, ""]
    for name in figures:
        lines += [f"![{Path(name).stem}]({name})", ""]
    for task in dict.fromkeys(summary[c.TASK]):
        lines += _task_section(str(task), select(summary, task=task), results)
    lines += _runs_section(results)
    lines += _left_out_section(results)
    return "\n".join(lines).rstrip() + "\n"


def _header(results: Results) -> list[str]:
    read = (
        len(results.runs)
        + len(results.validation)
        + len(results.other)
        + len(results.superseded)
        + len(results.unreadable)
    )
    parts = [f"{len(results.runs)} runs reported"]
    for count, what in (
        (len(results.validation), "judge-validation logs (own report)"),
        (len(results.superseded), "superseded by a later log (`--all` keeps them)"),
        (len(results.other), "of other tasks, skipped"),
        (len(results.unreadable), "unreadable"),
    ):
        if count:
            parts.append(f"{count} {what}")
    lines = [f"Read {read} logs: " + "; ".join(parts) + "."]
    flagged = [run for run in results.runs if run.status != "success"]
    if flagged:
        lines.append("")
        lines.append("**Flagged:** " + "; ".join(_flag(run) for run in flagged) + ".")
    return lines


def _flag(run: Run) -> str:
    error = f" ({run.error_message.splitlines()[0]})" if run.error_message else ""
    return f"`{run.label}` ({run.task}) has log status **{run.status}**{error}"


def _task_section(task: str, frame: pd.DataFrame, results: Results) -> list[str]:
    lines = [f"## {task}", ""]
    lines += _overview(frame)
    lines += _rates(frame)
    lines += _contrasts(frame)
    if task == PRE_DEPLOYMENT_TASK:
        lines += _pre_deployment(results, task)
    return lines


def _run_frames(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(run cell, the run's rows): the run's label, with its variant when the task has any."""
    show_variant = (frame[c.VARIANT].fillna("") != "").any()
    runs = []
    for run in dict.fromkeys(frame[c.RUN]):
        part = select(frame, run=run)
        variant = str(part[c.VARIANT].fillna("").iloc[0])
        named = show_variant and variant and f"[{variant}]" not in run
        runs.append((f"`{run}`" + (f" ({variant})" if named else ""), part))
    return runs


def _overview(frame: pd.DataFrame) -> list[str]:
    header = ["run", "judges", "status", "n / condition"]
    header += ["headline contrast", "measure", "gap [95 % CI]", "McNemar p", "invalid", "excluded"]
    lines = _table_head(header)
    for run, part in _run_frames(frame):
        measure = primary_measure(part)
        gaps = part[(part["kind"] == CONTRAST) & (part["measure"] == measure)]
        headline = first_row(gaps[gaps["headline"].map(_true)])
        rates = part[(part["kind"] == RATE) & (part["measure"] == measure)]
        counts = part[part["kind"] == COUNT]
        n_text = ", ".join(f"{row['condition']} {int(row['n'])}" for _, row in rates.iterrows())
        errored = int(select(counts, measure=ERRORED)["n"].sum())
        status = str(part[c.STATUS].iloc[0])
        status_text = status if status == "success" else f"**{status}**"
        if errored:
            status_text += f", {errored} errored samples"
        excluded = [m for m in counts["measure"].unique() if str(m).startswith(EXCLUDED_PREFIX)]
        cells = [
            run,
            str(part[c.JUDGES].iloc[0]),
            status_text,
            n_text or "–",
            "–" if headline is None else _contrast_name(headline),
            _MEASURE_SHORT.get(measure, measure),
            format_gap(headline),
            "–" if headline is None else format_p(headline["mcnemar_p"]),
            count_text(counts, [INVALID]),
            count_text(counts, excluded),
        ]
        lines.append(_row(cells))
    total = int(select(frame[frame["kind"] == COUNT], measure=SAMPLES)["n"].sum())
    return [*lines, "", f"{total} samples (sample-epochs) in all.", ""]


_MEASURE_SHORT = {c.TAG_COMPLIED: "tag", c.SR_COMPLIED: "SR", c.AF: "AF"}


def _true(value: object) -> bool:
    """A headline flag read back from a frame (bool, numpy bool, or NaN on other rows)."""
    return bool(value is True or (not isinstance(value, float) and value == True))  # noqa: E712


def _contrast_name(row: pd.Series) -> str:
    return f"{row['contrast']} = {row['minuend']} − {row['subtrahend']}"


def _rates(frame: pd.DataFrame) -> list[str]:
    rates = frame[frame["kind"] == RATE]
    present = [(m, h) for m, h in RATE_HEADERS if (rates["measure"] == m).any()]
    if not present:
        return []
    lines = ["### Rates per condition", ""]
    lines += _table_head(["run", "condition", "n", *(h for _, h in present)])
    for run, part in _run_frames(rates):
        for condition in dict.fromkeys(part["condition"]):
            cell = part[part["condition"] == condition]
            n = int(cell["n"].max())
            values = [_rate_cell(first_row(select(cell, measure=m)), n) for m, _ in present]
            lines.append(_row([run, str(condition), str(n), *values]))
    return [*lines, ""]


def _contrasts(frame: pd.DataFrame) -> list[str]:
    gaps = frame[frame["kind"] == CONTRAST]
    if gaps.empty:
        return []
    lines = ["### Contrasts", ""]
    lines += _table_head(
        ["run", "contrast", "measure", "gap [95 % CI]", "McNemar p", "Holm p", "pairs"]
    )
    for run, part in _run_frames(gaps):
        for _, row in part.iterrows():
            name = _contrast_name(row) + (" (headline)" if _true(row["headline"]) else "")
            lines.append(
                _row(
                    [
                        run,
                        name,
                        _MEASURE_SHORT.get(row["measure"], row["measure"]),
                        format_gap(row),
                        format_p(row["mcnemar_p"]),
                        format_p(row["p_holm"]),
                        str(int(row["n_pairs"])),
                    ]
                )
            )
    return [*lines, ""]


def _rate_cell(row: pd.Series | None, n: int) -> str:
    """A rate with its interval, and its own n when it is not the row's (AF among compliant)."""
    text = format_rate(row)
    if row is not None and not pd.isna(row["n"]) and int(row["n"]) != n:
        text += f" (n={int(row['n'])})"
    return text


GRID_COLUMNS = {
    IDENTITY_ID: f"metadata_{IDENTITY_ID}",
    DEPLOYMENT: f"metadata_{DEPLOYMENT}",
    DEPLOYMENT_LABEL: f"metadata_{DEPLOYMENT_LABEL}",
    HARM_SCOPE: f"metadata_{HARM_SCOPE}",
    RISK: f"metadata_{RISK}",
    c.QUERY_ID: f"metadata_{c.QUERY_ID}",
}
"""The results table's grid columns under the names `deployment_table` reads."""


def pre_deployment_frames(
    samples: pd.DataFrame, task: str = PRE_DEPLOYMENT_TASK
) -> list[tuple[str, str, pd.DataFrame]]:
    """(run, measure, table by deployment) for each pre-deployment run and compliance/AF."""
    part = samples[samples[c.TASK] == task]
    if part.empty or IDENTITY_ID not in part or DEPLOYMENT not in part:
        return []
    tables = []
    for run in dict.fromkeys(part[c.RUN]):
        rows = part[part[c.RUN] == run].rename(columns=GRID_COLUMNS)
        rows = rows.assign(model=str(run))
        measures = [m for m in (c.SR_COMPLIED, c.TAG_COMPLIED, c.AF) if rows[m].notna().any()]
        for measure in measures[:1] + [m for m in measures[1:] if m == c.AF]:
            tables.append((str(run), measure, deployment_table(rows, value=measure)))
    return tables


def _pre_deployment(results: Results, task: str) -> list[str]:
    lines: list[str] = []
    for run, measure, table in pre_deployment_frames(results.samples, task):
        gap = table.attrs.get("gap", "")
        lines += [
            f"### By harm scope and risk: `{run}`, {_MEASURE_SHORT.get(measure, measure)} ({gap})",
            "",
        ]
        identities = [col.removesuffix("_rate") for col in table.columns if col.endswith("_rate")]
        lines += _table_head(
            ["deployment", "harm scope", "risk", *identities, "gap [95 % CI]", "McNemar p"]
        )
        for _, row in table.iterrows():
            cells = [str(row["label"]), str(row[HARM_SCOPE] or "–"), str(row[RISK] or "–")]
            for identity in identities:
                rate, n = row[f"{identity}_rate"], row[f"{identity}_n"]
                cells.append("–" if pd.isna(rate) else f"{rate:.2f} (n={int(n)})")
            cells.append(
                format_gap(
                    pd.Series(
                        {
                            "estimate": row["gap"],
                            "ci_low": row["gap_ci_low"],
                            "ci_high": row["gap_ci_high"],
                        }
                    )
                )
            )
            cells.append(format_p(row["mcnemar_p"]))
            lines.append(_row(cells))
        lines.append("")
    return lines


def _runs_section(results: Results) -> list[str]:
    if not results.runs:
        return []
    lines = ["## Runs", ""]
    lines += _table_head(
        [
            "run",
            "task",
            "model",
            "model args",
            "judges",
            "judge setting",
            "setting",
            "status",
            "log",
        ]
    )
    for run in results.runs:
        lines.append(
            _row(
                [
                    f"`{run.label}`",
                    run.task + (f" ({run.variant})" if run.variant else ""),
                    run.model,
                    run.model_args or "–",
                    run.judges,
                    run.judge_setting or "–",
                    run.setting or "–",
                    run.status,
                    f"`{Path(run.log).name}`",
                ]
            )
        )
    return [*lines, ""]


def _left_out_section(results: Results) -> list[str]:
    lines: list[str] = []
    if results.validation:
        lines += ["## Judge validation", ""]
        lines += [
            f"- `{Path(run.log).name}` ({run.model}): see `validation/{Path(run.log).stem}/summary.md`"
            for run in results.validation
        ]
        lines.append("")
    if results.superseded:
        lines += ["## Superseded (the latest log of the same experiment is reported)", ""]
        lines += [
            f"- `{Path(old.log).name}` ({old.task}, {old.model}, {old.created}) → "
            f"`{Path(new.log).name}`"
            for old, new in results.superseded
        ]
        lines.append("")
    if results.other:
        lines += ["## Skipped: logs of other tasks", ""]
        lines += [f"- `{Path(run.log).name}`: task `{run.task}`" for run in results.other]
        lines.append("")
    if results.unreadable:
        lines += ["## Unreadable", ""]
        lines += [f"- `{log}`: {why}" for log, why in results.unreadable]
        lines.append("")
    return lines


def _table_head(header: Sequence[str]) -> list[str]:
    return [_row(header), _row(["---"] * len(header))]


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"
