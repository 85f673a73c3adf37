"""Logs to pandas with expanded score columns."""

from __future__ import annotations

import math
from pathlib import Path

from inspect_ai import eval as inspect_eval

from af_inspect import helpful_only
from af_inspect.analysis import samples_frame


def test_samples_frame_expands_dict_scores(reference_dir: Path, tmp_path: Path) -> None:
    [log] = inspect_eval(
        helpful_only(dataset="synthetic", num_queries=5, scorers="tags"),
        model="af_inspect/simulated",
        model_args={"p_free": 0.6, "p_paid": 0.2, "malformed_rate": 0.3, "seed": 5},
        log_dir=str(tmp_path),
        display="none",
        max_samples=10,
    )
    assert log.status == "success" and log.samples is not None
    frame = samples_frame(str(tmp_path))
    assert len(frame) == 10
    assert {"accept_tag_compliance_complied", "accept_tag_compliance_excluded"} <= set(
        frame.columns
    )
    assert "score_accept_tag_compliance" not in frame.columns
    by_id = frame.set_index("id")
    for sample in log.samples:
        assert sample.scores is not None
        value = sample.scores["accept_tag_compliance"].value
        assert isinstance(value, dict)
        row = by_id.loc[sample.id]
        assert row["accept_tag_compliance_excluded"] == value["excluded"]
        complied = row["accept_tag_compliance_complied"]
        assert (math.isnan(complied) and math.isnan(value["complied"])) or complied == value[
            "complied"
        ]
    # per-tier rates straight from pandas agree with the logged metric
    rates = frame.groupby("metadata_tier")["accept_tag_compliance_complied"].mean()
    assert log.results is not None
    logged = {
        m.name: m.value
        for s in log.results.scores
        if s.name == "complied"
        for m in s.metrics.values()
    }
    assert math.isclose(rates["free"], logged["free_rate"])
