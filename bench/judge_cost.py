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
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "votes": args.votes,
                    "samples": args.samples,
                    "costs": [asdict(c) for c in costs],
                    "input_token_share": input_share,
                    "one_request_per_scratchpad": one_request_each,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0 if one_request_each and input_share <= 0.10 else 2


if __name__ == "__main__":
    sys.exit(main())
