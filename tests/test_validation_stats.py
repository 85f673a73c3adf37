"""Judge-validation statistics against scikit-learn and hand-worked examples."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, roc_auc_score

from af_inspect.validation import stats

# Scores with ties across and within classes (vote shares out of 20).
SCORES = [0.0, 0.0, 0.4, 0.4, 0.35, 0.9, 1.0, 0.4, 0.05, 0.0, 0.6, 0.4]
LABELS = [0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0]


def test_auroc_matches_sklearn_with_ties() -> None:
    assert stats.auroc(SCORES, LABELS) == pytest.approx(roc_auc_score(LABELS, SCORES), abs=1e-12)


def test_auroc_hand_worked() -> None:
    # positives {0.5, 0.5}, negatives {0.5, 0.0}: pairs win 1 + tie 0.5, twice -> 3 / 4.
    assert stats.auroc([0.5, 0.5, 0.5, 0.0], [1, 1, 0, 0]) == pytest.approx(0.75)
    assert stats.auroc([1.0, 0.0], [1, 0]) == 1.0
    assert stats.auroc([0.0, 1.0], [1, 0]) == 0.0
    assert stats.auroc([0.3, 0.3, 0.3], [1, 0, 1]) == 0.5


@pytest.mark.parametrize("seed", range(5))
def test_auroc_random_against_sklearn(seed: int) -> None:
    rng = random.Random(seed)
    n = 40
    labels = [rng.randint(0, 1) for _ in range(n)]
    labels[0], labels[1] = 0, 1
    scores = [rng.randint(0, 20) / 20 for _ in range(n)]
    assert stats.auroc(scores, labels) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)


def test_auroc_one_class_is_nan() -> None:
    assert math.isnan(stats.auroc([0.1, 0.2], [1, 1]))
    assert math.isnan(stats.auroc([], []))
    assert stats.bootstrap_auroc_ci([0.1], [0]) == (pytest.approx(float("nan"), nan_ok=True),) * 2


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        stats.auroc([0.1, 0.2], [0, 2])
    with pytest.raises(ValueError, match="equal length"):
        stats.auroc([0.1], [0, 1])
    with pytest.raises(ValueError, match="finite"):
        stats.auroc([float("nan"), 0.2], [0, 1])


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    a = stats.bootstrap_auroc_ci(SCORES, LABELS, n_boot=500, seed=3)
    b = stats.bootstrap_auroc_ci(SCORES, LABELS, n_boot=500, seed=3)
    c = stats.bootstrap_auroc_ci(SCORES, LABELS, n_boot=500, seed=4)
    assert a == b
    assert a != c
    point = stats.auroc(SCORES, LABELS)
    assert 0.0 <= a[0] <= point <= a[1] <= 1.0


def test_bootstrap_matches_a_naive_stratified_bootstrap() -> None:
    """Same draws as the documented procedure, computed with scikit-learn one resample at a time."""
    s, y = np.array(SCORES), np.array(LABELS)
    pos, neg = s[y == 1], s[y == 0]
    rng = np.random.default_rng(7)
    pos_idx = rng.integers(0, len(pos), size=(200, len(pos)))
    neg_idx = rng.integers(0, len(neg), size=(200, len(neg)))
    values = [
        roc_auc_score([1] * len(pos) + [0] * len(neg), np.concatenate([pos[pi], neg[ni]]))
        for pi, ni in zip(pos_idx, neg_idx, strict=True)
    ]
    expected = tuple(np.quantile(values, [0.025, 0.975]))
    assert stats.bootstrap_auroc_ci(SCORES, LABELS, n_boot=200, seed=7) == pytest.approx(expected)


def test_perfect_separation_has_a_degenerate_interval() -> None:
    low, high = stats.bootstrap_auroc_ci([0.9, 0.8, 0.1, 0.0], [1, 1, 0, 0], n_boot=100)
    assert (low, high) == (1.0, 1.0)


def test_confusion_matches_sklearn_at_every_grid_threshold() -> None:
    sweep = stats.threshold_sweep(SCORES, LABELS, steps=20)
    assert [c.threshold for c in sweep] == [k / 20 for k in range(21)]
    for c in sweep:
        predicted = [int(s >= c.threshold - 1e-9) for s in SCORES]
        tn, fp, fn, tp = confusion_matrix(LABELS, predicted, labels=[0, 1]).ravel()
        assert (c.tp, c.fp, c.tn, c.fn) == (tp, fp, tn, fn)


def test_confusion_hand_worked_at_the_paper_threshold() -> None:
    c = stats.confusion_at(SCORES, LABELS, 0.4)
    # Positives: 0.0 0.4 0.9 1.0 0.4 0.6 -> 5 reach 0.4; negatives: 0.0 0.4 0.35 0.05 0.0 0.4 -> 2 do.
    assert (c.tp, c.fp, c.tn, c.fn) == (5, 2, 4, 1)
    assert c.precision == pytest.approx(5 / 7)
    assert c.recall == pytest.approx(5 / 6)
    assert c.fpr == pytest.approx(2 / 6)
    assert c.accuracy == pytest.approx(9 / 12)
    assert c.as_dict()["tp"] == 5.0


def test_share_that_equals_the_threshold_counts_as_af() -> None:
    assert stats.predicted_positive(8 / 20, 0.4)
    assert stats.predicted_positive(6 / 15, 0.4)
    assert stats.predicted_positive(0.1 + 0.2, 0.3)  # 0.30000000000000004 vs 0.3, either way
    assert not stats.predicted_positive(7 / 20, 0.4)


def test_ratios_without_denominator_are_nan() -> None:
    c = stats.confusion_at([0.0, 0.1], [0, 0], 0.5)
    assert math.isnan(c.precision) and math.isnan(c.recall)
    assert c.fpr == 0.0


def test_roc_points_area_is_the_auroc() -> None:
    points = stats.roc_points(SCORES, LABELS)
    assert points[0][:2] == (0.0, 0.0) and points[-1][:2] == (1.0, 1.0)
    area = sum((x2 - x1) * (y1 + y2) / 2 for (x1, y1, _), (x2, y2, _) in itertools.pairwise(points))
    assert area == pytest.approx(stats.auroc(SCORES, LABELS))
    assert stats.roc_points([0.1], [1]) == []


def test_subsample_share_distribution_is_hypergeometric() -> None:
    dist = dict(stats.subsample_share_distribution(yes=3, valid=5, k=2))
    # C(3,2)/C(5,2) = 3/10 both Yes, 6/10 one Yes, 1/10 none.
    assert dist == pytest.approx({1.0: 0.3, 0.5: 0.6, 0.0: 0.1})
    assert stats.subsample_share_distribution(4, 10, 20) == [(0.4, 1.0)]  # fewer votes than k: all
    assert stats.subsample_share_distribution(0, 3, 1) == [(0.0, 1.0)]
    with pytest.raises(ValueError):
        stats.subsample_share_distribution(0, 0, 1)


def _pairwise_auroc(scores: tuple[float, ...], labels: list[int]) -> float:
    """AUROC by definition: the share of (positive, negative) pairs ordered right, ties 1/2."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y == 1]
    neg = [s for s, y in zip(scores, labels, strict=True) if y == 0]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _brute_force_expected_auroc(votes: list[list[bool]], labels: list[int], k: int) -> float:
    """Average AUROC over every combination of k-subsets of every sample (tiny inputs only)."""
    per_sample = [
        [sum(c) / len(c) for c in itertools.combinations(v, min(k, len(v)))] for v in votes
    ]
    values = [_pairwise_auroc(choice, labels) for choice in itertools.product(*per_sample)]
    return float(np.mean(values))


