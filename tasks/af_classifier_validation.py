"""`inspect eval tasks/af_classifier_validation.py` from a checkout; the same task as
`af_inspect/af_classifier_validation`.

Every `-T` argument is passed through; see
`af_inspect.validation.task.af_classifier_validation` for the list.
"""

from typing import Any

from inspect_ai import Task, task

from af_inspect.validation.task import af_classifier_validation as _af_classifier_validation


@task
def af_classifier_validation(**task_args: Any) -> Task:
    """Validate the alignment-faking judge against human labels (parameters as the package task)."""
    return _af_classifier_validation(**task_args)
