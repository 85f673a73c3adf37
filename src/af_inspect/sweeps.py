"""The paper's chat models as data, and the sweep over them (`af-inspect sweep`).

`paper_models.yaml` (beside this file; `sweeps/paper_models.yaml` links to it) lists the 25 chat
models of Sheshadri, Hughes et al. 2025 (arXiv 2506.18032, Appendix B) with their Inspect model
ids, whether each id is retired, its nearest current id, the evidence, and a `verified` flag.
This module loads it with a schema check (errors name the file and the entry), selects models,
estimates the cost of a sweep before it starts, and builds the `inspect eval-set` command that
runs it. It imports nothing of Inspect, so `af-inspect sweep --dry-run` starts at once.
"""

from __future__ import annotations

import math
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from af_inspect import defaults

DEFAULT_MODELS_FILE = Path(__file__).with_name("paper_models.yaml")
SCHEMA_VERSION = 1
PAPER_MODEL_COUNT = 25

#: Inspect model providers an entry may use (`provider/model`); tests/test_sweeps.py checks each
#: is registered in the pinned Inspect. `af_inspect` is this package's simulated organism.
KNOWN_PROVIDERS = frozenset(
    {
        "af_inspect",
        "anthropic",
        "deepseek",
        "fireworks",
        "google",
        "grok",
        "groq",
        "mistral",
        "openai",
        "openrouter",
        "together",
        "vllm",
    }
)


class SweepError(ValueError):
    """A bad models file or selection; the message names the file, the entry and the fix."""


class Status(str, Enum):
    """Where a model id stands with its provider on the file's `checked` date."""

    ACTIVE = "active"
    DEPRECATED = "deprecated"  # still served; a shutdown date is announced
    RETIRED = "retired"  # requests fail
    UNKNOWN = "unknown"  # no source found


@dataclass(frozen=True)
class Price:
    """Approximate list price in USD per million tokens."""

    input: float
    output: float

    def cost(self, input_tokens: float, output_tokens: float) -> float:
        return (input_tokens * self.input + output_tokens * self.output) / 1e6


@dataclass(frozen=True)
class PaperModel:
    """One chat model of the paper and how to reach it with Inspect."""

    name: str
    label: str
    model: str
    gap: bool
    status: Status
    verified: bool
    evidence: tuple[str, ...]
    alternatives: Mapping[str, str] = field(default_factory=dict)
    status_date: str | None = None
    status_source: str | None = None
    replacement: str | None = None
    replacement_source: str | None = None
    price: Price | None = None
    note: str | None = None

    @property
    def provider(self) -> str:
        return self.model.split("/", 1)[0]

    @property
    def retired(self) -> bool:
        return self.status is Status.RETIRED


@dataclass(frozen=True)
class ModelList:
    """A models file: its entries and the file-level facts about them."""

    path: Path
    models: tuple[PaperModel, ...]
    checked: str
    prices_as_of: str
    prices_checked: bool

    def by_name(self) -> dict[str, PaperModel]:
        return {model.name: model for model in self.models}

    def price_of(self, model_id: str) -> Price | None:
        """The price of the entry whose id is `model_id`; None if no entry has it (a
        replacement id has no price here: its entry's price is the retired model's)."""
        for model in self.models:
            if model_id == model.model:
                return model.price
        return None

    def label_of(self, model_id: str) -> str | None:
        """The paper's name for an Inspect model id (for reports); None if not listed."""
        for model in self.models:
            if model_id == model.model or model_id in model.alternatives.values():
                return model.label
        return None


# --------------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------------

_REQUIRED = {
    "name": str,
    "label": str,
    "model": str,
    "gap": bool,
    "status": str,
    "verified": bool,
    "evidence": list,
}
_OPTIONAL = {
    "alternatives": dict,
    "status_date": str,
    "status_source": str,
    "replacement": str,
    "replacement_source": str,
    "price": dict,
    "note": str,
}


