"""Logs to pandas: one row per sample, each dict-valued score expanded into float columns.

Inspect's `samples_df` keeps a dict-valued score (ours: `{"complied": 1.0, "excluded": 0.0}`)
as one JSON string column; this expands it into `<scorer>_<key>` columns, NaN for an excluded
sample, so rates and gaps can be computed with plain pandas.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from os import PathLike
from typing import Any

import pandas as pd
from inspect_ai.analysis import samples_df

SCORE_PREFIX = "score_"


def samples_frame(logs: str | PathLike[str] | Sequence[str | PathLike[str]]) -> pd.DataFrame:
    """Samples of one or more logs (files or directories) with expanded score columns.

    Keeps Inspect's columns (`id`, `epoch`, `model`, `metadata_tier`, `metadata_query_id`, ...) and
    replaces each `score_<scorer>` column that holds dicts by `<scorer>_<key>` float columns.
    """
    frame = samples_df(logs)
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
