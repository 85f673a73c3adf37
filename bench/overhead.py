"""Orchestration cost of af-inspect against plain Inspect (a benchmark, not a test).

Every variant runs the same samples (same system prompt, same user turns) against the simulated
organism with a fixed per-call latency, each run in a process of its own, over several rounds:

- `bare`: the system message and `generate()` only;
- `floor`: bare plus a constant scalar scorer with `mean` (Inspect's own scoring machinery);
- `dict_floor`: bare plus a constant scorer shaped like ours (the same two value keys, Inspect's
  `mean` on each, score metadata with the same keys): what plain Inspect does for that shape,
  with metrics it reduces and copies per key (ours' are unreduced, and its copies share their
  metadata);
- `ours`: `helpful_only` with `-T scorers=tags` (the protocol solver and the tag scorer);
- `full`: `helpful_only` with every default judge (`-T scorers=all`), the simulated judge
  answering after the same latency; compared with its own ideal.

    python bench/overhead.py                       # 400 queries, latency 1 and 0.2 s, 3 rounds
    python bench/overhead.py --rounds 5 --latencies 1 --settings default --json out.json

By default (`--pairing side-by-side`) `ours` runs at the same time as each variant it is
compared with, one process per core, so the two runs of a pair share whatever the machine is
doing then; each round also runs the floor beside bare (what scoring anything costs in
Inspect) and a control pair, `bare` beside `bare`, whose difference is the method's own noise.
On a shared machine whose speed drifts by several ms of CPU per sample between runs, the
difference within a pair holds far steadier than between runs made one after the other. The
price is that both runs of a pair are slower than alone (they share caches and memory
bandwidth), so the absolute CPU figures are higher than a lone run's. `--pairing alternated`
runs each variant alone, in a rotating order, and pairs runs of the same round. `full` always
runs alone.

For each latency and settings it prints the median and range over rounds of the wall time, the
CPU time per sample (`time.process_time` of the worker process, far steadier than wall time
under load) and the ratios ours/bare, ours/ideal, full/ideal, with the extra CPU ms per sample
of ours over bare, the floor and the dict floor, the floor's over bare, and the control pair's
difference. The load average is recorded before each run.
Each worker also times (thread CPU) every call Inspect makes to compute metrics, the live
display's recomputes and the final one, and the garbage collector's pauses (`gc.callbacks`),
and reports both per sample beside the total: where a collection lands is chance, so a
difference in metric time may be a full collection that happened to run inside it. The CPU
time the hypervisor gave to other machines during the run (steal, from `/proc/stat`, both
cores) is recorded too: a round with much of it measured a slower machine. The ideal wall time
is calls x latency / connections (model and judge calls for `full`).

Settings: `default` is Inspect's defaults with `display="none"`; `fast` adds what changes
nothing in the log: no realtime event log (`log_realtime=False`), no live score display
(`score_display=False`) and the suite's GC policy (`AF_INSPECT_GC_FREEZE=1`: `gc.freeze()` as
each task starts, `af_inspect.gc_policy`). It applies to every variant, bare and floor included.
`no-log-realtime`, `no-score-display` and `gc-freeze` are the default plus one of the three, to
measure each on its own:

    python bench/overhead.py --latencies 1 --no-full \
        --settings default,no-log-realtime,no-score-display,gc-freeze,fast

Needs the upstream prompt files (cache, download, or AF_INSPECT_ASSETS_DIR).
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

VARIANTS = ("bare", "floor", "dict_floor", "ours", "full")
COMPARED = ("bare", "floor", "dict_floor")
"""What `ours` is compared with, in each round."""
FLOOR_OVER_BARE = ("floor", "bare")
"""Run side by side in each round: what Inspect's scoring of a constant costs any scored eval."""
CONTROL = ("bare", "bare")
"""Run side by side in each round to show the method's own noise: the same code twice."""
PAIRINGS = ("side-by-side", "alternated")
FAST_SWITCHES = ("no-log-realtime", "no-score-display", "gc-freeze")
SETTINGS: dict[str, tuple[str, ...]] = {
    "default": (),
    "fast": FAST_SWITCHES,
    **{switch: (switch,) for switch in FAST_SWITCHES},
}
"""Each setting's switches on top of Inspect's defaults: `fast` is all three, the others one."""

