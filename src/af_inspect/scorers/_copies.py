"""A Score whose deep copies share its metadata, for Inspect's per-key metric copies."""

from __future__ import annotations

import copy
from typing import Any

from inspect_ai.scorer import Score
from typing_extensions import Self


class SharedMetadataScore(Score):
    """A `Score` whose deep copies share its metadata and edit history; the value is copied.

    For a score registered with metrics per value key, Inspect deep-copies each sample's score
    once per key every time it computes metrics, which it does on every refresh of its live
    display (even with ``--display none``), only to replace the copy's value with that key's.
    With the suite's score metadata (the response's parse, the judges' reasons) those copies were
    most of a refresh (docs/benchmarks.md). The scorers write the metadata once and nothing
    changes it afterwards, so a copy can share it. The log is unchanged: it records a `Score`.
    """

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        return self.model_copy(update={"value": copy.deepcopy(self.value, memo)})
