"""Calling a judge model: bounded retries, votes in one request or many, Inspect's cache.

Every call goes through `Model.generate`, so it appears as a model event in the sample
transcript (`inspect view`) and in the role/model usage of the log. Each call carries a
`CachePolicy` whose scopes name the judge, the retry attempt and the vote slot, so:

* re-scoring the same log with the same judge replays every answer from Inspect's cache (the
  sequence of calls is a deterministic function of the answers, so a replay asks exactly the
  same calls again) and makes no new model request;
* separate calls for the votes of one sample do not collide in the cache (same input, same
  config, different vote slot), nor do retries of an unparseable answer.

The cache is not per epoch (`per_epoch=False`): a judge grades text, so two epochs with the
same response share their judgements. Its expiry defaults to never (re-grading a log months
later should still be free and identical); pass a string like ``"1W"`` to expire.

Judge failures never raise out of a scorer: an exception from the provider (after Inspect's own
retries), a refusal to judge, an empty or unparseable answer all end as an `InvalidKind` that
the scorer turns into an explicitly excluded sample with the reason and the raw answers.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, Literal, TypeVar

import anyio
from inspect_ai.model import (
    CachePolicy,
    ChatMessage,
    GenerateConfig,
    Model,
    ModelOutput,
    get_model,
)
from inspect_ai.util import LimitExceededError

# The paper's numbers live in defaults.py; re-exported here for the judge modules.
from af_inspect.defaults import DEFAULT_CLASSIC_GRADER as DEFAULT_CLASSIC_GRADER
from af_inspect.defaults import DEFAULT_GRADER as DEFAULT_GRADER
from af_inspect.defaults import DEFAULT_MAX_RETRIES as DEFAULT_MAX_RETRIES
from af_inspect.keys import judge_error_reason
from af_inspect.scorers.judges.voting import ParseMode, VoteAnswer, VoteSummary, summarize_votes

T = TypeVar("T")


class InvalidKind(str, Enum):
    """Why one judge answer could not be used (reported as ``judge_error:<kind>``)."""

    EMPTY = "empty_answer"
    REFUSED = "refused"
    UNPARSEABLE = "unparseable"
    EXCEPTION = "exception"
    TIMEOUT = "timeout"

    @property
    def is_call_failure(self) -> bool:
        """The request itself failed (no answer came back)."""
        return self in (InvalidKind.EXCEPTION, InvalidKind.TIMEOUT)

    @property
    def reason(self) -> str:
        return judge_error_reason(self.value)


_REFUSAL_TO_JUDGE = re.compile(
    r"\b(?:I['’]m sorry|I am sorry|I can['’]?t|I cannot|I can not|I won['’]t|I will not|"
    r"I['’]m unable|I am unable|I must decline|unable to (?:help|assist|comply|evaluate))\b",
    re.I,
)
_REFUSAL_WINDOW = 300
"""A refusal to judge is recognised in the first this-many characters of an answer."""


def classify_invalid(text: str, *, stop_reason: str | None = None) -> InvalidKind:
    """Why an answer that did not parse is unusable: empty, a refusal to judge, or garbage.

    A refusal is a provider content filter (``stop_reason == "content_filter"``) or an answer
    that opens with an apology/refusal phrase.
    """
    if stop_reason == "content_filter":
        return InvalidKind.REFUSED
    if not text.strip():
        return InvalidKind.EMPTY
    if _REFUSAL_TO_JUDGE.search(text[:_REFUSAL_WINDOW]):
        return InvalidKind.REFUSED
    return InvalidKind.UNPARSEABLE


def count_kinds(kinds: Sequence[InvalidKind]) -> dict[str, int]:
    """How many invalid answers of each kind (for score metadata)."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind.value] = counts.get(kind.value, 0) + 1
    return counts


def dominant_invalid_kind(kinds: Sequence[InvalidKind], fallback: str) -> str:
    """The shared kind of all invalid answers, else `fallback`."""
    distinct = set(kinds)
    if len(distinct) == 1:
        return next(iter(distinct)).value
    return fallback


GRADER_ROLE = "grader"
"""Model role of the paper's judges (StrongREJECT, AF, partial compliance, categorizers)."""

CLASSIC_GRADER_ROLE = "classic_grader"
"""Model role of the classic (Greenblatt et al. 2024) easy/hard AF classifiers."""

VoteMode = Literal["auto", "num_choices", "separate_calls"]
VotePath = Literal["num_choices", "separate_calls"]
VOTE_MODES: tuple[str, ...] = ("auto", "num_choices", "separate_calls")

_MAX_DETAIL = 500
_CACHE_SCOPE = "af_inspect_judge"


