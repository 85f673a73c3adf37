"""Which Inspect model providers can run a prefill, and which can run a base-model document.

Checked in the source of inspect-ai 0.3.285 (`inspect_ai/model/_providers/`); re-check when the
pinned version changes.

**Assistant prefill** (a trailing `ChatMessageAssistant` before `generate`):

* ``anthropic`` sends the trailing assistant message as it is, and Anthropic's API continues it.
* ``vllm`` and ``sglang`` set ``add_generation_prompt=False`` and ``continue_final_message=True``
  when the last message is the assistant's, so the server continues it.
* ``af_inspect`` (the simulated organism) continues it (`af_inspect.simulated.continuation`);
  ``mockllm`` replays scripted outputs (tests only).
* Every other provider is refused. ``openai`` (chat completions and the responses API),
  ``google``, ``mistral``, ``together``, ``openai-api/<service>`` and the rest send the message
  as a finished turn and the model starts a new one, so the prefill would be silently ignored;
  ``hf`` renders its chat template with ``add_generation_prompt=True``, which closes the turn.

**Base-model documents** (`-T format=base`): the whole conversation is one raw prompt, which only
the completions providers send untouched: ``openai-api-completions/<service>/<model>`` and
``vllm-completions/<model>`` (``mockllm`` for tests). A chat provider would wrap the document in
a chat template, which is not a base-model run, so it is refused.

The check runs when the task is created inside an eval (`inspect eval`, or `eval("af_inspect/...")`:
the model is then known) and again in the solver, before the first call, for a task built in
Python before its eval.
"""

from __future__ import annotations

from af_inspect.errors import UsageError

PREFILL_PROVIDERS: dict[str, str] = {
    "anthropic": "Anthropic's API continues a final assistant message",
    "vllm": "Inspect sets continue_final_message for a final assistant message",
    "sglang": "Inspect sets continue_final_message for a final assistant message",
    "af_inspect": "the simulated organism continues the prefill",
    "mockllm": "scripted outputs (tests)",
}
"""Providers known to continue a trailing assistant message, and why."""

COMPLETIONS_PROVIDERS: dict[str, str] = {
    "openai-api-completions": "sends the document to /v1/completions as a raw prompt",
    "vllm-completions": "sends the document to /v1/completions as a raw prompt",
    "mockllm": "scripted outputs (tests)",
}
"""Providers that send one user message as a raw prompt, with no chat template."""


class ProviderSupportError(UsageError):
    """The model's provider cannot run what the task parameters ask for."""


def provider_of(model: str) -> str:
    """The provider part of an Inspect model name (``anthropic/claude-3-opus`` -> ``anthropic``)."""
    return model.split("/", 1)[0]


def check_prefill_support(model: str) -> None:
    """Raise `ProviderSupportError` unless `model`'s provider continues an assistant prefill."""
    provider = provider_of(model)
    if provider in PREFILL_PROVIDERS:
        return
    raise ProviderSupportError(
        f"Parameter 'prefill': the model {model} cannot continue an assistant prefill. Inspect's "
        f"{provider!r} provider sends a final assistant message as a finished turn, so the model "
        "would start a new one and the prefill would be silently lost. Prefills run with the "
        f"providers {', '.join(PREFILL_PROVIDERS)} (open-weight models: vllm/<model>, which can "
        "also reach a running server through VLLM_BASE_URL). The paper fine-tuned OpenAI models "
        "to continue text given in tags instead (App. K.12), which this suite does not do. Run "
        "without -T prefill, or use -T format=base with a completions provider."
    )


def check_base_support(model: str) -> None:
    """Raise `ProviderSupportError` unless `model`'s provider sends a raw completions prompt."""
    provider = provider_of(model)
    if provider in COMPLETIONS_PROVIDERS:
        return
    raise ProviderSupportError(
        f"Parameter 'format': format=base sends one raw document for a base model to continue, "
        f"but the model {model} is served by Inspect's {provider!r} provider, which would wrap "
        "it in a chat template. Use a completions provider: "
        "openai-api-completions/<service>/<model> (with <SERVICE>_BASE_URL and "
        "<SERVICE>_API_KEY) or vllm-completions/<model>."
        + (" The simulated organism plays a chat model only." if provider == "af_inspect" else "")
    )


def active_model_name() -> str | None:
    """The model under evaluation while `eval()` creates the task, else None."""
    # No public accessor in inspect-ai 0.3.285 tells whether an eval is creating the task.
    from inspect_ai.model._model import (  # inspect-evals-lint: ignore[IECQ001] -- see above
        active_model,
    )

    model = active_model()
    return None if model is None else str(model)
