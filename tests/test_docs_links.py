"""Every relative link of README.md and docs/*.md reaches a file, and every `#anchor` a heading.

Anchors follow GitHub's rules for heading ids: the heading's text (Markdown stripped) in lower
case, every character that is not a letter, a digit, a space, `-` or `_` dropped, each space
turned into `-`, and `-1`, `-2`, ... appended to repeats within a file.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", flags=re.IGNORECASE)


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _outside_fences(text: str) -> list[tuple[int, str]]:
    """The (line number, line) pairs of `text` that are not inside a fenced code block."""
    lines: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif (
            fence is not None
            and line.strip().startswith(fence)
            and not line.strip().strip(fence[0])
        ):
            fence = None
        elif fence is None:
            lines.append((number, line))
    return lines


def github_slug(heading: str) -> str:
    """The id GitHub gives a heading with this Markdown text (before de-duplication)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links and images: their text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    kept = []
    for char in text.lower():
        category = unicodedata.category(char)
        if char in " -_" or category[0] in "LN" or category == "Mn":
            kept.append(char)
    return "".join(kept).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The heading ids of a Markdown text, repeats numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    ids = set()
    for _, line in _outside_fences(text):
        match = HEADING.match(line)
        if not match:
            continue
        slug = github_slug(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        ids.add(slug if count == 0 else f"{slug}-{count}")
    return ids


def links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every Markdown link and image outside code."""
    found = []
    for number, line in _outside_fences(text):
        prose = INLINE_CODE.sub("", line)
        found.extend((number, match.group(1)) for match in LINK.finditer(prose))
    return found


def broken_links(path: Path) -> list[str]:
    """A message for each relative link of `path` whose file or anchor does not exist."""
    problems = []
    for number, target in links(path.read_text(encoding="utf-8")):
        if EXTERNAL.match(target):
            continue
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        where = f"{path.relative_to(ROOT)}:{number}: {target}"
        if not destination.exists():
            problems.append(f"{where}: no file {destination}")
            continue
        if anchor:
            if destination.suffix != ".md":
                problems.append(f"{where}: an anchor into a file that is not Markdown")
            elif anchor not in anchors(destination.read_text(encoding="utf-8")):
                problems.append(f"{where}: no heading #{anchor} in {destination.name}")
    return problems


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Set-up: two commands", "set-up-two-commands"),
        ("Fidelity to the paper's code", "fidelity-to-the-papers-code"),
        ("Prefills (§5.3)", "prefills-53"),
        ("Pre-deployment identities × deployments", "pre-deployment-identities--deployments"),
        ("Results: `af-inspect report`", "results-af-inspect-report"),
        ("Parameters of `helpful_only`", "parameters-of-helpful_only"),
        ("Never used / never trained", "never-used--never-trained"),
        ("See [the docs](docs/x.md) now", "see-the-docs-now"),
    ],
)
def test_github_slug(heading: str, slug: str) -> None:
    assert github_slug(heading) == slug


def test_anchors_number_repeats_and_skip_code_blocks() -> None:
    text = "# Notes\n\n## Notes\n\n```bash\n# not a heading\n```\n\n### Notes\n"
    assert anchors(text) == {"notes", "notes-1", "notes-2"}


def test_links_skip_code_and_find_images(tmp_path: Path) -> None:
    text = (
        "See [a](a.md#x) and ![img](images/p.png), not `[b](b.md)`.\n"
        "```\n[c](c.md)\n```\n[web](https://example.org)\n"
    )
    assert links(text) == [(1, "a.md#x"), (1, "images/p.png"), (5, "https://example.org")]


def test_broken_links_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "other.md").write_text("# Here\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Top\n[ok](other.md#here) [ok](#top) [file](missing.md) [anchor](other.md#there) "
        "[self](#nowhere)\n",
        encoding="utf-8",
    )
    problems = broken_links(page)
    assert len(problems) == 3
    assert "no file" in problems[0] and "missing.md" in problems[0]
    assert "no heading #there in other.md" in problems[1]
    assert "no heading #nowhere in page.md" in problems[2]


def test_docs_exist() -> None:
    names = {path.name for path in doc_files()}
    assert {"README.md", "parameters.md", "judges.md", "validation.md", "assets.md"} <= names


@pytest.mark.parametrize("path", doc_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_and_anchor_exists(path: Path) -> None:
    problems = broken_links(path)
    assert not problems, "\n".join(problems)


def test_every_doc_is_linked_from_the_readme() -> None:
    readme_targets = {
        (ROOT / target.partition("#")[0]).resolve()
        for _, target in links((ROOT / "README.md").read_text(encoding="utf-8"))
        if not EXTERNAL.match(target) and target.partition("#")[0]
    }
    unlinked = [
        path.name for path in sorted((ROOT / "docs").glob("*.md")) if path not in readme_targets
    ]
    assert not unlinked, f"docs not linked from README.md: {unlinked}"
