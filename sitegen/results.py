"""The results chain: indicators ordered as a logframe (impact, its outcomes, their outputs)
and the activities that feed an indicator. Pure functions of the model (docs/progress.md,
"The results framework")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from . import model as m
from .progress import amount, counts


@dataclass(frozen=True)
class ChainRow:
    """An indicator in a logframe table: how deep in the chain it sits (0: at the top, 1:
    under the indicator it contributes to...) and the indicator it contributes to, if any
    (at depth 0: one the table does not show, another area's)."""

    indicator: m.Indicator
    depth: int
    parent: m.Indicator | None = None


def _rank(ind: m.Indicator, order: dict[str, int]) -> tuple[int, int]:
    """Impact before outcome before output before no level; then the plan's order."""
    level = m.LEVELS.index(ind.level) if ind.level in m.LEVELS else len(m.LEVELS)
    return level, order[ind.id]


def chain_rows(shown: Iterable[m.Indicator], plan: m.Plan) -> tuple[ChainRow, ...]:
    """The rows of a logframe of the indicators `shown` (all the plan's, or an area's): each
    indicator followed by those that contribute to it, depth first; the indicators at the
    top ordered by level, then as the plan lists them, and so are the contributors of one."""
    order = {ind.id: n for n, ind in enumerate(plan.indicators)}
    every = {ind.id: ind for ind in plan.indicators}
    inds = sorted(shown, key=lambda i: order[i.id])
    ids = {i.id for i in inds}
    below: dict[str, list[m.Indicator]] = {}
    for ind in inds:
        if ind.contributes_to in ids:
            below.setdefault(ind.contributes_to, []).append(ind)
    rows: list[ChainRow] = []
    done: set[str] = set()

    def visit(ind: m.Indicator, depth: int) -> None:
        if ind.id in done:  # (validation refuses cycles; never loop on one)
            return
        done.add(ind.id)
        rows.append(ChainRow(ind, depth, every.get(ind.contributes_to)))
        for child in sorted(below.get(ind.id, ()), key=lambda i: _rank(i, order)):
            visit(child, depth + 1)

    for ind in sorted((i for i in inds if i.contributes_to not in ids), key=lambda i: _rank(i, order)):
        visit(ind, 0)
    for ind in inds:  # (only in a cycle, which validation refuses)
        visit(ind, 0)
    return tuple(rows)


def contributors(ind: m.Indicator, plan: m.Plan) -> tuple[m.Indicator, ...]:
    """The indicators whose `contributes_to` names `ind`, in the plan's order."""
    return tuple(i for i in plan.indicators if i.contributes_to == ind.id)


def indicator_deps(ind: m.Indicator, plan: m.Plan) -> frozenset[str]:
    """What an indicator's page shows of the records (render.Job.deps): its area's (its value
    and contributing activities), and the statuses of the indicators it contributes to and of
    those that contribute to it."""
    areas = {ind.area, *(i.area for i in contributors(ind, plan))}
    areas.update(i.area for i in plan.indicators if i.id == ind.contributes_to)
    return frozenset(f"area:{a}" for a in sorted(areas))


@dataclass(frozen=True)
class Contribution:
    """An activity that feeds an indicator: what it adds (None: a sum of participants the
    record does not give yet) and whether the value on the report date counts it (an activity
    counts once completed, by its last day)."""

    activity: m.Activity
    adds: float | None
    counted: bool


def _matches(ind: m.Indicator, act: m.Activity) -> bool:
    """Whether `act` is one of the activities an activities-sourced indicator counts once
    completed: of its area, and matching its `where` (the status it will have aside)."""
    if act.status != "completed" and not any(key == "status" for key, _ in ind.where):
        act = dataclasses.replace(act, status="completed")
    return counts(ind, act, dt.date.max)


def counted_by(act: m.Activity, plan: m.Plan) -> tuple[tuple[m.Indicator, float | None], ...]:
    """The activities-sourced indicators that count `act` (once completed: their pages list it
    among their contributing activities), in the plan's order, with what it adds: the
    participants it adds to a sum (None when they are not given yet), 1 to a count of
    activities (the page said the indicator's name alone, as if cut off)."""
    if act.status == "cancelled":
        return ()
    return tuple((ind, amount(ind, act) if not ind.sum or act.participants is not None else None)
                 for ind in plan.indicators
                 if ind.source == "activities" and ind.area in act.areas and _matches(ind, act))


def contributions(ind: m.Indicator, activities: Iterable[m.Activity], on: dt.date) -> tuple[Contribution, ...]:
    """The activities that feed `ind` (not cancelled ones), newest first: those its `where`
    picks in its area (source activities) or those declaring a contribution to it (source
    contributions); none for measured indicators."""
    out = []
    if ind.source == "activities":
        for act in activities:
            if act.status != "cancelled" and _matches(ind, act):
                counted = counts(ind, act, on)
                unknown = bool(ind.sum) and act.participants is None and not counted
                out.append(Contribution(act, None if unknown else amount(ind, act), counted))
    elif ind.source == "contributions":
        for act in activities:
            given = dict(act.contributes).get(ind.id)
            if given is not None and act.status != "cancelled":
                out.append(Contribution(act, given, act.status == "completed" and act.last_day <= on))
    return tuple(sorted(out, key=lambda c: (c.activity.start, c.activity.id), reverse=True))
