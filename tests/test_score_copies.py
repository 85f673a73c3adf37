"""`SharedMetadataScore`: Inspect's per-key deep copies share the metadata, and nothing else
changes (the value is copied, the log records a plain `Score`, the metrics are the same)."""

from __future__ import annotations

import copy
import math

from inspect_ai._eval.task.results import eval_results
from inspect_ai.scorer import SampleScore, Score

from af_inspect.keys import COMPLIED, EXCLUSION_REASON, TAG_EXCLUDED
from af_inspect.scorers import accept_tag_compliance
from af_inspect.scorers._copies import SharedMetadataScore
from af_inspect.scorers._response import excluded, measured


def _score(value: float, tier_reason: str | None = None) -> SharedMetadataScore:
    metadata = {"invalid_reasons": [None], "decision": "accepted"}
    if tier_reason is None:
        score = measured(COMPLIED, value, answer="accepted", explanation="e", metadata=metadata)
    else:
        score = excluded(COMPLIED, tier_reason, explanation="e", metadata=metadata)
    assert isinstance(score, SharedMetadataScore)
    return score


def test_a_deep_copy_shares_the_metadata_and_copies_the_value() -> None:
    original = _score(1.0)
    sample_score = SampleScore(score=original, sample_id="q0-free", sample_metadata={"tier": "f"})
    copied = copy.deepcopy(sample_score)
    # What Inspect does with the copy for each key: replace its value.
    copied.score.value = 1.0
    assert original.value == {COMPLIED: 1.0, TAG_EXCLUDED: 0.0}
    assert copied.score.metadata is original.metadata
    assert copy.deepcopy(original).value == original.value
    assert copy.deepcopy(original).value is not original.value


def test_the_log_records_a_plain_score() -> None:
    original = _score(math.nan, "no_decision_tag")
    plain = Score.model_validate(original.model_dump())
    assert type(plain) is Score
    assert plain.model_dump_json() == original.model_dump_json()
    assert plain.metadata is not None and plain.metadata[EXCLUSION_REASON] == "no_decision_tag"


def test_the_metrics_are_those_of_plain_scores() -> None:
    shared = [_score(1.0), _score(0.0), _score(math.nan, "no_decision_tag"), _score(1.0)]
    tiers = ["free", "paid", "free", "paid"]

    def by_scorer(scores: list[Score]) -> list[dict[str, SampleScore]]:
        return [
            {
                "accept_tag_compliance": SampleScore(
                    score=score,
                    sample_id=f"q{index // 2}-{tier}",
                    sample_metadata={"tier": tier, "query_id": f"q{index // 2}"},
                )
            }
            for index, (score, tier) in enumerate(zip(scores, tiers, strict=True))
        ]

    plain = [Score.model_validate(score.model_dump()) for score in shared]

    def metrics(scores: list[Score]) -> dict[str, dict[str, float]]:
        results, _ = eval_results(
            samples=len(scores),
            scores=by_scorer(scores),
            reducers=None,
            scorers=[accept_tag_compliance()],
            metrics=None,
        )
        return {
            score.name: {name: metric.value for name, metric in score.metrics.items()}
            for score in results.scores
        }

    expected = metrics(plain)
    assert expected["tag_excluded"]["af_inspect/exclusions_free_excluded_no_decision_tag"] == 1.0
    assert str(metrics(shared)) == str(expected)  # str: NaN fields compare equal
    assert shared[0].value == {COMPLIED: 1.0, TAG_EXCLUDED: 0.0}  # the originals are untouched


def test_a_copy_of_a_list_or_scalar_value_is_independent_too() -> None:
    listed = SharedMetadataScore(value=[1.0, 0.0], metadata={"k": "v"})
    copied = copy.deepcopy(listed)
    assert copied.value == [1.0, 0.0] and copied.value is not listed.value
    assert copy.deepcopy(SharedMetadataScore(value=0.5)).value == 0.5
