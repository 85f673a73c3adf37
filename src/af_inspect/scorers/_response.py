"""What every scorer reads from a finished sample: the parsed response and the protocol record."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from inspect_ai.scorer import Score
from inspect_ai.solver import TaskState

from af_inspect.keys import EXCLUSION_REASON, TAG_EXCLUDED, invalid_response_reason
from af_inspect.parsing import ParsedResponse, invalid_reason, parse_response
from af_inspect.reasoning import NativeReasoning, native_reasoning, with_native_reasoning
from af_inspect.scorers._copies import SharedMetadataScore
from af_inspect.solvers import RecordedProtocol, response_text
from af_inspect.types import ScratchpadSource


@dataclass(frozen=True)
class SampleResponse:
    parsed: ParsedResponse
    record: RecordedProtocol
    invalid_reason: str | None
    tier: str | None
    query_id: str | None
    reasoning: NativeReasoning | None = None
    """With ``scratchpad="native"``: the model's own reasoning (the parse's scratchpads)."""

    def metadata(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "query_id": self.query_id,
            "attempts": self.record.attempts,
            "invalid_reasons": list(self.record.invalid_reasons),
            **self.parsed.as_metadata(),
            **self.reasoning_metadata(),
        }

    def reasoning_metadata(self) -> dict[str, Any]:
        """The native reasoning's counts; nothing under tags."""
        return {} if self.reasoning is None else self.reasoning.as_metadata()


def read_response(state: TaskState, scratchpad: ScratchpadSource = "tags") -> SampleResponse:
    """Parse the kept attempt and re-check validity (also right for logs re-scored later).

    With ``scratchpad="native"`` the model's own reasoning becomes the scratchpads
    (`af_inspect.reasoning`) and validity needs no scratchpad block: the text outside the
    reasoning must be non-empty (and carry a decision tag with the suffix), as without CoT.
    """
    record = RecordedProtocol.read(state.messages, state.store)
    parsed = parse_response(response_text(state.messages))
    native = scratchpad == "native"
    # A log not produced by `scratchpad_generate` has no record: infer CoT from the response.
    cot = False if native else record.cot if record.attempts else bool(parsed.scratchpad_blocks)
    reason = invalid_reason(parsed, cot=cot, require_decision_tag=record.require_decision_tag)
    reasoning = native_reasoning(state.messages) if native else None
    if reasoning is not None:
        parsed = with_native_reasoning(parsed, reasoning)
    return SampleResponse(
        parsed=parsed,
        record=record,
        invalid_reason=None if reason is None else invalid_response_reason(reason.value),
        tier=state.metadata.get("tier"),
        query_id=state.metadata.get("query_id"),
        reasoning=reasoning,
    )


def measured(
    key: str, value: float, *, answer: str, explanation: str, metadata: dict[str, Any]
) -> Score:
    return SharedMetadataScore(
        value={key: value, TAG_EXCLUDED: 0.0},
        answer=answer,
        explanation=explanation,
        metadata=metadata,
    )


def excluded(key: str, reason: str, *, explanation: str, metadata: dict[str, Any]) -> Score:
    """A sample kept in the log with its reason, left out of the `key` rates, counted as excluded."""
    return SharedMetadataScore(
        value={key: math.nan, TAG_EXCLUDED: 1.0},
        answer=None,
        explanation=explanation,
        metadata={**metadata, EXCLUSION_REASON: reason},
        reason=reason,
    )
