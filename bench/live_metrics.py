"""The cost of one live metric recompute, on real scores (a benchmark, not a test).

While an eval runs, Inspect recomputes every metric over all the scores so far for its live
display (even with `--display none`), then waits the longer of 0.9 s and 10 x the time the
recompute took. This times one such recompute, the way the display calls it, over the scores
of one run of each `bench/overhead.py` variant (`floor`, `dict_floor`, `ours` and `full`, the
default judges; the same samples, simulated organism and judge, no latency), and for `ours`
splits it into Inspect's share (copying the scores for each key) and our metric functions'.
For `ours` and `full` it also times the same scores as plain `Score`s, whose metadata Inspect
deep-copies for every key (as before the scorers returned `SharedMetadataScore`).

    python bench/live_metrics.py                 # 400 queries (800 scores), 9 repeats, each
                                                 # variant in a process of its own
    python bench/live_metrics.py --queries 100 --repeats 15

It prints, per variant, the median [range] CPU ms of a recompute, the same per score, and the
share of a run's wall time the recompute takes once the scores reach that number:
c / (c + max(0.9 s, 10 c)), at most 1/11 (about 9 %) whatever c is.

Needs the upstream prompt files (cache, download, or AF_INSPECT_ASSETS_DIR).
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from overhead import build_tasks  # noqa: E402

VARIANTS = ("floor", "dict_floor", "ours", "full")
MIN_INTERVAL = 0.9
"""Inspect's shortest wait between recomputes, in seconds; it waits 10 x longer after a slow one."""


def run_share(seconds: float) -> float:
    """Share of wall time a recompute of `seconds` takes under Inspect's back-off."""
    return seconds / (seconds + max(MIN_INTERVAL, 10 * seconds))


def cpu_ms(work: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        work()
        times.append(1000 * (time.process_time() - start))
    return times


def scored_run(variant: str, queries: int) -> tuple[Any, list[dict[str, Any]]]:
    """(the task, each sample's {scorer name: SampleScore}) of one run at no latency."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import get_model
    from inspect_ai.scorer import SampleScore

    task, _ = build_tasks(variant, queries, 0.0)
    judge = get_model("af_inspect/simulated", latency=0.0) if variant == "full" else None
    with tempfile.TemporaryDirectory() as log_dir:
        [log] = inspect_eval(
            task,
            model="af_inspect/simulated",
            model_args={"latency": 0.0},
            model_roles={"grader": judge} if judge is not None else None,
            display="none",
            log_dir=log_dir,
            max_connections=50,
        )
        samples = log.samples or []  # read before the log directory goes
    ours = variant in ("ours", "full")
    scores = [
        {
            name: SampleScore(
                score=as_in_memory(score) if ours else score,
                sample_id=sample.id,
                sample_metadata=sample.metadata,
            )
            for name, score in (sample.scores or {}).items()
        }
        for sample in samples
    ]
    return task, scores


def as_in_memory(score: Any) -> Any:
    """The score as the suite's scorers hold it during the run: read from the log it is a plain
    `Score` with plain vote lists; in memory it is a `SharedMetadataScore` (whose copies share
    its metadata) and the judges' vote lists are `SharedRecords`."""
    from af_inspect.scorers._copies import SharedMetadataScore
    from af_inspect.scorers.judges._common import SharedRecords

    metadata = {
        key: SharedRecords(value) if key.endswith("_votes") and isinstance(value, list) else value
        for key, value in (score.metadata or {}).items()
    }
    return SharedMetadataScore(**{**score.__dict__, "metadata": metadata})


def as_plain_scores(scores: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same scores as plain `Score`s with plain vote lists, which Inspect deep-copies whole."""
    from inspect_ai.scorer import Score

    def plain(sample_score: Any) -> Any:
        score = sample_score.score
        metadata = {
            key: list(value) if isinstance(value, list) else value
            for key, value in (score.metadata or {}).items()
        }
        return sample_score.model_copy(
            update={"score": Score(**{**score.__dict__, "metadata": metadata})}
        )

    return [{name: plain(s) for name, s in by_scorer.items()} for by_scorer in scores]


def metric_functions_ms(task: Any, scores: list[dict[str, Any]], repeats: int) -> list[float]:
    """Our metric functions alone, over each key's scores as Inspect hands them over."""
    from inspect_ai._eval.task.results import ScorerInfo

    [scorer] = task.scorer
    [name] = scores[0]
    per_key = ScorerInfo.from_scorer(scorer).metrics
    assert isinstance(per_key, dict), "ours registers its metrics per key"
    calls: list[tuple[Any, list[Any]]] = []
    for key, metrics in per_key.items():
        key_scores = []
        for by_scorer in scores:
            sample_score = by_scorer[name]
            value = sample_score.score.value[key]
            if isinstance(value, float) and math.isnan(value):
                continue
            score = sample_score.score.model_copy(update={"value": value})
            key_scores.append(sample_score.model_copy(update={"score": score}))
        calls += [(metric, key_scores) for metric in metrics]
    return cpu_ms(lambda: [metric(key_scores) for metric, key_scores in calls], repeats)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=400, help="queries (scores = 2 x queries)")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument(
        "--variant",
        choices=VARIANTS,
        help="time this variant here (default: each in its own process)",
    )
    args = parser.parse_args()

    if args.variant is None:
        # A process per variant: the heap an earlier variant's run leaves behind slows the copies.
        for variant in VARIANTS:
            command = [sys.executable, __file__, "--variant", variant]
            command += ["--queries", str(args.queries), "--repeats", str(args.repeats)]
            subprocess.run(command, check=True)
        return

    from inspect_ai._eval.task.results import eval_results

    variant = args.variant
    task, scores = scored_run(variant, args.queries)

    def recompute(scores: list[dict[str, Any]] = scores) -> object:
        return eval_results(
            samples=len(scores),
            scores=scores,
            reducers=None,
            scorers=task.scorer,
            metrics=task.metrics,
        )

    times = cpu_ms(recompute, args.repeats)
    median = statistics.median(times)
    print(
        f"{variant:>10}: {len(scores)} scores, recompute {median:.1f} "
        f"[{min(times):.1f}, {max(times):.1f}] ms, {1000 * median / len(scores):.0f} us "
        f"per score, {100 * run_share(median / 1000):.1f} % of the run at this size"
    )
    if variant in ("ours", "full"):
        copied = cpu_ms(partial(recompute, scores=as_plain_scores(scores)), args.repeats)
        print(
            f"{'':>10}  as plain Scores, their metadata deep-copied for every key: "
            f"{statistics.median(copied):.1f} [{min(copied):.1f}, {max(copied):.1f}] ms"
        )
    if variant == "ours":
        ours = metric_functions_ms(task, scores, args.repeats)
        ours_median = statistics.median(ours)
        print(
            f"{'':>10}  of which our metric functions {ours_median:.1f} "
            f"[{min(ours):.1f}, {max(ours):.1f}] ms, Inspect's copying and "
            f"bookkeeping the rest ({median - ours_median:.1f} ms)"
        )


if __name__ == "__main__":
    main()
