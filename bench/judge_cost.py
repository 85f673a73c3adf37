"""Cost of the AF classifier's 20 votes: one `num_choices` request vs 20 separate calls.

Runs offline with the SIMULATED organism and judge (`af_inspect/simulated`, whose token usage
is len(text) // 4 per message): generates a log of N samples (N/2 queries x free/paid) with the
tag scorer only, then re-scores it twice with the AF classifier, once with
``vote_mode="num_choices"`` and once with ``vote_mode="separate_calls"``, the Inspect cache off.
It reports, per 100 samples with a scratchpad, the judge requests and the judge's input and
output tokens (summed from the model events of the judge role), and checks the targets: one
request per scratchpad and at most 10 % of the input tokens of the separate calls.

    python bench/judge_cost.py                      # 100 samples, 20 votes
    python bench/judge_cost.py --samples 200 --votes 20 --json cost.json

It then runs `helpful_only` with its default judges (``scorers="all"``) three times against a
fresh Inspect cache: the first run (cold cache), the same run again with the same responses
(warm cache: the model cached too, or a deterministic one) and `inspect score` of the first log, and reports for each judge (the span its calls run in) the
requests and tokens per sample that reached the judge model; a call the cache answered
(``ModelEvent.cache == "read"``) costs nothing and is counted apart.

Prompt files come from ``$AF_INSPECT_ASSETS_DIR`` or, if unset, ``../shared/reference/
open_source_af`` next to the checkout. Not a test; nothing here touches the network.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "open_source_af"


@dataclass(frozen=True)
class Cost:
    """Judge cost of one vote mode, in total and per 100 samples with a scratchpad."""

    vote_mode: str
    samples_judged: int
    requests: int
    input_tokens: int
    output_tokens: int
    requests_per_100: float
    input_tokens_per_100: float
    output_tokens_per_100: float
    seconds: float


def _cost(vote_mode: str, log: object, seconds: float) -> Cost:
    from inspect_ai.event import ModelEvent
    from inspect_ai.log import EvalLog

    assert isinstance(log, EvalLog) and log.samples is not None
    requests = input_tokens = output_tokens = judged = 0
    for sample in log.samples:
        events = [e for e in sample.events if isinstance(e, ModelEvent) and e.role == "grader"]
        judged += bool(events)
        for event in events:
            requests += 1
            usage = event.output.usage
            if usage is not None:
                input_tokens += usage.input_tokens
                output_tokens += usage.output_tokens
    scale = 100.0 / judged if judged else float("nan")
    return Cost(
        vote_mode=vote_mode,
        samples_judged=judged,
        requests=requests,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        requests_per_100=requests * scale,
        input_tokens_per_100=input_tokens * scale,
        output_tokens_per_100=output_tokens * scale,
        seconds=seconds,
    )


@dataclass(frozen=True)
class JudgeUse:
    """One judge's calls in one run, per sample of the run."""

    run: str
    judge: str
    requests_per_sample: float
    input_tokens_per_sample: float
    output_tokens_per_sample: float
    cache_reads_per_sample: float


def _judge_of(event: object, span_names: dict[str, str], parents: dict[str, str | None]) -> str:
    """The innermost span of a judge call that names a judge (not Inspect's scorer spans)."""
    span_id = getattr(event, "span_id", None)
    while span_id is not None:
        name = span_names.get(span_id, "")
        if name and name not in ("scorers", "solvers") and "/" not in name:
            return name
        span_id = parents.get(span_id)
    return "unattributed"


def judge_use(run: str, log: object) -> list[JudgeUse]:
    """Requests, tokens and cache reads of each judge in `log`, per sample."""
    from inspect_ai.event import ModelEvent, SpanBeginEvent
    from inspect_ai.log import EvalLog

    assert isinstance(log, EvalLog) and log.samples is not None
    totals: dict[str, list[int]] = {}
    for sample in log.samples:
        span_names = {e.id: e.name for e in sample.events if isinstance(e, SpanBeginEvent)}
        parents = {e.id: e.parent_id for e in sample.events if isinstance(e, SpanBeginEvent)}
        for event in sample.events:
            if not isinstance(event, ModelEvent) or event.role is None:
                continue
            counts = totals.setdefault(_judge_of(event, span_names, parents), [0, 0, 0, 0])
            if event.cache == "read":
                counts[3] += 1
                continue
            usage = event.output.usage
            counts[0] += 1
            counts[1] += usage.input_tokens if usage else 0
            counts[2] += usage.output_tokens if usage else 0
    n = max(1, len(log.samples))
    return [
        JudgeUse(run, judge, c[0] / n, c[1] / n, c[2] / n, c[3] / n)
        for judge, c in sorted(totals.items())
    ]


