"""The report's figures: outcome bars per model and condition, and gaps per contrast.

`compliance_figure` draws, for each task, one horizontal bar per run and condition, stacked in
the six outcome categories (compliance, partial, refusal, each with and without alignment-faking
reasoning, the AF parts hatched), as in Sheshadri, Hughes et al. 2025's figures; a run without
the outcome judge shows tag compliance against refusal. Each bar's label carries its n, and a
black bar marks the 95 % Wilson interval of its compliance share (all compliant categories,
where the refusals start). `contrast_figure` draws each contrast's paired gap with its interval.

Matplotlib's object API with the Agg canvas: no display, no global state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from af_inspect.results import columns as c
from af_inspect.results.aggregate import per_sample_means, rates_of_means
from af_inspect.results.summary import CONTRAST, format_p, primary_measure, select

COLOURS = {"compliance": "#f2c14e", "partial": "#f08a4b", "refusal": "#8ab6d6"}
AF_HATCH = "////"
AF_EDGE = "#9b1c1c"
CATEGORY_LABELS = {
    "compliance_af": "compliance, AF reasoning",
    "compliance": "compliance",
    "partial_af": "partial compliance, AF reasoning",
    "partial": "partial compliance",
    "refusal_af": "refusal, AF reasoning",
    "refusal": "refusal",
}
COMPLIANT = ("compliance_af", "compliance", "partial_af", "partial")
"""The categories whose sum is the compliance share (StrongREJECT compliance)."""

_COMPLIANCE_SHARE = "_compliance_share"
_REFUSAL = "_refusal"
_MEASURE_SHORT = {c.TAG_COMPLIED: "tag", c.SR_COMPLIED: "SR"}
ROW_HEIGHT = 0.32
"""Inches per bar."""


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its category shares, n, and the compliance interval."""

    run: str
    condition: str
    shares: dict[str, float]
    n: int
    compliance: float
    ci_low: float
    ci_high: float
    judged: bool
    """True when the shares are the six outcome categories; False for tag compliance only."""


def outcome_bars(table: pd.DataFrame) -> dict[str, list[Bar]]:
    """The bars of each task, runs and conditions in table order."""
    bars: dict[str, list[Bar]] = {}
    for task in dict.fromkeys(table[c.TASK]):
        part = table[table[c.TASK] == task]
        task_bars: list[Bar] = []
        for run in dict.fromkeys(part[c.RUN]):
            rows = part[part[c.RUN] == run]
            judged = bool(rows[list(c.OUTCOME_COLUMNS)].notna().any().any())
            task_bars += _run_bars(rows, judged)
        bars[str(task)] = task_bars
    return bars


def _run_bars(rows: pd.DataFrame, judged: bool) -> list[Bar]:
    frame = rows.copy()
    if judged:
        compliant = frame[[c.outcome_column(name) for name in COMPLIANT]]
        frame[_COMPLIANCE_SHARE] = compliant.sum(axis=1, min_count=1)
        categories = {name: c.outcome_column(name) for name in c.OUTCOME_CATEGORIES}
    else:
        frame[_COMPLIANCE_SHARE] = frame[c.TAG_COMPLIED]
        frame[_REFUSAL] = 1.0 - frame[c.TAG_COMPLIED]
        categories = {"compliance": c.TAG_COMPLIED, "refusal": _REFUSAL}
    means = per_sample_means(frame, [*categories.values(), _COMPLIANCE_SHARE])
    shares = {
        name: rates_of_means(means, column).set_index(c.CONDITION)["rate"]
        for name, column in categories.items()
    }
    total = rates_of_means(means, _COMPLIANCE_SHARE).set_index(c.CONDITION)
    bars = []
    for condition in dict.fromkeys(frame[c.CONDITION]):
        if condition not in total.index:
            continue
        summary = total.loc[condition]
        bars.append(
            Bar(
                run=str(frame[c.RUN].iloc[0]),
                condition=str(condition),
                shares={name: float(s.get(condition, 0.0)) for name, s in shares.items()},
                n=int(summary["n"]),
                compliance=float(summary["rate"]),
                ci_low=float(summary["ci_low"]),
                ci_high=float(summary["ci_high"]),
                judged=judged,
            )
        )
    return bars


