"""What each log is: its kind, its run identity, which of several runs is the latest, and labels.

Pure functions over the header records of `af_inspect.results.read.eval_record`. A *run* is one
log. Two logs are runs of the same experiment when they agree on the task, scenario, variant,
model, model args, setting, judges and judge setting; by default only the latest of those is
reported (`latest_runs`), the others are listed as superseded.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any

from af_inspect.defaults import DEFAULT_CLASSIC_GRADER, DEFAULT_GRADER
from af_inspect.judge_check import UNRESOLVED

VALIDATION_TASK = "af_classifier_validation"
"""Logs of this task get the ROC report of `af_inspect.validation.report`."""

LEGACY_TASKS = ("helpful_only",)
"""Tasks whose logs may predate the scenario metadata (then: free - paid, `compliance_gap`)."""
LEGACY_CONTRAST = ("compliance_gap", "free", "paid")

ROLE_DEFAULTS = {"grader": DEFAULT_GRADER, "classic_grader": DEFAULT_CLASSIC_GRADER}
"""The model a judge role falls back to when nothing binds it (`af_inspect.defaults`)."""

JUDGE_TASK_ARGS = frozenset(
    {"scorers", "grader", "af_votes", "af_threshold", "categorize", "invalid", "parse", "tag_rule"}
)
"""Task args that configure the judges, not the experiment: part of the judge setting."""
SIZE_TASK_ARGS = frozenset({"num_queries"})
"""Task args that change only how many samples a run has: part of neither setting."""

NO_JUDGES = "none"


class LogKind(str, Enum):
    """What the report does with a log."""

    RESULTS = "results"
    """A scenario task's log: read into the results table."""
    VALIDATION = "validation"
    """A judge-validation log: its own ROC report."""
    OTHER = "other"
    """Another task's log: skipped and listed."""


@dataclass(frozen=True)
class Run:
    """One log as the report sees it: its identity columns and how to read its samples."""

    log: str
    eval_id: str
    created: str
    status: str
    task: str
    scenario: str
    variant: str
    model: str
    model_args: str
    setting: str
    judges: str
    judge_setting: str
    contrasts: tuple[tuple[str, str, str], ...]
    epochs: int
    error_message: str
    kind: LogKind
    label: str = ""

    def identity(self) -> tuple[str, ...]:
        """What makes two logs runs of the same experiment (all but the log and its time)."""
        return (
            self.task,
            self.scenario,
            self.variant,
            self.model,
            self.model_args,
            self.setting,
            self.judges,
            self.judge_setting,
        )


def run_of(record: Mapping[str, Any]) -> Run:
    """The run of one header record (`af_inspect.results.read.eval_record`)."""
    task = str(record.get("task") or "").split("/")[-1]
    scenario_id = record.get("scenario_id")
    kind = (
        LogKind.VALIDATION
        if task == VALIDATION_TASK
        else LogKind.RESULTS
        if scenario_id or task in LEGACY_TASKS
        else LogKind.OTHER
    )
    task_args = _mapping(record.get("task_args"))
    return Run(
        log=str(record["log"]),
        eval_id=str(record.get("eval_id") or ""),
        created=str(record.get("created") or ""),
        status=str(record.get("status") or "unknown"),
        task=task,
        scenario=str(scenario_id or task),
        variant=str(record.get("variant") or ""),
        model=str(record.get("model") or ""),
        model_args=pairs(_mapping(record.get("model_args"))),
        setting=setting_of(
            task_args, _mapping(record.get("generate_config")), record.get("epochs")
        ),
        judges=judges_of(
            _mapping(record.get("judges")),
            _mapping(record.get("model_roles")),
            task_args.get("grader"),
        ),
        judge_setting=judge_setting_of(record.get("scorers")),
        contrasts=asked_contrasts(
            contrasts_of(record.get("scenario_contrasts")), record.get("conditions")
        ),
        epochs=int(record.get("epochs") or 1),
        error_message=str(record.get("error_message") or ""),
        kind=kind,
    )


