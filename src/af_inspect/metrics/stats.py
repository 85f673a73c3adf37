"""Statistics for compliance rates and compliance gaps (pure functions, no Inspect).

Definitions follow Sheshadri, Hughes et al. (2025), "Why do some language models
fake alignment while others don't?" (arXiv:2506.18032): the compliance rate of a
tier is the fraction ``f`` of its ``n`` queries the model complied with, reported
with the 1-sigma error ``sqrt(f(1-f)/n)``, and the compliance gap is the free-tier
rate minus the paid-tier rate.

On top of those, this module gives:

- the Wilson (1927) score interval for a single rate;
- for the gap, an interval that uses the pairing of the two tiers (the same
  query is asked in both): Newcombe's (1998) hybrid score interval for the
  difference of paired proportions when every value is 0/1, and a paired
  t-interval when values are fractional (per-query means over epochs);
- the exact (conditional, binomial) McNemar test of "no gap" for 0/1 values.

References:
    Wilson EB (1927). Probable inference, the law of succession, and
    statistical inference. J Am Stat Assoc 22:209-212.

    Newcombe RG (1998). Improved confidence intervals for the difference
    between binomial proportions based on paired data. Stat Med
    17:2635-2650. (Method 10, "hybrid score", no continuity correction.)

    Fagerland MW, Lydersen S, Laake P (2017). Statistical Analysis of
    Contingency Tables, ch. 8 ("Newcombe square-and-add interval"), which
    states method 10 with the same correlation estimate used here.

    McNemar Q (1947). Note on the sampling error of the difference between
    correlated proportions or percentages. Psychometrika 12:153-157.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats as scipy_stats

NEWCOMBE_PAIRED_METHOD = "newcombe_paired_hybrid_score"
"""`PairedDifference.method` for 0/1 values: Newcombe (1998, paired) method 10."""

PAIRED_T_METHOD = "paired_t"
"""`PairedDifference.method` for fractional values: t-interval on per-pair differences."""

NO_PAIRS_METHOD = "none"
"""`PairedDifference.method` when there are no pairs, so nothing was estimated."""

_NAN = float("nan")


@dataclass(frozen=True)
class ProportionSummary:
    """A rate with its 1-sigma standard error and Wilson score interval.

    Attributes:
        rate: successes / n (NaN when n is 0).
        stderr: sqrt(rate (1 - rate) / n), the 1-sigma error of Sheshadri,
            Hughes et al. (2025) (NaN when n is 0).
        wilson_low: Lower limit of the Wilson score interval (NaN when n is 0).
        wilson_high: Upper limit of the Wilson score interval (NaN when n is 0).
        n: Number of trials.
    """

    rate: float
    stderr: float
    wilson_low: float
    wilson_high: float
    n: int


@dataclass(frozen=True)
class PairedDifference:
    """The difference mean(first) - mean(second) over pairs, with an interval.

    Attributes:
        difference: mean(first) - mean(second) over the pairs (NaN when there
            are none).
        ci_low: Lower confidence limit (NaN when it cannot be computed).
        ci_high: Upper confidence limit (NaN when it cannot be computed).
        method: `NEWCOMBE_PAIRED_METHOD`, `PAIRED_T_METHOD` or `NO_PAIRS_METHOD`.
        n_pairs: Number of pairs.
        both: Pairs with first = 1 and second = 1 (NaN unless all values are 0/1).
        first_only: Pairs with first = 1 and second = 0 (NaN unless all 0/1).
        second_only: Pairs with first = 0 and second = 1 (NaN unless all 0/1).
        neither: Pairs with first = 0 and second = 0 (NaN unless all 0/1).
        mcnemar_p: Exact McNemar p-value (NaN unless all values are 0/1).
    """

    difference: float
    ci_low: float
    ci_high: float
    method: str
    n_pairs: int
    both: float
    first_only: float
    second_only: float
    neither: float
    mcnemar_p: float


def proportion_summary(successes: float, n: int, confidence: float = 0.95) -> ProportionSummary:
    """Summarise `successes` out of `n` as a rate, 1-sigma error and Wilson interval.

    The standard error is the one Sheshadri, Hughes et al. (2025) report,
    sqrt(f(1-f)/n). The interval is Wilson's (1927) score interval without
    continuity correction.

    `successes` may be fractional (a sum of per-query means over epochs); the
    formulas are then applied to f = successes / n as they stand.

    Args:
        successes: Number (or summed fraction) of successes, 0 <= successes <= n.
        n: Number of trials, >= 0. With n = 0 every statistic is NaN.
        confidence: Two-sided confidence level of the Wilson interval, in (0, 1).

    Returns:
        The summary; NaNs (not an exception) when n is 0.

    Raises:
        ValueError: `successes` is not within [0, n], `n` is negative or
            `confidence` is not within (0, 1).
    """
    _check_confidence(confidence)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not (0.0 <= successes <= n):  # also rejects NaN
        raise ValueError(f"successes must be within [0, n={n}], got {successes}")
    if n == 0:
        return ProportionSummary(rate=_NAN, stderr=_NAN, wilson_low=_NAN, wilson_high=_NAN, n=0)
    rate = successes / n
    wilson_low, wilson_high = wilson_interval(successes, n, confidence)
    return ProportionSummary(
        rate=rate,
        stderr=math.sqrt(rate * (1.0 - rate) / n),
        wilson_low=wilson_low,
        wilson_high=wilson_high,
        n=n,
    )


def wilson_interval(successes: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's (1927) score interval for a binomial proportion, without continuity correction.

    With p = successes / n and z the two-sided normal quantile,
    centre = (p + z^2 / 2n) / (1 + z^2 / n) and
    half-width = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2).
    The limits are clipped to [0, 1] to remove floating-point overshoot at
    p = 0 or p = 1 (where the exact limit is 0 or 1).

    Args:
        successes: Number (or summed fraction) of successes, 0 <= successes <= n.
        n: Number of trials; NaNs when 0.
        confidence: Two-sided confidence level, in (0, 1).

    Returns:
        (low, high).
    """
    _check_confidence(confidence)
    if n == 0:
        return _NAN, _NAN
    z = _normal_quantile(confidence)
    p = successes / n
    z2_over_n = z * z / n
    centre = (p + z2_over_n / 2.0) / (1.0 + z2_over_n)
    half_width = z / (1.0 + z2_over_n) * math.sqrt(p * (1.0 - p) / n + z2_over_n / (4.0 * n))
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


