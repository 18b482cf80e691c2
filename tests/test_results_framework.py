"""The results framework (#18): indicator levels and `contributes_to` links, the logframe
pages of the plan and of each area, indicator metadata and contributing activities on the
indicator page, the dashboard's `featured` charts, and the located errors of bad links.

The test plan is BASELINE's with a chain across its two areas:

    fa-states (impact, firearms)
    ├── bs-posts (outcome, border-security)
    │   ├── bs-trained (output, border-security)
    │   └── fa-experts (output, firearms)
    └── fa-workshops (output, firearms)

The figures are worked out here from the records, by hand and with the status rule written
out again (SPEC 3), not with sitegen.progress.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest

from sitegen.errors import Problems
from sitegen.loader import load_site
from sitegen.render import Renderer
from tests.sitekit import BASELINE, dedent, front, make_site, run_sitegen, where

PLAN = dedent("""
    title: Test Plan 2018-2020
    summary: A small plan used by the tests.
    start: 2018-01-01
    end: 2020-12-31
    partners:
      - {name: Alpha Org, url: https://alpha.example.org}
    activity_types: [workshop, training-course, meeting]
    areas:
      - id: border-security
        title: Border security
        summary: Borders and crossing points.
        indicators:
          - id: bs-trained
            title: Officers trained
            unit: people
            baseline: 0
            target: 100
            milestones: [{date: 2019-01-01, target: 30}, {date: 2020-01-01, target: 70}]
            source: activities
            sum: participants
            where: {type: training-course}
            level: output
            contributes_to: bs-posts
          - id: bs-posts
            title: Border posts connected
            unit: posts
            baseline: 2
            target: 10
            milestones: [{date: 2019-06-30, target: 5}]
            source: measurements
            level: outcome
            contributes_to: fa-states
      - id: firearms
        title: Firearms
        summary: Tracing of firearms.
        indicators:
          - id: fa-workshops
            title: Firearms workshops held
            unit: workshops
            target: 4
            where: {type: workshop}
            level: output
            contributes_to: fa-states
          - id: fa-experts
            title: Experts trained
            unit: people
            target: 50
            source: contributions
            level: output
            contributes_to: bs-posts
          - id: fa-states
            title: States using the database
            unit: States
            baseline: 10
            target: 20
            source: measurements
            level: impact
            definition: States that *queried* the database at least once in the year.
            data_source: The database's [yearly statistics](https://example.org/stats)
            methodology: |
              Counted from the query logs.

              ### Revisions
              Counts are never revised.
            contact: Statistics unit
            frequency: Yearly
            notes: "**Provisional** figures for 2019."
    """)

# A planned workshop of the firearms area (counted by fa-workshops once completed) that
# declares a contribution to fa-experts: both list it as "not yet" counted.
PLANNED_WORKSHOP = front("""
    title: Planned tracing workshop
    area: firearms
    status: planned
    start: 2020-03-01
    type: workshop
    contributes: {fa-experts: 5}
    """)

# A planned course of border-security: bs-trained lists it, its participants not known yet.
PLANNED_COURSE = front("""
    title: Planned border course
    area: border-security
    status: planned
    start: 2020-09-01
    type: training-course
    """)

FILES = {"content/plan.yaml": PLAN, "content/activities/planned-workshop.md": PLANNED_WORKSHOP,
         "content/activities/planned-course.md": PLANNED_COURSE}

# The records on 2019-12-31, by hand:
# - bs-trained: participants of completed training courses of border-security: the border
#   course (20); the cancelled course is of firearms (and cancelled).
# - bs-posts: the latest measurement on or before the report date: 7 (2019-12-31).
# - fa-workshops: completed workshops of firearms: the firearms workshop (1).
# - fa-experts: contributions of completed activities: the firearms workshop's 12.
# - fa-states: the latest measurement: 14 (2019-06-30).
VALUES = {"bs-trained": 20.0, "bs-posts": 7.0, "fa-workshops": 1.0, "fa-experts": 12.0, "fa-states": 14.0}
FIGURES = {  # baseline, target, milestones (date, target)
    "bs-trained": (0.0, 100.0, [(dt.date(2019, 1, 1), 30.0), (dt.date(2020, 1, 1), 70.0)]),
    "bs-posts": (2.0, 10.0, [(dt.date(2019, 6, 30), 5.0)]),
    "fa-workshops": (0.0, 4.0, []),
    "fa-experts": (0.0, 50.0, []),
    "fa-states": (10.0, 20.0, []),
}
START, END, ON = dt.date(2018, 1, 1), dt.date(2020, 12, 31), dt.date(2019, 12, 31)
PLAN_ORDER = ["fa-states", "bs-posts", "bs-trained", "fa-experts", "fa-workshops"]
LEVEL = {"fa-states": "Impact", "bs-posts": "Outcome", "bs-trained": "Output", "fa-experts": "Output",
         "fa-workshops": "Output"}


def expected_status(ind: str) -> str:
    """SPEC 3, written out: attainment against the expected attainment, linear through the
    plan start (0), the milestones and the plan end (1)."""
    baseline, target, milestones = FIGURES[ind]
    value = VALUES[ind]
    a = (value - baseline) / (target - baseline)
    points = [(START, 0.0), *((d, (t - baseline) / (target - baseline)) for d, t in milestones), (END, 1.0)]
    e = 1.0
    for (d0, v0), (d1, v1) in zip(points, points[1:]):
        if d1 >= ON:
            e = v0 + (v1 - v0) * (ON - d0).days / (d1 - d0).days
            break
    if a >= 1:
        return "achieved"
    if a <= 0 and e < 0.25:
        return "not started"
    r = a / e
    return "on track" if r >= 0.9 else "at risk" if r >= 0.6 else "off track"


def text_of(fragment: str) -> str:
    """The text of HTML as read: list items, paragraphs and cells apart, inline tags not."""
    spaced = re.sub(r"</(?:li|p|dd|dt|t[dh]|h\d)>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", spaced))).strip()


def logframe(page: str) -> list[dict[str, str]]:
    """The rows of the logframe table of a page: indicator id, depth, and each cell's text."""
    table = page[page.index('<table class="logframe"'):]
    table = table[: table.index("</table>")]
    rows = []
    for tr in re.findall(r'<tr class="rf-row.*?</tr>', table, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)
        rows.append({"id": re.search(r'data-indicator="([^"]+)"', tr).group(1),  # type: ignore[union-attr]
                     "depth": re.search(r'data-depth="(\d+)"', tr).group(1),  # type: ignore[union-attr]
                     "level": text_of(cells[0]), "indicator": text_of(cells[1]), "baseline": text_of(cells[2]),
                     "milestones": text_of(cells[3]), "target": text_of(cells[4]), "value": text_of(cells[5]),
                     "status": text_of(cells[6])})
    return rows


def number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def day(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%b')} {d.year}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rf")
    site = make_site(root / "site", FILES)
    run = run_sitegen("build", site, "-o", root / "out")
    assert run.returncode == 0, run.stderr
    assert run.lines == [], run.stderr
    return root / "out"


def read(out: Path, page: str) -> str:
    return (out / page / "index.html").read_text(encoding="utf-8")


def check_row(row: dict[str, str], ind: str) -> None:
    baseline, target, milestones = FIGURES[ind]
    unit = {"bs-trained": "people", "bs-posts": "posts", "fa-workshops": "workshops", "fa-experts": "people",
            "fa-states": "States"}[ind]
    assert row["level"] == LEVEL[ind]
    assert row["baseline"] == number(baseline)
    assert row["target"] == number(target)
    assert row["milestones"] == (" ".join(f"{day(d)}: {number(t)}" for d, t in milestones) or "–none")
    assert row["value"] == f"{number(VALUES[ind])} {unit}"
    assert row["status"] == expected_status(ind)


def test_the_plans_logframe_holds_the_chain_and_the_figures(built: Path) -> None:
    page = read(built, "results")
    rows = logframe(page)
    # impact first; under it its outcome (before the output that feeds the impact directly),
    # and under the outcome its two outputs, in the plan's order (one of each area)
    assert [(r["id"], r["depth"]) for r in rows] == [
        ("fa-states", "0"), ("bs-posts", "1"), ("bs-trained", "2"), ("fa-experts", "2"), ("fa-workshops", "1")]
    for row in rows:
        check_row(row, row["id"])
    by_id = {r["id"]: r for r in rows}
    # a nested row names what it contributes to (for screen readers), and its area
    assert "Contributes to: Border posts connected" in by_id["fa-experts"]["indicator"]
    assert by_id["fa-experts"]["indicator"].endswith("Firearms")
    assert "Contributes to" not in by_id["fa-states"]["indicator"]
    assert '<a href="../indicators/bs-posts/">Border posts connected</a>' in page
    # the legend's rule finds each nested row's parent: the nearest row above it that is less
    # indented (fa-workshops is under fa-states, not under fa-experts just above it)
    legend = text_of(page[page.index('class="rf-legend"'):].split("</p>", 1)[0])
    assert "contributes to the nearest indicator above it that is less indented" in legend
    for n, row in enumerate(rows):
        above = [r for r in rows[:n] if r["depth"] < row["depth"]]
        if above:
            name = re.search(rf'<a href="../indicators/{above[-1]["id"]}/">([^<]+)</a>', page)
            assert name and f"Contributes to: {name.group(1)}" in row["indicator"], row
    assert "<h1" in page and "Results framework" in text_of(page[page.index("<h1"):page.index("</h1>")])


def test_each_areas_logframe_holds_its_indicators_and_names_links_out(built: Path) -> None:
    rows = logframe(read(built, "areas/border-security/results"))
    assert [(r["id"], r["depth"]) for r in rows] == [("bs-posts", "0"), ("bs-trained", "1")]
    for row in rows:
        check_row(row, row["id"])
    # bs-posts contributes to another area's indicator: said, with a link, under its title
    page = read(built, "areas/border-security/results")
    assert "Contributes to: States using the database" in rows[0]["indicator"]
    assert '<a href="../../../indicators/fa-states/">States using the database</a>' in page
    rows = logframe(read(built, "areas/firearms/results"))
    assert [(r["id"], r["depth"]) for r in rows] == [("fa-states", "0"), ("fa-workshops", "1"), ("fa-experts", "0")]
    assert "Contributes to: Border posts connected" in rows[2]["indicator"]
    # linked from the area page and the dashboard; listed in the sitemap
    assert 'href="../../areas/firearms/results/"' in read(built, "areas/firearms")
    assert 'href="results/"' in read(built, "")
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/test/results/" in sitemap
    assert "https://example.org/test/areas/firearms/results/" in sitemap


def test_the_indicator_page_shows_its_metadata_and_its_chain(built: Path) -> None:
    page = read(built, "indicators/fa-states")
    about = page[page.index('<section class="indicator-about"'):]
    about = about[: about.index("</section>\n</section>")]
    headings = re.findall(r"<h3>(.*?)</h3>", about)  # (the sections' own: without an id)
    assert headings == ["Definition", "Data source", "Methodology", "Frequency", "Contact", "Notes"]
    assert "States that <em>queried</em> the database" in about  # Markdown rendered
    assert '<a href="https://example.org/stats" rel="noopener noreferrer">yearly statistics</a>' in about
    assert re.search(r"<h3[^>]*>Revisions</h3>", about)  # (a heading of the text skips no level)
    assert "<strong>Provisional</strong> figures for 2019." in about
    assert "<p>Statistics unit</p>" in about and "<p>Yearly</p>" in about
    assert "Level: Impact" in text_of(page)
    # the indicators that contribute to it, with their values and statuses
    listed = page[page.index('<ul class="contributing-indicators">'):]
    listed = text_of(listed[: listed.index("</ul>")])
    assert listed == (f"Border posts connected (Outcome): 7 posts {expected_status('bs-posts')} "
                      f"Firearms workshops held (Output): 1 workshops {expected_status('fa-workshops')}")
    assert "contributing-activities" not in page  # measured: no activity feeds it
    # the outcome names the impact it contributes to
    page = read(built, "indicators/bs-posts")
    facts = text_of(page[page.index('<dl class="facts">'):page.index("</dl>")])
    assert f"Contributes to: States using the database (Impact) {expected_status('fa-states')}" in facts
    assert "indicator-about" not in read(built, "indicators/bs-trained")  # no metadata, no section


def contributing(page: str) -> list[tuple[str, str, str, str]]:
    section = page[page.index('<section class="contributing-activities"'):]
    section = section[: section.index("</section>")]
    return [(text_of(c[0]), text_of(c[1]), text_of(c[3]), text_of(c[4]))
            for c in (re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)
                      for tr in re.findall(r"<tr><th scope=\"row\">.*?</tr>", section, re.S))]


@pytest.mark.parametrize(("ind", "rows"), [
    # the training courses of border-security (the workshop and the meeting are not counted)
    ("bs-trained", [("Planned border course", "planned", "–not known yet", "not yet"),
                    ("Border officers course", "completed", "20", "yes")]),
    # the workshops of firearms, newest first; the planned one is not counted yet
    ("fa-workshops", [("Planned tracing workshop", "planned", "1", "not yet"),
                      ("Firearms tracing workshop", "completed", "1", "yes")]),
    # the activities declaring a contribution
    ("fa-experts", [("Planned tracing workshop", "planned", "5", "not yet"),
                    ("Firearms tracing workshop", "completed", "12", "yes")]),
])
def test_the_indicator_page_lists_its_contributing_activities(built: Path, ind: str,
                                                              rows: list[tuple[str, str, str, str]]) -> None:
    found = contributing(read(built, f"indicators/{ind}"))
    assert found == rows
    # what the counted ones add, on the baseline, is the value
    assert FIGURES[ind][0] + sum(float(adds) for _, _, adds, counted in found if counted == "yes") == VALUES[ind]


def test_an_activity_page_links_to_each_indicator_listing_it(built: Path) -> None:
    """The way back: an activity an indicator's page lists among its contributing activities
    (picked by the indicator's rule, or declaring a contribution) names that indicator under
    "Contributes to", with the participants it adds to a sum, 1 to a count; a cancelled one names none."""
    listed: dict[str, set[str]] = {}
    for page in sorted((built / "indicators").glob("*/index.html")):
        html = page.read_text(encoding="utf-8")
        if '<section class="contributing-activities"' in html:
            section = html[html.index('<section class="contributing-activities"'):]
            for act in re.findall(r'href="\.\./\.\./activities/([^/]+)/"', section[: section.index("</section>")]):
                listed.setdefault(act, set()).add(page.parent.name)
    assert sum(len(v) for v in listed.values()) >= 5
    status = {a["id"]: a["status"] for a in json.loads((built / "data/activities.json").read_text(encoding="utf-8"))}
    said = {"completed": "Contributes to", "cancelled": "Would have contributed to"}
    heads = set()
    for page in sorted((built / "activities").glob("*/index.html")):
        html = page.read_text(encoding="utf-8")
        dd = re.search(r"<dt[^>]*>([^<]*)</dt>\s*<dd>((?:(?!</dd>).)*indicators/.*?)</dd>", html, re.S)
        named = set(re.findall(r'href="\.\./\.\./indicators/([^/]+)/"', dd.group(2))) if dd else set()
        assert named == listed.get(page.parent.name, set()), page.parent.name
        if dd:  # (only a completed activity counts yet: one planned or under way says it will)
            assert dd.group(1).removesuffix(": ") == said.get(status[page.parent.name], "Will contribute to, once completed"), page.name
            heads.add(dd.group(1).removesuffix(": "))
    assert heads == {"Contributes to", "Will contribute to, once completed"}
    course = read(built, "activities/" + next(a for a in listed if "bs-trained" in listed[a] and
                                              "Border officers course" in read(built, f"activities/{a}")))
    assert re.search(r'indicators/bs-trained/">[^<]+</a>: 20\u00a0', course), "the participants it adds"
    # and to a count of activities, 1 (it named the indicator alone, as if the line were cut off)
    workshop = read(built, "activities/" + next(a for a in listed if "fa-workshops" in listed[a]))
    # (a no-break space: on a phone "1" ended a line and "workshop" began the next)
    assert re.search(r'indicators/fa-workshops/">[^<]+</a>: 1\u00a0workshops?\b', workshop), workshop[:300]


def test_plan_json_gives_each_indicators_level_and_link(built: Path) -> None:
    plan = json.loads((built / "data/plan.json").read_text(encoding="utf-8"))
    found = {i["id"]: (i["level"], i["contributes_to"]) for a in plan["areas"] for i in a["indicators"]}
    assert found == {"bs-trained": ("output", "bs-posts"), "bs-posts": ("outcome", "fa-states"),
                     "fa-workshops": ("output", "fa-states"), "fa-experts": ("output", "bs-posts"),
                     "fa-states": ("impact", None)}


def dashboard_charts(out: Path) -> list[str]:
    page = read(out, "")
    return re.findall(r'<figure class="chart[^"]*" id="dashboard-((?:bs|fa)-[a-z-]+)"', page)


def test_the_dashboard_shows_one_indicator_per_area_by_default(built: Path) -> None:
    # each area's first measured indicator
    assert dashboard_charts(built) == ["bs-posts", "fa-states"]
    assert sorted(p.name for p in (built / "data/charts").glob("dashboard-[bf]*.csv")) == \
        ["dashboard-bs-posts.csv", "dashboard-fa-states.csv"]


@pytest.mark.parametrize(("featured", "shown"), [
    ("[fa-experts, bs-trained]", ["fa-experts", "bs-trained"]),
    ("fa-workshops", ["fa-workshops"]),
    ("[]", []),
])
def test_featured_picks_the_dashboards_indicator_charts(tmp_path: Path, featured: str, shown: list[str]) -> None:
    plan = PLAN.replace("activity_types:", f"featured: {featured}\nactivity_types:")
    site = make_site(tmp_path / "site", {**FILES, "content/plan.yaml": plan})
    run = run_sitegen("build", site, "-o", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert dashboard_charts(tmp_path / "out") == shown
    assert sorted(p.stem for p in (tmp_path / "out/data/charts").glob("dashboard-[bf]*.csv")) == \
        sorted(f"dashboard-{x}" for x in shown)
    package = json.loads((tmp_path / "out/data/datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"] if r["path"].startswith("charts/dashboard-")} >= \
        {f"charts/dashboard-{x}.csv" for x in shown}


def problems_of(tmp_path: Path, plan: str) -> list[tuple[int, int, str, str, str]]:
    site = make_site(tmp_path / "site", {**FILES, "content/plan.yaml": plan})
    problems = Problems()
    load_site(site, problems)
    return [(p.line, p.column, p.severity, p.message, p.hint) for p in problems.items
            if p.path == "content/plan.yaml"]


def test_an_unknown_level_is_a_located_error_with_a_suggestion(tmp_path: Path) -> None:
    plan = PLAN.replace("level: outcome", "level: outcom")
    assert problems_of(tmp_path, plan) == [
        (*where(plan, "level: outcom"), "error", "unknown level 'outcom': expected impact, outcome or output",
         "did you mean 'outcome'?")]


def test_contributes_to_an_unknown_indicator_is_a_located_error(tmp_path: Path) -> None:
    plan = PLAN.replace("contributes_to: fa-states", "contributes_to: fa-state", 1)
    assert problems_of(tmp_path, plan) == [
        (*where(plan, "contributes_to: fa-state\n"), "error", "'contributes_to': no indicator 'fa-state' in the plan",
         "did you mean 'fa-states'?")]


def test_a_cycle_of_links_is_a_located_error_naming_it(tmp_path: Path) -> None:
    # fa-states (impact) -> bs-trained -> bs-posts -> fa-states
    plan = re.sub(r"( +)level: impact\n", r"\g<0>\1contributes_to: bs-trained\n", PLAN)
    found = problems_of(tmp_path, plan)
    errors = [p for p in found if p[2] == "error"]
    assert errors == [(*where(plan, "contributes_to: bs-posts"), "error",
                       "'contributes_to' makes a cycle: bs-trained → bs-posts → fa-states → bs-trained",
                       "an indicator cannot contribute, even through others, to itself")]
    # (the impact contributing to an output also goes down a level: a warning)
    assert [p[3] for p in found if p[2] == "warning"] == [
        "indicator 'fa-states' (impact) contributes to 'bs-trained' (output): a results chain goes up, "
        "output → outcome → impact"]


def test_an_indicator_contributing_to_itself_is_an_error(tmp_path: Path) -> None:
    plan = PLAN.replace("contributes_to: bs-posts", "contributes_to: bs-trained", 1)
    line, col = where(plan, "contributes_to: bs-trained")
    assert problems_of(tmp_path, plan) == [
        (line, col, "error", "indicator 'bs-trained' contributes to itself",
         "name the indicator of the level above, e.g. an outcome's impact")]


def test_an_unknown_featured_indicator_is_a_located_error(tmp_path: Path) -> None:
    plan = PLAN.replace("activity_types:", "featured: [bs-posts, fa-state, bs-posts]\nactivity_types:")
    assert problems_of(tmp_path, plan) == [
        (*where(plan, "fa-state,"), "error", "'featured': no indicator 'fa-state' in the plan", "did you mean 'fa-states'?"),
        (*where(plan, "bs-posts]"), "error", "'featured': indicator 'bs-posts' is listed twice", ""),
    ]


def test_the_command_line_reports_a_bad_link_with_its_place(tmp_path: Path) -> None:
    plan = PLAN.replace("contributes_to: fa-states", "contributes_to: fa-state", 1)
    site = make_site(tmp_path / "site", {**FILES, "content/plan.yaml": plan})
    run = run_sitegen("check", site)
    line, col = where(plan, "contributes_to: fa-state\n")
    assert run.returncode != 0
    assert run.errors == [f"content/plan.yaml:{line}:{col}: error: 'contributes_to': no indicator 'fa-state' "
                          "in the plan (did you mean 'fa-states'?)"]


def test_translations_of_the_plan_translate_the_metadata(tmp_path: Path) -> None:
    site_yaml = BASELINE["site.yaml"].replace("language: en", "languages: [en, fr]")
    plan_fr = dedent("""
        title: Plan de test
        areas:
          - id: firearms
            indicators:
              - id: fa-states
                title: États utilisant la base
                definition: États ayant *interrogé* la base au moins une fois dans l'année.
                frequency: Annuelle
        """)
    site = make_site(tmp_path / "site", {**FILES, "site.yaml": site_yaml, "content/plan.fr.yaml": plan_fr})
    run = run_sitegen("build", site, "-o", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    page = read(tmp_path / "out", "fr/indicators/fa-states")
    assert "États ayant <em>interrogé</em> la base" in page and "<p>Annuelle</p>" in page
    assert "Counted from the query logs." in page  # (not translated: the plan's words)
    assert "États utilisant la base" in text_of(logframe(read(tmp_path / "out", "fr/results"))[0]["indicator"])
    # a level's name is lower case in a sentence, capitalised alone in the logframe's cell
    assert "Niveau : impact" in text_of(page) and "(Impact)" not in page
    assert logframe(read(tmp_path / "out", "fr/results"))[0]["level"] == "Impact"
    assert "(effet)" in text_of(page) and "(produit)" in text_of(page)  # (its contributing indicators')
    # a translation holds words, not the chain
    bad = plan_fr.replace("frequency: Annuelle", "level: outcome")
    site = make_site(tmp_path / "bad", {**FILES, "site.yaml": site_yaml, "content/plan.fr.yaml": bad})
    run = run_sitegen("check", site)
    assert [e.split(": error: ")[1] for e in run.errors] == [
        "'level' is not translated: set it in content/plan.yaml only (a translation holds the words: contact, "
        "data_source, definition, description, dimension_labels, frequency, id, methodology, notes, title, unit)"]


def test_the_pages_depend_on_the_areas_whose_figures_they_show(tmp_path: Path) -> None:
    """The preview and the build cache render a page again when a record of an area it
    shows changes (render.Job.deps)."""
    problems = Problems()
    site = load_site(make_site(tmp_path / "site", FILES), problems)
    assert site is not None, problems.items
    deps = {j.path: j.deps for j in Renderer(site).jobs()}
    assert deps["results/index.html"] == {"area:border-security", "area:firearms"}
    assert deps["areas/firearms/results/index.html"] == {"area:firearms"}
    # bs-posts shows its own figures, fa-states' (above) and fa-experts' (below, of firearms)
    assert deps["indicators/bs-posts/index.html"] == {"area:border-security", "area:firearms"}
    assert deps["indicators/bs-trained/index.html"] == {"area:border-security"}


@pytest.mark.parametrize("page", ["results/", "areas/firearms/results/", "indicators/fa-states/",
                                  "indicators/fa-experts/"])
def test_the_pages_read_well_on_phones_and_desktops_and_are_accessible(built: Path, browser: object,
                                                                       page: str) -> None:
    from tests import browser_support as bs
    with bs.serve_directory(built, "/test/") as url:
        for width in (390, 1280):
            with bs.open_page(browser, url + page, viewport={"width": width, "height": 900}) as session:
                assert session.status == 200
                p = session.page
                # nothing wider than the screen: on phones each logframe row is a card
                assert p.evaluate("document.documentElement.scrollWidth") <= width, (page, width)
                if "results" in page:
                    box = p.locator("#rf-fa-states .rf-status").bounding_box()
                    assert box is not None and box["x"] + box["width"] <= width, (page, width)
                elif p.locator(".contributions-table").count():
                    # every column of the contributing activities in view: a card each on a phone
                    hidden = p.evaluate("(() => { const box = document.querySelector('.contributions-table')"
                                        ".parentElement; return box.scrollWidth - box.clientWidth; })()")
                    assert hidden <= 0, (page, width, hidden)
                violations = bs.run_axe(p)
                assert not violations, f"{page} at {width}:\n{bs.format_violations(violations)}"
                assert session.console_errors == [] and session.external_requests == []


def test_the_logframe_prints_on_a4_without_the_menu(built: Path, browser: object) -> None:
    from tests import browser_support as bs
    # A4 at 96 dpi less the 12 mm margins of the print style: 210 mm - 24 mm = 703 px
    with bs.serve_directory(built, "/test/") as url, \
            bs.open_page(browser, url + "results/", viewport={"width": 703, "height": 1000}) as session:
        p = session.page
        p.emulate_media(media="print")
        assert p.locator(".site-header nav").is_hidden()
        table = p.evaluate("(() => { const t = document.querySelector('table.logframe');"
                           " return [t.scrollWidth, t.getBoundingClientRect().right]; })()")
        assert table[0] <= 703 and table[1] <= 703, table
        assert p.locator("thead th").first.is_visible()  # (the header row repeats on each page)
        assert p.pdf(format="A4").startswith(b"%PDF")
