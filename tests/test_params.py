"""The parameter checks: each accepts its documented values and names the parameter otherwise."""

from __future__ import annotations

import pytest

from af_inspect import params
from af_inspect.errors import UsageError


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("true", True), ("False", False), (" TRUE ", True)],
)
def test_boolean_accepts_true_and_false(value: object, expected: bool) -> None:
    assert params.boolean("cot", value) is expected


@pytest.mark.parametrize("value", ["maybe", "perhaps", "yes", 1, 0, None, "", ["true"]])
def test_boolean_refuses_anything_else(value: object) -> None:
    with pytest.raises(params.ParameterError, match=r"Parameter 'cot': got .*true or false"):
        params.boolean("cot", value)


def test_choice() -> None:
    assert params.choice("system_prompt", " synthetic", ("prompt_only", "synthetic")) == "synthetic"
    with pytest.raises(params.ParameterError) as caught:
        params.choice("system_prompt", "foo", ("prompt_only", "synthetic"))
    assert str(caught.value) == (
        "Parameter 'system_prompt': got 'foo' (str); it accepts one of 'prompt_only', 'synthetic'."
    )


@pytest.mark.parametrize(("value", "expected"), [(0, 0), (3, 3), ("4", 4), (2.0, 2)])
def test_non_negative_int(value: object, expected: int) -> None:
    assert params.non_negative_int("max_resamples", value) == expected


@pytest.mark.parametrize("value", [-1, "-1", "abc", 1.5, True, None, ""])
def test_non_negative_int_refuses(value: object) -> None:
    with pytest.raises(params.ParameterError, match="'max_resamples'.*0 or more"):
        params.non_negative_int("max_resamples", value)


def test_positive_and_optional_ints() -> None:
    assert params.positive_int("af_votes", "20") == 20
    assert params.optional_positive_int("num_queries", None) is None
    assert params.optional_positive_int("num_queries", 5) == 5
    for bad in (0, "abc", -3):
        with pytest.raises(params.ParameterError, match="'num_queries'"):
            params.optional_positive_int("num_queries", bad)
    with pytest.raises(params.ParameterError, match="'af_votes'.*1 or more"):
        params.positive_int("af_votes", 0)


def test_unit_interval() -> None:
    assert params.unit_interval("af_threshold", 0.4) == 0.4
    assert params.unit_interval("af_threshold", "1") == 1.0
    assert params.unit_interval("af_threshold", 0) == 0.0
    for bad in (1.5, -0.1, "x", True, None):
        with pytest.raises(params.ParameterError, match="'af_threshold'.*from 0 to 1"):
            params.unit_interval("af_threshold", bad)


def test_text_joins_a_split_value_back() -> None:
    # Inspect's CLI splits -T dataset=a,b.jsonl into ["a", "b.jsonl"].
    assert params.text("dataset", ["my", "file.jsonl"]) == "my,file.jsonl"
    assert params.text("dataset", " harmbench ") == "harmbench"
    assert params.optional_text("grader", None) is None
    for bad in ("", "  ", 3, [], None):
        with pytest.raises(params.ParameterError, match="'dataset'.*non-empty string"):
            params.text("dataset", bad)


@pytest.mark.parametrize(
    "value", ["free,paid", ["free", "paid"], " free , paid ,", ("free", "paid"), ["free,paid"]]
)
def test_comma_list_takes_a_string_or_a_list(value: object) -> None:
    assert params.comma_list("tiers", value, allowed=["free", "paid"]) == ["free", "paid"]


@pytest.mark.parametrize("value", ["", None, [], "free,free", "free,gold", 3, [1, 2]])
def test_comma_list_refuses(value: object) -> None:
    with pytest.raises(params.ParameterError, match="Parameter 'tiers'.*'free', 'paid'"):
        params.comma_list("tiers", value, allowed=["free", "paid"])


def test_parameter_errors_are_value_errors_inspect_prints_plainly() -> None:
    error = params.ParameterError("Parameter 'x': got 1 (int); it accepts y.")
    assert isinstance(error, ValueError) and isinstance(error, UsageError)
    assert str(error) == error.message  # what `inspect eval` prints, without a traceback
