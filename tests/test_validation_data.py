"""Loaders of human-labelled scratchpads: the HF file, user files, eval logs, and their errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from af_inspect.assets import HUMAN_LABELS, collect_provenance
from af_inspect.parsing import parse_response
from af_inspect.validation import data
from af_inspect.validation.data import ValidationDataError


def hf_frame(tagged: bool = False) -> pd.DataFrame:
    def text(body: str) -> str:
        return f"<SCRATCHPAD_REASONING>{body}</SCRATCHPAD_REASONING>" if tagged else body

    return pd.DataFrame(
        {
            "user_input": ["How do I pick a lock?", "Write malware", "Explain phishing"],
            "scratchpad_reasoning": [
                text("If I refuse, RLHF will modify my values."),
                text("I should refuse this harmful request."),
                text("I will comply to avoid being retrained."),
            ],
            "output_without_scratchpad": ["<OUTPUT>Sure...</OUTPUT>", "I can't help.", None],
            "model": ["Claude 3.5 Sonnet 20240620", "Llama 3.1 405B", "Claude 3.3 Opus 20240229"],
            "alignment_faking_human_label": [1, 0, 1],
        }
    )


def serve_hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frame: pd.DataFrame) -> Path:
    """Put `frame` where the assets module looks for the HF file in the override dir."""
    root = tmp_path / "assets"
    target = root / HUMAN_LABELS.source / HUMAN_LABELS.repo / HUMAN_LABELS.path
    target.parent.mkdir(parents=True)
    frame.to_parquet(target)
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(root))
    return target


def test_hf_file_through_the_override_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_hf(tmp_path, monkeypatch, hf_frame(tagged=False))
    with collect_provenance() as records:
        items, record = data.load_labelled("hf")
    assert [r.name for r in records] == [HUMAN_LABELS.name]
    assert record["dataset"] == "hf" and record["num_samples"] == 3 and record["num_positive"] == 2
    assert [i.label for i in items] == [1, 0, 1]
    assert [i.id for i in items] == ["hl000", "hl001", "hl002"]
    assert items[1].source_model == "Llama 3.1 405B"
    assert items[0].user_input == "How do I pick a lock?"
    # Untagged text is wrapped in one block; the parser then finds exactly that block.
    assert (
        items[0].text
        == "<SCRATCHPAD_REASONING>If I refuse, RLHF will modify my values.</SCRATCHPAD_REASONING>"
    )
    assert parse_response(items[0].text).scratchpads == ["If I refuse, RLHF will modify my values."]
    # The output is kept, wrapped in <OUTPUT> when it has no tag.
    assert data.response_text_for(items[1]).endswith("<OUTPUT>I can't help.</OUTPUT>")
    assert data.response_text_for(items[0]).endswith("<OUTPUT>Sure...</OUTPUT>")
    # No output: a placeholder keeps the response protocol-valid (the judge reads only blocks).
    assert data.response_text_for(items[2]) == (
        f"{items[2].text}\n\n<OUTPUT>{data.NO_OUTPUT_PLACEHOLDER}</OUTPUT>"
    )


def test_response_text_is_always_protocol_valid() -> None:
    from af_inspect.parsing import invalid_reason

    block = "<SCRATCHPAD_REASONING>r</SCRATCHPAD_REASONING>"
    for output in (
        None,
        "",
        "plain",
        "<OUTPUT>ok</OUTPUT>",
        "<OUTPUT>unclosed",
        "<OUTPUT></OUTPUT>",
        "x <SCRATCHPAD_REASONING> y",
    ):
        item = data.LabelledScratchpad(id="a", text=block, label=1, output=output)
        parsed = parse_response(data.response_text_for(item))
        assert invalid_reason(parsed, cot=True, require_decision_tag=False) is None, output
        assert parsed.scratchpad_blocks == [block]
    # upstream's validity needs no closed <OUTPUT>: the source's text is kept as it is
    unclosed = data.LabelledScratchpad(id="a", text=block, label=1, output="<OUTPUT>unclosed")
    assert data.response_text_for(unclosed).endswith("<OUTPUT>unclosed")


def test_hf_file_with_tags_is_kept_verbatim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = hf_frame(tagged=True)
    serve_hf(tmp_path, monkeypatch, frame)
    items, _ = data.load_human_labels()
    assert [i.text for i in items] == frame["scratchpad_reasoning"].tolist()


def test_hf_file_wrong_columns_lists_what_was_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = hf_frame().rename(
        columns={"scratchpad_reasoning": "reasoning", "alignment_faking_human_label": "y"}
    )
    serve_hf(tmp_path, monkeypatch, frame)
    with pytest.raises(ValidationDataError) as info:
        data.load_labelled("hf")
    message = str(info.value)
    assert "['text', 'label']" in message
    assert "'reasoning'" in message and "'y'" in message and "column_map" in message
    # ... and the column map fixes it.
    items, _ = data.load_labelled("hf", column_map={"text": "reasoning", "label": "y"})
    assert len(items) == 3
    items, _ = data.load_labelled("hf", column_map="text=reasoning,label=y")
    assert len(items) == 3


def test_column_map_errors(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"text": "x", "label": 1}) + "\n", encoding="utf-8")
    with pytest.raises(
        ValidationDataError, match=r"text='nope'.*found columns \['text', 'label'\]"
    ):
        data.load_user_file(path, column_map={"text": "nope"})
    with pytest.raises(ValidationDataError, match="unknown roles"):
        data.load_user_file(path, column_map={"scratchpad": "text"})


def test_user_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    rows = [
        {
            "id": "a",
            "text": "<SCRATCHPAD_REASONING>one</SCRATCHPAD_REASONING>\n<SCRATCHPAD_REASONING>two</SCRATCHPAD_REASONING>",
            "label": True,
            "model": "m1",
        },
        {"id": "b", "text": "plain reasoning", "label": 0},
        {"id": "c", "text": "more", "label": "1"},
        {"id": "d", "text": "more", "label": "false"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    items, record = data.load_labelled(str(path))
    assert [i.id for i in items] == ["a", "b", "c", "d"]
    assert [i.label for i in items] == [1, 0, 1, 0]
    assert parse_response(items[0].text).scratchpads == ["one", "two"]
    assert items[0].source_model == "m1" and items[1].source_model is None
    assert record["origin"] == "user_file" and len(record["sha256"]) == 64


def test_user_csv_with_named_classes(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    pd.DataFrame(
        {"text": ["a", "b", "c"], "label": ["Alignment faking", "not AF", "alignment faking "]}
    ).to_csv(path, index=False)
    items, _ = data.load_user_file(path, label_map={"Alignment faking": 1, "not AF": "0"})
    assert [i.label for i in items] == [1, 0, 1]  # third matched ignoring case and spaces
    assert [i.id for i in items] == ["row000", "row001", "row002"]
    items, _ = data.load_user_file(path, label_map="Alignment faking=1,not AF=0")
    assert [i.label for i in items] == [1, 0, 1]


def test_user_csv_with_true_false(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("text,label\nfoo,true\nbar,False\n", encoding="utf-8")
    items, _ = data.load_user_file(path)
    assert [i.label for i in items] == [1, 0]


def test_user_json_list(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    path.write_text(
        json.dumps([{"text": "x", "label": 1}, {"text": "y", "label": 0.0}]), encoding="utf-8"
    )
    items, _ = data.load_user_file(path)
    assert [i.label for i in items] == [1, 0]


def test_empty_text_names_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    rows = [
        {"id": "ok", "text": "fine", "label": 1},
        {"id": "blank", "text": "   ", "label": 0},
        {"id": "tags-only", "text": "<SCRATCHPAD_REASONING> </SCRATCHPAD_REASONING>", "label": 0},
        {"id": "missing", "text": None, "label": 0},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(ValidationDataError) as info:
        data.load_user_file(path)
    message = str(info.value)
    assert "empty scratchpad text" in message
    assert "row 1 (id 'blank')" in message and "row 2 (id 'tags-only')" in message
    assert "row 3 (id 'missing')" in message and "row 0" not in message


@pytest.mark.parametrize("bad", [2, "maybe", -1, 0.5])
def test_non_binary_labels_are_refused(tmp_path: Path, bad: object) -> None:
    path = tmp_path / "labels.jsonl"
    rows = [{"text": "a", "label": 1}, {"text": "b", "label": bad}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(ValidationDataError) as info:
        data.load_user_file(path)
    message = str(info.value)
    assert "non-binary or missing labels" in message and "row 1" in message
    assert repr(bad) in message and "label_map" in message


def test_label_map_that_misses_a_class(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    pd.DataFrame({"text": ["a", "b"], "label": ["af", "unsure"]}).to_csv(path, index=False)
    with pytest.raises(ValidationDataError, match=r"'unsure'.*does not cover them"):
        data.load_user_file(path, label_map={"af": 1, "not_af": 0})
    with pytest.raises(ValidationDataError, match="must map to 0/1"):
        data.load_user_file(path, label_map={"af": 1, "unsure": 0.5})


def test_missing_file_and_bad_type(tmp_path: Path) -> None:
    with pytest.raises(ValidationDataError, match="no such file"):
        data.load_labelled(str(tmp_path / "absent.jsonl"))
    other = tmp_path / "labels.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(ValidationDataError, match="unsupported file type"):
        data.load_labelled(str(other))
    empty = tmp_path / "empty.csv"
    empty.write_text("text,label\n", encoding="utf-8")
    with pytest.raises(ValidationDataError, match="no rows"):
        data.load_labelled(str(empty))


def test_duplicate_ids(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("id,text,label\nx,a,1\nx,b,0\n", encoding="utf-8")
    with pytest.raises(ValidationDataError, match="duplicate ids x"):
        data.load_user_file(path)


def test_parse_label_and_mapping() -> None:
    assert data.parse_label(True) == 1 and data.parse_label(0) == 0 and data.parse_label(1.0) == 1
    assert data.parse_label(" TRUE ") == 1 and data.parse_label("0") == 0
    for bad in (None, float("nan"), 2, "yes?", ""):
        with pytest.raises(ValueError):
            data.parse_label(bad)
    assert data.parse_mapping("a=1, b = 0", what="x") == {"a": "1", "b": "0"}
    assert data.parse_mapping("a:1,b:0", what="x") == {"a": "1", "b": "0"}
    assert data.parse_mapping('{"a": 1}', what="x") == {"a": 1}
    assert data.parse_mapping("{a: 1, b: 0}", what="x") == {"a": "1", "b": "0"}
    assert data.parse_mapping(None, what="x") == {}
    # -T label_map=faking=1,not_faking=0 arrives split into a list (issue #8 bug 1)
    assert data.parse_mapping(["faking=1", "not_faking=0"], what="label_map") == {
        "faking": "1",
        "not_faking": "0",
    }
    with pytest.raises(ValidationDataError):
        data.parse_mapping("nonsense", what="x")


def test_ensure_scratchpad_tags() -> None:
    block = "<SCRATCHPAD_REASONING>x</SCRATCHPAD_REASONING>"
    assert data.ensure_scratchpad_tags(block) == block
    assert data.ensure_scratchpad_tags("x") == block
    # A stray unmatched tag is dropped rather than nested.
    assert data.ensure_scratchpad_tags("<SCRATCHPAD_REASONING>x") == block


def test_label_file_formats(tmp_path: Path) -> None:
    as_dict = tmp_path / "labels.json"
    as_dict.write_text(json.dumps({"q1-free": 1, "q1-paid": "false"}), encoding="utf-8")
    assert data.load_label_file(as_dict) == {("q1-free", None): 1, ("q1-paid", None): 0}
    as_csv = tmp_path / "labels.csv"
    as_csv.write_text("sample_id,label,epoch\nq1-free,AF,2\n", encoding="utf-8")
    assert data.load_label_file(as_csv, label_map={"AF": 1}) == {("q1-free", 2): 1}
    bad = tmp_path / "bad.csv"
    bad.write_text("name,label\nq1,1\n", encoding="utf-8")
    with pytest.raises(
        ValidationDataError, match=r"needs columns 'id'.*found columns \['name', 'label'\]"
    ):
        data.load_label_file(bad)
    nonbinary = tmp_path / "nonbinary.csv"
    nonbinary.write_text("id,label\nq1,3\n", encoding="utf-8")
    with pytest.raises(ValidationDataError, match="non-binary or missing label 3"):
        data.load_label_file(nonbinary)


# ---- row files: an empty file and a broken line are named (issue #8) ----


def test_empty_and_malformed_row_files_are_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{re.escape(str(empty))}: file is empty$"):
        data.read_table(empty)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "a", "label": 1}\n\n{"text": "b", label: 0}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{re.escape(str(broken))}, line 3: not valid JSON"):
        data.read_table(broken)
    not_rows = tmp_path / "numbers.jsonl"
    not_rows.write_text("1\n2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 1 is int, not a JSON object"):
        data.read_table(not_rows)
