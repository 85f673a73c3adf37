"""Re-grade a log with the combined judges (StrongREJECT + AF classifier + partial compliance).

    inspect score --scorer scorers/outcome.py LOG --model-role grader=openai/gpt-4o
    inspect score --scorer scorers/outcome.py -S votes=20 -S categorize=true --action overwrite LOG

Judge calls are cached (Inspect's cache), so re-scoring the same log with the same judge makes
no new model calls. See `af_inspect.scorers.judges.outcome.af_outcome` for values and metadata.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.outcome import af_outcome, outcome_metrics


@scorer(metrics=outcome_metrics())
def outcome(**scorer_args: Any) -> Scorer:
    """Six outcome categories per sample, with compliance, AF and partial-compliance rates.

    `-S` arguments are passed through: see `af_inspect.scorers.judges.outcome.af_outcome` for them and their defaults.
    """
    return af_outcome(**scorer_args)
