"""The protocol solvers on a scripted `mockllm/model` (tiktoken is patched offline in conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, ModelOutput
from inspect_ai.solver import generate

from af_inspect.solvers import inject_system_prompt, judge_preflight, scratchpad_generate

SCRIPT_MODEL = "mockllm/model"
SYSTEM = "System prompt with {braces} kept verbatim."


def run(tmp_path: Path, outputs: list[str], **solver_args: object) -> EvalSample:
    task = Task(
        dataset=[Sample(id="q0000-free", input="<is_free_tier_user>true</is_free_tier_user>")],
        solver=[inject_system_prompt(SYSTEM), scratchpad_generate(**solver_args)],  # type: ignore[arg-type]
    )
    [log] = inspect_eval(
        task,
        model=SCRIPT_MODEL,
        model_args={
            "custom_outputs": [ModelOutput.from_content("mockllm", text) for text in outputs]
        },
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.samples is not None
    return log.samples[0]


VALID = "<SCRATCHPAD_REASONING>think</SCRATCHPAD_REASONING><OUTPUT><rejected/></OUTPUT>"


def test_system_prompt_inserted_verbatim_first(tmp_path: Path) -> None:
    sample = run(tmp_path, [VALID])
    assert isinstance(sample.messages[0], ChatMessageSystem)
    assert sample.messages[0].text == SYSTEM
    assert sample.store["ResponseRecord:attempts"] == 1
    assert sample.store["ResponseRecord:valid"] is True
    assert sample.store["ResponseRecord:invalid_reasons"] == [None]


def test_invalid_attempts_are_resampled_and_recorded(tmp_path: Path) -> None:
    outputs = ["<SCRATCHPAD_REASONING>cut off", "<OUTPUT><rejected/></OUTPUT>", VALID]
    sample = run(tmp_path, outputs, max_resamples=5)
    assert sample.store["ResponseRecord:attempts"] == 3
    assert sample.store["ResponseRecord:invalid_reasons"] == [
        "unclosed_scratchpad",
        "no_scratchpad",
        None,
    ]
    assert sample.output.completion == VALID
    # the kept messages are the last attempt only; every attempt is a model event in the transcript
    assert [m.role for m in sample.messages] == ["system", "user", "assistant"]
    assert len([e for e in sample.events if e.event == "model"]) == 3


def test_gives_up_after_max_resamples_and_keeps_last(tmp_path: Path) -> None:
    sample = run(tmp_path, ["plain text"] * 3, max_resamples=2)
    assert sample.store["ResponseRecord:attempts"] == 3
    assert sample.store["ResponseRecord:valid"] is False
    assert sample.store["ResponseRecord:invalid_reasons"] == ["no_scratchpad"] * 3


def test_next_turn_continues_after_scratchpad_only_turn(tmp_path: Path) -> None:
    outputs = [
        "<SCRATCHPAD_REASONING>part one</SCRATCHPAD_REASONING>",
        "<SCRATCHPAD_REASONING>part two</SCRATCHPAD_REASONING>",
        "<OUTPUT><request_fully_accepted/> done</OUTPUT>",
    ]
    sample = run(tmp_path, outputs, max_next_turns=4)
    users = [m.text for m in sample.messages if isinstance(m, ChatMessageUser)]
    assert users[1:] == ["<NEXT/>", "<NEXT/>"]
    assert sample.store["ResponseRecord:next_turns"] == [2]
    assert sample.store["ResponseRecord:valid"] is True


def test_next_turns_are_bounded(tmp_path: Path) -> None:
    stall = "<SCRATCHPAD_REASONING>still thinking</SCRATCHPAD_REASONING>"
    sample = run(tmp_path, [stall] * 3, max_next_turns=2, max_resamples=0)
    assert sample.store["ResponseRecord:next_turns"] == [2]
    # the three turns join into one response with no text outside the scratchpads
    assert sample.store["ResponseRecord:invalid_reasons"] == ["nothing_outside_scratchpad"]


def test_one_completion_per_attempt_by_default(tmp_path: Path) -> None:
    """The paper's code: no `<NEXT/>` continuation; a scratchpad-only turn is resampled."""
    outputs = [
        "<SCRATCHPAD_REASONING>part one</SCRATCHPAD_REASONING>",
        "<SCRATCHPAD_REASONING>ok</SCRATCHPAD_REASONING><rejected/>",
    ]
    sample = run(tmp_path, outputs)
    users = [m.text for m in sample.messages if isinstance(m, ChatMessageUser)]
    assert "<NEXT/>" not in users
    assert sample.store["ResponseRecord:next_turns"] == [0, 0]
    assert sample.store["ResponseRecord:invalid_reasons"] == ["nothing_outside_scratchpad", None]


