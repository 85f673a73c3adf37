"""The benchmark's stand-in scores stay shaped like the suite's (no timing here)."""

from __future__ import annotations

import gc
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from af_inspect.scorers import accept_tag_compliance
from tests.scripted_judge import make_state, run_scorer

OVERHEAD = Path(__file__).resolve().parents[1] / "bench" / "overhead.py"


def _overhead() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_overhead", OVERHEAD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_dict_floor_score_has_the_tag_scorers_value_keys_and_metadata_keys() -> None:
    refusal = make_state(
        "<SCRATCHPAD_REASONING>No.</SCRATCHPAD_REASONING>\n<OUTPUT><rejected/></OUTPUT>"
    )
    score = run_scorer(accept_tag_compliance(), refusal)
    assert isinstance(score.value, dict) and score.metadata is not None
    shaped = _overhead().SHAPED_METADATA
    assert list(shaped) == list(score.metadata)
    assert {key: type(value) for key, value in shaped.items()} == {
        key: type(value) for key, value in score.metadata.items()
    }


def test_the_gc_timer_counts_full_passes_and_their_time() -> None:
    bench = _overhead()
    was_enabled = gc.isenabled()
    gc.disable()  # only the two passes below
    totals = bench._time_garbage_collection()
    try:
        gc.collect(0)
        young_only = totals["full"]
        gc.collect()
    finally:
        gc.callbacks.pop()
        if was_enabled:
            gc.enable()
    assert young_only == 0
    assert totals["full"] == 1
    assert totals["seconds"] > 0


def _run(
    bench: ModuleType,
    variant: str,
    round_: int,
    cpu: float,
    gc_seconds: float = 0.0,
    partner: str = "",
    slot: int = 0,
) -> object:
    return bench.Run(
        variant=variant,
        settings="default",
        latency=1.0,
        round=round_,
        samples=100,
        wall_seconds=10.0,
        cpu_seconds=cpu,
        model_calls=100,
        judge_calls=0,
        input_tokens_per_sample=1.0,
        output_tokens_per_sample=1.0,
        load_average=0.5,
        gc_seconds=gc_seconds,
        gc_full_collections=3,
        steal_seconds=0.25,
        partner=partner,
        slot=slot,
    )


