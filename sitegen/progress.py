"""Pure progress rules: report date, indicator values, attainment and statuses (SPEC 3).

Status rule (also in the README):
* attainment  a = (value - baseline) / (target - baseline)
* expected    e = where the plan should be on the report date: linear between the plan
  start (0), each milestone ((milestone - baseline) / (target - baseline)) and the plan end
  (1); for areas, the plan's elapsed share of time.
* achieved    when a >= 1;  no data  when an indicator has no value yet;
  not started when a <= 0 and e < 0.25;  otherwise r = a / e:
  on track when r >= 0.9, at risk when r >= 0.6, off track below.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import disaggregation
from . import model as m

STATUS_ORDER = ("achieved", "on track", "at risk", "off track", "not started", "no data")
ON_TRACK, AT_RISK, EARLY = 0.9, 0.6, 0.25


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: m.Indicator
    value: float | None
    attainment: float | None
    expected: float
    status: str


@dataclass(frozen=True)
class AreaProgress:
    area: m.Area
    counts: tuple[tuple[str, int], ...]  # activities by status, in m.STATUSES order
    completion: float | None  # completed / (all - cancelled)
    attainment: float | None  # mean indicator attainment, each capped to 0..1
    expected: float
    status: str
    indicators: tuple[IndicatorProgress, ...]

    def count(self, status: str) -> int:
        return dict(self.counts)[status]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


def report_date(config: m.SiteConfig, plan_start: dt.date, activities: Iterable[m.Activity],
                measurements: Iterable[m.Measurement], git_date: dt.date | None
                ) -> tuple[dt.date, str]:
    """as_of, else the latest content commit, else the newest date of what the records say
    happened (a measurement, the last day of a completed activity, the start of one in
    progress), else the plan's start; never the clock. (Not a planned activity's date: one
    planned years ahead would date every figure then, and call every other planned one late.)"""
    if config.as_of:
        return config.as_of, "as_of"
    if git_date:
        return git_date, "git"
    dates = [a.last_day if a.status == "completed" else a.start for a in activities
             if a.status in ("completed", "in-progress")]
    dates += [x.date for x in measurements]
    return (max(dates) if dates else plan_start), "records"


def elapsed(plan: m.Plan, on: dt.date) -> float:
    """Share of the plan period that has passed on `on`, between 0 and 1."""
    total = (plan.end - plan.start).days
    if total <= 0:
        return 1.0 if on >= plan.end else 0.0
    return min(1.0, max(0.0, (on - plan.start).days / total))


def counts(ind: m.Indicator, act: m.Activity, on: dt.date) -> bool:
    """True when `act` counts for an activities-sourced indicator on date `on`."""
    if act.status != "completed" or act.last_day > on or ind.area not in act.areas:
        return False
    for key, values in ind.where:
        if key in ("tags", "countries", "partners"):
            mine: tuple[str, ...] = getattr(act, key) if key != "countries" else act.all_countries
            if not set(mine) & set(values):
                return False
        elif key == "country":
            if act.country not in values:
                return False
        elif getattr(act, key) not in values:
            return False
    return True


def amount(ind: m.Indicator, act: m.Activity) -> float:
    if not ind.sum:
        return 1.0
    p = act.participants
    if p is None:
        return 0.0
    if ind.sum == "participants.women":
        return float(p.women or 0)
    if ind.sum == "participants.men":
        return float(p.men or 0)
    return float(p.total)


def indicator_value(ind: m.Indicator, activities: Iterable[m.Activity],
                    measurements: Iterable[m.Measurement], on: dt.date) -> float | None:
    """The indicator's value on `on` by its source (SPEC 3); None when nothing is measured yet."""
    if ind.source == "measurements":
        if ind.dimensions:
            series = measured_totals(ind, measurements, on)
            return series[-1][1] if series else None
        latest = None
        for x in measurements:
            if x.indicator == ind.id and x.date <= on and (latest is None or x.date >= latest.date):
                latest = x
        return latest.value if latest else None
    if ind.source == "contributions":
        total = ind.baseline
        for act in activities:
            if act.status == "completed" and act.last_day <= on:
                given = 0.0  # (the last amount the record gives the indicator, as a dict of them would)
                for key, value in act.contributes:
                    if key == ind.id:
                        given = value
                total += given
        return total
    return ind.baseline + sum(amount(ind, a) for a in activities if counts(ind, a, on))