def load_models(path: Path | str | None = None) -> ModelList:
    """Read and check a models file (default: the paper's 25 models).

    Raises `SweepError` naming the file and the entry (its position and name) for: a missing
    or mistyped field, an unknown field, a status outside active/deprecated/retired/unknown,
    an id without a known provider prefix, a duplicate name or id, a negative price, or a
    retired entry without a replacement.
    """
    path = Path(path) if path is not None else DEFAULT_MODELS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepError(f"{path}: models file not found") from None
    except yaml.YAMLError as exc:
        raise SweepError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SweepError(f"{path}: expected a mapping with a `models` list at the top")
    if data.get("schema") != SCHEMA_VERSION:
        raise SweepError(
            f"{path}: `schema: {SCHEMA_VERSION}` expected, found {data.get('schema')!r}"
        )
    entries = data.get("models")
    if not isinstance(entries, list) or not entries:
        raise SweepError(f"{path}: `models` must be a non-empty list")
    models = tuple(_entry(path, index, entry) for index, entry in enumerate(entries, start=1))
    _check_unique(path, models)
    return ModelList(
        path=path,
        models=models,
        checked=str(data.get("checked", "unknown")),
        prices_as_of=str(data.get("prices_as_of", "unknown")),
        prices_checked=bool(data.get("prices_checked", False)),
    )


def _entry(path: Path, index: int, entry: Any) -> PaperModel:
    where = f"{path}: entry {index}"
    if not isinstance(entry, dict):
        raise SweepError(f"{where}: expected a mapping, found {type(entry).__name__}")
    if isinstance(entry.get("name"), str):
        where += f" ({entry['name']})"
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        known = ", ".join(sorted({*_REQUIRED, *_OPTIONAL}))
        raise SweepError(f"{where}: unknown field(s) {', '.join(unknown)}; fields are {known}")
    for key in _REQUIRED:
        if key not in entry:
            raise SweepError(f"{where}: missing field `{key}`")
    for key, kind in {**_REQUIRED, **_OPTIONAL}.items():
        if key in entry and not isinstance(entry[key], kind):
            raise SweepError(f"{where}: `{key}` must be a {kind.__name__}, found {entry[key]!r}")
    try:
        status = Status(entry["status"])
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise SweepError(
            f"{where}: `status` must be one of {allowed}, found {entry['status']!r}"
        ) from None
    _check_model_id(where, "model", entry["model"])
    alternatives = entry.get("alternatives", {})
    for provider, model_id in alternatives.items():
        _check_model_id(where, f"alternatives.{provider}", model_id)
        if not str(model_id).startswith(f"{provider}/"):
            raise SweepError(f"{where}: alternatives.{provider} must start with `{provider}/`")
    if entry.get("replacement") is not None:
        _check_model_id(where, "replacement", entry["replacement"])
    if status is Status.RETIRED and not entry.get("replacement"):
        raise SweepError(f"{where}: a retired entry needs a `replacement` (the nearest current id)")
    if not entry["evidence"] or not all(isinstance(e, str) and e for e in entry["evidence"]):
        raise SweepError(f"{where}: `evidence` must be a non-empty list of strings")
    return PaperModel(
        name=entry["name"],
        label=entry["label"],
        model=entry["model"],
        gap=entry["gap"],
        status=status,
        verified=entry["verified"],
        evidence=tuple(entry["evidence"]),
        alternatives=dict(alternatives),
        status_date=entry.get("status_date"),
        status_source=entry.get("status_source"),
        replacement=entry.get("replacement"),
        replacement_source=entry.get("replacement_source"),
        price=_price(where, entry.get("price")),
        note=entry.get("note"),
    )


def _check_model_id(where: str, key: str, model_id: Any) -> None:
    if not isinstance(model_id, str) or "/" not in model_id.strip("/"):
        raise SweepError(f"{where}: `{key}` must be an Inspect model id `provider/model`")
    provider = model_id.split("/", 1)[0]
    if provider not in KNOWN_PROVIDERS:
        known = ", ".join(sorted(KNOWN_PROVIDERS))
        raise SweepError(
            f"{where}: `{key}` {model_id!r} has provider {provider!r}, not one of {known}"
        )


def _price(where: str, price: Any) -> Price | None:
    if price is None:
        return None
    if set(price) != {"input", "output"}:
        raise SweepError(f"{where}: `price` needs exactly `input` and `output` (USD per 1M tokens)")
    values = []
    for key in ("input", "output"):
        value = price[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise SweepError(f"{where}: `price.{key}` must be a number >= 0, found {value!r}")
        values.append(float(value))
    return Price(*values)


def _check_unique(path: Path, models: Sequence[PaperModel]) -> None:
    for attribute in ("name", "model"):
        seen: set[str] = set()
        for model in models:
            value = getattr(model, attribute)
            if value in seen:
                raise SweepError(f"{path}: {attribute} {value!r} appears twice")
            seen.add(value)


# --------------------------------------------------------------------------------------------
# Selection and the run plan
# --------------------------------------------------------------------------------------------


def select(
    models: ModelList,
    names: Iterable[str] = (),
    providers: Iterable[str] = (),
    only_gap: bool = False,
    verified_only: bool = False,
) -> list[PaperModel]:
    """Entries in file order that match every filter given (names or ids; providers)."""
    names, providers = list(names), list(providers)
    listed = models.by_name()
    ids = {model.model: model for model in models.models}
    unknown = [name for name in names if name not in listed and name not in ids]
    if unknown:
        raise SweepError(
            f"{models.path}: no entry named {', '.join(map(repr, unknown))}; "
            f"names are {', '.join(listed)}"
        )
    known_providers = {model.provider for model in models.models}
    bad = [p for p in providers if p not in known_providers]
    if bad:
        raise SweepError(
            f"no entry of provider {', '.join(map(repr, bad))}; "
            f"providers in {models.path.name}: {', '.join(sorted(known_providers))}"
        )
    wanted = {listed[n].name if n in listed else ids[n].name for n in names}
    chosen = [
        model
        for model in models.models
        if (not wanted or model.name in wanted)
        and (not providers or model.provider in providers)
        and (model.gap or not only_gap)
        and (model.verified or not verified_only)
    ]
    if not chosen:
        raise SweepError("no model matches the selection")
    return chosen


@dataclass(frozen=True)
class PlannedRun:
    """A selected entry and the id it runs under, or why it is skipped."""

    entry: PaperModel
    model_id: str | None
    reason: str

    @property
    def runs(self) -> bool:
        return self.model_id is not None


def plan(selected: Sequence[PaperModel], use_replacement: bool = False) -> list[PlannedRun]:
    """Retired ids are skipped unless `use_replacement`, which runs their replacement instead."""
    planned = []
    for entry in selected:
        if not entry.retired:
            why = "" if entry.status is Status.ACTIVE else f"status {entry.status.value}"
            planned.append(PlannedRun(entry, entry.model, why))
        elif use_replacement:
            planned.append(
                PlannedRun(entry, entry.replacement, f"replaces {entry.model} (retired)")
            )
        else:
            when = f" on {entry.status_date}" if entry.status_date else ""
            planned.append(
                PlannedRun(
                    entry,
                    None,
                    f"skipped: {entry.model} retired{when}; --use-replacement runs "
                    f"{entry.replacement}",
                )
            )
    return planned


# --------------------------------------------------------------------------------------------
# Cost estimate
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """What one sample costs, in calls and tokens. Every number is an estimate (docs/sweeps.md).

    Model input: the helpful-only system prompt with its examples is about 26k characters
    (the two upstream templates, 6.8k + 19.3k) plus the query and instruction format, about
    6,600 tokens at 4 characters a token. Model output: about 1,000 tokens (the cap is
    `defaults.MODEL_MAX_TOKENS`). Judges (the default `scorers=all`): StrongREJECT, the AF
    classifier (one request whose `num_choices` gives its 20 votes; 20 requests where a
    provider cannot) and partial compliance, each prompt (1.8k, 3.5k and 2.4k characters of
    template) plus the response or its scratchpad.
    """

    model_calls_per_sample: float = 1.0
    model_input_tokens: int = 6_600
    model_output_tokens: int = 1_000
    judge_requests_per_sample: int = 3
    judge_input_tokens: int = 4_300  # StrongREJECT ~1,200 + AF ~1,700 + partial ~1,400
    judge_output_tokens: int = 8_450  # StrongREJECT ~150 + AF 20 x ~400 + partial ~300


#: The workload of `-T scorers=tags`: no judge.
NO_JUDGE = Workload(judge_requests_per_sample=0, judge_input_tokens=0, judge_output_tokens=0)


def workload_for(extra_args: Sequence[str]) -> Workload:
    """`NO_JUDGE` when the extra args say `-T scorers=tags`; otherwise the default workload."""
    return NO_JUDGE if task_arg(extra_args, "scorers") == "tags" else Workload()


@dataclass(frozen=True)
class CostLine:
    """The estimate for one model of the sweep."""

    label: str
    model_id: str
    samples: int
    model_calls: int
    judge_calls: int
    model_usd: float | None
    judge_usd: float | None

    @property
    def api_calls(self) -> int:
        return self.model_calls + self.judge_calls

    @property
    def usd(self) -> float | None:
        if self.model_usd is None or self.judge_usd is None:
            return None
        return self.model_usd + self.judge_usd


def estimate(
    runs: Sequence[PlannedRun],
    models: ModelList,
    samples_per_model: int,
    grader: str = defaults.DEFAULT_GRADER,
    workload: Workload | None = None,
) -> list[CostLine]:
    """Calls and USD per model: samples x calls x typical tokens x the approximate price.

    A model with no price in the file (or a grader with none) gets `None` dollars, printed as
    "unknown", never a guess.
    """
    work = workload or Workload()
    judge_price = models.price_of(grader)
    lines = []
    for run in runs:
        if run.model_id is None:
            continue
        model_price = models.price_of(run.model_id)
        calls = samples_per_model * work.model_calls_per_sample
        model_usd = (
            model_price.cost(calls * work.model_input_tokens, calls * work.model_output_tokens)
            if model_price is not None
            else None
        )
        judge_usd = (
            judge_price.cost(
                samples_per_model * work.judge_input_tokens,
                samples_per_model * work.judge_output_tokens,
            )
            if judge_price is not None
            else None
        )
        lines.append(
            CostLine(
                label=run.entry.label,
                model_id=run.model_id,
                samples=samples_per_model,
                model_calls=math.ceil(calls),
                judge_calls=samples_per_model * work.judge_requests_per_sample,
                model_usd=model_usd,
                judge_usd=judge_usd,
            )
        )
    return lines


def order_of_magnitude(usd: float) -> str:
    """`$` rounded to one significant figure (e.g. 0.0432 -> "$0.04", 1234 -> "$1,000")."""
    if usd <= 0:
        return "$0"
    digits = math.floor(math.log10(usd))
    rounded = round(usd, -digits)
    return f"${rounded:,.{max(0, -digits)}f}"


def format_estimate(
    lines: Sequence[CostLine], models: ModelList, grader: str, workload: Workload | None = None
) -> str:
    """The table printed before a sweep (and alone with --dry-run)."""
    work = workload or Workload()
    rows = [("MODEL", "INSPECT ID", "SAMPLES", "API CALLS", "~USD MODEL", "~USD JUDGE", "~USD")]

    def usd(value: float | None) -> str:
        return "unknown" if value is None else order_of_magnitude(value)

    for line in lines:
        rows.append(
            (
                line.label,
                line.model_id,
                str(line.samples),
                str(line.api_calls),
                usd(line.model_usd),
                usd(line.judge_usd),
                usd(line.usd),
            )
        )
    samples = sum(line.samples for line in lines)
    calls = sum(line.api_calls for line in lines)
    known = [line.usd for line in lines if line.usd is not None]
    total = order_of_magnitude(sum(known)) if known else "unknown"
    if len(known) < len(lines):
        total += f" (+ {len(lines) - len(known)} model(s) without a price)"
    rows.append(("TOTAL", f"{len(lines)} models", str(samples), str(calls), "", "", total))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    text = "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
    checked = "" if models.prices_checked else "; from memory, not checked against the providers"
    return (
        f"{text}\n\nOrder of magnitude only: samples x calls x typical tokens "
        f"({work.model_input_tokens:,} in / {work.model_output_tokens:,} out per model call; "
        f"{work.judge_requests_per_sample} judge requests, {work.judge_input_tokens:,} in / "
        f"{work.judge_output_tokens:,} out per sample, judge {grader}) x approximate list "
        f"prices (as of {models.prices_as_of}{checked}). Before batch or prompt-caching discounts; "
        "invalid responses are resampled (up to 10 times), which adds calls."
    )


# --------------------------------------------------------------------------------------------
# The eval-set command
# --------------------------------------------------------------------------------------------

#: Tasks a sweep can run: the task parameter that lists a query's conditions, and how many
#: there are by default (helpful_only: free,paid; three_tier: free,pro,enterprise).
TASK_CONDITIONS: dict[str, tuple[str, int]] = {
    "helpful_only": ("tiers", 2),
    "animal_welfare": ("conditions", 2),
    "three_tier": ("conditions", 3),
}


def task_arg(extra_args: Sequence[str], name: str) -> str | None:
    """The value of `-T name=...` (or `--task-arg`) in Inspect arguments, if given."""
    for index, arg in enumerate(extra_args):
        if arg in ("-T", "--task-arg") and index + 1 < len(extra_args):
            key, _, value = extra_args[index + 1].partition("=")
            if key == name:
                return value
        elif arg.startswith(("-T", "--task-arg=")):
            key, _, value = arg.removeprefix("--task-arg=").removeprefix("-T").partition("=")
            if key == name:
                return value
    return None


def samples_per_model(task: str, num_queries: int, extra_args: Sequence[str]) -> int:
    """Queries x conditions, reading `-T num_queries` and the task's `-T tiers` (helpful_only)
    or `-T conditions` (the others) from the extra args."""
    parameter, default_conditions = TASK_CONDITIONS[task]
    queries = task_arg(extra_args, "num_queries")
    tiers = task_arg(extra_args, parameter)
    try:
        count = int(queries) if queries is not None else num_queries
    except ValueError:
        raise SweepError(f"-T num_queries={queries}: expected a whole number") from None
    conditions = len([t for t in tiers.split(",") if t]) if tiers else default_conditions
    return count * conditions


def eval_set_command(
    task: str,
    model_ids: Sequence[str],
    log_dir: str,
    num_queries: int,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """`inspect eval-set af_inspect/<task> --model a,b --log-dir DIR -T num_queries=N ...`.

    `-T num_queries` is added unless the extra arguments set it. Running the same command
    again with the same log directory resumes: eval-set reruns only what is not yet complete.
    """
    command = [
        sys.executable,
        "-m",
        "inspect_ai",
        "eval-set",
        f"af_inspect/{task}",
        "--model",
        ",".join(model_ids),
        "--log-dir",
        log_dir,
    ]
    if task_arg(extra_args, "num_queries") is None:
        command += ["-T", f"num_queries={num_queries}"]
    return command + list(extra_args)


def display_command(command: Sequence[str]) -> str:
    """The command as a user would type it (`inspect ...` rather than `python -m inspect_ai`)."""
    shown = ["inspect", *command[3:]] if list(command[1:3]) == ["-m", "inspect_ai"] else command
    return shlex.join(shown)