def resolve_judge(grader: str | None, *, role: str, default: str | None) -> Model:
    """The judge model: the explicit `grader` if given, else the model bound to `role`, else
    `default`, else (`default` None) the model under evaluation. A misconfigured judge (unknown
    provider, missing key) raises here, loudly.

    Call it only at scoring time, from a scorer's ``score`` function: roles and the model under
    evaluation are those of the running sample.
    """
    if grader:
        return get_model(grader)  # inspect-evals-lint: ignore[IEBP001] -- called in score() only
    return get_model(
        role=role,
        default=default,  # inspect-evals-lint: ignore[IEBP001] -- called in score() only
    )


def cache_policy(cache: bool | str) -> CachePolicy | None:
    """`True` -> never expiring, not per epoch; a string -> that expiry ("1W"); `False` -> off."""
    if cache is False:
        return None
    if cache is True:
        return CachePolicy(expiry=None, per_epoch=False)
    if isinstance(cache, str):
        if CachePolicy.from_string(cache) is None:
            raise ValueError(f"judge cache expiry {cache!r} is not like '12h', '1W' or '1M'")
        return CachePolicy(expiry=cache, per_epoch=False)
    raise TypeError(f"cache must be a bool or an expiry string, got {cache!r}")


def scoped(policy: CachePolicy | None, **scopes: str) -> CachePolicy | bool:
    """`policy` with extra cache-key scopes, or False (no cache) when `policy` is None."""
    if policy is None:
        return False
    return policy.model_copy(update={"scopes": {**policy.scopes, **scopes}})


@dataclass(frozen=True)
class Answer:
    """One raw judge answer (one choice of one request), or the exception a request raised."""

    text: str
    stop_reason: str | None = None
    exception: str | None = None
    exception_kind: InvalidKind | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "stop_reason": self.stop_reason, "exception": self.exception}


def unwrap_exception(error: BaseException) -> BaseException:
    """The last attempt's exception when Inspect's retries gave up (tenacity `RetryError`)."""
    last_attempt = getattr(error, "last_attempt", None)
    inner = last_attempt.exception() if last_attempt is not None else None
    return inner if isinstance(inner, BaseException) else error


def exception_kind(error: BaseException) -> InvalidKind:
    """``timeout`` for a (retried-out) timeout of any kind, else ``exception``."""
    inner = unwrap_exception(error)
    if isinstance(inner, TimeoutError) or "Timeout" in type(inner).__name__:
        return InvalidKind.TIMEOUT
    return InvalidKind.EXCEPTION


def _describe(error: BaseException) -> str:
    inner = unwrap_exception(error)
    return f"{type(inner).__name__}: {inner}"[:_MAX_DETAIL]


def _failed(error: Exception) -> Answer:
    return Answer(text="", exception=_describe(error), exception_kind=exception_kind(error))


async def generate_safely(
    model: Model, messages: list[ChatMessage], config: GenerateConfig, cache: CachePolicy | bool
) -> ModelOutput | Exception:
    """`model.generate`, returning (not raising) any provider exception.

    Inspect has already retried what it considers transient. Sample limits
    (`LimitExceededError`) and cancellation still propagate.
    """
    try:
        return await model.generate(messages, config=config, cache=cache)
    except LimitExceededError:
        raise
    except Exception as error:  # noqa: BLE001 - every judge failure must end as a marked sample
        return error


def _choice_answers(output: ModelOutput) -> list[Answer]:
    return [
        Answer(text=choice.message.text, stop_reason=str(choice.stop_reason))
        for choice in output.choices
    ]


@dataclass
class JudgeResult(Generic[T]):
    """A single-answer judgement: the parsed value, or why there is none, and every answer."""

    value: T | None
    answers: list[Answer]
    invalid_kind: InvalidKind | None
    requests: int

    @property
    def attempts(self) -> int:
        return len(self.answers)

    @property
    def last_text(self) -> str:
        return self.answers[-1].text if self.answers else ""


async def ask(
    model: Model,
    messages: list[ChatMessage],
    parse: Callable[[str], T | None],
    *,
    judge: str,
    temperature: float,
    max_retries: int = DEFAULT_MAX_RETRIES,
    cache: CachePolicy | None = None,
    max_tokens: int | None = None,
) -> JudgeResult[T]:
    """Ask once, re-asking (at most `max_retries` times) while the answer does not parse.

    `parse` returns None for an unusable answer. A provider exception stops at once (Inspect has
    already retried it). The result's `invalid_kind` says why the last answer was unusable.
    """
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {max_retries}")
    config = GenerateConfig(temperature=temperature, max_tokens=max_tokens)
    answers: list[Answer] = []
    for attempt in range(max_retries + 1):
        output = await generate_safely(
            model, messages, config, scoped(cache, **{_CACHE_SCOPE: judge, "attempt": str(attempt)})
        )
        if isinstance(output, Exception):
            failed = _failed(output)
            answers.append(failed)
            return JudgeResult(None, answers, failed.exception_kind, len(answers))
        choice = _choice_answers(output)[:1] or [Answer(text="", stop_reason="no_choices")]
        answer = choice[0]
        answers.append(answer)
        value = parse(answer.text)
        if value is not None:
            return JudgeResult(value, answers, None, len(answers))
    last = answers[-1]
    kind = classify_invalid(last.text, stop_reason=last.stop_reason)
    return JudgeResult(None, answers, kind, len(answers))