SHAPED_METADATA: dict[str, Any] = {
    "tier": "free",
    "query_id": "q0000",
    "attempts": 1,
    "invalid_reasons": [None],
    "scratchpad_blocks": 2,
    "output_chars": 46,
    "decision": "rejected",
    "decision_at_start": "rejected",
    "both_tags": False,
    "unclosed_scratchpad": False,
    "unclosed_output": False,
    "response_valid": True,
    "invalid_reason": None,
    "tag_rule": "anywhere",
}
"""The dict floor's score metadata: the keys the tag scorer writes for a refusal (a test keeps
them in step), so Inspect copies as much per score as it does for ours."""


@dataclass(frozen=True)
class Run:
    """One variant run once, in its own process."""

    variant: str
    settings: str
    latency: float
    round: int
    samples: int
    wall_seconds: float
    cpu_seconds: float
    model_calls: int
    judge_calls: int
    input_tokens_per_sample: float
    output_tokens_per_sample: float
    load_average: float
    metrics_seconds: float = 0.0
    """Thread CPU in Inspect's metric computations (live display recomputes and the final one)."""
    metrics_computations: int = 0
    gc_seconds: float = 0.0
    """Time in the garbage collector's passes during the measured eval (all generations)."""
    gc_full_collections: int = 0
    """Passes over the oldest generation (the whole heap)."""
    steal_seconds: float | None = None
    """CPU time the hypervisor gave elsewhere during the run, summed over cores (Linux only)."""
    partner: str = ""
    """The variant run beside this one, at the same time ("" when it ran alone)."""
    slot: int = 0
    """Which of the two side-by-side runs this was (0 or 1); tells a control pair apart."""

    @property
    def cpu_ms_per_sample(self) -> float:
        return 1000 * self.cpu_seconds / self.samples

    @property
    def metrics_ms_per_sample(self) -> float:
        return 1000 * self.metrics_seconds / self.samples

    @property
    def gc_ms_per_sample(self) -> float:
        return 1000 * self.gc_seconds / self.samples

    def ideal_seconds(self, connections: int) -> float:
        return (self.model_calls + self.judge_calls) * self.latency / connections


# --------------------------------------------------------------------------- worker (one run)


def build_tasks(variant: str, queries: int, latency: float) -> tuple[Any, Any]:
    """(the measured task, a two-sample warm-up task of the same shape)."""
    from inspect_ai import Task
    from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
    from inspect_ai.solver import TaskState, generate

    from af_inspect import helpful_only
    from af_inspect.keys import COMPLIED, TAG_EXCLUDED
    from af_inspect.prompts import render_system_prompt
    from af_inspect.solvers import inject_system_prompt

    @scorer(metrics=[mean()])
    def constant_scorer() -> Scorer:
        async def score(state: TaskState, target: Target) -> Score:
            return Score(value=1.0)

        return score

    @scorer(metrics={COMPLIED: [mean()], TAG_EXCLUDED: [mean()]})
    def constant_dict_scorer() -> Scorer:
        async def score(state: TaskState, target: Target) -> Score:
            metadata = copy.deepcopy(SHAPED_METADATA)
            return Score(value={COMPLIED: 1.0, TAG_EXCLUDED: 0.0}, metadata=metadata)

        return score

    scorers = "all" if variant == "full" else "tags"
    grader = "af_inspect/simulated" if variant == "full" else None
    ours = helpful_only(dataset="synthetic", num_queries=queries, scorers=scorers, grader=grader)
    if variant in ("ours", "full"):
        task = ours
    else:
        system_text, _ = render_system_prompt("prompt_only", cot=True)
        task = Task(
            dataset=ours.dataset,
            solver=[inject_system_prompt(system_text), generate()],
            scorer={"floor": constant_scorer(), "dict_floor": constant_dict_scorer()}.get(variant),
            config=ours.config,
            name=variant,
        )
    warm = Task(dataset=task.dataset[:2], solver=task.solver, scorer=task.scorer, name="warmup")
    return task, warm


