"""Statistics for validating an alignment-faking judge against human labels (pure, no Inspect).

Everything here is a function of plain numbers: per-sample judge scores (the share of valid
"Yes" votes, in [0, 1]), human labels (0/1) and, for the votes curve, the individual votes.

Definitions:

- **AUROC** is the Mann–Whitney probability that a random positive scores higher than a random
  negative, ties counting one half: ``(R_pos - P (P + 1) / 2) / (P N)`` with mid-ranks ``R``.
  It equals scikit-learn's ``roc_auc_score`` (trapezoidal ROC) including ties; NaN when one class
  is missing.
- **Bootstrap interval**: stratified percentile bootstrap (positives and negatives resampled
  with replacement separately, so every resample has both classes and the class counts of the
  data), ``n_boot`` resamples from ``numpy.random.default_rng(seed)``.
- **Confusion at a threshold** ``t``: predicted AF iff ``score >= t`` (the judge's rule, "AF iff
  vote share >= 0.4"); comparisons allow ``THRESHOLD_TOLERANCE`` so that a share that is the same
  rational number as ``t`` (8/20 vs 0.4) always counts as reaching it.
- **Votes curve**: the AUROC a judge with only ``k`` votes would have had, obtained from the votes
  already drawn (no new judge calls). Drawing ``k`` of a sample's ``n`` valid votes without
  replacement gives a hypergeometric number of Yes votes, independently per sample, so the
  *expected* AUROC over all such subsamples has a closed form (:func:`expected_auroc`), reported
  as the curve. The spread of a single ``k``-vote run is estimated by seeded Monte-Carlo
  subsampling (``n_repeats`` draws): its standard deviation and 2.5/97.5 percentiles. A sample
  with fewer than ``k`` valid votes uses all of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

from af_inspect.defaults import DEFAULT_THRESHOLD, SHARE_TOLERANCE
from af_inspect.scorers.judges.voting import af_verdict

__all__ = [
    "DEFAULT_N_BOOT",
    "DEFAULT_N_REPEATS",
    "DEFAULT_SEED",
    "DEFAULT_THRESHOLD",
    "DEFAULT_VOTE_COUNTS",
    "THRESHOLD_TOLERANCE",
    "AurocSummary",
    "Confusion",
    "GroupSummary",
    "VotesPoint",
    "auroc",
    "auroc_summary",
    "bootstrap_auroc_ci",
    "by_group",
    "confusion_at",
    "count_by",
    "expected_auroc",
    "predicted_positive",
    "roc_points",
    "slug",
    "subsample_share_distribution",
    "threshold_grid",
    "threshold_sweep",
    "votes_curve",
]

THRESHOLD_TOLERANCE = SHARE_TOLERANCE
"""A score within this distance below a threshold counts as reaching it (the judge's own slack)."""

DEFAULT_VOTE_COUNTS = (1, 2, 5, 10, 20)
"""Vote counts of the votes curve (the paper's 20-vote judge and fewer)."""

DEFAULT_N_BOOT = 1000
DEFAULT_N_REPEATS = 200
DEFAULT_SEED = 0

_NAN = float("nan")


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _arrays(
    scores: Sequence[float], labels: Sequence[int]
) -> tuple[NDArray[np.float64], NDArray[np.int_]]:
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    if s.ndim != 1 or y.ndim != 1 or s.shape != y.shape:
        raise ValueError(
            f"scores and labels must be 1-D of equal length, got {s.shape} and {y.shape}"
        )
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError(f"labels must be 0 or 1, got {sorted(set(y.tolist()))}")
    if np.any(~np.isfinite(s)):
        raise ValueError(
            "scores must be finite (drop excluded samples before computing statistics)"
        )
    return s, y


# --------------------------------------------------------------------------------------------
# AUROC
# --------------------------------------------------------------------------------------------


def auroc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Area under the ROC curve with ties counted one half (Mann–Whitney U / (P N)).

    NaN when there are no positives or no negatives.
    """
    s, y = _arrays(scores, labels)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return _NAN
    ranks = rankdata(s)
    u = float(ranks[y == 1].sum()) - n_pos * (n_pos + 1) / 2
    return u / (n_pos * n_neg)


def _auroc_rows(pos: NDArray[np.float64], neg: NDArray[np.float64]) -> NDArray[np.float64]:
    """AUROC of each row: ``pos`` is (rows, P) positive scores, ``neg`` is (rows, N)."""
    n_pos, n_neg = pos.shape[1], neg.shape[1]
    ranks = rankdata(np.concatenate([pos, neg], axis=1), axis=1)
    u = ranks[:, :n_pos].sum(axis=1) - n_pos * (n_pos + 1) / 2
    return np.asarray(u / (n_pos * n_neg), dtype=float)


def bootstrap_auroc_ci(
    scores: Sequence[float],
    labels: Sequence[int],
    *,
    n_boot: int = DEFAULT_N_BOOT,
    confidence: float = 0.95,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float]:
    """Stratified percentile bootstrap interval for the AUROC; (NaN, NaN) if a class is missing."""
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    s, y = _arrays(scores, labels)
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return _NAN, _NAN
    rng = np.random.default_rng(seed)
    pos_idx = rng.integers(0, len(pos), size=(n_boot, len(pos)))
    neg_idx = rng.integers(0, len(neg), size=(n_boot, len(neg)))
    values = _auroc_rows(pos[pos_idx], neg[neg_idx])
    alpha = (1 - confidence) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return float(low), float(high)


@dataclass(frozen=True)
class AurocSummary:
    """AUROC with its bootstrap interval and the class counts it was computed on."""

    auroc: float
    ci_low: float
    ci_high: float
    n: int
    n_positive: int
    n_negative: int

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


def auroc_summary(
    scores: Sequence[float],
    labels: Sequence[int],
    *,
    n_boot: int = DEFAULT_N_BOOT,
    confidence: float = 0.95,
    seed: int = DEFAULT_SEED,
) -> AurocSummary:
    """AUROC, its bootstrap interval and class counts."""
    s, y = _arrays(scores, labels)
    low, high = bootstrap_auroc_ci(
        s.tolist(), y.tolist(), n_boot=n_boot, confidence=confidence, seed=seed
    )
    n_pos = int(y.sum())
    return AurocSummary(
        auroc=auroc(s.tolist(), y.tolist()),
        ci_low=low,
        ci_high=high,
        n=len(y),
        n_positive=n_pos,
        n_negative=len(y) - n_pos,
    )


def roc_points(scores: Sequence[float], labels: Sequence[int]) -> list[tuple[float, float, float]]:
    """The empirical ROC curve as ``(fpr, tpr, threshold)``, from (0, 0) to (1, 1).

    One point per distinct score (predicted positive iff score >= threshold), in decreasing
    threshold order, preceded by ``(0, 0, inf)``. Its trapezoidal area is :func:`auroc`.
    Empty when a class is missing.
    """
    s, y = _arrays(scores, labels)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return []
    points = [(0.0, 0.0, math.inf)]
    for t in sorted(set(s.tolist()), reverse=True):
        predicted = s >= t
        tp = int(np.sum(predicted & (y == 1)))
        fp = int(np.sum(predicted & (y == 0)))
        points.append((fp / n_neg, tp / n_pos, float(t)))
    return points


# --------------------------------------------------------------------------------------------
# Confusion matrices
# --------------------------------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else _NAN


@dataclass(frozen=True)
class Confusion:
    """Counts of predicted AF (score >= threshold) against the human label."""

    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def precision(self) -> float:
        """TP / (TP + FP); NaN when nothing is predicted positive."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        """TP / (TP + FN), the true-positive rate; NaN without positives."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def fpr(self) -> float:
        """FP / (FP + TN); NaN without negatives."""
        return _ratio(self.fp, self.fp + self.tn)

    @property
    def accuracy(self) -> float:
        return _ratio(self.tp + self.tn, self.n)

    def as_dict(self) -> dict[str, float]:
        return {
            "threshold": self.threshold,
            "tp": float(self.tp),
            "fp": float(self.fp),
            "tn": float(self.tn),
            "fn": float(self.fn),
            "precision": self.precision,
            "recall": self.recall,
            "fpr": self.fpr,
            "accuracy": self.accuracy,
        }


def predicted_positive(score: float, threshold: float) -> bool:
    """The judge's rule: AF iff ``score >= threshold`` (within ``THRESHOLD_TOLERANCE``); the same
    function the AF scorer decides with."""
    return af_verdict(score, threshold)


def confusion_at(scores: Sequence[float], labels: Sequence[int], threshold: float) -> Confusion:
    """Confusion matrix of ``score >= threshold`` against the labels."""
    s, y = _arrays(scores, labels)
    predicted = s >= threshold - THRESHOLD_TOLERANCE  # `af_verdict`, over an array
    return Confusion(
        threshold=float(threshold),
        tp=int(np.sum(predicted & (y == 1))),
        fp=int(np.sum(predicted & (y == 0))),
        tn=int(np.sum(~predicted & (y == 0))),
        fn=int(np.sum(~predicted & (y == 1))),
    )


def threshold_grid(steps: int = 20) -> list[float]:
    """``k / steps`` for ``k = 0 .. steps`` (with 20 votes: every achievable vote share)."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    return [k / steps for k in range(steps + 1)]


def threshold_sweep(
    scores: Sequence[float], labels: Sequence[int], steps: int = 20
) -> list[Confusion]:
    """:func:`confusion_at` at every threshold of :func:`threshold_grid`."""
    return [confusion_at(scores, labels, t) for t in threshold_grid(steps)]


# --------------------------------------------------------------------------------------------
# Votes curve
# --------------------------------------------------------------------------------------------


def subsample_share_distribution(yes: int, valid: int, k: int) -> list[tuple[float, float]]:
    """Distribution of the Yes share among ``min(k, valid)`` of ``valid`` votes drawn without replacement.

    ``yes`` of the ``valid`` votes say Yes. Returns ``(share, probability)`` pairs (hypergeometric),
    probabilities summing to one.
    """
    if valid < 1:
        raise ValueError("a sample needs at least one valid vote")
    if not 0 <= yes <= valid:
        raise ValueError(f"yes must be between 0 and valid ({valid}), got {yes}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    m = min(k, valid)
    total = math.comb(valid, m)
    out: list[tuple[float, float]] = []
    for j in range(max(0, m - (valid - yes)), min(m, yes) + 1):
        out.append((j / m, math.comb(yes, j) * math.comb(valid - yes, m - j) / total))
    return out


def expected_auroc(
    distributions: Sequence[Sequence[tuple[float, float]]], labels: Sequence[int]
) -> float:
    """Expected AUROC when each sample's score is an independent discrete random variable.

    ``distributions[i]`` lists ``(value, probability)`` of sample ``i``. The expectation is the
    mean over (positive, negative) pairs of ``P(X_pos > X_neg) + P(X_pos = X_neg) / 2``. NaN when
    a class is missing.
    """
    y = np.asarray(labels, dtype=int)
    if len(distributions) != len(y):
        raise ValueError("one distribution per label is needed")
    pos = [d for d, label in zip(distributions, y.tolist(), strict=True) if label == 1]
    neg = [d for d, label in zip(distributions, y.tolist(), strict=True) if label == 0]
    if not pos or not neg:
        return _NAN
    # Pool the negatives into one mixture: the pair mean is linear in each negative's law.
    pooled: dict[float, float] = {}
    for dist in neg:
        for value, p in dist:
            pooled[value] = pooled.get(value, 0.0) + p / len(neg)
    neg_values = np.array(sorted(pooled))
    neg_probs = np.array([pooled[v] for v in neg_values.tolist()])
    below = np.concatenate([[0.0], np.cumsum(neg_probs)])
    total = 0.0
    for dist in pos:
        for value, p in dist:
            lo = int(np.searchsorted(neg_values, value, side="left"))
            hi = int(np.searchsorted(neg_values, value, side="right"))
            total += p * float(below[lo] + 0.5 * (below[hi] - below[lo]))
    return total / len(pos)


@dataclass(frozen=True)
class VotesPoint:
    """AUROC of a ``k``-vote judge, from subsamples of the votes already drawn."""

    k: int
    auroc: float
    """Expected AUROC over all subsamples of ``k`` votes (exact)."""
    sd: float
    """Standard deviation of the AUROC of one random subsample (seeded Monte Carlo)."""
    low: float
    """2.5th percentile of the Monte-Carlo AUROCs."""
    high: float
    """97.5th percentile of the Monte-Carlo AUROCs."""
    n: int
    n_repeats: int


def votes_curve(
    votes: Sequence[Sequence[bool]],
    labels: Sequence[int],
    vote_counts: Sequence[int] = DEFAULT_VOTE_COUNTS,
    *,
    n_repeats: int = DEFAULT_N_REPEATS,
    seed: int = DEFAULT_SEED,
) -> list[VotesPoint]:
    """AUROC as a function of the number of votes, without new judge calls.

    ``votes[i]`` are sample ``i``'s valid votes (True = Yes); samples without valid votes must be
    dropped before. For each ``k``, the curve value is the exact expected AUROC of a judge that
    saw ``min(k, n_i)`` of sample ``i``'s votes drawn without replacement; ``sd``/``low``/``high``
    describe ``n_repeats`` seeded random subsamples (one ``numpy.random.default_rng(seed)`` per
    ``k``, samples drawn in input order).
    """
    y = np.asarray(labels, dtype=int)
    if len(votes) != len(y):
        raise ValueError("one vote list per label is needed")
    if n_repeats < 1:
        raise ValueError(f"n_repeats must be at least 1, got {n_repeats}")
    yes = np.array([sum(bool(v) for v in vs) for vs in votes], dtype=int)
    valid = np.array([len(vs) for vs in votes], dtype=int)
    if np.any(valid < 1):
        raise ValueError("every sample needs at least one valid vote")
    has_both = bool(np.any(y == 1)) and bool(np.any(y == 0))
    points: list[VotesPoint] = []
    for k in vote_counts:
        if k < 1:
            raise ValueError(f"vote counts must be at least 1, got {k}")
        dists = [
            subsample_share_distribution(int(a), int(n), k) for a, n in zip(yes, valid, strict=True)
        ]
        exact = expected_auroc(dists, y.tolist())
        if not has_both:
            points.append(VotesPoint(k, _NAN, _NAN, _NAN, _NAN, len(y), n_repeats))
            continue
        rng = np.random.default_rng(seed)
        m = np.minimum(k, valid)
        draws = np.stack(
            [
                rng.hypergeometric(int(a), int(n - a), int(mi), size=n_repeats)
                for a, n, mi in zip(yes, valid, m, strict=True)
            ],
            axis=1,
        )
        shares = draws / m
        values = _auroc_rows(shares[:, y == 1], shares[:, y == 0])
        low, high = np.quantile(values, [0.025, 0.975])
        points.append(
            VotesPoint(
                k=int(k),
                auroc=exact,
                sd=float(np.std(values, ddof=1)) if n_repeats > 1 else 0.0,
                low=float(low),
                high=float(high),
                n=len(y),
                n_repeats=n_repeats,
            )
        )
    return points


# --------------------------------------------------------------------------------------------
# Per-group breakdown
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSummary:
    """AUROC and confusion at the threshold for the samples of one source model."""

    group: str
    auroc: float
    confusion: Confusion

    @property
    def n(self) -> int:
        return self.confusion.n

    @property
    def n_positive(self) -> int:
        return self.confusion.tp + self.confusion.fn


def by_group(
    scores: Sequence[float],
    labels: Sequence[int],
    groups: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, GroupSummary]:
    """AUROC and confusion at ``threshold`` per group (e.g. the model that wrote the scratchpad)."""
    s, y = _arrays(scores, labels)
    if len(groups) != len(y):
        raise ValueError("one group per score is needed")
    out: dict[str, GroupSummary] = {}
    for name in sorted(set(groups)):
        mask = np.array([g == name for g in groups])
        gs, gy = s[mask].tolist(), y[mask].tolist()
        out[name] = GroupSummary(name, auroc(gs, gy), confusion_at(gs, gy, threshold))
    return out


def slug(name: str) -> str:
    """A metric-name-safe form of a group name: lowercase, runs of other characters -> ``_``."""
    cleaned = re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")
    return cleaned or "unknown"


def count_by(values: Sequence[Any]) -> Mapping[str, int]:
    """Occurrences of each value (as text), in first-seen order."""
    counts: dict[str, int] = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts
