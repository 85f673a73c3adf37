"""Loading a scenario from YAML: a built-in one by name, or a user's file by path.

Every problem (unreadable YAML, a malformed field, a contrast naming an unknown condition) is a
`ScenarioError` naming the file and the field, raised when the task is created.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from af_inspect.errors import UsageError
from af_inspect.scenarios.grid import expand_grid
from af_inspect.scenarios.model import Scenario

BUILTIN_PACKAGE = "af_inspect.scenarios.builtin"


class ScenarioError(UsageError):
    """A scenario file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario and where it came from (recorded in the log)."""

    scenario: Scenario
    path: Path
    sha256: str
    builtin: bool
    included: tuple[tuple[str, str], ...] = ()
    """(path, sha256) of every other file the scenario read: edits' `text_file`s, a grid's
    `include`."""

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": self.scenario.id,
            "file": str(self.path),
            "sha256": self.sha256,
            "builtin": self.builtin,
        }
        if self.included:
            record["included_files"] = [
                {"file": file, "sha256": sha256} for file, sha256 in self.included
            ]
        return record


def builtin_names() -> list[str]:
    """The names of the built-in scenarios (their YAML files, without `.yaml`)."""
    folder = resources.files(BUILTIN_PACKAGE)
    return sorted(
        entry.name[: -len(".yaml")] for entry in folder.iterdir() if entry.name.endswith(".yaml")
    )


def builtin_path(name: str) -> Path:
    if name not in builtin_names():
        raise ScenarioError(
            f"No built-in scenario {name!r}; the built-in scenarios are "
            f"{', '.join(builtin_names())}, or give the path of a .yaml file."
        )
    return Path(str(resources.files(BUILTIN_PACKAGE).joinpath(f"{name}.yaml")))


def load_scenario(name_or_path: str) -> LoadedScenario:
    """A built-in scenario by name (`helpful_only`), or a user's YAML file by path."""
    if name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path:
        path = Path(name_or_path).expanduser().resolve()
        if not path.is_file():
            raise ScenarioError(f"Scenario file {path} not found.")
        return load_scenario_file(path, builtin=False)
    return load_scenario_file(builtin_path(name_or_path), builtin=True)


def load_scenario_file(path: Path, *, builtin: bool = False) -> LoadedScenario:
    data = path.read_bytes()
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ScenarioError(f"Scenario file {path}: not valid YAML ({error}).") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"Scenario file {path}: expected a mapping at the top level.")
    read: list[Path] = []
    raw = _read_text_files(raw, path, read)
    try:
        scenario = Scenario.model_validate(expand_grid(raw, path))
    except ValidationError as error:
        raise ScenarioError(f"Scenario file {path}: {_describe(error)}") from None
    include = raw.get("grid", {}).get("include") if isinstance(raw.get("grid"), dict) else None
    if isinstance(include, str):
        read.append((path.parent / include).resolve())
    included = tuple(
        (str(file), hashlib.sha256(file.read_bytes()).hexdigest()) for file in dict.fromkeys(read)
    )
    return LoadedScenario(scenario, path, hashlib.sha256(data).hexdigest(), builtin, included)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        field = _field(item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"field {field!r}: {message}" if field else message)
    return "; ".join(parts) + "."


def _field(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("replace", "insert_after", "rename_lab"):
            continue  # the union member pydantic tried, not a field of the file
        else:
            text += f".{part}" if text else str(part)
    return text


def _read_text_files(raw: dict[str, Any], path: Path, read: list[Path]) -> dict[str, Any]:
    """Replace each edit's `text_file` (relative to the scenario file) by its `text`; each file
    read is appended to `read`."""

    def resolve(edit: Any, field: str) -> Any:
        if not isinstance(edit, dict) or "text_file" not in edit:
            return edit
        if "text" in edit:
            raise ScenarioError(
                f"Scenario file {path}: field {field!r}: give 'text' or 'text_file', not both."
            )
        target = (path.parent / str(edit["text_file"])).resolve()
        if not target.is_file():
            raise ScenarioError(
                f"Scenario file {path}: field {field + '.text_file'!r}: {target} not found."
            )
        rest = {key: value for key, value in edit.items() if key != "text_file"}
        read.append(target)
        return {**rest, "text": target.read_text(encoding="utf-8")}

    result = dict(raw)
    if isinstance(raw.get("edits"), list):
        result["edits"] = [resolve(e, f"edits[{i}]") for i, e in enumerate(raw["edits"])]
    if isinstance(raw.get("conditions"), list):
        conditions = []
        for i, condition in enumerate(raw["conditions"]):
            turn = condition.get("user_turn") if isinstance(condition, dict) else None
            if isinstance(turn, dict) and isinstance(turn.get("edits"), list):
                edits = [
                    resolve(e, f"conditions[{i}].user_turn.edits[{j}]")
                    for j, e in enumerate(turn["edits"])
                ]
                condition = {**condition, "user_turn": {**turn, "edits": edits}}
            conditions.append(condition)
        result["conditions"] = conditions
    if isinstance(raw.get("variants"), list):
        variants = []
        for i, variant in enumerate(raw["variants"]):
            if isinstance(variant, dict) and isinstance(variant.get("edits"), list):
                edits = [
                    resolve(e, f"variants[{i}].edits[{j}]") for j, e in enumerate(variant["edits"])
                ]
                variant = {**variant, "edits": edits}
            variants.append(variant)
        result["variants"] = variants
    return result