def attainment(ind: m.Indicator, value: float | None) -> float | None:
    if value is None or ind.target == ind.baseline:
        return None
    return (value - ind.baseline) / (ind.target - ind.baseline)


def expected(ind: m.Indicator, plan: m.Plan, on: dt.date) -> float:
    """Expected attainment on `on`: linear through the plan start, milestones and plan end."""
    span = ind.target - ind.baseline
    points = [(plan.start, 0.0)]
    points += [(ms.date, (ms.target - ind.baseline) / span if span else 0.0) for ms in ind.milestones]
    points.append((plan.end, 1.0))
    points.sort(key=lambda p: p[0])
    if on <= points[0][0]:
        return 0.0
    for (d0, v0), (d1, v1) in zip(points, points[1:]):
        if on <= d1:
            days = (d1 - d0).days
            share = (on - d0).days / days if days else 1.0
            return min(1.0, max(0.0, v0 + (v1 - v0) * share))
    return 1.0


def status(att: float | None, exp: float) -> str:
    """The status word for an attainment against an expected attainment (rule above)."""
    if att is None:
        return "no data"
    if att >= 1.0:
        return "achieved"
    if att <= 0.0 and exp < EARLY:
        return "not started"
    if exp <= 0.0:
        return "on track"
    ratio = att / exp
    if ratio >= ON_TRACK:
        return "on track"
    if ratio >= AT_RISK:
        return "at risk"
    return "off track"


def indicator_progress(ind: m.Indicator, plan: m.Plan, activities: Iterable[m.Activity],
                       measurements: Iterable[m.Measurement], on: dt.date) -> IndicatorProgress:
    value = indicator_value(ind, activities, measurements, on)
    att = attainment(ind, value)
    exp = expected(ind, plan, on)
    return IndicatorProgress(ind, value, att, exp, status(att, exp))


def area_progress(area: m.Area, plan: m.Plan, activities: Iterable[m.Activity],
                  measurements: Iterable[m.Measurement], on: dt.date,
                  area_acts: list[m.Activity] | None = None) -> AreaProgress:
    """An area's activity counts, completion, mean attainment and status on `on`
    (`area_acts`: the activities of the area, when the caller has them already)."""
    acts = area_acts if area_acts is not None else [a for a in activities if area.id in a.areas]
    tally = {s: 0 for s in m.STATUSES}
    for a in acts:
        tally[a.status] += 1
    live = len(acts) - tally["cancelled"]
    # (only the records completed by `on` count for an indicator: indicator_value is given
    # those, in the same order, and so sums the same values in the same order)
    done = [a for a in acts if a.status == "completed" and a.last_day <= on]
    completion = len(done) / live if live else None
    every = [a for a in activities if a.status == "completed" and a.last_day <= on] \
        if any(i.source == "contributions" for i in area.indicators) else []
    inds = tuple(indicator_progress(i, plan, done if i.source == "activities" else every,
                                    measurements, on) for i in area.indicators)
    measured = [min(1.0, max(0.0, p.attainment)) for p in inds if p.attainment is not None]
    att = sum(measured) / len(measured) if measured else None
    exp = elapsed(plan, on)
    if inds and all(p.status == "achieved" for p in inds):
        word = "achieved"
    else:
        word = status(att if att is not None else completion, exp)
        if word == "achieved":  # mean capped attainment of 1 without every indicator achieved
            word = "on track"
    return AreaProgress(area, tuple(tally.items()), completion, att, exp, word, inds)


