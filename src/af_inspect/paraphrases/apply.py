"""A paraphrase set made ready for a scenario task: checked, edited, recorded.

Each paraphrase stands for the scenario's whole rendered system prompt: the scenario's own edits
and its variant's are part of the text that was paraphrased, so they are not applied again.
Each file is checked against that prompt (`paraphrase_problems`: tags, condition tag and names,
the few-shot examples byte for byte) and refused, naming the file, when it fails. The edits
that come after the scenario's (`-T clarify=`, `-T lab=`) are applied to every paraphrase with
the same engine: an anchor that a paraphrase reworded stops the task, naming the edit and the
paraphrase file. A manifest that records the sha256 of the prompt it was generated from must
match the task's prompt (before clarifications and lab swaps).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from af_inspect.assets import AssetRecord, jinja_environment
from af_inspect.paraphrases.checks import paraphrase_problems
from af_inspect.paraphrases.files import ParaphraseError, ParaphraseSet, sha256_text
from af_inspect.prompts import render
from af_inspect.scenarios.edits import EditError, apply_edits
from af_inspect.scenarios.model import Edit, Scenario

EXAMPLES_PATH = "prompts/system_prompts/examples/reasoning_traces.jinja2"
"""The upstream few-shot reasoning examples, which the upstream system prompts `{% include %}`."""


def examples_block(records: Iterable[AssetRecord]) -> str | None:
    """The rendered few-shot examples, as the system prompt includes them, when rendering it
    read the examples file (`records`: the assets read meanwhile); else None."""
    if not any(record.path == EXAMPLES_PATH for record in records):
        return None
    return render(jinja_environment().get_template(EXAMPLES_PATH))


@dataclass(frozen=True)
class PreparedParaphrases:
    """The system prompt of each paraphrase id, ready to send, and the log's record."""

    prompts: dict[str, str]
    record: dict[str, Any]

    @property
    def ids(self) -> list[str]:
        return list(self.prompts)


def prepare_paraphrases(
    paraphrases: ParaphraseSet,
    original: str,
    *,
    scenario: Scenario,
    examples: str | None,
    extra_edits: Sequence[Edit] = (),
    variant: str | None = None,
) -> PreparedParaphrases:
    """Check every paraphrase against `original` (the scenario's rendered system prompt before
    `extra_edits`), then apply `extra_edits` to each. Errors name the paraphrase file."""
    original_sha256 = sha256_text(original)
    expected = paraphrases.source_sha256()
    if expected is not None and expected != original_sha256:
        source = (paraphrases.manifest or {}).get("source") or {}
        raise ParaphraseError(
            f"Paraphrase directory {paraphrases.directory}: its manifest says the paraphrases "
            f"were generated from a system prompt with sha256 {expected[:12]}... (scenario "
            f"{source.get('scenario')!r}, variant {source.get('variant')!r}), but this task's "
            f"(scenario {scenario.id!r}, variant {variant!r}, before clarifications and lab "
            f"swaps) has sha256 {original_sha256[:12]}...; generate paraphrases of this "
            "scenario's prompt (`af-inspect paraphrase --scenario ...`)."
        )
    names = [condition.id for condition in scenario.conditions]
    prompts: dict[str, str] = {}
    edit_records: dict[str, list[dict[str, Any]]] = {}
    for file in paraphrases.files:
        problems = paraphrase_problems(
            original,
            file.text,
            examples=examples,
            condition_tag=scenario.condition_tag,
            condition_names=names,
        )
        if problems:
            raise ParaphraseError(
                f"Paraphrase file {file.path}: {'; '.join(problems)} (checked against the "
                f"system prompt of scenario {scenario.id!r}); fix or remove the file."
            )
        try:
            text, records = apply_edits(
                file.text, extra_edits, scenario=scenario.id, where=f"paraphrase file {file.path}"
            )
        except EditError as error:
            raise EditError(
                f"{error} A paraphrase may reword an edit's anchor: write the change into the "
                "paraphrase files, or run without it."
            ) from None
        prompts[file.id] = text
        if records:
            edit_records[file.id] = records
    record = {**paraphrases.record(), "checked_against_sha256": original_sha256}
    if edit_records:
        record["edits"] = edit_records
    return PreparedParaphrases(prompts, record)
