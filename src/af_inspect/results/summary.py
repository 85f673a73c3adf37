"""The report's numbers: one long table (summary.csv) and its Markdown rendering (summary.md).

`summary_frame` has one row per run and

- condition and rate measure (``kind="rate"``): tag and StrongREJECT compliance, AF among all
  and among compliant, partial compliance and the six outcome shares, each with its 1-sigma
  error, Wilson interval and n (queries with a score, epochs pooled);
- contrast and contrast measure (``kind="contrast"``): the paired gap with its interval, the
  exact McNemar p, the Holm-adjusted p over the run's contrasts, the pairs and the paired
  counts (both, minuend only, subtrahend only, neither; NaN for fractional values), and
  `headline` for the scenario's first contrast;
- condition and count (``kind="count"``): samples, errored samples, invalid responses by
  reason, and each scorer's exclusions by reason (sample-epochs, not pooled).

A measure a run has no value for is left out of that run's rows.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from af_inspect.results import columns as c
from af_inspect.results.aggregate import (
    BY_RUN,
    gaps_of_means,
    per_sample_means,
    rates_of_means,
    run_contrasts,
)

IDENTITY_COLUMNS: tuple[str, ...] = c.RUN_COLUMNS

SUMMARY_COLUMNS: tuple[str, ...] = (
    *IDENTITY_COLUMNS,
    "kind",
    "measure",
    "condition",
    "contrast",
    "minuend",
    "subtrahend",
    "reason",
    "estimate",
    "stderr",
    "ci_low",
    "ci_high",
    "method",
    "n",
    "n_pairs",
    "both",
    "minuend_only",
    "subtrahend_only",
    "neither",
    "mcnemar_p",
    "p_holm",
    "headline",
)

RATE = "rate"
CONTRAST = "contrast"
COUNT = "count"

SAMPLES = "samples"
ERRORED = "errored"
INVALID = "invalid"
EXCLUDED_PREFIX = "excluded:"


def summary_frame(table: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """The long summary of a results table (see the module docstring); runs are told apart by
    task and `run` label, unique in a table from `load_results`."""
    parts: list[pd.DataFrame] = []
    measures = [m for m in c.RATE_MEASURES if m in table and table[m].notna().any()]
    means = per_sample_means(table, measures)
    for measure in measures:
        rates = rates_of_means(means, measure, confidence=confidence)
        rates = rates.rename(columns={"rate": "estimate"})
        rates["kind"] = RATE
        rates["method"] = "wilson"
        rates["measure"] = measure
        parts.append(rates)
    contrasts = run_contrasts(table)
    for measure in [m for m in c.CONTRAST_MEASURES if m in measures]:
        gaps = gaps_of_means(means, measure, contrasts, confidence=confidence)
        gaps = gaps.rename(columns={"gap": "estimate"})
        gaps["kind"] = CONTRAST
        gaps["measure"] = measure
        parts.append(gaps)
    parts.append(count_rows(table))
    frame = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    identity = table[list(IDENTITY_COLUMNS)].drop_duplicates(list(BY_RUN))
    frame = frame.drop(columns=[n for n in IDENTITY_COLUMNS if n not in BY_RUN and n in frame])
    frame = frame.merge(identity, on=list(BY_RUN), how="left", sort=False)
    for name in SUMMARY_COLUMNS:
        if name not in frame:
            frame[name] = math.nan
    return frame[list(SUMMARY_COLUMNS)]


def empty_summary() -> pd.DataFrame:
    """A summary without rows (no run to report)."""
    return pd.DataFrame(columns=list(SUMMARY_COLUMNS))


def count_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Per run and condition: samples, errored samples, invalid responses and exclusions by
    reason (``excluded:<scorer>``), each a count of sample-epochs."""
    rows = []
    keys = [*BY_RUN, c.CONDITION]
    for group, part in table.groupby(keys, sort=False, dropna=False):
        identity = dict(zip(keys, group, strict=True))
        counts: Counter[tuple[str, str]] = Counter()
        counts[(SAMPLES, "")] = len(part)
        counts[(ERRORED, "")] = int((part[c.ERROR].fillna("") != "").sum())
        for reason in part.loc[part[c.RESPONSE_VALID] == 0.0, c.INVALID_REASON]:
            counts[(INVALID, str(reason))] += 1
        for text in part[c.EXCLUSION_REASONS].fillna(""):
            for scorer, reason in parse_exclusions(text):
                counts[(EXCLUDED_PREFIX + scorer, reason)] += 1
        for (measure, reason), n in counts.items():
            rows.append({**identity, "kind": COUNT, "measure": measure, "reason": reason, "n": n})
    return pd.DataFrame(rows)


