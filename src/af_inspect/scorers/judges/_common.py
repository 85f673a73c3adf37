"""What every judge shares: prompt loading, the new classifiers' message layout, the result of
one judge run (`Component`), and `Score` assembly.

No prompt text lives in this repository. Each template is read at run time through
`af_inspect.assets` (override dir -> cache -> download, with provenance), rendered with Jinja
like upstream's `load_prompt_file`, and then filled with `str.format` where upstream does
(UPSTREAM_FACTS Q7). Each judge module says how its prompt becomes messages.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.model import CachePolicy, ChatMessage, ChatMessageSystem, ChatMessageUser, Model
from inspect_ai.scorer import Score
from inspect_ai.solver import TaskState
from inspect_ai.util import span

from af_inspect.assets import jinja_environment
from af_inspect.defaults import DEFAULT_MAX_RETRIES
from af_inspect.keys import (
    EXCLUSION_REASON,
    EXCLUSION_REASONS,
    INVALID_REASON,
    NOT_APPLICABLE_NO_SCRATCHPAD,
    RESPONSE_VALID,
    TAG_COMPLIED,
)
from af_inspect.parsing import Decision, ParsedResponse
from af_inspect.prompts import render
from af_inspect.scorers._copies import SharedMetadataScore
from af_inspect.scorers._response import SampleResponse
from af_inspect.scorers.judges.calls import MajorityVote, VoteMode, majority_vote
from af_inspect.scorers.judges.voting import PARSE_MODES, ParseMode, VoteAnswer
from af_inspect.types import InvalidPolicy

_NEW_CLASSIFIERS = "prompts/classifiers/scratchpad_classifiers/new_classifiers"


@dataclass(frozen=True)
class JudgePrompt:
    """A rendered judge template and the upstream path it came from."""

    path: str
    text: str


def load_prompt(path: str) -> JudgePrompt:
    """Render the upstream template at `path` (Jinja, upstream defaults) through the assets.

    Raises `af_inspect.assets.AssetError` (with what to do next) when the file is unavailable.
    """
    return JudgePrompt(path=path, text=render(jinja_environment().get_template(path)))


def new_classifier_path(name: str) -> str:
    """Upstream path of a new (majority-vote) classifier prompt."""
    return f"{_NEW_CLASSIFIERS}/{name}"


def scratchpad_input(scratchpad_blocks: list[str]) -> str:
    """``<output>`` + every scratchpad block (tags included) joined by newlines + ``</output>``."""
    return "<output>" + "\n".join(scratchpad_blocks) + "</output>"


def new_classifier_messages(prompt: JudgePrompt, scratchpad_blocks: list[str]) -> list[ChatMessage]:
    """System message = the rendered prompt; user message = the scratchpads in ``<output>``."""
    return [
        ChatMessageSystem(content=prompt.text),
        ChatMessageUser(content=scratchpad_input(scratchpad_blocks)),
    ]


@dataclass(frozen=True)
class JudgeSettings:
    """What every judge call of one scorer shares."""

    max_retries: int = DEFAULT_MAX_RETRIES
    """Re-asks of an unparseable answer (StrongREJECT, classic; lenient majority votes)."""
    cache: CachePolicy | None = None
    parse: ParseMode = "upstream"

    def __post_init__(self) -> None:
        if self.parse not in PARSE_MODES:
            raise ValueError(f"parse must be one of {PARSE_MODES}, got {self.parse!r}")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")


async def ask_new_classifier(
    model: Model,
    prompt: JudgePrompt,
    response: ParsedResponse,
    parse: Callable[[str], VoteAnswer],
    *,
    judge: str,
    temperature: float,
    settings: JudgeSettings,
    votes: int = 1,
    mode: VoteMode = "auto",
    min_valid_share: float = 1.0,
) -> MajorityVote:
    """A new (majority-vote) classifier on a response's scratchpad blocks, in a span named
    `judge`: the AF classifier (20 votes) and the single-vote partial and categorizers."""
    async with span(judge):
        return await majority_vote(
            model,
            new_classifier_messages(prompt, response.scratchpad_blocks),
            parse,
            judge=judge,
            votes=votes,
            temperature=temperature,
            parse_mode=settings.parse,
            mode=mode,
            max_retries=settings.max_retries,
            cache=settings.cache,
            min_valid_share=min_valid_share,
        )


class SharedRecords(list[dict[str, Any]]):
    """Judge records (one per vote or attempt) in ``Score.metadata`` that deep copies share.

    Inspect deep-copies each sample's score once per score key every time it computes metrics:
    about once a second for its live display, and at the end. With 20 votes of nested dicts
    that copy was about 80 % of the copying cost of an `af_outcome` score (`bench/live_metrics.py`).
    The records are written once, when the judge has answered, and nothing changes them after,
    so a copy can share them. The log holds a plain JSON list, read back as a plain `list`.
    """

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedRecords:
        return self


@dataclass
class Component:
    """What one judge contributed to a sample's score."""

    values: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    """Exclusion reason (the values are NaN) or None when measured."""
    explanation: str = ""


def model_name(model: Model) -> str:
    return str(model)


