"""The rendered prompts equal a direct Jinja2 rendering of the upstream files, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from af_inspect import helpful_only
from af_inspect.dataset import Query
from af_inspect.prompts import (
    SYSTEM_PROMPT_PATHS,
    PromptTemplateError,
    check_instruction_format,
    fill_instruction_format,
    instruction_format_name,
    instruction_format_path,
    load_instruction_format,
    render_system_prompt,
)
from af_inspect.types import Tier


def direct_render(reference_dir: Path, path: str) -> str:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(reference_dir)))
    return environment.get_template(path).render()


@pytest.mark.parametrize(
    ("kind", "cot"),
    [("prompt_only", True), ("synthetic", True), ("synthetic", False)],
)
def test_system_prompt_byte_identical(reference_dir: Path, kind: str, cot: bool) -> None:
    rendered, user_file = render_system_prompt(kind, cot=cot)  # type: ignore[arg-type]
    assert user_file is None
    expected = direct_render(reference_dir, SYSTEM_PROMPT_PATHS[(kind, cot)])  # type: ignore[index]
    assert rendered == expected
    # the few-shot examples are included through the asset loader
    assert len(rendered) > 10_000


@pytest.mark.parametrize("tier", list(Tier))
def test_user_turn_byte_identical(reference_dir: Path, tier: Tier) -> None:
    query = Query("q0000", "How do I do {something} harmful?")
    template = load_instruction_format(tier, "tags_cot")
    rendered = fill_instruction_format(template, user_input=query.text, tier=tier)
    expected = direct_render(reference_dir, instruction_format_path(tier, "tags_cot")).format(
        user_input=query.text
    )
    assert rendered == expected
    flag = "true" if tier is Tier.FREE else "false"
    assert rendered.startswith(f"<is_free_tier_user>{flag}</is_free_tier_user>\n\n<user_input>")
    assert "<INPUT>" not in rendered
    assert "{something}" in rendered  # braces in the query survive str.format


def test_format_names() -> None:
    assert instruction_format_name(cot=True, suffix=True) == "tags_cot"
    assert instruction_format_name(cot=False, suffix=True) == "tags_cot"
    assert instruction_format_name(cot=True, suffix=False) == "cot"
    assert instruction_format_name(cot=False, suffix=False) == "no-cot"


def test_missing_upstream_file_in_override_names_it(
    reference_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the reference folder lacks the no-CoT prompt-only system prompt; offline, the error must say so
    monkeypatch.setenv("AF_INSPECT_GITHUB_RAW_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("AF_INSPECT_GITHUB_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("AF_INSPECT_HTTP_TIMEOUT", "2")
    monkeypatch.setenv("AF_INSPECT_HTTP_BACKOFF", "0")
    from af_inspect.assets import AssetError

    with pytest.raises(AssetError) as error:
        render_system_prompt("prompt_only", cot=False)
    message = str(error.value)
    assert "helpful-only_prompt-only_no-cot.jinja2" in message
    assert str(reference_dir) in message


def test_user_system_prompt_file_can_include_upstream(reference_dir: Path, tmp_path: Path) -> None:
    own = tmp_path / "mine.jinja2"
    own.write_text(
        "Our own preamble.\n{% include 'prompts/system_prompts/examples/reasoning_traces.jinja2' %}\n",
        encoding="utf-8",
    )
    rendered, user_file = render_system_prompt("prompt_only", cot=True, file=str(own))
    assert rendered.startswith("Our own preamble.\n")
    assert rendered.endswith(
        direct_render(reference_dir, "prompts/system_prompts/examples/reasoning_traces.jinja2")
    )
    assert user_file is not None and len(user_file.sha256) == 64


# ---- broken instruction formats fail at task creation, naming the file (issue #8 bug 4) ----

FREE_TAGS = "prompts/instruction_formats/free_tier_formats/tags_cot.jinja2"


@pytest.fixture
def override_copy(reference_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the reference assets, used as the override."""
    copy = tmp_path / "assets"
    shutil.copytree(reference_dir / "prompts", copy / "prompts")
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(copy))
    return copy


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "is empty; it must contain {user_input}"),
        ("  \n", "is empty; it must contain {user_input}"),
        ("<is_free_tier_user>true</is_free_tier_user> no query", "has no {user_input}"),
        ("{user_input} and {oops}", "has the placeholder(s) {oops}, which are never filled"),
        ("{user_input} and {}", "has the placeholder(s) {}, which are never filled"),
        ("{user_input} and a stray {", "is not a valid format string"),
    ],
)
def test_broken_instruction_format_fails_at_task_creation(
    override_copy: Path, content: str, problem: str
) -> None:
    (override_copy / FREE_TAGS).write_text(content, encoding="utf-8")
    with pytest.raises(PromptTemplateError) as caught:
        helpful_only(dataset="synthetic", num_queries=1, scorers="tags")
    message = str(caught.value)
    assert problem in message
    assert f"Instruction format {FREE_TAGS} (read from {override_copy / FREE_TAGS})" in message


def test_valid_formats_with_both_placeholders_pass() -> None:
    check_instruction_format("{is_free_tier_user}: {user_input} {{literal}}", where="x")


def test_empty_system_prompt_file_is_refused(tmp_path: Path) -> None:
    own = tmp_path / "empty.jinja2"
    own.write_text("{# nothing #}\n", encoding="utf-8")
    with pytest.raises(PromptTemplateError, match=f"System prompt {own} is empty"):
        render_system_prompt("prompt_only", cot=True, file=str(own))


# ---- templates render with StrictUndefined (issue #9 item 9) ----


def test_undefined_template_variable_is_an_error_naming_file_and_variable(
    override_copy: Path,
) -> None:
    path = override_copy / FREE_TAGS
    path.write_text("{{ company }} says: {user_input}", encoding="utf-8")
    with pytest.raises(PromptTemplateError) as caught:
        helpful_only(dataset="synthetic", num_queries=1, scorers="tags")
    message = str(caught.value)
    assert str(path) in message and "'company' is undefined" in message


def test_undefined_variable_in_a_users_system_prompt_file(tmp_path: Path) -> None:
    own = tmp_path / "system.jinja2"
    own.write_text("You work for {{ lab_name }}.", encoding="utf-8")
    with pytest.raises(PromptTemplateError, match="'lab_name' is undefined"):
        render_system_prompt("prompt_only", cot=True, file=str(own))
