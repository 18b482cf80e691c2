"""The IATI 2.03 export, data/iati-activities.xml (docs/iati.md), written when site.yaml has
`iati:` settings.

The plan is one `<iati-activity>` (hierarchy 1) that carries the results, one per indicator,
and each record is one `<iati-activity>` (hierarchy 2) whose parent it is. Elements follow the
order of the 2.03 schema's sequences; an element whose data the records do not give is left
out (no placeholder); the file's date is the report date, never the clock.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from fractions import Fraction

from . import model as m
from .progress import breakdowns, indicator_value, measured_totals
from .render import Job, Renderer, page_kind

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# ActivityStatus codes of sitegen's statuses (docs/iati.md says why).
STATUS_CODES = {"planned": "1", "in-progress": "2", "completed": "3", "cancelled": "5", "postponed": "6"}
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"  # ActivityDateType
IMPLEMENTING, ACCOUNTABLE = "4", "2"  # OrganisationRole
OUTPUT, OUTCOME, IMPACT = "1", "2", "3"  # ResultType
# an indicator's `level` as a ResultType
LEVEL_TYPES = {"output": OUTPUT, "outcome": OUTCOME, "impact": IMPACT}
UNIT = "1"  # IndicatorMeasure
PARENT, CHILD = "1", "2"  # RelatedActivityType
GENERAL = "1"  # DescriptionType
WEB_PAGE, RESULTS_DOCUMENT = "A12", "A08"  # DocumentCategory
REPORTING_ORG_VOCABULARY = "99"  # IndicatorVocabulary: the reporting organisation's own
DAC_5 = "1"  # SectorVocabulary
# FileFormat (IANA media types) of an output's link, by the ending of its path; a path without
# one is taken for a web page
FORMATS = {".pdf": "application/pdf", ".htm": "text/html", ".html": "text/html", ".csv": "text/csv",
           ".txt": "text/plain", ".doc": "application/msword", ".xls": "application/vnd.ms-excel",
           ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
           ".odt": "application/vnd.oasis.opendocument.text", ".zip": "application/zip",
           ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".mp4": "video/mp4"}

Texts = list[tuple[str, str]]  # (language of the site, text): the first language's first


@page_kind("iati")
def iati_activities(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    """data/iati-activities.xml: the plan's activity, then each record's in the site's order."""
    settings = r.site.config.iati
    if settings is None:  # (the job exists only with the settings)
        return []
    day = r.site.report_date
    root = ET.Element("iati-activities", {"version": VERSION, "generated-datetime": f"{day.isoformat()}T00:00:00Z"})
    root.append(plan_activity(r, settings))
    for act in r.site.activities:
        root.append(record_activity(r, settings, act))
    ET.indent(root, "  ")
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    return [(job.path, text.encode("utf-8"))]


# -- the two kinds of activity ------------------------------------------------------------

def plan_activity(r: Renderer, settings: m.IatiSettings) -> ET.Element:
    """The plan as an activity: its period, partners, countries and sectors, its records as
    children and its indicators as results."""
    site, plan = r.site, r.site.plan
    day = site.report_date
    el = _activity(r, settings.identifier, "1", site.config.base_url)
    _reporting_org(el, settings)
    plans = [(site.config.language, plan), *site.plans]
    _narratives(ET.SubElement(el, "title"), [(code, p.title) for code, p in plans])
    summary = [(code, _plain(r, p.summary)) for code, p in plans]
    _description(el, summary, f"{plan.title}, {plan.start.isoformat()} – {plan.end.isoformat()}")
    _participants(el, settings, [p.name for p in plan.partners])
    status = "1" if day < plan.start else "3" if day > plan.end else "2"
    ET.SubElement(el, "activity-status", code=status)
    dates = [(PLANNED_START, plan.start), (PLANNED_END, plan.end)]
    if day >= plan.start:
        dates.append((ACTUAL_START, plan.start))
    if day > plan.end:
        dates.append((ACTUAL_END, plan.end))
    _dates(el, dates)
    countries: dict[str, Fraction] = {}
    for act in site.activities:
        for code, share in _even(act.all_countries).items():
            countries[code] = countries.get(code, Fraction(0)) + share
    _shared(el, "recipient-country", countries, {})
    configured = dict(settings.sectors)
    _shared(el, "sector", _sector_weights([a.id for a in plan.areas], configured), {"vocabulary": DAC_5})
    _page_link(el, site.config.base_url, plan.title)
    for act in site.activities:
        ET.SubElement(el, "related-activity", ref=f"{settings.identifier}-{act.id}", type=CHILD)
    translated = {code: {i.id: i for i in p.indicators} for code, p in site.plans}
    for ind in plan.indicators:
        el.append(result(r, ind, translated))
    return el


