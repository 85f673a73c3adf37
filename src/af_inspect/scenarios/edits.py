"""Applying a scenario's edits to a loaded text (a system prompt or a user-turn format).

Every edit must find what it looks for: an anchor that is absent, or present more than once, is
an error naming the scenario, the edit and the file, never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from af_inspect.errors import UsageError
from af_inspect.scenarios.model import Edit, InsertAfterEdit, RenameLabEdit, ReplaceEdit


class EditError(UsageError):
    """An edit whose anchor is not found (or is ambiguous) in the text it applies to."""


def _locate(text: str, anchor: str, *, who: str, where: str, start: int = 0) -> int:
    position = text.find(anchor, start)
    if position < 0:
        raise EditError(
            f"{who}: the anchor {_short(anchor)} is not found in {where}; check the anchor "
            "against the loaded text."
        )
    if text.find(anchor, position + 1) >= 0:
        raise EditError(
            f"{who}: the anchor {_short(anchor)} occurs more than once in {where}; make it long "
            "enough to be unique."
        )
    return position


def _short(anchor: str) -> str:
    return repr(anchor if len(anchor) <= 80 else anchor[:77] + "...")


def _who(scenario: str, edit: str, scenario_file: str | None) -> str:
    defined = f" ({scenario_file})" if scenario_file else ""
    return f"Scenario {scenario!r}{defined}, edit {edit!r}"


def apply_edit(
    text: str, edit: Edit, *, scenario: str, where: str, scenario_file: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The text with one edit applied, and a record of what was done (for the log)."""
    who = _who(scenario, edit.id, scenario_file)
    record: dict[str, Any] = {"id": edit.id, "kind": edit.kind, "wording": edit.wording}
    if isinstance(edit, RenameLabEdit):
        count = text.count(edit.old)
        if count == 0:
            raise EditError(f"{who}: the lab name {edit.old!r} does not occur in {where}.")
        record.update({"old": edit.old, "new": edit.new, "count": count})
        return text.replace(edit.old, edit.new), record
    if isinstance(edit, InsertAfterEdit):
        position = _locate(text, edit.anchor, who=who, where=where)
        at = position + len(edit.anchor)
        record.update({"anchor": edit.anchor, "at": at, "text": edit.text})
        return text[:at] + edit.text + text[at:], record
    assert isinstance(edit, ReplaceEdit)
    if edit.find is not None:
        begin = _locate(text, edit.find, who=who, where=where)
        stop = begin + len(edit.find)
        record["find"] = edit.find
    else:
        assert edit.start is not None and edit.end is not None
        begin = _locate(text, edit.start, who=who, where=where)
        stop = _locate(text, edit.end, who=who, where=where, start=begin + 1)
        record.update({"start": edit.start, "end": edit.end})
    record.update({"at": begin, "removed_chars": stop - begin, "text": edit.text})
    return text[:begin] + edit.text + text[stop:], record


def apply_edits(
    text: str,
    edits: Sequence[Edit],
    *,
    scenario: str,
    where: str,
    scenario_file: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Apply `edits` in order; each one sees the text the previous ones left.

    `where` names the edited text's file; errors name it, the scenario (and `scenario_file`,
    when given) and the edit.
    """
    records: list[dict[str, Any]] = []
    for edit in edits:
        text, record = apply_edit(
            text, edit, scenario=scenario, where=where, scenario_file=scenario_file
        )
        records.append({**record, "file": where})
    return text, records
