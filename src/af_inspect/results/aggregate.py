"""Rates per condition and paired contrasts from the results table (pure pandas).

Every function groups by run (`by`, default the `task` and `run` columns: `load_results` labels
each log uniquely within its task; pass `af_inspect.results.columns.RUN_COLUMNS` for a table
put together from several loads), so two runs are never pooled, and first pools a sample's epochs into one value per query and condition:
the mean of its scored epochs, as the suite's metrics do (a sample scored in no epoch has no
value and counts nowhere). The statistics are those of `af_inspect.metrics.stats`:
`proportion_summary` (rate, 1-sigma error, Wilson interval) and `paired_difference` (Newcombe's
paired interval and the exact McNemar p for 0/1 values, a paired t-interval for fractional ones).

`per_sample_means` pools several columns at once; `rates_of_means` and `gaps_of_means` take its
result, so a report pools a large table once for all its measures.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from af_inspect.metrics.stats import paired_difference, proportion_summary
from af_inspect.results import columns as c
from af_inspect.results.holm import holm_adjust

BY_RUN: tuple[str, ...] = (c.TASK, c.RUN)
"""The default grouping: one group per run (a run's label is unique within its task)."""

Contrast = tuple[str, str, str]
"""(name, minuend, subtrahend)."""

RATE_COLUMNS = ("rate", "stderr", "ci_low", "ci_high", "n")
CONTRAST_COLUMNS = (
    "contrast",
    "minuend",
    "subtrahend",
    "gap",
    "ci_low",
    "ci_high",
    "method",
    "n_pairs",
    "both",
    "minuend_only",
    "subtrahend_only",
    "neither",
    "mcnemar_p",
    "p_holm",
    "headline",
)


def per_sample_means(
    table: pd.DataFrame, values: str | Sequence[str], by: Sequence[str] = BY_RUN
) -> pd.DataFrame:
    """One row per run, condition and query: the mean of each value column over the epochs
    where it is scored (NaN where it is scored in none)."""
    columns = [values] if isinstance(values, str) else list(values)
    keys = [*by, c.CONDITION, c.QUERY_ID]
    frame = table[[*keys, *columns]]
    return frame.groupby(keys, sort=False, dropna=False)[columns].mean().reset_index()


def condition_rates(
    table: pd.DataFrame,
    value: str,
    *,
    by: Sequence[str] = BY_RUN,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per run and condition: the rate of `value` with its 1-sigma error, Wilson interval and n.

    n counts queries with a value (epochs pooled). Conditions keep their first-seen order; a
    condition where `value` is never scored has no row.
    """
    return rates_of_means(per_sample_means(table, value, by), value, by=by, confidence=confidence)


def rates_of_means(
    means: pd.DataFrame, value: str, *, by: Sequence[str] = BY_RUN, confidence: float = 0.95
) -> pd.DataFrame:
    """`condition_rates` from `per_sample_means`' result."""
    keys = [*by, c.CONDITION]
    scored = means.loc[means[value].notna(), [*keys, value]]
    totals = scored.groupby(keys, sort=False, dropna=False)[value].agg(["sum", "count"])
    rows = []
    for group, (total, count) in totals.iterrows():
        key = group if isinstance(group, tuple) else (group,)
        summary = proportion_summary(min(float(total), float(count)), int(count), confidence)
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "rate": summary.rate,
                "stderr": summary.stderr,
                "ci_low": summary.wilson_low,
                "ci_high": summary.wilson_high,
                "n": summary.n,
            }
        )
    return pd.DataFrame(rows, columns=[*keys, *RATE_COLUMNS])


def run_contrasts(
    table: pd.DataFrame, by: Sequence[str] = BY_RUN
) -> dict[tuple[object, ...], list[Contrast]]:
    """Each run's contrasts as (name, minuend, subtrahend), from the table's `contrasts` column
    (the scenario's, recorded in the task metadata), headline first."""
    found: dict[tuple[object, ...], list[Contrast]] = {}
    recorded = table[[*by, c.CONTRASTS]].drop_duplicates()
    for group, part in recorded.groupby(list(by), sort=False, dropna=False):
        triples: list[Contrast] = []
        for text in part[c.CONTRASTS].dropna():
            for name, minuend, subtrahend in json.loads(text):
                if name not in {t[0] for t in triples}:
                    triples.append((name, minuend, subtrahend))
        found[group if isinstance(group, tuple) else (group,)] = triples
    return found


