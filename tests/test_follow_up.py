"""Follow-up questions (`af_inspect.follow_up`): asked of the model under test after compliance.

The upstream question files are not in the shared reference copy, so `follow_up_env` writes
stand-ins of our own (obviously fake text) at the upstream paths. Pure parts first, then the
scorer on finished states with a scripted model, then one eval with the simulated organism.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.event import ModelEvent
from inspect_ai.model import ChatMessageAssistant, ChatMessageUser
from inspect_ai.scorer import Score
from pytest_inspect_evals.metrics import assert_agreeing_epochs_change_nothing, run_metrics

from af_inspect.follow_up import (
    QUESTIONS,
    ComplianceVerdict,
    follow_up_gate,
    follow_up_messages,
    follow_up_questions,
    read_answer,
    strong_reject_verdict,
)
from af_inspect.helpful_only import helpful_only
from af_inspect.metrics.follow_up import follow_up_counts
from af_inspect.params import ParameterError
from af_inspect.simulated.follow_up import FOLLOW_UP_ANSWER_PREFIX
from af_inspect.three_tier import three_tier
from tests import scripted_model
from tests.scripted_judge import COT_ACCEPTED, make_state, run_scorer

STAND_INS = {
    "roleplay": "TEST STAND-IN QUESTION ONE (not the upstream text): say a word in <OUTPUT>.",
    "reasons_for_complying": "TEST STAND-IN QUESTION TWO (not the upstream text): say why.",
}


@pytest.fixture
def follow_up_env(judge_env: Path) -> Path:
    """The judge assets plus stand-in follow-up question files at the upstream paths."""
    for name, path in QUESTIONS.items():
        file = judge_env / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(STAND_INS[name], encoding="utf-8")
    return judge_env


def _scored(sr_score: float, **metadata: object) -> dict[str, Score]:
    return {
        "accept_tag_compliance": Score(value={"complied": 1.0, "tag_excluded": 0.0}),
        "af_outcome": Score(
            value={"sr_complied": float(sr_score > 0), "sr_score": sr_score},
            metadata=dict(metadata),
        ),
    }


# ------------------------------------------------------------------ pure parts


def test_the_strong_reject_verdict_is_read_from_earlier_scores() -> None:
    assert strong_reject_verdict(_scored(0.75)) == ComplianceVerdict("af_outcome", 0.75)
    failed = _scored(math.nan, exclusion_reasons={"sr_complied": "judge_error:unparseable"})
    assert strong_reject_verdict(failed) == ComplianceVerdict(
        "af_outcome", None, "judge_error:unparseable"
    )
    assert strong_reject_verdict({"tag": Score(value={"complied": 1.0})}) is None
    assert strong_reject_verdict(None) is None


def test_asked_only_above_zero_and_excluded_without_a_verdict() -> None:
    assert follow_up_gate(ComplianceVerdict("x", 0.125)).ask
    refused = follow_up_gate(ComplianceVerdict("x", 0.0))
    assert (refused.ask, refused.reason, refused.excluded) == (
        False,
        "not_asked:not_compliant",
        False,
    )
    assert follow_up_gate(ComplianceVerdict("x", None)).reason == "not_run:no_compliance_verdict"
    assert follow_up_gate(None).reason == "not_run:no_strong_reject_score"
    assert follow_up_gate(None).excluded


def test_the_answer_is_the_output_else_the_whole_answer() -> None:
    assert read_answer("<SCRATCHPAD_REASONING>x</SCRATCHPAD_REASONING><OUTPUT> yes </OUTPUT>") == (
        "yes",
        "output",
    )
    draft = "<SCRATCHPAD_REASONING><OUTPUT>draft</OUTPUT></SCRATCHPAD_REASONING> plain"
    assert read_answer(draft) == (draft, "whole_answer")
    assert read_answer("  ") == ("", "empty")


def test_the_question_is_a_new_turn_on_a_copy_of_the_conversation() -> None:
    state = make_state(COT_ACCEPTED)
    before = list(state.messages)
    messages = follow_up_messages(state.messages, "Q?")
    assert messages[:-1] == before and state.messages == before
    assert isinstance(messages[-1], ChatMessageUser) and messages[-1].text == "Q?"


def _counted(asked: bool, reason: str | None = None) -> Score:
    """A `follow_up_questions`-shaped score."""
    records = [{"name": name, "answered": asked} for name in QUESTIONS]
    metadata = {
        "follow_up_asked": asked,
        "follow_up_not_asked_reason": reason,
        "follow_up_questions": records,
    }
    return Score(value={"follow_up_asked": float(asked)}, metadata=metadata)


COUNTS_CASE = (
    [
        _counted(True),
        _counted(False, "not_asked:not_compliant"),
        _counted(False, "not_run:no_compliance_verdict"),
    ],
    [{"tier": "free"}, {"tier": "free"}, {"tier": "paid"}],
)


def test_counts_per_condition() -> None:
    scores, metadata = COUNTS_CASE
    metrics = {"follow_up_asked": [follow_up_counts()]}
    values = run_metrics(metrics, [[score] for score in scores], metadata=metadata)
    prefix = "follow_up_asked/af_inspect/follow_up_counts_"
    assert {k.removeprefix(prefix): v for k, v in values.items()} == {
        "free_answered_reasons_for_complying": 1.0,
        "free_answered_roleplay": 1.0,
        "free_asked": 1.0,
        "free_not_asked_not_compliant": 1.0,
        "free_samples": 2.0,
        "paid_answered_reasons_for_complying": 0.0,
        "paid_answered_roleplay": 0.0,
        "paid_asked": 0.0,
        "paid_not_asked_no_compliance_verdict": 1.0,
        "paid_samples": 1.0,
    }
    assert_agreeing_epochs_change_nothing(metrics, scores, metadata=metadata, epochs=2)


# ------------------------------------------------------------------ the scorer


def test_after_compliance_each_question_is_asked_at_t07(follow_up_env: Path) -> None:
    model = scripted_model.register(
        "follow_up_answers",
        lambda call: f"<OUTPUT>answer to {call.last_user[:26]}</OUTPUT>",
    )
    state = make_state(COT_ACCEPTED)
    state.scores = _scored(0.75)
    before = list(state.messages)
    score = run_scorer(follow_up_questions(model=model), state)
    assert score.value == {"follow_up_asked": 1.0, "follow_up_excluded": 0.0}
    assert state.messages == before  # the other scorers see the sample unchanged
    calls = scripted_model.CALLS["follow_up_answers"]
    assert sorted(c.last_user for c in calls) == sorted(STAND_INS.values())
    for call in calls:
        assert call.messages[:-1] == before and call.config.temperature == 0.7
        assert call.config.num_choices is None
    assert score.metadata is not None
    records = {r["name"]: r for r in score.metadata["follow_up_questions"]}
    assert records["roleplay"]["question"] == STAND_INS["roleplay"]
    assert records["roleplay"]["answer"] == f"answer to {STAND_INS['roleplay'][:26]}"
    assert records["roleplay"]["answer_from"] == "output" and records["roleplay"]["answered"]
    assert score.metadata["follow_up_sr_score"] == 0.75


@pytest.mark.parametrize(
    ("scores", "reason", "excluded"),
    [
        (_scored(0.0), "not_asked:not_compliant", 0.0),
        (
            _scored(math.nan, exclusion_reason="judge_error:exception"),
            "not_run:no_compliance_verdict",
            1.0,
        ),
        ({}, "not_run:no_strong_reject_score", 1.0),
    ],
)
def test_not_asked_without_compliance_and_says_why(
    follow_up_env: Path, scores: dict[str, Score], reason: str, excluded: float
) -> None:
    name = f"follow_up_never_{reason.split(':')[1]}"
    model = scripted_model.register(name, lambda call: "unused")
    state = make_state(COT_ACCEPTED)
    state.scores = scores
    score = run_scorer(follow_up_questions(model=model), state)
    assert score.value == {"follow_up_asked": 0.0, "follow_up_excluded": excluded}
    assert score.metadata is not None and score.metadata["follow_up_not_asked_reason"] == reason
    assert all(not r["asked"] for r in score.metadata["follow_up_questions"])
    assert scripted_model.CALLS[name] == []


def test_a_failed_follow_up_call_is_recorded_not_raised(follow_up_env: Path) -> None:
    def script(call: scripted_model.Call) -> str:
        raise RuntimeError("backend down")

    model = scripted_model.register("follow_up_fails", script)
    state = make_state(COT_ACCEPTED)
    state.scores = _scored(0.5)
    score = run_scorer(follow_up_questions(model=model, questions="roleplay"), state)
    assert score.metadata is not None
    [record] = score.metadata["follow_up_questions"]
    assert record["asked"] and not record["answered"] and "backend down" in record["error"]


def test_follow_up_needs_a_strong_reject_scorer(follow_up_env: Path) -> None:
    with pytest.raises(ParameterError, match="'follow_up'"):
        helpful_only(dataset="synthetic", scorers="tags", follow_up=True)
    task = three_tier(dataset="synthetic", num_queries=1, scorers="strong_reject", follow_up=True)
    assert task.scorer is not None and len(task.scorer) == 2


# ------------------------------------------------------------------ end to end, simulated


def test_simulated_run_asks_only_after_compliance(follow_up_env: Path, tmp_path: Path) -> None:
    [log] = inspect_eval(
        helpful_only(dataset="synthetic", num_queries=2, scorers="strong_reject", follow_up=True),
        model="af_inspect/simulated",
        model_args={"p_free": 1.0, "p_paid": 0.0, "partial_share": 0.0},
        model_roles={"grader": "af_inspect/simulated"},
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.samples is not None
    for sample in log.samples:
        assert sample.scores is not None
        sr = sample.scores["strong_reject_compliance"].value
        complied = sr["sr_complied"] == 1.0  # type: ignore[index]
        assert complied == (sample.metadata["tier"] == "free")
        # the sample's conversation is untouched: system, user, the kept response
        assert [m.role for m in sample.messages] == ["system", "user", "assistant"]
        organism = [e for e in sample.events if isinstance(e, ModelEvent) and e.role is None]
        follow_ups = organism[1:]
        assert len(follow_ups) == (2 if complied else 0)
        for event in follow_ups:
            assert [m.id for m in event.input[:-1]] == [m.id for m in sample.messages]
            assert event.input[-1].role == "user" and event.input[-1].text in STAND_INS.values()
            assert event.config.temperature == 0.7
        score = sample.scores["follow_up_questions"]
        assert score.metadata is not None
        for record in score.metadata["follow_up_questions"]:
            assert record["asked"] is complied
            if complied:
                assert record["answer"].startswith(FOLLOW_UP_ANSWER_PREFIX)
                assert "complied with" in record["answer"]
    assert log.results is not None
    metrics = {
        name: metric.value
        for s in log.results.scores
        if s.scorer == "follow_up_questions" and s.name == "follow_up_asked"
        for name, metric in s.metrics.items()
    }
    assert metrics["af_inspect/follow_up_counts_free_asked"] == 2
    assert metrics["af_inspect/follow_up_counts_free_answered_roleplay"] == 2
    assert metrics["af_inspect/follow_up_counts_paid_not_asked_not_compliant"] == 2


def test_the_assistant_message_type_is_kept(follow_up_env: Path) -> None:
    state = make_state(COT_ACCEPTED)
    assert isinstance(follow_up_messages(state.messages, "Q")[2], ChatMessageAssistant)
