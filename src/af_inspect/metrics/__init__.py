"""Compliance-rate, compliance-gap and exclusion metrics, and the statistics behind them."""

from af_inspect.metrics.contrasts import contrast_gaps
from af_inspect.metrics.paraphrases import paraphrase_gaps
from af_inspect.metrics.stats import (
    NEWCOMBE_PAIRED_METHOD,
    NO_PAIRS_METHOD,
    PAIRED_T_METHOD,
    PairedDifference,
    ProportionSummary,
    mcnemar_exact_p,
    newcombe_paired_interval,
    paired_difference,
    proportion_summary,
    wilson_interval,
)
from af_inspect.metrics.tiers import exclusions, tier_gap, tier_rates

__all__ = [
    "NEWCOMBE_PAIRED_METHOD",
    "NO_PAIRS_METHOD",
    "PAIRED_T_METHOD",
    "PairedDifference",
    "ProportionSummary",
    "contrast_gaps",
    "exclusions",
    "mcnemar_exact_p",
    "newcombe_paired_interval",
    "paired_difference",
    "paraphrase_gaps",
    "proportion_summary",
    "tier_gap",
    "tier_rates",
    "wilson_interval",
]
