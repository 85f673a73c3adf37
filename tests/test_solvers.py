"""The protocol solvers on a scripted `mockllm/model` (tiktoken is patched offline in conftest)."""

from __future__ import annotations

from pathlib import Path

from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalSample
from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser, ModelOutput

from af_inspect.keys import PROTOCOL
from af_inspect.solvers import (
    RecordedProtocol,
    inject_system_prompt,
    logged_protocol,
    scratchpad_generate,
)

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
    assert logged_protocol(sample)["attempts"] == 1
    assert logged_protocol(sample)["valid"] is True
    assert logged_protocol(sample)["invalid_reasons"] == [None]


def test_invalid_attempts_are_resampled_and_recorded(tmp_path: Path) -> None:
    outputs = ["<SCRATCHPAD_REASONING>cut off", "<OUTPUT><rejected/></OUTPUT>", VALID]
    sample = run(tmp_path, outputs, max_resamples=5)
    assert logged_protocol(sample)["attempts"] == 3
    assert logged_protocol(sample)["invalid_reasons"] == [
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
    assert logged_protocol(sample)["attempts"] == 3
    assert logged_protocol(sample)["valid"] is False
    assert logged_protocol(sample)["invalid_reasons"] == ["no_scratchpad"] * 3


def test_next_turn_continues_after_scratchpad_only_turn(tmp_path: Path) -> None:
    outputs = [
        "<SCRATCHPAD_REASONING>part one</SCRATCHPAD_REASONING>",
        "<SCRATCHPAD_REASONING>part two</SCRATCHPAD_REASONING>",
        "<OUTPUT><request_fully_accepted/> done</OUTPUT>",
    ]
    sample = run(tmp_path, outputs, max_next_turns=4)
    users = [m.text for m in sample.messages if isinstance(m, ChatMessageUser)]
    assert users[1:] == ["<NEXT/>", "<NEXT/>"]
    assert logged_protocol(sample)["next_turns"] == [2]
    assert logged_protocol(sample)["valid"] is True


def test_next_turns_are_bounded(tmp_path: Path) -> None:
    stall = "<SCRATCHPAD_REASONING>still thinking</SCRATCHPAD_REASONING>"
    sample = run(tmp_path, [stall] * 3, max_next_turns=2, max_resamples=0)
    assert logged_protocol(sample)["next_turns"] == [2]
    # the three turns join into one response with no text outside the scratchpads
    assert logged_protocol(sample)["invalid_reasons"] == ["nothing_outside_scratchpad"]


def test_one_completion_per_attempt_by_default(tmp_path: Path) -> None:
    """The paper's code: no `<NEXT/>` continuation; a scratchpad-only turn is resampled."""
    outputs = [
        "<SCRATCHPAD_REASONING>part one</SCRATCHPAD_REASONING>",
        "<SCRATCHPAD_REASONING>ok</SCRATCHPAD_REASONING><rejected/>",
    ]
    sample = run(tmp_path, outputs)
    users = [m.text for m in sample.messages if isinstance(m, ChatMessageUser)]
    assert "<NEXT/>" not in users
    assert logged_protocol(sample)["next_turns"] == [0, 0]
    assert logged_protocol(sample)["invalid_reasons"] == ["nothing_outside_scratchpad", None]


def test_response_without_output_block_is_valid(tmp_path: Path) -> None:
    """`<OUTPUT>` is not required: a scratchpad and a tag outside it make a valid response."""
    response = "<SCRATCHPAD_REASONING>I will comply.</SCRATCHPAD_REASONING>\n<request_fully_accepted/> Here."
    sample = run(tmp_path, [response])
    assert logged_protocol(sample)["attempts"] == 1
    assert logged_protocol(sample)["valid"] is True


def test_no_cot_without_tags(tmp_path: Path) -> None:
    sample = run(tmp_path, ["<OUTPUT>Sure.</OUTPUT>"], cot=False, require_decision_tag=False)
    assert logged_protocol(sample)["valid"] is True


def test_protocol_record_is_on_the_response_and_writes_no_store_event(tmp_path: Path) -> None:
    outputs = ["<SCRATCHPAD_REASONING>cut off", VALID]
    sample = run(tmp_path, outputs, max_resamples=2)
    last = sample.messages[-1]
    assert isinstance(last, ChatMessageAssistant)
    assert (last.metadata or {})[PROTOCOL] == {
        "attempts": 2,
        "invalid_reasons": ["unclosed_scratchpad", None],
        "next_turns": [0, 0],
        "valid": True,
        "cot": True,
        "require_decision_tag": True,
    }
    # Each store write is logged by every enclosing span: the record must not be one.
    assert sample.store == {}
    assert not [event for event in sample.events if event.event == "store"]


def test_record_of_an_older_log_is_read_from_its_store() -> None:
    store = {
        "ResponseRecord:instance": None,
        "ResponseRecord:attempts": 3,
        "ResponseRecord:invalid_reasons": ["no_scratchpad", "no_output", None],
        "ResponseRecord:next_turns": [0, 1, 0],
        "ResponseRecord:valid": True,
        "ResponseRecord:cot": True,
        "ResponseRecord:require_decision_tag": False,
    }
    messages = [ChatMessageUser(content="q"), ChatMessageAssistant(content=VALID)]
    record = RecordedProtocol.read(messages, store)
    assert record == RecordedProtocol(
        attempts=3,
        invalid_reasons=("no_scratchpad", "no_output", None),
        next_turns=(0, 1, 0),
        valid=True,
        cot=True,
        require_decision_tag=False,
    )
    # An assistant message appended after the kept response does not hide its record.
    attached = [ChatMessageUser(content="q"), ChatMessageAssistant(content=VALID)]
    RecordedProtocol(attempts=2, invalid_reasons=("no_output", None), valid=True).attach(attached)
    attached.append(ChatMessageAssistant(content="a later turn"))
    assert RecordedProtocol.read(attached, store).attempts == 2
    # Neither layout: no protocol solver ran (attempts 0), which scorers treat as unknown.
    assert RecordedProtocol.read(messages, {}).attempts == 0
