"""`af-inspect paraphrase`: the request, the reading and checking of answers, and the command
run in-process against a scripted model that returns a known paraphrase and broken ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from af_inspect import cli, helpful_only
from af_inspect.paraphrases import load_paraphrases
from af_inspect.paraphrases.files import sha256_text
from af_inspect.paraphrases.generate import (
    BEGIN,
    END,
    EXAMPLES_PLACEHOLDER,
    Source,
    extract_paraphrase,
    instruction_sha256,
    request_text,
    review,
    scenario_source,
    slot_ids,
)
from tests.scripted_judge import CALLS, Call, register
from tests.test_paraphrase_files import EXAMPLES, ORIGINAL, REWORDED, TAIL

SOURCE = Source(
    text=ORIGINAL,
    examples=EXAMPLES,
    condition_tag="is_free_tier_user",
    condition_names=("free", "paid"),
    scenario="synthetic",
)


def test_the_request_hides_the_examples_and_names_the_slot() -> None:
    request = request_text(SOURCE, index=2, k=3, attempt=1)
    assert EXAMPLES not in request and request.count(EXAMPLES_PLACEHOLDER) == 2
    assert "rewording 2 of 3 (request 1)" in request and "<is_free_tier_user>" in request
    assert request != request_text(SOURCE, index=2, k=3, attempt=2)
    assert slot_ids(3) == ["01", "02", "03"] and slot_ids(100)[0] == "001"


def test_answers_are_read_between_the_lines_and_the_examples_put_back() -> None:
    body = REWORDED + EXAMPLES_PLACEHOLDER + TAIL
    answer = f"Sure.\n{BEGIN}\n{body}\n{END}\nDone."
    assert extract_paraphrase(answer) == body
    assert extract_paraphrase(body) is None
    draft = review("01", 1, answer, "stop", SOURCE)
    assert draft.accepted and draft.text == REWORDED + EXAMPLES + TAIL
    assert review("01", 1, body, "stop", SOURCE).problems == [
        f"the answer has no {BEGIN} / {END} lines"
    ]
    twice = f"{BEGIN}\n{body}{EXAMPLES_PLACEHOLDER}\n{END}"
    assert "occurs 2 times" in review("01", 1, twice, "stop", SOURCE).problems[0]
    assert "cut off" in review("01", 1, answer, "max_tokens", SOURCE).problems[0]
    broken = answer.replace("<OUTPUT>", "<ANSWER>")
    assert any("missing: <OUTPUT>" in p for p in review("02", 1, broken, "stop", SOURCE).problems)


# ------------------------------------------------------------------ the command, scripted model

MARKER = "SYNTHETIC TEST PARAPHRASE {slot} (not a real rewording).\n"


def _source_of(call: Call) -> str:
    return call.user.split("SOURCE START\n", 1)[1].rsplit("\nSOURCE END", 1)[0]


def _script(call: Call) -> list[str]:
    """Slot 1: a known paraphrase. Slot 2: `<OUTPUT>` renamed on its first request, then the
    known kind. Slot 3: never the BEGIN/END lines."""
    match = re.search(r"rewording (\d+) of \d+ \(request (\d+)\)", call.user)
    assert match is not None
    slot, attempt = int(match.group(1)), int(match.group(2))
    source = _source_of(call)
    if slot == 3:
        return [MARKER.format(slot=slot) + source]
    if slot == 2 and attempt == 1:
        return [f"{BEGIN}\n{source.replace('<OUTPUT>', '<FINAL>')}\n{END}"]
    return [f"Here it is.\n{BEGIN}\n{MARKER.format(slot=slot)}{source}\n{END}\n"]


def test_paraphrase_command_writes_checked_paraphrases(
    reference_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = register("paraphraser", _script)
    out = tmp_path / "paraphrases"
    args = ["paraphrase", "--model", model, "--k", "3", "--out", str(out), "--seed", "7"]
    assert cli.main([*args, "--attempts", "2"]) == cli.EXIT_FAILURE
    captured = capsys.readouterr()
    assert "wrote 2 of 3 paraphrases" in captured.out
    assert "rejected 02 (attempt 1): tags of the original are missing: <OUTPUT>" in captured.err
    assert "1 slot(s) got no paraphrase" in captured.err

    source = scenario_source("helpful_only")
    assert source.examples is not None
    calls = CALLS["paraphraser"]
    assert len(calls) == 5  # slot 1 once, slot 2 twice, slot 3 twice
    assert all(source.examples not in call.user for call in calls)
    assert {call.config.seed for call in calls} == {7} and calls[0].config.temperature == 1.0

    # the known paraphrase, with the examples block put back byte for byte
    expected = MARKER.format(slot=1) + source.text
    assert (out / "01.txt").read_text(encoding="utf-8") == expected
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in manifest["paraphrases"]] == ["01", "02"]
    assert manifest["paraphrases"][0]["sha256"] == sha256_text(expected)
    assert manifest["paraphrases"][1]["attempt"] == 2
    assert manifest["source"]["sha256"] == sha256_text(source.text)
    assert manifest["source"]["tags"]["<OUTPUT>"] == manifest["paraphrases"][0]["tags"]["<OUTPUT>"]
    generator = manifest["generator"]
    assert generator["model"] == model and generator["seed"] == 7
    assert generator["instruction_sha256"] == instruction_sha256() and generator["date"]
    rejected = {(r["id"], r["attempt"]): r for r in manifest["rejected"]}
    assert sorted(rejected) == [("02", 1), ("03", 1), ("03", 2)]
    assert "no BEGIN PARAPHRASE" in rejected[("03", 1)]["problems"][0]
    assert (out / rejected[("02", 1)]["file"]).is_file()

    # the directory runs as it is; the rejected drafts are not paraphrases
    assert load_paraphrases(out).ids == ["01", "02"]
    task = helpful_only(dataset="synthetic", num_queries=1, scorers="tags", paraphrases=str(out))
    assert len(task.dataset) == 4

    # the same command again makes no new request: Inspect's cache answers
    again = tmp_path / "again"
    assert cli.main([*args[:-4], "--out", str(again), "--seed", "7", "--attempts", "2"]) == 1
    assert len(CALLS["paraphraser"]) == 5
    assert (again / "01.txt").read_text(encoding="utf-8") == expected


def test_paraphrase_command_refuses_a_used_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "01.txt").write_text("x", encoding="utf-8")
    code = cli.main(
        ["paraphrase", "--model", "af_scripted/none", "--k", "1", "--out", str(tmp_path)]
    )
    assert code == cli.EXIT_FAILURE
    assert "is not empty" in capsys.readouterr().err
