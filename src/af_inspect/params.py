"""Checks of task parameters, one pure function per kind of value.

Each check takes the parameter's name and the value as it arrived, and returns the value in its
proper type or raises `ParameterError` naming the parameter, what it got and what it accepts.
Values arrive from Python as typed, and from `inspect eval -T name=value` after Inspect's
parsing: YAML scalars (`true`, `3`, `0.4`, `null`), and a plain value with a comma split into a
list of strings (`-T tiers=free,paid` gives `["free", "paid"]`). So every check that accepts a
comma-separated string also accepts that list, and `text` joins a split string back together.

A task checks each parameter on one line at the top of its body, e.g.
``cot = params.boolean("cot", cot)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from af_inspect.errors import UsageError

_S = TypeVar("_S", bound=str)


class ParameterError(UsageError):
    """A task parameter with a value it does not accept."""


def _got(value: Any) -> str:
    return f"got {value!r}" + ("" if value is None else f" ({type(value).__name__})")


def _fail(name: str, value: Any, accepts: str) -> ParameterError:
    return ParameterError(f"Parameter {name!r}: {_got(value)}; it accepts {accepts}.")


def boolean(name: str, value: Any) -> bool:
    """True/False, or the strings "true"/"false" (any case); nothing else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _fail(name, value, "true or false")


def choice(name: str, value: Any, allowed: Sequence[_S]) -> _S:
    """One of `allowed` (strings), matched exactly after trimming spaces."""
    if isinstance(value, str):
        for option in allowed:
            if value.strip() == option:
                return option
    raise _fail(name, value, "one of " + ", ".join(repr(option) for option in allowed))


def _integer(name: str, value: Any, minimum: int, accepts: str) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        number = int(value.strip())
    if number is None or number < minimum:
        raise _fail(name, value, accepts)
    return number


def non_negative_int(name: str, value: Any) -> int:
    """A whole number 0 or more (an int, or a string of digits)."""
    return _integer(name, value, 0, "a whole number, 0 or more")


def positive_int(name: str, value: Any) -> int:
    """A whole number 1 or more."""
    return _integer(name, value, 1, "a whole number, 1 or more")


def optional_positive_int(name: str, value: Any) -> int | None:
    """A whole number 1 or more, or None (empty) for "no limit"."""
    if value is None:
        return None
    return _integer(name, value, 1, "a whole number, 1 or more, or nothing for all")


def unit_interval(name: str, value: Any) -> float:
    """A number from 0 to 1 inclusive."""
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not 0.0 <= number <= 1.0:
        raise _fail(name, value, "a number from 0 to 1")
    return number


def text(name: str, value: Any) -> str:
    """A non-empty string. A list of strings is joined with commas: Inspect's CLI splits
    `-T name=a,b` into a list, so this restores what was typed (e.g. a path with a comma)."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        value = ",".join(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise _fail(name, value, "a non-empty string")


def optional_text(name: str, value: Any) -> str | None:
    """`text`, or None when not given."""
    return None if value is None else text(name, value)


def comma_list(
    name: str, value: Any, allowed: Sequence[str] | None = None, *, lower: bool = False
) -> list[str]:
    """A non-empty list of names from "a,b" or ["a", "b"] (items trimmed, empty ones dropped,
    lower-cased with `lower`), each one of `allowed` when given; no repeats."""
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        parts = [part for item in value for part in item.split(",")]
    else:
        parts = []
    names = [part.strip().lower() if lower else part.strip() for part in parts if part.strip()]
    accepts = "a comma-separated list" + (
        " of " + ", ".join(repr(option) for option in allowed) if allowed is not None else ""
    )
    if not names or len(set(names)) != len(names):
        raise _fail(name, value, accepts + " without repeats")
    if allowed is not None and any(item not in allowed for item in names):
        raise _fail(name, value, accepts)
    return names


_EXPIRY = re.compile(r"\d+[smhDWMY]")


def cache_setting(name: str, value: Any) -> bool | str:
    """True, False ("true"/"false"), or an Inspect cache expiry such as "1W" or "12h"."""
    if isinstance(value, str) and _EXPIRY.fullmatch(value.strip()):
        return value.strip()
    try:
        return boolean(name, value)
    except ParameterError:
        raise _fail(name, value, 'true, false or an expiry such as "1W", "3D" or "12h"') from None


def integer(name: str, value: Any) -> int:
    """Any whole number."""
    return _integer(name, value, -(2**63), "a whole number")
