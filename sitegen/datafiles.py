"""The data files (JSON, CSV, feed, sitemap), and the one function that turns
an activity into the record that activities.json and activities.csv both hold
(`activity_record`, in the SPEC's key names).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from . import charts
from . import model as m
from .i18n import direction
from .progress import elapsed, overall
from .render import Job, Renderer, page_kind
from .reports import json_number as _num
from .reports import json_share as _round


@page_kind("report_json")
def report_json(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    from .reports import report_data
    report = next(x for x in r.site.reports if x.id == job.key)
    return [(job.path, _json(report_data(r.site, report)))]


def activity_record(r: Renderer, act: m.Activity) -> dict[str, Any]:
    """An activity in the SPEC's key names, plus its page URL."""
    rec: dict[str, Any] = {"id": act.id, "title": act.title,
                           "area": act.areas[0] if len(act.areas) == 1 else list(act.areas),
                           "status": act.status, "start": act.start.isoformat(),
                           "end": act.end.isoformat() if act.end else None, "type": act.type or None,
                           "location": {"city": act.city, "country": act.country} if act.city or act.country else None,
                           "countries": list(act.countries)}
    p = act.participants
    rec["participants"] = None if p is None else (
        p.total if p.women is None and p.men is None else
        {"total": p.total, "women": p.women, "men": p.men})
    rec.update({"partners": list(act.partners), "tags": list(act.tags),
                "outputs": [{"title": o.title, "url": o.url} for o in act.outputs],
                "contributes": {k: _num(v) for k, v in act.contributes},
                "planned_start": act.planned_start.isoformat() if act.planned_start else None,
                "planned_end": act.planned_end.isoformat() if act.planned_end else None,
                "url": r.site.config.base_url + f"activities/{act.id}/"})
    return rec


