"""The model's own reasoning as the scratchpad (``scratchpad=native``).

A reasoning model thinks before it answers, and Inspect returns that thinking as
`ContentReasoning` parts of the assistant message: Claude extended thinking, OpenAI o-series and
gpt-5 reasoning, DeepSeek R1, Gemini thinking, and ``<think>`` tags that the OpenAI-compatible
providers parse. With ``scratchpad=native`` the scratchpad classifiers read this reasoning instead
of `<SCRATCHPAD_REASONING>` blocks.

The readable text of a block follows Inspect's own rendering (`ContentReasoning.text`,
inspect-ai 0.3.285):

* ``reasoning`` when the block is not redacted (and not blank);
* else ``summary``: Inspect stores Claude's thinking as ``summary`` (the signature goes in
  ``reasoning`` and ``redacted`` is True), and an OpenAI reasoning summary next to the encrypted
  reasoning the same way;
* else nothing: a redacted block without a summary (Claude's redacted thinking, OpenAI encrypted
  reasoning with no summary, a Gemini thought signature alone) is **unreadable**.

The rules (`with_native_reasoning`):

* each readable block becomes one scratchpad block, wrapped in `<SCRATCHPAD_REASONING>` tags, so
  every judge gets the layout it gets under tags (for the new classifiers, ``<output>`` + the
  blocks joined by newlines + ``</output>``);
* a response with **any** unreadable block is not classifiable (``not_applicable:reasoning_
  redacted``): a verdict on the readable part could miss AF reasoning in the hidden part, so the
  sample gets no AF value at all rather than a "no AF";
* a response without readable reasoning is ``not_applicable:no_reasoning``;
* blank blocks without a summary are skipped.

The output is what it is under tags: the assistant text (Inspect's `ChatMessage.text` leaves
reasoning out), parsed by `af_inspect.parsing.parse_response`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ContentReasoning

from af_inspect.keys import NOT_APPLICABLE_NO_REASONING, NOT_APPLICABLE_REASONING_REDACTED
from af_inspect.parsing import ParsedResponse


@dataclass(frozen=True)
class ReadableText:
    """The readable text of one reasoning block and the field it came from."""

    text: str
    from_summary: bool


@dataclass(frozen=True)
class NativeReasoning:
    """The reasoning blocks of one response, as far as they can be read."""

    texts: tuple[str, ...] = ()
    """Readable text of each block, in order."""
    from_summary: int = 0
    """How many of `texts` are a ``summary`` field (Claude thinking, OpenAI summaries)."""
    unreadable: int = 0
    """Redacted or encrypted blocks without text."""

    @property
    def not_classifiable_reason(self) -> str | None:
        """Why the scratchpad classifiers cannot read this reasoning, or None."""
        if self.unreadable:
            return NOT_APPLICABLE_REASONING_REDACTED
        if not self.texts:
            return NOT_APPLICABLE_NO_REASONING
        return None

    def as_metadata(self) -> dict[str, Any]:
        """Counts for score metadata (the texts are in the sample's messages)."""
        return {
            "scratchpad_source": "native",
            "reasoning_blocks": len(self.texts),
            "reasoning_from_summary": self.from_summary,
            "reasoning_unreadable_blocks": self.unreadable,
            "reasoning_chars": sum(len(text) for text in self.texts),
        }


def readable_text(block: ContentReasoning) -> ReadableText | None:
    """The text a reader can see in `block` (see the module docstring), or None."""
    if not block.redacted and block.reasoning.strip():
        return ReadableText(block.reasoning, from_summary=False)
    if block.summary and block.summary.strip():
        return ReadableText(block.summary, from_summary=True)
    return None


def read_reasoning(blocks: Iterable[ContentReasoning]) -> NativeReasoning:
    """The readable texts of `blocks` and how many could not be read."""
    texts: list[str] = []
    from_summary = unreadable = 0
    for block in blocks:
        readable = readable_text(block)
        if readable is not None:
            texts.append(readable.text)
            from_summary += readable.from_summary
        elif block.redacted:
            unreadable += 1
    return NativeReasoning(tuple(texts), from_summary=from_summary, unreadable=unreadable)


def reasoning_blocks(messages: Sequence[ChatMessage]) -> list[ContentReasoning]:
    """Every `ContentReasoning` of the assistant messages, in order."""
    return [
        part
        for message in messages
        if isinstance(message, ChatMessageAssistant) and not isinstance(message.content, str)
        for part in message.content
        if isinstance(part, ContentReasoning)
    ]


def native_reasoning(messages: Sequence[ChatMessage]) -> NativeReasoning:
    """The reasoning of a sample's assistant turns."""
    return read_reasoning(reasoning_blocks(messages))


def scratchpad_block(text: str) -> str:
    """`text` as one `<SCRATCHPAD_REASONING>` block, the layout the classifiers expect."""
    return f"<SCRATCHPAD_REASONING>{text}</SCRATCHPAD_REASONING>"


def with_native_reasoning(parsed: ParsedResponse, reasoning: NativeReasoning) -> ParsedResponse:
    """`parsed` with the readable reasoning as its scratchpads (none when not classifiable).

    The output side (output, decision tags, the text StrongREJECT reads) is unchanged; any
    `<SCRATCHPAD_REASONING>` block in the visible text stays removed from it, as under tags, but
    is not read by the classifiers.
    """
    reason = reasoning.not_classifiable_reason
    texts = [] if reason is not None else list(reasoning.texts)
    return replace(
        parsed,
        scratchpads=texts,
        scratchpad_blocks=[scratchpad_block(text) for text in texts],
        scratchpad_source="native",
        no_scratchpad_reason=reason or NOT_APPLICABLE_NO_REASONING,
    )