def record_activity(r: Renderer, settings: m.IatiSettings, act: m.Activity) -> ET.Element:
    """A record as an activity, child of the plan's."""
    site = r.site
    page = site.config.base_url + f"activities/{act.id}/"
    el = _activity(r, f"{settings.identifier}-{act.id}", "2", page)
    _reporting_org(el, settings)
    _narratives(ET.SubElement(el, "title"),
                [(site.config.language, act.title)] + [(t.lang, t.title) for t in act.translations])
    bodies = [(site.config.language, _plain(r, act.body))] + [(t.lang, _plain(r, t.body)) for t in act.translations]
    areas = ", ".join(r.area_title[a] for a in act.areas)
    _description(el, bodies, f"{site.plan.title}: {areas}")
    _participants(el, settings, [p.name for p in site.plan.partners] + list(act.partners))
    ET.SubElement(el, "activity-status", code=STATUS_CODES[act.status])
    _dates(el, record_dates(act, site.report_date))
    _shared(el, "recipient-country", _even(act.all_countries), {})
    _shared(el, "sector", _sector_weights(list(act.areas), dict(settings.sectors)), {"vocabulary": DAC_5})
    _page_link(el, page, act.title)
    for output in act.outputs:
        url = urllib.parse.urljoin(site.config.base_url, output.url)
        if url.startswith(("http://", "https://")):
            link = ET.SubElement(el, "document-link", url=url, format=_format(url))
            _narratives(ET.SubElement(link, "title"), [(site.config.language, output.title)])
            ET.SubElement(link, "category", code=RESULTS_DOCUMENT)
    ET.SubElement(el, "related-activity", ref=settings.identifier, type=PARENT)
    return el


def record_dates(act: m.Activity, day: dt.date) -> list[tuple[str, dt.date]]:
    """The ActivityDateType dates of a record: actual start and end where its status says
    they happened (and not after the report date), planned ones from its schedule
    (`planned_start`/`planned_end`, else its dates while they are still to come)."""
    started = act.status in ("in-progress", "completed") and act.start <= day
    ended = act.status == "completed" and act.last_day <= day
    out: list[tuple[str, dt.date]] = []
    planned_start = act.planned_start or (None if started else act.start)
    planned_end = act.planned_end or (None if ended else act.end)
    if planned_start:
        out.append((PLANNED_START, planned_start))
    if started:
        out.append((ACTUAL_START, act.start))
    if planned_end:
        out.append((PLANNED_END, planned_end))
    if ended:
        out.append((ACTUAL_END, act.last_day))
    return out


# -- results --------------------------------------------------------------------------------

def result_type(ind: m.Indicator) -> str:
    """The indicator's `level` (output, outcome, impact) when it has one; without one, output
    for what the plan's activities deliver (counted from the records), outcome for what is
    measured in the world (`source: measurements`)."""
    if ind.level:
        return LEVEL_TYPES[ind.level]
    return OUTCOME if ind.source == "measurements" else OUTPUT


def periods(ind: m.Indicator, plan: m.Plan) -> list[tuple[dt.date, dt.date, float]]:
    """(start, end, target) of each period of an indicator: from the plan's start to each
    milestone in turn, then to the plan's end (the indicator's target); the targets, like
    the values, are cumulative."""
    out: list[tuple[dt.date, dt.date, float]] = []
    start = plan.start
    for ms in sorted(ind.milestones, key=lambda x: x.date):
        if start <= ms.date <= plan.end:
            out.append((start, ms.date, ms.target))
            start = ms.date + dt.timedelta(days=1)
    if start <= plan.end:
        out.append((start, plan.end, ind.target))
    return out


