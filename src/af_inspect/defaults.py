"""Every number taken from the papers or their code, named once.

Sources: Sheshadri, Hughes et al. 2025 (arXiv 2506.18032) and the facts gathered about its code in
`shared/reference/open_source_af/UPSTREAM_FACTS.md` (Q6 sampling settings, Q5 datasets).
"""

from __future__ import annotations

MODEL_TEMPERATURE = 0.0
"""Model under test samples at temperature 0 (upstream `ModelEval`)."""

MODEL_MAX_TOKENS = 2000
"""Upstream `BaseEval` default max_tokens, as reported (no stop sequence is set)."""

MAX_RESAMPLES = 10
"""Upstream re-queries an invalid response up to 10 times, then keeps the last output."""

MAX_NEXT_TURNS = 4
"""Bound on `<NEXT/>` continuations per attempt (Redwood multi-turn protocol); our choice."""

NUM_QUERIES = 100
"""Upstream run script takes the first 100 rows of the harmful-query dataset."""

TIERS = ("free", "paid")

SYNTHETIC_QUERY_COUNT = 1000
"""Size of the built-in placeholder query set used with the simulated organism."""