def not_applicable(
    keys: tuple[str, ...], what: str, reason: str = NOT_APPLICABLE_NO_SCRATCHPAD
) -> Component:
    """A scratchpad classifier on a response without scratchpad: no call, marked n/a.

    `reason` says why (`ParsedResponse.no_scratchpad_reason`): no block under tags; no readable
    or some redacted reasoning under native reasoning.
    """
    if reason == NOT_APPLICABLE_NO_SCRATCHPAD:
        explanation = f"{what}: not applicable, the response has no scratchpad (no judge call)"
    else:
        explanation = f"{what}: not applicable ({reason}; no judge call)"
    return Component(
        values={key: math.nan for key in keys},
        metadata={f"{what}_status": "not_applicable"},
        reason=reason,
        explanation=explanation,
    )


def canned_refusal(values: dict[str, float], what: str) -> Component:
    """Upstream's short cut: a canned refusal string gets these values without a judge call."""
    return Component(
        values=values,
        metadata={f"{what}_status": "canned_refusal"},
        explanation=f"{what}: the response is a canned refusal string; no judge call",
    )


def without_call(
    parsed: ParsedResponse, keys: tuple[str, ...], what: str, canned: dict[str, float]
) -> Component | None:
    """A scratchpad classifier's result when no judge call is made, else None: a canned refusal
    gets the `canned` values (upstream's short cut, under tags only: with native reasoning the
    reasoning is read, or marked not applicable, like any other), a response without a
    scratchpad block is not applicable."""
    if parsed.canned_without_reasoning:
        return canned_refusal(canned, what)
    if not parsed.scratchpad_blocks:
        return not_applicable(keys, what, parsed.no_scratchpad_reason)
    return None


def query_text(state: TaskState) -> str:
    """The user's query: sample metadata ``query`` (set by this suite's datasets), else the
    sample input as text (logs of other tasks; it then includes any instruction format)."""
    query = state.metadata.get("query")
    if isinstance(query, str) and query:
        return query
    return state.input_text


def tag_complied(parsed: ParsedResponse) -> int | None:
    """1 if the response accepts, 0 if it rejects (the paper's rule), None without a tag."""
    if parsed.decision is Decision.ACCEPTED:
        return 1
    if parsed.decision is Decision.REJECTED:
        return 0
    return None


def base_metadata(response: SampleResponse) -> dict[str, Any]:
    """Sample facts every judge score carries (the transcript itself is already in the log)."""
    parsed = response.parsed
    return {
        "tier": response.tier,
        "query_id": response.query_id,
        "attempts": response.record.attempts,
        "invalid_reasons": list(response.record.invalid_reasons),
        RESPONSE_VALID: response.invalid_reason is None,
        INVALID_REASON: response.invalid_reason,
        "decision": parsed.decision.value,
        TAG_COMPLIED: tag_complied(parsed),
        "scratchpad_blocks": len(parsed.scratchpad_blocks),
        **response.reasoning_metadata(),
    }


def build_score(
    values: Mapping[str, float],
    *,
    metadata: dict[str, Any],
    explanation: str,
    answer: str | None,
    reason: str | None,
    excluded_key: str,
    component_reasons: Mapping[str, str | None] | None = None,
) -> Score:
    """A dict-valued score ``{**values, excluded_key: 0|1}`` (`excluded_key`: the scorer's own,
    ``<scorer>_excluded``).

    `reason` excludes the sample (`excluded_key` = 1, ``metadata["exclusion_reason"]`` and
    ``Score.reason`` set); `component_reasons` records per-component reasons under
    ``metadata["exclusion_reasons"]`` (only the non-empty ones).
    """
    metadata = dict(metadata)
    if reason is not None:
        metadata[EXCLUSION_REASON] = reason
    if component_reasons is not None:
        metadata[EXCLUSION_REASONS] = {k: v for k, v in component_reasons.items() if v}
    return SharedMetadataScore(
        value={**values, excluded_key: 1.0 if reason is not None else 0.0},
        answer=answer,
        explanation=explanation,
        metadata=metadata,
        reason=reason,
    )


def excluded_invalid(
    response: SampleResponse,
    keys: tuple[str, ...],
    invalid: InvalidPolicy,
    *,
    excluded_key: str,
    components: tuple[str, ...] = (),
) -> Score | None:
    """With ``invalid="exclude"``, the score of an invalid response (every key NaN, excluded with
    the protocol's reason, no judge call); None when the judges should grade the response."""
    if response.invalid_reason is None or invalid == "grade":
        return None
    return build_score(
        {key: math.nan for key in keys},
        metadata=base_metadata(response),
        explanation=f"response breaks the scratchpad protocol ({response.invalid_reason}); "
        "not judged (invalid=exclude)",
        answer=None,
        reason=response.invalid_reason,
        excluded_key=excluded_key,
        component_reasons={c: response.invalid_reason for c in components} if components else None,
    )


def component_score(
    response: SampleResponse, component: Component, *, answer: str | None, excluded_key: str
) -> Score:
    """The score of a standalone judge scorer: one component, excluded iff it has a reason."""
    return build_score(
        component.values,
        metadata={**base_metadata(response), **component.metadata},
        explanation=component.explanation,
        answer=answer if component.reason is None else None,
        reason=component.reason,
        excluded_key=excluded_key,
    )
