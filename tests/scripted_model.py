"""A scripted model under test whose replies may carry reasoning (`ContentReasoning`).

`af_scripted_model/<name>` answers every call with the Python function registered under <name>
(`register`). A script sees the `Call` (messages, config, index) and returns the reply's content:
a string, or a list of content parts (e.g. a `ContentReasoning` and a `ContentText`), as a
reasoning model's provider returns them. Calls are recorded in `CALLS[name]`. Usage is reported
by the provider itself (one token per word, `tests.scripted_judge.scripted_output`), so no
tokenizer is downloaded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from inspect_ai.model import (
    ChatMessage,
    Content,
    ContentReasoning,
    ContentText,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from tests.scripted_judge import ScriptedJudge, scripted_output

PROVIDER = "af_scripted_model"


@dataclass
class Call:
    messages: list[ChatMessage]
    config: GenerateConfig
    index: int

    @property
    def last_user(self) -> str:
        return next((m.text for m in reversed(self.messages) if m.role == "user"), "")


Reply = str | list[Content]
Script = Callable[[Call], Reply]

SCRIPTS: dict[str, Script] = {}
CALLS: dict[str, list[Call]] = defaultdict(list)


def register(name: str, script: Script) -> str:
    """Register (or replace) a script; returns the model name ``af_scripted_model/<name>``."""
    SCRIPTS[name] = script
    CALLS[name] = []
    return f"{PROVIDER}/{name}"


def thinking(text: str, reply: str) -> list[Content]:
    """Claude-style extended thinking as Inspect stores it: the thinking in ``summary``, the
    signature in ``reasoning``, ``redacted=True`` (inspect-ai 0.3.285, anthropic provider)."""
    return [
        ContentReasoning(reasoning="sig-abc", summary=text, redacted=True),
        ContentText(text=reply),
    ]


def plain_reasoning(text: str, reply: str) -> list[Content]:
    """Readable reasoning (DeepSeek R1, `<think>` tags, open-weight models)."""
    return [ContentReasoning(reasoning=text), ContentText(text=reply)]


def redacted_reasoning(reply: str, *, readable: Sequence[str] = ()) -> list[Content]:
    """Encrypted reasoning without text (Claude redacted thinking, OpenAI without a summary),
    after any `readable` blocks."""
    parts: list[Content] = [ContentReasoning(reasoning=text) for text in readable]
    parts.append(ContentReasoning(reasoning="ENCRYPTED-PAYLOAD", redacted=True))
    parts.append(ContentText(text=reply))
    return parts


class ScriptedModel(ScriptedJudge):
    """Model API answering with the registered script of its model name (one choice, whose
    content may hold reasoning parts)."""

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        name = self.model_name
        call = Call(messages=list(input), config=config, index=len(CALLS[name]))
        CALLS[name].append(call)
        reply = SCRIPTS[name](call)
        return scripted_output(name, input, [reply])


@modelapi(name=PROVIDER)
def scripted_model_provider() -> type[ModelAPI]:
    return ScriptedModel
