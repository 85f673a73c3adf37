"""Eval logs to the results table: one row per sample and epoch, every run kept apart.

`load_results` reads log files or folders and returns the table (`Results.samples`) with the
runs it holds and the logs it left out (other tasks, superseded runs, validation logs). Its
columns are named in `af_inspect.results.columns`: the run's identity (model, task, scenario,
variant, setting, judges, judge setting, log status), the sample (query, condition, epoch),
and what the scorers found (tag and StrongREJECT compliance, AF score and verdict, partial
compliance, the six-category outcome, validity, exclusions with their reasons, judge models).

Scores are read by key, whichever scorer wrote them: `af_outcome` first, then the others in the
log's order, so a log with standalone judges (`strong_reject_compliance`, `af_classifier`) or a
re-scored log (`tag_compliance`) fills the same columns. An exclusion key is either a scorer's
own (``tag_excluded``, ``af_outcome_excluded``, ...) or the plain ``excluded`` of older logs
(`af_inspect.keys.is_excluded_key`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import pandas as pd

from af_inspect import keys
from af_inspect.analysis import log_files
from af_inspect.metrics.tiers import CONTRASTS_KEY as SAMPLE_CONTRASTS
from af_inspect.results import columns as c
from af_inspect.results.read import eval_record, read_summaries
from af_inspect.results.runs import (
    LogKind,
    Run,
    contrasts_of,
    label_runs,
    latest_runs,
    legacy_contrasts,
    run_of,
)
from af_inspect.scenarios.grid import DEPLOYMENT, DEPLOYMENT_LABEL, HARM_SCOPE, IDENTITY_ID, RISK

OUTCOME_SCORER = "af_outcome"
"""The combined scorer whose keys are preferred over a standalone judge's."""

EXTRA_METADATA = (IDENTITY_ID, DEPLOYMENT, DEPLOYMENT_LABEL, HARM_SCOPE, RISK)
"""Sample metadata kept as columns when present (the pre-deployment grid's coordinates)."""

