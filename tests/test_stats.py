"""Tests for af_inspect.metrics.stats against independent references.

References used, and where they come from:

- Wilson interval: `statsmodels.stats.proportion.proportion_confint(method="wilson")`.
- Exact McNemar p-value: `statsmodels.stats.contingency_tables.mcnemar(table, exact=True)`.
- Paired t-interval: `scipy.stats.ttest_rel(x, y).confidence_interval()`.
- Newcombe (1998, paired data) method 10: the published worked example of
  Fagerland, Lydersen & Laake (2017), "Statistical Analysis of Contingency
  Tables", ch. 8 (Cavo et al. 2012 table, rows [[59, 6], [16, 80]]:
  estimate -0.0621, 95% CI -0.1186 to -0.0046), as the R package
  `contingencytables` asserts it for its `Newcombe_square_and_add_CI_paired_2x2`
  in tests/testthat/test-ch8.R. Plus a hand computation, written out step by
  step below, for the table A=8, B=5, C=4, D=5.

The brief for this module quoted two examples as "Newcombe (1998) Table II":
A=8, B=5, C=4, D=5 -> 0.0455 (-0.2178, 0.3042) and A=12, B=2, C=1, D=9 ->
0.0417 (-0.1368, 0.2227). The point estimates are right (1/22, 1/24), but
none of the four variants of the interval (Wilson limits with or without
continuity correction, phi with or without Newcombe's N/2 adjustment)
reproduces those limits, and 17:873-890 is Newcombe's paper on *independent*
proportions. So they are not asserted here; the Fagerland et al. example is,
and it also tells the phi variants apart (the unadjusted phi gives
-0.1174 to -0.0059 for it).
"""

from __future__ import annotations

import math

import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from af_inspect.metrics.stats import (
    NEWCOMBE_PAIRED_METHOD,
    NO_PAIRS_METHOD,
    PAIRED_T_METHOD,
    mcnemar_exact_p,
    newcombe_paired_interval,
    paired_difference,
    proportion_summary,
    wilson_interval,
)


def _pairs(both: int, first_only: int, second_only: int, neither: int) -> list[tuple[float, float]]:
    return (
        [(1.0, 1.0)] * both
        + [(1.0, 0.0)] * first_only
        + [(0.0, 1.0)] * second_only
        + [(0.0, 0.0)] * neither
    )


# --- proportion_summary / Wilson -------------------------------------------------------


@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
@pytest.mark.parametrize(
    ("successes", "n"),
    [(0, 1), (1, 1), (0, 10), (3, 10), (5, 10), (10, 10), (1, 50), (37, 200), (2.5, 7)],
)
def test_wilson_matches_statsmodels(successes: float, n: int, confidence: float) -> None:
    expected_low, expected_high = proportion_confint(
        successes, n, alpha=1 - confidence, method="wilson"
    )
    summary = proportion_summary(successes, n, confidence)
    assert summary.wilson_low == pytest.approx(expected_low, abs=1e-12)
    assert summary.wilson_high == pytest.approx(expected_high, abs=1e-12)
    assert (summary.wilson_low, summary.wilson_high) == wilson_interval(successes, n, confidence)


def test_summary_rate_and_paper_stderr() -> None:
    summary = proportion_summary(3, 10)
    assert summary.rate == 0.3
    # Sheshadri, Hughes et al. (2025): 1-sigma error sqrt(f(1-f)/n) = sqrt(0.21 / 10).
    assert summary.stderr == pytest.approx(math.sqrt(0.021), rel=1e-12)
    assert summary.n == 10


def test_summary_at_the_bounds_has_zero_stderr_and_a_one_sided_interval() -> None:
    none = proportion_summary(0, 8)
    assert (none.rate, none.stderr, none.wilson_low) == (0.0, 0.0, 0.0)
    assert 0.0 < none.wilson_high < 1.0
    every = proportion_summary(8, 8)
    assert (every.rate, every.stderr, every.wilson_high) == (1.0, 0.0, 1.0)
    assert 0.0 < every.wilson_low < 1.0


def test_summary_of_no_trials_is_nan() -> None:
    summary = proportion_summary(0, 0)
    assert summary.n == 0
    for value in (summary.rate, summary.stderr, summary.wilson_low, summary.wilson_high):
        assert math.isnan(value)


@pytest.mark.parametrize(
    ("successes", "n", "confidence"),
    [(-1, 5, 0.95), (6, 5, 0.95), (float("nan"), 5, 0.95), (1, -1, 0.95), (1, 5, 1.0)],
)
def test_summary_rejects_invalid_input(successes: float, n: int, confidence: float) -> None:
    with pytest.raises(ValueError):
        proportion_summary(successes, n, confidence)


# --- McNemar ---------------------------------------------------------------------------