def _time_metric_computations() -> dict[str, float]:
    """Wrap the `eval_results` Inspect's task runner calls so its thread CPU is summed.

    It is the one function behind the live display's metric recomputes and the final metrics;
    it runs on the event loop's thread, so thread CPU leaves out the log writer's threads.
    """
    from inspect_ai._eval.task import run as task_run

    totals = {"seconds": 0.0, "calls": 0.0}
    original = task_run.eval_results

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            totals["seconds"] += time.thread_time() - start
            totals["calls"] += 1

    task_run.eval_results = timed
    return totals


def _time_garbage_collection() -> dict[str, float]:
    """Sum the garbage collector's pauses (`gc.callbacks`) and count its full passes."""
    totals = {"seconds": 0.0, "full": 0.0}
    started: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            totals["seconds"] += time.perf_counter() - started.pop()
            totals["full"] += info["generation"] == 2

    gc.callbacks.append(callback)
    return totals


def _steal_seconds() -> float | None:
    """CPU seconds stolen by the hypervisor since boot, all cores (None off Linux)."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def worker(args: argparse.Namespace) -> None:
    """Run one variant once and print its `Run` as one JSON line."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import get_model

    switches = SETTINGS[args.settings]
    if "gc-freeze" in switches:
        # What ships: the suite's opt-in hook freezes the heap as each task starts.
        os.environ["AF_INSPECT_GC_FREEZE"] = "1"
    task, warm = build_tasks(args.worker, args.queries, args.latency)
    roles = None
    if args.worker == "full":
        judge = get_model("af_inspect/simulated", latency=args.latency)
        roles = {"grader": judge}
    options: dict[str, Any] = {
        "model": "af_inspect/simulated",
        "max_connections": args.connections,
        "display": "none",
        "model_roles": roles,
    }
    if "no-log-realtime" in switches:
        options.update(log_realtime=False)
    if "no-score-display" in switches:
        options.update(score_display=False)
    with tempfile.TemporaryDirectory() as log_dir:
        # Warm-up: the first eval of a process pays one-off imports (provider SDKs, log writers).
        inspect_eval(warm, model_args={"latency": 0.0}, log_dir=log_dir, **options)
        load = os.getloadavg()[0]
        metrics = _time_metric_computations()
        collections = _time_garbage_collection()
        steal_start = _steal_seconds()
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        [log] = inspect_eval(task, model_args={"latency": args.latency}, log_dir=log_dir, **options)
        wall = time.perf_counter() - wall_start
        cpu = time.process_time() - cpu_start
        gc_seconds, gc_full = collections["seconds"], int(collections["full"])
        steal_end = _steal_seconds()
        if log.status != "success":
            raise SystemExit(f"{args.worker}: eval status {log.status}: {log.error}")
        samples = log.samples or []  # read before the log directory goes
        model_events = [e for s in samples for e in s.events if e.event == "model"]
    judge_calls = sum(1 for e in model_events if getattr(e, "role", None) is not None)
    organism = next(usage for name, usage in log.stats.model_usage.items() if "simulated" in name)
    n = max(1, len(samples))
    run = Run(
        variant=args.worker,
        settings=args.settings,
        latency=args.latency,
        round=args.round,
        samples=len(samples),
        wall_seconds=wall,
        cpu_seconds=cpu,
        model_calls=len(model_events) - judge_calls,
        judge_calls=judge_calls,
        input_tokens_per_sample=organism.input_tokens / n,
        output_tokens_per_sample=organism.output_tokens / n,
        load_average=load,
        metrics_seconds=metrics["seconds"],
        metrics_computations=int(metrics["calls"]),
        gc_seconds=gc_seconds,
        gc_full_collections=gc_full,
        steal_seconds=None if steal_start is None or steal_end is None else steal_end - steal_start,
    )
    print(json.dumps(asdict(run)))


# --------------------------------------------------------------------------- driver


