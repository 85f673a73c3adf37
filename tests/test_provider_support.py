"""Which providers may run a prefill or a base-model document; refusals name the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from af_inspect import helpful_only
from af_inspect.provider_support import (
    ProviderSupportError,
    check_base_support,
    check_prefill_support,
)


@pytest.mark.parametrize(
    "model",
    ["anthropic/claude-3-opus-20240229", "vllm/meta-llama/Llama-3.1-405B", "af_inspect/simulated"],
)
def test_providers_that_continue_a_prefill(model: str) -> None:
    check_prefill_support(model)


@pytest.mark.parametrize(
    "model",
    [
        "openai/gpt-4o",
        "google/gemini-2.0-flash",
        "openai-api/together/meta-llama/Llama-3-70b",
        "hf/meta-llama/Llama-3.1-8B",
        "vllm-completions/meta-llama/Llama-3.1-8B",
    ],
)
def test_providers_that_cannot_are_refused_with_the_fix(model: str) -> None:
    with pytest.raises(ProviderSupportError, match="cannot continue an assistant prefill") as info:
        check_prefill_support(model)
    assert "'prefill'" in str(info.value) and "anthropic" in str(info.value)


def test_base_documents_need_a_completions_provider() -> None:
    check_base_support("openai-api-completions/local/llama-3.1-405b-base")
    check_base_support("vllm-completions/meta-llama/Llama-3.1-405B")
    for model in ("anthropic/claude-3-opus-20240229", "vllm/x", "af_inspect/simulated"):
        with pytest.raises(ProviderSupportError, match="'format'.*completions provider"):
            check_base_support(model)


def test_refused_when_the_task_is_created_in_an_eval(
    reference_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By registry name the task is created with the model known: nothing runs."""
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-never-used")
    with pytest.raises(ProviderSupportError, match="openai/gpt-4o cannot continue"):
        inspect_eval(
            "af_inspect/helpful_only",
            task_args={
                "dataset": "synthetic",
                "num_queries": 1,
                "scorers": "tags",
                "prefill": "basic",
            },
            model="openai/gpt-4o",
            log_dir=str(tmp_path),
            display="none",
        )


def test_refused_before_the_first_call_for_a_task_built_earlier(
    reference_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task built in Python does not know its model: the solver refuses before any call."""
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-never-used")
    task = helpful_only(
        dataset="synthetic", num_queries=1, tiers="free", scorers="tags", prefill="basic"
    )
    [log] = inspect_eval(task, model="openai/gpt-4o", log_dir=str(tmp_path), display="none")
    assert log.status == "error"
    assert log.error is not None and "cannot continue an assistant prefill" in log.error.message
    assert log.samples is not None
    assert not [e for e in log.samples[0].events if e.event == "model"]
