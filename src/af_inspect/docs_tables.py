"""Parameter tables for README.md and docs/, generated from the task signatures and docstrings.

A table lives between two marker comments, and everything between them is rewritten:

    <!-- Parameters: KEY: Automatically Generated -->
    ...
    <!-- /Parameters: KEY: Automatically Generated -->

KEY is one of:

- ``shared``: the parameters every scenario family takes alike (the shared settings of
  `af_inspect.scenarios.task.checked_settings`, with the same type and default in every family),
  described as the first family task in `eval.yaml` describes them;
- ``<task>``: every parameter of the task, described by its own docstring;
- ``<task> extras``: the task's parameters that are not in the ``shared`` table.

The tasks are those `eval.yaml` lists; a parameter's type comes from its annotation (a
``Literal[...]`` lists its values), its default from the signature, and its description from
the ``Args:`` entry of the task's docstring.

    python -m af_inspect.docs_tables            # rewrite README.md and docs/*.md in place
    python -m af_inspect.docs_tables --check    # exit 1, naming each table, if any would change

A test runs the check, so a task signature or docstring that changes without the tables failing
CI is not possible.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

SHARED = "shared"
EXTRAS = "extras"
MARKER_SUFFIX = "Automatically Generated"
OPEN_MARKER = re.compile(r"^<!-- Parameters: (?P<key>[^:]+): Automatically Generated -->\s*$")
CLOSE_MARKER = re.compile(r"^<!-- /Parameters: (?P<key>[^:]+): Automatically Generated -->\s*$")
DEFAULT_FILES = ("README.md", "docs/*.md")
FAMILY_FIXED = frozenset({"system_prompt"})
"""Shared settings a family may fix itself instead of taking them (the tier families use the
prompt-only prompt), so that a task lacking them still counts as a scenario family."""


class DocsTableError(Exception):
    """A marker without its pair, an unknown table key, or a parameter without a docstring entry."""


@dataclass(frozen=True)
class Parameter:
    """One task parameter as the tables show it."""

    name: str
    type: str
    default: str
    description: str


@dataclass(frozen=True)
class TaskDoc:
    """A task's parameters in signature order."""

    name: str
    parameters: tuple[Parameter, ...]

    def parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)


def eval_task_names() -> list[str]:
    """The task names `af_inspect/eval.yaml` lists, in its order."""
    manifest = yaml.safe_load(files("af_inspect").joinpath("eval.yaml").read_text(encoding="utf-8"))
    return [str(entry["name"]) for entry in manifest["tasks"]]


def task_function(name: str) -> Callable[..., Any]:
    """The `@task` function the package exports under `name`."""
    function = getattr(importlib.import_module("af_inspect"), name, None)
    if not callable(function):
        raise DocsTableError(f"eval.yaml lists task {name!r}, which af_inspect does not export")
    return typing.cast(Callable[..., Any], function)


def docstring_args(doc: str | None) -> dict[str, str]:
    """The ``Args:`` entries of a Google-style docstring, each joined onto one line."""
    lines = inspect.cleandoc(doc or "").splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Args:")
    except StopIteration:
        return {}
    entries: dict[str, list[str]] = {}
    entry_indent: int | None = None
    current: str | None = None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if entry_indent is None:
            entry_indent = indent
        if indent < entry_indent:
            break
        match = re.match(r"(\w+)(?: \([^)]*\))?: ?(.*)", line.strip())
        if indent == entry_indent and match:
            current = match.group(1)
            entries[current] = [match.group(2)]
        elif current is not None:
            entries[current].append(line.strip())
    return {name: " ".join(part for part in parts if part) for name, parts in entries.items()}


def type_text(annotation: Any) -> str:
    """An annotation as a reader writes it: ``"a" | "b" | str | None``."""
    if annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(
            f'"{value}"' if isinstance(value, str) else repr(value)
            for value in typing.get_args(annotation)
        )
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_text(arg) for arg in typing.get_args(annotation))
    if origin is not None:
        args = ", ".join(type_text(arg) for arg in typing.get_args(annotation))
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{args}]" if args else name
    if annotation is Any:
        return "Any"
    return getattr(annotation, "__name__", str(annotation).replace("typing.", ""))


def default_text(value: Any) -> str:
    """A default as Python writes it (strings in double quotes), or "required"."""
    if value is inspect.Parameter.empty:
        return "required"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def task_doc(name: str) -> TaskDoc:
    """The parameters of task `name`: type, default and docstring description of each."""
    function = task_function(name)
    original = inspect.unwrap(function)
    hints = typing.get_type_hints(original)
    described = docstring_args(original.__doc__)
    parameters = []
    for parameter in inspect.signature(original).parameters.values():
        if parameter.name not in described:
            raise DocsTableError(
                f"task {name}: parameter {parameter.name!r} has no entry in the docstring's Args:"
            )
        parameters.append(
            Parameter(
                name=parameter.name,
                type=type_text(hints.get(parameter.name, parameter.annotation)),
                default=default_text(parameter.default),
                description=described[parameter.name],
            )
        )
    return TaskDoc(name=name, parameters=tuple(parameters))


