"""Resolve the judge models once, when the task is created, before any sample starts.

`inspect eval` binds `--model` and `--model-role` before it creates the task, so resolving each
judge role here gives the model the scorers will call (Inspect's `get_model` returns the same
memoised instance). A judge that cannot be initialised (no API key, unknown provider) raises
`JudgeSetupError`: `inspect eval` prints its one sentence and exits 1, and nothing is spent.

A task built in Python outside an eval (`helpful_only(...)` passed to `eval()`, perhaps with
`model_roles=`) cannot know its roles yet: then only an explicit `grader=` is resolved, and the
scorers resolve the roles when they first score, as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from inspect_ai.model import get_model, model_roles

from af_inspect.errors import UsageError

UNRESOLVED = "resolved when scoring (task built outside an eval)"
"""Recorded for a role a task built in Python could not resolve at creation."""

_MARKUP = re.compile(r"\[/?[a-z ]+\]")
_KEY_VARIABLE = re.compile(r"\b[A-Z][A-Z0-9_]*_(?:API_KEY|TOKEN)\b")


class JudgeSetupError(UsageError):
    """A judge model the task's scorers need cannot be initialised."""


def _inside_an_eval() -> bool:
    """True while `eval()` creates the task: the model under test is then active."""
    # No public accessor in inspect-ai 0.3.285 tells whether an eval is creating the task.
    from inspect_ai.model._model import (  # inspect-evals-lint: ignore[IECQ001] -- see above
        active_model,
    )

    return active_model() is not None


def _plain(message: str) -> str:
    return " ".join(_MARKUP.sub("", message).split())


def _failure(role: str, model: str, how: str, error: Exception) -> JudgeSetupError:
    detail = _plain(str(getattr(error, "message", None) or error))
    variables = list(dict.fromkeys(_KEY_VARIABLE.findall(detail)))
    fix = f"set {variables[0]}" if variables else f"fix this ({detail})"
    return JudgeSetupError(
        f"The {role!r} judge model {model} ({how}) cannot be initialised: {fix}, or bind "
        f"another judge with --model-role {role}=<model>"
        + (" (or -T grader=<model>)" if role == "grader" else "")
        + ", or run without judges with -T scorers=tags."
    )


def resolve_judges(roles: Sequence[tuple[str, str]], grader: str | None = None) -> dict[str, str]:
    """Resolve each (role, default model) once; returns role -> the model the scorers will use.

    `grader`, when given, replaces the ``grader`` role (as the scorers' `grader=` does).
    """
    inside = _inside_an_eval()
    resolved: dict[str, str] = {}
    for role, default in roles:
        explicit = grader if role == "grader" and grader else None
        if explicit is None and not inside:
            resolved[role] = UNRESOLVED
            continue
        try:
            if explicit is not None:
                # Resolved at task creation on purpose (issue #8): a missing key must stop the
                # run before any sample, which a per-sample solver cannot do.
                model = get_model(explicit)  # inspect-evals-lint: ignore[IEBP001] -- see above
                how = "from -T grader"
            else:
                how = "bound to the role" if role in model_roles() else "the default"
                model = get_model(  # inspect-evals-lint: ignore[IEBP001] -- see above
                    role=role, default=default
                )
        except Exception as error:
            name = explicit or default
            how = "from -T grader" if explicit else "the default, no --model-role bound"
            raise _failure(role, name, how, error) from None
        resolved[role] = str(model)
    return resolved
