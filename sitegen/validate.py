"""Documents -> model objects, collecting every problem of the run.

This module holds what every kind of record shares (the accepted keys of each, the checks of
a document's top level and of URLs) and the activities; the other kinds have a module each:
validate_site.py (site.yaml), validate_plan.py (plan.yaml), validate_measurements.py
(measurements), validate_texts.py (area narratives, pages, reporting rounds, translations,
message catalogues). loader.py calls them in order.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Iterable
from typing import Any

from . import branding
from . import model as m
from .content import Document, fs_key, name_problem
from .countries import COUNTRIES
from .errors import Problems
from .fields import Fields, did_you_mean, id_problem, slugify
from .yamlload import YDict, YList

SITE_KEYS = {f for f in m.SiteConfig.__dataclass_fields__}
REPO_KINDS = ("github", "gitlab")  # URL patterns of edit and history links (render.edit_links)
SEARCH_TEXTS = ("lead", "full")  # what the search index holds of an activity's report (SiteConfig.search_text)
PLAN_KEYS = {"title", "summary", "start", "end", "partners", "activity_types", "areas", "featured"}
AREA_KEYS = {"id", "title", "summary", "lead", "color", "objectives", "indicators"}
# an indicator's words about how it is measured, shown on its page (translatable)
INDICATOR_META_KEYS = ("definition", "data_source", "methodology", "contact", "frequency", "notes")
INDICATOR_KEYS = {"id", "title", "unit", "baseline", "target", "milestones", "source", "sum",
                  "where", "description", "level", "contributes_to", "dimensions", "dimension_labels",
                  *INDICATOR_META_KEYS}
ACTIVITY_KEYS = {"title", "area", "status", "start", "end", "type", "location", "countries",
                 "participants", "partners", "tags", "outputs", "contributes", "id",
                 "planned_start", "planned_end", "body", "draft"}
WHERE_KEYS = ("type", "status", "tags", "countries", "partners", "country")
SUM_FIELDS = ("participants", "participants.women", "participants.men")
COLOR = branding.COLOR
_URL_SCHEMES = ("http://", "https://", "mailto:")


def where_of(doc: Document) -> tuple[int, int]:
    data = doc.data
    return (data.line, data.column) if isinstance(data, (YDict, YList)) else (1, 1)


def mapping_of(doc: Document, problems: Problems, what: str) -> YDict | None:
    if isinstance(doc.data, YDict):
        return doc.data
    line, col = where_of(doc)
    problems.error(doc.source.rel, line or 1, col or 1,
                   f"{what} must be a YAML mapping of keys to values")
    return None


def check_url(f: Fields, key: str, url: str) -> str:
    """Keep only http(s)/mailto and site-relative URLs; report anything else."""
    clean = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    lowered = clean.lower()
    if lowered.startswith(_URL_SCHEMES) or (
            not re.match(r"^[a-z][a-z0-9+.-]*:", lowered) and not lowered.startswith("//")
            and "&" not in lowered[:12]):
        return url
    f.error(key, f"'{key}': only http, https and mailto links are allowed, got {url[:40]!r}")
    return ""


# -- activities -----------------------------------------------------------------------------

def activities(docs: list[Document], plan_: m.Plan | None, problems: Problems,
               validated: Iterable[list[m.Activity]] = ()) -> list[m.Activity]:
    """Activity documents (Markdown files and YAML lists) -> activities with unique ids.
    `validated`: the activities of other files, validated alone against the same plan with
    no problem found (the build's cache): only their ids are checked again."""
    out: list[m.Activity] = [act for acts in validated for act in acts]
    for doc in docs:
        if doc.source.kind == "activity":
            data = mapping_of(doc, problems, "an activity's front matter")
            if data is None:
                continue
            stem = os.path.splitext(doc.source.rel.rpartition("/")[2])[0]
            act = activity(Fields(doc.source.rel, data, problems, "an activity"), plan_,
                           slugify(stem), doc.body, doc.body_line)
            if act:
                out.append(act)
            continue
        items = doc.data
        if not isinstance(items, YList):
            line, col = where_of(doc)
            problems.error(doc.source.rel, line or 1, col or 1,
                           "an activity list file must be a YAML list of activity records")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, YDict):
                line, col = items.where(i)
                problems.error(doc.source.rel, line, col, "each activity must be a mapping")
                continue
            f = Fields(doc.source.rel, item, problems, "an activity")
            title = item.get("title")
            default_id = slugify(title) if isinstance(title, str) else ""
            act = activity(f, plan_, default_id, None, 0)
            if act:
                out.append(act)
    _check_unique(out, problems)
    return sorted(out, key=lambda a: (a.start, a.id))


@functools.lru_cache(maxsize=65536)
def _id_facts(act_id: str) -> tuple[str, str]:
    """What is wrong with an id as a folder name ('' when nothing), and its file-system key
    (remembered: the preview server checks every id again after each edit)."""
    return name_problem(act_id), fs_key(act_id)


