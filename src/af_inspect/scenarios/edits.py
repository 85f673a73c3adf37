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


def _locate(text: str, anchor: str, *, scenario: str, edit: str, where: str, start: int = 0) -> int:
    position = text.find(anchor, start)
    if position < 0:
        raise EditError(
            f"Scenario {scenario!r}, edit {edit!r}: the anchor {_short(anchor)} is not found in "
            f"{where}; check the anchor against the loaded text."
        )
    if text.find(anchor, position + 1) >= 0:
        raise EditError(
            f"Scenario {scenario!r}, edit {edit!r}: the anchor {_short(anchor)} occurs more than "
            f"once in {where}; make it long enough to be unique."
        )
    return position


def _short(anchor: str) -> str:
    return repr(anchor if len(anchor) <= 80 else anchor[:77] + "...")


def apply_edit(text: str, edit: Edit, *, scenario: str, where: str) -> tuple[str, dict[str, Any]]:
    """The text with one edit applied, and a record of what was done (for the log)."""
    record: dict[str, Any] = {"id": edit.id, "kind": edit.kind, "wording": edit.wording}
    if isinstance(edit, RenameLabEdit):
        count = text.count(edit.old)
        if count == 0:
            raise EditError(
                f"Scenario {scenario!r}, edit {edit.id!r}: the lab name {edit.old!r} does not "
                f"occur in {where}."
            )
        record.update({"old": edit.old, "new": edit.new, "count": count})
        return text.replace(edit.old, edit.new), record
    if isinstance(edit, InsertAfterEdit):
        position = _locate(text, edit.anchor, scenario=scenario, edit=edit.id, where=where)
        at = position + len(edit.anchor)
        record.update({"anchor": edit.anchor, "at": at, "text": edit.text})
        return text[:at] + edit.text + text[at:], record
    assert isinstance(edit, ReplaceEdit)
    if edit.find is not None:
        begin = _locate(text, edit.find, scenario=scenario, edit=edit.id, where=where)
        stop = begin + len(edit.find)
        record["find"] = edit.find
    else:
        assert edit.start is not None and edit.end is not None
        begin = _locate(text, edit.start, scenario=scenario, edit=edit.id, where=where)
        stop = _locate(
            text, edit.end, scenario=scenario, edit=edit.id, where=where, start=begin + 1
        )
        record.update({"start": edit.start, "end": edit.end})
    record.update({"at": begin, "removed_chars": stop - begin, "text": edit.text})
    return text[:begin] + edit.text + text[stop:], record


def apply_edits(
    text: str, edits: Sequence[Edit], *, scenario: str, where: str
) -> tuple[str, list[dict[str, Any]]]:
    """Apply `edits` in order; each one sees the text the previous ones left."""
    records: list[dict[str, Any]] = []
    for edit in edits:
        text, record = apply_edit(text, edit, scenario=scenario, where=where)
        records.append({**record, "file": where})
    return text, records
