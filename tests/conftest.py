"""Shared test set-up.

Inspect's `mockllm` provider counts tokens with tiktoken's `o200k_base`
encoding, which tiktoken downloads on first use. These machines have no
network, so every test process gets a stand-in encoding that counts
whitespace-separated words. Nothing here touches a real model or the network.

Tests marked `slow` (full evals of many samples, subprocess runs of `inspect eval`) run with
`pytest --run-slow` or when the environment variable `CI` is true (`.ci/run` sets it); a plain
`pytest` skips them and says so in one line at the end, as it does for the tests that need the
upstream prompt files (`AF_INSPECT_ASSETS_DIR`).

`pytest` runs on every core (pytest-xdist `-n auto`, set in pyproject.toml; `pytest -n 0` for one
process). So that a test's result never depends on which tests ran before it in the same worker,
each test starts without Inspect's memoized model instances (`_fresh_models`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SLOW_REASON = "slow: run with `pytest --run-slow` or CI=true"
ASSETS_REASON = "upstream reference assets not found"


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow", action="store_true", help="also run the tests marked slow (as CI does)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or _ci():
        return
    skip = pytest.mark.skip(reason=SLOW_REASON)
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# Test files whose tests share a module-scoped fixture worth keeping: pytest-xdist sends each
# to one worker as a whole, so the fixture is built once (tests/test_report.py: `logs`, about
# 40 s of evals). Add a file here when it gains such a fixture.
KEEP_TOGETHER = ("tests/test_report.py",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`-n` with the default `--dist load`: tests go one by one to whichever worker is free, except
    that each file of `KEEP_TOGETHER` goes whole to one worker, and first (the longest unit).

    (`--dist loadgroup` with `xdist_group` marks would say this, but pytest-xdist 3.8 cannot
    regroup tests under pytest 9.2, whose node ids it no longer rewrites.)
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LoadKeepingFilesTogether(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path in KEEP_TOGETHER else nodeid

    config.option.loadscopereorder = True  # the largest unit (a kept file) is sent first
    return LoadKeepingFilesTogether(config, log)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per kind of skipped test: how many, why, and how to run them."""
    reasons = [str(report.longrepr[-1]) for report in terminalreporter.stats.get("skipped", [])]
    slow = sum(SLOW_REASON in reason for reason in reasons)
    assets = sum(ASSETS_REASON in reason for reason in reasons)
    if slow:
        terminalreporter.write_line(
            f"{slow} slow tests skipped (full evals): run them with `pytest --run-slow` or "
            "CI=true, as .ci/run does."
        )
    if assets and not _assets_dir().is_dir():
        terminalreporter.write_line(
            f"{assets} tests skipped: the upstream prompt files were not found at {_assets_dir()}; "
            "point AF_INSPECT_ASSETS_DIR at a copy laid out like the upstream repository "
            "(prompts/system_prompts/..., see README, Assets) to run them."
        )
    elif assets:
        example = next(reason for reason in reasons if ASSETS_REASON in reason)
        terminalreporter.write_line(
            f"{assets} tests skipped: files they need are missing from {_assets_dir()} "
            f"(e.g. {example.split(': ', 1)[-1]}); add them there to run those tests."
        )


def _assets_dir() -> Path:
    configured = os.environ.get("AF_INSPECT_ASSETS_DIR")
    return Path(configured).resolve() if configured else REFERENCE_DIR


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


@pytest.fixture(autouse=True, scope="session")
def _quiet_display_renders_nothing() -> Iterator[None]:
    """Skip rendering Inspect's live display when its console is quiet (`display="none"`).

    With `display="none"` Inspect still builds its rich progress and results tables, once a
    second and at the end of every eval, and a quiet console then discards them; that costs
    about 1.5 s of CPU per small eval here, most of a typical test's time. Nothing is shown
    either way, so the tests skip the rendering. Evals that display (not quiet) are unchanged.
    """
    from rich.live import Live

    original = Live.refresh

    def refresh(self: Live) -> None:
        if not self.console.quiet:
            original(self)

    Live.refresh = refresh  # type: ignore[method-assign]
    try:
        yield
    finally:
        Live.refresh = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Give every test its own asset cache and Inspect model cache, so no test reads another's."""
    monkeypatch.setenv("AF_INSPECT_CACHE_DIR", str(tmp_path_factory.mktemp("asset-cache")))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path_factory.mktemp("inspect-cache")))
    monkeypatch.delenv("AF_INSPECT_LOCK_FILE", raising=False)


@pytest.fixture(autouse=True)
def _fresh_models() -> None:
    """Start every test without the model instances earlier tests left in this process.

    Inspect memoizes `get_model` instances per process, and the simulated provider counts
    repeated prompts per instance (a repeat gets a fresh draw), so without this a test's draws
    would depend on which tests ran before it in the same process, which under pytest-xdist
    changes from run to run.
    """
    model_module = sys.modules.get("inspect_ai.model._model")
    if model_module is not None:
        model_module._models.clear()


@pytest.fixture
def reference_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared copy of the upstream prompt files, used as the asset override.

    Skips (with the path looked for) when the checkout has no `../shared/reference`.
    """
    path = _assets_dir()
    if not (path / "prompts").is_dir():
        pytest.skip(f"{ASSETS_REASON} at {path} (set AF_INSPECT_ASSETS_DIR)")
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(path))
    return path


@pytest.fixture
def judge_env(reference_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Reference prompts + own-words stand-ins as the asset override; a private Inspect cache."""
    from tests.scripted_judge import build_assets_dir

    assets = build_assets_dir(reference_dir, tmp_path / "assets")
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(assets))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    return assets
