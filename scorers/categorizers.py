"""Re-grade a log with the motivation categorizers (helpfulness and AF motivations).

inspect score --scorer scorers/categorizers.py LOG -S which=both
"""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Scorer, scorer

from af_inspect.scorers.judges.categorizers import categorizer_metrics, motivation_categorizers


@scorer(metrics=categorizer_metrics())
def categorizers(**scorer_args: Any) -> Scorer:
    """Categories of every valid response with a scratchpad (``cat_<category>`` 0/1).

    `-S` arguments are passed through: see `af_inspect.scorers.judges.categorizers.motivation_categorizers` for them and their defaults.
    """
    return motivation_categorizers(**scorer_args)
