"""Rates per condition and paired contrasts from the results table (pure pandas).

Every function groups by the run columns (`af_inspect.results.columns.RUN_COLUMNS`), so two
runs are never pooled, and first pools a sample's epochs into one value per query and condition:
the mean of its scored epochs, as the suite's metrics do (a sample scored in no epoch has no
value and counts nowhere). The statistics are those of `af_inspect.metrics.stats`:
`proportion_summary` (rate, 1-sigma error, Wilson interval) and `paired_difference` (Newcombe's
paired interval and the exact McNemar p for 0/1 values, a paired t-interval for fractional ones).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from af_inspect.metrics.stats import paired_difference, proportion_summary
from af_inspect.results import columns as c
from af_inspect.results.holm import holm_adjust

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
    table: pd.DataFrame, value: str, by: Sequence[str] = c.RUN_COLUMNS
) -> pd.DataFrame:
    """One row per run, condition and query: the mean of `value` over the scored epochs.

    Rows whose `value` is NaN in every epoch are dropped.
    """
    keys = [*by, c.CONDITION, c.QUERY_ID]
    scored = table.loc[table[value].notna(), [*keys, value]]
    return scored.groupby(keys, sort=False, dropna=False)[value].mean().reset_index()


def condition_rates(
    table: pd.DataFrame,
    value: str,
    *,
    by: Sequence[str] = c.RUN_COLUMNS,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per run and condition: the rate of `value` with its 1-sigma error, Wilson interval and n.

    n counts queries with a value (epochs pooled). Conditions keep their first-seen order.
    """
    means = per_sample_means(table, value, by)
    rows = []
    for group, part in means.groupby([*by, c.CONDITION], sort=False, dropna=False):
        summary = proportion_summary(math.fsum(part[value]), len(part), confidence)
        rows.append(
            {
                **dict(zip([*by, c.CONDITION], group, strict=True)),
                "rate": summary.rate,
                "stderr": summary.stderr,
                "ci_low": summary.wilson_low,
                "ci_high": summary.wilson_high,
                "n": summary.n,
            }
        )
    return pd.DataFrame(rows, columns=[*by, c.CONDITION, *RATE_COLUMNS])


def run_contrasts(
    table: pd.DataFrame, by: Sequence[str] = c.RUN_COLUMNS
) -> dict[tuple[object, ...], list[tuple[str, str, str]]]:
    """Each run's contrasts as (name, minuend, subtrahend), from the table's `contrasts` column
    (the scenario's, recorded in the task metadata), headline first."""
    found: dict[tuple[object, ...], list[tuple[str, str, str]]] = {}
    for group, part in table.groupby(list(by), sort=False, dropna=False):
        recorded = part[c.CONTRASTS].dropna().unique()
        triples: list[tuple[str, str, str]] = []
        for text in recorded:
            for name, minuend, subtrahend in json.loads(text):
                if name not in {t[0] for t in triples}:
                    triples.append((name, minuend, subtrahend))
        found[group if isinstance(group, tuple) else (group,)] = triples
    return found


def contrast_gaps(
    table: pd.DataFrame,
    value: str,
    *,
    contrasts: Sequence[tuple[str, str, str]] | None = None,
    by: Sequence[str] = c.RUN_COLUMNS,
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
    means = per_sample_means(table, value, by)
    listed = run_contrasts(table, by) if contrasts is None else None
    rows = []
    for group, part in means.groupby(list(by), sort=False, dropna=False):
        key = group if isinstance(group, tuple) else (group,)
        triples = listed.get(key, []) if listed is not None else list(contrasts or [])
        by_condition = {
            condition: values.set_index(c.QUERY_ID)[value]
            for condition, values in part.groupby(c.CONDITION, sort=False)
        }
        run_rows: list[dict[str, Any]] = []
        for index, (name, minuend, subtrahend) in enumerate(triples):
            first = by_condition.get(minuend, pd.Series(dtype=float))
            second = by_condition.get(subtrahend, pd.Series(dtype=float))
            shared = first.index.intersection(second.index)
            pairs = list(
                zip(first[shared].astype(float), second[shared].astype(float), strict=True)
            )
            difference = paired_difference(pairs, confidence)
            run_rows.append(
                {
                    **dict(zip(by, key, strict=True)),
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
                    "headline": index == 0,
                }
            )
        adjusted = holm_adjust([float(row["mcnemar_p"]) for row in run_rows])
        for row, p_holm in zip(run_rows, adjusted, strict=True):
            row["p_holm"] = p_holm
        rows.extend(run_rows)
    return pd.DataFrame(rows, columns=[*by, *CONTRAST_COLUMNS])
