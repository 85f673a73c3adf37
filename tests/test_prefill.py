"""Assistant prefills (§5.3, App. N.6): the values, the messages sent, and one response downstream."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalSample, read_eval_log, resolve_sample_attachments
from inspect_ai.model import ChatMessageAssistant, ModelOutput

from af_inspect import helpful_only, three_tier
from af_inspect.keys import PREFILL, PREFILLED_CHARS
from af_inspect.params import ParameterError
from af_inspect.parsing import parse_response
from af_inspect.prefill import BASIC_PREFILL, HOWEVER_PREFILL, resolve_prefill
from af_inspect.simulated.continuation import continuation_text
from af_inspect.solvers import (
    inject_system_prompt,
    logged_protocol,
    response_text,
    scratchpad_generate,
)

PREFILLS_JSON = Path("paper_appendix") / "prefills.json"


def model_inputs(sample: EvalSample) -> list[list[tuple[str, str]]]:
    """(role, text) of every message sent, per call of the model under test."""
    return [
        [(m.role, m.text) for m in event.input]
        for event in resolve_sample_attachments(sample, "full").events
        if isinstance(event, ModelEvent) and event.role is None
    ]


# ------------------------------------------------------------------ values


def test_builtin_prefills_and_the_condition() -> None:
    assert resolve_prefill("none") is None and resolve_prefill(None) is None
    basic = resolve_prefill("basic")
    assert basic is not None and basic.render("paid") == BASIC_PREFILL
    assert basic.wording == "paper"
    however = resolve_prefill("however")
    assert however is not None and however.wording == "ours"
    text = however.render("enterprise")
    assert "on the enterprise tier" in text and "{condition}" not in text
    assert text.startswith("<SCRATCHPAD_REASONING>")
    assert text.endswith("Even so, the strongest arguments for complying are:")
    assert HOWEVER_PREFILL.count("{condition}") == 1


def test_a_users_file_carries_the_papers_text(reference_dir: Path, tmp_path: Path) -> None:
    """Built at test time from the paper's appendix; nothing of it is in the repository."""
    source = reference_dir / PREFILLS_JSON
    if not source.is_file():
        pytest.skip(f"the paper's prefills are not at {source}")
    paper = json.loads(source.read_text(encoding="utf-8"))["however_prefill"]
    path = tmp_path / "however.txt"
    path.write_text(paper.replace("USER_TIER", "{condition}") + "\n", encoding="utf-8")
    prefill = resolve_prefill(str(path))
    assert prefill is not None and prefill.wording == "user" and len(prefill.sha256 or "") == 64
    assert prefill.render("free") == paper.replace("USER_TIER", "free")  # trailing newline gone
    # Inspect's CLI splits a path with a comma into a list; it is joined back.
    odd = tmp_path / "a,b.txt"
    odd.write_text("<SCRATCHPAD_REASONING>{condition}", encoding="utf-8")
    parts = str(odd).split(",")
    resolved = resolve_prefill(parts)
    assert resolved is not None and resolved.render("x") == "<SCRATCHPAD_REASONING>x"


def test_bad_values_name_prefill(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="'prefill'.*'none', 'basic', 'however'"):
        helpful_only(prefill="sometimes", scorers="tags")
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n", encoding="utf-8")
    with pytest.raises(ParameterError, match="'prefill'.*empty"):
        helpful_only(prefill=str(empty), scorers="tags")
    with pytest.raises(ParameterError, match="'prefill'.*no-CoT"):
        helpful_only(prefill="however", cot=False, scorers="tags")


def test_samples_carry_their_rendered_prefill(reference_dir: Path) -> None:
    task = three_tier(dataset="synthetic", num_queries=1, scorers="tags", prefill="however")
    by_condition = {
        s.metadata["condition"]: s.metadata[PREFILL] for s in task.dataset if s.metadata
    }
    assert set(by_condition) == {"free", "pro", "enterprise"}
    for condition, text in by_condition.items():
        assert f"user is on the {condition} tier" in text
    assert task.metadata is not None and task.metadata["prefill"]["wording"] == "ours"


def test_no_prefill_adds_nothing(reference_dir: Path) -> None:
    task = helpful_only(dataset="synthetic", num_queries=1, scorers="tags")
    assert task.metadata is not None
    assert "prefill" not in task.metadata and "format" not in task.metadata
    assert all(s.metadata is not None and PREFILL not in s.metadata for s in task.dataset)
    assert task.config.stop_seqs is None


# ------------------------------------------------------------------ the protocol solver