@pytest.mark.parametrize("b", range(0, 13, 3))
@pytest.mark.parametrize("c", [0, 1, 2, 5, 12, 30])
def test_mcnemar_matches_statsmodels_exact(b: int, c: int) -> None:
    expected = mcnemar([[7, b], [c, 4]], exact=True).pvalue
    assert mcnemar_exact_p(b, c) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_mcnemar_by_hand() -> None:
    # b=4, c=1: 2 * P(X <= 1), X ~ Bin(5, 1/2) = 2 * (1 + 5) / 32.
    assert mcnemar_exact_p(4, 1) == pytest.approx(12 / 32, rel=1e-12)
    # b=6, c=0: 2 * 0.5**6.
    assert mcnemar_exact_p(6, 0) == pytest.approx(2 / 64, rel=1e-12)
    # Balanced discordance is capped at 1, and no discordance is 1.
    assert mcnemar_exact_p(3, 3) == 1.0
    assert mcnemar_exact_p(0, 0) == 1.0


def test_mcnemar_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        mcnemar_exact_p(-1, 2)


# --- Newcombe (1998, paired) method 10 -------------------------------------------------


def test_newcombe_reproduces_fagerland_lydersen_laake_cavo_example() -> None:
    # Fagerland, Lydersen & Laake (2017), ch. 8; asserted to 4 decimals by the R package
    # contingencytables (tests/testthat/test-ch8.R): -0.0621 (95% CI -0.1186 to -0.0046).
    result = paired_difference(_pairs(both=59, first_only=6, second_only=16, neither=80))
    assert round(result.difference, 4) == -0.0621
    assert round(result.ci_low, 4) == -0.1186
    assert round(result.ci_high, 4) == -0.0046
    assert result.method == NEWCOMBE_PAIRED_METHOD


