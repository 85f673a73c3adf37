"""How long `af-inspect report` takes on 10,000 samples.

Runs offline with the SIMULATED organism and judge (`af_inspect/simulated`): writes one
`helpful_only` log (free and paid, tag scorer and `af_outcome` with 3 votes), then copies its
samples, each under a new query id, into `--logs` logs of `--samples` samples in all, one model
name per log (`af_inspect/simulated-0`, ...). The copies drop each sample's events and keep only
its last message, which the report never reads, so writing them takes seconds, not minutes;
their sample summaries (what the report reads) are those of the original samples.

It then times the report twice: in this process (`write_report`, with the time to read the logs,
build the summary and draw the figures), and as the command `af-inspect report` in a fresh
process, which includes Python's start-up and importing Inspect.

    python bench/report_speed.py                       # 10,000 samples in 5 logs
    python bench/report_speed.py --samples 20000 --logs 10 --keep logs/bench

Prompt files come from ``$AF_INSPECT_ASSETS_DIR`` or, if unset, ``../shared/reference/
open_source_af`` next to the checkout. Not a test; nothing here touches the network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "open_source_af"
SEED_QUERIES = 50
"""Queries of the simulated log whose samples are copied (x2 tiers)."""


def write_logs(directory: Path, samples: int, logs: int) -> int:
    """Write `logs` logs of `samples` samples in all into `directory`; returns the count."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.log import write_eval_log

    from af_inspect.helpful_only import helpful_only

    [seed] = inspect_eval(
        helpful_only(dataset="synthetic", num_queries=SEED_QUERIES, af_votes=3),
        model="af_inspect/simulated",
        model_args={"p_free": 0.4, "p_paid": 0.1, "malformed_rate": 0.05},
        model_roles={"grader": "af_inspect/simulated"},
        log_dir=str(directory / "seed"),
        display="none",
    )
    if seed.status != "success" or not seed.samples:
        raise SystemExit(f"the seed eval failed: {seed.error}")
    originals = seed.samples
    per_log = samples // logs
    written = 0
    for index in range(logs):
        log = seed.model_copy()
        log.eval = seed.eval.model_copy(
            update={"eval_id": uuid.uuid4().hex, "model": f"af_inspect/simulated-{index}"}
        )
        copies = []
        for number in range(per_log):
            original = originals[number % len(originals)]
            query = f"q{number // 2:06d}"
            copies.append(
                original.model_copy(
                    update={
                        "id": f"{query}-{original.metadata['tier']}",
                        "uuid": uuid.uuid4().hex,
                        "metadata": {**original.metadata, "query_id": query},
                        "events": [],
                        "messages": original.messages[-1:],
                    }
                )
            )
        log.samples = copies
        write_eval_log(log, str(directory / f"bench-{index}.eval"))
        written += len(copies)
    shutil.rmtree(directory / "seed")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=10_000, help="samples in all")
    parser.add_argument("--logs", type=int, default=5, help="logs to spread them over")
    parser.add_argument("--keep", type=Path, default=None, help="write the logs here and keep them")
    args = parser.parse_args(argv)
    if not os.environ.get("AF_INSPECT_ASSETS_DIR") and (REFERENCE / "prompts").is_dir():
        os.environ["AF_INSPECT_ASSETS_DIR"] = str(REFERENCE.resolve())

    from af_inspect.results.report import write_report

    with tempfile.TemporaryDirectory(prefix="af-report-speed-") as tmp:
        logs_dir = args.keep or Path(tmp) / "logs"
        logs_dir.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        count = write_logs(logs_dir, args.samples, args.logs)
        print(f"wrote {count} samples in {args.logs} logs ({time.perf_counter() - start:.1f} s)")

        timings: dict[str, float] = {}
        clock = {"last": time.perf_counter()}

        def progress(stage: str, done: int, total: int) -> None:
            if done == total:
                now = time.perf_counter()
                timings[stage] = now - clock["last"]
                clock["last"] = now

        start = clock["last"] = time.perf_counter()
        files = write_report(logs_dir, Path(tmp) / "report", progress=progress)
        total = time.perf_counter() - start
        assert files.results is not None
        print(
            f"in process: {total:.2f} s for {len(files.results.samples)} samples "
            f"(headers {timings.get('headers', 0):.2f} s, samples {timings.get('samples', 0):.2f} s, "
            f"summary, figures and files {total - sum(timings.values()):.2f} s)"
        )

        command = [sys.executable, "-m", "af_inspect.cli", "report", str(logs_dir)]
        command += ["--out", str(Path(tmp) / "report-cli")]
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
        print(f"af-inspect report (fresh process, imports included): {wall:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
