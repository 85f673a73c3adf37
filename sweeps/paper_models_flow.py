"""inspect-flow spec: the sweep `af-inspect sweep` runs, as a Flow (`pip install -e ".[flow]"`).

The models come from the same file (`af_inspect/paper_models.yaml`) through `af_inspect.sweeps`,
so the selection rules are the same: retired ids are left out unless `use_replacement=true`.

    flow run sweeps/paper_models_flow.py --dry-run                  # how many tasks would run
    flow run sweeps/paper_models_flow.py -A only_gap=true -A num_queries=100
    flow run sweeps/paper_models_flow.py -A models=grok-3-beta,llama-3-405b -A grader=openai/gpt-4o

Arguments (`-A key=value`, all optional): models (comma names or ids), providers (comma),
only_gap, verified_only, use_replacement (true/false), task (helpful_only), num_queries,
dataset, grader (the judge model role; default: the task's default judge), log_dir,
models_file. Flow keeps its own log directory (default logs/sweep-flow) and, like eval-set,
skips what is already complete there.
"""

from __future__ import annotations

from inspect_flow import FlowSpec, FlowTask

from af_inspect import defaults, sweeps

# inspect-flow calls the function defined last in this file with the `-A` arguments as strings.


def _flag(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no", ""):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _names(value: str) -> list[str]:
    return [name for name in value.split(",") if name]


def paper_models_flow(
    models: str = "",
    providers: str = "",
    only_gap: str = "false",
    verified_only: str = "false",
    use_replacement: str = "false",
    task: str = "helpful_only",
    num_queries: str = str(defaults.NUM_QUERIES),
    dataset: str = "harmbench",
    grader: str = "",
    log_dir: str = "logs/sweep-flow",
    models_file: str = "",
) -> FlowSpec:
    """One FlowTask per selected model (the paper's 25 by default)."""
    if task not in sweeps.TASK_CONDITIONS:
        raise ValueError(f"task must be one of {', '.join(sorted(sweeps.TASK_CONDITIONS))}")
    listed = sweeps.load_models(models_file or None)
    selected = sweeps.select(
        listed,
        names=_names(models),
        providers=_names(providers),
        only_gap=_flag(only_gap),
        verified_only=_flag(verified_only),
    )
    runs = sweeps.plan(selected, use_replacement=_flag(use_replacement))
    for run in runs:
        if not run.runs:
            print(f"{run.entry.label}: {run.reason}")
    # The judge goes in as the task's `grader` argument: the task checks its judge when it is
    # built, which Flow does before it binds model roles.
    args: dict[str, object] = {"num_queries": int(num_queries), "dataset": dataset}
    if grader:
        args["grader"] = grader
    return FlowSpec(
        log_dir=log_dir,
        execution_type="inproc",  # in this environment, not a new virtual environment
        tasks=[
            FlowTask(
                name=f"af_inspect/{task}",
                model=run.model_id,
                args=args,
            )
            for run in runs
            if run.model_id is not None
        ],
    )