def compliance_figure(table: pd.DataFrame, paths: Sequence[Path]) -> bool:
    """Draw the outcome bars of every task into each of `paths` (PNG, SVG); False if no bar."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    bars = {task: b for task, b in outcome_bars(table).items() if b}
    if not bars:
        return False
    heights = [_panel_rows(b) * ROW_HEIGHT + 0.8 for b in bars.values()]
    legend_height = 0.6
    figure = Figure(figsize=(10, sum(heights) + legend_height))
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(len(bars), 1, height_ratios=heights)
    used: set[str] = set()
    for index, (task, task_bars) in enumerate(bars.items()):
        axes = figure.add_subplot(grid[index, 0])
        used |= _draw_panel(axes, task, task_bars)
        if index == len(bars) - 1:
            axes.set_xlabel("share of scored responses (black: 95 % Wilson interval of compliance)")
    handles = [
        Patch(
            facecolor=COLOURS[name.removesuffix("_af")],
            hatch=AF_HATCH if name.endswith("_af") else None,
            edgecolor=AF_EDGE if name.endswith("_af") else "white",
            label=CATEGORY_LABELS[name],
        )
        for name in c.OUTCOME_CATEGORIES
        if name in used
    ]
    figure.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, legend_height / (sum(heights) + legend_height), 1, 1))
    for path in paths:
        figure.savefig(path, dpi=130)
    return True


def _panel_rows(bars: Sequence[Bar]) -> int:
    return len(bars) + len({bar.run for bar in bars})


def _draw_panel(axes: Any, task: str, bars: Sequence[Bar]) -> set[str]:
    """One task's bars, each run headed by its label; returns the categories drawn."""
    used: set[str] = set()
    ticks: list[tuple[float, str, bool]] = []
    y = 0.0
    previous = None
    for bar in bars:
        if bar.run != previous:
            suffix = "" if bar.judged else "  (tag compliance, no judge)"
            ticks.append((y, bar.run + suffix, True))
            axes.text(
                1.01,
                y,
                "compliance",
                va="center",
                fontsize=7,
                color="dimgray",
                transform=axes.get_yaxis_transform(),
            )
            y += 1
            previous = bar.run
        left = 0.0
        for name in c.OUTCOME_CATEGORIES:
            share = bar.shares.get(name, 0.0)
            if not share or np.isnan(share):
                continue
            af = name.endswith("_af")
            axes.barh(
                y,
                share,
                left=left,
                height=0.8,
                color=COLOURS[name.removesuffix("_af")],
                hatch=AF_HATCH if af else None,
                edgecolor=AF_EDGE if af else "white",
                linewidth=0.0 if not af else 0.5,
            )
            used.add(name)
            left += share
        if not np.isnan(bar.compliance):
            axes.errorbar(
                bar.compliance,
                y,
                xerr=[[bar.compliance - bar.ci_low], [bar.ci_high - bar.compliance]],
                color="black",
                capsize=3,
                linewidth=1.2,
            )
            axes.text(
                1.01,
                y,
                f"{bar.compliance:.0%}",
                va="center",
                fontsize=8,
                transform=axes.get_yaxis_transform(),
            )
        ticks.append((y, f"{bar.condition}  (n={bar.n})", False))
        y += 1
    axes.set_yticks([t[0] for t in ticks])
    axes.set_yticklabels([t[1] for t in ticks], fontsize=8)
    for label, (_, _, header) in zip(axes.get_yticklabels(), ticks, strict=True):
        if header:
            label.set_fontweight("bold")
    axes.set_ylim(y - 0.4, -0.6)
    axes.set_xlim(0, 1)
    axes.set_title(task, fontsize=10, loc="left")
    axes.tick_params(axis="y", length=0)
    axes.spines[["top", "right"]].set_visible(False)
    return used


def contrast_figure(summary: pd.DataFrame, paths: Sequence[Path]) -> bool:
    """Each contrast's gap with its 95 % interval, for runs with several contrasts (the
    primary compliance measure: StrongREJECT when judged, else tag); False if none."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels: list[tuple[str, list[tuple[str, pd.Series]]]] = []
    for task in dict.fromkeys(summary[c.TASK]):
        rows: list[tuple[str, pd.Series]] = []
        for run in dict.fromkeys(select(summary, task=task)[c.RUN]):
            part = select(summary, task=task, run=run)
            gaps = select(part, kind=CONTRAST, measure=primary_measure(part))
            if len(gaps) < 2:
                continue
            short = _MEASURE_SHORT.get(str(gaps["measure"].iloc[0]), "")
            rows += [
                (f"{run} · {row['contrast']} ({short}, Holm p {format_p(row['p_holm'])})", row)
                for _, row in gaps.iterrows()
            ]
        if rows:
            panels.append((str(task), rows))
    if not panels:
        return False
    heights = [len(rows) * 0.3 + 0.8 for _, rows in panels]
    figure = Figure(figsize=(9, sum(heights) + 0.6))
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(len(panels), 1, height_ratios=heights)
    for index, (task, rows) in enumerate(panels):
        axes = figure.add_subplot(grid[index, 0])
        for y, (_, row) in enumerate(rows):
            low, high = row["ci_low"], row["ci_high"]
            xerr = None if pd.isna(low) else [[row["estimate"] - low], [high - row["estimate"]]]
            axes.errorbar(row["estimate"], y, xerr=xerr, fmt="o", color="#1f4e79", capsize=3)
        axes.axvline(0.0, color="grey", linewidth=0.8, linestyle=":")
        axes.set_yticks(range(len(rows)))
        axes.set_yticklabels([label for label, _ in rows], fontsize=8)
        axes.set_ylim(len(rows) - 0.5, -0.5)
        axes.set_title(f"{task}: paired gaps, 95 % interval", fontsize=10, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        if index == len(panels) - 1:
            axes.set_xlabel("gap (minuend − subtrahend compliance rate)")
    figure.tight_layout()
    for path in paths:
        figure.savefig(path, dpi=130)
    return True
