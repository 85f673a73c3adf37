"""The generated parameter tables: up to date in the committed docs, idempotent, complete."""

from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path
from typing import Literal

import pytest

from af_inspect import docs_tables
from af_inspect.docs_tables import (
    Catalogue,
    DocsTableError,
    catalogue,
    default_paths,
    docstring_args,
    eval_task_names,
    main,
    rewrite,
    type_text,
)

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `(\w+)` \|", flags=re.MULTILINE)


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return catalogue()


def _table(text: str, key: str) -> str:
    start = f"<!-- Parameters: {key}: Automatically Generated -->"
    end = f"<!-- /Parameters: {key}: Automatically Generated -->"
    assert start in text and end in text, f"no table {key!r}"
    return text.split(start, 1)[1].split(end, 1)[0]


def test_committed_tables_are_what_the_script_writes() -> None:
    """CI's drift check: run `python -m af_inspect.docs_tables` after changing a task."""
    paths = default_paths(ROOT)
    assert ROOT / "README.md" in paths and ROOT / "docs" / "parameters.md" in paths
    assert docs_tables.run(paths, check=True) == []
    assert main(["--check", "--root", str(ROOT)]) == 0


def test_regeneration_is_idempotent(cat: Catalogue) -> None:
    for path in default_paths(ROOT):
        text = path.read_text(encoding="utf-8")
        once = rewrite(text, cat)
        assert rewrite(once, cat) == once, path


def test_check_mode_reports_a_stale_table_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    readme = tmp_path / "README.md"
    fresh = readme.read_text(encoding="utf-8")
    stale = fresh.replace("| `af_votes` | `int` | `20` |", "| `af_votes` | `int` | `10` |", 1)
    assert stale != fresh
    readme.write_text(stale, encoding="utf-8")

    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert "README.md: parameter tables out of date" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == stale

    assert main(["--root", str(tmp_path)]) == 0
    assert readme.read_text(encoding="utf-8") == fresh


def test_text_between_markers_is_replaced_and_text_around_kept(cat: Catalogue) -> None:
    text = (
        "before\n<!-- Parameters: helpful_only extras: Automatically Generated -->\n"
        "old table\n<!-- /Parameters: helpful_only extras: Automatically Generated -->\nafter"
    )
    new = rewrite(text, cat)
    assert new.startswith("before\n") and new.endswith("\nafter")
    assert "old table" not in new
    assert set(ROW.findall(new)) == {"system_prompt", "tiers"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "<!-- Parameters: nope: Automatically Generated -->\n"
            "<!-- /Parameters: nope: Automatically Generated -->",
            "unknown parameter table 'nope'",
        ),
        ("<!-- Parameters: shared: Automatically Generated -->\n", "has no closing marker"),
        ("<!-- /Parameters: shared: Automatically Generated -->\n", "without an opening one"),
        (
            "<!-- Parameters: shared: Automatically Generated -->\n"
            "<!-- /Parameters: three_tier: Automatically Generated -->",
            "closes 'shared'",
        ),
    ],
)
def test_bad_markers_are_errors(cat: Catalogue, text: str, message: str) -> None:
    with pytest.raises(DocsTableError, match=re.escape(message)):
        rewrite(text, cat)


def test_every_parameter_of_every_task_is_in_the_readme(cat: Catalogue) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shared = set(ROW.findall(_table(readme, "shared")))
    assert shared == set(cat.shared)
    for name in eval_task_names():
        function = docs_tables.task_function(name)
        parameters = set(inspect.signature(function).parameters)
        key = f"{name} extras" if name in cat.families else name
        own = set(ROW.findall(_table(readme, key)))
        reachable = own | (shared if name in cat.families else set())
        assert parameters <= reachable, f"{name}: {sorted(parameters - reachable)}"


def test_docs_parameters_has_every_task_whole() -> None:
    text = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    for name in eval_task_names():
        function = docs_tables.task_function(name)
        assert ROW.findall(_table(text, name)) == list(inspect.signature(function).parameters)


def test_the_shared_table_describes_parameters_as_the_first_family_does(cat: Catalogue) -> None:
    assert cat.families[0] == "helpful_only"
    assert {"three_tier", "five_tier", "pre_deployment"} <= set(cat.families)
    assert "animal_welfare" not in cat.families
    assert "af_classifier_validation" not in cat.families
    af_votes = next(row for row in cat.rows("shared") if row.name == "af_votes")
    assert (af_votes.type, af_votes.default) == ("int", "20")
    assert (
        af_votes.description
        == "Votes of the alignment-faking classifier (paper: 20 at temperature 1)."
    )
    # A parameter with another default in one family is not shared: conditions, tiers, variant.
    assert not {"conditions", "tiers", "variant", "system_prompt"} & set(cat.shared)


def test_docstring_args_joins_continuations_and_stops_at_the_next_section() -> None:
    def example(a: int, b: str) -> None:
        """Summary.

        Args:
            a: First line
                and its continuation.
            b (str): Second, with a blank line inside

                still b.

        Every parameter is checked.
        """

    assert docstring_args(example.__doc__) == {
        "a": "First line and its continuation.",
        "b": "Second, with a blank line inside still b.",
    }
    assert docstring_args("No args section.") == {}


def test_type_text_spells_literals_unions_and_generics() -> None:
    assert type_text(Literal["a", "b"] | str | None) == '"a" | "b" | str | None'
    assert type_text(int | None) == "int | None"
    assert type_text(dict[str, int] | list[str]) == "dict[str, int] | list[str]"
    assert type_text(bool) == "bool"


def test_cells_escape_pipes_and_tags_in_prose(cat: Catalogue) -> None:
    rendered = docs_tables.render_table(cat.rows("animal_welfare"))
    row = next(line for line in rendered.splitlines() if line.startswith("| `aw_judge_prompt`"))
    assert "&lt;supports_animal_welfare>" in row
    assert "`str \\| None`" in row
    assert len(re.findall(r"(?<!\\)\|", row)) == 5, row