@dataclass(frozen=True)
class Catalogue:
    """Every task's parameters, the scenario families among them and their shared parameters."""

    tasks: dict[str, TaskDoc]
    families: tuple[str, ...]
    shared: tuple[str, ...]

    def shared_rows(self) -> list[Parameter]:
        reference = self.tasks[self.families[0]]
        return [reference.parameter(name) for name in self.shared]

    def rows(self, key: str) -> list[Parameter]:
        """The rows of the table `key` (see the module docstring)."""
        if key == SHARED:
            return self.shared_rows()
        name, _, qualifier = key.partition(" ")
        if name not in self.tasks or qualifier not in ("", EXTRAS):
            known = ", ".join([SHARED, *self.tasks, *(f"{task} {EXTRAS}" for task in self.tasks)])
            raise DocsTableError(f"unknown parameter table {key!r}; known: {known}")
        rows = list(self.tasks[name].parameters)
        if qualifier == EXTRAS:
            shared = set(self.shared) if name in self.families else set()
            rows = [row for row in rows if row.name not in shared]
        return rows


def catalogue(task_names: Sequence[str] | None = None) -> Catalogue:
    """The parameters of the tasks (default: those of `eval.yaml`)."""
    from af_inspect.scenarios.task import checked_settings

    names = list(task_names) if task_names is not None else eval_task_names()
    tasks = {name: task_doc(name) for name in names}
    settings = list(inspect.signature(checked_settings).parameters)
    families = tuple(
        name
        for name, doc in tasks.items()
        if set(settings) - FAMILY_FIXED <= {p.name for p in doc.parameters}
    )
    if not families:
        raise DocsTableError("no task takes the shared settings of checked_settings")

    def same_everywhere(setting: str) -> bool:
        seen = {
            (row.type, row.default)
            for family in families
            for row in tasks[family].parameters
            if row.name == setting
        }
        present = all(any(r.name == setting for r in tasks[f].parameters) for f in families)
        return present and len(seen) == 1

    reference_order = [p.name for p in tasks[families[0]].parameters]
    shared = tuple(name for name in reference_order if name in settings and same_everywhere(name))
    return Catalogue(tasks=tasks, families=families, shared=shared)


def _cell(text: str) -> str:
    """Text for a table cell: pipes escaped, and `<` outside code spans written as `&lt;` so a
    tag in prose is shown, not taken for HTML."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("<", "&lt;")
    return "`".join(parts).replace("|", "\\|")


def render_table(rows: Iterable[Parameter]) -> str:
    """A Markdown table: parameter, type, default, description."""
    lines = ["| parameter | type | default | description |", "|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| `{row.name}` | {_cell('`' + row.type + '`')} | {_cell('`' + row.default + '`')} "
            f"| {_cell(row.description)} |"
        )
    return "\n".join(lines)


def render_section(key: str, cat: Catalogue) -> str:
    """What goes between the markers of table `key`."""
    if key == SHARED:
        intro = (
            f"Taken alike by {', '.join(f'`{name}`' for name in cat.families)} "
            f"(described as `{cat.families[0]}`'s docstring has it):"
        )
        return f"{intro}\n\n{render_table(cat.rows(key))}"
    return render_table(cat.rows(key))


def rewrite(text: str, cat: Catalogue, *, where: str = "<text>") -> str:
    """`text` with every marked table regenerated."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = OPEN_MARKER.match(line)
        if CLOSE_MARKER.match(line):
            raise DocsTableError(f"{where}:{i + 1}: closing marker without an opening one")
        if not opening:
            out.append(line)
            i += 1
            continue
        key = opening.group("key").strip()
        try:
            end = next(j for j in range(i + 1, len(lines)) if CLOSE_MARKER.match(lines[j]))
        except StopIteration:
            raise DocsTableError(f"{where}:{i + 1}: table {key!r} has no closing marker") from None
        closing = CLOSE_MARKER.match(lines[end])
        assert closing is not None
        if closing.group("key").strip() != key:
            raise DocsTableError(
                f"{where}:{end + 1}: closing marker of {closing.group('key')!r} closes {key!r}"
            )
        out.extend([line, "", render_section(key, cat), "", lines[end]])
        i = end + 1
    return "\n".join(out)


def marked_keys(text: str) -> list[str]:
    """The table keys marked in `text`, in order."""
    return [m.group("key").strip() for line in text.split("\n") if (m := OPEN_MARKER.match(line))]


def default_paths(root: Path) -> list[Path]:
    """README.md and docs/*.md under `root`."""
    paths: list[Path] = []
    for pattern in DEFAULT_FILES:
        paths.extend(sorted(root.glob(pattern)))
    return paths


def run(paths: Sequence[Path], *, check: bool) -> list[Path]:
    """Regenerate the tables of `paths` (or, with `check`, only compare); the files that differ."""
    cat = catalogue()
    stale = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if not marked_keys(text):
            continue
        new = rewrite(text, cat, where=str(path))
        if new != text:
            stale.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m af_inspect.docs_tables",
        description="Regenerate the parameter tables between the marker comments of the docs.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="files (default: README.md docs/*.md)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a table is out of date"
    )
    args = parser.parse_args(argv)
    paths = list(args.paths) or default_paths(args.root)
    try:
        stale = run(paths, check=args.check)
    except DocsTableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in stale:
        verb = "out of date" if args.check else "rewritten"
        print(f"{path}: parameter tables {verb}", file=sys.stderr if args.check else sys.stdout)
    if args.check and stale:
        print("run `python -m af_inspect.docs_tables` to regenerate them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
