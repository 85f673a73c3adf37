"""Solvers: inject the training/deployment context and generate under the scratchpad protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from inspect_ai.log import EvalSample, transcript
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    get_model,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import Store

from af_inspect import defaults
from af_inspect.base_format import BaseTemplate
from af_inspect.keys import PREFILL, PREFILLED_CHARS, PROTOCOL
from af_inspect.metrics.tiers import PARAPHRASE_KEY
from af_inspect.parsing import NEXT_TURN_MESSAGE, invalid_reason, needs_next_turn, parse_response
from af_inspect.provider_support import check_base_support, check_prefill_support


@dataclass(frozen=True)
class RecordedProtocol:
    """What the protocol solver did for one sample: attempts, their validity, continuations.

    Kept in the metadata of the sample's last assistant message (under `keys.PROTOCOL`), so the
    log holds it beside the response it describes and the run writes no store event for it (each
    store write is diffed and logged by every enclosing span, twice per sample). Logs written
    before this read from the store, where the record was a `StoreModel` named ``ResponseRecord``.
    """

    attempts: int = 0
    """Attempts made (1 + resamples); 0 when no protocol solver ran (e.g. another task's log)."""
    invalid_reasons: tuple[str | None, ...] = ()
    """Invalid reason of each attempt, None for a valid one (the last entry is the kept attempt)."""
    next_turns: tuple[int, ...] = ()
    """`<NEXT/>` continuations used by each attempt."""
    valid: bool = False
    cot: bool = True
    require_decision_tag: bool = True

    def as_metadata(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "invalid_reasons": list(self.invalid_reasons),
            "next_turns": list(self.next_turns),
            "valid": self.valid,
            "cot": self.cot,
            "require_decision_tag": self.require_decision_tag,
        }

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RecordedProtocol:
        default = cls()
        return cls(
            attempts=int(values.get("attempts", default.attempts)),
            invalid_reasons=tuple(values.get("invalid_reasons", default.invalid_reasons)),
            next_turns=tuple(int(n) for n in values.get("next_turns", default.next_turns)),
            valid=bool(values.get("valid", default.valid)),
            cot=bool(values.get("cot", default.cot)),
            require_decision_tag=bool(
                values.get("require_decision_tag", default.require_decision_tag)
            ),
        )

    @classmethod
    def read(
        cls, messages: Sequence[ChatMessage], store: Store | Mapping[str, Any]
    ) -> RecordedProtocol:
        """The record on the latest assistant message holding one (the solver attaches it to the
        last; a message appended later does not hide it), else (older logs) the store's."""
        for message in reversed(messages):
            if isinstance(message, ChatMessageAssistant):
                record = (message.metadata or {}).get(PROTOCOL)
                if isinstance(record, Mapping):
                    return cls.from_mapping(record)
        prefix = f"{LEGACY_STORE_RECORD}:"
        return cls.from_mapping(
            {
                key[len(prefix) :]: value
                for key, value in store.items()
                if key.startswith(prefix) and value is not None
            }
        )

    def attach(self, messages: Sequence[ChatMessage]) -> None:
        """Put the record in the metadata of the last assistant message of `messages`."""
        for message in reversed(messages):
            if isinstance(message, ChatMessageAssistant):
                message.metadata = {**(message.metadata or {}), PROTOCOL: self.as_metadata()}
                return
        raise ValueError("no assistant message to attach the protocol record to")


def logged_protocol(sample: EvalSample) -> dict[str, Any]:
    """The protocol record of a logged sample, as a plain dict (either log layout)."""
    return RecordedProtocol.read(sample.messages, sample.store).as_metadata()


LEGACY_STORE_RECORD = "ResponseRecord"
"""Store-key prefix of the protocol record in logs written before it moved to the message."""


def _with_system(messages: list[ChatMessage], text: str) -> list[ChatMessage]:
    """`messages` with `text` first as the only system message."""
    return [ChatMessageSystem(content=text)] + [
        m for m in messages if not isinstance(m, ChatMessageSystem)
    ]


@solver
def inject_system_prompt(text: str) -> Solver:
    """Put `text` first as the system message, verbatim (no template formatting of braces)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.messages = _with_system(state.messages, text)
        return state

    return solve


@solver
def inject_paraphrased_system_prompt(prompts: Mapping[str, str]) -> Solver:
    """Put the system prompt of the sample's paraphrase first, verbatim.

    `prompts` maps each paraphrase id to its text and is held here once, not copied into every
    sample; a sample names its paraphrase in its metadata (`paraphrase`). A sample without one,
    or with an id `prompts` does not hold, is an error (it would run under no known prompt).
    """
    texts = dict(prompts)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        paraphrase = state.metadata.get(PARAPHRASE_KEY)
        if paraphrase not in texts:
            raise ValueError(
                f"sample {state.sample_id!r}: its {PARAPHRASE_KEY!r} metadata is "
                f"{paraphrase!r}, not one of the paraphrases {', '.join(texts)}"
            )
        state.messages = _with_system(state.messages, texts[paraphrase])
        return state

    return solve


def response_text(messages: list[ChatMessage]) -> str:
    """All assistant turns joined by newlines: one response under the multi-turn protocol."""
    return "\n".join(m.text for m in messages if isinstance(m, ChatMessageAssistant))


@solver
def scratchpad_generate(
    *,
    cot: bool = True,
    require_decision_tag: bool = True,
    max_resamples: int = defaults.MAX_RESAMPLES,
    max_next_turns: int = defaults.MAX_NEXT_TURNS,
    prefill_in_document: bool = False,
) -> Solver:
    """Generate, continue with `<NEXT/>` while a turn stops inside the reasoning, resample invalid.

    Each attempt starts from the prompt. A turn that closes its scratchpad without reaching
    `<OUTPUT>` gets a user `<NEXT/>` and another turn (at most `max_next_turns`). An invalid
    response (see `parsing.invalid_reason`) is resampled up to `max_resamples` times without the
    cache, so every resample is a fresh draw; the last attempt is kept either way, and its
    `RecordedProtocol` (in the last assistant message's metadata) says whether it is valid and why
    not. Every model call stays in the transcript.

    A sample whose metadata holds a prefill (`keys.PREFILL`) starts the first turn of every
    attempt with it: sent as a final assistant message, which the model continues (refused for a
    provider that cannot, see `provider_support`), or, with `prefill_in_document`, already at the
    end of the one document a base model continues (`base_document`). Either way the kept turn is
    ONE assistant message holding prefill + continuation (`join_prefill`): validity, resampling
    and every scorer read the whole response.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        prompt = list(state.messages)
        prefill = str(state.metadata.get(PREFILL) or "")
        if prefill and not prefill_in_document:
            check_prefill_support(str(get_model()))
            prompt.append(ChatMessageAssistant(content=prefill, source="input"))
        invalid_reasons: list[str | None] = []
        next_turns: list[int] = []
        for attempt in range(max_resamples + 1):
            state.messages = list(prompt)
            turns = 0
            while True:
                if attempt == 0:
                    state = await generate(state)
                else:
                    state = await generate(state, cache=False)
                if prefill and turns == 0:
                    join_prefill(state, prefill, prefill_message=not prefill_in_document)
                if turns >= max_next_turns or not needs_next_turn(state.output.completion):
                    break
                turns += 1
                state.messages.append(ChatMessageUser(content=NEXT_TURN_MESSAGE))
            parsed = parse_response(response_text(state.messages))
            reason = invalid_reason(parsed, cot=cot, require_decision_tag=require_decision_tag)
            invalid_reasons.append(reason.value if reason else None)
            next_turns.append(turns)
            if reason is None:
                break
            transcript().info(
                {
                    "attempt": attempt + 1,
                    "invalid_reason": reason.value,
                    "resampling": attempt < max_resamples,
                },
                source="scratchpad_generate",
            )
        RecordedProtocol(
            attempts=len(invalid_reasons),
            invalid_reasons=tuple(invalid_reasons),
            next_turns=tuple(next_turns),
            valid=invalid_reasons[-1] is None,
            cot=cot,
            require_decision_tag=require_decision_tag,
        ).attach(state.messages)
        return state

    return solve


def join_prefill(state: TaskState, prefill: str, *, prefill_message: bool) -> None:
    """Make the turn just generated one assistant message: the prefill, then the continuation.

    With `prefill_message`, the prefill's own assistant message (just before the continuation) is
    replaced too. The joined message records how many of its characters were prefilled, and
    `state.output.completion` becomes the whole response; the model event keeps the raw call.
    """
    continuation = state.messages.pop()
    if prefill_message:
        sent = state.messages.pop()
        assert isinstance(sent, ChatMessageAssistant) and sent.text == prefill
    whole = prefill + continuation.text
    state.messages.append(
        ChatMessageAssistant(
            content=whole,
            model=getattr(continuation, "model", None),
            source="generate",
            metadata={**(continuation.metadata or {}), PREFILLED_CHARS: len(prefill)},
        )
    )
    state.output.completion = whole


@solver
def base_document(template: BaseTemplate) -> Solver:
    """Replace the conversation by ONE user message: the document a base model continues.

    The system prompt, the user turn and the sample's prefill (`keys.PREFILL`, may be empty) are
    rendered with `template` (`af_inspect.base_format`); a completions provider sends that
    message as the raw prompt (refused for any other provider, see `provider_support`).
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        check_base_support(str(get_model()))
        system = "\n\n".join(m.text for m in state.messages if isinstance(m, ChatMessageSystem))
        user = "\n\n".join(m.text for m in state.messages if isinstance(m, ChatMessageUser))
        prefill = str(state.metadata.get(PREFILL) or "")
        state.messages = [
            ChatMessageUser(content=template.render(system=system, user=user, prefill=prefill))
        ]
        return state

    return solve