@page_kind("plan_json")
def plan_json(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    site = r.site
    areas = []
    for a in site.plan.areas:
        prog = r.progress[a.id]
        areas.append({
            "id": a.id, "title": a.title, "status": prog.status,
            "activities": dict(prog.counts), "completion": _round(prog.completion),
            "attainment": _round(prog.attainment), "url": site.config.base_url + f"areas/{a.id}/",
            "indicators": [{"id": p.indicator.id, "title": p.indicator.title, "unit": p.indicator.unit,
                            "baseline": _num(p.indicator.baseline), "target": _num(p.indicator.target),
                            "value": _num(p.value), "status": p.status, "source": p.indicator.source,
                            "level": p.indicator.level or None,
                            "contributes_to": p.indicator.contributes_to or None,
                            "attainment": _round(p.attainment), "expected": _round(p.expected),
                            "milestones": [{"date": ms.date.isoformat(), "target": _num(ms.target)}
                                           for ms in p.indicator.milestones]}
                           for p in prog.indicators],
        })
    share = elapsed(site.plan, site.report_date)
    whole = overall(tuple(r.progress[a.id] for a in site.plan.areas), share)
    data = {"title": site.plan.title, "as_of": site.report_date.isoformat(),
            "as_of_source": site.report_date_source, "start": site.plan.start.isoformat(),
            "end": site.plan.end.isoformat(), "elapsed": _round(share),
            "attainment": _round(whole.attainment), "expected": _round(whole.expected), "status": whole.status,
            "partners": [{"name": p.name, "url": p.url} for p in site.plan.partners], "areas": areas}
    return [(job.path, _json(data))]


@page_kind("activities_json")
def activities_json(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    # One line (json.dumps with indent takes the pure-Python encoder, 5x slower at 10k):
    # the records joined as json.dumps joins the items of a list.
    parts = [_piece(r, "activities_json", a) for a in r.site.activities]
    return [(job.path, ("[" + ", ".join(parts) + "]\n").encode("utf-8"))]


def record_json(r: Renderer, act: m.Activity) -> str:
    return json.dumps(activity_record(r, act), ensure_ascii=False)


@page_kind("activities_csv")
def activities_csv(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    cols = ("id", "title", "area", "status", "start", "end", "type", "city", "country", "countries",
            "participants", "women", "men", "partners", "tags", "planned_start", "planned_end", "url")
    rows = [_piece(r, "activities_csv", a) for a in r.site.activities]
    return [(job.path, (charts.to_csv(cols, ()) + "".join(rows)).encode("utf-8"))]


def record_csv(r: Renderer, a: m.Activity) -> str:
    """An activity's row of activities.csv: its record (activity_record) with lists joined by ";"
    and participants in three columns."""
    rec = activity_record(r, a)
    area = rec["area"]
    where = rec["location"] or {}
    people = rec["participants"]
    if not isinstance(people, dict):
        people = {"total": people, "women": None, "men": None}
    return charts.csv_row((
        rec["id"], rec["title"], area if isinstance(area, str) else ";".join(area), rec["status"], rec["start"],
        rec["end"] or "", rec["type"] or "", where.get("city", ""), where.get("country", ""),
        ";".join(rec["countries"]), *("" if people[k] is None else people[k] for k in ("total", "women", "men")),
        ";".join(rec["partners"]), ";".join(rec["tags"]), rec["planned_start"] or "", rec["planned_end"] or "",
        rec["url"]))


@page_kind("activities_index")
def activities_index(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    """Compact facets of every activity, for client-side filtering of paginated lists
    (one line, the rows joined as json.dumps joins the items of a list)."""
    rows = [_piece(r, "activities_index", a) for a in r.page_list.newest_first]
    return [(job.path, ("[" + ", ".join(rows) + "]\n").encode("utf-8"))]


# The data files made of one piece per activity: kind -> (the name of the piece in
# record_memo.RecordTexts, which makes each once per record, and the function making it).
_PIECES: dict[str, tuple[str, Callable[[Renderer, m.Activity], str]]] = {
    "activities_json": ("json", lambda r, a: record_json(r, a)),
    "activities_csv": ("csv", lambda r, a: record_csv(r, a)),
    "activities_index": ("index", lambda r, a: _index_row(a, r.languages.text_lang(a))),
}


def _piece(r: Renderer, kind: str, a: m.Activity) -> str:
    """An activity's piece of the data file of `kind`."""
    name, make = _PIECES[kind]
    return r.memo.texts.get(a, name, make, r, a)


SPLICED = frozenset({"activities_json", "activities_csv", "activities_index"})


def splice(r: Renderer, kind: str, previous: bytes, replaced: list[tuple[m.Activity, m.Activity]]
           ) -> bytes | None:
    """The data file of `kind` (one of SPLICED) for this renderer's site, from `previous`, the
    file of a site whose activities differ only in the records of `replaced` ((old, new),
    in the same order as before): each changed piece is swapped in place, so an edit costs
    no re-serialisation of the whole file. None when a piece is not found exactly once (the
    caller renders the file instead). Each piece names its record's unique id or URL, and a
    JSON piece cannot occur inside another one's strings (their quotes are escaped)."""
    data = previous
    for old, new in replaced:
        before, after = _piece(r, kind, old).encode("utf-8"), _piece(r, kind, new).encode("utf-8")
        if before == after:
            continue
        at = data.find(before)
        if at < 0 or data.find(before, at + 1) >= 0:
            return None
        view = memoryview(data)  # one copy of the file, not three
        data = b"".join((view[:at], after, view[at + len(before):]))
    return data


@page_kind("feed")
def feed(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    base = r.site.config.base_url
    newest = r.page_list.newest_before(r.site.report_date, 30)
    html = r.env.get_template("feed.xml").render(
        site=r.site, base=base, entries=newest, area_title=r.area_title,
        updated=r.site.report_date.isoformat(), excerpt=excerpt, md=r._md)
    return [(job.path, html.encode("utf-8"))]


@page_kind("sitemap")
def sitemap(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    base = r.site.config.base_url
    urls = sorted(j.path[: -len("index.html")] for j in r.jobs()
                  if j.path.endswith("index.html") and not j.lang and j.kind != "redirect")
    # a multilingual site: every page in every language, each with its alternates
    first = r.site.config.languages[:1]
    languages = [(code.replace("_", "-"), "" if code in first else f"{code}/") for code in r.site.config.languages]
    xml = r.env.get_template("sitemap.xml").render(base=base, urls=urls, languages=languages)
    return [(job.path, xml.encode("utf-8"))]


@page_kind("robots")
def robots(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    text = f"User-agent: *\nAllow: /\nSitemap: {r.site.config.base_url}sitemap.xml\n"
    return [(job.path, text.encode("utf-8"))]


def _index_row(a: m.Activity, title_lang: str) -> str:
    """An activity's row of data/activities-index.json: id, title, areas, status, type,
    countries, start, end ("" without one); then, for an activity that moved (`slipped`),
    its first planned start when its start moved, else "" (what filter.js writes as the list
    items do: "rescheduled from ...", "rescheduled"), null for one that did not; then the
    language tag of its title when that is not the page's (`title_lang`, languages.text_lang),
    and "rtl" when that language is written right to left. Trailing fields that say nothing
    are left out."""
    row: list[Any] = [a.id, a.title, list(a.areas), a.status, a.type, list(a.all_countries),
                      a.start.isoformat(), a.last_day.isoformat() if a.end else ""]
    if a.slipped:
        row.append(a.moved_from.isoformat() if a.moved_from else "")
    if title_lang:
        row += [None] * (9 - len(row)) + [title_lang]
        if direction(title_lang) == "rtl":
            row.append("rtl")
    return json.dumps(row, ensure_ascii=False)


@functools.lru_cache(maxsize=65536)
def excerpt(text: str, limit: int = 240) -> str:
    """Plain-text start of a Markdown body, for lists and feeds."""
    words = []
    for line in text.split("\n"):
        line = line.strip().lstrip("#>*-|0123456789. ").strip()
        if line:
            words.append(line)
        if sum(len(w) for w in words) > limit:
            break
    plain = " ".join(words)
    for ch in "*_`[]":
        plain = plain.replace(ch, "")
    return plain[:limit].rsplit(" ", 1)[0] + "…" if len(plain) > limit else plain


def _json(data: Any, indent: int | None = 1) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=False) + "\n").encode("utf-8")
