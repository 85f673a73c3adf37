"""Re-grade a log with the partial-compliance classifier (its unconditional verdict).

inspect score --scorer scorers/partial_compliance.py LOG
"""

from __future__ import annotations

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.calls import DEFAULT_MAX_RETRIES
from af_inspect.scorers.judges.partial_compliance import (
    partial_compliance_classifier,
    partial_compliance_metrics,
)


@scorer(metrics=partial_compliance_metrics())
def partial_compliance(
    grader: str | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    cache: bool | str = True,
) -> Scorer:
    """The partial-compliance verdict on every valid response with a scratchpad."""
    return partial_compliance_classifier(grader=grader, max_retries=max_retries, cache=cache)
