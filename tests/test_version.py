"""One version: `eval.yaml` is read in one place, and every task and pyproject agree with it."""

from __future__ import annotations

import ast
import re
from importlib.resources import files
from pathlib import Path

import yaml

from af_inspect.version import EVAL_VERSION

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "af_inspect"


def _pyproject_version() -> str:
    """`[project] version` of pyproject.toml (tomllib where there is one, else the line itself)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib
    except ImportError:  # Python 3.10
        project = text.split("[project]", 1)[1].split("\n[", 1)[0]
        match = re.search(r'^version\s*=\s*"([^"]+)"', project, flags=re.MULTILINE)
        assert match, "pyproject.toml [project] has no version line"
        return match.group(1)
    return str(tomllib.loads(text)["project"]["version"])


def test_eval_version_is_the_eval_yaml_version() -> None:
    manifest = yaml.safe_load(files("af_inspect").joinpath("eval.yaml").read_text(encoding="utf-8"))
    assert str(manifest["version"]) == EVAL_VERSION
    assert re.fullmatch(r"\d+\.\d+\.\d+", EVAL_VERSION), EVAL_VERSION


def test_pyproject_version_agrees_with_eval_yaml() -> None:
    assert _pyproject_version() == EVAL_VERSION


def test_changelog_has_a_section_for_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[?{re.escape(EVAL_VERSION)}\]?", changelog, flags=re.MULTILINE), (
        f"CHANGELOG.md has no '## {EVAL_VERSION}' section"
    )


def _task_calls() -> list[tuple[Path, ast.Call]]:
    calls = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Task":
                calls.append((path, node))
    return calls


def test_every_task_constructor_passes_eval_version() -> None:
    calls = _task_calls()
    assert len(calls) >= 2, "expected the scenario and validation Task(...) calls"
    for path, call in calls:
        version = [keyword.value for keyword in call.keywords if keyword.arg == "version"]
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        assert len(version) == 1, f"Task(...) at {where} passes no version"
        assert isinstance(version[0], ast.Name) and version[0].id == "EVAL_VERSION", (
            f"Task(...) at {where} passes {ast.unparse(version[0])}, not EVAL_VERSION"
        )


def test_a_built_task_carries_the_eval_version(reference_dir: Path) -> None:
    from af_inspect import helpful_only

    task = helpful_only(dataset="synthetic", num_queries=1, scorers="tags")
    assert task.version == EVAL_VERSION