def contrast_gaps(
    table: pd.DataFrame,
    value: str,
    *,
    contrasts: Sequence[Contrast] | None = None,
    by: Sequence[str] = BY_RUN,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per run and contrast: the paired gap of `value` (minuend - subtrahend), paired by query.

    Args:
        table: The results table (or any frame with the `by`, condition, query and value
            columns, and `contrasts` unless given).
        value: A 0/1 column (fractional once epochs are pooled).
        contrasts: (name, minuend, subtrahend) for every run; None reads each run's own.
        by: The run columns.
        confidence: Two-sided level of the intervals.

    Returns:
        One row per run and contrast: `gap` and its interval (`method`: Newcombe's paired
        hybrid score for 0/1 values, a paired t-interval for fractional ones), `n_pairs`, the
        paired counts, the exact McNemar p, and `p_holm`, the Holm-adjusted p over the run's
        contrasts (equal to `mcnemar_p` for a run with one contrast). `headline` marks each
        run's first contrast. A contrast with a condition the run lacks has no pairs (NaN).
    """
    listed = (
        run_contrasts(table, by)
        if contrasts is None
        else {key: list(contrasts) for key in _groups(table, by)}
    )
    means = per_sample_means(table, value, by)
    return gaps_of_means(means, value, listed, by=by, confidence=confidence)


def _groups(table: pd.DataFrame, by: Sequence[str]) -> list[tuple[object, ...]]:
    return [tuple(row) for row in table[list(by)].drop_duplicates().itertuples(index=False)]


def gaps_of_means(
    means: pd.DataFrame,
    value: str,
    contrasts: Mapping[tuple[object, ...], Sequence[Contrast]],
    *,
    by: Sequence[str] = BY_RUN,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """`contrast_gaps` from `per_sample_means`' result and each run's contrasts."""
    scored = means.loc[means[value].notna()]
    rows: list[dict[str, Any]] = []
    for group, part in scored.groupby(list(by), sort=False, dropna=False):
        key = group if isinstance(group, tuple) else (group,)
        by_condition = {
            condition: values.set_index(c.QUERY_ID)[value]
            for condition, values in part.groupby(c.CONDITION, sort=False)
        }
        run_rows = [
            _gap_row(
                dict(zip(by, key, strict=True)), contrast, index == 0, by_condition, confidence
            )
            for index, contrast in enumerate(contrasts.get(key, []))
        ]
        adjusted = holm_adjust([float(row["mcnemar_p"]) for row in run_rows])
        for row, p_holm in zip(run_rows, adjusted, strict=True):
            row["p_holm"] = p_holm
        rows.extend(run_rows)
    return pd.DataFrame(rows, columns=[*by, *CONTRAST_COLUMNS])


def _gap_row(
    identity: dict[str, object],
    contrast: Contrast,
    headline: bool,
    by_condition: Mapping[object, pd.Series],
    confidence: float,
) -> dict[str, Any]:
    name, minuend, subtrahend = contrast
    first = by_condition.get(minuend, pd.Series(dtype=float))
    second = by_condition.get(subtrahend, pd.Series(dtype=float))
    shared = first.index.intersection(second.index)
    pairs = list(zip(first[shared].astype(float), second[shared].astype(float), strict=True))
    difference = paired_difference(pairs, confidence)
    return {
        **identity,
        "contrast": name,
        "minuend": minuend,
        "subtrahend": subtrahend,
        "gap": difference.difference,
        "ci_low": difference.ci_low,
        "ci_high": difference.ci_high,
        "method": difference.method,
        "n_pairs": difference.n_pairs,
        "both": difference.both,
        "minuend_only": difference.first_only,
        "subtrahend_only": difference.second_only,
        "neither": difference.neither,
        "mcnemar_p": difference.mcnemar_p,
        "headline": headline,
    }