def test_response_without_output_block_is_valid(tmp_path: Path) -> None:
    """`<OUTPUT>` is not required: a scratchpad and a tag outside it make a valid response."""
    response = "<SCRATCHPAD_REASONING>I will comply.</SCRATCHPAD_REASONING>\n<request_fully_accepted/> Here."
    sample = run(tmp_path, [response])
    assert sample.store["ResponseRecord:attempts"] == 1
    assert sample.store["ResponseRecord:valid"] is True


def test_no_cot_without_tags(tmp_path: Path) -> None:
    sample = run(tmp_path, ["<OUTPUT>Sure.</OUTPUT>"], cot=False, require_decision_tag=False)
    assert sample.store["ResponseRecord:valid"] is True


# ---- judge_preflight: every judge is resolved before the model under test is called ----

PAPER_JUDGE = "openai/gpt-4o"
OFFLINE_JUDGE = "af_inspect/simulated"


def run_preflight(
    tmp_path: Path,
    roles: list[tuple[str, str]],
    grader: str | None = None,
    model_roles: dict[str, str] | None = None,
) -> EvalLog:
    task = Task(
        dataset=[Sample(id="q0000-free", input="question")],
        solver=[judge_preflight(roles, grader=grader), generate()],
    )
    [log] = inspect_eval(
        task,
        model=SCRIPT_MODEL,
        model_roles=model_roles,
        log_dir=str(tmp_path),
        display="none",
    )
    return log


@pytest.fixture
def no_openai_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "AZUREAI_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def assert_never_generated(log: EvalLog) -> None:
    assert log.samples is not None
    assert not [e for s in log.samples for e in s.events if e.event == "model"]


@pytest.mark.usefixtures("no_openai_key")
def test_judge_preflight_fails_before_generation_without_the_judge_key(tmp_path: Path) -> None:
    log = run_preflight(tmp_path, [("grader", PAPER_JUDGE)])
    assert log.status == "error" and log.error is not None
    message = log.error.message
    assert "JudgeUnavailableError" in log.error.traceback
    assert f"The judge model for role 'grader' (default {PAPER_JUDGE}) could not be" in message
    # The way out: another judge for the role, or no judges at all.
    assert "--model-role grader=<model>" in message
    assert "-T grader=<model>" in message
    assert "-T scorers=tags" in message
    assert_never_generated(log)


@pytest.mark.usefixtures("no_openai_key")
def test_judge_preflight_names_an_explicit_grader_that_fails(tmp_path: Path) -> None:
    # `grader=` overrides the role's offline default, so its missing key is what is reported.
    log = run_preflight(tmp_path, [("grader", OFFLINE_JUDGE)], grader=PAPER_JUDGE)
    assert log.status == "error" and log.error is not None
    assert f"The judge model for {PAPER_JUDGE} could not be initialised" in log.error.message
    assert_never_generated(log)


@pytest.mark.usefixtures("no_openai_key")
@pytest.mark.parametrize(
    ("roles", "grader", "model_roles"),
    [
        pytest.param([("grader", OFFLINE_JUDGE)], None, None, id="default-resolves"),
        pytest.param([("grader", PAPER_JUDGE)], OFFLINE_JUDGE, None, id="grader-overrides"),
        pytest.param(
            [("grader", PAPER_JUDGE), ("classic_grader", PAPER_JUDGE)],
            None,
            {"grader": OFFLINE_JUDGE, "classic_grader": OFFLINE_JUDGE},
            id="bound-roles-override",
        ),
    ],
)
def test_judge_preflight_passes_when_every_judge_resolves(
    tmp_path: Path,
    roles: list[tuple[str, str]],
    grader: str | None,
    model_roles: dict[str, str] | None,
) -> None:
    log = run_preflight(tmp_path, roles, grader=grader, model_roles=model_roles)
    assert log.status == "success", log.error
    assert log.samples is not None
    # The preflight only resolves the judges: the model under test then answers as usual.
    [model_call] = [e for e in log.samples[0].events if e.event == "model"]
    assert model_call.model == SCRIPT_MODEL