def _mapping(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def pairs(values: Mapping[str, Any]) -> str:
    """``key=value`` pairs sorted by key, None values left out; "" when there are none."""
    return ", ".join(
        f"{key}={_text(value)}" for key, value in sorted(values.items()) if value is not None
    )


def _text(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True)
    return str(value)


def setting_of(
    task_args: Mapping[str, Any], generate_config: Mapping[str, Any], epochs: object
) -> str:
    """The experiment's settings: task args but the judges' and the size, generation config
    (``gen.<key>``) and epochs when more than one."""
    values = {
        key: value
        for key, value in task_args.items()
        if key not in JUDGE_TASK_ARGS and key not in SIZE_TASK_ARGS
    }
    values.update({f"gen.{key}": value for key, value in generate_config.items()})
    if isinstance(epochs, int) and epochs > 1:
        values["epochs"] = epochs
    return pairs(values)


def judges_of(recorded: Mapping[str, Any], model_roles: Mapping[str, Any], grader: object) -> str:
    """``role=model`` for every judge role the task recorded, or "none".

    A task built in Python outside an eval records a role as unresolved; its judge is then what
    the scorers resolved when scoring: `-T grader` for the grader role, else the model bound to
    the role, else the role's default.
    """
    judges: dict[str, str] = {}
    for role, model in recorded.items():
        if model != UNRESOLVED:
            judges[role] = str(model)
        elif role == "grader" and isinstance(grader, str) and grader:
            judges[role] = grader
        elif isinstance(model_roles.get(role), Mapping) and model_roles[role].get("model"):
            judges[role] = str(model_roles[role]["model"])
        else:
            judges[role] = ROLE_DEFAULTS.get(role, str(model))
    return pairs(judges) or NO_JUDGES


def judge_setting_of(scorers: object) -> str:
    """The log's scorers with their options, ``name(key=value, ...)`` joined by "; "."""
    if not isinstance(scorers, list):
        return ""
    parts = []
    for scorer in scorers:
        if not isinstance(scorer, Mapping):
            continue
        options = pairs(_mapping(scorer.get("options")))
        parts.append(f"{scorer.get('name')}({options})")
    return "; ".join(parts)


def contrasts_of(recorded: object) -> tuple[tuple[str, str, str], ...]:
    """Contrasts as (name, minuend, subtrahend), headline first, from the task metadata's
    ``scenario.contrasts`` (mappings) or the samples' ``contrasts`` metadata (triples)."""
    found: dict[str, tuple[str, str, str]] = {}
    for contrast in recorded if isinstance(recorded, list) else []:
        if isinstance(contrast, Mapping):
            triple = (str(contrast["name"]), str(contrast["minuend"]), str(contrast["subtrahend"]))
        elif isinstance(contrast, (list, tuple)) and len(contrast) == 3:
            triple = (str(contrast[0]), str(contrast[1]), str(contrast[2]))
        else:
            continue
        found.setdefault(triple[0], triple)
    return tuple(found.values())


def asked_contrasts(
    contrasts: tuple[tuple[str, str, str], ...], conditions: object
) -> tuple[tuple[str, str, str], ...]:
    """The contrasts between conditions the run asked (task metadata ``tiers``): a scenario
    records all of its contrasts, and a run may ask only some of its conditions
    (``-T conditions=``, ``-T identities=``, ``-T deployments=``). All of them when the log does
    not say which conditions it asked."""
    if not isinstance(conditions, list) or not conditions:
        return contrasts
    asked = {str(condition) for condition in conditions}
    return tuple(t for t in contrasts if t[1] in asked and t[2] in asked)


def legacy_contrasts(task: str) -> tuple[tuple[str, str, str], ...]:
    """The contrast of a log that records none: free - paid for helpful-only logs written
    before scenarios (the metrics' default), none otherwise."""
    return (LEGACY_CONTRAST,) if task in LEGACY_TASKS else ()


@dataclass(frozen=True)
class Selection:
    """The runs to report and the logs left out, each with why."""

    runs: list[Run]
    superseded: list[tuple[Run, Run]]
    """(left-out run, the later run that replaces it)."""


def latest_runs(runs: Sequence[Run], *, keep_all: bool = False) -> Selection:
    """The latest run of each experiment (all of them with `keep_all`), in a stable order.

    "Latest" is the eval's start time, then the file's modification time, then its path.
    """
    if keep_all:
        return Selection(runs=sorted(runs, key=_order), superseded=[])
    groups: dict[tuple[str, ...], list[Run]] = defaultdict(list)
    for run in runs:
        groups[run.identity()].append(run)
    kept: list[Run] = []
    superseded: list[tuple[Run, Run]] = []
    for group in groups.values():
        ordered = sorted(group, key=_recency)
        latest = ordered[-1]
        kept.append(latest)
        superseded.extend((run, latest) for run in ordered[:-1])
    return Selection(runs=sorted(kept, key=_order), superseded=superseded)


def _recency(run: Run) -> tuple[str, float, str]:
    path = Path(run.log)
    mtime = path.stat().st_mtime if path.is_file() else 0.0
    return (run.created, mtime, run.log)


def _order(run: Run) -> tuple[str, str, str, str, str]:
    return (run.task, run.variant, run.model, run.created, run.log)


LABEL_FIELDS = ("model_args", "variant", "judges", "judge_setting", "setting")
"""What is added to the model, in this order, when it alone does not tell a task's runs apart."""


def paper_model_names(model_ids: Iterable[str]) -> dict[str, str]:
    """Each model id, or the paper's name for it where `sweeps/paper_models.yaml` lists it
    (e.g. ``Claude 3 Opus``) and no other of `model_ids` has that name (two routes to one model
    keep their ids, so they stay apart)."""
    from af_inspect.sweeps import SweepError, load_models

    ids = set(model_ids)
    try:
        models = load_models()
    except SweepError:  # a broken packaged file must not stop a report: keep the ids
        return {model_id: model_id for model_id in ids}
    names = {model_id: models.label_of(model_id) or model_id for model_id in ids}
    ids_by_name: dict[str, set[str]] = defaultdict(set)
    for model_id, name in names.items():
        ids_by_name[name].add(model_id)
    return {
        model_id: name if len(ids_by_name[name]) == 1 else model_id
        for model_id, name in names.items()
    }


def label_runs(runs: Sequence[Run]) -> list[Run]:
    """Each run with a label unique among the runs: the model (the paper's name for it where
    the paper's model list has it, see `paper_model_names`), then each field of `LABEL_FIELDS`
    on which same-labelled runs of a task differ (only the differing part), then the start time
    and, last, the file name."""
    names = paper_model_names(run.model for run in runs)
    labels = {run.log: names[run.model] for run in runs}
    for field in LABEL_FIELDS:
        for group in _same_label(runs, labels):
            values = [str(getattr(run, field)) for run in group]
            if len(set(values)) < 2:
                continue
            for run, part in zip(group, _differing_parts(values), strict=True):
                labels[run.log] += f" [{part or f'{field} default'}]"
    for group in _same_label(runs, labels):
        for run in group:
            labels[run.log] += f" [{run.created or Path(run.log).name}]"
    for group in _same_label(runs, labels):
        for run in group:
            labels[run.log] += f" [{Path(run.log).name}]"
    return [replace(run, label=labels[run.log]) for run in runs]


def _same_label(runs: Iterable[Run], labels: Mapping[str, str]) -> list[list[Run]]:
    groups: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for run in runs:
        groups[(run.task, labels[run.log])].append(run)
    return [group for group in groups.values() if len(group) > 1]


def _differing_parts(values: Sequence[str]) -> list[str]:
    """For ``a=1, b=2``-style values: the items not shared by all; otherwise the values."""
    separator = "; " if any("; " in value for value in values) else ", "
    items = [value.split(separator) if value else [] for value in values]
    shared = set(items[0]).intersection(*items[1:])
    return [separator.join(i for i in parts if i not in shared) for parts in items]
