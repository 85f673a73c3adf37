"""Holm's (1979) step-down adjustment of p-values for a family of tests.

With m p-values sorted ascending, p_(1) <= ... <= p_(m), the adjusted p_(i) is
max_{j <= i} min(1, (m - j + 1) p_(j)). It controls the family-wise error rate under any
dependence. Used when a table reports several contrasts of one run. statsmodels'
`multipletests(method="holm")` is used when it is installed; otherwise the formula above (the
two agree, tests/test_results.py).

Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat 6:65-70.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values in the input order; a NaN stays NaN and is not counted in m."""
    present = [(i, float(p)) for i, p in enumerate(p_values) if not math.isnan(float(p))]
    adjusted = [math.nan] * len(p_values)
    if not present:
        return adjusted
    for (index, _), value in zip(present, _adjusted([p for _, p in present]), strict=True):
        adjusted[index] = value
    return adjusted


def _adjusted(p_values: list[float]) -> list[float]:
    try:
        from statsmodels.stats.multitest import multipletests
    except ImportError:
        return holm_formula(p_values)
    return [float(p) for p in multipletests(p_values, method="holm")[1]]


def holm_formula(p_values: Sequence[float]) -> list[float]:
    """Holm's adjustment computed directly (no NaN allowed), in the input order."""
    for p in p_values:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p-values must be within [0, 1], got {p}")
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
