"""`inspect eval tasks/helpful_only.py` from a checkout; the same task as `af_inspect/helpful_only`.

Every `-T` argument is passed through; see `af_inspect.helpful_only.helpful_only` for the list.
"""

from typing import Any

from inspect_ai import Task, task

from af_inspect.helpful_only import helpful_only as _helpful_only


@task
def helpful_only(**task_args: Any) -> Task:
    """Helpful-only setting, free vs paid tier (parameters as `af_inspect/helpful_only`)."""
    return _helpful_only(**task_args)
