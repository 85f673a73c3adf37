"""Reading eval logs for the results table: one header row per log, and its sample summaries.

The header comes from Inspect's `evals_df`, one log at a time (over a list, `evals_df` keeps one
of several logs that share an `eval_id`, such as a re-scored copy and its original).

The samples come from the log's sample summaries (ids, metadata, score values and the small
score metadata: exclusion reasons, validity, judge names), never from the full transcripts.
Inspect's `read_eval_log_sample_summaries` validates and re-thins every summary, about 1.3 ms a
sample on this project's machine: 13 s for 10,000 samples. A finished `.eval` log holds the same
summaries as one JSON member, `summaries.json`, which `read_summaries` decodes directly (about
0.1 ms a sample). Anything else (a `.json` log, a log still being written, a member it cannot
decompress, a remote path) goes through Inspect's reader, so the result is the same either way
(tests/test_results.py compares the two).
"""

from __future__ import annotations

import contextlib
import json
import math
import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from inspect_ai.analysis import EvalColumn, evals_df
from inspect_ai.log import read_eval_log_sample_summaries

SUMMARIES_MEMBER = "summaries.json"
"""The member of a finished `.eval` log that holds every sample summary."""

ZSTD_COMPRESSION = 93
"""The zip compression method number of Zstandard, which Inspect uses for `.eval` members."""

_LOCAL_HEADER = struct.Struct("<4s22xHH")
"""A zip local file header up to its name and extra-field lengths (30 bytes)."""
_LOCAL_SIGNATURE = b"PK\x03\x04"

EVAL_COLUMNS: list[EvalColumn] = [
    EvalColumn("eval_id", path="eval.eval_id", required=True),
    EvalColumn("created", path="eval.created"),
    EvalColumn("status", path="status"),
    EvalColumn("error_message", path="error.message"),
    EvalColumn("task", path="eval.task"),
    EvalColumn("task_args", path="eval.task_args"),
    EvalColumn("model", path="eval.model"),
    # inspect-ai 0.3.285's EvalModel reads `model_args` from `eval.model_base_url`.
    EvalColumn("model_args", path="eval.model_args"),
    EvalColumn("model_roles", path="eval.model_roles"),
    EvalColumn("generate_config", path="eval.model_generate_config"),
    EvalColumn("epochs", path="eval.config.epochs"),
    EvalColumn("scorers", path="eval.scorers"),
    EvalColumn("judges", path="eval.metadata.judges"),
    EvalColumn("scenario_id", path="eval.metadata.scenario.id"),
    EvalColumn("variant", path="eval.metadata.scenario.variant.id"),
    EvalColumn("scenario_contrasts", path="eval.metadata.scenario.contrasts"),
    EvalColumn("conditions", path="eval.metadata.tiers"),
    EvalColumn("total_samples", path="results.total_samples"),
    EvalColumn("completed_samples", path="results.completed_samples"),
]
"""The header fields the report needs (not the whole header: its metadata holds every asset
and every scenario edit). Mapping and list values arrive as JSON text; `eval_record` decodes
them."""

_JSON_FIELDS = (
    "task_args",
    "model_args",
    "model_roles",
    "generate_config",
    "scorers",
    "judges",
    "scenario_contrasts",
    "conditions",
)


def eval_record(log: str) -> dict[str, Any]:
    """The header fields of one log (`EVAL_COLUMNS`), JSON values decoded, `log` its path."""
    frame = evals_df(log, columns=EVAL_COLUMNS, quiet=True)
    record: dict[str, Any] = {
        str(key): _plain(value) for key, value in frame.iloc[0].to_dict().items()
    }
    for field in _JSON_FIELDS:
        value = record.get(field)
        if isinstance(value, str):
            with contextlib.suppress(json.JSONDecodeError):
                record[field] = json.loads(value)
    record["log"] = log
    return record


def _plain(value: object) -> object:
    """A pandas missing value as None; anything else unchanged."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def read_summaries(log: str) -> list[dict[str, Any]]:
    """Every sample summary of a log as plain JSON-like dicts (last one per id and epoch)."""
    raw = _summaries_member(log)
    if raw is None:
        summaries: Iterable[dict[str, Any]] = (
            summary.model_dump() for summary in read_eval_log_sample_summaries(log)
        )
    else:
        summaries = json.loads(raw)
    by_key: dict[tuple[str, object], dict[str, Any]] = {}
    for summary in summaries:
        by_key[(str(summary.get("id")), summary.get("epoch"))] = summary
    return list(by_key.values())


def _summaries_member(log: str) -> bytes | None:
    """The bytes of `summaries.json` in a local `.eval` file, or None to use Inspect's reader."""
    path = Path(log)
    if path.suffix != ".eval" or not path.is_file():
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo(SUMMARIES_MEMBER)
            except KeyError:
                return None
            if info.compress_type != ZSTD_COMPRESSION:
                return archive.read(info)
        return _zstd_member(path, info)
    except (OSError, zipfile.BadZipFile, ValueError, ImportError, NotImplementedError):
        return None


def _zstd_member(path: Path, info: zipfile.ZipInfo) -> bytes:
    """A Zstandard-compressed member, read past its local header and decompressed."""
    import zstandard  # an Inspect dependency; without it the caller falls back

    with path.open("rb") as handle:
        handle.seek(info.header_offset)
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(handle.read(_LOCAL_HEADER.size))
        if signature != _LOCAL_SIGNATURE:
            raise ValueError(f"{path}: no local header for {info.filename}")
        handle.seek(name_length + extra_length, 1)
        compressed = handle.read(info.compress_size)
    data: bytes = zstandard.ZstdDecompressor().stream_reader(compressed).read()
    if len(data) != info.file_size:
        raise ValueError(f"{path}: {info.filename} decompressed to {len(data)} bytes")
    return data