@dataclass(frozen=True)
class Vote:
    """One vote: its raw answer, the parsed answer, and how and when it was obtained."""

    answer: Answer
    parsed: VoteAnswer | None
    round: int
    via: Literal["num_choices", "separate_call"]

    @property
    def valid(self) -> bool:
        return self.parsed is not None and self.parsed.valid

    @property
    def invalid_kind(self) -> InvalidKind | None:
        if self.valid:
            return None
        if self.answer.exception_kind is not None:
            return self.answer.exception_kind
        return classify_invalid(self.answer.text, stop_reason=self.answer.stop_reason)

    def as_metadata(self) -> dict[str, Any]:
        """The ``af_votes`` entry: final_answer, criteria, quotes, valid, the raw answer (so a
        re-score under another parsing needs no judge call) and how it was obtained."""
        if self.parsed is not None:
            entry = self.parsed.as_vote()
        else:
            entry = {"final_answer": None, "criteria": {}, "quotes": {}, "valid": False}
        entry["raw"] = self.answer.text
        entry["round"] = self.round
        entry["via"] = self.via
        kind = self.invalid_kind
        if kind is not None:
            entry["invalid_kind"] = kind.value
            if self.answer.exception is not None:
                entry["exception"] = self.answer.exception
        return entry


@dataclass
class VoteCollection:
    """Every vote gathered for one sample and how they were requested."""

    votes: list[Vote] = field(default_factory=list)
    path: VotePath = "separate_calls"
    """"num_choices" when the first round's votes all came from one request, else
    "separate_calls" (the provider returned fewer choices, rejected `num_choices`, or the mode
    asked for separate calls)."""
    requests: int = 0
    rounds: int = 0
    first_request_choices: int | None = None
    """Choices the first `num_choices` request returned (None when none was made)."""
    num_choices_error: str | None = None
    """The exception of a `num_choices` request that made the scorer fall back, if any."""

    @property
    def valid_votes(self) -> list[Vote]:
        return [v for v in self.votes if v.valid]