def test_the_report_gives_each_variants_gc_and_ours_extra_gc(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = _overhead()
    runs = [_run(bench, "floor", 0, 2.0, 0.3), _run(bench, "ours", 0, 2.2, 0.4)]
    summary = bench.report(runs, connections=10)
    assert summary["floor"]["gc_ms_per_sample"] == [3.0]
    assert summary["extra_gc_ms_over_floor"] == [1.0]
    assert abs(summary["extra_cpu_ms_over_floor"][0] - 2.0) < 1e-9
    printed = capsys.readouterr().out
    assert "GC 3.000 [3.000, 3.000] in 3 full passes" in printed
    assert "steal 0.250 [0.250, 0.250] s" in printed
    assert "garbage collection 1.000 [1.000, 1.000]" in printed
    assert "control" not in printed  # no pair ran the same code twice


def test_side_by_side_rounds_run_ours_beside_each_compared_variant_and_a_control() -> None:
    bench = _overhead()
    first = [
        ("ours", "bare"),
        ("ours", "floor"),
        ("ours", "dict_floor"),
        ("floor", "bare"),
        ("bare", "bare"),
    ]
    assert bench.schedule(0, "side-by-side") == first
    # The next round starts one step later and launches the other run of each pair first.
    assert bench.schedule(1, "side-by-side") == [
        ("floor", "ours"),
        ("dict_floor", "ours"),
        ("bare", "floor"),
        ("bare", "bare"),
        ("bare", "ours"),
    ]
    assert bench.schedule(0, "side-by-side", with_full=True) == [*first, ("full",)]
    assert bench.schedule(1, "alternated") == [("floor",), ("dict_floor",), ("ours",), ("bare",)]
    with pytest.raises(ValueError, match="unknown pairing 'together'"):
        bench.schedule(0, "together")


def test_side_by_side_runs_pair_with_the_run_beside_them() -> None:
    bench = _overhead()
    ours_beside_bare = _run(bench, "ours", 0, 3.0, partner="bare", slot=0)
    bare_beside_ours = _run(bench, "bare", 0, 2.0, partner="ours", slot=1)
    ours_beside_floor = _run(bench, "ours", 0, 3.5, partner="floor", slot=1)
    floor_beside_ours = _run(bench, "floor", 0, 2.5, partner="ours", slot=0)
    control = [
        _run(bench, "bare", 0, cpu, partner="bare", slot=i) for i, cpu in enumerate([2.1, 2.4])
    ]
    later_round = [
        _run(bench, "ours", 1, 9.0, partner="bare", slot=1),
        _run(bench, "bare", 1, 8.0, partner="ours", slot=0),
    ]
    runs = [ours_beside_bare, bare_beside_ours, ours_beside_floor, floor_beside_ours, *control]
    runs += later_round
    assert bench.paired(runs, "ours", "bare") == [
        (ours_beside_bare, bare_beside_ours),
        (later_round[0], later_round[1]),
    ]
    assert bench.paired(runs, "ours", "floor") == [(ours_beside_floor, floor_beside_ours)]
    assert bench.paired(runs, "bare", "bare") == [(control[0], control[1])]
    assert bench.paired(runs, "floor", "bare") == []  # the floor ran beside ours only


def test_runs_made_alone_pair_within_their_round() -> None:
    bench = _overhead()
    ours, bare = _run(bench, "ours", 0, 3.0), _run(bench, "bare", 0, 2.0)
    next_ours, next_bare = _run(bench, "ours", 1, 4.0), _run(bench, "bare", 1, 2.5)
    runs = [ours, bare, next_bare, next_ours]
    assert bench.paired(runs, "ours", "bare") == [(ours, bare), (next_ours, next_bare)]
    assert bench.paired(runs, "bare", "bare") == []


def test_the_report_gives_the_floors_and_the_control_pairs_differences(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = _overhead()
    runs = [
        _run(bench, "ours", 0, 3.0, partner="bare", slot=0),
        _run(bench, "bare", 0, 2.0, partner="ours", slot=1),
        _run(bench, "bare", 0, 2.1, partner="bare", slot=0),
        _run(bench, "bare", 0, 2.4, partner="bare", slot=1),
    ]
    runs += [
        _run(bench, "floor", 0, 2.5, gc_seconds=0.2, partner="bare", slot=0),
        _run(bench, "bare", 0, 2.2, partner="floor", slot=1),
    ]
    summary = bench.report(runs, connections=10)
    assert summary["extra_cpu_ms_over_bare"] == pytest.approx([10.0])
    assert summary["extra_cpu_ms_floor_over_bare"] == pytest.approx([3.0])
    assert summary["extra_gc_ms_floor_over_bare"] == pytest.approx([2.0])
    assert summary["control_cpu_ms_difference"] == pytest.approx([-3.0])
    printed = capsys.readouterr().out
    assert "floor beside bare (Inspect scoring a constant): extra CPU 3.000" in printed
    assert "control, bare beside bare (the same code twice): CPU difference -3.000" in printed


def test_runs_recorded_before_the_gc_fields_still_load() -> None:
    bench = _overhead()
    old = {
        "variant": "ours",
        "settings": "default",
        "latency": 1.0,
        "round": 0,
        "samples": 800,
        "wall_seconds": 30.0,
        "cpu_seconds": 24.0,
        "model_calls": 800,
        "judge_calls": 0,
        "input_tokens_per_sample": 6631.5,
        "output_tokens_per_sample": 214.6,
        "load_average": 0.9,
        "metrics_seconds": 1.6,
        "metrics_computations": 21,
    }
    run = bench.Run(**old)
    assert run.gc_seconds == 0.0 and run.steal_seconds is None
