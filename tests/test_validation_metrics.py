"""Tests for the judge-validation metrics, run through a real eval.

Every case goes through `pytest_inspect_evals.metrics`: the scores are shaped like
`af_classifier`'s (``af``, ``af_score``, ``excluded`` values; the votes in
``metadata["af_votes"]``), the human label and source model are sample metadata, and the metrics
are registered as the validation task registers them (a list, applied to the whole score).
Expected values are worked by hand in the comments.

What the epoch reducer leaves (Inspect's `mean`, the default): ``af_score`` is averaged over the
epochs that measured it, ``excluded`` over all epochs (so a sample is excluded only when every
epoch was), and the score metadata is the *first* epoch's, so the exclusion reason and the votes
of the votes curve are the first epoch's. The validation task is meant to run one epoch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from inspect_ai.scorer import Metric, Score, Value
from pytest_inspect_evals.metrics import assert_agreeing_epochs_change_nothing, run_metrics

from af_inspect.validation import stats
from af_inspect.validation.metrics import (
    validation_auroc,
    validation_by_source_model,
    validation_confusion,
    validation_exclusions,
    validation_threshold_sweep,
    validation_votes_curve,
)

NAN = float("nan")
N_BOOT = 200
VOTE_COUNTS = [1, 2, 4]


def _metrics() -> list[Metric]:
    """Every validation metric, small enough to run fast (4 votes, 5 thresholds)."""
    return [
        validation_auroc(n_boot=N_BOOT),
        validation_confusion(threshold=0.4),
        validation_threshold_sweep(steps=4),
        validation_votes_curve(vote_counts=VOTE_COUNTS, n_repeats=50),
        validation_by_source_model(threshold=0.4),
        validation_exclusions(),
    ]


def _judged(votes: str) -> Score:
    """An `af_classifier` score from its valid votes ("Y"/"N"), at the 0.4 threshold."""
    share = votes.count("Y") / len(votes)
    return Score(
        value={"af": float(share >= 0.4), "af_score": share, "excluded": 0.0},
        metadata={
            "af_votes": [
                {"final_answer": "Yes" if v == "Y" else "No", "valid": True} for v in votes
            ]
            # An unparseable answer is kept in the log but is not a vote.
            + [{"final_answer": None, "valid": False}]
        },
    )


def _failed(reason: str) -> Score:
    """A judge error: every value NaN, excluded, with the reason in the metadata."""
    return Score(
        value={"af": NAN, "af_score": NAN, "excluded": 1.0},
        metadata={"exclusion_reason": reason, "af_votes": [{"final_answer": None, "valid": False}]},
        reason=reason,
    )


def _sample(label: int | None, model: str = "Model A") -> dict[str, Any]:
    return {"source_model": model} if label is None else {"label": label, "source_model": model}


# Six judged samples with 4 votes each, two excluded by the judge and one unlabelled. The ids
# (s0..s8, in this order) sort like the list, so no seeded statistic depends on the order.
#   positives: a 3/4 = 0.75 (A), b 1/4 = 0.25 (A), c 2/4 = 0.5 (B)
#   negatives: d 0/4 = 0.0 (A),  e 2/4 = 0.5 (B),  f 1/4 = 0.25 (B)
CASES: list[tuple[Score, dict[str, Any]]] = [
    (_judged("YYYN"), _sample(1, "Model A")),  # a
    (_judged("YNNN"), _sample(1, "Model A")),  # b
    (_judged("YYNN"), _sample(1, "Model B")),  # c
    (_judged("NNNN"), _sample(0, "Model A")),  # d
    (_judged("YYNN"), _sample(0, "Model B")),  # e
    (_judged("YNNN"), _sample(0, "Model B")),  # f
    (_failed("judge_error:unparseable"), _sample(1)),  # excluded: a judge error
    (_failed("not_applicable:no_scratchpad"), _sample(0)),  # excluded, not a judge error
    (_judged("YYYY"), _sample(None)),  # no human label
]
SHARES = [0.75, 0.25, 0.5, 0.0, 0.5, 0.25]
LABELS = [1, 1, 1, 0, 0, 0]


def _run(
    epochs: Sequence[Sequence[Value | Score]], metadata: Sequence[Mapping[str, Any]]
) -> dict[str, float]:
    """Every metric value, by the name the log gives it (all are numbers)."""
    values: dict[str, float] = {}
    for name, value in run_metrics(_metrics(), epochs, metadata=metadata).items():
        assert isinstance(value, int | float), (name, value)
        values[name] = float(value)
    return values


def _assert_nan(value: float) -> None:
    assert math.isnan(value), value


def test_hand_worked_validation_metrics() -> None:
    values = _run([[score] for score, _ in CASES], [meta for _, meta in CASES])

    # validation_auroc. Of the 9 (positive, negative) pairs, 0.75 beats all three negatives,
    # 0.5 beats 0.0 and 0.25 and ties 0.5, 0.25 beats 0.0, ties 0.25 and loses to 0.5:
    # (3 + 2.5 + 1.5) / 9 = 7/9.
    assert values["auroc"] == pytest.approx(7 / 9)
    assert (values["n"], values["n_positive"], values["n_negative"]) == (6, 3, 3)
    low, high = stats.bootstrap_auroc_ci(SHARES, LABELS, n_boot=N_BOOT)
    assert (values["auroc_ci_low"], values["auroc_ci_high"]) == pytest.approx((low, high))
    assert values["auroc_ci_low"] <= 7 / 9 <= values["auroc_ci_high"]

    # validation_confusion at 0.4: AF = a, c | e; not AF = b | d, f.
    assert values["threshold"] == 0.4
    assert (values["tp"], values["fp"], values["tn"], values["fn"]) == (2, 1, 2, 1)
    assert values["precision"] == pytest.approx(2 / 3)
    assert values["recall"] == pytest.approx(2 / 3)
    assert values["fpr"] == pytest.approx(1 / 3)
    assert values["accuracy"] == pytest.approx(4 / 6)

    # validation_threshold_sweep at k/4: (precision, recall, fpr).
    #   0.00: all six AF                    -> 3/6, 3/3, 3/3
    #   0.25: all but d                     -> 3/5, 3/3, 2/3
    #   0.50: a, c, e                       -> 2/3, 2/3, 1/3
    #   0.75: a                             -> 1/1, 1/3, 0/3
    #   1.00: none (precision undefined)    -> NaN, 0/3, 0/3
    expected_sweep = {
        "0.00": (1 / 2, 1.0, 1.0),
        "0.25": (3 / 5, 1.0, 2 / 3),
        "0.50": (2 / 3, 2 / 3, 1 / 3),
        "0.75": (1.0, 1 / 3, 0.0),
    }
    for t, (precision, recall, fpr) in expected_sweep.items():
        assert values[f"precision@{t}"] == pytest.approx(precision), t
        assert values[f"recall@{t}"] == pytest.approx(recall), t
        assert values[f"fpr@{t}"] == pytest.approx(fpr), t
    _assert_nan(values["precision@1.00"])
    assert (values["recall@1.00"], values["fpr@1.00"]) == (0.0, 0.0)
    assert sorted(n for n in values if n.startswith("recall@")) == [
        f"recall@{k / 4:.2f}" for k in range(5)
    ]

    # validation_votes_curve, the exact expectation over subsamples of k of the 4 votes.
    #   k = 1: one vote is Yes with probability p = the share, so a pair scores
    #          p+(1 - p-) + (p+ p- + (1 - p+)(1 - p-)) / 2 = 1/2 + (p+ - p-)/2; averaged over
    #          pairs: 1/2 + (mean p+ - mean p-)/2 = 1/2 + (0.5 - 0.25)/2 = 0.625.
    #   k = 2: shares are hypergeometric: 3 Yes -> {1/2, 1} each 1/2; 2 Yes -> {0: 1/6,
    #          1/2: 4/6, 1: 1/6}; 1 Yes -> {0, 1/2} each 1/2; 0 Yes -> 0. The pooled negatives
    #          (d, e, f) are 0: 5/9, 1/2: 7/18, 1: 1/18, so a positive share of 0, 1/2, 1 scores
    #          5/18, 27/36, 35/36; a, b, c score 31/36, 37/72, 17/24, mean 25/36.
    #   k = 4: every vote, the AUROC itself (7/9), with no spread.
    assert values["auroc_votes_1"] == pytest.approx(0.625)
    assert values["auroc_votes_2"] == pytest.approx(25 / 36)
    assert values["auroc_votes_4"] == pytest.approx(7 / 9)
    assert values["auroc_votes_4_sd"] == pytest.approx(0.0, abs=1e-12)
    assert values["auroc_votes_4_low"] == values["auroc_votes_4_high"] == pytest.approx(7 / 9)
    assert values["auroc_votes_1_sd"] > 0
    assert values["auroc_votes_1_low"] < values["auroc_votes_1"] < values["auroc_votes_1_high"]

    # validation_by_source_model at 0.4.
    #   Model A: a 0.75, b 0.25 (positive) vs d 0.0: AUROC 2/2 = 1; recall 1/2 (a), fpr 0/1.
    #   Model B: c 0.5 vs e 0.5 (tie), f 0.25: AUROC 1.5/2 = 0.75; recall 1/1, fpr 1/2 (e).
    by_model = {name: value for name, value in values.items() if name.startswith("model:")}
    assert by_model == pytest.approx(
        {
            "model:model_a:auroc": 1.0,
            "model:model_a:n": 3,
            "model:model_a:n_positive": 2,
            "model:model_a:recall": 0.5,
            "model:model_a:fpr": 0.0,
            "model:model_b:auroc": 0.75,
            "model:model_b:n": 3,
            "model:model_b:n_positive": 1,
            "model:model_b:recall": 1.0,
            "model:model_b:fpr": 0.5,
        }
    )

    # validation_exclusions: two excluded by the judge scorer (one of them a judge error) and
    # one without a label, none of them in any statistic above.
    assert values["judge_errors"] == 1
    assert values["excluded"] == 3
    assert values["excluded:judge_error_unparseable"] == 1
    assert values["excluded:not_applicable_no_scratchpad"] == 1
    assert values["excluded:no_label"] == 1


def test_agreeing_epochs_change_nothing() -> None:
    # Two equal epochs under `mean` and `mode` (two suffice: equal values stay equal).
    assert_agreeing_epochs_change_nothing(
        _metrics(), [score for score, _ in CASES], metadata=[meta for _, meta in CASES], epochs=2
    )


def test_disagreeing_epochs_average_the_share_and_keep_the_first_epochs_votes() -> None:
    epochs: list[list[Value | Score]] = [
        [_judged("YYYN"), _judged("YYYN")],  # a: 0.75 both times
        # b: 0.25 then 0.75 -> 0.5; its first epoch's votes (1 Yes of 4) stay in the metadata.
        [_judged("YNNN"), _judged("YYYN")],
        [_judged("YYNN"), _judged("YYNN")],  # c: 0.5
        [_judged("NNNN"), _judged("NNNN")],  # d: 0.0
        [_judged("YYNN"), _judged("YYNN")],  # e: 0.5
        [_judged("YNNN"), _judged("YNNN")],  # f: 0.25
        # x (positive): a judge error, then 4/4. excluded = 1/2, so the sample is kept with the
        # mean of its measured epochs, 1.0; its first epoch has no valid vote for the curve.
        [_failed("judge_error:unparseable"), _judged("YYYY")],
        # y (negative): judge errors in both epochs (excluded = 1); the reason is the first's.
        [_failed("judge_error:unparseable"), _failed("judge_error:timeout")],
    ]
    metadata = [_sample(label) for label in (1, 1, 1, 0, 0, 0, 1, 0)]
    values = _run(epochs, metadata)

    # AUROC on a 0.75, b 0.5, c 0.5, x 1.0 against d 0.0, e 0.5, f 0.25: of the 12 pairs only
    # b-e and c-e tie, (12 - 2 / 2) / 12 = 11/12.
    assert values["auroc"] == pytest.approx(11 / 12)
    assert (values["n"], values["n_positive"], values["n_negative"]) == (7, 4, 3)
    # At 0.4: AF = a, b, c, x | e.
    assert (values["tp"], values["fp"], values["tn"], values["fn"]) == (4, 1, 2, 0)
    # The votes curve reads the first epoch's votes: b's 1 of 4, and nothing for x. With all
    # four votes it is therefore the one-epoch AUROC of a..f (7/9), not 11/12.
    assert values["auroc_votes_4"] == pytest.approx(7 / 9)
    assert values["judge_errors"] == 1
    assert values["excluded"] == 1
    assert values["excluded:judge_error_unparseable"] == 1
    assert "excluded:judge_error_timeout" not in values


def test_no_usable_sample_gives_nan_statistics_and_counts_the_exclusions() -> None:
    values = _run(
        [[_failed("judge_error:unparseable")], [_judged("YYNN")]],
        [_sample(1), _sample(None)],
    )
    for name in ("auroc", "auroc_ci_low", "auroc_ci_high", "precision", "recall", "fpr"):
        _assert_nan(values[name])
    assert (values["n"], values["tp"], values["fp"]) == (0, 0, 0)
    # No votes at all: the votes curve reports nothing rather than NaNs.
    assert not any(name.startswith("auroc_votes_") for name in values)
    assert not any(name.startswith("model:") for name in values)
    assert values["excluded"] == 2 and values["judge_errors"] == 1
    assert values["excluded:no_label"] == 1
