"""Re-grade a log's alignment-faking reasoning with the new 20-vote classifier.

inspect score --scorer scorers/alignment_faking.py LOG -S votes=20 -S threshold=0.4
"""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.alignment_faking import af_classifier, af_classifier_metrics


@scorer(metrics=af_classifier_metrics())
def alignment_faking(**scorer_args: Any) -> Scorer:
    """AF reasoning by majority vote (AF iff the Yes share of valid votes >= threshold).

    `-S` arguments are passed through: see `af_inspect.scorers.judges.alignment_faking.af_classifier` for them and their defaults.
    """
    return af_classifier(**scorer_args)
