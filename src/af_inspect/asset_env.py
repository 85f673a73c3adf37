"""Names of the asset settings, apart from `af_inspect.assets` so the CLI can show them in its
help without importing the asset code (which loads Inspect through `af_inspect.errors`)."""

from __future__ import annotations

ENV_ASSETS_DIR = "AF_INSPECT_ASSETS_DIR"
ENV_LOCK_FILE = "AF_INSPECT_LOCK_FILE"
DEFAULT_LOCK_FILE_NAME = "af_inspect.lock.json"