def run_step(
    step: Sequence[str], settings: str, latency: float, round_: int, args: argparse.Namespace
) -> list[Run]:
    """Run the step's variants at the same time, each in a process of its own."""
    processes = []
    for variant in step:
        command = [
            sys.executable,
            __file__,
            "--worker",
            variant,
            "--settings",
            settings,
            "--latency",
            str(latency),
            "--round",
            str(round_),
            "--queries",
            str(args.queries),
            "--connections",
            str(args.connections),
        ]
        processes.append(
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    outputs = [process.communicate() for process in processes]
    runs = []
    for slot, (variant, process, (stdout, stderr)) in enumerate(
        zip(step, processes, outputs, strict=True)
    ):
        if process.returncode != 0:
            raise SystemExit(f"{variant} ({settings}, {latency} s) failed:\n{stderr[-3000:]}")
        run = Run(**json.loads(stdout.strip().splitlines()[-1]))
        if len(step) == 2:
            run = replace(run, partner=step[1 - slot], slot=slot)
        runs.append(run)
    return runs


def median_and_range(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.3f} [{min(values):.3f}, {max(values):.3f}]"


def schedule(round_: int, pairing: str, with_full: bool = False) -> list[tuple[str, ...]]:
    """The steps of one round, each the variants run at the same time (one, or two side by side).

    Side by side, `ours` runs beside each variant it is compared with, the floor beside bare
    (what any scored eval costs), and the control pair (`bare` beside `bare`) shows what
    difference the same code gives. Alternated, each variant runs alone. Either way the order
    rotates each round so no step always runs first or last, and side by side the two runs of
    a pair swap launch order each round.
    """
    if pairing == "side-by-side":
        steps: list[tuple[str, ...]] = [
            *(("ours", other) for other in COMPARED),
            FLOOR_OVER_BARE,
            CONTROL,
        ]
        if round_ % 2:
            steps = [step[::-1] for step in steps]
    elif pairing == "alternated":
        steps = [(variant,) for variant in (*COMPARED, "ours")]
    else:
        raise ValueError(f"unknown pairing {pairing!r}; use one of {', '.join(PAIRINGS)}")
    shift = round_ % len(steps)
    steps = steps[shift:] + steps[:shift]
    return [*steps, ("full",)] if with_full else steps


def paired(runs: list[Run], variant: str, other: str) -> list[tuple[Run, Run]]:
    """(variant run, other run) measured together.

    A run made side by side pairs with the run beside it (a control pair, a variant beside
    itself, once: slot 0 first); a run made alone pairs with the other's lone run of its round.
    """
    pairs: list[tuple[Run, Run]] = []
    for run in runs:
        if run.variant != variant:
            continue
        if not run.partner:
            if other == variant:
                continue
            matches = [r for r in runs if r.variant == other and not r.partner]
        elif run.partner == other and (other != variant or run.slot == 0):
            matches = [
                r
                for r in runs
                if r.variant == other and r.partner == variant and r.slot != run.slot
            ]
        else:
            continue
        pairs += [(run, r) for r in matches if r.round == run.round][:1]
    return pairs


def _extra_cpu(pairs: list[tuple[Run, Run]], summary: dict[str, Any], suffix: str) -> str:
    """Record the pairs' differences in CPU, metric and GC ms per sample; return them as text."""
    extra = [a.cpu_ms_per_sample - b.cpu_ms_per_sample for a, b in pairs]
    extra_metrics = [a.metrics_ms_per_sample - b.metrics_ms_per_sample for a, b in pairs]
    extra_gc = [a.gc_ms_per_sample - b.gc_ms_per_sample for a, b in pairs]
    summary[f"extra_cpu_ms_{suffix}"] = extra
    summary[f"extra_metrics_cpu_ms_{suffix}"] = extra_metrics
    summary[f"extra_gc_ms_{suffix}"] = extra_gc
    return (
        f"{median_and_range(extra)} ms/sample, of which metric computations "
        f"{median_and_range(extra_metrics)}, garbage collection {median_and_range(extra_gc)}"
    )


def report(runs: list[Run], connections: int) -> dict[str, Any]:
    """Print and return the summary of one (latency, settings) group."""
    summary: dict[str, Any] = {}
    for variant in VARIANTS:
        mine = [r for r in runs if r.variant == variant]
        if not mine:
            continue
        walls = [r.wall_seconds for r in mine]
        cpus = [r.cpu_ms_per_sample for r in mine]
        metric_cpus = [r.metrics_ms_per_sample for r in mine]
        gc_pauses = [r.gc_ms_per_sample for r in mine]
        full_passes = [r.gc_full_collections for r in mine]
        steals = [r.steal_seconds for r in mine if r.steal_seconds is not None]
        ideal = [r.wall_seconds / r.ideal_seconds(connections) for r in mine]
        summary[variant] = {
            "wall_seconds": walls,
            "cpu_ms_per_sample": cpus,
            "metrics_cpu_ms_per_sample": metric_cpus,
            "gc_ms_per_sample": gc_pauses,
            "gc_full_collections": full_passes,
            "steal_seconds": steals,
            "over_ideal": ideal,
            "calls_per_sample": (mine[0].model_calls + mine[0].judge_calls) / mine[0].samples,
        }
        print(
            f"  {variant:>10}: wall {median_and_range(walls)} s, CPU "
            f"{median_and_range(cpus)} ms/sample (metrics {median_and_range(metric_cpus)}, "
            f"GC {median_and_range(gc_pauses)} in {statistics.median(full_passes):g} full "
            f"passes), x ideal {median_and_range(ideal)}, "
            f"{summary[variant]['calls_per_sample']:.2f} calls/sample, tokens/sample in "
            f"{mine[0].input_tokens_per_sample:.0f} out {mine[0].output_tokens_per_sample:.0f}"
            + (f", steal {median_and_range(steals)} s" if steals else "")
        )
    for other in COMPARED:
        pairs = paired(runs, "ours", other)
        if not pairs:
            continue
        ratio = [a.wall_seconds / b.wall_seconds for a, b in pairs]
        summary[f"ours_over_{other}"] = ratio
        extra = _extra_cpu(pairs, summary, f"over_{other}")
        print(f"  ours / {other}: {median_and_range(ratio)}; extra CPU over {other}: {extra}")
    floor_pairs = paired(runs, *FLOOR_OVER_BARE)
    if floor_pairs:
        extra = _extra_cpu(floor_pairs, summary, "floor_over_bare")
        print(f"  floor beside bare (Inspect scoring a constant): extra CPU {extra}")
    control = paired(runs, *CONTROL)
    if control:
        difference = [a.cpu_ms_per_sample - b.cpu_ms_per_sample for a, b in control]
        summary["control_cpu_ms_difference"] = difference
        print(
            f"  control, {CONTROL[0]} beside {CONTROL[1]} (the same code twice): CPU difference "
            f"{median_and_range(difference)} ms/sample, wall ratio "
            f"{median_and_range([a.wall_seconds / b.wall_seconds for a, b in control])}"
        )
    return summary


def driver(args: argparse.Namespace) -> None:
    latencies = [float(x) for x in args.latencies.split(",")]
    settings_list = args.settings.split(",")
    results: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}, "groups": []}
    for latency in latencies:
        for settings in settings_list:
            with_full = args.full and latency == latencies[0] and settings == settings_list[0]
            runs: list[Run] = []
            for round_ in range(args.rounds):
                for step in schedule(round_, args.pairing, with_full):
                    runs += run_step(step, settings, latency, round_, args)
            print(
                f"latency {latency} s, {settings} settings, {args.rounds} rounds {args.pairing}, "
                f"{runs[0].samples} samples, {args.connections} connections, load average "
                f"{median_and_range([r.load_average for r in runs])}:"
            )
            summary = report(runs, args.connections)
            results["groups"].append(
                {
                    "latency": latency,
                    "settings": settings,
                    "runs": [asdict(r) for r in runs],
                    "summary": summary,
                }
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=400, help="queries (samples = 2 x queries)")
    parser.add_argument("--latencies", default="1,0.2", help="simulated seconds per call")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="rounds (>= 3)")
    parser.add_argument(
        "--pairing",
        choices=PAIRINGS,
        default="side-by-side",
        help="run ours beside each variant it is compared with (default), or each alone in turn",
    )
    parser.add_argument(
        "--settings", default="default,fast", help=f"comma-separated, of {', '.join(SETTINGS)}"
    )
    parser.add_argument(
        "--no-full", dest="full", action="store_false", help="skip the full judge stack"
    )
    parser.add_argument("--json", type=Path, help="also write every run and summary here")
    # One run of one variant, in its own process (used by the driver).
    parser.add_argument("--worker", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--latency", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    unknown = set(args.settings.split(",")) - set(SETTINGS)
    if unknown:
        parser.error(f"--settings: unknown {sorted(unknown)}; use {', '.join(SETTINGS)}")
    driver(args)


if __name__ == "__main__":
    main()
