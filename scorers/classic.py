"""Re-grade a log with the classic easy/hard AF classifiers of Greenblatt et al. (2024).

    inspect score --scorer scorers/classic.py LOG \
        --model-role classic_grader=anthropic/claude-3-5-sonnet-20241022
"""

from __future__ import annotations

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.calls import DEFAULT_MAX_RETRIES
from af_inspect.scorers.judges.classic import classic_af_classifier, classic_metrics


@scorer(metrics=classic_metrics())
def classic(
    grader: str | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    cache: bool | str = True,
) -> Scorer:
    """Classic AF: (easy + hard) / 2 per sample, and each classifier's own verdict."""
    return classic_af_classifier(grader=grader, max_retries=max_retries, cache=cache)