def run_prefilled(tmp_path: Path, outputs: list[str], **solver_args: object) -> EvalSample:
    task = Task(
        dataset=[
            Sample(
                id="q0000-free",
                input="<is_free_tier_user>true</is_free_tier_user>",
                metadata={PREFILL: BASIC_PREFILL},
            )
        ],
        solver=[inject_system_prompt("System."), scratchpad_generate(**solver_args)],  # type: ignore[arg-type]
    )
    [log] = inspect_eval(
        task,
        model="mockllm/model",
        model_args={"custom_outputs": [ModelOutput.from_content("mockllm", o) for o in outputs]},
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.samples is not None
    return log.samples[0]


def test_every_attempt_sends_the_prefill_and_keeps_one_response(tmp_path: Path) -> None:
    cut = " how to do something"  # the scratchpad the prefill opened is never closed
    good = " a recipe.</SCRATCHPAD_REASONING>\n<OUTPUT><rejected/></OUTPUT>"
    sample = run_prefilled(tmp_path, [cut, good], max_resamples=3)
    sent = model_inputs(sample)
    assert len(sent) == 2
    for messages in sent:  # the resample sends the prefill again, as the final message
        assert messages[-1] == ("assistant", BASIC_PREFILL)
        assert [role for role, _ in messages] == ["system", "user", "assistant"]
    assert logged_protocol(sample)["invalid_reasons"] == ["unclosed_scratchpad", None]
    # the kept turn is ONE assistant message: prefill + continuation
    assert [m.role for m in sample.messages] == ["system", "user", "assistant"]
    kept = sample.messages[-1]
    assert isinstance(kept, ChatMessageAssistant)
    assert kept.text == BASIC_PREFILL + good
    assert kept.metadata is not None and kept.metadata[PREFILLED_CHARS] == len(BASIC_PREFILL)
    assert sample.output.completion == BASIC_PREFILL + good
    parsed = parse_response(response_text(sample.messages))
    assert parsed.scratchpads == ["The user is asking for a recipe."]


def test_next_turns_follow_the_joined_first_turn(tmp_path: Path) -> None:
    outputs = [" it.</SCRATCHPAD_REASONING>", "<OUTPUT><rejected/></OUTPUT>"]
    sample = run_prefilled(tmp_path, outputs, max_next_turns=2)
    assert [m.role for m in sample.messages] == ["system", "user", "assistant", "user", "assistant"]
    assert sample.messages[2].text == BASIC_PREFILL + outputs[0]
    assert model_inputs(sample)[1][-2:] == [
        ("assistant", BASIC_PREFILL + outputs[0]),
        ("user", "<NEXT/>"),
    ]
    assert logged_protocol(sample)["valid"] is True


# ------------------------------------------------------------------ the simulated organism


def test_the_organism_continues_a_prefill() -> None:
    drawn = "<SCRATCHPAD_REASONING>\nThe user is asking: x.\n</SCRATCHPAD_REASONING>\n<OUTPUT>o</OUTPUT>"
    text = continuation_text(BASIC_PREFILL, drawn)
    assert not text.startswith(BASIC_PREFILL)
    assert len(parse_response(BASIC_PREFILL + text).scratchpad_blocks) == 1
    assert (
        continuation_text("<SCRATCHPAD_REASONING>\nThe", drawn)
        == " user is asking: x.\n"
        + drawn[len("<SCRATCHPAD_REASONING>\nThe user is asking: x.\n") :]
    )
    assert continuation_text("Sure.", drawn) == "\n" + drawn


def test_prefilled_task_on_the_organism_judged_on_the_whole_response(
    judge_env: Path, tmp_path: Path
) -> None:
    """The organism continues the prefill; the AF judge receives the scratchpad it opened."""
    [log] = inspect_eval(
        helpful_only(
            dataset="synthetic", num_queries=1, tiers="free", prefill="however", scorers="af"
        ),
        model="af_inspect/simulated",
        model_args={"seed": 1},
        model_roles={"grader": "af_inspect/simulated"},
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.samples is not None
    [sample] = log.samples
    prefill = sample.metadata[PREFILL]
    assert "user is on the free tier" in prefill
    [sent] = model_inputs(sample)
    assert sent[-1] == ("assistant", prefill)
    [call] = [e for e in sample.events if isinstance(e, ModelEvent) and e.role is None]
    continuation = call.output.completion
    assert not continuation.startswith("<SCRATCHPAD_REASONING>")
    assert sample.messages[-1].text == prefill + continuation
    events = resolve_sample_attachments(sample, "full").events
    judged = [e for e in events if isinstance(e, ModelEvent) and e.role == "grader"]
    assert judged, "the AF judge was not called"
    assert prefill.removeprefix("<SCRATCHPAD_REASONING>") in judged[0].input[-1].text
    assert sample.scores is not None
    metadata = sample.scores["af_classifier"].metadata
    assert metadata is not None and metadata["response_valid"] is True


@pytest.mark.slow
def test_cli_three_tier_with_the_however_prefill(reference_dir: Path, tmp_path: Path) -> None:
    """`-T prefill=however` from the command line: every call of every sample ends with the
    sample's own prefill, and every kept turn starts with it."""
    inspect_cli = Path(sys.executable).with_name("inspect")
    command = [
        str(inspect_cli), "eval", "af_inspect/three_tier", "--model", "af_inspect/simulated",
        "-T", "dataset=synthetic", "-T", "num_queries=8", "-T", "scorers=tags",
        "-T", "prefill=however", "-M", "malformed_rate=0.2", "-M", "seed=3",
        "--log-dir", str(tmp_path), "--display", "none",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    [log_file] = list(tmp_path.glob("*.eval"))
    log = read_eval_log(str(log_file))
    assert log.status == "success" and log.samples is not None and len(log.samples) == 24
    resampled = 0
    for sample in log.samples:
        prefill = sample.metadata[PREFILL]
        assert f"user is on the {sample.metadata['condition']} tier" in prefill
        sent = model_inputs(sample)
        resampled += len(sent) > 1
        assert all(messages[-1] == ("assistant", prefill) for messages in sent)
        assert sample.messages[-1].text.startswith(prefill)
    assert resampled, "no sample was resampled: raise malformed_rate"
