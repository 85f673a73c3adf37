"""Errors a user can fix: a bad parameter, a broken input file, a missing key or file.

They derive from Inspect's `PrerequisiteError`, which `inspect eval` prints as its message alone
(no traceback) before exiting with status 1. Raised while the task is created, they stop the run
before any sample starts. They are also `ValueError`s, so Python callers can catch them as such.
"""

from __future__ import annotations

# Inspect prints a PrerequisiteError as its message alone; it is not exported publicly.
try:
    from inspect_ai._util.error import (  # inspect-evals-lint: ignore[IECQ001] -- only way to a plain message
        PrerequisiteError as _PlainError,
    )
except ImportError:  # pragma: no cover - a later Inspect that moved it: keep the traceback
    _PlainError = Exception  # type: ignore[misc,assignment]


class UsageError(_PlainError, ValueError):
    """Something the user can fix; the message says what and how."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.text = message

    def __str__(self) -> str:
        return self.text
