"""Re-grade a log with the combined judges (StrongREJECT + AF classifier + partial compliance).

    inspect score --scorer scorers/outcome.py LOG --model-role grader=openai/gpt-4o
    inspect score --scorer scorers/outcome.py -S votes=20 -S categorize=true --action overwrite LOG

Judge calls are cached (Inspect's cache), so re-scoring the same log with the same judge makes
no new model calls. See `af_inspect.scorers.judges.outcome.af_outcome` for values and metadata.
"""

from __future__ import annotations

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.calls import DEFAULT_MAX_RETRIES, VoteMode
from af_inspect.scorers.judges.components import (
    DEFAULT_MIN_VALID_SHARE,
    DEFAULT_THRESHOLD,
    DEFAULT_VOTES,
)
from af_inspect.scorers.judges.outcome import af_outcome, outcome_metrics


@scorer(metrics=outcome_metrics())
def outcome(
    grader: str | None = None,
    votes: int = DEFAULT_VOTES,
    threshold: float = DEFAULT_THRESHOLD,
    min_valid_share: float = DEFAULT_MIN_VALID_SHARE,
    vote_mode: VoteMode = "auto",
    categorize: bool = False,
    max_retries: int = DEFAULT_MAX_RETRIES,
    cache: bool | str = True,
) -> Scorer:
    """Six outcome categories per sample, with compliance, AF and partial-compliance rates."""
    return af_outcome(
        grader=grader,
        votes=votes,
        threshold=threshold,
        min_valid_share=min_valid_share,
        vote_mode=vote_mode,
        categorize=categorize,
        max_retries=max_retries,
        cache=cache,
    )
