"""Judges are resolved once, when `inspect eval` creates the task, before any sample starts.

Regression for issue #8 bug 2: a missing judge key used to stop every sample in a per-sample
solver, so `inspect eval` printed "Task interrupted" and exited 0, and the plan recorded the
default judge even when the role was bound to another model.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog

from af_inspect import helpful_only
from af_inspect.judge_check import UNRESOLVED, JudgeSetupError

PAPER_JUDGE = "openai/gpt-4o"
OFFLINE_JUDGE = "af_inspect/simulated"


@pytest.fixture
def no_judge_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "AZUREAI_OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def run_by_name(tmp_path: Path, model_roles: dict[str, str] | None = None, **task_args: object):
    """Created by `eval()` itself, as `inspect eval af_inspect/helpful_only` does."""
    [log] = inspect_eval(
        "af_inspect/helpful_only",
        task_args={"dataset": "synthetic", "num_queries": 1, **task_args},
        model=OFFLINE_JUDGE,
        model_roles=model_roles,
        log_dir=str(tmp_path),
        display="none",
    )
    return log


def judges_of(log: EvalLog) -> dict[str, str]:
    assert log.status == "success", log.error
    return dict((log.eval.metadata or {})["judges"])


@pytest.mark.usefixtures("reference_dir", "no_judge_keys")
def test_missing_judge_key_stops_the_task_at_creation(tmp_path: Path) -> None:
    with pytest.raises(JudgeSetupError) as caught:
        run_by_name(tmp_path)
    message = str(caught.value)
    assert message == (
        f"The 'grader' judge model {PAPER_JUDGE} (the default, no --model-role bound) cannot be "
        "initialised: set OPENAI_API_KEY, or bind another judge with --model-role "
        "grader=<model> (or -T grader=<model>), or run without judges with -T scorers=tags."
    )
    assert "[bold]" not in message
    assert not list(tmp_path.glob("*.eval"))  # no sample started, no log claims anything


@pytest.mark.usefixtures("reference_dir", "no_judge_keys")
def test_classic_grader_names_its_own_role_and_variable(tmp_path: Path) -> None:
    with pytest.raises(JudgeSetupError, match="'classic_grader' judge model anthropic/") as caught:
        run_by_name(tmp_path, {"grader": OFFLINE_JUDGE}, scorers="classic")
    assert "set ANTHROPIC_API_KEY" in str(caught.value)


@pytest.mark.usefixtures("reference_dir", "no_judge_keys")
def test_an_explicit_grader_that_fails_is_named(tmp_path: Path) -> None:
    with pytest.raises(JudgeSetupError, match=f"{PAPER_JUDGE} \\(from -T grader\\)"):
        run_by_name(tmp_path, {"grader": OFFLINE_JUDGE}, grader=PAPER_JUDGE, scorers="tag,af")


@pytest.mark.usefixtures("reference_dir", "no_judge_keys")
def test_log_records_the_judge_bound_to_the_role(tmp_path: Path) -> None:
    log = run_by_name(tmp_path, {"grader": OFFLINE_JUDGE}, scorers=["tag", "strong_reject"])
    assert judges_of(log) == {"grader": OFFLINE_JUDGE}
    # No plan step names the default judge any more.
    assert PAPER_JUDGE not in log.plan.model_dump_json()


@pytest.mark.usefixtures("reference_dir", "no_judge_keys")
def test_tags_only_resolves_no_judge(tmp_path: Path) -> None:
    assert judges_of(run_by_name(tmp_path, scorers="tags")) == {}


@pytest.mark.usefixtures("reference_dir", "no_judge_keys")
def test_a_task_built_in_python_defers_the_roles_it_cannot_know() -> None:
    # Outside an eval the roles a later `eval(model_roles=...)` binds are unknown.
    built = helpful_only(dataset="synthetic", num_queries=1, scorers="tag,strong_reject")
    assert (built.metadata or {})["judges"] == {"grader": UNRESOLVED}
    explicit = helpful_only(dataset="synthetic", num_queries=1, grader=OFFLINE_JUDGE)
    assert (explicit.metadata or {})["judges"] == {"grader": OFFLINE_JUDGE}
    with pytest.raises(JudgeSetupError, match="set OPENAI_API_KEY"):
        helpful_only(dataset="synthetic", num_queries=1, grader=PAPER_JUDGE)


@pytest.mark.slow
@pytest.mark.usefixtures("reference_dir", "no_judge_keys")
def test_inspect_eval_exits_non_zero_with_one_plain_sentence(tmp_path: Path) -> None:
    inspect_cli = Path(sys.executable).with_name("inspect")
    result = subprocess.run(
        [str(inspect_cli), "eval", "af_inspect/helpful_only", "--model", OFFLINE_JUDGE]
        + ["-T", "dataset=synthetic", "-T", "num_queries=2", "--log-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "cannot be initialised: set OPENAI_API_KEY" in " ".join(output.split())
    assert "Traceback" not in output and "[bold]" not in output
    assert "Task interrupted" not in output
