"""Closed vocabularies shared across the suite."""

from __future__ import annotations

from enum import Enum


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
