"""Disaggregated values (#18): how the measurements of one indicator on one date give its
total and its parts by each dimension (pure: the rules of docs/progress.md, "Breakdowns",
shared by validation, which checks totals against their parts, and by progress).

A measurement with no dimension is the indicator's total on its date; one with dimensions
(e.g. `sex: female`, or `sex: female` and `country: AT`) is a part of it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from . import model as m


def distinct(rows: Iterable[m.Measurement]) -> list[m.Measurement]:
    """One row per set of categories (rows of one indicator and date, in path and line
    order): a value given twice counts once, the later one (as validation warns)."""
    found: dict[tuple[tuple[str, str], ...], m.Measurement] = {}
    for x in rows:
        found[x.dimensions] = x
    return list(found.values())


def margin(ind: m.Indicator, rows: list[m.Measurement], dimension: str
           ) -> tuple[dict[str, float], list[m.Measurement]]:
    """The parts by `dimension` on one date: each category's value, in the declared order, and
    the rows they come from. Rows given by that dimension alone are used; without them, the
    rows of the fewest dimensions that include it (e.g. sex by country), summed over the
    others. ({} when the date has no part by it.)"""
    order = [name for name, _ in ind.dimensions]
    groups: dict[tuple[str, ...], list[m.Measurement]] = {}
    for x in rows:
        names = tuple(name for name, _ in x.dimensions)
        if dimension in names:
            groups.setdefault(names, []).append(x)
    if not groups:
        return {}, []
    chosen = min(groups, key=lambda names: (len(names), [order.index(n) if n in order else len(order)
                                                         for n in names]))
    used = groups[chosen]
    sums: dict[str, float] = {}
    for x in used:
        category = dict(x.dimensions)[dimension]
        sums[category] = sums.get(category, 0.0) + x.value
    categories = dict(ind.dimensions).get(dimension, ())
    ordered = {c: sums[c] for c in categories if c in sums}
    ordered.update({c: v for c, v in sorted(sums.items()) if c not in ordered})
    return ordered, used


def total(ind: m.Indicator, rows: list[m.Measurement]) -> float | None:
    """The indicator's total on one date: its row without dimensions, else the sum of the
    parts by the first declared dimension that has parts on that date."""
    for x in rows:
        if not x.dimensions:
            return x.value
    for name, _ in ind.dimensions:
        parts, _used = margin(ind, rows, name)
        if parts:
            return math.fsum(parts.values())
    return None


def differ(a: float, b: float) -> bool:
    """Whether two sums disagree beyond the rounding of decimal fractions."""
    return abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b))


def complete(ind: m.Indicator, dimension: str, parts: dict[str, float]) -> bool:
    """Whether `parts` gives every declared category of `dimension` (then they must sum to the
    total; an incomplete breakdown may sum to less)."""
    return set(dict(ind.dimensions).get(dimension, ())) <= set(parts)
