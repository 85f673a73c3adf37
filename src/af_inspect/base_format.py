"""Base (pretrained) models (Sheshadri, Hughes et al. 2025, §5.1): the conversation as one document.

A base model has no chat template, so with ``-T format=base`` the system prompt, the user turn
and the prefill are rendered into ONE document in a dialogue format, and the model continues the
document after the prefill. Its continuation ends at a stop sequence that opens the next turn.

The default dialogue format (our choice; the paper does not give one) is Human/Assistant turns
after the system prompt::

    {system}

    Human: {user}

    Assistant: {prefill}

with the stop sequence ``"\\n\\nHuman:"``. ``-T base_template=<file.yaml>`` replaces both::

    template: "{system}\\n\\nHuman: {user}\\n\\nAssistant: {prefill}"
    stop: ["\\n\\nHuman:"]

Placeholders: ``{system}`` and ``{user}`` exactly once each, and ``{prefill}`` once, at the very
end (the model continues from there). No other ``{name}`` is allowed (a typo would otherwise be
sent to the model); any other brace is literal. The values are inserted as they are (their own
braces are never read as placeholders). With an empty prefill, trailing spaces of the document
are removed (a base model continues ``"Assistant:"`` better than ``"Assistant: "``).

Pure functions: no Inspect objects.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from af_inspect import params

PromptFormat = Literal["chat", "base"]
PROMPT_FORMATS: tuple[PromptFormat, ...] = ("chat", "base")

PLACEHOLDERS = ("system", "user", "prefill")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

DEFAULT_TEMPLATE_TEXT = "{system}\n\nHuman: {user}\n\nAssistant: {prefill}"
DEFAULT_STOP: tuple[str, ...] = ("\n\nHuman:",)


@dataclass(frozen=True)
class BaseTemplate:
    """A checked dialogue format: the document template and the stop sequences of its turn."""

    template: str
    stop: tuple[str, ...]
    file: str | None = None
    sha256: str | None = None

    def render(self, *, system: str, user: str, prefill: str) -> str:
        """The document sent to the model (one pass: inserted values are never re-read)."""
        values = {"system": system, "user": user, "prefill": prefill}
        document = _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.template)
        return document if prefill else document.rstrip(" ")

    def record(self) -> dict[str, Any]:
        """The task metadata of the format (the log's record)."""
        return {
            "kind": "base",
            "template": self.template,
            "stop": list(self.stop),
            "file": self.file,
            "sha256": self.sha256,
        }


def template_problems(template: str, stop: object) -> list[str]:
    """What is wrong with a template and its stop sequences (empty when nothing is)."""
    problems = []
    names = _PLACEHOLDER.findall(template)
    for name in ("system", "user", "prefill"):
        if names.count(name) != 1:
            problems.append(f"'{{{name}}}' must appear exactly once (found {names.count(name)})")
    unknown = sorted(set(names) - set(PLACEHOLDERS))
    if unknown:
        problems.append(
            "unknown placeholders "
            + ", ".join(f"'{{{n}}}'" for n in unknown)
            + " (allowed: {system}, {user}, {prefill})"
        )
    if not template.endswith("{prefill}"):
        problems.append("the template must end with '{prefill}', where the model continues")
    if (
        not isinstance(stop, (list, tuple))
        or not stop
        or not all(isinstance(s, str) and s for s in stop)
    ):
        problems.append("'stop' must be a non-empty list of non-empty strings")
    return problems


DEFAULT_TEMPLATE = BaseTemplate(DEFAULT_TEMPLATE_TEXT, DEFAULT_STOP)


def load_base_template(value: Any, name: str = "base_template") -> BaseTemplate:
    """The dialogue format a parameter names: None for the default, else a YAML file's.

    Raises `ParameterError` naming the parameter and the file for a missing or broken file.
    """
    if value is None:
        return DEFAULT_TEMPLATE
    path = Path(params.text(name, value)).expanduser()
    if not path.is_file():
        raise params.ParameterError(
            f"Parameter {name!r}: no file at {path}; it accepts the path of a YAML file with "
            "'template' and 'stop' (see docs/base-models.md)."
        )
    try:
        data = path.read_bytes()
        loaded = yaml.safe_load(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise params.ParameterError(
            f"Parameter {name!r}: cannot read {path} as YAML ({error})."
        ) from None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("template"), str):
        raise params.ParameterError(
            f"Parameter {name!r}: {path} must be a YAML mapping with a string 'template' and a "
            "list 'stop'."
        )
    extra = sorted(set(loaded) - {"template", "stop"})
    template, stop = loaded["template"], loaded.get("stop")
    problems = template_problems(template, stop)
    if extra:
        problems.append("unknown keys " + ", ".join(repr(k) for k in extra))
    if problems:
        raise params.ParameterError(f"Parameter {name!r}: {path}: " + "; ".join(problems) + ".")
    assert isinstance(stop, (list, tuple))
    return BaseTemplate(
        template,
        tuple(stop),
        file=str(path.resolve()),
        sha256=hashlib.sha256(data).hexdigest(),
    )
