"""Reporting rounds: progress at the end of a round's period and what changed in it.

Rules (also in docs/records.md):
* A round's figures are the dashboard's rules applied with the round's end as report date
  (or the site's report date when the round has not ended yet): indicator values, area
  statuses, activity counts and completion.
* The records they are computed from: when the site is in git, the records as committed on
  that date (history.py: `Site.history` holds them, `source` "commit"), or the records as
  they are now when nothing was committed after it ("now"); without git, or when git has no
  readable version from that date ("dates"), today's records. The plan (areas, indicators,
  targets) is today's in every case.
* The status an activity had on a day is its recorded status, checked against its dates:
  before its start it was planned; a completed activity was in progress between its start
  and its last day (end, else start) and completed from then on; in-progress stays
  in-progress once started; planned stays planned; postponed and cancelled keep their
  status. From records that are not those of that day (today's records for a past round,
  without git or before the first commit), a postponement or cancellation has no date: it
  counts from the day the activity was due (its first planned start), and until then the
  activity was planned; so it shows as a change in the round where it fell due (or in the
  one that ends on the report date, when it was due later). From git, it counts from the
  commit that recorded it.
* The previous round is the one that ended last before this round's end among those that
  also started before it (so a quarter inside an annual round is not its "previous"
  round); ties go to the round closest in length. "What changed" compares the previous
  round's end with this round's; for the first round, the day before its start. The
  records on that day are those of git on that day when the figures come from git (those of
  the figures date when git has none from that day), else today's.
* New activities: started after that day and on or before the figures date, and neither
  cancelled nor postponed on the figures date. Status changes: activities in the records of
  both days whose status differs, except the new ones. Indicators that moved: value on that
  day differs from the value on the figures date. Completed in the period: completed
  activities whose last day is within the period. Under way: activities in progress on the
  figures date.
* Headline figures: activities completed in the period and their participants; activities
  completed since the plan started, of all that are not cancelled (each activity once,
  whatever its number of areas); the mean attainment of the indicators that have a value
  (each capped to 0..1, as for an area) beside the plan's elapsed share of time; indicators
  achieved or on track, of all.
* A round's lists show each activity's title as the record has it now (and link its page
  when it still exists).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from . import model as m
from .progress import AreaProgress, IndicatorProgress, area_progress, contributors, counted_by, elapsed, overall, same_basis

# Statuses that keep an activity that started in the period out of the new activities.
NOT_NEW = ("cancelled", "postponed")


def status_on(act: m.Activity, day: dt.date, undated: dt.date | None = None) -> str:
    """The status the activity had on `day`, from its recorded status and its dates (see
    module docstring). `undated`: the day of the records when they are not those of `day`
    (today's records for a past round's, or without git): a postponement or cancellation
    has no date there, and counts from the day the activity was due."""
    if act.status in ("postponed", "cancelled"):
        if undated is not None and day < undated and day < (act.planned_start or act.start):
            return "planned"
        return act.status
    if act.start > day:
        return "planned"
    if act.status == "completed" and act.last_day <= day:
        return "completed"
    if act.status == "planned":
        return "planned"
    return "in-progress"


# (id of the records, day, their own day if not that one) -> (the records, every one with its
# status of the day): a round derives the records of its figures date for its figures and its
# lists, and the next round those of the same day for its "before" figures.
_ON_DAY: dict[tuple[int, dt.date, dt.date | None], tuple[tuple[m.Activity, ...], tuple[m.Activity, ...]]] = {}


def activities_on(acts: tuple[m.Activity, ...], day: dt.date, undated: dt.date | None = None) -> tuple[m.Activity, ...]:
    """Every activity with the status derived for `day` (`undated` as for status_on)."""
    hit = _ON_DAY.get((id(acts), day, undated))
    if hit is None or hit[0] is not acts:
        out = []
        for a in acts:
            status = status_on(a, day, undated)
            out.append(a if a.status == status else _with_status(a, status))
        if len(_ON_DAY) >= 8:
            _ON_DAY.pop(next(iter(_ON_DAY)))
        hit = _ON_DAY[(id(acts), day, undated)] = (acts, tuple(out))
    return hit[1]


# id() of an activity -> (the activity, a status, the activity with that status): a round's
# page, its data file and each language of the site derive the same records again.
_STATUS_MEMO: dict[tuple[int, str], tuple[m.Activity, m.Activity]] = {}


def _with_status(act: m.Activity, status: str) -> m.Activity:
    hit = _STATUS_MEMO.get((id(act), status))
    if hit is None or hit[0] is not act:
        if len(_STATUS_MEMO) > 200_000:
            _STATUS_MEMO.clear()
        hit = _STATUS_MEMO[(id(act), status)] = (act, _copy_with_status(act, status))
    return hit[1]


def _copy_with_status(act: m.Activity, status: str) -> m.Activity:
    """dataclasses.replace(act, status=status), without its checks (a round derives
    thousands): the record's fields as they are, but the status (its cached values, such as
    all_countries, do not depend on the status)."""
    copy = object.__new__(m.Activity)
    copy.__dict__.update(act.__dict__)
    copy.__dict__["status"] = status
    return copy


# (area id, day) -> [(what its progress was computed from, the progress)]: a round's figures
# and changes, and each language of the site, look at the same days again; the preview's
# next rebuild computes again only the areas whose records changed (progress.same_basis).
_AREA_MEMO: dict[tuple[str, dt.date], list[tuple[tuple[Any, ...], AreaProgress]]] = {}


def progress_on(plan: m.Plan, acts: tuple[m.Activity, ...], measurements: tuple[m.Measurement, ...],
                day: dt.date, undated: dt.date | None = None) -> tuple[AreaProgress, ...]:
    """The dashboard's area and indicator figures of these records with `day` as report date
    (`undated` as for status_on)."""
    on_day = activities_on(acts, day, undated)
    by_area: dict[str, list[m.Activity]] = {a.id: [] for a in plan.areas}
    for x in on_day:
        for area_id in x.areas:
            if area_id in by_area:
                by_area[area_id].append(x)
    out = []
    contributing = contributors(on_day)
    for area in plan.areas:
        counted = counted_by(area, by_area[area.id], contributing)
        basis = (area, plan, measurements, day, counted)
        known = _AREA_MEMO.setdefault((area.id, day), [])
        found = next((p for b, p in known if same_basis(b, basis)), None)
        if found is None:
            found = area_progress(area, plan, counted, measurements, day, by_area[area.id])
            known.insert(0, (basis, found))
            del known[4:]  # (the figures of a day from git and from today's records, at most)
        out.append(found)
    if len(_AREA_MEMO) > 4096:
        _AREA_MEMO.clear()
    return tuple(out)


def previous(site: m.Site, report: m.Report) -> m.Report | None:
    """The round this one is compared with (see module docstring), or None for the first."""
    length = (report.end - report.start).days
    earlier = [r for r in site.reports if r.end < report.end and r.start < report.start]
    if not earlier:
        return None
    return max(earlier, key=lambda r: (r.end, -abs((r.end - r.start).days - length), r.id))


def figures_date(site: m.Site, report: m.Report) -> dt.date:
    """The round's end, or the site's report date while the round is still running."""
    return min(report.end, site.report_date)


def since_date(site: m.Site, report: m.Report) -> dt.date:
    """The day "what changed" counts from: the previous round's end, or the day before the
    round's start."""
    prev = previous(site, report)
    return prev.end if prev else report.start - dt.timedelta(days=1)


