"""The opt-in GC policy: AF_INSPECT_GC_FREEZE freezes the heap at task start, changing no result."""

from __future__ import annotations

import ast
import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import get_model

from af_inspect import helpful_only
from af_inspect.errors import UsageError
from af_inspect.gc_policy import GC_FREEZE_ENV, GcFreeze, gc_freeze_requested


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("Yes", True), ("0", False), ("", False), ("off", False)],
)
def test_switch_values(value: str, expected: bool) -> None:
    assert gc_freeze_requested({GC_FREEZE_ENV: value}) is expected
    assert gc_freeze_requested({}) is False


def test_a_bad_value_is_named_and_stops_task_creation(
    reference_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UsageError, match=f"{GC_FREEZE_ENV}='maybe' is not a switch"):
        gc_freeze_requested({GC_FREEZE_ENV: "maybe"})
    monkeypatch.setenv(GC_FREEZE_ENV, "maybe")
    # The hook itself stays off rather than fail inside Inspect's hook dispatch ...
    assert GcFreeze().enabled() is False
    # ... because our tasks refuse the value when they are created.
    with pytest.raises(UsageError, match=GC_FREEZE_ENV):
        helpful_only(dataset="synthetic", num_queries=2)


def _run(tmp_path: Path) -> EvalLog:
    [log] = inspect_eval(
        helpful_only(dataset="synthetic", num_queries=4, scorers="tags"),
        # A fresh organism each run: a memoized one counts repeats of the same input.
        model=get_model("af_inspect/simulated", memoize=False),
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    return log


def test_freeze_at_task_start_changes_no_score(
    reference_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    monkeypatch.delenv(GC_FREEZE_ENV, raising=False)
    plain = _run(tmp_path / "plain")
    assert gc.get_freeze_count() == 0

    monkeypatch.setenv(GC_FREEZE_ENV, "1")
    frozen = _run(tmp_path / "frozen")
    # Inspect, the provider and the task were all built by then: a large heap is frozen.
    assert gc.get_freeze_count() > 50_000

    def scores(log: EvalLog) -> list[tuple[object, object]]:
        assert log.samples is not None
        return [(s.id, {k: v.value for k, v in (s.scores or {}).items()}) for s in log.samples]

    assert scores(frozen) == scores(plain)
    assert frozen.results is not None and plain.results is not None
    assert frozen.results.scores == plain.results.scores


def _hooks_registered_on_import(*environs: dict[str, str]) -> list[list[str]]:
    """The hooks registered after importing the suite, one fresh process per environment."""
    code = (
        "import af_inspect._registry\n"
        "from inspect_ai._util.registry import registry_info\n"
        "from inspect_ai.hooks._hooks import get_all_hooks\n"
        "print([registry_info(h).name for h in get_all_hooks()])\n"
    )
    base = {k: v for k, v in os.environ.items() if k != GC_FREEZE_ENV}
    # Started together: each import of the suite takes seconds.
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=base | environ,
        )
        for environ in environs
    ]
    registered = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        registered.append(list(ast.literal_eval(stdout.strip().splitlines()[-1])))
    return registered


def test_the_hook_is_registered_only_when_asked_for() -> None:
    # Inspect prints a "hooks enabled" banner at the start of any run with a registered hook.
    assert _hooks_registered_on_import({}, {GC_FREEZE_ENV: "maybe"}, {GC_FREEZE_ENV: "1"}) == [
        [],
        [],
        ["af_inspect/gc_freeze"],
    ]