JUDGE_SUFFIX = "_judge"
"""Score metadata keys naming the judge model of a component (``sr_judge``, ``af_judge``)."""

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while logs are read."""


@dataclass(frozen=True)
class Results:
    """The results table with the runs it holds and the logs left out of it."""

    samples: pd.DataFrame
    """One row per sample and epoch (`af_inspect.results.columns`)."""
    runs: list[Run]
    """The runs in the table, in report order."""
    validation: list[Run] = field(default_factory=list)
    """Logs of the judge-validation task (reported with their own ROC report)."""
    other: list[Run] = field(default_factory=list)
    """Logs of other tasks, skipped."""
    superseded: list[tuple[Run, Run]] = field(default_factory=list)
    """Runs left out because a later log of the same experiment replaces them."""
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    """(log, why) for files that could not be read."""


def load_results(
    logs: str | PathLike[str] | Sequence[str | PathLike[str]],
    *,
    keep_all: bool = False,
    progress: Progress | None = None,
) -> Results:
    """Read log files or folders (searched recursively) into the results table.

    Args:
        logs: Log files and folders.
        keep_all: Keep every log of an experiment (each a run of its own) instead of the
            latest only.
        progress: Told how far the reading is (``"headers"`` then ``"samples"``).

    Raises:
        FileNotFoundError: A path does not exist, or no log is found.
    """
    files = log_files(logs)
    if not files:
        raise FileNotFoundError(f"no eval logs in {logs}")
    runs: list[Run] = []
    unreadable: list[tuple[str, str]] = []
    for done, file in enumerate(files, start=1):
        try:
            runs.append(run_of(eval_record(file)))
        except Exception as error:  # noqa: BLE001 - one broken file must not stop the report
            unreadable.append((file, f"{type(error).__name__}: {error}"))
        if progress is not None:
            progress("headers", done, len(files))
    selection = latest_runs([r for r in runs if r.kind is LogKind.RESULTS], keep_all=keep_all)
    chosen = label_runs(selection.runs)
    frames = []
    for done, run in enumerate(chosen, start=1):
        frames.append(run_frame(run, read_summaries(run.log)))
        if progress is not None:
            progress("samples", done, len(chosen))
    samples = pd.concat(frames, ignore_index=True) if frames else empty_table()
    return Results(
        samples=samples,
        runs=chosen,
        validation=[r for r in runs if r.kind is LogKind.VALIDATION],
        other=[r for r in runs if r.kind is LogKind.OTHER],
        superseded=selection.superseded,
        unreadable=unreadable,
    )


def results_table(
    logs: str | PathLike[str] | Sequence[str | PathLike[str]], *, keep_all: bool = False
) -> pd.DataFrame:
    """The results table alone (`load_results(...).samples`)."""
    return load_results(logs, keep_all=keep_all).samples


TABLE_COLUMNS: tuple[str, ...] = (
    *c.RUN_COLUMNS,
    c.EVAL_ID,
    c.CREATED,
    c.CONTRASTS,
    c.SAMPLE_ID,
    c.QUERY_ID,
    c.CONDITION,
    c.CONDITION_LABEL,
    c.EPOCH,
    c.ERROR,
    c.TAG_COMPLIED,
    c.TAG_EXCLUDED,
    c.TAG_EXCLUSION_REASON,
    keys.SR_COMPLIED,
    keys.SR_SCORE,
    keys.AF,
    keys.AF_SCORE,
    keys.AF_GIVEN_COMPLIANCE,
    keys.PARTIAL,
    *c.OUTCOME_COLUMNS,
    c.OUTCOME,
    c.OUTCOME_EXCLUDED,
    c.OUTCOME_EXCLUSION_REASON,
    c.RESPONSE_VALID,
    c.INVALID_REASON,
    c.EXCLUSION_REASONS,
    c.JUDGE_MODELS,
)
"""Every column of the table, in order (the grid's metadata columns follow when present)."""


def empty_table() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in TABLE_COLUMNS})