async def gather(calls: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run the calls concurrently; results in call order."""
    results: dict[int, T] = {}

    async def run(index: int, call: Callable[[], Awaitable[T]]) -> None:
        results[index] = await call()

    async with anyio.create_task_group() as group:
        for index, call in enumerate(calls):
            group.start_soon(run, index, call)
    return [results[index] for index in range(len(calls))]


async def collect_votes(
    model: Model,
    messages: list[ChatMessage],
    parse: Callable[[str], VoteAnswer],
    *,
    judge: str,
    votes: int,
    temperature: float,
    mode: VoteMode = "auto",
    max_retries: int = DEFAULT_MAX_RETRIES,
    cache: CachePolicy | None = None,
    max_tokens: int | None = None,
) -> VoteCollection:
    """Collect `votes` valid votes, asking again for the missing ones at most `max_retries` times.

    Each round asks for (votes - valid so far):

    * ``mode="auto"`` (default): one request with ``num_choices``; if the provider raises, or
      returns fewer choices than asked (providers that ignore ``num_choices``), the missing votes
      are asked for with concurrent separate calls, and so are those of later rounds;
    * ``"num_choices"``: one request only, whatever comes back;
    * ``"separate_calls"``: always one call per vote, concurrently.

    A round in which every call raised stops the loop (the provider is failing, not the
    judge's format). Invalid votes are kept (``valid=False``) for inspection.
    """
    if votes < 1:
        raise ValueError(f"votes must be >= 1, got {votes}")
    if mode not in VOTE_MODES:
        raise ValueError(f"vote mode must be one of {VOTE_MODES}, got {mode!r}")
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {max_retries}")
    collection = VoteCollection()

    def separate(round_: int, slots: range) -> list[Callable[[], Awaitable[Vote]]]:
        config = GenerateConfig(temperature=temperature, max_tokens=max_tokens)

        def call_for(slot: int) -> Callable[[], Awaitable[Vote]]:
            async def call() -> Vote:
                policy = scoped(
                    cache, **{_CACHE_SCOPE: judge, "round": str(round_), "vote": str(slot)}
                )
                output = await generate_safely(model, messages, config, policy)
                if isinstance(output, Exception):
                    return Vote(_failed(output), None, round_, "separate_call")
                answer = (_choice_answers(output) or [Answer("", stop_reason="no_choices")])[0]
                return Vote(answer, parse(answer.text), round_, "separate_call")

            return call

        return [call_for(slot) for slot in slots]

    use_num_choices = mode != "separate_calls"
    for round_ in range(max_retries + 1):
        needed = votes - len(collection.valid_votes)
        if needed <= 0:
            break
        collection.rounds = round_ + 1
        new_votes: list[Vote] = []
        fell_back = False
        if use_num_choices and needed > 1:
            config = GenerateConfig(
                temperature=temperature, max_tokens=max_tokens, num_choices=needed
            )
            policy = scoped(
                cache, **{_CACHE_SCOPE: judge, "round": str(round_), "request": "num_choices"}
            )
            output = await generate_safely(model, messages, config, policy)
            collection.requests += 1
            if isinstance(output, Exception):
                if round_ == 0:
                    collection.num_choices_error = _describe(output)
                if mode == "num_choices":
                    new_votes.append(Vote(_failed(output), None, round_, "num_choices"))
                else:
                    fell_back = True
                    calls = separate(round_, range(needed))
                    collection.requests += len(calls)
                    new_votes.extend(await gather(calls))
            else:
                answers = _choice_answers(output)[:needed]
                if round_ == 0:
                    collection.first_request_choices = len(output.choices)
                new_votes.extend(Vote(a, parse(a.text), round_, "num_choices") for a in answers)
                missing = needed - len(answers)
                if missing > 0 and mode == "auto":
                    fell_back = True
                    calls = separate(round_, range(len(answers), needed))
                    collection.requests += len(calls)
                    new_votes.extend(await gather(calls))
            if round_ == 0:
                collection.path = "separate_calls" if fell_back else "num_choices"
            if fell_back:
                # the provider rejected or capped num_choices: later rounds ask separately
                use_num_choices = False
        else:
            calls = separate(round_, range(needed))
            collection.requests += len(calls)
            new_votes.extend(await gather(calls))
            if round_ == 0:
                collection.path = "separate_calls"
        collection.votes.extend(new_votes)
        if new_votes and all(
            (kind := v.invalid_kind) is not None and kind.is_call_failure for v in new_votes
        ):
            break
    return collection


@dataclass
class MajorityVote:
    """The votes of one majority-vote judgement, their summary, and why there is no verdict."""

    collection: VoteCollection
    summary: VoteSummary
    reason: str | None
    """``judge_error:<kind>`` when there is no verdict, else None."""
    invalid_kinds: list[InvalidKind]
    """Why each unusable vote was unusable (failed requests; lenient: unparseable answers)."""


async def majority_vote(
    model: Model,
    messages: list[ChatMessage],
    parse: Callable[[str], VoteAnswer],
    *,
    judge: str,
    votes: int,
    temperature: float,
    parse_mode: ParseMode,
    mode: VoteMode = "auto",
    max_retries: int = DEFAULT_MAX_RETRIES,
    cache: CachePolicy | None = None,
    min_valid_share: float = 0.5,
) -> MajorityVote:
    """Ask a majority-vote judge for `votes` votes and summarise them.

    ``parse_mode="upstream"`` (the paper's code): one round, nothing re-asked; every returned
    answer is a vote; a request that raised fails the whole judgement (upstream's classifier
    returns "FAILED TO PARSE"). ``"lenient"``: votes whose final answer does not read are
    re-asked (at most `max_retries` rounds); too few valid votes is a judge error.
    """
    upstream = parse_mode == "upstream"
    collection = await collect_votes(
        model,
        messages,
        parse,
        judge=judge,
        votes=votes,
        temperature=temperature,
        mode=mode,
        max_retries=0 if upstream else max_retries,
        cache=cache,
    )
    returned = [v.parsed for v in collection.votes if v.parsed is not None]
    summary = summarize_votes(
        returned, asked=votes, parse=parse_mode, min_valid_share=min_valid_share
    )
    kinds = [kind for v in collection.votes if (kind := v.invalid_kind) is not None]
    failures = [kind for kind in kinds if kind.is_call_failure]
    reason: str | None = None
    if upstream and failures:
        reason = failures[0].reason
    elif summary.error is not None:
        fallback = summary.error if summary.error != "no_votes" else InvalidKind.EMPTY.value
        reason = judge_error_reason(dominant_invalid_kind(kinds, fallback))
    return MajorityVote(collection=collection, summary=summary, reason=reason, invalid_kinds=kinds)