def _check_unique(acts: list[m.Activity], problems: Problems) -> None:
    """Each id names one folder on every common file system (content.fs_key), and can be one;
    an activity with another's title, dates, place, type and participants is a warning (a
    copied file, counted twice in every figure)."""
    seen: dict[str, m.Activity] = {}
    same: dict[tuple[Any, ...], m.Activity] = {}
    for act in sorted(acts, key=lambda a: (a.loc.path, a.loc.line)):
        twin = same.setdefault((act.title.casefold(), act.start, act.end, act.city, act.country, act.type,
                                act.participants), act)
        if twin is not act:
            problems.warning(act.loc.path, act.loc.line, 1, f"the same title, dates, place and participants as "
                             f"{twin.loc.path}:{twin.loc.line}: a copy of it? (counted twice)",
                             "delete one of them, or tell them apart by their titles")
        why, key = _id_facts(act.id)
        if why:
            problems.error(act.loc.path, act.loc.line, 1, f"activity id '{act.id}': {why}",
                           "set another 'id:'")
            continue
        if key in seen:
            first = seen[key]
            problems.error(act.loc.path, act.loc.line, 1,
                           f"duplicate activity id '{act.id}': also used by "
                           f"{first.loc.path}:{first.loc.line}",
                           "set a unique 'id:' in one of them")
        else:
            seen[key] = act


def activity(f: Fields, plan_: m.Plan | None, default_id: str, body: str | None,
             body_line: int) -> m.Activity | None:
    """One activity mapping -> Activity; body None means it comes from a `body` key."""
    f.unknown_keys(ACTIVITY_KEYS if body is None else ACTIVITY_KEYS - {"body"})
    act_id = f.text("id") or default_id
    why = id_problem(act_id)
    if why and (act_id or f.has("title")):  # no id and no title: 'missing title' says it
        f.error("id" if f.has("id") else "title", f"activity id '{act_id}': {why}",
                "set an 'id:' made of letters, digits and hyphens")
    title = f.text("title", required=True)
    areas = _area_refs(f, plan_)
    status = f.text("status", required=True)
    if status and status not in m.STATUSES:
        f.error("status", f"unknown status '{status}'", did_you_mean(status, m.STATUSES))
    start = f.date("start", required=True)
    end = f.date("end")
    if start and end and end < start:
        f.error("end", f"'end' ({end}) is before 'start' ({start})")
    elif start and plan_ is not None:
        for key, message in outside_plan(plan_, start, end):
            f.problems.warning(f.rel, *f.at(key), message, "check the date, or the plan's start and end")
    planned_start, planned_end = f.date("planned_start"), f.date("planned_end")
    if planned_start and planned_end and planned_end < planned_start:
        f.error("planned_end", f"'planned_end' ({planned_end}) is before 'planned_start' ({planned_start})")
    typ = f.text("type")
    if typ and plan_ is not None and typ not in plan_.activity_types:
        f.error("type", f"unknown activity type '{typ}'", did_you_mean(typ, plan_.activity_types))
    city, country = "", ""
    loc = f.mapping("location")
    if loc is not None:
        lf = f.sub(loc, "'location'")
        lf.unknown_keys({"city", "country"})
        city = lf.text("city")
        country = country_code(lf, "country", lf.text("country"), lf.at("country"))
        f.ok = f.ok and lf.ok
    countries = []
    for i, code in enumerate(f.text_list("countries")):
        countries.append(country_code(f, "countries", code, f.item_where("countries", i)))
    participants = _participants(f)
    outputs = _outputs(f)
    contributes = _contributions(f, plan_)
    if body is None:
        body = f.text("body")
        body_line = f.at("body")[0] + 1 if f.has("body") else 0
    draft = f.flag("draft")
    if not f.ok or start is None:
        return None
    return m.Activity(
        id=act_id, title=title, areas=areas, status=status, start=start, end=end, type=typ,
        city=city, country=country, countries=tuple(c for c in countries if c),
        participants=participants, partners=f.text_list("partners"), tags=f.text_list("tags"),
        outputs=outputs, contributes=contributes, planned_start=planned_start,
        planned_end=planned_end, body=body, loc=m.Loc(f.rel, f.data.line or 1),
        body_line=body_line, draft=draft)


def outside_plan(plan_: m.Plan, start: dt.date, end: dt.date | None) -> list[tuple[str, str]]:
    """(key, message) for an activity's dates outside the plan's period: its start when that
    is outside, its end when the activity runs on past the plan's end (a warning: the charts
    and the timeline would stretch to cover it). None while the plan's own period is wrong."""
    out: list[tuple[str, str]] = []
    if plan_.end < plan_.start:
        return out
    if start < plan_.start:
        out.append(("start", f"start {start} is before the plan's start {plan_.start}"))
    elif start > plan_.end:
        out.append(("start", f"start {start} is after the plan's end {plan_.end}"))
    if end is not None and end > plan_.end >= start:
        out.append(("end", f"end {end} is after the plan's end {plan_.end}"))
    return out


