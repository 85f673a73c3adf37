"""The benchmark's stand-in scores stay shaped like the suite's (no timing here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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
