"""The paper's model list (`paper_models.yaml`), its loader and selection, the cost estimate, and
`af-inspect sweep` (dry run, and a real eval-set run on the simulated organism)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from af_inspect import cli, sweeps
from af_inspect.sweeps import (
    ModelList,
    PaperModel,
    Price,
    Status,
    SweepError,
    Workload,
    load_models,
)

ROOT = Path(__file__).resolve().parents[1]
GAP_MODELS = {
    "claude-3-opus",
    "claude-3.5-sonnet-june",
    "llama-3-405b",
    "grok-3-beta",
    "gemini-2.0-flash",
}


@pytest.fixture(scope="module")
def paper() -> ModelList:
    return load_models()


def _entry(name: str, model: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "label": name.title(),
        "model": model,
        "gap": False,
        "status": "active",
        "verified": True,
        "evidence": ["a test"],
        **fields,
    }


def _write(tmp_path: Path, entries: list[Any], **top: Any) -> Path:
    path = tmp_path / "models.yaml"
    data = {"schema": 1, "checked": "2026-12-02", "prices_as_of": "test", **top, "models": entries}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------ the paper's file


def test_paper_file_lists_25_unique_models_and_the_5_gap_models(paper: ModelList) -> None:
    assert len(paper.models) == sweeps.PAPER_MODEL_COUNT == 25
    assert len({m.name for m in paper.models}) == 25
    assert len({m.model for m in paper.models}) == 25
    assert {m.name for m in paper.models if m.gap} == GAP_MODELS
    assert paper.path == sweeps.DEFAULT_MODELS_FILE


def test_paper_file_is_the_one_sweeps_folder_links_to() -> None:
    link = ROOT / "sweeps" / "paper_models.yaml"
    assert link.resolve() == sweeps.DEFAULT_MODELS_FILE.resolve()


def test_every_provider_prefix_is_an_inspect_model_provider(paper: ModelList) -> None:
    import inspect_ai.model._providers.providers  # noqa: F401  (registers the providers)
    from inspect_ai._util.registry import registry_find, registry_info

    registered = {
        registry_info(api).name.split("/", 1)[-1]
        for api in registry_find(lambda info: info.type == "modelapi")
    }
    assert sweeps.KNOWN_PROVIDERS - {"af_inspect"} <= registered
    used = set()
    for model in paper.models:
        used.add(model.provider)
        used.update(model_id.split("/")[0] for model_id in model.alternatives.values())
        if model.replacement:
            used.add(model.replacement.split("/")[0])
    assert used <= registered, used - registered
    assert {"openai", "anthropic", "google", "grok", "together", "mistral"} <= used


def test_unverified_entries_say_why_and_retired_ones_have_a_dated_source(
    paper: ModelList,
) -> None:
    for model in paper.models:
        if not model.verified:
            assert model.note, f"{model.name}: unverified without a note"
        if model.retired:
            assert model.replacement and model.status_date and model.status_source, model.name
        assert model.evidence and any("App. B" in e for e in model.evidence), model.name
    unverified = {m.name for m in paper.models if not m.verified}
    assert unverified == {
        "gpt-4",
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gemini-2.5-flash",
        "llama-4-scout",
        "llama-4-maverick",
        "llama-3-70b",
        "deepseek-v3",
        "deepseek-r1",
        "qwen-2.5-coder-32b",
        "mistral-large-2",
    }


def test_labels_map_inspect_ids_back_to_the_papers_names(paper: ModelList) -> None:
    assert paper.label_of("anthropic/claude-3-opus-20240229") == "Claude 3 Opus"
    assert paper.label_of("openrouter/x-ai/grok-3-beta") == "Grok 3 Beta"
    assert paper.label_of("openai/not-a-paper-model") is None


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([_entry("a", "openai/x", status="gone")], "entry 1 (a): `status` must be one of"),
        ([_entry("a", "nowhere/x")], "entry 1 (a): `model` 'nowhere/x' has provider 'nowhere'"),
        ([_entry("a", "gpt-4o")], "entry 1 (a): `model` must be an Inspect model id"),
        ([_entry("a", "openai/x"), _entry("a", "openai/y")], "name 'a' appears twice"),
        ([_entry("a", "openai/x"), _entry("b", "openai/x")], "model 'openai/x' appears twice"),
        ([_entry("a", "openai/x", status="retired")], "entry 1 (a): a retired entry needs"),
        ([_entry("a", "openai/x", colour="red")], "entry 1 (a): unknown field(s) colour"),
        ([_entry("a", "openai/x", gap="yes")], "entry 1 (a): `gap` must be a bool"),
        ([_entry("a", "openai/x", evidence=[])], "entry 1 (a): `evidence` must be a non-empty"),
        ([_entry("a", "openai/x", price={"input": -1, "output": 1})], "`price.input` must be"),
        (
            [_entry("a", "openai/x", alternatives={"together": "openai/x"})],
            "alternatives.together must start with `together/`",
        ),
        ([{"name": "a"}], "entry 1 (a): missing field `label`"),
        (["just a string"], "entry 1: expected a mapping"),
        ([], "`models` must be a non-empty list"),
    ],
)
def test_bad_entries_are_refused_naming_the_file_and_entry(
    tmp_path: Path, entries: list[Any], message: str
) -> None:
    path = _write(tmp_path, entries)
    with pytest.raises(SweepError) as error:
        load_models(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_a_missing_file_a_wrong_schema_and_broken_yaml_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SweepError, match="models file not found"):
        load_models(tmp_path / "none.yaml")
    with pytest.raises(SweepError, match="`schema: 1` expected"):
        load_models(_write(tmp_path, [_entry("a", "openai/x")], schema=2))
    broken = tmp_path / "broken.yaml"
    broken.write_text("models: [\n", encoding="utf-8")
    with pytest.raises(SweepError, match="not valid YAML"):
        load_models(broken)


# ------------------------------------------------------------------ selection and plan


def test_selection_by_name_id_provider_gap_and_verified(paper: ModelList) -> None:
    by_name = sweeps.select(paper, names=["grok-3-beta", "openai/gpt-4o"])
    assert [m.name for m in by_name] == ["gpt-4o", "grok-3-beta"]  # file order
    assert {m.provider for m in sweeps.select(paper, providers=["openai"])} == {"openai"}
    assert len(sweeps.select(paper, providers=["openai"])) == 6
    assert {m.name for m in sweeps.select(paper, only_gap=True)} == GAP_MODELS
    verified = sweeps.select(paper, verified_only=True)
    assert len(verified) == 12 and all(m.verified for m in verified)
    assert [m.name for m in sweeps.select(paper, providers=["together"], only_gap=True)] == [
        "llama-3-405b"
    ]


def test_selection_errors_name_what_is_wrong(paper: ModelList) -> None:
    with pytest.raises(SweepError, match="no entry named 'claude-9'; names are claude-3-opus"):
        sweeps.select(paper, names=["claude-9"])
    with pytest.raises(SweepError, match="no entry of provider 'azureai'"):
        sweeps.select(paper, providers=["azureai"])
    with pytest.raises(SweepError, match="no model matches"):
        sweeps.select(paper, names=["gpt-4o"], only_gap=True)


def test_retired_ids_are_skipped_unless_the_replacement_is_asked_for(paper: ModelList) -> None:
    [opus, grok] = sweeps.select(paper, names=["claude-3-opus", "grok-3-beta"])
    skipped, kept = sweeps.plan([opus, grok])
    assert not skipped.runs and skipped.model_id is None
    assert "retired on 2026-01-05" in skipped.reason and "--use-replacement" in skipped.reason
    assert kept.model_id == "grok/grok-3-beta" and kept.reason == "status unknown"
    replaced, _ = sweeps.plan([opus, grok], use_replacement=True)
    assert replaced.model_id == opus.replacement == "anthropic/claude-opus-4-5"


# ------------------------------------------------------------------ cost estimate


def _priced_list(tmp_path: Path) -> ModelList:
    return load_models(
        _write(
            tmp_path,
            [
                _entry("cheap", "openai/cheap", price={"input": 1.0, "output": 2.0}),
                _entry("judge", "openai/judge", price={"input": 10.0, "output": 20.0}),
                _entry("free", "together/free"),
                _entry(
                    "old",
                    "openai/old",
                    status="retired",
                    replacement="openai/new",
                    price={"input": 5.0, "output": 5.0},
                ),
            ],
        )
    )


def test_estimate_is_samples_times_calls_times_tokens_times_price(tmp_path: Path) -> None:
    models = _priced_list(tmp_path)
    work = Workload(
        model_calls_per_sample=1.5,
        model_input_tokens=1000,
        model_output_tokens=100,
        judge_requests_per_sample=3,
        judge_input_tokens=2000,
        judge_output_tokens=500,
    )
    runs = sweeps.plan(list(models.models), use_replacement=True)
    lines = sweeps.estimate(
        runs, models, samples_per_model=10, grader="openai/judge", workload=work
    )
    cheap, judge, free, old = lines
    assert (cheap.samples, cheap.model_calls, cheap.judge_calls, cheap.api_calls) == (
        10,
        15,
        30,
        45,
    )
    # 15 calls x (1000 x $1 + 100 x $2) / 1e6
    assert cheap.model_usd == pytest.approx(15 * 1200 / 1e6)
    # 10 samples x (2000 x $10 + 500 x $20) / 1e6
    assert cheap.judge_usd == pytest.approx(10 * 30_000 / 1e6)
    assert cheap.usd == pytest.approx(0.018 + 0.3)
    assert free.model_usd is None and free.usd is None and free.judge_usd == cheap.judge_usd
    # a replacement has no price of its own: the retired model's is not reused
    assert old.model_id == "openai/new" and old.model_usd is None
    no_judge = sweeps.estimate(runs, models, 10, grader="anthropic/unpriced", workload=work)
    assert all(line.judge_usd is None for line in no_judge)
    assert Price(3.0, 15.0).cost(1e6, 1e6) == 18.0


def test_default_workload_gives_the_documented_per_sample_figures() -> None:
    work = Workload()
    gpt_4o = Price(2.5, 10.0)
    # judge cost per sample: 4,300 in and 8,450 out at gpt-4o prices = $0.09525
    assert gpt_4o.cost(work.judge_input_tokens, work.judge_output_tokens) == pytest.approx(0.09525)
    assert work.judge_requests_per_sample == 3 and work.model_calls_per_sample == 1.0


@pytest.mark.parametrize(
    ("usd", "text"),
    [(0.0432, "$0.04"), (0.25, "$0.2"), (7.4, "$7"), (18.0, "$20"), (1234.0, "$1,000"), (0, "$0")],
)
def test_order_of_magnitude_keeps_one_significant_figure(usd: float, text: str) -> None:
    assert sweeps.order_of_magnitude(usd) == text


def test_the_table_marks_unknown_prices_and_says_the_prices_are_approximate(
    tmp_path: Path,
) -> None:
    models = _priced_list(tmp_path)
    runs = sweeps.plan(list(models.models))
    text = sweeps.format_estimate(
        sweeps.estimate(runs, models, 200, grader="openai/judge"), models, "openai/judge"
    )
    assert "TOTAL" in text and "3 models" in text and "(+ 1 model(s) without a price)" in text
    assert "unknown" in text and "approximate list prices (as of test" in text
    assert "not checked against the providers" in text


def test_samples_and_task_args_are_read_from_the_inspect_arguments() -> None:
    assert sweeps.samples_per_model("helpful_only", 100, []) == 200
    assert sweeps.samples_per_model("three_tier", 10, []) == 30
    assert sweeps.samples_per_model("helpful_only", 100, ["-T", "num_queries=3"]) == 6
    assert sweeps.samples_per_model("helpful_only", 5, ["-T", "tiers=free"]) == 5
    assert sweeps.samples_per_model("three_tier", 5, ["-T", "conditions=free,pro"]) == 10
    assert sweeps.samples_per_model("three_tier", 5, ["-T", "tiers=free"]) == 15  # not its name
    assert sweeps.task_arg(["--task-arg=num_queries=7"], "num_queries") == "7"
    assert sweeps.task_arg(["-Tnum_queries=8"], "num_queries") == "8"
    with pytest.raises(SweepError, match="num_queries=x"):
        sweeps.samples_per_model("helpful_only", 1, ["-T", "num_queries=x"])


def test_the_command_is_eval_set_and_adds_num_queries_only_when_not_given() -> None:
    command = sweeps.eval_set_command("helpful_only", ["openai/a", "grok/b"], "logs/s", 100)
    assert sweeps.display_command(command) == (
        "inspect eval-set af_inspect/helpful_only --model openai/a,grok/b --log-dir logs/s "
        "-T num_queries=100"
    )
    given = sweeps.eval_set_command("helpful_only", ["openai/a"], "d", 100, ["-T", "num_queries=3"])
    assert given.count("-T") == 1 and given[-2:] == ["-T", "num_queries=3"]


# ------------------------------------------------------------------ the command


def test_dry_run_prints_the_plan_the_estimate_and_the_command_and_starts_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a dry run must not start a process")

    monkeypatch.setattr(subprocess, "run", refuse)
    code = cli.main(["sweep", "--dry-run", "--only-gap", "--", "--max-connections", "20"])
    out = capsys.readouterr().out
    assert code == cli.EXIT_OK
    assert "Claude 3 Opus: skipped: anthropic/claude-3-opus-20240229 retired on 2026-01-05" in out
    assert "Grok 3 Beta" in out and "TOTAL" in out and "2 models" in out
    # 2 runnable gap models x 200 samples; 4 API calls each (1 model + 3 judge requests)
    assert "400      1600" in out
    assert (
        "inspect eval-set af_inspect/helpful_only --model grok/grok-3-beta,"
        "together/meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo --log-dir logs/sweep "
        "-T num_queries=100 --max-connections 20"
    ) in out
    assert "dry run: nothing was started" in out


def test_sweep_reports_bad_selections_and_an_all_retired_selection(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["sweep", "--dry-run", "--models", "claude-9"]) == cli.EXIT_FAILURE
    assert "no entry named 'claude-9'" in capsys.readouterr().err
    assert cli.main(["sweep", "--dry-run", "--models", "claude-3-opus"]) == cli.EXIT_FAILURE
    assert "every selected model is retired; add --use-replacement" in capsys.readouterr().err


def test_dry_run_without_judges_counts_only_the_model_calls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["sweep", "--dry-run", "--models", "grok-3-beta", "--", "-T", "scorers=tags"]
    assert cli.main(args) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "200      200" in out and "0 judge requests" in out
    assert sweeps.workload_for(["-T", "scorers=all"]) == Workload()


def test_dry_run_reads_the_grader_role_for_the_judge_price(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["sweep", "--dry-run", "--models", "grok-3-beta"]
    assert cli.main([*args, "--", "--model-role", "grader=openai/gpt-4o-mini"]) == cli.EXIT_OK
    assert "judge openai/gpt-4o-mini" in capsys.readouterr().out


@pytest.mark.slow
def test_sweep_runs_eval_set_over_two_entries_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two "models" of the simulated organism, judged by it, 3 queries x free/paid each."""
    from inspect_ai.log import list_eval_logs, read_eval_log

    from tests.conftest import _assets_dir

    if not (_assets_dir() / "prompts").is_dir():
        pytest.skip(f"upstream reference assets not found at {_assets_dir()}")
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(_assets_dir()))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    monkeypatch.setenv("AF_INSPECT_CACHE_DIR", str(tmp_path / "asset-cache"))
    models_file = _write(
        tmp_path,
        [
            _entry("alpha", "af_inspect/simulated-alpha"),
            _entry("beta", "af_inspect/simulated-beta", status="unknown"),
            _entry(
                "gone", "af_inspect/simulated-gone", status="retired", replacement="af_inspect/x"
            ),
        ],
    )
    log_dir = tmp_path / "logs"
    argv = [
        "sweep",
        "--models-file",
        str(models_file),
        "--log-dir",
        str(log_dir),
        "--",
        "--model-role",
        "grader=af_inspect/simulated",
        "-T",
        "dataset=synthetic",
        "-T",
        "num_queries=3",
        "--display",
        "none",
    ]
    assert cli.main(argv) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "Gone: skipped: af_inspect/simulated-gone retired" in out
    assert "6        24" in out  # 3 queries x 2 tiers; 1 model call + 3 judge requests each
    logs = list_eval_logs(str(log_dir))
    headers = [read_eval_log(log, header_only=True) for log in logs]
    assert sorted(h.eval.model for h in headers) == [
        "af_inspect/simulated-alpha",
        "af_inspect/simulated-beta",
    ]
    for header in headers:
        assert header.status == "success"
        assert header.eval.task == "af_inspect/helpful_only"
        assert header.results is not None and header.results.completed_samples == 6
    # the same command again: eval-set finds both tasks complete and runs nothing new
    assert cli.main(argv) == cli.EXIT_OK
    assert sorted(log.name for log in list_eval_logs(str(log_dir))) == sorted(
        log.name for log in logs
    )


