"""The HTML page kinds: one function per kind, registered by name with `page_kind`, that
turns a job (render.Job) into its files with its template and context.

To add a page kind: a function here (its context), a template in theme/templates/ (its
HTML), and its jobs in `PageList.of_language` in page_list.py (its output paths and what it depends on).
"""

from __future__ import annotations

from typing import Any

from . import charts, maps, taxonomy
from . import model as m
from .i18n import N_
from .links import to_file
from .progress import AreaProgress, Breakdown, IndicatorProgress, breakdowns, elapsed, overall
from .render import Job, Renderer, page_kind
from .results import chain_rows, contributions, contributors, counted_by


@page_kind("dashboard")
def dashboard(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    site = r.site
    areas = tuple(r.progress[a.id] for a in site.plan.areas)
    page_charts = [charts.progress_by_area(areas, r.colors, "dashboard", words=r.words),
                   charts.activities_per_quarter(site, r.colors, "dashboard", words=r.words),
                   charts.status_breakdown(site.activities, "dashboard", words=r.words)]
    for ind in featured_indicators(r):
        page_charts.append(charts.indicator_chart(site, indicator_progress(r, ind), r.colors[ind.area], "dashboard",
                                                  r.series(ind), words=r.words))
    latest = r.page_list.newest_before(site.report_date, 8)
    totals = dict.fromkeys(m.STATUSES, 0)
    for a in site.activities:
        totals[a.status] += 1
    people = sum(a.participants.total for a in site.activities
                 if a.participants and a.status == "completed" and a.last_day <= site.report_date)
    inds = [p for a in areas for p in a.indicators]
    share = elapsed(site.plan, site.report_date)
    return r.page(job, "dashboard.html", site.config.title, [], page_charts,
                  source="content/plan.yaml", areas=areas, latest=latest, totals=totals,
                  people=people, elapsed=share, overall=overall(areas, share),
                  n_countries=len(r.by_country), indicators=inds,
                  latest_report=site.reports[-1] if site.reports else None,
                  several_areas=any(len(a.areas) > 1 for a in site.activities))


def featured_indicators(r: Renderer) -> tuple[m.Indicator, ...]:
    """The indicators whose charts the dashboard shows: the plan's `featured`, else one per
    area (its first measured indicator, else its first)."""
    plan = r.site.plan
    if plan.featured is not None:
        by_id = {i.id: i for i in plan.indicators}
        return tuple(by_id[x] for x in plan.featured)
    return tuple(next((i for i in a.indicators if i.source == "measurements"), a.indicators[0])
                 for a in plan.areas if a.indicators)


def indicator_progress(r: Renderer, ind: m.Indicator) -> IndicatorProgress:
    area = r.progress[ind.area]
    return next(p for p in area.indicators if p.indicator.id == ind.id)


@page_kind("areas")
def areas(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    areas = tuple(r.progress[a.id] for a in r.site.plan.areas)
    return r.page(job, "areas.html", r.words("Areas"), [], source="content/plan.yaml", areas=areas)


@page_kind("area")
def area(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    area = r.site.plan.area(job.key)
    prog: AreaProgress = r.progress[area.id]
    acts = tuple(r.by_area[area.id])
    page_charts = [charts.indicator_chart(r.site, p, r.colors[area.id], f"area-{area.id}",
                                          r.series(p.indicator), words=r.words)
                   for p in prog.indicators]
    if acts:
        page_charts.append(charts.gantt(r.site, acts, r.colors, f"area-{area.id}",
                                        r.words("Timeline of %(area)s activities", area=area.title),
                                        words=r.words))
    text = next((t for t in r.site.area_texts if t.area == area.id), None)
    source = text.loc.path if text else "content/plan.yaml"
    return r.page(job, "area.html", area.title, [("areas/", r.words("Areas"))], page_charts,
                  source=source, area=area, prog=prog, activities=acts, narrative=text,
                  listed=tuple(reversed(acts))[: r.site.config.activities_per_page],
                  map=maps.country_maps(acts, r.words, "../" * job.path.count("/"),
                                        (r.words("Activities by country"), r.words("Participants by country")),
                                        r.by_country))


@page_kind("indicator")
def indicator(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    area = r.records.indicator_area[job.key]
    p = next(x for x in r.progress[area.id].indicators if x.indicator.id == job.key)
    series = r.series(p.indicator)
    chart = charts.indicator_chart(r.site, p, r.colors[area.id], "indicator", series, words=r.words)
    measurements = [x for x in r.site.measurements if x.indicator == job.key]
    ind = p.indicator
    parent = next((i for i in r.site.plan.indicators if i.id == ind.contributes_to), None)
    fed_by = [indicator_progress(r, i) for i in contributors(ind, r.site.plan)]
    acts = r.by_area[area.id] if ind.source == "activities" else r.site.activities
    found = contributions(ind, acts, r.site.report_date)
    shown = breakdowns(ind, acts, r.site.measurements, r.site.report_date)
    by = [(b, dimension_label(r, b), category_labels(r, b)) for b in shown]
    by_charts = [charts.breakdown_chart(b, label, breakdown_title(r, b), names, r.colors[area.id], "breakdown",
                                        words=r.words) for b, label, names in by]
    columns, parts = measurement_parts(r, ind, measurements)
    return r.page(job, "indicator.html", p.indicator.title,
                  [("areas/", r.words("Areas")), (f"areas/{area.id}/", area.title)], [chart, *by_charts],
                  source="content/plan.yaml",
                  area=area, p=p, series=series, measurements=measurements,
                  measurement_columns=columns, measurement_parts=parts,
                  parent=indicator_progress(r, parent) if parent else None, fed_by=fed_by,
                  contributions=found, listed=found[: r.site.config.activities_per_page],
                  breakdowns=by, breakdown_charts=by_charts, main_chart=chart)


# The usual dimensions and categories (#16), in sitegen's words: a category is matched in any
# case ("Women" as "women"); the plan's `dimension_labels` come first (docs/records.md#dimensions).
DIMENSION_WORDS = {"sex": N_("Sex"), "age": N_("Age"), "country": N_("Country")}
CATEGORY_WORDS = {"female": N_("Female"), "male": N_("Male"), "women": N_("Women"), "men": N_("Men"),
                  "total": N_("Total"), "other": N_("Other"), "unknown": N_("Unknown")}


# A breakdown's title for the usual dimensions, where the dimension is a word of the sentence
# ("Participants by sex", not "by Sex": its name alone is a heading and a column's)
DIMENSION_TITLES = {"sex": N_("%(indicator)s by sex"), "age": N_("%(indicator)s by age"),
                    "country": N_("%(indicator)s by country")}


def breakdown_title(r: Renderer, b: Breakdown) -> str:
    """"Participants by sex": an indicator's title and the dimension of one of its breakdowns."""
    ind = b.indicator
    title = DIMENSION_TITLES.get(b.dimension)
    if title is not None and b.dimension not in dict(ind.dimension_labels):
        return r.words(title, indicator=ind.title)
    return r.words("%(indicator)s by %(dimension)s", indicator=ind.title, dimension=dimension_label(r, b))


def dimension_label(r: Renderer, b: Breakdown) -> str:
    """A dimension's name as readers see it (see `dimension_name`)."""
    return dimension_name(r, b.indicator, b.dimension)


def dimension_name(r: Renderer, ind: m.Indicator, dimension: str) -> str:
    """A dimension's name as readers see it: the indicator's label (the plan's, or its
    translation's), else the usual ones in the page's language, else as the plan writes it."""
    known = dict(ind.dimension_labels)
    if dimension in known:
        return known[dimension]
    word = DIMENSION_WORDS.get(dimension)
    return r.words(word) if word else dimension


def category_labels(r: Renderer, b: Breakdown) -> dict[str, str]:
    """Each category's name as shown (see `category_name`)."""
    return {c: category_name(r, b.indicator, b.dimension, c) for c in b.categories}


def category_name(r: Renderer, ind: m.Indicator, dimension: str, category: str) -> str:
    """A category's name as shown: the indicator's label, else a country's name for
    country codes, the usual ones in the page's language, or as written."""
    known = dict(ind.dimension_labels)
    word = CATEGORY_WORDS.get(category.lower())
    return (known[category] if category in known else r.words.country(category) if dimension == "country"
            else r.words(word) if word else category)


def measurement_parts(r: Renderer, ind: m.Indicator, measurements: list[m.Measurement]
                      ) -> tuple[list[str], list[list[str]]]:
    """The Measurements table's columns for a disaggregated indicator: its dimensions' names
    and, per measurement, its category in each as the breakdown tables name it, "Total" where
    it is not broken down by that dimension (a total, or a part by another dimension only).
    No columns for an indicator without dimensions."""
    names = [name for name, _categories in ind.dimensions]
    if not names:
        return [], [[] for _x in measurements]
    total = r.words("Total")
    rows = []
    for x in measurements:
        given = dict(x.dimensions)
        rows.append([category_name(r, ind, d, given[d]) if d in given else total for d in names])
    return [dimension_name(r, ind, d) for d in names], rows


@page_kind("results")
def results(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    """The plan's results framework: every indicator in a logframe table, by its chain."""
    plan = r.site.plan
    rows = [(row, indicator_progress(r, row.indicator)) for row in chain_rows(plan.indicators, plan)]
    return r.page(job, "results.html", r.words("Results framework"), [], source="content/plan.yaml",
                  rows=rows, scope=None)


@page_kind("redirect")
def redirect(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    """A folder's address without a page of its own (indicators/), sending readers to the
    page at `job.key` (results/, the results framework: every indicator)."""
    return r.page(job, "redirect.html", r.words("Results framework"), [], target=job.key)


@page_kind("area_results")
def area_results(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    """An area's results framework: its indicators in a logframe table, by their chain."""
    area = r.site.plan.area(job.key)
    rows = [(row, indicator_progress(r, row.indicator)) for row in chain_rows(area.indicators, r.site.plan)]
    return r.page(job, "results.html", r.words("Results framework: %(area)s", area=area.title),
                  [("areas/", r.words("Areas")), (f"areas/{area.id}/", area.title)], source="content/plan.yaml",
                  rows=rows, scope=area)


@page_kind("activity")
def activity(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    act = r.records.by_id[job.key]
    first = act.areas[0] if act.areas else ""
    crumbs = [("activities/", r.words("Activities"))]
    ctx: dict[str, Any] = {"act": act, "area_color": r.colors.get(first, "#000"),
                           "counted_by": counted_by(act, r.site.plan)}
    return r.page(job, "activity.html", act.title, crumbs, source=act.loc.path, **ctx)


@page_kind("activities")
def activities(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    n = int(job.key)
    per = r.site.config.activities_per_page
    ordered = r.page_list.newest_first
    chunk = ordered[(n - 1) * per: n * per]
    title = r.words("Activities") if n == 1 else r.words("Activities, page %(n)s", n=r.words.number(n))
    return r.page(job, "activities.html", title, [], page=n, pages=r.page_list.list_pages(),
                  activities=chunk, facets=r.page_list.facets, total=len(ordered))


@page_kind("timeline")
def timeline(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    chart = charts.gantt(r.site, r.site.activities, r.colors, "timeline",
                         r.words("Timeline of all activities"), words=r.words, page_legend=True)
    slipped = [a for a in r.site.activities if a.slipped]
    # (the legend above the chart names its outlines too, when the chart draws them)
    planned = any(trace.get("legendgroup") == "planned" for trace in chart.figure["data"])
    return r.page(job, "timeline.html", r.words("Timeline"), [], [chart], slipped=slipped, planned=planned)


@page_kind("countries")
def countries(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    # (each country's activities but the cancelled ones, as the dashboard counts; every
    # country that has a page has its row)
    # country and, when the activities record any, their participants (as the map counts them:
    # the figures are on paper then, where the map's own table is not)
    people = maps.participant_counts(a for a in r.site.activities if a.status != "cancelled")
    rows = sorted(((c, r.words.countries[c], sum(1 for a in acts if a.status != "cancelled"), people.get(c))
                   for c, acts in r.by_country.items()), key=lambda r: (maps.name_order(r[1]), r[0]))
    cancelled = sum(1 for a in r.site.activities if a.status == "cancelled" and a.all_countries)
    return r.page(job, "countries.html", r.words("Countries"), [], rows=rows, cancelled=cancelled,
                  participants=bool(people),
                  map=maps.country_maps(r.site.activities, r.words, "../" * job.path.count("/"),
                                        (r.words("Activities by country"), r.words("Participants by country")),
                                        r.by_country, table=False))


@page_kind("country")
def country(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    code = job.key
    acts = tuple(sorted(r.by_country[code], key=lambda a: (a.start, a.id), reverse=True))
    name = r.words.country(code)
    counted = tuple(a for a in acts if a.status != "cancelled")  # (as the dashboard counts; all are listed)
    chart = charts.country_areas(r.site, counted, r.colors, f"country-{code.lower()}", code, words=r.words)
    hosted = sum(1 for a in counted if a.country == code)
    return r.page(job, "country.html", name, [("countries/", r.words("Countries"))], [chart],
                  code=code, name=name, activities=acts, counted=len(counted), hosted=hosted,
                  listed=acts[: r.site.config.activities_per_page])


@page_kind("freepage")
def freepage(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    page = next(p for p in r.site.pages if p.slug == job.key)
    return r.page(job, "page.html", page.title, [], source=page.loc.path, page=page)


@page_kind("notfound")
def notfound(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    """The page served for any missing address, at any depth and under any mount: its links
    start at the base path, and its script moves them to the site's root as served."""
    base = "/" + r.site.config.base_url.split("://", 1)[1].split("/", 1)[1]
    site_base = base[: len(base) - len(r.prefix)]  # (the assets: at the root of a multilingual site)
    paths = {"home": "", "activities": "activities/", "search": "search/"}
    if r.site.config.file_links:
        paths = {k: to_file(v) if v else "index.html" for k, v in paths.items()}
    return r.page(job, "404.html", r.words("Page not found"), [], base=base, site_base=site_base,
                  lang_prefix=r.prefix, links=paths)


@page_kind("search")
def search(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    # (the filters' values in the activity list's order: areas and types as the plan gives
    # them, statuses from planned to cancelled; search.js sorts the index's values by it)
    plan = r.site.plan
    orders = {"area": [r.area_title[a.id] for a in plan.areas], "status": [r.words.status(s) for s in m.STATUSES],
              "type": [r.words.activity_type(t) for t in plan.activity_types]}
    return r.page(job, "search.html", r.words("Search"), [], orders=orders)


@page_kind("report")
def report(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    from .reports import report_context  # reporting rounds live in their own module
    report = next(x for x in r.site.reports if x.id == job.key)
    ctx = report_context(r.site, report)
    key = f"report-{report.id}"
    progress = charts.progress_by_area(ctx["areas"], r.colors, key, words=r.words)
    by_area = {p.area.id: charts.indicator_attainment(p, r.colors[p.area.id], f"{key}-{p.area.id}", ctx["day"],
                                                      words=r.words, first=r.languages.first)
               for p in ctx["areas"] if p.indicators}
    return r.page(job, "report.html", report.title, [("reports/", r.words("Reports"))],
                  [progress, *by_area.values()], source=report.loc.path, progress_chart=progress,
                  area_charts=by_area, online=r.site.config.base_url + f"reports/{report.id}/",
                  map=maps.country_maps(ctx["completed"] + ctx["under_way"], r.words, "../" * job.path.count("/"),
                                        (r.words("Activities of the period by country"),
                                         r.words("Participants in the activities of the period by country")),
                                        r.by_country), **ctx)


@page_kind("reports")
def reports(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    return r.page(job, "reports.html", r.words("Reports"), [], reports=list(reversed(r.site.reports)))


# -- tags, partners and activity types (taxonomy.py) ------------------------------------------

# A term page charts its activities by status from this many on (fewer: the list says it all).
TERM_CHART_MIN = 5


def term_charted(term: taxonomy.Term) -> bool:
    """Whether a term's page charts its activities by status: TERM_CHART_MIN of them or more,
    of two statuses or more (all of one status, the chart had one bar beside four zeros:
    the list's badges say as much)."""
    acts = term.activities
    return len(acts) >= TERM_CHART_MIN and any(a.status != acts[0].status for a in acts)


def term_label(r: Renderer, term: taxonomy.Term, heading: bool = False) -> str:
    """A term's name as shown: an activity type's words (Words.activity_type, in a `heading`
    with a capital), else its name as written."""
    if term.kind != "type":
        return term.name
    label = r.words.activity_type(term.name)
    return label[:1].upper() + label[1:] if heading else label


def _kind_title(r: Renderer, kind: str) -> str:
    return {"tag": r.words("Tags"), "partner": r.words("Partners"), "type": r.words("Activity types")}[kind]


@page_kind("tag")
@page_kind("partner")
@page_kind("type")
def term(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    """The activities of a tag, partner or activity type, newest first, a page of
    activities_per_page at a time (key: "<slug>", then "<slug>/<n>")."""
    slug, _, number = job.key.partition("/")
    t = r.page_list.term_of[(job.kind, slug)]
    n, pages, per = int(number or 1), r.page_list.term_pages(t), r.site.config.activities_per_page
    name, heading, folder = term_label(r, t), term_label(r, t, heading=True), taxonomy.FOLDERS[t.kind]
    crumbs = [("activities/", r.words("Activities")), (f"{folder}/", _kind_title(r, t.kind))]
    title = heading
    if n > 1:
        crumbs.append((f"{folder}/{slug}/", heading))
        title = r.words("%(name)s, page %(n)s", name=heading, n=r.words.number(n))
    page_charts = []
    if n == 1 and term_charted(t):
        page_charts.append(charts.status_breakdown(t.activities, f"{t.kind}-{slug}", words=r.words,
                                                   title=r.words("%(name)s: activities by status", name=heading)))
    acts = t.activities
    first = min((a.start for a in acts), default=None)
    last = max((a.last_day for a in acts), default=None)
    return r.page(job, "term.html", title, crumbs, page_charts, term=t, name=name, folder=folder,
                  listed=acts[(n - 1) * per: n * per], page=n, pages=pages, first=first, last=last,
                  others=[r.words.activity_type(x) for x in t.others] if t.kind == "type" else list(t.others))


@page_kind("tags")
@page_kind("partners")
@page_kind("types")
def terms_index(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    """Every tag, partner or activity type, with its number of activities."""
    kind = next(k for k, folder in taxonomy.FOLDERS.items() if folder == job.kind)
    rows = sorted(((term_label(r, t, heading=True), t) for t in r.page_list.terms[kind]),
                  key=lambda x: (x[0].casefold(), x[0], x[1].slug))
    return r.page(job, "terms.html", _kind_title(r, kind), [("activities/", r.words("Activities"))],
                  kind=kind, folder=job.kind, rows=rows)