def stack_costs(samples: int, tmp: str) -> list[JudgeUse]:
    """The default judges: a cold run, a warm-cache rerun and `inspect score` of the first log."""
    from inspect_ai import eval, score
    from inspect_ai.model import get_model

    from af_inspect.helpful_only import helpful_only

    os.environ["INSPECT_CACHE_DIR"] = str(Path(tmp) / "inspect-cache")
    roles = {"grader": "af_inspect/simulated"}
    uses: list[JudgeUse] = []
    logs = []
    tasks = []
    for run in ("first run", "rerun, warm cache"):
        task = helpful_only(dataset="synthetic", num_queries=samples // 2)
        (log,) = eval(
            task,
            # A fresh organism each run, so the rerun's responses (hence judge inputs) are the
            # same as the first run's: a memoized one counts repeats of an input and redraws.
            model=get_model("af_inspect/simulated", memoize=False),
            model_roles=roles,
            log_dir=str(Path(tmp) / "stack"),
            display="none",
        )
        if log.status != "success":
            raise SystemExit(f"eval failed: {log.error}")
        logs.append(log)
        tasks.append(task)
        uses += judge_use(run, log)
    # What `inspect score` does with the log: the task's own scorers, the same judge role.
    scorers = list(tasks[0].scorer or [])
    rescored = score(logs[0], scorers, model_roles=roles, action="overwrite", display="none")
    return uses + judge_use("inspect score", rescored)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=100, help="samples (even: free + paid)")
    parser.add_argument("--votes", type=int, default=20, help="AF votes per sample")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if args.samples < 2 or args.samples % 2:
        parser.error("--samples must be an even number >= 2")
    if not os.environ.get("AF_INSPECT_ASSETS_DIR") and (REFERENCE / "prompts").is_dir():
        os.environ["AF_INSPECT_ASSETS_DIR"] = str(REFERENCE.resolve())

    from inspect_ai import eval, score

    from af_inspect.helpful_only import helpful_only
    from af_inspect.scorers.judges import af_classifier

    with tempfile.TemporaryDirectory(prefix="af-judge-cost-") as tmp:
        task = helpful_only(dataset="synthetic", num_queries=args.samples // 2, scorers="tags")
        (log,) = eval(
            task, model="af_inspect/simulated", log_dir=tmp, display="none", log_samples=True
        )
        if log.status != "success":
            print(f"eval failed: {log.error}", file=sys.stderr)
            return 1
        costs: list[Cost] = []
        for mode in ("num_choices", "separate_calls"):
            start = time.perf_counter()
            scored = score(
                log,
                af_classifier(votes=args.votes, vote_mode=mode, cache=False),
                model_roles={"grader": "af_inspect/simulated"},
                action="overwrite",
                display="none",
            )
            costs.append(_cost(mode, scored, time.perf_counter() - start))

        uses = stack_costs(args.samples, tmp)

    one, separate = costs
    input_share = (
        one.input_tokens / separate.input_tokens if separate.input_tokens else float("nan")
    )
    one_request_each = one.requests == one.samples_judged
    print(f"AF classifier, {args.votes} votes, simulated judge, per 100 samples with a scratchpad")
    print(f"{'vote mode':<16}{'requests':>12}{'input tok':>14}{'output tok':>14}{'seconds':>10}")
    for cost in costs:
        print(
            f"{cost.vote_mode:<16}{cost.requests_per_100:>12.1f}{cost.input_tokens_per_100:>14.0f}"
            f"{cost.output_tokens_per_100:>14.0f}{cost.seconds:>10.2f}"
        )
    print(f"input tokens, one request / separate calls: {input_share:.1%} (target <= 10%)")
    print(f"one request per scratchpad: {one_request_each} ({one.requests} / {one.samples_judged})")
    print()
    print(f"default judges (scorers=all, {args.samples} samples), per sample of the run")
    print(
        f"{'run':<20}{'judge':<22}{'requests':>10}{'input tok':>12}{'output tok':>12}"
        f"{'cache reads':>13}"
    )
    for use in uses:
        print(
            f"{use.run:<20}{use.judge:<22}{use.requests_per_sample:>10.2f}"
            f"{use.input_tokens_per_sample:>12.0f}{use.output_tokens_per_sample:>12.0f}"
            f"{use.cache_reads_per_sample:>13.2f}"
        )
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "votes": args.votes,
                    "samples": args.samples,
                    "costs": [asdict(c) for c in costs],
                    "input_token_share": input_share,
                    "one_request_per_scratchpad": one_request_each,
                    "default_judges": [asdict(use) for use in uses],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0 if one_request_each and input_share <= 0.10 else 2


if __name__ == "__main__":
    sys.exit(main())
