"""Re-grade a log with the classic easy/hard AF classifiers of Greenblatt et al. (2024).

    inspect score --scorer scorers/classic.py LOG \
        --model-role classic_grader=anthropic/claude-3-5-sonnet-20241022
"""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.classic import classic_af_classifier, classic_metrics


@scorer(metrics=classic_metrics())
def classic(**scorer_args: Any) -> Scorer:
    """Classic AF: (easy + hard) / 2 per sample, and each classifier's own verdict.

    `-S` arguments are passed through: see `af_inspect.scorers.judges.classic.classic_af_classifier` for them and their defaults.
    """
    return classic_af_classifier(**scorer_args)