def mcnemar_exact_p(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pair counts.

    Conditional on the b + c discordant pairs, b ~ Binomial(b + c, 1/2) under
    the null hypothesis of equal marginal proportions, so
    p = min(1, 2 * BinomCDF(min(b, c); b + c, 1/2)), and p = 1 when b + c = 0.
    This is the p-value `statsmodels.stats.contingency_tables.mcnemar(table,
    exact=True)` reports.

    Args:
        b: Pairs with first = 1 and second = 0.
        c: Pairs with first = 0 and second = 1.

    Raises:
        ValueError: A count is negative.
    """
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts must be >= 0, got b={b}, c={c}")
    discordant = b + c
    if discordant == 0:
        return 1.0
    return min(1.0, 2.0 * float(scipy_stats.binom.cdf(min(b, c), discordant, 0.5)))


def newcombe_paired_interval(
    both: int,
    first_only: int,
    second_only: int,
    neither: int,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Newcombe's (1998) method 10 interval for a difference of paired proportions.

    In Newcombe's notation the table is A = both, B = first only,
    C = second only, D = neither, N = A + B + C + D, and the difference is
    theta = p1 - p2 with p1 = (A + B) / N and p2 = (A + C) / N. With
    (l1, u1) and (l2, u2) the Wilson score intervals (no continuity
    correction) for p1 and p2:

        L = theta - sqrt((p1 - l1)^2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)^2)
        U = theta + sqrt((p2 - l2)^2 - 2 phi (p2 - l2)(u1 - p1) + (u1 - p1)^2)

    phi estimates the correlation between the two members of a pair: the phi
    coefficient (AD - BC) / sqrt((A+B)(C+D)(A+C)(B+D)) with AD - BC replaced
    by AD - BC - N/2 when AD - BC > N/2 and by 0 when 0 <= AD - BC <= N/2
    (unchanged when negative), and phi = 0 when any marginal total is 0 so the
    denominator vanishes. This is the estimate Newcombe specifies for method
    10, as stated by Fagerland, Lydersen & Laake (2017, ch. 8), whose worked
    example this function reproduces (see tests/test_stats.py).

    Args:
        both: A, pairs with first = 1 and second = 1.
        first_only: B, pairs with first = 1 and second = 0.
        second_only: C, pairs with first = 0 and second = 1.
        neither: D, pairs with first = 0 and second = 0.
        confidence: Two-sided confidence level, in (0, 1).

    Returns:
        (low, high); NaNs when N = 0.

    Raises:
        ValueError: A count is negative.
    """
    _check_confidence(confidence)
    if min(both, first_only, second_only, neither) < 0:
        raise ValueError(f"counts must be >= 0, got {(both, first_only, second_only, neither)}")
    n = both + first_only + second_only + neither
    if n == 0:
        return _NAN, _NAN
    first_successes = both + first_only
    second_successes = both + second_only
    p1 = first_successes / n
    p2 = second_successes / n
    theta = p1 - p2
    l1, u1 = wilson_interval(first_successes, n, confidence)
    l2, u2 = wilson_interval(second_successes, n, confidence)
    phi = _newcombe_phi(both, first_only, second_only, neither)
    lower_distance = math.sqrt((p1 - l1) ** 2 - 2.0 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    upper_distance = math.sqrt((p2 - l2) ** 2 - 2.0 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2)
    return theta - lower_distance, theta + upper_distance


def paired_difference(
    pairs: Sequence[tuple[float, float]], confidence: float = 0.95
) -> PairedDifference:
    """mean(first) - mean(second) over pairs, with a confidence interval that uses the pairing.

    In this suite a pair is (free-tier value, paid-tier value) for the same
    query, so the difference is the compliance gap on complete pairs.

    - All values 0/1: the interval is Newcombe's (1998, paired data) method 10
      (`newcombe_paired_interval`), and `mcnemar_p` is the exact McNemar
      p-value (`mcnemar_exact_p`) on the discordant counts;
      method `NEWCOMBE_PAIRED_METHOD`.
    - Any value fractional (per-query means over epochs): the t-interval
      mean(d) +- t_{n-1} * sd(d) / sqrt(n) on the per-pair differences d,
      which is the interval `scipy.stats.ttest_rel` reports; method
      `PAIRED_T_METHOD`. The contingency counts and `mcnemar_p` are NaN, and
      the interval is NaN with fewer than two pairs.
    - No pairs: every statistic is NaN, method `NO_PAIRS_METHOD`.

    Args:
        pairs: (first, second) values, each within [0, 1].
        confidence: Two-sided confidence level, in (0, 1).

    Raises:
        ValueError: A value is not a finite number within [0, 1], or
            `confidence` is not within (0, 1).
    """
    _check_confidence(confidence)
    for pair in pairs:
        for value in pair:
            if not (0.0 <= value <= 1.0):  # also rejects NaN
                raise ValueError(f"paired values must be within [0, 1], got {pair}")
    n_pairs = len(pairs)
    if n_pairs == 0:
        return PairedDifference(
            difference=_NAN,
            ci_low=_NAN,
            ci_high=_NAN,
            method=NO_PAIRS_METHOD,
            n_pairs=0,
            both=_NAN,
            first_only=_NAN,
            second_only=_NAN,
            neither=_NAN,
            mcnemar_p=_NAN,
        )
    if all(value in (0.0, 1.0) for pair in pairs for value in pair):
        return _binary_paired_difference(pairs, confidence)
    return _paired_t_difference(pairs, confidence)


def _binary_paired_difference(
    pairs: Sequence[tuple[float, float]], confidence: float
) -> PairedDifference:
    both = sum(1 for first, second in pairs if first == 1.0 and second == 1.0)
    first_only = sum(1 for first, second in pairs if first == 1.0 and second == 0.0)
    second_only = sum(1 for first, second in pairs if first == 0.0 and second == 1.0)
    neither = len(pairs) - both - first_only - second_only
    ci_low, ci_high = newcombe_paired_interval(both, first_only, second_only, neither, confidence)
    return PairedDifference(
        difference=(first_only - second_only) / len(pairs),
        ci_low=ci_low,
        ci_high=ci_high,
        method=NEWCOMBE_PAIRED_METHOD,
        n_pairs=len(pairs),
        both=float(both),
        first_only=float(first_only),
        second_only=float(second_only),
        neither=float(neither),
        mcnemar_p=mcnemar_exact_p(first_only, second_only),
    )


def _paired_t_difference(
    pairs: Sequence[tuple[float, float]], confidence: float
) -> PairedDifference:
    differences = [first - second for first, second in pairs]
    n = len(differences)
    mean_difference = math.fsum(differences) / n
    if n < 2:
        ci_low, ci_high = _NAN, _NAN
    else:
        variance = math.fsum((d - mean_difference) ** 2 for d in differences) / (n - 1)
        t_quantile = float(scipy_stats.t.ppf(1.0 - (1.0 - confidence) / 2.0, df=n - 1))
        half_width = t_quantile * math.sqrt(variance / n)
        ci_low, ci_high = mean_difference - half_width, mean_difference + half_width
    return PairedDifference(
        difference=mean_difference,
        ci_low=ci_low,
        ci_high=ci_high,
        method=PAIRED_T_METHOD,
        n_pairs=n,
        both=_NAN,
        first_only=_NAN,
        second_only=_NAN,
        neither=_NAN,
        mcnemar_p=_NAN,
    )


def _newcombe_phi(both: int, first_only: int, second_only: int, neither: int) -> float:
    """The correlation estimate of Newcombe's method 10 (see `newcombe_paired_interval`)."""
    n = both + first_only + second_only + neither
    marginal_product = (
        (both + first_only)
        * (second_only + neither)
        * (both + second_only)
        * (first_only + neither)
    )
    if marginal_product == 0:
        return 0.0
    cross = both * neither - first_only * second_only
    if cross > n / 2:
        corrected = cross - n / 2
    elif cross >= 0:
        corrected = 0.0
    else:
        corrected = float(cross)
    return corrected / math.sqrt(marginal_product)


def _normal_quantile(confidence: float) -> float:
    return float(scipy_stats.norm.ppf(1.0 - (1.0 - confidence) / 2.0))


def _check_confidence(confidence: float) -> None:
    if not (0.0 < confidence < 1.0):
        raise ValueError(f"confidence must be within (0, 1), got {confidence}")
