"""Re-grade a log with the partial-compliance classifier (its unconditional verdict).

inspect score --scorer scorers/partial_compliance.py LOG
"""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.partial_compliance import (
    partial_compliance_classifier,
    partial_compliance_metrics,
)


@scorer(metrics=partial_compliance_metrics())
def partial_compliance(**scorer_args: Any) -> Scorer:
    """The partial-compliance verdict on every valid response with a scratchpad.

    `-S` arguments are passed through: see `af_inspect.scorers.judges.partial_compliance.partial_compliance_classifier` for them and their defaults.
    """
    return partial_compliance_classifier(**scorer_args)
