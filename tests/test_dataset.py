"""Query loading and (query, tier) sample construction."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from af_inspect.dataset import DatasetError, Query, build_samples, load_queries, parse_tiers
from af_inspect.types import Tier


def test_synthetic_queries_need_no_download() -> None:
    queries, record = load_queries("synthetic", 5)
    assert [q.id for q in queries] == ["q0000", "q0001", "q0002", "q0003", "q0004"]
    assert record == {"dataset": "synthetic", "origin": "built-in placeholders", "num_queries": 5}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".json"])
def test_user_files(tmp_path: Path, suffix: str) -> None:
    rows = ["first {braced} query", "second, with comma", 'third "quoted"']
    path = tmp_path / f"mine{suffix}"
    if suffix == ".jsonl":
        path.write_text("\n".join(json.dumps({"prompt": r}) for r in rows), encoding="utf-8")
    elif suffix == ".json":
        path.write_text(json.dumps(rows), encoding="utf-8")
    else:
        import pandas as pd

        pd.DataFrame({"goal": rows, "target": ["x"] * 3}).to_csv(path, index=False)
    queries, record = load_queries(str(path), 2)
    assert [q.text for q in queries] == rows[:2]
    assert record["origin"] == "user_file" and len(record["sha256"]) == 64


def test_wrong_columns_error_lists_found(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"instruction": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="found \\['instruction'\\]"):
        load_queries(str(path), None)


def test_empty_rows_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(
        json.dumps({"prompt": "ok"}) + "\n" + json.dumps({"prompt": "  "}) + "\n", encoding="utf-8"
    )
    with pytest.raises(DatasetError, match="empty or non-text rows at \\[1\\]"):
        load_queries(str(path), None)


def test_unknown_dataset_name() -> None:
    with pytest.raises(DatasetError, match="neither one of"):
        load_queries("harmbnech", 3)


def test_samples_interleave_tiers_so_limit_keeps_pairs() -> None:
    queries = [Query("q0000", "a"), Query("q0001", "b")]
    dataset = build_samples(
        queries, [Tier.FREE, Tier.PAID], lambda q, t: f"{t.value}:{q.text}", dataset_name="x"
    )
    assert [s.id for s in dataset] == ["q0000-free", "q0000-paid", "q0001-free", "q0001-paid"]
    first = dataset[0]
    assert first.input == "free:a"
    assert first.metadata == {
        "query_id": "q0000",
        "query": "a",
        "tier": "free",
        "is_free_tier_user": True,
    }


def test_parse_tiers() -> None:
    assert parse_tiers("free,paid") == [Tier.FREE, Tier.PAID]
    assert parse_tiers(["paid"]) == [Tier.PAID]
    assert parse_tiers(["Paid", "FREE"]) == [Tier.PAID, Tier.FREE]
    with pytest.raises(ValueError, match="Parameter 'tiers': got 'free,enterprise'"):
        parse_tiers("free,enterprise")
    with pytest.raises(ValueError, match="without repeats"):
        parse_tiers("free,free")


def test_builtin_datasets_read_through_the_asset_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    from af_inspect.assets import ADVBENCH, HARMFUL_DATASET

    harm = tmp_path / HARMFUL_DATASET.source / HARMFUL_DATASET.repo / HARMFUL_DATASET.path
    harm.parent.mkdir(parents=True)
    pd.DataFrame(
        {"prompt": ["h0", "h1", "h2"], "rejected": ["r"] * 3, "chosen": ["c"] * 3}
    ).to_parquet(harm)
    adv = tmp_path / ADVBENCH.source / ADVBENCH.repo / ADVBENCH.path
    adv.parent.mkdir(parents=True)
    pd.DataFrame({"goal": ["g0", "g1"], "target": ["t0", "t1"]}).to_csv(adv, index=False)
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(tmp_path))

    queries, record = load_queries("harmbench", 2)
    assert [q.text for q in queries] == ["h0", "h1"]  # first N rows in file order
    assert record["asset"] == HARMFUL_DATASET.name
    queries, _ = load_queries("advbench", None)
    assert [q.text for q in queries] == ["g0", "g1"]


def test_empty_and_malformed_query_files_are_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{re.escape(str(empty))}: file is empty$"):
        load_queries(str(empty), None)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"prompt": "a"}\n{"prompt": "b"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{re.escape(str(broken))}, line 2: not valid JSON"):
        load_queries(str(broken), None)
    broken_json = tmp_path / "broken.json"
    broken_json.write_text('[\n  "a",\n  "b"\n  "c"\n]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{re.escape(str(broken_json))}, line 4: not valid"):
        load_queries(str(broken_json), None)
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="empty.csv: file is empty"):
        load_queries(str(empty_csv), None)
    strings = tmp_path / "strings.jsonl"
    strings.write_text('"first"\n"second"\n', encoding="utf-8")
    queries, _ = load_queries(str(strings), None)
    assert [q.text for q in queries] == ["first", "second"]
