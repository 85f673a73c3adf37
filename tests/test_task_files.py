"""The files under `tasks/` (for `inspect eval tasks/<file>.py` from a checkout) are links to the
package's task modules, so a reader sees the typed parameters and their docstring, and Inspect
checks `-T` names against the real signature (no `**kwargs` pass-through)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from inspect_ai._eval.list import parse_tasks
from inspect_ai._util.registry import registry_lookup

import af_inspect._registry  # noqa: F401  (registers the package's tasks)

ROOT = Path(__file__).resolve().parents[1]
TASK_FILES = sorted((ROOT / "tasks").glob("*.py"))
PACKAGE = ROOT / "src" / "af_inspect"


def test_there_are_task_files() -> None:
    assert {path.stem for path in TASK_FILES} >= {
        "helpful_only",
        "three_tier",
        "af_classifier_validation",
    }


@pytest.mark.parametrize("path", TASK_FILES, ids=lambda path: path.name)
def test_task_file_is_a_relative_link_into_the_package(path: Path) -> None:
    assert path.is_symlink(), f"{path} should be a link to the package's task module"
    target = Path(path.readlink())
    assert not target.is_absolute(), "a relative link survives a clone anywhere"
    assert path.resolve().is_relative_to(PACKAGE)


@pytest.mark.parametrize("path", TASK_FILES, ids=lambda path: path.name)
def test_inspect_finds_the_typed_task_in_the_file(path: Path) -> None:
    found = parse_tasks(path, ROOT, absolute=False)
    assert [info.name for info in found] == [path.stem]
    registered = registry_lookup("task", f"af_inspect/{path.stem}")
    assert registered is not None, f"af_inspect/{path.stem} is not a registered task"
    signature = inspect.signature(registered)
    kinds = {parameter.kind for parameter in signature.parameters.values()}
    assert inspect.Parameter.VAR_KEYWORD not in kinds
    assert signature.parameters, "the task's parameters should be visible"
    documented = registered.__doc__ or ""
    missing = [name for name in signature.parameters if f"{name}:" not in documented]
    assert not missing, f"parameters not listed in the docstring: {missing}"


FAMILY_FIXED = {"system_prompt"}
"""Shared parameters a family may set itself (the tier families use the prompt-only prompt)."""


@pytest.mark.parametrize(
    "path",
    [path for path in TASK_FILES if path.stem != "af_classifier_validation"],
    ids=lambda path: path.name,
)
def test_every_scenario_family_takes_every_shared_parameter(path: Path) -> None:
    from af_inspect.scenarios.task import checked_settings

    registered = registry_lookup("task", f"af_inspect/{path.stem}")
    assert registered is not None
    taken = set(inspect.signature(registered).parameters)
    shared = set(inspect.signature(checked_settings).parameters)
    module_fixed = getattr(inspect.getmodule(registered), "FIXED_SETTINGS", frozenset())
    missing = sorted(shared - taken - FAMILY_FIXED - module_fixed)
    assert not missing, f"{path.stem} does not take the shared parameters {missing}"