def result(r: Renderer, ind: m.Indicator, translated: dict[str, dict[str, m.Indicator]]) -> ET.Element:
    """An indicator as a result: its baseline at the plan's start, and per period its target
    and, once the period has begun by the report date, its value at the period's end (or on
    the report date, said in a comment)."""
    site = r.site
    home = site.config.language
    others = [(code, found[ind.id]) for code, found in translated.items() if ind.id in found]
    el = ET.Element("result", type=result_type(ind))
    _narratives(ET.SubElement(el, "title"), [(home, ind.title)] + [(c, i.title) for c, i in others])
    measure = ET.SubElement(el, "indicator", measure=UNIT, ascending="1" if ind.target >= ind.baseline else "0")

    def titled(i: m.Indicator) -> str:
        return f"{i.title} ({i.unit})" if i.unit else i.title
    _narratives(ET.SubElement(measure, "title"), [(home, titled(ind))] + [(c, titled(i)) for c, i in others])
    described = [(home, _plain(r, ind.description))] + [(c, _plain(r, i.description)) for c, i in others]
    if described[0][1]:
        _narratives(ET.SubElement(measure, "description"), described)
    ET.SubElement(measure, "reference", {"vocabulary": REPORTING_ORG_VOCABULARY, "code": ind.id,
                                         "indicator-uri": site.config.base_url + f"indicators/{ind.id}/"})
    ET.SubElement(measure, "baseline", {"year": str(site.plan.start.year), "iso-date": site.plan.start.isoformat(),
                                        "value": number(ind.baseline)})
    day = site.report_date
    for start, end, target in periods(ind, site.plan):
        period = ET.SubElement(measure, "period")
        ET.SubElement(period, "period-start", {"iso-date": start.isoformat()})
        ET.SubElement(period, "period-end", {"iso-date": end.isoformat()})
        ET.SubElement(period, "target", value=number(target))
        if start > day:
            continue
        value = indicator_value(ind, site.activities, site.measurements, min(end, day))
        if value is None:
            continue
        actual = ET.SubElement(period, "actual", value=number(value))
        if end > day:
            texts = [(code, r.language(code).words if code != home else r.words) for code in site.config.all_languages]
            _narratives(ET.SubElement(actual, "comment"),
                        [(code, w("The value on the report date, %(date)s: the period has not ended.",
                                  date=day.isoformat())) for code, w in texts])
        for name, category, part in parts(ind, site, min(end, day)):
            by = ET.SubElement(period, "actual", value=number(part))
            ET.SubElement(by, "dimension", name=name, value=category)
    return el


def parts(ind: m.Indicator, site: m.Site, on: dt.date) -> list[tuple[str, str, float]]:
    """(dimension, category, value) of an indicator's parts on the date its value on `on`
    comes from (docs/progress.md, "Breakdowns"): IATI's actuals by `dimension`."""
    if not ind.dimensions:
        return []
    if ind.source == "measurements":
        totals = measured_totals(ind, site.measurements, on)
        if not totals:
            return []
        on = totals[-1][0]
    return [(b.dimension, category, value)
            for b in breakdowns(ind, site.activities, site.measurements, on) if b.dates[-1] == on
            for category, value in zip(b.categories, b.latest) if value is not None]


def number(value: float) -> str:
    """A figure as IATI decimals: whole numbers without a point, others to four decimals."""
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0")


# -- pieces ---------------------------------------------------------------------------------

def _activity(r: Renderer, identifier: str, hierarchy: str, uri: str) -> ET.Element:
    el = ET.Element("iati-activity", {XML_LANG: _language(r.site.config.language), "hierarchy": hierarchy,
                                      "linked-data-uri": uri})
    ET.SubElement(el, "iati-identifier").text = identifier
    return el


def _reporting_org(el: ET.Element, settings: m.IatiSettings) -> None:
    org = settings.reporting_org
    _narratives(ET.SubElement(el, "reporting-org", ref=org.ref, type=org.type), [("", org.name)])


def _participants(el: ET.Element, settings: m.IatiSettings, names: list[str]) -> None:
    """participating-org for each partner named (once each, in order), with the identifier,
    type and role that `organisations:` gives (role: implementing by default); none named:
    the reporting organisation, accountable for the activity."""
    known = {o.name: o for o in settings.organisations}
    names = list(dict.fromkeys(names))
    if not names:
        org = settings.reporting_org
        _narratives(ET.SubElement(el, "participating-org", ref=org.ref, type=org.type, role=ACCOUNTABLE),
                    [("", org.name)])
        return
    for name in names:
        org = known.get(name, m.IatiOrganisation(name))
        attrs = {"ref": org.ref, "type": org.type, "role": org.role or IMPLEMENTING}
        _narratives(ET.SubElement(el, "participating-org", {k: v for k, v in attrs.items() if v}), [("", name)])


