"""Holm's (1979) step-down adjustment of p-values for a family of tests.

With m p-values sorted ascending, p_(1) <= ... <= p_(m), the adjusted p_(i) is
max_{j <= i} min(1, (m - j + 1) p_(j)). It controls the family-wise error rate under any
dependence. Used when a table reports several contrasts of one run.

The formula is computed here rather than by statsmodels' `multipletests(method="holm")`: that
function runs a full garbage collection on every call, 0.13 s each beside Inspect's heap, which
made it the slowest step of a report. The two agree (tests/test_results.py compares them when
statsmodels is installed).

Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat 6:65-70.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values in the input order; a NaN stays NaN and is not counted in m."""
    present = [(i, float(p)) for i, p in enumerate(p_values) if not math.isnan(float(p))]
    adjusted = [math.nan] * len(p_values)
    for (index, _), value in zip(present, holm_formula([p for _, p in present]), strict=True):
        adjusted[index] = value
    return adjusted


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