@dataclass(frozen=True)
class Overall:
    """How far along the whole plan is: the dashboard's first figure."""

    attainment: float | None  # mean attainment of every indicator with a value, each capped to 0..1
    expected: float  # mean expected attainment of the same indicators (no value: the time elapsed)
    status: str  # the status rule, on the two means
    measured: int  # indicators with a value
    indicators: int  # all of the plan's indicators


def overall(areas: tuple[AreaProgress, ...], elapsed_share: float) -> Overall:
    """The plan's implementation: its indicators' mean attainment against where their
    milestones put them on the report date (docs/progress.md, "The plan")."""
    inds = [p for a in areas for p in a.indicators]
    measured = [p for p in inds if p.attainment is not None]
    if not measured:
        return Overall(None, elapsed_share, "no data", 0, len(inds))
    att = sum(min(1.0, max(0.0, p.attainment or 0.0)) for p in measured) / len(measured)
    exp = sum(p.expected for p in measured) / len(measured)
    word = status(att, exp)
    if word == "achieved" and not all(p.status == "achieved" for p in inds):
        word = "on track"  # (every measured indicator achieved, not every indicator)
    return Overall(att, exp, word, len(measured), len(inds))


def plan_progress(site: m.Site, on: dt.date | None = None) -> tuple[AreaProgress, ...]:
    """Progress of every area of the plan on `on` (default: the site's report date)."""
    day = on or site.report_date
    return tuple(area_progress(a, site.plan, site.activities, site.measurements, day)
                 for a in site.plan.areas)


# -- breakdowns (#18) --------------------------------------------------------------------------

def measured_on(ind: m.Indicator, measurements: Iterable[m.Measurement], on: dt.date
                ) -> dict[dt.date, list[m.Measurement]]:
    """The indicator's measurements dated on or before `on`, by date (one row per set of
    categories, the later one where a value is given twice)."""
    found: dict[dt.date, list[m.Measurement]] = {}
    for x in measurements:
        if x.indicator == ind.id and x.date <= on:
            found.setdefault(x.date, []).append(x)
    return {day: disaggregation.distinct(sorted(found[day], key=lambda x: (x.loc.path, x.loc.line)))
            for day in sorted(found)}


def measured_totals(ind: m.Indicator, measurements: Iterable[m.Measurement], on: dt.date
                    ) -> list[tuple[dt.date, float]]:
    """(date, total) of a measured indicator up to `on`: on each date its row without
    dimensions, else the sum of its parts (docs/progress.md, "Breakdowns")."""
    out = []
    for day, rows in measured_on(ind, measurements, on).items():
        value = disaggregation.total(ind, rows)
        if value is not None:
            out.append((day, value))
    return out


@dataclass(frozen=True)
class Breakdown:
    """An indicator's values by the categories of one dimension, on each date that has them."""

    indicator: m.Indicator
    dimension: str
    categories: tuple[str, ...]  # the declared ones, then any other found (none after validation)
    dates: tuple[dt.date, ...]  # oldest first, up to the report date
    values: tuple[tuple[float | None, ...], ...]  # per date, per category (None: not given)
    totals: tuple[float | None, ...]  # the indicator's value on each date

    @property
    def latest(self) -> tuple[float | None, ...]:
        """The values of the latest date."""
        return self.values[-1]

    @property
    def unassigned(self) -> tuple[float | None, ...]:
        """On each date, what the total holds beyond the parts given (a baseline, participants
        not counted by sex, categories not given); None where nothing is left over."""
        out: list[float | None] = []
        for row, whole in zip(self.values, self.totals):
            rest = None if whole is None else whole - math.fsum(v for v in row if v is not None)
            out.append(rest if rest is not None and rest > 0 and disaggregation.differ(rest + 1.0, 1.0)
                       else None)
        return tuple(out)