def test_paper_model_properties() -> None:
    entry = PaperModel(
        name="x",
        label="X",
        model="together/org/x",
        gap=False,
        status=Status.RETIRED,
        verified=False,
        evidence=("e",),
    )
    assert entry.provider == "together" and entry.retired


@pytest.mark.slow
def test_the_inspect_flow_spec_runs_the_same_selection(tmp_path: Path) -> None:
    """`flow run sweeps/paper_models_flow.py` over two simulated entries (needs `.[flow]`)."""
    import os
    import shutil

    pytest.importorskip("inspect_flow")
    if shutil.which("uv") is None:
        pytest.skip("inspect-flow needs the `uv` command (pip install -e '.[flow]')")
    from inspect_ai.log import list_eval_logs, read_eval_log

    from tests.conftest import _assets_dir

    if not (_assets_dir() / "prompts").is_dir():
        pytest.skip(f"upstream reference assets not found at {_assets_dir()}")
    models_file = _write(
        tmp_path,
        [
            _entry("alpha", "af_inspect/simulated-alpha"),
            _entry(
                "gone", "af_inspect/simulated-gone", status="retired", replacement="af_inspect/x"
            ),
            _entry("beta", "af_inspect/simulated-beta"),
        ],
    )
    log_dir = tmp_path / "flow-logs"
    env = {
        **os.environ,
        "AF_INSPECT_ASSETS_DIR": str(_assets_dir()),
        "INSPECT_CACHE_DIR": str(tmp_path / "inspect-cache"),
        "AF_INSPECT_CACHE_DIR": str(tmp_path / "asset-cache"),
    }
    args = [
        f"models_file={models_file}",
        "dataset=synthetic",
        "num_queries=3",
        "grader=af_inspect/simulated",
        f"log_dir={log_dir}",
    ]
    command = [shutil.which("flow") or "flow", "run", str(ROOT / "sweeps" / "paper_models_flow.py")]
    for arg in args:
        command += ["-A", arg]
    result = subprocess.run(
        [*command, "--no-store-write"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    headers = [read_eval_log(log, header_only=True) for log in list_eval_logs(str(log_dir))]
    assert sorted(h.eval.model for h in headers) == [
        "af_inspect/simulated-alpha",
        "af_inspect/simulated-beta",
    ]
    assert all(h.status == "success" and h.results.completed_samples == 6 for h in headers)