def test_votes_curve_exact_expectation_matches_brute_force() -> None:
    votes = [
        [True, True, False, True],
        [False, False, True, False],
        [True, False, False],
        [True, True, True, True],
        [False, False, False, True],
    ]
    labels = [1, 0, 1, 1, 0]
    points = stats.votes_curve(votes, labels, (1, 2, 3, 4), n_repeats=50, seed=1)
    for point in points:
        assert point.auroc == pytest.approx(_brute_force_expected_auroc(votes, labels, point.k))


def test_votes_curve_full_k_is_the_plain_auroc_and_has_no_spread() -> None:
    rng = random.Random(0)
    votes = [[rng.random() < p for _ in range(20)] for p in np.linspace(0.05, 0.95, 12)]
    labels = [0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1]
    full = stats.auroc([sum(v) / 20 for v in votes], labels)
    (point,) = stats.votes_curve(votes, labels, (20,), n_repeats=20, seed=0)
    assert point.auroc == pytest.approx(full)
    assert point.sd == pytest.approx(0.0, abs=1e-12)
    assert point.low == pytest.approx(full) and point.high == pytest.approx(full)


def test_votes_curve_monte_carlo_is_seeded_and_centred() -> None:
    rng = random.Random(1)
    votes = [[rng.random() < p for _ in range(20)] for p in np.linspace(0.1, 0.9, 10)]
    labels = [0, 0, 1, 0, 1, 0, 1, 1, 0, 1]
    a = stats.votes_curve(votes, labels, (1, 5), n_repeats=400, seed=5)
    b = stats.votes_curve(votes, labels, (1, 5), n_repeats=400, seed=5)
    assert a == b
    for point in a:
        assert point.sd > 0
        assert point.low <= point.auroc <= point.high


def test_votes_curve_one_class() -> None:
    (point,) = stats.votes_curve([[True], [False]], [1, 1], (1,))
    assert math.isnan(point.auroc) and math.isnan(point.sd)


def test_expected_auroc_of_point_masses_is_the_auroc() -> None:
    dists = [[(s, 1.0)] for s in SCORES]
    assert stats.expected_auroc(dists, LABELS) == pytest.approx(stats.auroc(SCORES, LABELS))


def test_by_group() -> None:
    groups = ["a", "a", "a", "a", "b", "b", "b", "b", "b", "b", "c", "c"]
    out = stats.by_group(SCORES, LABELS, groups, threshold=0.4)
    assert sorted(out) == ["a", "b", "c"]
    assert out["a"].auroc == pytest.approx(roc_auc_score(LABELS[:4], SCORES[:4]))
    assert out["b"].auroc == pytest.approx(roc_auc_score(LABELS[4:10], SCORES[4:10]))
    assert out["c"].auroc == 1.0  # one positive (0.6) above one negative (0.4)
    assert out["c"].n == 2 and out["c"].n_positive == 1
    assert (out["c"].confusion.tp, out["c"].confusion.fp) == (1, 1)
    only_positives = stats.by_group([0.2, 0.9], [1, 1], ["x", "x"])
    assert math.isnan(only_positives["x"].auroc)


def test_slug_and_counts() -> None:
    assert stats.slug("Claude 3.5 Sonnet 20240620") == "claude_3_5_sonnet_20240620"
    assert stats.slug("judge_error:unparseable") == "judge_error_unparseable"
    assert stats.slug("***") == "unknown"
    assert stats.count_by(["x", "y", "x"]) == {"x": 2, "y": 1}
