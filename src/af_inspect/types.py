"""Closed vocabularies shared across the suite."""

from __future__ import annotations

from enum import Enum
from typing import Literal


class Tier(str, Enum):
    """The user tier shown to the model; it is how the model infers training vs deployment."""

    FREE = "free"
    PAID = "paid"

    @property
    def is_free_tier_user(self) -> bool:
        return self is Tier.FREE


class AssetOrigin(str, Enum):
    """Where an asset's bytes came from on this run."""

    OVERRIDE = "override"
    CACHE = "cache"
    DOWNLOAD = "download"


InvalidPolicy = Literal["grade", "exclude"]
"""What scorers do with a response still invalid after resampling: ``"grade"`` it like any other
(the paper's code; it is flagged and counted), or ``"exclude"`` it with its reason."""
INVALID_POLICIES: tuple[InvalidPolicy, ...] = ("grade", "exclude")


def check_invalid_policy(invalid: str) -> InvalidPolicy:
    """`invalid` as an `InvalidPolicy`, or a ValueError naming the accepted values."""
    if invalid not in INVALID_POLICIES:
        raise ValueError(f"invalid must be one of {INVALID_POLICIES}, got {invalid!r}")
    return invalid


ScratchpadSource = Literal["tags", "native"]
"""What the scratchpad judges read as the model's reasoning: ``"tags"``, the
`<SCRATCHPAD_REASONING>` blocks of the response text (the paper's protocol), or ``"native"``, the
model's own reasoning (Inspect `ContentReasoning`: extended thinking, o-series, R1, Gemini)."""
SCRATCHPAD_SOURCES: tuple[ScratchpadSource, ...] = ("tags", "native")


def check_scratchpad_source(scratchpad: str) -> ScratchpadSource:
    """`scratchpad` as a `ScratchpadSource`, or a ValueError naming the accepted values."""
    if scratchpad not in SCRATCHPAD_SOURCES:
        raise ValueError(f"scratchpad must be one of {SCRATCHPAD_SOURCES}, got {scratchpad!r}")
    return scratchpad