def _description(el: ET.Element, texts: Texts, fallback: str) -> None:
    """The general description (required by the schema): the text, else a line made of the
    record's own facts."""
    if not texts or not texts[0][1]:
        texts = [("", fallback)]
    _narratives(ET.SubElement(el, "description", type=GENERAL), texts)


def _dates(el: ET.Element, dates: list[tuple[str, dt.date]]) -> None:
    for kind, day in sorted(dates):
        ET.SubElement(el, "activity-date", {"type": kind, "iso-date": day.isoformat()})


def _shared(el: ET.Element, tag: str, weights: dict[str, Fraction], attrs: dict[str, str]) -> None:
    """One element per code, with its percentage when there are several (summing to 100)."""
    shares = percentages(weights)
    for code, pct in shares:
        ET.SubElement(el, tag, {**attrs, "code": code, **({"percentage": pct} if len(shares) > 1 else {})})


def _even(codes: Iterable[str]) -> dict[str, Fraction]:
    found = sorted(set(codes))
    return {c: Fraction(1, len(found)) for c in found}


def _sector_weights(areas: list[str], configured: dict[str, tuple[str, ...]]) -> dict[str, Fraction]:
    """Each configured area's share split evenly among its codes (areas without codes do not
    count)."""
    mine = [a for a in dict.fromkeys(areas) if configured.get(a)]
    out: dict[str, Fraction] = {}
    for area in mine:
        codes = configured[area]
        for code in codes:
            out[code] = out.get(code, Fraction(0)) + Fraction(1, len(mine) * len(codes))
    return out


def percentages(weights: dict[str, Fraction]) -> list[tuple[str, str]]:
    """Weights as percentages to two decimals summing to exactly 100 (largest remainders, ties
    by code), by code."""
    total = sum(weights.values(), Fraction(0))
    if not total:
        return []
    exact = {k: w * 10000 / total for k, w in weights.items()}
    cents = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (cents[k] - exact[k], k))[:10000 - sum(cents.values())]:
        cents[k] += 1
    return [(k, f"{cents[k] // 100}" if cents[k] % 100 == 0 else f"{cents[k] / 100:.2f}".rstrip("0"))
            for k in sorted(weights)]


def _page_link(el: ET.Element, url: str, title: str) -> None:
    link = ET.SubElement(el, "document-link", url=url, format="text/html")
    _narratives(ET.SubElement(link, "title"), [("", title)])
    ET.SubElement(link, "category", code=WEB_PAGE)


def _format(url: str) -> str:
    path = urllib.parse.urlsplit(url).path.lower()
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return "text/html"
    return FORMATS.get(name[name.rindex("."):], "application/octet-stream")


def _narratives(el: ET.Element, texts: Texts) -> None:
    """A narrative per language with a text: the first in the activity's language, the
    others marked with theirs (ISO 639-1; a language whose code another already took is
    left out)."""
    seen: set[str] = set()
    for i, (code, text) in enumerate(texts):
        lang = _language(code) if code else ""
        if not text or (i and (lang in seen or not lang or text == texts[0][1])):
            continue
        seen.add(lang)
        narrative = ET.SubElement(el, "narrative", {XML_LANG: lang} if i else {})
        narrative.text = text


def _language(code: str) -> str:
    """The ISO 639 code of a CLDR locale (pt_BR -> pt)."""
    return code.replace("-", "_").split("_")[0].lower()


# A block of the HTML that sitegen's Markdown makes (a paragraph apart from the next), any
# other tag, and what raw HTML (allow_raw_html) may hold that is no text.
_BLOCK = re.compile(r"</?(?:p|h[1-6]|li|blockquote|pre|tr|table|ul|ol|div|br|hr|dt|dd|figcaption)\b[^>]*>",
                    re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_NO_TEXT = re.compile(r"<(script|style|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)


def _plain(r: Renderer, markdown_text: str) -> str:
    """Plain text of a Markdown body (as the site renders it), paragraphs apart."""
    if not markdown_text.strip():
        return ""
    text = _NO_TEXT.sub("", r._md(markdown_text)).replace("\n", " ")
    text = html.unescape(_TAG.sub("", _BLOCK.sub("\n", text)))
    blocks = (" ".join(block.split()) for block in text.split("\n"))
    return "\n\n".join(block for block in blocks if block)