def round_dates(site: m.Site) -> dict[dt.date, list[m.Report]]:
    """Every date the rounds look at (figures dates and the days changes count from),
    sorted, with the rounds that look at each."""
    found: dict[dt.date, list[m.Report]] = {}
    for report in site.reports:
        for day in (figures_date(site, report), since_date(site, report)):
            if report not in found.setdefault(day, []):
                found[day].append(report)
    return dict(sorted(found.items()))


def snapshot(site: m.Site, day: dt.date) -> m.Snapshot | None:
    """The records of `day` from git (None: the site's history is not in git)."""
    return next((s for s in site.history if s.day == day), None)


def _records(site: m.Site, snap: m.Snapshot | None) -> tuple[tuple[m.Activity, ...], tuple[m.Measurement, ...]]:
    if snap is not None and snap.source == "commit":
        return snap.activities, snap.measurements
    return site.activities, site.measurements


@dataclass(frozen=True)
class Round:
    """Everything one round's page and data file show."""

    report: m.Report
    prev: m.Report | None
    day: dt.date  # figures date
    since: dt.date  # "what changed" compares this day with `day`
    areas: tuple[AreaProgress, ...]
    before: dict[str, AreaProgress]
    completed: tuple[m.Activity, ...]
    new: tuple[m.Activity, ...]
    changes: tuple[tuple[m.Activity, str, str], ...]
    moved: tuple[tuple[IndicatorProgress, IndicatorProgress], ...]  # (then, now)
    under_way: tuple[m.Activity, ...]  # in progress on the figures date
    on_day: tuple[m.Activity, ...]  # every activity of the figures date, with its status then
    figures_from: m.Snapshot | None  # where the figures come from (None: no git)
    changes_from: m.Snapshot | None  # the records of `since` ("dates": those of the figures date; None: no git)
    pages: frozenset[str]  # ids of the activities that have a page now

    @property
    def ongoing(self) -> bool:
        return self.day < self.report.end


