"""Prompt assembly: the upstream system prompts and instruction formats, rendered as upstream does.

Upstream renders each file with Jinja2 (`FileSystemLoader(<repo root>)`, defaults otherwise, so every
template loses one trailing newline), then fills the instruction format with `str.format`. The files
themselves are loaded at run time through `af_inspect.assets`; none of their text lives here.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import jinja2

from af_inspect.assets import AssetJinjaLoader, jinja_environment
from af_inspect.errors import UsageError
from af_inspect.types import Tier

SystemPromptKind = Literal["prompt_only", "synthetic"]
SYSTEM_PROMPT_KINDS: tuple[SystemPromptKind, ...] = ("prompt_only", "synthetic")

SYSTEM_PROMPT_PATHS: dict[tuple[SystemPromptKind, bool], str] = {
    ("prompt_only", True): "prompts/system_prompts/helpful-only_prompt-only_cot.jinja2",
    ("prompt_only", False): "prompts/system_prompts/helpful-only_prompt-only_no-cot.jinja2",
    ("synthetic", True): "prompts/system_prompts/helpful-only_synthetic_cot.jinja2",
    ("synthetic", False): "prompts/system_prompts/helpful-only_synthetic_no-cot.jinja2",
}
"""(kind, cot) -> upstream path. "prompt_only" is the paper's "with training details" prompt,
"synthetic" the "without training details" prompt used with synthetic-document fine-tunes."""


def instruction_format_name(*, cot: bool, suffix: bool) -> str:
    """The upstream instruction-format file name for a setting.

    With the accept/reject suffix upstream uses `tags_cot`; no `tags_no-cot` file is known, so the
    no-CoT + suffix setting also uses `tags_cot` (whose last sentence mentions the hidden scratchpad;
    see docs/choices.md). Without the suffix: `cot` or `no-cot`.
    """
    if suffix:
        return "tags_cot"
    return "cot" if cot else "no-cot"


FORMAT_FIELDS = ("user_input", "is_free_tier_user")
"""The placeholders an instruction format may use (upstream offers both to `str.format`)."""

REQUIRED_FORMAT_FIELDS = ("user_input",)
"""The placeholders an instruction format must use: without `{user_input}` the query is never
sent."""


class PromptTemplateError(UsageError):
    """A prompt file that cannot be used as it is; the message names the file and the fix."""


def check_instruction_format(
    text: str, *, where: str, allowed_fields: Sequence[str] = FORMAT_FIELDS
) -> None:
    """Refuse an instruction format that is empty, is not a valid `str.format` template, lacks
    `{user_input}` or uses a placeholder that is never filled (one not in `allowed_fields`)."""
    if not text.strip():
        raise PromptTemplateError(
            f"Instruction format {where} is empty; it must contain {{user_input}}, where the "
            "query goes."
        )
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError as error:
        raise PromptTemplateError(
            f"Instruction format {where} is not a valid format string ({error}); write a "
            "literal brace as {{ or }}."
        ) from None
    names = {field.split(".")[0].split("[")[0] for field in fields}
    unknown = sorted(names - set(allowed_fields))
    missing = [name for name in REQUIRED_FORMAT_FIELDS if name not in names]
    allowed = ", ".join(f"{{{name}}}" for name in allowed_fields)
    if unknown:
        shown = ", ".join(f"{{{name}}}" for name in unknown)
        raise PromptTemplateError(
            f"Instruction format {where} has the placeholder(s) {shown}, which are never "
            f"filled; the placeholders are {allowed} (write a literal brace as {{{{ or }}}})."
        )
    if missing:
        raise PromptTemplateError(
            f"Instruction format {where} has no {{user_input}}, so the query would never be "
            "sent; put {user_input} where the query goes."
        )


def instruction_format_path(tier: Tier, format_name: str) -> str:
    return f"prompts/instruction_formats/{tier.value}_tier_formats/{format_name}.jinja2"


@dataclass(frozen=True)
class UserFile:
    """A user-supplied prompt file, recorded in the log beside the upstream assets."""

    path: str
    sha256: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "sha256": self.sha256, "origin": "user_file"}


def render_system_prompt(
    kind: SystemPromptKind, *, cot: bool, file: str | None = None
) -> tuple[str, UserFile | None]:
    """Render the system prompt: the upstream template, or a user's Jinja2 file.

    A user's file may `{% include %}` upstream paths (resolved through the asset lookup) or files
    beside it.
    """
    if file is None:
        template = jinja_environment().get_template(SYSTEM_PROMPT_PATHS[(kind, cot)])
        return _non_empty(render(template), template.filename or template.name), None
    path = Path(file).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"system_prompt_file not found: {path}")
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(path.parent)), AssetJinjaLoader()]),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
    )
    text = _non_empty(render(environment.get_template(path.name)), str(path))
    return text, UserFile(str(path), hashlib.sha256(path.read_bytes()).hexdigest())


def render(template: jinja2.Template) -> str:
    """Render a template; an undefined variable is an error naming the file and the variable."""
    try:
        return template.render()
    except jinja2.UndefinedError as error:
        raise PromptTemplateError(
            f"Template {template.filename or template.name} uses a variable that is not defined "
            f"({error}). Upstream templates render with no variables: check the file, or the "
            "files it includes."
        ) from None


def _non_empty(text: str, where: str | None) -> str:
    if not text.strip():
        raise PromptTemplateError(f"System prompt {where} is empty after rendering.")
    return text


def load_instruction_format(tier: Tier, format_name: str) -> str:
    """The rendered (Jinja) instruction format for a tier, still holding `{user_input}`.

    Checked with `check_instruction_format`, naming the file it was read from.
    """
    path = instruction_format_path(tier, format_name)
    template = jinja_environment().get_template(path)
    text = render(template)
    check_instruction_format(text, where=f"{path} (read from {template.filename})")
    return text


def fill_instruction_format(template: str, *, user_input: str, tier: Tier) -> str:
    """Fill an instruction format as upstream does: `str.format`, tier flag offered too.

    Upstream passes `is_free_tier_user` when the template takes it and falls back to `user_input`
    alone; extra keyword arguments are ignored by `str.format`, so one call covers both.
    """
    return template.format(user_input=user_input, is_free_tier_user=tier.is_free_tier_user)
