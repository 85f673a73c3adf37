"""A Score whose deep copies share its metadata, for Inspect's per-key metric copies."""

from __future__ import annotations

import copy
from typing import Any

from inspect_ai.scorer import Score


class SharedMetadataScore(Score):
    """A `Score` whose deep copies share its metadata and edit history; the value is copied.

    For a score registered with metrics per value key, Inspect deep-copies each sample's score
    once per key every time it computes metrics, which it does on every refresh of its live
    display (even with ``--display none``), only to replace the copy's value with that key's.
    With the suite's score metadata (the response's parse, the judges' reasons) those copies were
    most of a refresh (docs/benchmarks.md). The scorers write the metadata once and nothing
    changes it afterwards, so a copy can share it. The log is unchanged: it records a `Score`.
    """

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> SharedMetadataScore:
        value = self.value
        # A score value is a scalar, or a list or dict of scalars (Inspect's `Value`), so a copy of
        # the container is a deep copy; the suite's dicts have up to some twenty keys.
        if isinstance(value, dict):
            value = dict(value)
        elif isinstance(value, list):
            value = list(value)
        else:
            value = copy.deepcopy(value, memo)
        return self.model_copy(update={"value": value})
