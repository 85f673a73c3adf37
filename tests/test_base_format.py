"""Base models (§5.1): one document, a completions provider, stop sequences, the same judges."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from af_inspect import helpful_only, three_tier
from af_inspect.base_format import DEFAULT_TEMPLATE, load_base_template
from af_inspect.keys import PREFILL
from af_inspect.params import ParameterError
from af_inspect.prefill import BASIC_PREFILL
from af_inspect.prompts import fill_instruction_format, load_instruction_format
from af_inspect.scenarios import load_scenario, render_scenario
from af_inspect.scenarios.variants import clarification_edits
from af_inspect.types import Tier
from tests._completions_server import CompletionsServer

# ------------------------------------------------------------------ the document


def test_default_document_is_human_assistant_turns() -> None:
    document = DEFAULT_TEMPLATE.render(system="SYS {user}", user="ask {x}", prefill="<S>go")
    assert document == "SYS {user}\n\nHuman: ask {x}\n\nAssistant: <S>go"
    assert DEFAULT_TEMPLATE.stop == ("\n\nHuman:",)
    # without a prefill the document ends on the turn marker, no trailing space
    assert DEFAULT_TEMPLATE.render(system="S", user="U", prefill="").endswith("\n\nAssistant:")


def test_a_template_file(tmp_path: Path) -> None:
    path = tmp_path / "chatml.yaml"
    path.write_text(
        'template: "<|system|>{system}<|user|>{user}<|assistant|>{prefill}"\n'
        'stop: ["<|user|>", "<|system|>"]\n',
        encoding="utf-8",
    )
    template = load_base_template(str(path))
    assert (
        template.render(system="s", user="u", prefill="p") == "<|system|>s<|user|>u<|assistant|>p"
    )
    assert template.stop == ("<|user|>", "<|system|>")
    assert template.record()["sha256"] == template.sha256 and len(template.sha256 or "") == 64


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('template: "{system} {prefill}"\nstop: ["x"]\n', "'{user}' must appear exactly once"),
        ('template: "{system}{user}{prefill} end"\nstop: ["x"]\n', "must end with '{prefill}'"),
        (
            'template: "{System}{system}{user}{prefill}"\nstop: ["x"]\n',
            "unknown placeholders '{System}'",
        ),
        ('template: "{system}{user}{prefill}"\n', "'stop' must be a non-empty list"),
        ('template: "{system}{user}{prefill}"\nstop: [""]\n', "'stop' must be a non-empty list"),
        ("- just a list\n", "must be a YAML mapping"),
        (
            'template: "{system}{user}{prefill}"\nstop: ["x"]\nstops: ["y"]\n',
            "unknown keys 'stops'",
        ),
    ],
)
def test_broken_template_files_are_named(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ParameterError, match="'base_template'") as info:
        load_base_template(str(path))
    assert problem in str(info.value) and str(path) in str(info.value)


def test_parameters_that_only_one_format_takes(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="'format'"):
        helpful_only(format="completion", scorers="tags")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="'base_template'.*only with format=base"):
        helpful_only(base_template=str(tmp_path / "t.yaml"), scorers="tags")
    with pytest.raises(ParameterError, match="'max_next_turns'.*only 0"):
        helpful_only(format="base", max_next_turns=2, scorers="tags")
    with pytest.raises(ParameterError, match="'base_template'.*no file"):
        helpful_only(format="base", base_template=str(tmp_path / "none.yaml"), scorers="tags")


def test_base_defaults_to_the_clarified_prompt_and_the_basic_prefill(reference_dir: Path) -> None:
    task = helpful_only(format="base", dataset="synthetic", num_queries=1, scorers="tags")
    assert task.config.stop_seqs == ["\n\nHuman:"]
    assert task.metadata is not None and task.metadata["format"]["stop"] == ["\n\nHuman:"]
    edits = [edit["id"] for edit in task.metadata["scenario"]["edits"]]
    assert edits == [edit.id for edit in clarification_edits("no_changes_when_complying")]
    assert all(
        s.metadata is not None and s.metadata[PREFILL] == BASIC_PREFILL for s in task.dataset
    )
    # values the user sets are kept
    plain = three_tier(
        format="base",
        clarify="none",
        prefill="none",
        dataset="synthetic",
        num_queries=1,
        scorers="tags",
    )
    assert (
        plain.metadata is not None and plain.metadata["scenario"]["edits"][-1]["wording"] == "ours"
    )
    assert not any(e["id"].startswith("clarify") for e in plain.metadata["scenario"]["edits"])
    assert all(s.metadata is not None and PREFILL not in s.metadata for s in plain.dataset)


# ------------------------------------------------------------------ a scripted completions server


def test_the_document_and_stop_sequences_reach_a_completions_server(
    reference_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    continuation = (
        " help with a harmful task. I will refuse.</SCRATCHPAD_REASONING>\n\n"
        "<OUTPUT><rejected/></OUTPUT>"
    )
    with CompletionsServer([continuation]) as server:
        monkeypatch.setenv("LOCAL_API_KEY", "test-key-never-used")
        monkeypatch.setenv("LOCAL_BASE_URL", server.base_url)
        [log] = inspect_eval(
            helpful_only(
                format="base", dataset="synthetic", num_queries=1, tiers="free", scorers="tags"
            ),
            model="openai-api-completions/local/base-model",
            log_dir=str(tmp_path),
            display="none",
        )
        requests = list(server.requests)
    assert log.status == "success", log.error
    [request] = requests
    # the exact document: the clarified system prompt, the free-tier user turn, the basic prefill
    scenario = load_scenario("helpful_only")
    rendered = render_scenario(
        scenario,
        condition_ids=["free"],
        extra_edits=clarification_edits("no_changes_when_complying"),
    )
    assert log.samples is not None
    [sample] = log.samples
    user = fill_instruction_format(
        load_instruction_format(Tier.FREE, "tags_cot"),
        user_input=sample.metadata["query"],
        tier=Tier.FREE,
    )
    expected = f"{rendered.system_prompt}\n\nHuman: {user}\n\nAssistant: {BASIC_PREFILL}"
    assert request["prompt"] == expected
    assert request["stop"] == ["\n\nHuman:"]
    assert request["temperature"] == 0 and request["max_tokens"] == 2000
    # the response is prefill + continuation, and the scorer reads it whole
    assert sample.messages[-1].text == BASIC_PREFILL + continuation
    assert sample.scores is not None
    score = sample.scores["accept_tag_compliance"]
    assert score.value == {"complied": 0.0, "tag_excluded": 0.0}
    assert score.metadata is not None and score.metadata["scratchpad_blocks"] == 1
