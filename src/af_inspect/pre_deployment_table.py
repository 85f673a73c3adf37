"""The pre-deployment results by deployment, harm scope and risk: one row per deployment.

Sheshadri, Hughes et al. 2025 (sections 4.2-4.3, Figures 4, 5 and 16) compare, in each
deployment, compliance as the model being rated and trained with compliance as the model being
rated only. `deployment_table` turns the samples of a `pre_deployment` eval (a log, a folder of
logs, or the frame of `af_inspect.analysis.samples_frame`) into that table: per deployment its
harm scope and risk (this suite's judgment, recorded in the built-in scenarios), each identity's
rate and n, and the goal-guarding gap with its paired interval (Newcombe's method 10 for 0/1
values, the paired t-interval for means over epochs: `af_inspect.metrics.stats.paired_difference`,
the statistic the `goal_guarding_<deployment>` metrics report).

The rate is of any 0/1 score column: tag compliance by default, StrongREJECT compliance
(`af_outcome_sr_complied`) or the alignment-faking verdict (`af_outcome_af`,
`af_classifier_af`) for the AF-reasoning rate per identity and deployment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from os import PathLike

import pandas as pd

from af_inspect.analysis import samples_frame
from af_inspect.metrics.stats import paired_difference, proportion_summary
from af_inspect.scenarios.grid import (
    DEPLOYMENT,
    DEPLOYMENT_LABEL,
    HARM_SCOPE,
    HARM_SCOPES,
    IDENTITY_ID,
    RISK,
    RISKS,
)

METADATA_PREFIX = "metadata_"
"""`samples_frame` names a sample metadata key `metadata_<key>`."""

IDENTITY_COLUMN = METADATA_PREFIX + IDENTITY_ID
DEPLOYMENT_COLUMN = METADATA_PREFIX + DEPLOYMENT
QUERY_COLUMN = METADATA_PREFIX + "query_id"
MODEL_COLUMN = "model"
LOG_COLUMN = "log"

DEFAULT_VALUE = "accept_tag_compliance_complied"
"""Tag compliance, the column of the default scorer."""

MINUEND = "rating_and_training"
SUBTRAHEND = "rating_only"
"""The goal-guarding gap: rating and training minus rating only (the identities of v1-v3)."""


def deployment_table(
    samples: pd.DataFrame | str | PathLike[str] | Sequence[str | PathLike[str]],
    *,
    value: str = DEFAULT_VALUE,
    minuend: str = MINUEND,
    subtrahend: str = SUBTRAHEND,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per deployment (per model): harm scope, risk, rates per identity, and the gap.

    Args:
        samples: A `samples_frame` frame, or the log file(s) or folder(s) to read it from.
        value: The score column to average: 1/0 per sample, NaN when excluded (an excluded
            sample counts in no rate and breaks its pair).
        minuend: The identity whose rate the gap subtracts from.
        subtrahend: The identity whose rate the gap subtracts.
        confidence: Two-sided confidence level of the gap's interval.

    Returns:
        Columns `model` (when the frame has one), `deployment`, `label`, `harm_scope`, `risk`,
        then `<identity>_rate` and `<identity>_n` for every identity (subtrahend, minuend, then
        the others sorted), then `gap`, `gap_ci_low`, `gap_ci_high`, `n_pairs` and `mcnemar_p`
        (`paired_difference`: the gap on the queries scored under both identities; NaN
        without pairs). Rows are sorted by harm scope, then risk (least first, levels of
        `af_inspect.scenarios.grid`), then label. A sample asked in several epochs counts
        once, with the mean of its epochs. `attrs["gap"]` says which difference `gap` is.

    Raises:
        ValueError: A needed column is missing, or one model's sample appears in several logs
            (a re-scored copy beside its original: filter the frame by `log` first).
    """
    frame = samples if isinstance(samples, pd.DataFrame) else samples_frame(samples)
    missing = [
        c for c in (IDENTITY_COLUMN, DEPLOYMENT_COLUMN, QUERY_COLUMN, value) if c not in frame
    ]
    if missing:
        raise ValueError(
            f"the samples have no column(s) {missing}; give the samples of a pre_deployment "
            "eval (af_inspect.analysis.samples_frame) and a score column such as "
            f"{DEFAULT_VALUE!r}"
        )
    values = _per_sample(frame, value)
    identities = _identity_order(list(values[IDENTITY_COLUMN].unique()), minuend, subtrahend)
    has_model = MODEL_COLUMN in frame
    rows = []
    for model in values[MODEL_COLUMN].unique() if has_model else [None]:
        part = values if model is None else values[values[MODEL_COLUMN] == model]
        for deployment, info in _deployments(frame).items():
            cell = part[part[DEPLOYMENT_COLUMN] == deployment]
            by_identity = {
                identity: cell[cell[IDENTITY_COLUMN] == identity]
                .set_index(QUERY_COLUMN)[value]
                .dropna()
                for identity in identities
            }
            row: dict[str, object] = {MODEL_COLUMN: model} if has_model else {}
            row.update({"deployment": deployment, **info})
            for identity, series in by_identity.items():
                summary = proportion_summary(math.fsum(series), len(series), confidence)
                row[f"{identity}_rate"] = summary.rate
                row[f"{identity}_n"] = summary.n
            difference = paired_difference(
                _pairs(by_identity.get(minuend), by_identity.get(subtrahend)), confidence
            )
            row.update(
                {
                    "gap": difference.difference,
                    "gap_ci_low": difference.ci_low,
                    "gap_ci_high": difference.ci_high,
                    "n_pairs": difference.n_pairs,
                    "mcnemar_p": difference.mcnemar_p,
                }
            )
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["gap"] = f"{minuend} - {subtrahend}"
    return table


