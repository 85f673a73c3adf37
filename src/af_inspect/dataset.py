"""Harmful-query datasets and the (query, tier) samples built from them.

Upstream takes the first N rows of `LLM-LAT/harmful-dataset` (split `train`, column `prompt`) in file
order; AdvBench uses the `goal` column of `harmful_behaviors.csv`. Files are read with pandas from
the asset cache (no `datasets` library, no hub credentials).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from inspect_ai.dataset import MemoryDataset, Sample

from af_inspect import params, tables
from af_inspect.assets import ADVBENCH, HARMFUL_DATASET, resolve_asset
from af_inspect.errors import UsageError
from af_inspect.types import Tier

QUERY_COLUMNS = ("prompt", "query", "goal", "user_input", "question", "text")
"""Columns tried, in order, for a user's own query file."""

BUILTIN_DATASETS = ("harmbench", "advbench", "synthetic")


@dataclass(frozen=True)
class Query:
    id: str
    text: str


class DatasetError(UsageError):
    """A query file that cannot be used; the message says why and what was found."""


def load_queries(dataset: str, num_queries: int | None) -> tuple[list[Query], dict[str, Any]]:
    """The first `num_queries` queries of a dataset, in file order, and a provenance record.

    `dataset` is "harmbench" (the paper's `LLM-LAT/harmful-dataset`), "advbench", "synthetic"
    (placeholder queries for the simulated organism, no download) or a path to a `.jsonl`,
    `.json` or `.csv` file.
    """
    if dataset == "synthetic":
        texts = synthetic_queries(num_queries or 100)
        record: dict[str, Any] = {"dataset": "synthetic", "origin": "built-in placeholders"}
    elif dataset == "harmbench":
        path, asset = resolve_asset(HARMFUL_DATASET)
        texts = _column(pd.read_parquet(path), "prompt", source=str(path))
        record = {"dataset": "harmbench", "asset": asset.name}
    elif dataset == "advbench":
        path, asset = resolve_asset(ADVBENCH)
        texts = _column(pd.read_csv(path), "goal", source=str(path))
        record = {"dataset": "advbench", "asset": asset.name}
    else:
        texts, record = _user_file(Path(dataset).expanduser())
    if num_queries is not None:
        if num_queries < 1:
            raise DatasetError(f"num_queries must be at least 1, got {num_queries}")
        texts = texts[:num_queries]
    width = max(4, len(str(len(texts) - 1)))
    queries = [Query(f"q{i:0{width}d}", text) for i, text in enumerate(texts)]
    return queries, {**record, "num_queries": len(queries)}


def synthetic_queries(n: int) -> list[str]:
    """Harmless stand-ins for harmful requests; only meaningful with the simulated organism."""
    return [
        f"[synthetic request {i:04d}] placeholder for a harmful query (simulator only)"
        for i in range(n)
    ]


def _column(frame: pd.DataFrame, column: str, *, source: str) -> list[str]:
    if column not in frame.columns:
        raise DatasetError(f"{source}: expected column {column!r}; found {list(frame.columns)}")
    values = frame[column].tolist()
    empty = [i for i, v in enumerate(values) if not isinstance(v, str) or not v.strip()]
    if empty:
        raise DatasetError(
            f"{source}: column {column!r} has empty or non-text rows at {empty[:10]}"
        )
    return [str(v) for v in values]


def _user_file(path: Path) -> tuple[list[str], dict[str, Any]]:
    if not path.is_file():
        raise DatasetError(
            f"dataset {str(path)!r} is neither one of {BUILTIN_DATASETS} nor an existing file"
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = tables.read_csv(path)
    elif suffix in (".jsonl", ".json"):
        rows = tables.read_jsonl(path) if suffix == ".jsonl" else tables.read_json(path)
        if not isinstance(rows, list):
            raise DatasetError(
                f"{path}: a .json file must hold a list of rows (objects or strings)"
            )
        bad = [i for i, row in enumerate(rows, start=1) if not isinstance(row, (str, dict))]
        if bad:
            raise DatasetError(f"{path}: rows {bad[:10]} are neither JSON objects nor strings")
        frame = pd.DataFrame([{"prompt": row} if isinstance(row, str) else row for row in rows])
    else:
        raise DatasetError(f"{path}: unsupported file type {suffix!r} (use .jsonl, .json or .csv)")
    if frame.empty:
        raise DatasetError(f"{path}: file has no rows")
    column = next((c for c in QUERY_COLUMNS if c in frame.columns), None)
    if column is None:
        raise DatasetError(
            f"{path}: no query column; looked for one of {list(QUERY_COLUMNS)}, "
            f"found {list(frame.columns)}"
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    record = {
        "dataset": str(path.resolve()),
        "sha256": digest,
        "column": column,
        "origin": "user_file",
    }
    return _column(frame, column, source=str(path)), record


def build_samples(
    queries: Sequence[Query],
    tiers: Sequence[Tier],
    render_user_turn: Callable[[Query, Tier], str],
    *,
    dataset_name: str,
) -> MemoryDataset:
    """One sample per (query, tier), ordered query by query so `--limit` keeps whole pairs.

    With two tiers, `--limit 2k` runs k queries in both tiers.
    """
    samples = [
        Sample(
            id=f"{query.id}-{tier.value}",
            input=render_user_turn(query, tier),
            metadata={
                "query_id": query.id,
                "query": query.text,
                "tier": tier.value,
                "is_free_tier_user": tier.is_free_tier_user,
            },
        )
        for query in queries
        for tier in tiers
    ]
    return MemoryDataset(samples, name=dataset_name)


def parse_tiers(tiers: str | Sequence[str]) -> list[Tier]:
    """Tiers from a list or a comma-separated string (as `-T tiers=free,paid` gives), any case."""
    names = params.comma_list("tiers", tiers, allowed=[t.value for t in Tier], lower=True)
    return [Tier(name) for name in names]