# The last rounds computed, by what they are computed from (held, so that their ids stay
# theirs): a round's page and its data file, in each language of the site, are one round.
_ROUNDS: dict[tuple[Any, ...], tuple[tuple[Any, ...], Round]] = {}


def compute(site: m.Site, report: m.Report) -> Round:
    """One round's figures and changes (rules in the module docstring), computed once for
    the same records, plan, measurements, rounds, history and report date."""
    basis = (report, site.plan, site.measurements, site.reports, site.report_date, site.history,
             *site.activities)
    key = tuple(id(x) for x in basis)
    hit = _ROUNDS.get(key)
    if hit is None or any(a is not b for a, b in zip(hit[0], basis)):
        if len(_ROUNDS) >= 64:
            _ROUNDS.pop(next(iter(_ROUNDS)))
        hit = _ROUNDS[key] = (basis, _compute(site, report))
    return hit[1]


def _compute(site: m.Site, report: m.Report) -> Round:
    day = figures_date(site, report)
    prev = previous(site, report)
    since = since_date(site, report)
    now = snapshot(site, day)
    then = snapshot(site, since) if now is not None else None
    if now is not None and (now.source == "dates" or then is None or then.source == "dates"):
        # (no version from that day: the figures date's records, by their dates)
        then = m.Snapshot(since, "dates")
    acts, meas = _records(site, now)
    # (the day of the records each day's statuses are derived from, when it is another: today's
    # records without git, or before the first commit; the figures date's for `since`)
    undated = site.report_date if now is None or now.source == "dates" else None
    dated_then = then is not None and then.source != "dates"  # (git's records of that day)
    then_acts, then_meas = _records(site, then) if dated_then else (acts, meas)
    then_undated = None if dated_then else undated or day
    areas = progress_on(site.plan, acts, meas, day, undated)
    before = {p.area.id: p for p in progress_on(site.plan, then_acts, then_meas, since, then_undated)}
    on_day = activities_on(acts, day, undated)  # statuses as derived for the figures date
    completed = tuple(a for a in on_day if a.status == "completed" and report.start <= a.last_day <= day)
    new = tuple(a for a in on_day if since < a.start <= day and a.status not in NOT_NEW)
    fresh = {a.id for a in new}
    earlier = {a.id: a for a in then_acts}
    changes = tuple((a, before_status, status_on(a, day, undated)) for a in acts if a.id in earlier
                    and a.id not in fresh
                    and (before_status := status_on(earlier[a.id], since, then_undated)) != status_on(a, day, undated))
    moved = []
    for area in areas:
        was = {p.indicator.id: p for p in before[area.area.id].indicators}
        for p in area.indicators:
            if was[p.indicator.id].value != p.value:
                moved.append((was[p.indicator.id], p))
    under_way = tuple(a for a in on_day if a.status == "in-progress")
    pages = frozenset(a.id for a in site.activities)
    if acts is not site.activities or then_acts is not site.activities:
        # (records from git: shown with the title each has now, in the page's language)
        named = {a.id: a for a in site.activities}
        completed, new, under_way = (_titled(named, xs) for xs in (completed, new, under_way))
        changes = tuple((_titled(named, (a,))[0], old, now_) for a, old, now_ in changes)
    return Round(report, prev, day, since, areas, before, completed, new, changes, tuple(moved), under_way,
                 on_day, now, then, pages)


def _titled(named: dict[str, m.Activity], acts: tuple[m.Activity, ...]) -> tuple[m.Activity, ...]:
    """The activities with the title their record has now (when it still exists)."""
    out = []
    for a in acts:
        cur = named.get(a.id)
        out.append(a if cur is None or cur.title == a.title else dataclasses.replace(a, title=cur.title))
    return tuple(out)


