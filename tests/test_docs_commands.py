"""Every `-T name=...` in an `inspect eval` command of README.md or docs/*.md names a parameter.

inspect-evals-lint checks the README's commands (IEFS007); most commands now live in docs/, so
this test applies the same check to every page, with the task signatures the package exports.
"""

from __future__ import annotations

import inspect
import re
import shlex
from pathlib import Path

import pytest

import af_inspect

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
RUNNERS = ("eval", "eval-set")


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def command_lines(text: str) -> list[tuple[int, str]]:
    """(line, text) of each logical line in code blocks (continuations joined) and inline code."""
    found: list[tuple[int, str]] = []
    fence: str | None = None
    pending: tuple[int, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if fence is None:
            opening = FENCE.match(line)
            if opening:
                fence = opening.group(1)
                continue
            found.extend((number, span) for span in INLINE_CODE.findall(line))
            continue
        if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            fence = None
            continue
        start, sofar = pending if pending else (number, "")
        joined = sofar + " " + line.rstrip().removesuffix("\\")
        if line.rstrip().endswith("\\"):
            pending = (start, joined)
        else:
            found.append((start, joined))
            pending = None
    return found


def task_arguments(line: str) -> list[tuple[str, str]]:
    """(task, -T name) pairs of an `inspect eval` / `eval-set` command on the line."""
    try:
        words = shlex.split(line.split(" #", 1)[0], comments=False)
    except ValueError:
        return []
    pairs = []
    for i, word in enumerate(words[:-1]):
        if word != "inspect" or words[i + 1] not in RUNNERS:
            continue
        rest = words[i + 2 :]
        tasks = []
        for candidate in rest:
            if candidate.startswith("-"):
                break
            tasks.append(candidate)
        names = [
            rest[j + 1].partition("=")[0]
            for j, option in enumerate(rest[:-1])
            if option == "-T" and "=" in rest[j + 1]
        ]
        for spec in tasks:
            for task in spec.split(","):
                pairs.extend((task, name) for name in names)
    return pairs


def task_name(spec: str) -> str | None:
    """The suite's task a command names (`af_inspect/<task>` or `tasks/<task>.py`), or None."""
    if spec.startswith("af_inspect/"):
        return spec.removeprefix("af_inspect/")
    if spec.startswith("tasks/") and spec.endswith(".py"):
        return spec.removeprefix("tasks/").removesuffix(".py")
    return None


def test_task_arguments_reads_continued_commands() -> None:
    text = (
        "```bash\ninspect eval af_inspect/three_tier --model m -T a=1 \\\n  -T b=x,y\n"
        "inspect view\n```\nRun `inspect eval tasks/five_tier.py -T c=2` too.\n"
    )
    pairs = [pair for _, line in command_lines(text) for pair in task_arguments(line)]
    assert pairs == [
        ("af_inspect/three_tier", "a"),
        ("af_inspect/three_tier", "b"),
        ("tasks/five_tier.py", "c"),
    ]


@pytest.mark.parametrize("page", pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_every_task_argument_names_a_parameter(page: Path) -> None:
    problems = []
    for number, line in command_lines(page.read_text(encoding="utf-8")):
        for spec, name in task_arguments(line):
            task = task_name(spec)
            if task is None or "<" in task:
                continue
            function = getattr(af_inspect, task, None)
            if function is None:
                problems.append(f"line {number}: {spec} is not a task of af_inspect")
                continue
            if name not in inspect.signature(function).parameters:
                problems.append(f"line {number}: {task} has no parameter {name!r}")
    assert not problems, "\n".join(problems)


def test_the_docs_run_commands_with_task_arguments() -> None:
    """The check above reads the pages' commands (it would pass vacuously on none)."""
    count = sum(
        len(task_arguments(line))
        for page in pages()
        for _, line in command_lines(page.read_text(encoding="utf-8"))
    )
    assert count >= 50, count
