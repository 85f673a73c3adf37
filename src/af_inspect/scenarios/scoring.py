"""A scenario's own judges, in place of the helpful-only judges a task's `scorers` selects.

The helpful-only families are judged by the paper's judges (`af_inspect.scorers.judges`). A
scenario in which compliance means something else (animal welfare: dismissing welfare concerns,
as the lab in its prompt wants) brings its own: the model roles its judges call, resolved when
the task is created (so a missing key stops the run before any sample), and a function that
builds its scorers, called while the task records the assets it loads (so their prompt files
are in the log).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from inspect_ai.scorer import Scorer


@dataclass(frozen=True)
class ScenarioScoring:
    """The judges of a scenario task: (model role, default model) pairs and a scorer builder."""

    roles: Sequence[tuple[str, str]]
    build: Callable[[], list[Scorer]]