def breakdowns(ind: m.Indicator, activities: Iterable[m.Activity], measurements: Iterable[m.Measurement],
               on: dt.date) -> tuple[Breakdown, ...]:
    """The indicator's breakdown by each of its dimensions up to `on` (dimensions without any
    value left out): measured parts, or for source activities, the women and men of the
    activities it counts (cumulative, at the end of each year and on `on`)."""
    if not ind.dimensions:
        return ()
    if ind.source == "activities":
        return _participant_breakdown(ind, activities, on)
    days = measured_on(ind, measurements, on)
    out = []
    for name, categories in ind.dimensions:
        dates, values, totals = [], [], []
        for day, rows in days.items():
            parts, _used = disaggregation.margin(ind, rows, name)
            if not parts:
                continue
            dates.append(day)
            values.append(tuple(parts.get(c) for c in categories))
            totals.append(disaggregation.total(ind, rows))
        if dates:
            out.append(Breakdown(ind, name, categories, tuple(dates), tuple(values), tuple(totals)))
    return tuple(out)


def _participant_breakdown(ind: m.Indicator, activities: Iterable[m.Activity], on: dt.date
                           ) -> tuple[Breakdown, ...]:
    """`sex` from the participants (women, men) of the activities an indicator counts."""
    name, categories = ind.dimensions[0]
    counted = sorted((a for a in activities if counts(ind, a, on)), key=lambda a: a.last_day)
    if not any(a.participants and (a.participants.women is not None or a.participants.men is not None)
               for a in counted):
        return ()
    ends = sorted({dt.date(a.last_day.year, 12, 31) for a in counted if a.last_day.year < on.year} | {on})
    dates, values, totals = [], [], []
    for day in ends:
        acts = [a for a in counted if a.last_day <= day]
        given = {"women": 0.0, "men": 0.0}
        seen = {"women": False, "men": False}
        for a in acts:
            p = a.participants
            for key, n in (("women", p.women if p else None), ("men", p.men if p else None)):
                if n is not None:
                    given[key] += n
                    seen[key] = True
        dates.append(day)
        keys = [m.SEX_FROM_PARTICIPANTS[c.lower()] for c in categories]
        values.append(tuple(given[k] if seen[k] else None for k in keys))
        totals.append(ind.baseline + sum(amount(ind, a) for a in acts))
    return (Breakdown(ind, name, categories, tuple(dates), tuple(values), tuple(totals)),)


def contributors(activities: Iterable[m.Activity]) -> dict[str, list[m.Activity]]:
    """Indicator id -> the activities that name it in `contributes`, in their order."""
    found: dict[str, list[m.Activity]] = {}
    for a in activities:
        for ind_id, _ in a.contributes:
            found.setdefault(ind_id, []).append(a)
    return found


def counted_by(area: m.Area, acts: list[m.Activity], contributing: dict[str, list[m.Activity]]) -> list[m.Activity]:
    """The activities an area's progress counts: its own (`acts`) and those of other areas
    that name one of its indicators summing contributions (`contributing`, see
    contributors), in the site's order, so that the sums add up as over every record (the
    others add nothing to them) and the areas whose records did not change keep their
    progress (same_basis)."""
    others = {id(a): a for i in area.indicators if i.source == "contributions"
              for a in contributing.get(i.id, ()) if area.id not in a.areas}
    if not others:
        return acts
    return sorted([*acts, *others.values()], key=lambda a: (a.start, a.id))


def same_basis(old: tuple[Any, ...], new: tuple[Any, ...]) -> bool:
    """Whether two bases of an area's progress, (area, plan, measurements, day, activities),
    hold the same objects (equal measurements and day): the preview keeps unchanged
    records as the same objects, so an area's progress is computed again only when one of
    its records changed."""
    (area, plan, meas, day, acts), (area2, plan2, meas2, day2, acts2) = old, new
    return (area is area2 and plan is plan2 and day == day2 and (meas is meas2 or meas == meas2)
            and len(acts) == len(acts2) and all(a is b for a, b in zip(acts, acts2)))
