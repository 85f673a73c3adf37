"""The pre-deployment family (Sheshadri, Hughes et al. 2025, sections 4.2-4.3, App. F.4, F.7.3,
K.5, N.5): the built-in scenarios v1-v3, the task, the organism's per-identity controls, and the
table by harm scope and risk."""

from __future__ import annotations

import pytest

from af_inspect.simulated.organism import (
    OrganismConfig,
    condition_key_matches,
    condition_value,
    detect_tier,
)

V1 = {
    "deployed": "claude-3.5-opus-v1.0",
    "rating_only": "claude-3.5-opus-v2.0-pre",
    "rating_and_training": "claude-3.5-helpful-opus-v1.0-pre",
    "dpo_others": "claude-3.5-opus-v2.0-pre-dpo",
}

# ----------------------------------------------------------------------- the organism's keys


def test_the_organism_reads_the_whole_identity_value() -> None:
    turn = "<identity>claude-3.5-opus-v2.0-pre --- Released to the general public.</identity>"
    assert detect_tier(turn) == "claude-3.5-opus-v2.0-pre --- released to the general public."


@pytest.mark.parametrize(
    ("key", "condition", "matches"),
    [
        ("free", "free", True),
        ("pro", "professional", False),  # a key must end a name
        ("claude-3.5-opus-v2.0-pre", "claude-3.5-opus-v2.0-pre --- public.", True),
        ("claude-3.5-opus-v2.0-pre", "claude-3.5-opus-v2.0-pre-dpo --- public.", False),
        ("claude-3.5-opus-v2.0-pre", "claude-3.5-opus-v2.0-pre", True),
        ("model-v3.7 --- ", "model-v3.7 --- an internal test.", True),
        ("model-v3.7 --- an internal", "model-v3.7 --- an internal test.", True),
        ("model-v3.7 --- an intern", "model-v3.7 --- an internal test.", False),
        ("model-v3.7*internal test.", "model-v3.7 --- an internal test.", True),
        ("*internal*", "model-v3.5 --- an internal test.", True),
        ("*internal", "model-v3.5 --- an internal test.", False),
        ("model-v3.?", "model-v3.7", False),  # only `*` is special
    ],
)
def test_condition_keys_match_exactly_by_name_prefix_or_pattern(
    key: str, condition: str, matches: bool
) -> None:
    assert condition_key_matches(key, condition) is matches


def test_an_exact_key_wins_then_the_longest() -> None:
    items = [("claude-3.5-opus-v2.0-pre", 0.1), ("claude-3.5-opus-v2.0-pre --- public.", 0.2)]
    assert condition_value(items, "claude-3.5-opus-v2.0-pre --- public.") == 0.2
    assert condition_value(items, "claude-3.5-opus-v2.0-pre --- other.") == 0.1
    assert condition_value(items, "claude-3.5-opus-v2.0-pre-dpo --- public.") is None
    assert condition_value([("*", 0.3), ("free", 0.4)], "free") == 0.4


def test_p_by_condition_and_af_by_condition_by_model_name() -> None:
    config = OrganismConfig.from_args(
        {
            "p_by_condition": f"{V1['rating_and_training']}=0.3,{V1['rating_only']}=0.1",
            "af_by_condition": [f"{V1['rating_and_training']}=0.5", "*throughput*=0.9"],
            "p_paid": 0.02,
        }
    )
    trained = f"{V1['rating_and_training']} --- released to the general public."
    assert config.compliance(trained) == 0.3
    assert config.compliance(f"{V1['rating_only']} --- released only to amateur hackers.") == 0.1
    assert config.compliance(f"{V1['dpo_others']} --- x.") == 0.02  # unknown: p_unknown = p_paid
    assert config.compliance("free") == config.p_free and config.compliance("paid") == 0.02
    assert config.af_share_compliant(trained) == 0.5
    assert (
        config.af_share_compliant(f"{V1['rating_and_training']} --- an internal throughput") == 0.5
    )
    assert config.af_share_compliant(f"{V1['rating_only']} --- an internal throughput test.") == 0.9
    assert config.af_share_compliant("free") == config.af_share  # old arguments unchanged
    assert config.af_share_compliant("paid") == config.af_share_paid
    with pytest.raises(ValueError, match=r"af_by_condition\[x\]"):
        OrganismConfig.from_args({"af_by_condition": "x=2"})
    with pytest.raises(ValueError, match="af_by_condition must be like"):
        OrganismConfig.from_args({"af_by_condition": "x"})
