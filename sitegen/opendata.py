"""Open data that tools understand (#19): tidy tables beside activities.csv (areas,
indicators, their values, measurements, and the links of activities to areas and
indicators), `data/datapackage.json` (a Frictionless Tabular Data Package describing every
CSV under data/, the charts' tables included) and `data/<plan>-data.zip` (the package's core
tables with a README and a citation).

Column names and codes are data keys, in English as in activities.csv; titles and
descriptions are in the language of the data folder (each language of a site has its own,
as its activities.csv). The charts' tables are described from their column definitions
(`chart_tables`: each chart made from as few records as give its columns), not from
their figures, so that describing them costs nothing at 10,000 activities.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from . import charts, datafiles, taxonomy
from . import model as m
from .fields import slugify
from .pages import breakdown_title, category_labels, dimension_label, featured_indicators, term_charted, term_label
from .progress import breakdowns
from .render import Job, Renderer, page_kind
from .reports import figures_date
from .reports import json_number as _num
from .reports import json_share as _share

# SPDX identifiers of the usual data licences -> (title, URL). A `data_license` that is a URL
# is named by its URL; another identifier by its name alone.
LICENSES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0 International",
                  "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution Share-Alike 4.0 International",
                     "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC-BY-NC-4.0": ("Creative Commons Attribution Non Commercial 4.0 International",
                     "https://creativecommons.org/licenses/by-nc/4.0/"),
    "CC-BY-3.0-IGO": ("Creative Commons Attribution 3.0 IGO", "https://creativecommons.org/licenses/by/3.0/igo/"),
    "CC0-1.0": ("Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-By-1.0": ("Open Data Commons Attribution License v1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License v1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    "PDDL-1.0": ("Open Data Commons Public Domain Dedication & License 1.0",
                 "https://opendatacommons.org/licenses/pddl/1-0/"),
    "OGL-UK-3.0": ("Open Government Licence v3.0",
                   "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
}

# the tables of the plan made here, in the package's order (activities.csv is datafiles')
TABLES = ("areas", "indicators", "indicator-values", "measurements", "activity-areas", "contributions")
SERIES = ("baseline", "actual", "milestone", "target")  # the kinds of value of indicator-values.csv


@dataclass(frozen=True)
class Column:
    """A column of a published CSV, as a Table Schema field."""

    name: str
    type: str  # string, integer, number, boolean, date, yearmonth
    description: str = ""
    unit: str = ""  # of a number, where one is known (a field property beyond the standard's)
    enum: tuple[str, ...] = ()

    def field(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.description:
            out["description"] = self.description
        if self.unit:
            out["unit"] = self.unit
        if self.enum:
            out["constraints"] = {"enum": list(self.enum)}
        return out


@dataclass(frozen=True)
class Table:
    """A published CSV (path relative to data/) and its Table Schema."""

    name: str  # the resource's name in the package: lower-case letters, digits, - . _
    path: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    # (columns, the resource they refer to, its columns)
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()

    def resource(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"fields": [c.field() for c in self.columns], "missingValues": [""]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [{"fields": list(cols), "reference": {"resource": res, "fields": list(ref)}}
                                     for cols, res, ref in self.foreign_keys]
        return {"name": self.name, "path": self.path, "profile": "tabular-data-resource", "title": self.title,
                "description": self.description, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "schema": schema}


# -- the jobs --------------------------------------------------------------------------------

def jobs(site: m.Site) -> list[Job]:
    """The open data files of a site (in each of its languages' data folders)."""
    # Every record, named through its areas (an activity has at least one): the build cache
    # keeps these files while no record changed, and a body edit renders none of them.
    every = frozenset({"plan", *(f"area:{a.id}" for a in site.plan.areas)})
    out = [Job(f"data/{name}.csv", "open_table", name, frozenset({"plan"}) if name == "measurements" else every)
           for name in TABLES]
    out += [Job(f"data/indicators/{i.id}.csv", "indicator_values", i.id, frozenset({f"area:{i.area}"}))
            for i in site.plan.indicators]
    out += [Job(f"data/breakdowns/{i.id}.csv", "indicator_breakdown", i.id, frozenset({f"area:{i.area}"}))
            for i in site.plan.indicators if i.dimensions]
    out.append(Job("data/datapackage.json", "datapackage", deps=every))
    out.append(Job(zip_path(site), "data_zip", deps=every))
    return out


def zip_path(site: m.Site) -> str:
    """The zip's path: data/<the plan's title as a slug>-data.zip (on a multilingual site, the
    first language's title, in every language's folder)."""
    return f"data/{slugify(site.plan.title) or 'plan'}-data.zip"


@page_kind("open_table")
def open_table(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    table = next(t for t in core_tables(r) if t.name == job.key)
    return [(job.path, _table_csv(r, table))]


def _table_csv(r: Renderer, table: Table) -> bytes:
    """A core table's CSV (in data/ and in the zip: made once where one process renders both)."""
    return r.once(f"open_table:{table.name}", lambda: _csv(table, ROWS[table.name](r)))


@page_kind("indicator_values")
def indicator_values(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    ind = next(i for i in r.site.plan.indicators if i.id == job.key)
    return [(job.path, _csv(indicator_table(r, ind, set()), _values(r, ind)))]


@page_kind("indicator_breakdown")
def indicator_breakdown(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    ind = next(i for i in r.site.plan.indicators if i.id == job.key)
    return [(job.path, _csv(breakdown_table(r, ind, set()), _breakdown(r, ind)))]


@page_kind("datapackage")
def datapackage(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    taken: set[str] = set()
    tables = core_tables(r, taken)
    tables += [indicator_table(r, i, taken) for i in r.site.plan.indicators]
    tables += [breakdown_table(r, i, taken) for i in r.site.plan.indicators if i.dimensions]
    tables += chart_tables(r, taken)
    return [(job.path, _json(package(r, tables)))]


@page_kind("data_zip")
def data_zip(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    """The core tables, their datapackage.json, a README and a CITATION.cff, in a folder named
    as the zip; entries sorted, dated the report date, compressed at a fixed level."""
    tables = core_tables(r)
    files = {t.path: _table_csv(r, t) for t in tables if t.name in ROWS}
    files["activities.csv"] = datafiles.activities_csv(r, Job("data/activities.csv", "activities_csv"))[0][1]
    described = package(r, tables)
    files["datapackage.json"] = _json(described)
    files["README.md"] = readme(r, tables, described).encode("utf-8")
    files["CITATION.cff"] = citation(r).encode("utf-8")
    folder = job.path.rsplit("/", 1)[-1][: -len(".zip")]
    day = r.site.report_date
    # (a zip dates its entries from 1980 to 2107: a report date outside takes the nearest end)
    stamp = ((1980, 1, 1, 0, 0, 0) if day.year < 1980 else (2107, 12, 31, 0, 0, 0) if day.year > 2107
             else (day.year, day.month, day.day, 0, 0, 0))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", stamp)
            info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 3, 0o644 << 16
            archive.writestr(info, files[name], compresslevel=6)
    return [(job.path, buf.getvalue())]


# -- the tables of the plan -------------------------------------------------------------------

def core_tables(r: Renderer, taken: set[str] | None = None) -> list[Table]:
    """The package's tables of records: the plan's, then activities.csv and its links."""
    w, taken = r.words, set() if taken is None else taken
    share = w("share from 0 to 1")
    tables = [
        Table("areas", "areas.csv", w("Areas"), w("The plan's areas of work and their progress on the report date."), (
            Column("id", "string", w("identifier of the area")),
            Column("title", "string", w("title of the area")),
            Column("lead", "string", w("the partner leading the area, where the plan names one")),
            Column("status", "string", w("progress status on the report date (see the site's methodology)")),
            *(Column(f"activities_{s.replace('-', '_')}", "integer",
                     w("number of the area's activities with status %(status)s", status=s), "activities")
              for s in m.STATUSES),
            Column("completion", "number", w("completed activities over those not cancelled"), share),
            Column("attainment", "number", w("mean attainment of the area's indicators, each capped to 1"), share),
            Column("url", "string", w("the area's page")),
        ), ("id",)),
        Table("indicators", "indicators.csv", w("Indicators"),
              w("The plan's indicators: baseline, target and value on the report date."), (
            Column("id", "string", w("identifier of the indicator")),
            Column("area", "string", w("identifier of its area (areas.csv)")),
            Column("title", "string", w("title of the indicator")),
            Column("unit", "string", w("unit of baseline, target and value")),
            Column("baseline", "number", w("value at the start of the plan")),
            Column("target", "number", w("value to reach by the end of the plan")),
            Column("source", "string", w("where the values come from: counted activities, measurements "
                                         "or contributions of activities"),
                   enum=m.SOURCES),
            Column("value", "number", w("value on the report date (empty: no value yet)")),
            Column("status", "string", w("progress status on the report date")),
            Column("attainment", "number", w("progress from baseline towards target"), share),
            Column("expected", "number", w("attainment expected on the report date from the milestones"), share),
            Column("url", "string", w("the indicator's page")),
        ), ("id",), ((("area",), "areas", ("id",)),)),
        _values_table(r, "indicator-values", "indicator-values.csv", w("Indicator values"),
                      w("Every indicator's baseline, values over time up to the report date, "
                        "milestones and target, one row per value, with its unit."), ""),
        Table("measurements", "measurements.csv", w("Measurements"),
              w("The dated values measured for indicators with source measurements, as the records give them."), (
            Column("indicator", "string", w("identifier of the indicator (indicators.csv)")),
            Column("date", "date", w("date of the measurement")),
            Column("value", "number", w("measured value")),
            Column("unit", "string", w("unit of the value (the indicator's)")),
            Column("counted", "boolean", w("false when dated after the report date: not counted yet")),
            Column("note", "string", w("note of the record")),
            Column("dimensions", "string", w("the part of the total the value is, as dimension=category "
                                             "joined with ';' (empty: the total; see data/breakdowns/)")),
        ), (), ((("indicator",), "indicators", ("id",)),)),
        activities_table(r),
        Table("activity-areas", "activity-areas.csv", w("Areas of each activity"),
              w("One row per activity and area (an activity may be in several areas; activities.csv joins "
                "them with ';' in its area column)."), (
            Column("activity", "string", w("identifier of the activity (activities.csv)")),
            Column("area", "string", w("identifier of the area (areas.csv)")),
            Column("position", "integer", w("1 for the activity's first area, 2 for the next...")),
        ), ("activity", "area"), ((("activity",), "activities", ("id",)), (("area",), "areas", ("id",)))),
        Table("contributions", "contributions.csv", w("Contributions of activities to indicators"),
              w("What each activity reports it contributes to an indicator with source contributions "
                "(counted when the activity is completed, on its last day)."), (
            Column("activity", "string", w("identifier of the activity (activities.csv)")),
            Column("indicator", "string", w("identifier of the indicator (indicators.csv)")),
            Column("value", "number", w("the contribution, in the indicator's unit")),
        ), ("activity", "indicator"),
            ((("activity",), "activities", ("id",)), (("indicator",), "indicators", ("id",)))),
    ]
    for t in tables:
        taken.add(t.name)
    return tables


def activities_table(r: Renderer) -> Table:
    """The schema of data/activities.csv (written by datafiles.activities_csv, unchanged)."""
    w = r.words
    listed = w("joined with ';'")
    return Table("activities", "activities.csv", w("Activities"), w("One row per activity record."), (
        Column("id", "string", w("identifier of the activity")),
        Column("title", "string", w("title of the activity")),
        Column("area", "string", w("identifiers of its areas, joined with ';' (see activity-areas.csv)")),
        Column("status", "string", w("status of the activity"), enum=m.STATUSES),
        Column("start", "date", w("first day")),
        Column("end", "date", w("last day (empty: the first)")),
        Column("type", "string", w("type of activity")),
        Column("city", "string", w("city where it takes place")),
        Column("country", "string", w("country where it takes place (ISO 3166-1 alpha-2)")),
        Column("countries", "string", w("countries involved (ISO 3166-1 alpha-2), %(joined)s", joined=listed)),
        Column("participants", "integer", w("number of participants"), "people"),
        Column("women", "integer", w("of whom women"), "people"),
        Column("men", "integer", w("of whom men"), "people"),
        Column("partners", "string", w("partner organisations, %(joined)s", joined=listed)),
        Column("tags", "string", w("tags, %(joined)s", joined=listed)),
        Column("planned_start", "date", w("first day as originally planned, where it moved")),
        Column("planned_end", "date", w("last day as originally planned, where it moved")),
        Column("url", "string", w("the activity's page")),
    ), ("id",))


def indicator_table(r: Renderer, ind: m.Indicator, taken: set[str]) -> Table:
    """The schema of data/indicators/<id>.csv: one indicator's rows of indicator-values.csv."""
    name = _unique(f"indicator-values-{ind.id}", taken)
    return _values_table(r, name, f"indicators/{ind.id}.csv", ind.title,
                         r.words("Baseline, values over time up to the report date, milestones and target of "
                                 "one indicator."), ind.unit)


def breakdown_table(r: Renderer, ind: m.Indicator, taken: set[str]) -> Table:
    """The schema of data/breakdowns/<id>.csv: an indicator's values by dimension (#18), tidy."""
    w = r.words
    name = _unique(f"breakdown-{ind.id}", taken)
    return _values_table(r, name, f"breakdowns/{ind.id}.csv", w("%(indicator)s: breakdown", indicator=ind.title),
                         w("The indicator's values by each of its dimensions (sex, age, country...) on each "
                           "date up to the report date, one row per value, and its total (dimension and "
                           "category empty)."), ind.unit, (
        Column("dimension", "string", w("what the value is broken down by, as the plan declares it "
                                        "(empty: the total)"), enum=tuple(n for n, _ in ind.dimensions)),
        Column("category", "string", w("the category of the dimension, as the records write it "
                                       "(a country as its ISO 3166-1 alpha-2 code)")),
    ))


def _breakdown(r: Renderer, ind: m.Indicator) -> list[tuple[Any, ...]]:
    """An indicator's rows of its breakdown CSV: per date, its total, then each dimension's parts."""
    site = r.site
    acts = r.by_area[ind.area] if ind.source == "activities" else site.activities
    rows: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    order = {name: n for n, (name, _) in enumerate(ind.dimensions)}
    for b in breakdowns(ind, acts, site.measurements, site.report_date):
        for day, values, whole in zip(b.dates, b.values, b.totals):
            if whole is not None:
                rows[(day.isoformat(), "", "")] = (ind.id, day.isoformat(), "", "", _num(whole), ind.unit)
            for category, value in zip(b.categories, values):
                if value is not None:
                    rows[(day.isoformat(), b.dimension, category)] = (
                        ind.id, day.isoformat(), b.dimension, category, _num(value), ind.unit)
    cats = {name: {c: n for n, c in enumerate(values)} for name, values in ind.dimensions}
    return [rows[k] for k in sorted(rows, key=lambda k: (k[0], -1 if not k[1] else order[k[1]],
                                                         cats.get(k[1], {}).get(k[2], -1)))]


def _values_table(r: Renderer, name: str, path: str, title: str, description: str, unit: str,
                  kind: tuple[Column, ...] = ()) -> Table:
    """A tidy table of indicator values by date: indicator, date, what kind of value each row
    holds (`kind`; by default its series), value and unit (the data/indicators/ and
    data/breakdowns/ CSVs and indicator-values.csv)."""
    w = r.words
    kind = kind or (Column("series", "string", w("baseline (at the start of the plan), actual (the value on "
                                                 "that date), milestone or target (at the end of the plan)"),
                           enum=SERIES),)
    return Table(name, path, title, description, (
        Column("indicator", "string", w("identifier of the indicator (indicators.csv)")),
        Column("date", "date", w("date of the value")),
        *kind,
        Column("value", "number", w("the value"), unit),
        Column("unit", "string", w("unit of the value")),
    ), (), ((("indicator",), "indicators", ("id",)),))


def _areas(r: Renderer) -> Iterable[tuple[Any, ...]]:
    base = r.site.config.base_url
    for a in r.site.plan.areas:
        p = r.progress[a.id]
        yield (a.id, a.title, a.lead, p.status, *(n for _, n in p.counts), _share(p.completion),
               _share(p.attainment), f"{base}areas/{a.id}/")


def _indicators(r: Renderer) -> Iterable[tuple[Any, ...]]:
    base = r.site.config.base_url
    for a in r.site.plan.areas:
        for p in r.progress[a.id].indicators:
            i = p.indicator
            yield (i.id, i.area, i.title, i.unit, _num(i.baseline), _num(i.target), i.source, _num(p.value),
                   p.status, _share(p.attainment), _share(p.expected), f"{base}indicators/{i.id}/")


def _values(r: Renderer, ind: m.Indicator) -> list[tuple[Any, ...]]:
    """An indicator's rows of indicator-values.csv: the series its chart draws."""
    plan = r.site.plan
    found = [(plan.start, "baseline", ind.baseline), *((d, "actual", v) for d, v in r.series(ind)),
             *((ms.date, "milestone", ms.target) for ms in ind.milestones), (plan.end, "target", ind.target)]
    found.sort(key=lambda x: (x[0], SERIES.index(x[1])))
    return [(ind.id, d.isoformat(), series, _num(v), ind.unit) for d, series, v in found]


def _measurements(r: Renderer) -> Iterable[tuple[Any, ...]]:
    site = r.site
    order = {i.id: n for n, i in enumerate(site.plan.indicators)}
    unit = {i.id: i.unit for i in site.plan.indicators}
    for x in sorted(site.measurements, key=lambda x: (order.get(x.indicator, len(order)), x.date)):
        yield (x.indicator, x.date.isoformat(), _num(x.value), unit.get(x.indicator, ""),
               "true" if x.date <= site.report_date else "false", x.note,
               ";".join(f"{name}={category}" for name, category in x.dimensions))


def _activity_areas(r: Renderer) -> Iterable[tuple[Any, ...]]:
    for a in r.site.activities:
        for n, area in enumerate(a.areas, 1):
            yield (a.id, area, n)


def _contributions(r: Renderer) -> Iterable[tuple[Any, ...]]:
    for a in r.site.activities:
        for ind, value in a.contributes:
            yield (a.id, ind, _num(value))


ROWS: dict[str, Callable[[Renderer], Iterable[tuple[Any, ...]]]] = {
    "areas": _areas, "indicators": _indicators,
    "indicator-values": lambda r: (row for i in r.site.plan.indicators for row in _values(r, i)),
    "measurements": _measurements, "activity-areas": _activity_areas, "contributions": _contributions,
}


# -- the charts' tables ------------------------------------------------------------------------

_S, _I, _N, _D = ("string", ""), ("integer", ""), ("number", ""), ("date", "")
_PCT = ("number", "%")


def chart_tables(r: Renderer, taken: set[str] | None = None) -> list[Table]:
    """The table of every chart the pages draw (data/charts/<id>.csv), as pages.py makes them:
    each chart is made from as few records as give its columns (their names are words of
    the page's language), and typed here by the function that made it."""
    site, w, taken = r.site, r.words, set() if taken is None else taken
    base = site.config.base_url
    made: list[tuple[charts.Chart, tuple[tuple[str, str], ...], str]] = []  # chart, (type, unit) per column, page

    def indicator(ind: m.Indicator, key: str, page: str) -> None:
        p = next(x for x in r.progress[ind.area].indicators if x.indicator.id == ind.id)
        made.append((charts.indicator_chart(site, p, r.colors[ind.area], key, [], words=w),
                     (_D, _S, ("number", ind.unit)), page))

    def gantt(acts: tuple[m.Activity, ...], key: str, title: str, page: str) -> None:
        many = len(acts) > charts.GANTT_LIMIT  # (one row per activity, else per area and month)
        sample = acts[: charts.GANTT_LIMIT + 1] if many else acts[:1]
        types = (("yearmonth", ""), _S, _I) if many else (_D, _D, _S, _S, _S, _D, _D, _S)
        made.append((charts.gantt(site, sample, r.colors, key, title, words=w), types, page))

    areas = tuple(r.progress[a.id] for a in site.plan.areas)
    made.append((charts.progress_by_area(areas, r.colors, "dashboard", words=w), (_S, _S, _PCT, _PCT, _PCT), ""))
    made.append((charts.activities_per_quarter(site, r.colors, "dashboard", (), words=w), (_S, _S, _I), ""))
    made.append((charts.status_breakdown((), "dashboard", words=w), (_S, _I), ""))
    for ind in featured_indicators(r):
        indicator(ind, "dashboard", "")
    for a in site.plan.areas:
        for ind in a.indicators:
            indicator(ind, f"area-{a.id}", f"areas/{a.id}/")
        if r.by_area[a.id]:
            gantt(tuple(r.by_area[a.id]), f"area-{a.id}", w("Timeline of %(area)s activities", area=a.title),
                  f"areas/{a.id}/")
    for ind in site.plan.indicators:
        indicator(ind, "indicator", f"indicators/{ind.id}/")
        if ind.dimensions:  # (its breakdown charts: one per dimension with values)
            acts = r.by_area[ind.area] if ind.source == "activities" else site.activities
            for b in breakdowns(ind, acts, site.measurements, site.report_date):
                made.append((charts.breakdown_chart(b, dimension_label(r, b), breakdown_title(r, b),
                                                    category_labels(r, b), r.colors[ind.area], "breakdown", words=w),
                             (_S, ("number", ind.unit)), f"indicators/{ind.id}/"))
    gantt(site.activities, "timeline", w("Timeline of all activities"), "timeline/")
    for report in site.reports:  # (a round's figures on its date: the same areas and indicators)
        key, day = f"report-{report.id}", figures_date(site, report)
        made.append((charts.progress_by_area(areas, r.colors, key, words=w), (_S, _S, _PCT, _PCT, _PCT),
                     f"reports/{report.id}/"))
        made += [(charts.indicator_attainment(p, r.colors[p.area.id], f"{key}-{p.area.id}", day, words=w,
                                              first=r.languages.first),
                  (_S, _N, _S, _N, _PCT, _PCT, _S), f"reports/{report.id}/") for p in areas if p.indicators]
    for code in sorted(r.by_country):
        made.append((charts.country_areas(site, (), r.colors, f"country-{code.lower()}", code, words=w),
                     (_S, _I), f"countries/{code.lower()}/"))
    for (kind, slug), t in sorted(r.page_list.term_of.items()):  # (a tag, partner or type with enough activities)
        if term_charted(t):
            title = w("%(name)s: activities by status", name=term_label(r, t, heading=True))
            made.append((charts.status_breakdown((), f"{kind}-{slug}", words=w, title=title), (_S, _I),
                         f"{taxonomy.FOLDERS[kind]}/{slug}/"))
    out = []
    for chart, types, page in made:
        if len(types) != len(chart.columns):
            raise ValueError(f"chart {chart.id}: {len(chart.columns)} columns, {len(types)} types")
        columns = tuple(Column(name, kind, unit=unit) for name, (kind, unit) in zip(chart.columns, types))
        out.append(Table(_unique(f"chart-{chart.id}", taken), chart.csv_path[len("data/"):], chart.title,
                         w("The table of a chart of %(page)s, as the page shows it.", page=base + page), columns))
    return out


# -- the package, its README and citation ----------------------------------------------------

def license_of(value: str) -> dict[str, str]:
    """A `data_license` (an SPDX identifier or a URL) as a Data Package licence."""
    if value.startswith(("http://", "https://")):
        return {"path": value}
    key = next((k for k in LICENSES if k.lower() == value.lower()), "")
    if not key:
        return {"name": value}
    title, url = LICENSES[key]
    return {"name": key, "path": url, "title": title}


def package(r: Renderer, tables: list[Table]) -> dict[str, Any]:
    """The Tabular Data Package describing `tables`."""
    site, w = r.site, r.words
    config = site.config
    name = re.sub(r"[^-a-z0-9._]+", "-", slugify(site.plan.title)).strip("-") or "plan"
    out: dict[str, Any] = {
        "profile": "tabular-data-package", "name": f"{name}-data", "title": site.plan.title,
        "description": _description(r), "homepage": config.base_url,
        "created": f"{site.report_date.isoformat()}T00:00:00Z",
    }
    if config.data_license:
        out["licenses"] = [license_of(config.data_license)]
    sources = [{"title": config.title, "path": config.base_url}]
    if config.repo_url:
        sources.append({"title": w("The records the site is built from"), "path": config.repo_url})
    out["sources"] = sources
    if site.plan.partners:
        out["contributors"] = [{"title": p.name, **({"path": p.url} if p.url else {}), "role": "author"}
                               for p in site.plan.partners]
    out["resources"] = [t.resource() for t in tables]
    return out


def _description(r: Renderer) -> str:
    site, w = r.site, r.words
    said = datafiles.excerpt(site.plan.summary, 2000)
    facts = w("Plan period %(start)s to %(end)s; figures on the report date, %(date)s.",
              start=site.plan.start.isoformat(), end=site.plan.end.isoformat(),
              date=site.report_date.isoformat())
    return f"{said} {facts}" if said else facts


def readme(r: Renderer, tables: list[Table], described: dict[str, Any]) -> str:
    """The zip's README.md: what each file holds, its columns and units, the licence, the
    report date and how to cite."""
    site, w = r.site, r.words
    lines = [f"# {site.plan.title}", "", described["description"], "",
             w("Report date: %(date)s. Published at %(url)s.", date=site.report_date.isoformat(),
               url=site.config.base_url), ""]
    if site.config.data_license:
        lic = license_of(site.config.data_license)
        named = " ".join(x for x in (lic.get("title") or lic.get("name", ""), f"<{lic['path']}>" if "path" in lic
                                     else "") if x)
        lines += [w("Licence: %(licence)s.", licence=named), ""]
    online = f"{site.config.base_url}data/"  # (written before the call: see charts.progress_by_area)
    lines += [w("The files follow the Frictionless Tabular Data Package standard: datapackage.json "
                "describes each table, its columns, types, units and keys. The site publishes "
                "the same files, the tables of its charts and one file per indicator under %(url)s.",
                url=online), ""]
    for t in tables:
        lines += [f"## {t.path}", "", f"{t.title}: {t.description}", ""]
        for c in t.columns:
            kind = f"{c.type}, {c.unit}" if c.unit else c.type
            lines.append(f"- `{c.name}` ({kind}): {c.description}")
        lines.append("")
    lines += ["## CITATION.cff", "", w("How to cite these data (Citation File Format)."), ""]
    return "\n".join(lines)


def citation(r: Renderer) -> str:
    """CITATION.cff (Citation File Format 1.2.0) of the data."""
    site = r.site
    authors = [{"name": p.name} for p in site.plan.partners] or [{"name": site.config.title}]
    data: dict[str, Any] = {
        "cff-version": "1.2.0", "message": r.words("If you use these data, please cite them as below."),
        "type": "dataset", "title": site.plan.title, "authors": authors,
        "version": site.report_date.isoformat(), "date-released": site.report_date.isoformat(),
        "url": site.config.base_url,
    }
    lic = license_of(site.config.data_license) if site.config.data_license else {}
    if "title" in lic:  # (an SPDX identifier known here: CFF names a licence by SPDX identifier only)
        data["license"] = lic["name"]
    if site.config.repo_url:
        data["repository"] = site.config.repo_url
    said = datafiles.excerpt(site.plan.summary, 2000)
    if said:
        data["abstract"] = said
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return text


# -- helpers ---------------------------------------------------------------------------------

def _unique(text: str, taken: set[str]) -> str:
    """A resource name from `text` (lower-case letters, digits, - . _), not in `taken`."""
    base = re.sub(r"[^-a-z0-9._]+", "-", text.lower()).strip("-") or "table"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def _csv(table: Table, rows: Iterable[tuple[Any, ...]]) -> bytes:
    return charts.to_csv(tuple(c.name for c in table.columns),
                         (tuple("" if v is None else v for v in row) for row in rows)).encode("utf-8")


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