def _area_refs(f: Fields, plan_: m.Plan | None) -> tuple[str, ...]:
    if not f.has("area"):
        f.error("area", "missing required key 'area' in an activity")
        return ()
    refs = f.text_list("area", allow_single=True)
    if f.data.get("area") == []:
        f.error("area", "'area' must name at least one area of the plan")
    if plan_ is None:
        return refs
    known = [a.id for a in plan_.areas]
    for i, ref in enumerate(refs):
        if ref not in known:
            line, col = f.item_where("area", i) if isinstance(f.data.get("area"), list) else f.at("area")
            f.problems.error(f.rel, line, col, f"unknown area '{ref}'", did_you_mean(ref, known))
            f.ok = False
    return tuple(dict.fromkeys(refs))


# Codes that are not ISO 3166-1's but are often written for it (the EU's "UK" and "EL")
_CODE_ALIASES = {"UK": "GB", "EL": "GR"}


@functools.lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, str]:
    """A country's English name, and its name from Babel's CLDR (English), -> its code."""
    from babel import Locale
    names = {name.casefold(): code for code, name in COUNTRIES.items()}
    for code, name in Locale("en").territories.items():
        if code in COUNTRIES:
            names.setdefault(name.casefold(), code)
    return names


def _country_hint(code: str) -> str:
    """'did you mean 'DE'?' for "de", "Germany" or "UK" ('GB'), else how codes are written."""
    found = code.upper() if code.upper() in COUNTRIES else _CODE_ALIASES.get(code.upper()) or \
        _codes_by_name().get(" ".join(code.split()).casefold())
    return f"did you mean '{found}'?" if found else "use ISO 3166-1 alpha-2, e.g. AT"


def country_code(f: Fields, key: str, code: str, where: tuple[int, int]) -> str:
    if not code:
        return ""
    if code not in COUNTRIES:
        hint = _country_hint(code)
        f.problems.error(f.rel, where[0], where[1], f"'{key}': unknown country code '{code}'", hint)
        f.ok = False
        return ""
    return code


def _participants(f: Fields) -> m.Participants | None:
    value = f.data.get("participants")
    if value is None:
        return None
    if isinstance(value, YDict):
        pf = f.sub(value, "'participants'")
        pf.unknown_keys({"total", "women", "men"})
        total = pf.number("total", required=True, minimum=0)
        women = pf.number("women", minimum=0) if pf.has("women") else None
        men = pf.number("men", minimum=0) if pf.has("men") else None
        for key, n in (("total", total), ("women", women), ("men", men)):
            if n is not None and n != int(n):
                pf.error(key, f"'{key}' must be a whole number")
        if pf.ok and (women or 0) + (men or 0) > total:
            pf.error("total", f"women ({women:g}) plus men ({men or 0:g}) exceed the total ({total:g})")
        f.ok = f.ok and pf.ok
        if not pf.ok:
            return None
        return m.Participants(int(total), None if women is None else int(women),
                              None if men is None else int(men))
    total = f.check_number("participants", value, minimum=0)
    if f.ok and total != int(total):
        f.error("participants", "'participants' must be a whole number")
    return m.Participants(int(total))


def _outputs(f: Fields) -> tuple[m.Output, ...]:
    raw = f.data.get("outputs")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        f.error("outputs", "'outputs': expected a list of {title, url}")
        return ()
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, YDict):
            line, col = f.item_where("outputs", i)
            f.problems.error(f.rel, line, col, "an output must be {title, url}")
            f.ok = False
            continue
        of = f.sub(item, "an output")
        of.unknown_keys({"title", "url"})
        title, url = of.text("title", required=True), of.text("url")
        url = check_url(of, "url", url) if url else ""
        f.ok = f.ok and of.ok
        out.append(m.Output(title, url))
    return tuple(out)


def _contributions(f: Fields, plan_: m.Plan | None) -> tuple[tuple[str, float], ...]:
    raw = f.mapping("contributes")
    if raw is None:
        return ()
    cf = f.sub(raw, "'contributes'")
    known = {i.id: i for i in plan_.indicators} if plan_ else {}
    out = []
    for key in raw:
        value = cf.check_number(str(key), raw[key], minimum=0)
        if plan_ is not None:
            ind = known.get(key)
            if ind is None:
                cf.error(key, f"unknown indicator '{key}'", did_you_mean(str(key), known))
            elif ind.source != "contributions":
                cf.error(key, f"indicator '{key}' has source '{ind.source}', not 'contributions'")
        out.append((str(key), value))
    f.ok = f.ok and cf.ok
    return tuple(sorted(out))
