"""Re-grade a log with the motivation categorizers (helpfulness and AF motivations).

inspect score --scorer scorers/categorizers.py LOG -S which=both
"""

from __future__ import annotations

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.calls import DEFAULT_MAX_RETRIES
from af_inspect.scorers.judges.categorizers import (
    CategorizerChoice,
    categorizer_metrics,
    motivation_categorizers,
)


@scorer(metrics=categorizer_metrics())
def categorizers(
    grader: str | None = None,
    which: CategorizerChoice = "both",
    max_retries: int = DEFAULT_MAX_RETRIES,
    cache: bool | str = True,
) -> Scorer:
    """Categories of every valid response with a scratchpad (``cat_<category>`` 0/1)."""
    return motivation_categorizers(grader=grader, which=which, max_retries=max_retries, cache=cache)