@dataclass(frozen=True)
class Headline:
    """A round's figures at a glance (rules in the module docstring)."""

    completed: int  # activities completed in the period
    participants: int  # in those activities
    done: int  # activities completed since the plan started, on the figures date
    live: int  # activities not cancelled
    cancelled: int  # activities cancelled (not counted in `live`)
    attainment: float | None  # mean indicator attainment, each capped to 0..1
    elapsed: float  # the plan's elapsed share of time on the figures date
    on_track: int  # indicators achieved or on track
    indicators: int


def headline(site: m.Site, r: Round) -> Headline:
    """The round's headline figures."""
    on_day = r.on_day
    inds = [p for a in r.areas for p in a.indicators]
    share = elapsed(site.plan, r.day)
    return Headline(
        completed=len(r.completed),
        participants=sum(a.participants.total for a in r.completed if a.participants),
        done=sum(1 for a in on_day if a.status == "completed"),
        live=sum(1 for a in on_day if a.status != "cancelled"),
        cancelled=sum(1 for a in on_day if a.status == "cancelled"),
        attainment=overall(r.areas, share).attainment,  # (the dashboard's first figure, on the round's day)
        elapsed=share,
        on_track=sum(1 for p in inds if p.status in ("achieved", "on track")),
        indicators=len(inds))


def report_context(site: m.Site, report: m.Report) -> dict[str, Any]:
    """The template context of a round's page."""
    r = compute(site, report)
    return {"report": report, "prev": r.prev, "day": r.day, "since": r.since, "ongoing": r.ongoing,
            "areas": r.areas, "before": r.before, "completed": r.completed, "new": r.new,
            "several_areas": any(len(a.areas) > 1 for a in r.on_day),
            "changes": r.changes, "moved": r.moved, "round_elapsed": elapsed(site.plan, r.day),
            "under_way": r.under_way, "headline": headline(site, r), "has_page": r.pages,
            "figures_from": r.figures_from, "changes_from": r.changes_from,
            "completed_by_area": {a.area.id: tuple(x for x in r.completed if a.area.id in x.areas) for a in r.areas}}


def json_number(value: float | None) -> Any:
    """A figure for JSON: whole numbers as integers, others to 4 decimals."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 4)


def json_share(value: float | None) -> float | None:
    """A share (0..1) for JSON, to 4 decimals."""
    return None if value is None else round(value, 4)


def report_data(site: m.Site, report: m.Report) -> dict[str, Any]:
    """A round's figures as plain data, for data/reports/<id>.json."""
    r = compute(site, report)
    num, share = json_number, json_share

    return {
        "id": report.id, "title": report.title, "start": report.start.isoformat(),
        "end": report.end.isoformat(), "as_of": r.day.isoformat(), "ongoing": r.ongoing,
        "previous": r.prev.id if r.prev else None, "since": r.since.isoformat(),
        "areas": [{"id": p.area.id, "status": p.status, "previous_status": r.before[p.area.id].status,
                   "activities": dict(p.counts), "completion": share(p.completion),
                   "attainment": share(p.attainment)} for p in r.areas],
        "indicators": [{"id": p.indicator.id, "area": a.area.id, "value": num(p.value),
                        "attainment": share(p.attainment), "status": p.status}
                       for a in r.areas for p in a.indicators],
        "completed": [a.id for a in r.completed],
        "new": [a.id for a in r.new],
        "status_changes": [{"id": a.id, "from": old, "to": now} for a, old, now in r.changes],
        "indicators_moved": [{"id": now.indicator.id, "from": num(then.value), "to": num(now.value)}
                             for then, now in r.moved],
        "records": {"figures": records_source(r.figures_from, r.day),
                    "changes": records_source(r.changes_from, r.since)},
    }


def records_source(snap: m.Snapshot | None, day: dt.date) -> dict[str, Any]:
    """Where the records of `day` come from, for JSON: the commit, the records as they are
    now, or today's records by their dates (`git: false` when the site is not in git)."""
    if snap is None:
        return {"source": "dates", "git": False, "day": day.isoformat()}
    return {"source": snap.source, "git": True, "day": day.isoformat(), "commit": snap.commit or None,
            "committed": snap.committed.isoformat() if snap.committed else None}
