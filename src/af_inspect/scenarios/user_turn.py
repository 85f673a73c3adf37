"""A user's own user-turn template for every condition of a scenario (`-T user_turn_file=`).

For scenarios whose user turn is a template of the suite's own choosing rather than an upstream
file (animal welfare: the layout Redwood's prompt expects is not established), so a user can
put the layout they believe right in a file instead of editing the scenario. The file is filled
like any template, `str.format(user_input=..., **variables)`; as upstream's Jinja rendering does,
one trailing newline is dropped.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from af_inspect.prompts import check_instruction_format
from af_inspect.scenarios.loader import LoadedScenario, ScenarioError
from af_inspect.scenarios.model import UserTurn


def read_user_turn_file(file: str) -> tuple[str, Path, str]:
    """The template text (one trailing newline dropped), its resolved path and its sha256."""
    path = Path(file).expanduser().resolve()
    if not path.is_file():
        raise ScenarioError(f"user_turn_file {path} not found.")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(f"user_turn_file {path} is not UTF-8 text ({error}).") from None
    return text.removesuffix("\n"), path, hashlib.sha256(data).hexdigest()


def with_user_turn_file(loaded: LoadedScenario, file: str) -> LoadedScenario:
    """`loaded` with every condition's user turn replaced by the template in `file` (no edits).

    The template is checked against each condition's variables (an unknown placeholder, or no
    `{user_input}`, is refused naming the file); the file and its sha256 are recorded with the
    scenario's other files (`included_files` in the log).
    """
    text, path, digest = read_user_turn_file(file)
    conditions = []
    for condition in loaded.scenario.conditions:
        check_instruction_format(
            text,
            where=f"user_turn_file {path} (condition {condition.id!r})",
            allowed_fields=("user_input", *condition.variables),
        )
        conditions.append(condition.model_copy(update={"user_turn": UserTurn(template=text)}))
    scenario = loaded.scenario.model_copy(update={"conditions": conditions})
    return dataclasses.replace(
        loaded, scenario=scenario, included=(*loaded.included, (str(path), digest))
    )
