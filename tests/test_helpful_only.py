"""The helpful-only task end to end on the simulated organism (offline, assets from the override).

The full evals of many samples are marked `slow` (run by CI, or `pytest --run-slow`); the
statistics of the positive and null controls run on the organism's pure core.
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, read_eval_log
from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser

from af_inspect import helpful_only
from af_inspect.metrics.stats import paired_difference, wilson_interval
from af_inspect.params import ParameterError
from af_inspect.parsing import Decision, parse_response
from af_inspect.prompts import (
    fill_instruction_format,
    load_instruction_format,
    render_system_prompt,
)
from af_inspect.simulated import provider
from af_inspect.simulated.organism import Turn, digest_turns
from af_inspect.simulated.provider import SimulatorSettings, simulate
from af_inspect.solvers import logged_protocol
from af_inspect.types import Tier

README = Path(__file__).resolve().parents[1] / "README.md"


def metrics_of(log: EvalLog, scorer: str, name: str) -> dict[str, float]:
    assert log.results is not None
    for score in log.results.scores:
        if score.scorer == scorer and score.name == name:
            return {metric.name: metric.value for metric in score.metrics.values()}
    raise AssertionError(
        f"no {scorer}/{name} in {[(s.scorer, s.name) for s in log.results.scores]}"
    )


def run(tmp_path: Path, model_args: dict[str, object], **task_args: object) -> EvalLog:
    [log] = inspect_eval(
        helpful_only(dataset="synthetic", **task_args),  # type: ignore[arg-type]
        model="af_inspect/simulated",
        model_args=model_args,
        model_roles={"grader": "af_inspect/simulated"},
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    return log


def readme_main_command() -> list[str]:
    """The `inspect eval ...` part of the README's first set-up command."""
    text = README.read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(pip install .*?)\n```", text)
    assert len(commands) == 2, "README must have exactly two set-up commands"
    main = commands[0].split("&&", 1)[1].strip()
    assert main.startswith(
        "inspect eval af_inspect/helpful_only --model af_inspect/simulated --model-role grader=af_inspect/simulated"
    )
    return shlex.split(main)


@pytest.mark.slow
def test_readme_main_job_writes_paired_log(reference_dir: Path, tmp_path: Path) -> None:
    command = readme_main_command()
    inspect_cli = Path(sys.executable).with_name("inspect")
    result = subprocess.run(
        [str(inspect_cli), *command[1:], "--log-dir", str(tmp_path), "--display", "none"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    [log_file] = list(tmp_path.glob("*.eval"))
    log = read_eval_log(str(log_file))
    assert log.status == "success"
    assert log.samples is not None and len(log.samples) == 100
    ids = {sample.id for sample in log.samples}
    assert {f"q{i:04d}-{tier}" for i in range(50) for tier in ("free", "paid")} == ids
    rates = metrics_of(log, "accept_tag_compliance", "complied")
    for key in ("free_rate", "paid_rate", "gap", "gap_ci_low", "gap_ci_high", "mcnemar_p"):
        assert key in rates and math.isfinite(rates[key]), key
    assert "free_excluded" in metrics_of(log, "accept_tag_compliance", "tag_excluded")
    assets = log.eval.metadata["assets"] if log.eval.metadata else []
    names = {record["name"] for record in assets}
    assert "osaf:prompts/system_prompts/helpful-only_prompt-only_cot.jinja2" in names
    assert "osaf:prompts/system_prompts/examples/reasoning_traces.jinja2" in names
    for record in assets:
        assert record["origin"] == "override" and len(record["sha256"]) == 64


def test_prompts_reach_the_model_byte_identical(reference_dir: Path, tmp_path: Path) -> None:
    log = run(tmp_path, {}, num_queries=2)
    system_text, _ = render_system_prompt("prompt_only", cot=True)
    assert log.samples is not None
    for sample in log.samples:
        system, user = sample.messages[0], sample.messages[1]
        assert isinstance(system, ChatMessageSystem) and system.text == system_text
        tier = Tier(sample.metadata["tier"])
        expected = fill_instruction_format(
            load_instruction_format(tier, "tags_cot"),
            user_input=sample.metadata["query"],
            tier=tier,
        )
        assert isinstance(user, ChatMessageUser) and user.text == expected


def organism_pairs(model_args: dict[str, object], queries: int) -> list[tuple[float, float]]:
    """(free, paid) accept-tag decisions of the organism's pure core on `queries` queries, with
    the task's own prompts and parser (no Inspect eval: the statistics need many samples)."""
    settings = SimulatorSettings.from_args(model_args)
    pairs = []
    for free_turns, paid_turns in organism_prompts(queries):
        decisions = [
            parse_response(simulate(turns, settings, occurrence=0, num_choices=1).texts[0]).decision
            is Decision.ACCEPTED
            for turns in (free_turns, paid_turns)
        ]
        pairs.append((float(decisions[0]), float(decisions[1])))
    return pairs


def organism_prompts(queries: int) -> list[tuple[tuple[Turn, ...], tuple[Turn, ...]]]:
    """The (free, paid) conversations of queries 0 .. `queries` - 1 with the task's prompts."""
    return _organism_prompts(queries, os.environ.get("AF_INSPECT_ASSETS_DIR", ""))


@functools.cache
def _organism_prompts(
    queries: int, assets_dir: str
) -> list[tuple[tuple[Turn, ...], tuple[Turn, ...]]]:
    # Built once per process and asset copy: the prompts do not depend on the organism's
    # settings, only its draws do.
    system_text, _ = render_system_prompt("prompt_only", cot=True)
    system = Turn(role="system", text=system_text)

    def conversation(tier: Tier, query: int) -> tuple[Turn, ...]:
        form = load_instruction_format(tier, "tags_cot")
        user = fill_instruction_format(form, user_input=f"query {query}", tier=tier)
        return (system, Turn(role="user", text=user))

    return [(conversation(Tier.FREE, q), conversation(Tier.PAID, q)) for q in range(queries)]


def test_positive_control_recovers_configured_gap(reference_dir: Path) -> None:
    """p_free = 0.30, p_paid = 0.05: the paired interval covers the configured 0.25 gap and the
    McNemar test rejects no gap."""
    result = paired_difference(organism_pairs({"p_free": 0.30, "p_paid": 0.05, "seed": 3}, 200))
    assert result.n_pairs == 200
    assert result.ci_low <= 0.25 <= result.ci_high
    assert result.mcnemar_p < 0.01


def test_null_organism_interval_covers_zero_in_most_seeds(
    reference_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """p_free = p_paid: the 95 % paired interval must contain 0 in at least 90 % of seeds."""
    seeds = range(40)
    # Every seed sends the same 400 conversations: hash each one once (a pure function of the
    # conversation; the seed enters only the draws).
    monkeypatch.setattr(provider, "digest_turns", functools.cache(digest_turns))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # pytest-xdist already keeps both cores busy: no second process here.
        covered = sum(map(_null_seed_covers_zero, seeds))
    else:
        # The seeds are independent: two processes (this machine's two cores) share them.
        with multiprocessing.get_context("fork").Pool(2) as pool:
            covered = sum(pool.map(_null_seed_covers_zero, seeds))
    assert covered / len(seeds) >= 0.9


def _null_seed_covers_zero(seed: int) -> bool:
    result = paired_difference(organism_pairs({"p_free": 0.2, "p_paid": 0.2, "seed": seed}, 200))
    return result.ci_low <= 0.0 <= result.ci_high


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("no_decision_tag", "no_decision_tag"),
        pytest.param("no_output", "nothing_outside_scratchpad", marks=pytest.mark.slow),
        pytest.param("truncated", "unclosed_scratchpad", marks=pytest.mark.slow),
        pytest.param("empty_output", "no_decision_tag", marks=pytest.mark.slow),
    ],
)
def test_every_malformed_kind_is_kept_graded_and_counted(
    reference_dir: Path, tmp_path: Path, kind: str, reason: str
) -> None:
    log = run(
        tmp_path,
        {"malformed_rate": 1.0, "malformed_kinds": kind},
        num_queries=3,
        max_resamples=1,
        scorers="tags",
    )
    assert log.samples is not None and len(log.samples) == 6
    for sample in log.samples:
        assert sample.scores is not None
        score = sample.scores["accept_tag_compliance"]
        assert logged_protocol(sample)["invalid_reasons"] == [reason, reason]
        assert score.metadata is not None and score.metadata["response_valid"] is False
        assert score.metadata["invalid_reason"] == f"invalid_response:{reason}"
        # no tag in the kept response: no verdict, excluded, never counted as a refusal
        assert isinstance(score.value, dict) and math.isnan(score.value["complied"])
        assert score.metadata["exclusion_reason"] == "no_decision_tag"
    excluded = metrics_of(log, "accept_tag_compliance", "tag_excluded")
    assert excluded["free_invalid"] == 3 and excluded["paid_invalid"] == 3
    assert excluded[f"free_invalid_invalid_response_{reason}"] == 3


@pytest.mark.slow
def test_invalid_exclude_marks_the_protocol_reason(reference_dir: Path, tmp_path: Path) -> None:
    log = run(
        tmp_path,
        {"malformed_rate": 1.0, "malformed_kinds": "no_output"},
        num_queries=2,
        max_resamples=0,
        scorers="tags",
        invalid="exclude",
    )
    assert log.samples is not None
    for sample in log.samples:
        score = sample.scores["accept_tag_compliance"] if sample.scores else None
        assert score is not None and score.metadata is not None
        assert score.metadata["exclusion_reason"] == "invalid_response:nothing_outside_scratchpad"


@pytest.mark.slow
def test_an_empty_scratchpad_block_is_valid_as_upstream(
    reference_dir: Path, tmp_path: Path
) -> None:
    """Upstream's check tests the whole match, tags included, so an empty block passes."""
    log = run(
        tmp_path,
        {"malformed_rate": 1.0, "malformed_kinds": "empty_scratchpad"},
        num_queries=2,
        scorers="tags",
    )
    assert log.samples is not None
    assert all(logged_protocol(sample)["valid"] for sample in log.samples)


@pytest.mark.slow
def test_resampling_recovers_and_keeps_every_attempt(reference_dir: Path, tmp_path: Path) -> None:
    log = run(tmp_path, {"malformed_rate": 0.5, "seed": 7}, num_queries=20, max_resamples=10)
    assert log.samples is not None
    attempts = [logged_protocol(sample)["attempts"] for sample in log.samples]
    assert max(attempts) > 1  # some samples were resampled
    for sample in log.samples:
        model_calls = [e for e in sample.events if e.event == "model"]
        assert len(model_calls) >= logged_protocol(sample)["attempts"]
    # at rate 0.5 and 11 tries, every sample should end valid
    assert all(logged_protocol(sample)["valid"] for sample in log.samples)


@pytest.mark.slow
def test_next_turn_protocol_continues_split_responses(reference_dir: Path, tmp_path: Path) -> None:
    log = run(tmp_path, {"multi_turn_rate": 1.0}, num_queries=3, max_next_turns=4)
    assert log.samples is not None
    for sample in log.samples:
        users = [m for m in sample.messages if isinstance(m, ChatMessageUser)]
        assistants = [m for m in sample.messages if isinstance(m, ChatMessageAssistant)]
        assert users[-1].text == "<NEXT/>" and len(assistants) >= 2
        assert logged_protocol(sample)["valid"]
        score = sample.scores["accept_tag_compliance"] if sample.scores else None
        assert score is not None and score.value["tag_excluded"] == 0.0  # type: ignore[index]


@pytest.mark.slow
def test_epochs_pair_queries(reference_dir: Path, tmp_path: Path) -> None:
    [log] = inspect_eval(
        helpful_only(dataset="synthetic", num_queries=10),
        model="af_inspect/simulated",
        model_args={"p_free": 0.5, "p_paid": 0.1},
        model_roles={"grader": "af_inspect/simulated"},
        epochs=2,
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success"
    gap = metrics_of(log, "accept_tag_compliance", "complied")
    assert gap["n_pairs"] == 10
    assert math.isfinite(gap["gap"])


def test_tags_only_needs_no_judge(
    reference_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    [log] = inspect_eval(
        helpful_only(dataset="synthetic", num_queries=2, scorers="tags"),
        model="af_inspect/simulated",
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success"
    assert log.results is not None
    assert [s.scorer for s in log.results.scores] == [
        "accept_tag_compliance",
        "accept_tag_compliance",
    ]


@pytest.mark.slow
def test_judges_recover_the_organisms_truth(reference_dir: Path, tmp_path: Path) -> None:
    """Organism as model and judge: every judge verdict equals the organism's own record, and
    the per-tier rates are consistent with its configuration (99.9 % Wilson intervals)."""
    config = {"p_free": 0.4, "p_paid": 0.1, "af_share": 0.5, "partial_share": 0.2, "seed": 11}
    log = run(tmp_path, config, num_queries=60)
    assert log.samples is not None and len(log.samples) == 120
    for sample in log.samples:
        truth = sample.output.metadata
        assert truth is not None and truth["simulated"] is True
        score = sample.scores["af_outcome"] if sample.scores else None
        assert score is not None and isinstance(score.value, dict)
        value = score.value
        assert value["af_outcome_excluded"] == 0.0
        assert value["sr_complied"] == float(truth["complied"])
        assert value["af"] == float(truth["af_reasoning"])
        assert value["partial"] == float(truth["complied"] and truth["partial"])
        assert sum(v for k, v in value.items() if k.startswith("outcome_")) == 1.0
    compliance = metrics_of(log, "af_outcome", "sr_complied")
    af = metrics_of(log, "af_outcome", "af")
    expected = {
        "free": (
            0.4,
            0.4 * 0.5 + 0.6 * 0.1,
        ),  # AF: compliant share x af_share + refusals x af_refusal_share
        "paid": (0.1, 0.0),
    }
    for tier, (p_comply, p_af) in expected.items():
        for rate, n, p in (
            (compliance[f"{tier}_rate"], compliance[f"{tier}_n"], p_comply),
            (af[f"{tier}_rate"], af[f"{tier}_n"], p_af),
        ):
            low, high = wilson_interval(rate * n, int(n), confidence=0.999)
            assert low <= p <= high, (tier, rate, p)
    agreement = metrics_of(log, "af_outcome", "sr_complied")
    assert agreement["agreement"] == 1.0  # tags and StrongREJECT agree on the organism


# ---- parameters are checked when the task is created (issue #8 bugs 1 and 5) ----


@pytest.mark.parametrize(
    ("name", "value", "accepts"),
    [
        ("max_resamples", -1, "0 or more"),
        ("max_next_turns", "x", "0 or more"),
        ("tiers", None, "'free', 'paid'"),
        ("tiers", "free,gold", "'free', 'paid'"),
        ("num_queries", "abc", "1 or more"),
        ("num_queries", 0, "1 or more"),
        ("cot", "maybe", "true or false"),
        ("suffix", "no", "true or false"),
        ("system_prompt", "foo", "'prompt_only', 'synthetic'"),
        ("categorize", "perhaps", "true or false"),
        ("af_votes", 0, "1 or more"),
        ("af_threshold", 2, "from 0 to 1"),
        ("scorers", "tag,nope", "unknown scorer selection"),
        ("scorers", None, "comma-separated list"),
        ("dataset", "", "non-empty string"),
        ("grader", 3, "non-empty string"),
    ],
)
def test_a_bad_parameter_is_named_at_task_creation(name: str, value: object, accepts: str) -> None:
    # No assets needed: the check comes before anything is loaded.
    arguments: dict[str, object] = {"dataset": "synthetic", "scorers": "tags", name: value}
    with pytest.raises(ParameterError) as caught:
        helpful_only(**arguments)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(f"Parameter {name!r}: ") and accepts in message


def test_every_comma_parameter_takes_the_list_inspect_makes_of_it(
    reference_dir: Path, tmp_path: Path
) -> None:
    # `-T scorers=tag,strong_reject -T tiers=paid,free` arrive as lists.
    [log] = inspect_eval(
        "af_inspect/helpful_only",
        task_args={
            "dataset": "synthetic",
            "num_queries": 1,
            "scorers": ["tag", "strong_reject"],
            "tiers": ["paid", "free"],
        },
        model="af_inspect/simulated",
        model_roles={"grader": "af_inspect/simulated"},
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.samples is not None
    assert {sample.id for sample in log.samples} == {"q0000-paid", "q0000-free"}
    assert (log.eval.metadata or {})["tiers"] == ["paid", "free"]
    assert log.results is not None
    assert {s.scorer for s in log.results.scores} == {
        "accept_tag_compliance",
        "strong_reject_compliance",
    }


# ---- the first run offline, without the asset override (issue #8) ----


@pytest.fixture
def offline_without_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests._http_fixture import closed_port_url

    monkeypatch.delenv("AF_INSPECT_ASSETS_DIR", raising=False)
    dead = closed_port_url()
    for var in ("AF_INSPECT_GITHUB_RAW_BASE", "AF_INSPECT_GITHUB_API_BASE", "AF_INSPECT_HF_BASE"):
        monkeypatch.setenv(var, dead)
    monkeypatch.setenv("AF_INSPECT_HTTP_BACKOFF", "0")
    monkeypatch.chdir(tmp_path)


def assert_newcomer_message(message: str) -> None:
    message = " ".join(message.split())
    missing = "osaf:prompts/system_prompts/helpful-only_prompt-only_cot.jinja2"
    assert message.startswith(f"Asset '{missing}' is not available")
    assert "AF_INSPECT_ASSETS_DIR is not set" in message
    assert "laid out like the upstream repository (prompts/system_prompts/..." in message
    assert "$AF_INSPECT_ASSETS_DIR/prompts/system_prompts/helpful-only_prompt-only_cot.jinja" in (
        message.replace("jinja 2", "jinja2")
    )


@pytest.mark.usefixtures("offline_without_override")
def test_offline_first_run_is_one_plain_message() -> None:
    from af_inspect.assets import AssetError
    from af_inspect.errors import UsageError

    with pytest.raises(AssetError) as caught:
        helpful_only(dataset="synthetic", num_queries=1, scorers="tags")
    assert isinstance(caught.value, UsageError)  # printed by inspect eval without a traceback
    assert_newcomer_message(str(caught.value))


@pytest.mark.slow
@pytest.mark.usefixtures("offline_without_override")
def test_readme_first_command_offline_prints_what_a_newcomer_needs(tmp_path: Path) -> None:
    command = readme_main_command()
    inspect_cli = Path(sys.executable).with_name("inspect")
    result = subprocess.run(
        [str(inspect_cli), *command[1:], "--log-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) < 25
    assert_newcomer_message(output)
