"""Shared test set-up.

Inspect's `mockllm` provider counts tokens with tiktoken's `o200k_base`
encoding, which tiktoken downloads on first use. These machines have no
network, so every test process gets a stand-in encoding that counts
whitespace-separated words. Nothing here touches a real model or the network.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REFERENCE_DIR = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "open_source_af"
).resolve()


class _WordEncoding:
    name = "offline-word-count"

    def encode(self, text: str, **_: Any) -> list[int]:
        return [0] * len(text.split())


@pytest.fixture(autouse=True, scope="session")
def _offline_tiktoken() -> Iterator[None]:
    import tiktoken

    original = tiktoken.get_encoding
    tiktoken.get_encoding = lambda name: _WordEncoding()  # type: ignore[assignment,misc,return-value]
    try:
        yield
    finally:
        tiktoken.get_encoding = original


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Give every test its own asset cache and Inspect model cache, so no test reads another's."""
    monkeypatch.setenv("AF_INSPECT_CACHE_DIR", str(tmp_path_factory.mktemp("asset-cache")))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path_factory.mktemp("inspect-cache")))
    monkeypatch.delenv("AF_INSPECT_LOCK_FILE", raising=False)


@pytest.fixture
def reference_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared copy of the upstream prompt files, used as the asset override.

    Skips (with the path looked for) when the checkout has no `../shared/reference`.
    """
    configured = os.environ.get("AF_INSPECT_ASSETS_DIR")
    path = Path(configured).resolve() if configured else REFERENCE_DIR
    if not (path / "prompts").is_dir():
        pytest.skip(f"upstream reference assets not found at {path} (set AF_INSPECT_ASSETS_DIR)")
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(path))
    return path
