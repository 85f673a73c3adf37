"""Re-grade a log's compliance with StrongREJECT.

inspect score --scorer scorers/strong_reject.py LOG --model-role grader=openai/gpt-4o
"""

from __future__ import annotations

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.calls import DEFAULT_MAX_RETRIES
from af_inspect.scorers.judges.strong_reject import (
    strong_reject_compliance,
    strong_reject_metrics,
)


@scorer(metrics=strong_reject_metrics())
def strong_reject(
    grader: str | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    cache: bool | str = True,
) -> Scorer:
    """StrongREJECT compliance (score > 0), per tier, with the gap and the tag agreement."""
    return strong_reject_compliance(grader=grader, max_retries=max_retries, cache=cache)
