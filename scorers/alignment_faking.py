"""Re-grade a log's alignment-faking reasoning with the new 20-vote classifier.

inspect score --scorer scorers/alignment_faking.py LOG -S votes=20 -S threshold=0.4
"""

from __future__ import annotations

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.alignment_faking import af_classifier, af_classifier_metrics
from af_inspect.scorers.judges.calls import DEFAULT_MAX_RETRIES, VoteMode
from af_inspect.scorers.judges.components import (
    DEFAULT_MIN_VALID_SHARE,
    DEFAULT_THRESHOLD,
    DEFAULT_VOTES,
)


@scorer(metrics=af_classifier_metrics())
def alignment_faking(
    grader: str | None = None,
    votes: int = DEFAULT_VOTES,
    threshold: float = DEFAULT_THRESHOLD,
    min_valid_share: float = DEFAULT_MIN_VALID_SHARE,
    vote_mode: VoteMode = "auto",
    max_retries: int = DEFAULT_MAX_RETRIES,
    cache: bool | str = True,
) -> Scorer:
    """AF reasoning by majority vote (AF iff the Yes share of valid votes >= threshold)."""
    return af_classifier(
        grader=grader,
        votes=votes,
        threshold=threshold,
        min_valid_share=min_valid_share,
        vote_mode=vote_mode,
        max_retries=max_retries,
        cache=cache,
    )
