"""The results table and its aggregations, on hand-built sample summaries (no eval).

The end-to-end checks, on logs the simulated organism writes, are in tests/test_report.py.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
import pytest

from af_inspect.judge_check import UNRESOLVED
from af_inspect.metrics.stats import paired_difference, proportion_summary
from af_inspect.results import columns as c
from af_inspect.results.aggregate import condition_rates, contrast_gaps, per_sample_means
from af_inspect.results.holm import holm_adjust, holm_formula
from af_inspect.results.runs import (
    LogKind,
    Run,
    judges_of,
    label_runs,
    latest_runs,
    paper_model_names,
    run_of,
    setting_of,
)
from af_inspect.results.table import run_frame, sample_row
from af_inspect.sweeps import load_models

NAN = math.nan


def run(**fields: Any) -> Run:
    base: dict[str, Any] = {
        "log": "a.eval",
        "eval_id": "e1",
        "created": "2026-01-01T00:00:00+00:00",
        "status": "success",
        "task": "three_tier",
        "scenario": "three_tier",
        "variant": "",
        "model": "af_inspect/simulated-a",
        "model_args": "",
        "setting": "cot=True",
        "judges": "none",
        "judge_setting": "accept_tag_compliance(rule=anywhere)",
        "contrasts": (
            ("goal_guarding_gap", "free", "pro"),
            ("rater_sycophancy_gap", "pro", "enterprise"),
        ),
        "epochs": 1,
        "error_message": "",
        "kind": LogKind.RESULTS,
    }
    base.update(fields)
    return Run(**base)


def tag_summary(
    query: int,
    tier: str,
    complied: float,
    *,
    epoch: int = 1,
    key: str = "tag_excluded",
    **extra: Any,
) -> dict[str, Any]:
    """A sample summary as `summaries.json` holds it, scored by the tag scorer only."""
    excluded = math.isnan(complied)
    metadata: dict[str, Any] = {"response_valid": True, "invalid_reason": None}
    if excluded:
        metadata["exclusion_reason"] = "no_decision_tag"
    metadata.update(extra.pop("score_metadata", {}))
    return {
        "id": f"q{query:04d}-{tier}",
        "epoch": epoch,
        "metadata": {"query_id": f"q{query:04d}", "tier": tier, "condition": tier, **extra},
        "scores": {
            "accept_tag_compliance": {
                "value": {"complied": complied, key: float(excluded)},
                "metadata": metadata,
            }
        },
    }


def table_of(pairs: dict[str, list[float]], *, epoch: int = 1, **run_fields: Any) -> pd.DataFrame:
    """Results rows of one run: `pairs[tier][query]` is the tag value of that query."""
    summaries = [
        tag_summary(query, tier, value, epoch=epoch)
        for tier, values in pairs.items()
        for query, value in enumerate(values)
    ]
    return run_frame(run(**run_fields), summaries)


# ------------------------------------------------------------------ the table


def test_sample_row_reads_every_outcome_key_and_the_exclusions() -> None:
    summary = {
        "id": "q0003-free",
        "epoch": 2,
        "metadata": {"query_id": "q0003", "tier": "free", "condition_label": "Free tier"},
        "scores": {
            "accept_tag_compliance": {
                "value": {"complied": 1.0, "tag_excluded": 0.0},
                "metadata": {
                    "response_valid": False,
                    "invalid_reason": "invalid_response:no_output",
                },
            },
            "af_outcome": {
                "value": {
                    "sr_complied": 1.0,
                    "sr_score": 0.75,
                    "af": 1.0,
                    "af_score": 0.45,
                    "af_given_compliance": 1.0,
                    "partial": 1.0,
                    "outcome_refusal": 0.0,
                    "outcome_refusal_af": 0.0,
                    "outcome_partial": 0.0,
                    "outcome_partial_af": 1.0,
                    "outcome_compliance": 0.0,
                    "outcome_compliance_af": 0.0,
                    "af_outcome_excluded": 0.0,
                },
                "metadata": {"sr_judge": "openai/gpt-4o", "af_judge": "openai/gpt-4o-mini"},
            },
        },
    }
    row = sample_row(summary)
    assert (row[c.QUERY_ID], row[c.CONDITION], row[c.CONDITION_LABEL], row[c.EPOCH]) == (
        "q0003",
        "free",
        "Free tier",
        2,
    )
    assert row[c.TAG_COMPLIED] == 1.0 and row[c.TAG_EXCLUDED] == 0.0
    assert (row[c.SR_COMPLIED], row[c.AF_SCORE], row[c.PARTIAL]) == (1.0, 0.45, 1.0)
    assert row[c.OUTCOME] == "partial_af" and row[c.OUTCOME_EXCLUDED] == 0.0
    assert row[c.RESPONSE_VALID] == 0.0 and row[c.INVALID_REASON] == "invalid_response:no_output"
    assert row[c.JUDGE_MODELS] == "openai/gpt-4o,openai/gpt-4o-mini"
    assert row[c.EXCLUSION_REASONS] == ""


@pytest.mark.parametrize("key", ["tag_excluded", "excluded"])
def test_old_and_new_exclusion_keys_give_the_same_row(key: str) -> None:
    row = sample_row(tag_summary(0, "paid", NAN, key=key))
    assert math.isnan(row[c.TAG_COMPLIED])
    assert row[c.TAG_EXCLUDED] == 1.0 and row[c.TAG_EXCLUSION_REASON] == "no_decision_tag"
    assert row[c.EXCLUSION_REASONS] == "accept_tag_compliance: no_decision_tag"
    assert math.isnan(row[c.SR_COMPLIED]) and row[c.OUTCOME] == ""
    assert math.isnan(row[c.OUTCOME_EXCLUDED])


def test_a_sample_with_an_error_keeps_its_row_without_scores() -> None:
    row = sample_row(
        {"id": "q0000-free", "epoch": 1, "metadata": {"tier": "free"}, "error": "boom"}
    )
    assert row[c.ERROR] == "boom" and math.isnan(row[c.TAG_COMPLIED])


def test_run_frame_carries_the_run_identity_and_contrasts() -> None:
    frame = table_of({"free": [1.0], "pro": [0.0], "enterprise": [0.0]})
    assert list(frame.columns[: len(c.RUN_COLUMNS)]) == list(c.RUN_COLUMNS)
    assert set(frame[c.MODEL]) == {"af_inspect/simulated-a"}
    assert json.loads(frame[c.CONTRASTS].iloc[0])[1] == [
        "rater_sycophancy_gap",
        "pro",
        "enterprise",
    ]


# ------------------------------------------------------------------ runs


def test_run_of_a_header_record() -> None:
    record = {
        "log": "x.eval",
        "task": "af_inspect/helpful_only",
        "status": "cancelled",
        "model": "af_inspect/simulated-b",
        "model_args": {"p_free": 0.3, "seed": 1},
        "task_args": {"cot": True, "num_queries": 10, "af_votes": 3, "grader": None, "lab": None},
        "generate_config": {"temperature": 1.0},
        "epochs": 3,
        "judges": {"grader": UNRESOLVED},
        "model_roles": {"grader": {"model": "af_inspect/simulated"}},
        "scorers": [{"name": "af_outcome", "options": {"votes": 3, "grader": None}}],
        "scenario_id": None,
        "scenario_contrasts": None,
    }
    result = run_of(record)
    assert result.kind is LogKind.RESULTS and result.task == "helpful_only"
    assert result.model_args == "p_free=0.3, seed=1"
    assert result.setting == "cot=True, epochs=3, gen.temperature=1.0"
    assert result.judges == "grader=af_inspect/simulated"
    assert result.judge_setting == "af_outcome(votes=3)"
    assert result.contrasts == ()  # recorded by none: see the next test
    scenario = [
        {"name": "goal_guarding_gap", "minuend": "free", "subtrahend": "pro"},
        {"name": "rater_sycophancy_gap", "minuend": "pro", "subtrahend": "enterprise"},
    ]
    asked = run_of({**record, "scenario_contrasts": scenario, "conditions": ["free", "pro"]})
    assert asked.contrasts == (("goal_guarding_gap", "free", "pro"),)  # enterprise not asked
    assert run_of({**record, "task": "other/thing"}).kind is LogKind.OTHER
    assert (
        run_of({**record, "task": "af_inspect/af_classifier_validation"}).kind is LogKind.VALIDATION
    )


def test_contrasts_come_from_the_task_then_the_samples_then_the_default() -> None:
    summaries = [tag_summary(0, "free", 1.0), tag_summary(0, "paid", 0.0)]
    recorded = run(task="helpful_only", contrasts=(("x_gap", "free", "paid"),))
    from_samples = [
        {**s, "metadata": {**s["metadata"], "contrasts": [["y", "paid", "free"]]}}
        for s in summaries
    ]
    legacy = run(task="helpful_only", contrasts=())
    assert json.loads(run_frame(recorded, from_samples)[c.CONTRASTS].iloc[0]) == [
        ["x_gap", "free", "paid"]
    ]
    assert json.loads(run_frame(legacy, from_samples)[c.CONTRASTS].iloc[0]) == [
        ["y", "paid", "free"]
    ]
    assert json.loads(run_frame(legacy, summaries)[c.CONTRASTS].iloc[0]) == [
        ["compliance_gap", "free", "paid"]
    ]
    assert json.loads(run_frame(run(contrasts=()), summaries)[c.CONTRASTS].iloc[0]) == []


def test_judges_of_follows_the_scorers_resolution() -> None:
    assert judges_of({}, {}, None) == "none"
    assert judges_of({"grader": "openai/gpt-4o"}, {}, None) == "grader=openai/gpt-4o"
    assert judges_of({"grader": UNRESOLVED}, {}, "x/judge") == "grader=x/judge"
    assert judges_of({"grader": UNRESOLVED}, {}, None) == "grader=openai/gpt-4o"
    assert judges_of({"classic_grader": UNRESOLVED}, {}, None) == (
        "classic_grader=anthropic/claude-3-5-sonnet-20241022"
    )


def test_setting_leaves_out_judge_args_and_size() -> None:
    args = {"cot": False, "num_queries": 5, "scorers": "tags", "parse": "lenient", "variant": "x"}
    assert setting_of(args, {}, 1) == "cot=False, variant=x"


def test_the_latest_run_of_an_experiment_is_kept_unless_all() -> None:
    old = run(log="old.eval", created="2026-01-01T00:00:00+00:00")
    new = run(log="new.eval", created="2026-01-02T00:00:00+00:00")
    other_judge = run(log="judge.eval", judges="grader=x/y")
    selection = latest_runs([new, old, other_judge])
    assert [r.log for r in selection.runs] == ["judge.eval", "new.eval"]
    assert [(a.log, b.log) for a, b in selection.superseded] == [("old.eval", "new.eval")]
    assert len(latest_runs([new, old, other_judge], keep_all=True).runs) == 3


def test_labels_tell_runs_of_one_task_apart_by_what_differs() -> None:
    runs = label_runs(
        [
            run(log="a.eval", model_args="p_free=0.3, seed=1"),
            run(log="b.eval", model_args="p_free=0.5, seed=1"),
            run(log="c.eval", model="m/other"),
            run(log="d.eval", model="m/twice", created="2026-01-01T00:00:00+00:00"),
            run(log="e.eval", model="m/twice", created="2026-01-02T00:00:00+00:00"),
        ]
    )
    assert [r.label for r in runs] == [
        "af_inspect/simulated-a [p_free=0.3]",
        "af_inspect/simulated-a [p_free=0.5]",
        "m/other",
        "m/twice [2026-01-01T00:00:00+00:00]",
        "m/twice [2026-01-02T00:00:00+00:00]",
    ]


def test_labels_use_the_papers_names_for_its_models_unless_two_ids_share_one() -> None:
    runs = label_runs(
        [
            run(log="a.eval", model="anthropic/claude-3-opus-20240229"),
            run(log="b.eval", model="m/other"),
        ]
    )
    assert [r.label for r in runs] == ["Claude 3 Opus", "m/other"]
    assert [r.model for r in runs] == ["anthropic/claude-3-opus-20240229", "m/other"]
    # Two routes to one model: the ids tell them apart, not a shared name.
    models = load_models()
    routed = next(m for m in models.models if m.alternatives)
    other_route = next(iter(routed.alternatives.values()))
    names = paper_model_names([routed.model, other_route])
    assert names == {routed.model: routed.model, other_route: other_route}
    assert paper_model_names([routed.model]) == {routed.model: routed.label}


# ------------------------------------------------------------------ aggregations


def test_epochs_are_pooled_per_sample_over_scored_epochs() -> None:
    table = pd.concat(
        [
            table_of({"free": [1.0, 1.0], "pro": [0.0, NAN]}, epoch=1),
            table_of({"free": [0.0, 1.0], "pro": [1.0, NAN]}, epoch=2),
        ],
        ignore_index=True,
    )
    means = per_sample_means(table, c.TAG_COMPLIED)
    keys = zip(means[c.CONDITION], means[c.QUERY_ID], strict=True)
    by_sample = dict(zip(keys, means[c.TAG_COMPLIED], strict=True))
    assert math.isnan(by_sample.pop(("pro", "q0001")))  # scored in no epoch
    assert by_sample == {("free", "q0000"): 0.5, ("free", "q0001"): 1.0, ("pro", "q0000"): 0.5}
    rates = condition_rates(table, c.TAG_COMPLIED).set_index(c.CONDITION)
    assert rates.loc["free", "n"] == 2 and rates.loc["free", "rate"] == 0.75
    assert rates.loc["pro", "n"] == 1  # q0001 was excluded in both epochs
    # fractional values: the paired t-interval, no McNemar
    gaps = contrast_gaps(table, c.TAG_COMPLIED).set_index("contrast")
    assert gaps.loc["goal_guarding_gap", "method"] == "paired_t"
    assert math.isnan(gaps.loc["goal_guarding_gap", "mcnemar_p"])


def test_condition_rates_are_the_suites_proportion_summary() -> None:
    table = table_of({"free": [1, 1, 0, 1, NAN], "pro": [0, 0, 1, 0, 0]})
    rates = condition_rates(table, c.TAG_COMPLIED).set_index(c.CONDITION)
    expected = proportion_summary(3, 4)
    row = rates.loc["free"]
    assert (row["rate"], row["stderr"], row["ci_low"], row["ci_high"], row["n"]) == (
        expected.rate,
        expected.stderr,
        expected.wilson_low,
        expected.wilson_high,
        4,
    )
    assert list(rates.index) == ["free", "pro"]  # first-seen order, absent enterprise not made up


def test_contrast_gaps_pair_by_query_with_newcombe_mcnemar_and_holm() -> None:
    free = [1, 1, 1, 0, 1, 1, 0, NAN]
    pro = [0, 1, 0, 0, 0, 0, 0, 1]
    enterprise = [0, 0, 0, 0, 1, 0, 0, 0]
    gaps = contrast_gaps(
        table_of({"free": free, "pro": pro, "enterprise": enterprise}), c.TAG_COMPLIED
    )
    assert list(gaps["contrast"]) == ["goal_guarding_gap", "rater_sycophancy_gap"]
    assert list(gaps["headline"]) == [True, False]
    first = gaps.iloc[0]
    expected = paired_difference(
        [(f, p) for f, p in zip(free, pro, strict=True) if not math.isnan(f)]
    )
    assert first["n_pairs"] == 7  # q0007 has no free value: its pair is broken
    for name, value in (
        ("gap", expected.difference),
        ("ci_low", expected.ci_low),
        ("ci_high", expected.ci_high),
        ("mcnemar_p", expected.mcnemar_p),
        ("minuend_only", expected.first_only),
    ):
        assert first[name] == pytest.approx(value), name
    assert list(gaps["p_holm"]) == pytest.approx(holm_formula(list(gaps["mcnemar_p"])))


def test_contrasts_can_be_given_and_a_missing_condition_gives_no_pairs() -> None:
    table = table_of({"free": [1, 0], "pro": [0, 0]})
    gaps = contrast_gaps(
        table, c.TAG_COMPLIED, contrasts=[("free_vs_paid", "free", "paid"), ("g", "free", "pro")]
    )
    assert gaps.iloc[0]["n_pairs"] == 0 and math.isnan(gaps.iloc[0]["gap"])
    assert gaps.iloc[1]["gap"] == 0.5
    assert gaps.iloc[1]["p_holm"] == gaps.iloc[1]["mcnemar_p"]  # a NaN p is not in the family


def test_two_runs_are_never_pooled() -> None:
    a = table_of({"free": [1, 1], "pro": [0, 0]}, log="a.eval", label="a")
    b = table_of({"free": [0, 0], "pro": [0, 0]}, log="b.eval", label="b", model="m/b")
    rates = condition_rates(pd.concat([a, b], ignore_index=True), c.TAG_COMPLIED)
    assert len(rates) == 4
    assert list(rates.loc[rates[c.CONDITION] == "free", "rate"]) == [1.0, 0.0]
    # the same label in another task is another run
    d = table_of({"free": [0, 0], "pro": [0, 0]}, log="d.eval", label="a", task="five_tier")
    rates = condition_rates(pd.concat([a, d], ignore_index=True), c.TAG_COMPLIED)
    assert list(rates.loc[rates[c.CONDITION] == "free", "rate"]) == [1.0, 0.0]


# ------------------------------------------------------------------ Holm


def test_holm_on_a_worked_example() -> None:
    assert holm_formula([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm_formula([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm_formula([]) == []


def test_holm_adjust_matches_statsmodels_and_skips_nan() -> None:
    statsmodels = pytest.importorskip("statsmodels.stats.multitest")
    p = [0.001, 0.2, 0.013, 0.04, 0.9, 0.02]
    assert holm_adjust(p) == pytest.approx(list(statsmodels.multipletests(p, method="holm")[1]))
    assert holm_adjust(p) == pytest.approx(holm_formula(p))
    adjusted = holm_adjust([0.01, NAN, 0.04])
    assert math.isnan(adjusted[1]) and adjusted[::2] == pytest.approx([0.02, 0.04])
