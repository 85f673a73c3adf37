"""Attaching `paraphrase_gaps` to a task's scorers, in paraphrase runs only.

Each scorer declares its metrics per score key; `with_paraphrase_gaps` adds `paraphrase_gaps()`
after the metrics of every key that reports `tier_gap` (the keys with a compliance gap), on
these scorer instances only, so runs without paraphrases keep their metric names.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Scorer
from inspect_ai.util import registry_info

from af_inspect.metrics.paraphrases import paraphrase_gaps

SCORER_METRICS = "metrics"
"""The key of a scorer's registry metadata that holds its metrics (Inspect's `SCORER_METRICS`)."""

TIER_GAP = "af_inspect/tier_gap"


def _is_tier_gap(metric: object) -> bool:
    try:
        return registry_info(metric).name == TIER_GAP
    except ValueError:
        return False


def _with_gaps(metrics: Any) -> Any:
    if isinstance(metrics, dict):
        return {key: _with_gaps(value) for key, value in metrics.items()}
    if isinstance(metrics, list):
        if any(_is_tier_gap(metric) for metric in metrics):
            return [*metrics, paraphrase_gaps()]
        return [_with_gaps(metric) if isinstance(metric, dict) else metric for metric in metrics]
    return metrics


def with_paraphrase_gaps(scorers: list[Scorer]) -> list[Scorer]:
    """`scorers`, each with `paraphrase_gaps()` after the metrics of its gap keys. The scorers'
    own metric declarations are replaced on these instances only (not shared ones)."""
    for scorer in scorers:
        metadata = registry_info(scorer).metadata
        metadata[SCORER_METRICS] = _with_gaps(metadata.get(SCORER_METRICS))
    return scorers
