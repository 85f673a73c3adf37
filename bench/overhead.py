"""Wall-time overhead of `helpful_only` against a bare Inspect task (a benchmark, not a test).

Both tasks run the same samples (same system prompt, same user turns) against the simulated
organism with a fixed per-call latency, in one process, one after the other. The bare task only
inserts the system message and calls `generate()`; ours adds the protocol solver and the scorer.

    python bench/overhead.py --queries 400 --latency 1 --connections 50

Prints wall time, model calls and tokens per sample for each, the ratio ours/bare, and each
against the ideal time calls x latency / connections. Needs the upstream prompt files (cache,
download, or AF_INSPECT_ASSETS_DIR).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import TaskState, generate

from af_inspect import helpful_only
from af_inspect.prompts import render_system_prompt
from af_inspect.solvers import inject_system_prompt


@dataclass(frozen=True)
class Measurement:
    name: str
    samples: int
    wall_seconds: float
    model_calls: int
    input_tokens_per_sample: float
    output_tokens_per_sample: float

    def ideal_seconds(self, latency: float, connections: int) -> float:
        return self.model_calls * latency / connections


def bare_task(ours: Task, system_text: str, *, with_scorer: bool = False) -> Task:
    """The same samples and system prompt, with only `generate()` (and optionally a trivial scorer).

    The variant with a constant scorer separates Inspect's own per-sample scoring cost from ours.
    """
    return Task(
        dataset=ours.dataset,
        solver=[inject_system_prompt(system_text), generate()],
        scorer=constant_scorer() if with_scorer else None,
        config=ours.config,
        name="bare_scored" if with_scorer else "bare",
    )


@scorer(metrics=[mean()])
def constant_scorer() -> Scorer:
    """Scores every sample 1.0: only Inspect's scoring machinery, no work of ours."""

    async def score(state: TaskState, target: Target) -> Score:
        return Score(value=1.0)

    return score


def measure(
    name: str, task: Task, *, latency: float, connections: int, log_dir: str
) -> Measurement:
    start = time.perf_counter()
    [log] = inspect_eval(
        task,
        model="af_inspect/simulated",
        model_args={"latency": latency},
        max_connections=connections,
        log_dir=log_dir,
        display="none",
    )
    wall = time.perf_counter() - start
    return _summarise(name, log, wall)


def _summarise(name: str, log: EvalLog, wall: float) -> Measurement:
    if log.status != "success":
        raise RuntimeError(f"{name}: eval status {log.status}: {log.error}")
    samples = log.samples or []
    calls = sum(1 for s in samples for e in s.events if e.event == "model")
    usage = next(iter(log.stats.model_usage.values()))
    n = max(1, len(samples))
    return Measurement(
        name, len(samples), wall, calls, usage.input_tokens / n, usage.output_tokens / n
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=400, help="queries (samples = 2 x queries)")
    parser.add_argument("--latency", type=float, default=1.0, help="simulated seconds per call")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    ours = helpful_only(dataset="synthetic", num_queries=args.queries, scorers="tags")
    system_text, _ = render_system_prompt("prompt_only", cot=True)
    with tempfile.TemporaryDirectory() as log_dir:
        # Warm-up: the first eval of a process pays one-off imports (provider SDKs, log writers).
        warm = Task(dataset=ours.dataset[:2], solver=ours.solver, scorer=ours.scorer, name="warmup")
        measure("warmup", warm, latency=0.0, connections=args.connections, log_dir=log_dir)
        bare = measure(
            "bare",
            bare_task(ours, system_text),
            latency=args.latency,
            connections=args.connections,
            log_dir=log_dir,
        )
        scored = measure(
            "bare_scored",
            bare_task(ours, system_text, with_scorer=True),
            latency=args.latency,
            connections=args.connections,
            log_dir=log_dir,
        )
        mine = measure(
            "af_inspect", ours, latency=args.latency, connections=args.connections, log_dir=log_dir
        )
    rows = []
    for m in (bare, scored, mine):
        ideal = m.ideal_seconds(args.latency, args.connections)
        rows.append({**asdict(m), "ideal_seconds": ideal, "ratio_to_ideal": m.wall_seconds / ideal})
        print(
            f"{m.name:>10}: {m.samples} samples, {m.wall_seconds:.1f} s wall, {m.model_calls} calls "
            f"({m.model_calls / m.samples:.2f}/sample), ideal {ideal:.1f} s -> {m.wall_seconds / ideal:.2f} x ideal; "
            f"tokens/sample in {m.input_tokens_per_sample:.0f} out {m.output_tokens_per_sample:.0f}"
        )
    ratio = mine.wall_seconds / bare.wall_seconds
    print(f"ours / bare = {ratio:.3f}")
    print(f"ours / bare with a constant scorer = {mine.wall_seconds / scored.wall_seconds:.3f}")
    if args.json:
        args.json.write_text(
            json.dumps({"runs": rows, "ours_over_bare": ratio}, indent=2), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