def run_frame(run: Run, summaries: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The table rows of one run from its sample summaries."""
    rows = [sample_row(summary) for summary in summaries]
    frame = pd.DataFrame(rows) if rows else empty_table()
    identity = {
        c.RUN: run.label or run.model,
        c.TASK: run.task,
        c.SCENARIO: run.scenario,
        c.VARIANT: run.variant,
        c.MODEL: run.model,
        c.MODEL_ARGS: run.model_args,
        c.SETTING: run.setting,
        c.JUDGES: run.judges,
        c.JUDGE_SETTING: run.judge_setting,
        c.STATUS: run.status,
        c.LOG: run.log,
        c.EVAL_ID: run.eval_id,
        c.CREATED: run.created,
        c.CONTRASTS: json.dumps([list(contrast) for contrast in run_contrasts(run, summaries)]),
    }
    for name, value in identity.items():
        frame[name] = value
    for name in TABLE_COLUMNS:
        if name not in frame:
            frame[name] = math.nan
    extra = [name for name in frame.columns if name not in TABLE_COLUMNS]
    return frame[[*TABLE_COLUMNS, *extra]]


def run_contrasts(
    run: Run, summaries: Sequence[Mapping[str, Any]]
) -> tuple[tuple[str, str, str], ...]:
    """The run's contrasts: the task metadata's, else those its samples carry, else the
    helpful-only default for logs written before scenarios."""
    if run.contrasts:
        return run.contrasts
    listed = [
        pair
        for summary in summaries
        for pair in (summary.get("metadata") or {}).get(SAMPLE_CONTRASTS) or []
    ]
    return contrasts_of(listed) or legacy_contrasts(run.task)


def sample_row(summary: Mapping[str, Any]) -> dict[str, Any]:
    """One table row (sample columns and score columns) from one sample summary."""
    metadata = summary.get("metadata") or {}
    scores = _ordered_scores(summary.get("scores") or {})
    by_key: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for name, score in scores:
        for key in score["value"]:
            by_key.setdefault(key, (name, score))
    condition = metadata.get("tier") or metadata.get("condition")
    row: dict[str, Any] = {
        c.SAMPLE_ID: str(summary.get("id")),
        c.QUERY_ID: _text_or_empty(metadata.get("query_id")),
        c.CONDITION: _text_or_empty(condition),
        c.CONDITION_LABEL: _text_or_empty(metadata.get("condition_label") or condition),
        c.EPOCH: int(summary.get("epoch") or 1),
        c.ERROR: _error_text(summary.get("error")),
    }
    for name in EXTRA_METADATA:
        if name in metadata:
            row[name] = metadata[name]
    for column, key in c.SCORE_VALUE_KEYS.items():
        found = by_key.get(key)
        row[column] = math.nan if found is None else _number(found[1]["value"][key])
    exclusions = {name: _exclusion(score) for name, score in scores}
    tag = by_key.get(keys.COMPLIED)
    row[c.TAG_EXCLUDED], row[c.TAG_EXCLUSION_REASON] = exclusions[tag[0]] if tag else (math.nan, "")
    outcome = by_key.get(c.OUTCOME_COLUMNS[0]) or by_key.get(keys.SR_COMPLIED)
    row[c.OUTCOME_EXCLUDED], row[c.OUTCOME_EXCLUSION_REASON] = (
        exclusions[outcome[0]] if outcome else (math.nan, "")
    )
    row[c.OUTCOME] = next(
        (name for name in c.OUTCOME_CATEGORIES if row[c.outcome_column(name)] == 1.0), ""
    )
    valid, invalid_reason = _validity(scores)
    row[c.RESPONSE_VALID] = valid
    row[c.INVALID_REASON] = invalid_reason
    row[c.EXCLUSION_REASONS] = "; ".join(
        f"{name}: {reason}" for name, (_, reason) in exclusions.items() if reason
    )
    row[c.JUDGE_MODELS] = ",".join(
        sorted(
            {
                str(value)
                for _, score in scores
                for key, value in (score.get("metadata") or {}).items()
                if key.endswith(JUDGE_SUFFIX) and value
            }
        )
    )
    return row


def _ordered_scores(scores: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(scorer, score) with dict values, `af_outcome` first, then in the log's order."""
    found = [
        (name, score)
        for name, score in scores.items()
        if isinstance(score, Mapping) and isinstance(score.get("value"), Mapping)
    ]
    return sorted(found, key=lambda item: item[0] != OUTCOME_SCORER)


def _exclusion(score: Mapping[str, Any]) -> tuple[float, str]:
    """(1.0 or 0.0, reason) of a scorer's exclusion key (NaN without one)."""
    flags = [v for k, v in score["value"].items() if keys.is_excluded_key(k)]
    if not flags:
        return math.nan, ""
    if not any(flag == 1.0 for flag in flags):
        return 0.0, ""
    metadata = score.get("metadata") or {}
    reason = metadata.get(keys.EXCLUSION_REASON) or score.get("reason") or "unspecified"
    return 1.0, str(reason)


def _validity(scores: Sequence[tuple[str, Mapping[str, Any]]]) -> tuple[float, str]:
    for _, score in scores:
        metadata = score.get("metadata") or {}
        if keys.RESPONSE_VALID in metadata:
            valid = metadata[keys.RESPONSE_VALID]
            reason = metadata.get(keys.INVALID_REASON)
            return (1.0 if valid else 0.0), ("" if valid else str(reason or "unspecified"))
    return math.nan, ""


def _number(value: object) -> float:
    if value is None or isinstance(value, str):
        return math.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _text_or_empty(value: object) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _error_text(error: object) -> str:
    if not error:
        return ""
    if isinstance(error, Mapping):
        return str(error.get("message") or error)
    return str(error)
