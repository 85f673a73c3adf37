"""Logs to pandas: one row per sample, each dict-valued score expanded into float columns.

Inspect's `samples_df` keeps a dict-valued score (ours: `{"complied": 1.0, "tag_excluded": 0.0}`)
as one JSON string column; this expands it into `<scorer>_<key>` columns, NaN for an excluded
sample, so rates and gaps can be computed with plain pandas.

A re-scored log (`inspect score`) keeps its original's `eval_id`, and `samples_df` over a folder
holding both silently keeps only one of them. `samples_frame` reads each log file on its own, so
both are kept; the `log` column (the file) and `log_scorers` (the scorers that log holds) tell
them apart.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd
from inspect_ai.analysis import EvalModel, SampleSummary, samples_df
from inspect_ai.log import list_eval_logs, read_eval_log

SCORE_PREFIX = "score_"

logger = logging.getLogger(__name__)


def log_files(logs: str | PathLike[str] | Sequence[str | PathLike[str]]) -> list[str]:
    """The eval log files named by `logs` (files, or directories searched recursively)."""
    items = [logs] if isinstance(logs, (str, PathLike)) else list(logs)
    files: list[str] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = list_eval_logs(str(path), descending=False)
            files.extend(info.name.removeprefix("file://") for info in found)
        elif path.is_file():
            files.append(str(path))
        else:
            raise FileNotFoundError(f"no eval log or folder at {path}")
    return files


def samples_frame(logs: str | PathLike[str] | Sequence[str | PathLike[str]]) -> pd.DataFrame:
    """Samples of one or more logs (files or directories) with expanded score columns.

    Keeps Inspect's sample columns (`id`, `epoch`, `metadata_tier`, `metadata_query_id`, ...),
    adds the eval's `model` (and `model_roles`, ...), `log` and `log_scorers`, and replaces each
    `score_<scorer>` column that holds dicts by `<scorer>_<key>` float columns. Every log file
    contributes its rows, including a re-scored copy that shares its original's `eval_id`.
    """
    files = log_files(logs)
    if not files:
        raise FileNotFoundError(f"no eval logs in {logs}")
    frames = []
    for file in files:
        frame = samples_df(file, columns=[*SampleSummary, *EvalModel], quiet=True)
        header = read_eval_log(file, header_only=True)
        frame["log_scorers"] = ",".join(s.name for s in header.eval.scorers or [])
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    shared = frame.groupby("eval_id")["log"].nunique()
    for eval_id, count in shared[shared > 1].items():
        logger.info(
            "%d logs share eval_id %s (a re-scored copy and its original?); all are kept, "
            "told apart by the `log` and `log_scorers` columns",
            count,
            eval_id,
        )
    for column in [c for c in frame.columns if c.startswith(SCORE_PREFIX)]:
        parsed = frame[column].map(_score_value)
        if not parsed.map(lambda v: isinstance(v, dict)).any():
            continue
        scorer = column.removeprefix(SCORE_PREFIX)
        expanded = pd.DataFrame(
            [v if isinstance(v, dict) else {} for v in parsed], index=frame.index
        ).astype(float)
        expanded.columns = [f"{scorer}_{key}" for key in expanded.columns]
        frame = pd.concat([frame.drop(columns=[column]), expanded], axis=1)
    return frame


def _score_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return value
    if isinstance(value, dict):
        return {k: (math.nan if v is None else v) for k, v in value.items()}
    return value