def parse_exclusions(text: str) -> list[tuple[str, str]]:
    """(scorer, reason) pairs of an `exclusion_reasons` cell (``scorer: reason; ...``)."""
    pairs = []
    for part in text.split("; "):
        if ": " in part:
            scorer, reason = part.split(": ", 1)
            pairs.append((scorer, reason))
    return pairs


def primary_measure(frame: pd.DataFrame) -> str:
    """StrongREJECT compliance when the judges ran, else tag compliance."""
    rates = frame[frame["kind"] == RATE]
    return c.SR_COMPLIED if (rates["measure"] == c.SR_COMPLIED).any() else c.TAG_COMPLIED


def select(frame: pd.DataFrame, **equal: object) -> pd.DataFrame:
    """Rows whose columns equal the given values."""
    mask = pd.Series(True, index=frame.index)
    for name, value in equal.items():
        mask &= frame[name] == value
    return frame[mask]


def conditions_in_order(frame: pd.DataFrame) -> list[str]:
    """The conditions in first-seen order."""
    return list(dict.fromkeys(str(v) for v in frame["condition"].dropna()))


def runs_in_order(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(str(v) for v in frame[c.RUN]))


def tasks_in_order(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(str(v) for v in frame[c.TASK]))


def format_rate(row: pd.Series | None, digits: int = 2) -> str:
    """``0.45 [0.35, 0.55]`` from a row with estimate, ci_low and ci_high; "–" without one."""
    if row is None or _missing(row["estimate"]):
        return "–"
    low, high = row["ci_low"], row["ci_high"]
    interval = "" if _missing(low) else f" [{low:.{digits}f}, {high:.{digits}f}]"
    return f"{row['estimate']:.{digits}f}{interval}"


def format_gap(row: pd.Series | None, digits: int = 2) -> str:
    """``+0.25 [+0.15, +0.34]``; "–" without one."""
    if row is None or _missing(row["estimate"]):
        return "–"
    low, high = row["ci_low"], row["ci_high"]
    interval = "" if _missing(low) else f" [{low:+.{digits}f}, {high:+.{digits}f}]"
    return f"{row['estimate']:+.{digits}f}{interval}"


def format_p(value: object) -> str:
    """A p-value to three significant digits, "<0.0001" below that; "–" when missing."""
    if _missing(value):
        return "–"
    p = float(value)  # type: ignore[arg-type]
    return "<0.0001" if p < 1e-4 else f"{p:.3g}"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def first_row(frame: pd.DataFrame) -> pd.Series | None:
    return None if frame.empty else frame.iloc[0]


def count_text(frame: pd.DataFrame, measures: Sequence[str]) -> str:
    """``3 (no_decision_tag 2, truncated 1)`` for the count rows of the given measures."""
    rows = frame[(frame["kind"] == COUNT) & frame["measure"].isin(measures)]
    total = int(rows["n"].sum()) if not rows.empty else 0
    if total == 0:
        return "0"
    reasons: Counter[str] = Counter()
    for _, row in rows.iterrows():
        label = str(row["reason"])
        if row["measure"].startswith(EXCLUDED_PREFIX):
            label = f"{row['measure'].removeprefix(EXCLUDED_PREFIX)}: {label}"
        reasons[label] += int(row["n"])
    detail = ", ".join(f"{reason} {n}" for reason, n in reasons.most_common())
    return f"{total} ({detail})"
