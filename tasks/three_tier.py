"""`inspect eval tasks/three_tier.py` from a checkout; the same task as `af_inspect/three_tier`.

Every `-T` argument is passed through; see `af_inspect.three_tier.three_tier` for the list.
"""

from typing import Any

from inspect_ai import Task, task

from af_inspect.three_tier import three_tier as _three_tier


@task
def three_tier(**task_args: Any) -> Task:
    """Three tiers: free (rated, trained), pro (rated), enterprise (neither)."""
    return _three_tier(**task_args)
