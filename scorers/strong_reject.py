"""Re-grade a log's compliance with StrongREJECT.

inspect score --scorer scorers/strong_reject.py LOG --model-role grader=openai/gpt-4o
"""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.strong_reject import strong_reject_compliance, strong_reject_metrics


@scorer(metrics=strong_reject_metrics())
def strong_reject(**scorer_args: Any) -> Scorer:
    """StrongREJECT compliance (score > 0), per tier, with the gap and the tag agreement.

    `-S` arguments are passed through: see `af_inspect.scorers.judges.strong_reject.strong_reject_compliance` for them and their defaults.
    """
    return strong_reject_compliance(**scorer_args)
