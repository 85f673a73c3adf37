"""An opt-in garbage-collection policy for large runs: freeze the heap once a task has started.

By the time a task starts, Inspect, the providers and the suite have built a heap of about
450,000 long-lived objects (modules, schemas, the loaded prompts). Python's full collections
walk all of them again and again while samples run; `gc.freeze()` moves them out of the
collector's reach, so later collections walk only what the samples allocate. Nothing in the
log changes. It is an opt-in (`AF_INSPECT_GC_FREEZE=1`), not a default, because a frozen object
that later becomes cyclic garbage is never freed: a long process that runs many evals keeps a
little more memory.

Implemented as an Inspect hook, so it applies to every task of the process, ours or not, from
`inspect eval`, `eval_set` or Python alike. The hook is registered only when the switch is on
(by `af_inspect._registry` when Inspect loads the suite, and again by our tasks when they are
created): Inspect prints an "inspect_ai vX - hooks enabled" banner at the start of every run in
which any hook is registered, and a run that did not ask for the policy should not show one.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Mapping

from inspect_ai.hooks import Hooks, TaskStart, hooks

from af_inspect.errors import UsageError

GC_FREEZE_ENV = "AF_INSPECT_GC_FREEZE"
"""Set to 1 (or true/yes) to freeze the heap when each task starts."""

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def gc_freeze_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether `AF_INSPECT_GC_FREEZE` asks for the policy; any other value is an error."""
    value = environ.get(GC_FREEZE_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(
        f"{GC_FREEZE_ENV}={environ[GC_FREEZE_ENV]!r} is not a switch: use 1 (freeze the heap "
        "when each task starts) or 0 (Python's default collection)"
    )


@functools.lru_cache(maxsize=16)
def _switched_on(raw: str) -> bool:
    # A bad value stops our tasks at creation (`scenario_task` checks it); here it is off.
    try:
        return gc_freeze_requested({GC_FREEZE_ENV: raw})
    except UsageError:
        return False


def freeze_heap() -> int:
    """Collect once, then freeze every surviving object; returns the number frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class GcFreeze(Hooks):
    def enabled(self) -> bool:
        # Inspect asks this before every hook call, sample events included: keep it cheap.
        return _switched_on(os.environ.get(GC_FREEZE_ENV, ""))

    async def on_task_start(self, data: TaskStart) -> None:
        freeze_heap()


@functools.cache
def register_gc_freeze_hook() -> None:
    """Register the hook with Inspect, once per process."""
    hooks(name="gc_freeze", description=f"gc.freeze() when each task starts ({GC_FREEZE_ENV}=1)")(
        GcFreeze
    )


def register_if_requested(environ: Mapping[str, str] = os.environ) -> None:
    """Register the hook when `AF_INSPECT_GC_FREEZE` is on; a bad value raises `UsageError`."""
    if gc_freeze_requested(environ):
        register_gc_freeze_hook()
