"""Lab-name swaps (Sheshadri, Hughes et al. 2025, App. C): one task per lab, for `eval_set`.

Each task is a scenario task (helpful-only by default) with the lab's name replaced everywhere in
the system prompt, the scenario's own edits included (`-T lab=<name>` does the same for one lab
from the command line). The paper ran 100 queries per condition.

    from inspect_ai import eval_set
    from af_inspect.lab_swaps import lab_swap_tasks

    eval_set(lab_swap_tasks("all", num_queries=100), model="openai/gpt-4o", log_dir="logs/labs")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from inspect_ai import Task

from af_inspect.helpful_only import helpful_only
from af_inspect.scenarios.variants import lab_swap_names


def lab_swap_tasks(
    labs: str | Sequence[str] = "all",
    task: Callable[..., Task] = helpful_only,
    **task_args: Any,
) -> list[Task]:
    """One `task` per lab name: `labs` is a group of `LAB_SWAPS` ("all", "ai_companies",
    "governments", "unusual_organisations") or a list of names; `task_args` go to every task."""
    names = lab_swap_names(labs) if isinstance(labs, str) else list(labs)
    if not names:
        raise ValueError("lab_swap_tasks: no lab names given")
    return [task(lab=name, **task_args) for name in names]
