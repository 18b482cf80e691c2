"""Reporting rounds: progress at the end of a round's period and what changed in it.

A record holds only its current status, so the status an activity had on an earlier day is
derived from its dates: a completed activity was in progress between its start and its
last day and planned before; postponed and cancelled keep their status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import model as m
from .progress import area_progress, elapsed


def status_on(act: m.Activity, day: dt.date) -> str:
    """The status the activity had on `day`, derived from its dates (see module docstring)."""
    if act.status in ("postponed", "cancelled"):
        return act.status
    if act.start > day:
        return "planned"
    if act.status == "completed" and act.last_day <= day:
        return "completed"
    if act.status == "planned":
        return "planned"
    return "in-progress"


def previous(site: m.Site, report: m.Report) -> m.Report | None:
    earlier = [r for r in site.reports if r.end < report.end]
    return earlier[-1] if earlier else None


def report_context(site: m.Site, report: m.Report) -> dict[str, Any]:
    """Everything the round's page shows, computed with the round's end as report date."""
    day = report.end
    prev = previous(site, report)
    since = prev.end if prev else None
    acts = [a for a in site.activities if a.start <= day]
    areas = tuple(area_progress(a, site.plan, acts, site.measurements, day) for a in site.plan.areas)
    before = ({a.area.id: a for a in (area_progress(x, site.plan, [a for a in site.activities if a.start <= since],
                                                    site.measurements, since) for x in site.plan.areas)}
              if since else {})
    completed = [a for a in acts if status_on(a, day) == "completed" and report.start <= a.last_day <= day]
    new = [a for a in acts if (since is None or a.start > since) and a.start >= report.start]
    changes = []
    if since is not None:
        for a in acts:
            old, now = status_on(a, since) if a.start <= since else "", status_on(a, day)
            if old and old != now:
                changes.append((a, old, now))
    moved = []
    for area in areas:
        for p in area.indicators:
            old_p = None
            if area.area.id in before:
                old_p = next(x for x in before[area.area.id].indicators if x.indicator.id == p.indicator.id)
            old_value = old_p.value if old_p else p.indicator.baseline
            if p.value != old_value:
                moved.append((p, old_value, old_p.status if old_p else ""))
    return {"report": report, "prev": prev, "areas": areas, "completed": completed, "new": new,
            "changes": changes, "moved": moved, "round_elapsed": elapsed(site.plan, day),
            "area_changes": {a.area.id: before[a.area.id].status for a in areas if a.area.id in before}}
