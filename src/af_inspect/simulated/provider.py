"""Inspect model provider `af_inspect/simulated`: a SIMULATED model, not a language model.

Use `--model af_inspect/simulated` (model name must start with "simulated") and tune it with
`-M key=value` (see `SimulatorSettings`). Every call answers either as the simulated
alignment-faking organism (`af_inspect.simulated.organism`; a final assistant message is a
prefill, which it continues: `af_inspect.simulated.continuation`) or, when the prompt is one of
the suite's classifier prompts, as a simulated judge with known ground truth
(`af_inspect.simulated.judge`); a follow-up question after an organism response gets a
simulated follow-up answer (`af_inspect.simulated.follow_up`); any other prompt gets
`GENERIC_REPLY`.

Every `ModelOutput.metadata` has `"simulated": True` plus the ground truth of the response.
Draws are seeded: each call's RNG derives from (seed, sha256 of the input messages, how many
times this provider instance has already seen that exact input, choice index), so results do not
depend on concurrency or ordering, and a resample of the same prompt gets a fresh draw.
No network, no tokenizer: token usage is `len(text) // 4` (at least 1).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelCall,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from af_inspect.simulated.continuation import continue_prefill, ends_with_prefill
from af_inspect.simulated.follow_up import answer_follow_up, is_follow_up
from af_inspect.simulated.judge import JUDGE_ARGS, JudgeConfig, classify_prompt
from af_inspect.simulated.organism import (
    GENERIC_REPLY,
    ORGANISM_ARGS,
    OrganismConfig,
    Turn,
    approx_tokens,
    call_rng,
    coerce_float,
    coerce_int,
    digest_turns,
    is_organism_prompt,
    respond,
)

PROVIDER_NAME = "af_inspect"
"""Registered model API name: `--model af_inspect/simulated`."""
MODEL_NAME_PREFIX = "simulated"
"""The model name must start with this, so logs never show a real-looking model name."""
PROVIDER_ARGS: tuple[str, ...] = ("seed", "latency", "latency_jitter")


@dataclass(frozen=True)
class SimulatorSettings:
    """All model args of the simulated provider, coerced from CLI strings where needed."""

    organism: OrganismConfig = field(default_factory=OrganismConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    seed: int = 0
    latency: float = 0.0
    """Seconds slept per call."""
    latency_jitter: float = 0.0
    """Extra seconds, uniform in [0, latency_jitter), drawn per call."""

    @classmethod
    def from_args(cls, args: Mapping[str, object]) -> SimulatorSettings:
        known = set(ORGANISM_ARGS) | set(JUDGE_ARGS) | set(PROVIDER_ARGS)
        unknown = sorted(set(args) - known)
        if unknown:
            raise ValueError(
                f"unknown model args for {PROVIDER_NAME}/{MODEL_NAME_PREFIX}: {unknown}; "
                f"known: {sorted(known)}"
            )
        return cls(
            organism=OrganismConfig.from_args(args),
            judge=JudgeConfig.from_args(args),
            seed=coerce_int("seed", args.get("seed", 0)),
            latency=coerce_float("latency", args.get("latency", 0.0), minimum=0.0),
            latency_jitter=coerce_float(
                "latency_jitter", args.get("latency_jitter", 0.0), minimum=0.0
            ),
        )


def to_turns(messages: Sequence[ChatMessage]) -> list[Turn]:
    return [Turn(role=message.role, text=message.text) for message in messages]


@dataclass(frozen=True)
class SimulatedReply:
    """The choices of one call and the metadata describing them."""

    texts: list[str]
    truncated: list[bool]
    """Per choice: the text was cut off (reported as stop reason "max_tokens")."""
    metadata: dict[str, Any]


def simulate(
    turns: Sequence[Turn], settings: SimulatorSettings, occurrence: int, num_choices: int
) -> SimulatedReply:
    """Pure core of one call: judge, organism or generic reply, `num_choices` independent draws."""
    digest = digest_turns(turns)
    rngs = [call_rng(settings.seed, digest, occurrence, i) for i in range(num_choices)]
    task = classify_prompt(turns)
    if task is not None:
        votes = [task.vote(settings.judge, rng) for rng in rngs]
        return SimulatedReply(
            texts=[v.text for v in votes],
            truncated=[False] * num_choices,
            metadata=task.metadata(votes),
        )
    if is_organism_prompt(turns) and is_follow_up(turns):
        follow_up = answer_follow_up(turns, settings.organism.cot)
        return SimulatedReply(
            [follow_up.text] * num_choices, [False] * num_choices, follow_up.metadata()
        )
    if is_organism_prompt(turns):
        answer = continue_prefill if ends_with_prefill(turns) else respond
        responses = [answer(turns, settings.organism, rng) for rng in rngs]
        metadata = responses[0].metadata()
        if ends_with_prefill(turns):
            metadata["prefilled_chars"] = len(turns[-1].text)
        if num_choices > 1:
            metadata["choices"] = [r.metadata() for r in responses]
        return SimulatedReply(
            texts=[r.text for r in responses],
            truncated=[r.truncated for r in responses],
            metadata=metadata,
        )
    return SimulatedReply(
        texts=[GENERIC_REPLY] * num_choices,
        truncated=[False] * num_choices,
        metadata={"simulated": True, "mode": "generic"},
    )


class SimulatedModelAPI(ModelAPI):
    """SIMULATED model API: a seeded alignment-faking organism and judge, no real model."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config or GenerateConfig())
        if not model_name.startswith(MODEL_NAME_PREFIX):
            raise ValueError(
                f"{PROVIDER_NAME} serves only the simulator: use "
                f"'{PROVIDER_NAME}/{MODEL_NAME_PREFIX}' (got model name {model_name!r})"
            )
        self.settings = SimulatorSettings.from_args(model_args)
        self._occurrences: dict[str, int] = {}
        self._lock = threading.Lock()

    def next_occurrence(self, digest: str) -> int:
        """How many earlier calls on this instance had exactly this input (then count this one)."""
        with self._lock:
            occurrence = self._occurrences.get(digest, 0)
            self._occurrences[digest] = occurrence + 1
        return occurrence

    async def count_text_tokens(self, text: str) -> int:
        return approx_tokens(text)

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> tuple[ModelOutput, ModelCall]:
        turns = to_turns(input)
        digest = digest_turns(turns)
        occurrence = self.next_occurrence(digest)
        num_choices = max(1, config.num_choices or 1)
        settings = self.settings
        delay = settings.latency
        if settings.latency_jitter > 0:
            jitter_rng = call_rng(settings.seed, digest, occurrence, stream="latency")
            delay += settings.latency_jitter * jitter_rng.random()
        if delay > 0:
            await anyio.sleep(delay)

        reply = simulate(turns, settings, occurrence, num_choices)
        input_tokens = approx_tokens("\n".join(turn.text for turn in turns))
        output_tokens = sum(approx_tokens(text) for text in reply.texts)
        output = ModelOutput(
            model=self.model_name,
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(
                        content=text, model=self.model_name, source="generate"
                    ),
                    stop_reason="max_tokens" if truncated else "stop",
                )
                for text, truncated in zip(reply.texts, reply.truncated, strict=True)
            ],
            usage=ModelUsage(
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                total_tokens=input_tokens + output_tokens,
            ),
            metadata={**reply.metadata, "simulated": True, "occurrence": occurrence},
        )
        request = {
            "model": self.model_name,
            "simulated": True,
            "messages": [[turn.role, turn.text] for turn in turns],
            "num_choices": num_choices,
        }
        call = ModelCall.create(request, {"choices": reply.texts, "metadata": output.metadata})
        return output, call


@modelapi(name=PROVIDER_NAME)
def simulated_provider() -> type[ModelAPI]:
    """Register the SIMULATED provider (`--model af_inspect/simulated`)."""
    return SimulatedModelAPI
