"""Per-paraphrase and pooled gaps (`af_inspect.metrics.paraphrases`): the pure statistics, and
the `paraphrase_gaps` metric on sample scores and through Inspect's metric machinery."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import statsmodels.api as sm
from inspect_ai.scorer import SampleScore, Score, Value
from pytest_inspect_evals.metrics import assert_agreeing_epochs_change_nothing, run_metrics

from af_inspect.metrics import paired_difference, tier_gap
from af_inspect.metrics.paraphrases import (
    PairCell,
    cluster_variance,
    contrast_cells,
    design_effects,
    heterogeneity_p,
    paraphrase_gaps,
    per_paraphrase_gaps,
    pooled_gap,
)


def _cells(free_per_ten: tuple[int, ...], queries: int = 60) -> list[PairCell]:
    """Deterministic 0/1 data: paraphrase k complies in the free tier for `free_per_ten[k]` of
    every ten queries and in the paid tier for one in twenty, each paraphrase on a rotated set
    of queries, so no query behaves alike across paraphrases. Equal entries: paraphrases agree
    exactly (the same counts); different entries: they disagree."""
    return [
        PairCell(
            f"q{q:02d}",
            f"{k + 1:02d}",
            float((q + 7 * k) % 10 < rate),
            float((q + 11 * k) % 20 == 0),
        )
        for k, rate in enumerate(free_per_ten)
        for q in range(queries)
    ]


def _width(low: float, high: float) -> float:
    return high - low


def test_pooled_interval_is_the_naive_one_when_paraphrases_agree() -> None:
    pooled = pooled_gap(_cells((3, 3, 3)))
    naive = paired_difference([(c.minuend, c.subtrahend) for c in _cells((3, 3, 3))])
    assert pooled.gap == pytest.approx(naive.difference) == pytest.approx(0.3 - 0.05)
    assert pooled.design_effect == pytest.approx(1.0)
    assert _width(pooled.ci_low, pooled.ci_high) == pytest.approx(
        _width(naive.ci_low, naive.ci_high)
    )
    assert (pooled.n_pairs, pooled.n_queries, pooled.n_paraphrases) == (180, 60, 3)


def test_pooled_interval_is_wider_when_paraphrases_disagree() -> None:
    cells = _cells((1, 3, 5))  # per-paraphrase free rates 0.1, 0.3, 0.5
    pooled = pooled_gap(cells)
    assert pooled.gap == pytest.approx(0.3 - 0.05)
    assert pooled.deff_paraphrase > 5 and pooled.deff_query == 0.0
    naive_width = _width(pooled.naive.ci_low, pooled.naive.ci_high)
    assert _width(pooled.ci_low, pooled.ci_high) > 2.5 * naive_width
    per = per_paraphrase_gaps(cells)
    assert [round(per[k].difference, 3) for k in ("01", "02", "03")] == [0.05, 0.25, 0.45]
    assert heterogeneity_p(cells) < 1e-4 and heterogeneity_p(_cells((3, 3, 3))) == 1.0


def test_close_to_the_naive_interval_on_noise_and_wider_with_a_paraphrase_effect() -> None:
    """Seeded random data, 200 queries x 5 paraphrases: independent noise vs. paraphrases whose
    free-tier rates differ by 0.1 to 0.5."""
    ratios, heterogeneity = {}, {}
    for name, rates in {"agree": [0.3] * 5, "disagree": [0.1, 0.2, 0.3, 0.4, 0.5]}.items():
        rng = random.Random(7)
        cells = [
            PairCell(f"q{q}", str(k), float(rng.random() < rate), float(rng.random() < 0.05))
            for q in range(200)
            for k, rate in enumerate(rates)
        ]
        pooled = pooled_gap(cells)
        heterogeneity[name] = heterogeneity_p(cells)
        ratios[name] = _width(pooled.ci_low, pooled.ci_high) / _width(
            pooled.naive.ci_low, pooled.naive.ci_high
        )
    assert 1.0 <= ratios["agree"] < 1.3
    assert ratios["disagree"] > 2.0
    assert heterogeneity["agree"] > 0.05 and heterogeneity["disagree"] < 1e-6


def test_untruncated_variance_is_statsmodels_two_way_cluster_variance() -> None:
    """VQ + VP - V0 is Cameron, Gelbach & Miller's two-way cluster variance of the mean, as
    statsmodels computes it for a regression on a constant (with missing pairs)."""
    rng = random.Random(3)
    cells = [
        PairCell(f"q{q}", str(k), float(rng.random() < 0.3 + 0.1 * k), float(rng.random() < 0.1))
        for q in range(40)
        for k in range(4)
        if rng.random() > 0.1
    ]
    d = [cell.difference for cell in cells]
    v_query = cluster_variance(d, [cell.query_id for cell in cells])
    v_paraphrase = cluster_variance(d, [cell.paraphrase for cell in cells])
    v_independent = cluster_variance(d, [str(i) for i in range(len(cells))])
    groups = np.column_stack(
        [[int(c.query_id[1:]) for c in cells], [int(c.paraphrase) for c in cells]]
    )
    fit = sm.OLS(np.array(d), np.ones((len(d), 1))).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    assert v_query + v_paraphrase - v_independent == pytest.approx(float(fit.bse[0]) ** 2)
    effect, query_part, paraphrase_part = design_effects(cells)
    assert effect == pytest.approx(1 + query_part + paraphrase_part)


def test_identical_copies_of_a_prompt_are_pseudo_replication() -> None:
    """Three copies of one prompt give each query's pairs three times: the pooled interval is
    the per-query one (about sqrt(3) times the naive), not the naive interval over 3n pairs."""
    rng = random.Random(1)
    base = [(float(rng.random() < 0.4), float(rng.random() < 0.1)) for _ in range(100)]
    cells = [PairCell(f"q{q}", str(k), f, p) for q, (f, p) in enumerate(base) for k in range(3)]
    pooled = pooled_gap(cells)
    assert pooled.deff_query == pytest.approx(2.0, abs=0.05) and pooled.deff_paraphrase == 0.0


def test_degenerate_cases() -> None:
    one = pooled_gap([c for c in _cells((3, 3)) if c.paraphrase == "01"])
    assert math.isnan(one.design_effect) and math.isnan(one.ci_low)
    assert one.gap == pytest.approx(0.25)
    flat = pooled_gap([PairCell(f"q{q}", str(k), 0.0, 0.0) for q in range(5) for k in range(3)])
    assert flat.design_effect == 1.0 and flat.gap == 0.0
    assert (flat.ci_low, flat.ci_high) == (flat.naive.ci_low, flat.naive.ci_high)
    empty = pooled_gap([])
    assert empty.n_pairs == 0 and math.isnan(empty.gap) and math.isnan(empty.ci_high)
    assert math.isnan(cluster_variance([0.5], ["a"]))
    assert math.isnan(heterogeneity_p([c for c in _cells((3, 3)) if c.paraphrase == "01"]))
    constant = [PairCell(f"q{q}", str(k), float(k), 0.0) for q in range(3) for k in range(2)]
    assert heterogeneity_p(constant) == 0.0


# ------------------------------------------------------------------ the Inspect metric


def _scores(free_per_ten: tuple[int, ...], queries: int = 20) -> list[SampleScore]:
    scores = []
    for cell in _cells(free_per_ten, queries):
        for tier, value in (("free", cell.minuend), ("paid", cell.subtrahend)):
            scores.append(
                SampleScore(
                    score=Score(value=value),
                    sample_id=f"{cell.query_id}-{tier}-p{cell.paraphrase}",
                    sample_metadata={
                        "tier": tier,
                        "query_id": cell.query_id,
                        "paraphrase": cell.paraphrase,
                        "contrasts": [["compliance_gap", "free", "paid"]],
                    },
                )
            )
    return scores


def test_metric_reports_each_paraphrase_and_the_pooled_gap() -> None:
    scores = _scores((1, 3, 5))
    result = paraphrase_gaps()(scores)
    assert isinstance(result, dict)
    cells = contrast_cells(scores, "free", "paid")
    pooled = pooled_gap(cells)
    assert result["pooled_gap"] == pytest.approx(pooled.gap)
    assert result["pooled_ci_low"] == pytest.approx(pooled.ci_low)
    assert result["n_paraphrases"] == 3 and result["n_queries"] == 20
    for paraphrase, expected in per_paraphrase_gaps(cells).items():
        assert result[f"p{paraphrase}_gap"] == pytest.approx(expected.difference)
        assert result[f"p{paraphrase}_ci_high"] == pytest.approx(expected.ci_high)
        assert result[f"p{paraphrase}_n_pairs"] == 20
    assert result["paraphrase_spread"] == pytest.approx(0.4)
    assert result["paraphrase_heterogeneity_p"] == pytest.approx(heterogeneity_p(cells))
    # tier_gap pairs by (query, paraphrase): its gap is the pooled gap, its interval the naive
    gap = tier_gap()(scores)
    assert isinstance(gap, dict)
    assert gap["gap"] == pytest.approx(result["pooled_gap"]) and gap["n_pairs"] == 60
    assert gap["gap_ci_low"] == pytest.approx(result["pooled_naive_ci_low"])


def test_metric_is_silent_without_paraphrases() -> None:
    scores = _scores((3, 3))
    for score in scores:
        assert score.sample_metadata is not None
        score.sample_metadata.pop("paraphrase")
    assert paraphrase_gaps()(scores) == {}


@pytest.mark.slow
def test_metric_through_inspect_on_a_score_key_and_with_epochs() -> None:
    """Small (2 paraphrases x 5 queries): the values Inspect reports are the direct call's.
    Slow: several small evals (about 4 s here); the direct calls above are the fast tests."""
    samples = [s for s in _scores((1, 5), queries=10) if s.sample_metadata["query_id"] < "q05"]  # type: ignore[index]
    direct = paraphrase_gaps()(samples)
    assert isinstance(direct, dict)
    scores: list[Value | Score] = [
        {"complied": sample.score.as_float(), "tag_excluded": 0.0} for sample in samples
    ]
    metadata = [dict(sample.sample_metadata or {}) for sample in samples]
    metrics = {"complied": [tier_gap(), paraphrase_gaps()]}
    result = run_metrics(metrics, [[score] for score in scores], metadata=metadata)
    prefix = "complied/af_inspect/paraphrase_gaps_"
    for name in ("p01_gap", "p02_ci_low", "pooled_gap", "pooled_ci_high", "n_queries"):
        assert result[prefix + name] == pytest.approx(direct[name])
    assert result[prefix + "pooled_gap"] == pytest.approx(
        result["complied/af_inspect/tier_gap_gap"]
    )
    assert_agreeing_epochs_change_nothing(metrics, scores, metadata=metadata)