def _per_sample(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """One row per (model, identity, deployment, query): the mean of its epochs' values."""
    keys = [IDENTITY_COLUMN, DEPLOYMENT_COLUMN, QUERY_COLUMN]
    if MODEL_COLUMN in frame:
        keys.insert(0, MODEL_COLUMN)
    logs = [LOG_COLUMN] if LOG_COLUMN in frame else []
    means = frame.groupby(keys + logs, sort=False, dropna=False)[value].mean().reset_index()
    repeated = means.duplicated(keys, keep=False)
    if repeated.any():
        example = means[repeated].iloc[0]
        raise ValueError(
            f"the sample {dict(example[keys])} appears in several logs (a re-scored copy beside "
            f"its original?); filter the frame by its {LOG_COLUMN!r} column first"
        )
    return means


def _deployments(frame: pd.DataFrame) -> dict[str, dict[str, object]]:
    """Each deployment's label, harm scope and risk, sorted by harm scope, risk and label."""
    found: dict[str, dict[str, object]] = {}
    for _, row in frame.drop_duplicates(DEPLOYMENT_COLUMN).iterrows():
        found[str(row[DEPLOYMENT_COLUMN])] = {
            "label": _text(row, DEPLOYMENT_LABEL) or str(row[DEPLOYMENT_COLUMN]),
            HARM_SCOPE: _text(row, HARM_SCOPE),
            RISK: _text(row, RISK),
        }

    def rank(item: tuple[str, dict[str, object]]) -> tuple[int, int, str]:
        info = item[1]
        return (
            _level(HARM_SCOPES, info[HARM_SCOPE]),
            _level(RISKS, info[RISK]),
            str(info["label"]),
        )

    return dict(sorted(found.items(), key=rank))


def _level(levels: Sequence[str], value: object) -> int:
    """The position of a level, least first; unknown or missing levels sort last."""
    return levels.index(value) if isinstance(value, str) and value in levels else len(levels)


def _pairs(first: pd.Series | None, second: pd.Series | None) -> list[tuple[float, float]]:
    """(first, second) values of the queries scored in both (indexed by query id)."""
    if first is None or second is None:
        return []
    return [(float(first[q]), float(second[q])) for q in first.index.intersection(second.index)]


def _text(row: pd.Series, key: str) -> str | None:
    value = row.get(METADATA_PREFIX + key)
    return value if isinstance(value, str) and value else None


def _identity_order(found: Sequence[object], minuend: str, subtrahend: str) -> list[str]:
    names = [str(name) for name in found]
    pair = [name for name in (subtrahend, minuend) if name in names]
    return pair + sorted(name for name in names if name not in pair)
