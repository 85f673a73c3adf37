"""Reading users' row files (.jsonl, .json, .csv) with errors that name the file and the line.

pandas reports a broken JSON line as "Expected object or value" with no line number, and an
empty file as a missing column; these readers say "file is empty" or "<file>, line <n>: ...".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from af_inspect.errors import UsageError


class TableError(UsageError):
    """A row file that cannot be read; the message names the file (and the line)."""


def _text(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise TableError(f"{path}: not UTF-8 text ({error})") from None
    if not text.strip():
        raise TableError(f"{path}: file is empty")
    return text


def read_jsonl(path: Path) -> list[Any]:
    """One JSON value per non-blank line; a line that is not JSON is named with its number."""
    rows: list[Any] = []
    for number, line in enumerate(_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise TableError(
                f"{path}, line {number}: not valid JSON ({error.msg} at column {error.colno})"
            ) from None
    return rows


def read_json(path: Path) -> Any:
    """The file's one JSON value; a syntax error is named with its line."""
    try:
        return json.loads(_text(path))
    except json.JSONDecodeError as error:
        raise TableError(
            f"{path}, line {error.lineno}: not valid JSON ({error.msg} at column {error.colno})"
        ) from None


def read_csv(path: Path, **options: Any) -> pd.DataFrame:
    """A CSV file; an empty one is named as such."""
    _text(path)
    try:
        return pd.read_csv(path, **options)
    except pd.errors.ParserError as error:
        raise TableError(f"{path}: not a valid CSV file ({error})") from None


def rows_frame(path: Path, rows: list[Any]) -> pd.DataFrame:
    """Rows that must all be JSON objects, as a DataFrame."""
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise TableError(f"{path}: row {number} is {type(row).__name__}, not a JSON object")
    return pd.DataFrame(rows)