def test_newcombe_by_hand_for_8_5_4_5() -> None:
    # A=8, B=5, C=4, D=5, N=22; p1 = 13/22, p2 = 12/22, theta = 1/22 = 0.0455.
    p1, p2 = 13 / 22, 12 / 22
    # Wilson 95% limits (statsmodels): 13/22 -> (0.387348, 0.767442); 12/22 -> (0.346598, 0.730797).
    l1, u1 = 0.38734818476315125, 0.7674418380352814
    l2, u2 = 0.3465979532073493, 0.7307970581918668
    # AD - BC = 40 - 20 = 20 > N/2 = 11,
    # so phi = (20 - 11) / sqrt(13 * 9 * 12 * 10) = 9 / sqrt(14040).
    phi = 9 / math.sqrt(14040)
    assert phi == pytest.approx(0.0759555, abs=1e-7)
    low = 1 / 22 - math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    high = 1 / 22 + math.sqrt((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2)
    assert round(low, 4) == -0.2192
    assert round(high, 4) == 0.3011

    result = paired_difference(_pairs(both=8, first_only=5, second_only=4, neither=5))
    assert result.difference == pytest.approx(1 / 22, rel=1e-12)
    assert result.ci_low == pytest.approx(low, abs=1e-9)
    assert result.ci_high == pytest.approx(high, abs=1e-9)
    assert (result.both, result.first_only, result.second_only, result.neither) == (8, 5, 4, 5)
    assert result.n_pairs == 22
    assert result.mcnemar_p == pytest.approx(mcnemar([[8, 5], [4, 5]], exact=True).pvalue)


def _square_and_add(
    both: int, first_only: int, second_only: int, neither: int, phi: float
) -> tuple[float, float]:
    """Newcombe's formula with a given phi and statsmodels' Wilson limits."""
    n = both + first_only + second_only + neither
    p1, p2 = (both + first_only) / n, (both + second_only) / n
    l1, u1 = proportion_confint(both + first_only, n, method="wilson")
    l2, u2 = proportion_confint(both + second_only, n, method="wilson")
    low = p1 - p2 - math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    high = p1 - p2 + math.sqrt((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2)
    return low, high


def test_newcombe_phi_is_zero_when_the_cross_product_is_within_half_n() -> None:
    # A=3, B=2, C=2, D=3: AD - BC = 5 <= N/2 = 5, so phi = 0.
    assert newcombe_paired_interval(3, 2, 2, 3) == pytest.approx(_square_and_add(3, 2, 2, 3, 0.0))


def test_newcombe_phi_is_unadjusted_when_negative() -> None:
    # A=1, B=6, C=5, D=2: AD - BC = 2 - 30 = -28, phi = -28 / sqrt(7 * 7 * 6 * 8).
    phi = -28 / math.sqrt(7 * 7 * 6 * 8)
    assert newcombe_paired_interval(1, 6, 5, 2) == pytest.approx(_square_and_add(1, 6, 5, 2, phi))


def test_newcombe_phi_is_zero_when_a_marginal_total_is_zero() -> None:
    # No one succeeds on the second member: C + A = 0, so the phi denominator is 0.
    assert newcombe_paired_interval(0, 4, 0, 6) == pytest.approx(_square_and_add(0, 4, 0, 6, 0.0))


def test_newcombe_of_no_pairs_is_nan() -> None:
    assert all(math.isnan(limit) for limit in newcombe_paired_interval(0, 0, 0, 0))


# --- paired_difference edge cases ------------------------------------------------------


def test_paired_difference_of_no_pairs_is_nan() -> None:
    result = paired_difference([])
    assert result.method == NO_PAIRS_METHOD
    assert result.n_pairs == 0
    for value in (
        result.difference,
        result.ci_low,
        result.ci_high,
        result.both,
        result.first_only,
        result.second_only,
        result.neither,
        result.mcnemar_p,
    ):
        assert math.isnan(value)


def test_paired_difference_all_concordant() -> None:
    # A=5, D=5, N=10: no discordant pair, so the gap is 0 and McNemar p = 1. phi =
    # (25 - 5) / sqrt(5^4) = 0.8, and with d = 0.5 - l for Wilson(5/10) both distances are
    # sqrt(d^2 - 1.6 d^2 + d^2) = d sqrt(0.4).
    result = paired_difference(_pairs(both=5, first_only=0, second_only=0, neither=5))
    low, _ = proportion_confint(5, 10, method="wilson")
    distance = (0.5 - low) * math.sqrt(0.4)
    assert result.difference == 0.0
    assert result.ci_low == pytest.approx(-distance, rel=1e-12)
    assert result.ci_high == pytest.approx(distance, rel=1e-12)
    assert result.mcnemar_p == 1.0


def test_paired_difference_all_discordant_one_way() -> None:
    # B=6, N=6: p1 = 1, p2 = 0; a zero marginal makes phi = 0, the upper limit is 1 and the
    # lower is 1 - sqrt((1 - l1)^2 + u2^2) = 1 - sqrt(2) u2 by the symmetry of Wilson limits.
    result = paired_difference(_pairs(both=0, first_only=6, second_only=0, neither=0))
    _, u2 = proportion_confint(0, 6, method="wilson")
    assert result.difference == 1.0
    assert result.ci_high == pytest.approx(1.0, abs=1e-12)
    assert result.ci_low == pytest.approx(1 - math.sqrt(2) * u2, rel=1e-12)
    assert result.mcnemar_p == pytest.approx(mcnemar([[0, 6], [0, 0]], exact=True).pvalue)
    assert result.mcnemar_p == pytest.approx(2 / 64)


def test_paired_difference_is_antisymmetric() -> None:
    forward = paired_difference(_pairs(both=8, first_only=5, second_only=4, neither=5))
    backward = paired_difference([(y, x) for x, y in _pairs(8, 5, 4, 5)])
    assert backward.difference == pytest.approx(-forward.difference)
    assert backward.ci_low == pytest.approx(-forward.ci_high)
    assert backward.ci_high == pytest.approx(-forward.ci_low)
    assert backward.mcnemar_p == forward.mcnemar_p


@pytest.mark.parametrize("confidence", [0.90, 0.95])
def test_fractional_values_use_the_paired_t_interval(confidence: float) -> None:
    first = [1.0, 2 / 3, 1 / 3, 1.0, 0.0, 2 / 3]
    second = [0.0, 1 / 3, 1 / 3, 2 / 3, 0.0, 1.0]
    reference = scipy_stats.ttest_rel(first, second)
    expected_low, expected_high = reference.confidence_interval(confidence_level=confidence)

    result = paired_difference(list(zip(first, second, strict=True)), confidence)

    assert result.method == PAIRED_T_METHOD
    assert result.n_pairs == 6
    assert result.difference == pytest.approx(sum(first) / 6 - sum(second) / 6, rel=1e-12)
    assert result.ci_low == pytest.approx(expected_low, rel=1e-10)
    assert result.ci_high == pytest.approx(expected_high, rel=1e-10)
    # The half-width is t_{5} * sd / sqrt(6).
    differences = [x - y for x, y in zip(first, second, strict=True)]
    t_quantile = scipy_stats.t.ppf(1 - (1 - confidence) / 2, df=5)
    half_width = t_quantile * scipy_stats.tstd(differences) / math.sqrt(6)
    assert result.ci_high - result.ci_low == pytest.approx(2 * half_width, rel=1e-10)
    for value in (
        result.both,
        result.first_only,
        result.second_only,
        result.neither,
        result.mcnemar_p,
    ):
        assert math.isnan(value)


def test_one_fractional_value_switches_every_pair_to_paired_t() -> None:
    result = paired_difference([*_pairs(3, 2, 1, 4), (0.5, 0.0)])
    assert result.method == PAIRED_T_METHOD
    assert result.difference == pytest.approx(1.5 / 11)


def test_paired_t_with_identical_differences_has_a_zero_width_interval() -> None:
    result = paired_difference([(0.5, 0.25), (1.0, 0.75), (0.75, 0.5)])
    assert result.difference == pytest.approx(0.25)
    assert result.ci_low == pytest.approx(0.25)
    assert result.ci_high == pytest.approx(0.25)


def test_paired_t_of_one_pair_has_no_interval() -> None:
    result = paired_difference([(0.5, 0.0)])
    assert result.difference == 0.5
    assert math.isnan(result.ci_low) and math.isnan(result.ci_high)


@pytest.mark.parametrize("pair", [(1.5, 0.0), (0.0, -0.1), (float("nan"), 1.0)])
def test_paired_difference_rejects_values_outside_the_unit_interval(
    pair: tuple[float, float],
) -> None:
    with pytest.raises(ValueError):
        paired_difference([(1.0, 0.0), pair])
