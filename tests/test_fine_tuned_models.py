"""Fine-tuned models (Sheshadri, Hughes et al. 2025, §5.2) through Inspect's own providers.

Nothing here is ours to run a model: these tests pin down what the README's recipes rely on in
Inspect (checked against inspect-ai 0.3.285): the model id and the LoRA adapter reach the
provider, `-M` arguments reach `vllm serve`, and `-T system_prompt=synthetic` sends the
"without training details" prompt. No model generates, no server starts, nothing is downloaded:
the adapter's rank lookup (a Hugging Face download) and the server launch are replaced.
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from inspect_ai.model import get_model

# The vLLM provider module: its adapter-rank lookup and server launch are replaced below.
from inspect_ai.model._providers import (  # inspect-evals-lint: ignore[IECQ001] -- see docstring
    vllm as vllm_provider,
)

from af_inspect import helpful_only
from af_inspect.prompts import SYSTEM_PROMPT_PATHS
from tests.task_messages import VALID_REPLY, messages_sent

BASE = "meta-llama/Llama-3.3-70B-Instruct"
ADAPTER = "jplhughes2/llama-3.3-70b-af-synthetic-docs-only-higher-r"
OPENAI_FINE_TUNE = "ft:gpt-4o-2024-08-06:example-org::abc123"
TOGETHER_MODEL = "example-account/Meta-Llama-3.3-70B-Instruct-Reference-af-docs-0a1b2c3d"


@pytest.fixture
def vllm_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No server from the environment; the provider's shared server table and the environment
    variables it sets when launching are restored afterwards."""
    for name in ("VLLM_BASE_URL", "VLLM_DEFAULT_SERVER_ARGS", "VLLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("VLLM_ALLOW_RUNTIME_LORA_UPDATING", "VLLM_CONFIGURE_LOGGING"):
        monkeypatch.setenv(name, "unset-by-test")
    saved = dict(vllm_provider._vllm_servers)
    vllm_provider._vllm_servers.clear()
    yield
    vllm_provider._vllm_servers.clear()
    vllm_provider._vllm_servers.update(saved)


class _StoppedProcess:
    """Stands for the `vllm serve` process; already stopped, so no clean-up touches it."""

    def poll(self) -> int:
        return 0


def test_vllm_lora_adapter_and_model_args_reach_the_server(
    vllm_state: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranks: list[Any] = []

    def rank_from_hugging_face(adapter: Any) -> int:  # stands for the adapter_config.json download
        ranks.append(adapter)
        return 64

    monkeypatch.setattr(vllm_provider, "get_adapter_rank", rank_from_hugging_face)
    model = get_model(
        f"vllm/{BASE}:{ADAPTER}", memoize=False, tensor_parallel_size=4, max_model_len=16000
    )
    api = model.api
    assert isinstance(api, vllm_provider.VLLMAPI)
    assert api.base_model == BASE
    assert api.adapter is not None and (api.adapter.path, api.adapter.revision) == (ADAPTER, None)
    assert ranks == [api.adapter]
    assert api.service_model_name() == ADAPTER  # requests name the adapter as their model
    assert api.server_args == {"tensor_parallel_size": 4, "max_model_len": 16000}
    server = vllm_provider._vllm_servers[BASE]
    assert (server.enable_lora, server.max_lora_rank) == (True, 64)
    assert server.process is None and server.base_url is None  # nothing started yet

    launched: dict[str, Any] = {}
    loaded: list[Any] = []

    def fake_launch(cmd: list[str], **kwargs: Any) -> tuple[str, _StoppedProcess, int]:
        launched.update(cmd=list(cmd), **kwargs)
        return "http://127.0.0.1:9/v1", _StoppedProcess(), 9

    monkeypatch.setitem(sys.modules, "vllm", types.ModuleType("vllm"))
    monkeypatch.setattr(vllm_provider, "start_local_server", fake_launch)
    monkeypatch.setattr(
        vllm_provider, "ensure_adapter_loaded", lambda srv, adapter: loaded.append(adapter)
    )
    api._resolve_server()
    assert launched["cmd"][:3] == ["vllm", "serve", BASE]
    assert launched["server_args"] == {
        "tensor_parallel_size": 4,
        "max_model_len": 16000,
        "enable_lora": True,
        "max_lora_rank": 64,
    }
    assert loaded == [api.adapter]


def test_vllm_adapter_revision_and_explicit_rank(
    vllm_state: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vllm_provider, "get_adapter_rank", lambda adapter: None)
    model = get_model(f"vllm/{BASE}:{ADAPTER}@c99689f", memoize=False, max_lora_rank=64)
    api = model.api
    assert isinstance(api, vllm_provider.VLLMAPI) and api.adapter is not None
    assert (api.adapter.path, api.adapter.revision) == (ADAPTER, "c99689f")
    assert api.service_model_name() == f"{ADAPTER}@c99689f"
    assert api.server_args == {"max_lora_rank": 64}  # passed to `vllm serve` as given


def test_vllm_local_adapter_rank_is_read_from_its_config(vllm_state: None, tmp_path: Path) -> None:
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 16, "peft_type": "LORA"}))
    api = get_model(f"vllm/{BASE}:{adapter}", memoize=False).api
    assert isinstance(api, vllm_provider.VLLMAPI) and api.adapter is not None
    assert api.adapter.path == str(adapter) and api.service_model_name() == str(adapter)
    assert vllm_provider._vllm_servers[BASE].max_lora_rank == 16


def test_openai_fine_tune_id_reaches_the_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-not-a-key")
    model = get_model(f"openai/{OPENAI_FINE_TUNE}", memoize=False)
    assert str(model) == f"openai/{OPENAI_FINE_TUNE}"
    assert model.api.service_model_name() == OPENAI_FINE_TUNE


def test_together_model_id_reaches_the_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", "test-not-a-key")
    model = get_model(f"together/{TOGETHER_MODEL}", memoize=False)
    assert model.api.service_model_name() == TOGETHER_MODEL
    assert model.api.base_url == "https://api.together.xyz/v1"


@pytest.mark.parametrize("cot", [True, False])
def test_system_prompt_synthetic_sends_the_without_training_details_prompt(
    reference_dir: Path, cot: bool
) -> None:
    task = helpful_only(
        system_prompt="synthetic", cot=cot, dataset="synthetic", num_queries=1, scorers="tags"
    )
    path = SYSTEM_PROMPT_PATHS[("synthetic", cot)]
    expected = jinja2.Environment(loader=jinja2.FileSystemLoader(reference_dir))
    reply = VALID_REPLY if cot else "<OUTPUT><rejected/></OUTPUT>"
    system, user = messages_sent(task, reply=reply)
    assert system.role == "system"
    assert system.text == expected.get_template(path).render()
    assert user.text == task.dataset[0].input
    assert f"osaf:{path}" in [asset["name"] for asset in task.metadata["assets"]]
    other = SYSTEM_PROMPT_PATHS[("prompt_only", cot)]
    assert f"osaf:{other}" not in [asset["name"] for asset in task.metadata["assets"]]
