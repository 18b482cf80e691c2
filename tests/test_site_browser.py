"""The built example site in headless Chromium, served under a sub-path (issue 3).

For every kind of page: status 200, no console errors, no request to another host, every
Plotly chart drew its SVG, and axe-core finds no WCAG 2.1 A/AA violation. Filters and
search return the right records; pages also work from disk (file://).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import browser_support as bs

REPO = Path(__file__).resolve().parent.parent
BASE = "/progress/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = bs.build_example(tmp_path_factory.mktemp("example") / "output")
    return out


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    with bs.serve_directory(built, BASE) as url:
        yield url


@pytest.fixture(scope="module")
def activities(built: Path) -> list[dict[str, Any]]:
    return json.loads((built / "data/activities.json").read_text(encoding="utf-8"))


def _first(built: Path, folder: str) -> str:
    names = sorted(p.name for p in (built / folder).iterdir() if p.is_dir() and p.name != "page")
    return f"{folder}/{names[0]}/"


def page_kinds(built: Path) -> list[str]:
    return ["", _first(built, "areas"), _first(built, "indicators"), _first(built, "activities"),
            "activities/", "timeline/", "countries/", _first(built, "countries"), "pages/about/",
            _first(built, "reports"), "search/"]


KINDS = ["dashboard", "area", "indicator", "activity", "activities", "timeline", "countries",
         "country", "page", "report", "search"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_page_is_clean(kind: str, built: Path, served: str, browser: Any) -> None:
    path = page_kinds(built)[KINDS.index(kind)]
    with bs.open_page(browser, served + path) as session:
        assert session.status == 200, path
        total, drawn = bs.plotly_charts_drawn(session.page)
        html = (built / path / "index.html").read_text(encoding="utf-8")
        expected_charts = html.count('class="plot"')
        assert total == expected_charts and drawn == total, f"{path}: {drawn}/{total} charts drawn"
        if kind in ("dashboard", "area", "indicator", "timeline", "country"):
            assert expected_charts >= 1, f"{path} should have charts"
        violations = bs.run_axe(session.page)
        assert not violations, f"{path}:\n{bs.format_violations(violations)}"
        assert session.console_errors == [], path
        assert session.external_requests == [], path
        assert all(status < 400 for status in session.responses.values()), session.responses


def test_missing_page_gets_the_styled_404(served: str, browser: Any) -> None:
    with bs.open_page(browser, served + "no/such/page/") as session:
        assert session.status == 404
        assert session.page.locator("h1").inner_text() == "Page not found"
        css = session.page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
        assert css == "rgb(18, 53, 91)"  # the stylesheet loaded through the base path
        assert session.external_requests == []


def test_plotly_only_on_pages_with_charts(built: Path, served: str, browser: Any) -> None:
    act = _first(built, "activities")
    with bs.open_page(browser, served + act) as session:
        assert not any("plotly" in url for url in session.requests)
    with bs.open_page(browser, served) as session:
        assert sum("plotly-basic.min.js" in url for url in session.requests) == 1
    assert len(list(built.rglob("plotly*.js"))) == 1


def _visible_ids(page: Any) -> list[str]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('#activity-list li'))
        .filter(li => !li.hidden).map(li => li.querySelector('a').getAttribute('href'))""")


@pytest.mark.parametrize("facet", ["area", "status", "type", "country", "year"])
def test_filters_return_the_right_records(facet: str, served: str, browser: Any,
                                          activities: list[dict[str, Any]]) -> None:
    def values(rec: dict[str, Any]) -> set[str]:
        if facet == "area":
            return set(rec["area"] if isinstance(rec["area"], list) else [rec["area"]])
        if facet == "country":
            found = set(rec["countries"])
            if rec["location"] and rec["location"]["country"]:
                found.add(rec["location"]["country"])
            return found
        if facet == "year":
            return {rec["start"][:4]}
        return {rec[facet]}

    counts: dict[str, int] = {}
    for rec in activities:
        for v in values(rec):
            counts[v] = counts.get(v, 0) + 1
    choice = sorted(counts, key=lambda v: (-counts[v], v))[1 if len(counts) > 1 else 0]
    expected = sorted(f"../activities/{r['id']}/" for r in activities if choice in values(r))
    with bs.open_page(browser, served + "activities/") as session:
        page = session.page
        assert len(_visible_ids(page)) == len(activities)
        page.select_option(f"select[name={facet}]", choice)
        assert sorted(_visible_ids(page)) == expected
        assert page.locator("#filter-count").inner_text().startswith(f"{len(expected)} ")
        page.click("button[type=reset]")
        page.wait_for_function(f"() => document.querySelectorAll('#activity-list li:not([hidden])').length === {len(activities)}")
        assert session.console_errors == []


def test_filters_combine_and_survive_reload(served: str, browser: Any,
                                            activities: list[dict[str, Any]]) -> None:
    expected = sorted(f"../activities/{r['id']}/" for r in activities
                      if r["status"] == "completed" and r["start"].startswith("2018"))
    with bs.open_page(browser, served + "activities/?status=completed&year=2018") as session:
        assert sorted(_visible_ids(session.page)) == expected
        assert 0 < len(expected) < len(activities)


def test_activities_list_without_javascript(served: str, browser: Any,
                                            activities: list[dict[str, Any]]) -> None:
    with bs.open_page(browser, served + "activities/", java_script_enabled=False) as session:
        assert session.page.locator("#activity-list li").count() == len(activities)
        assert not session.page.locator("#filters").is_visible()
        # chart data tables are readable without JavaScript
    with bs.open_page(browser, served, java_script_enabled=False) as session:
        tables = session.page.locator("details.chart-data[open] table")
        assert tables.count() >= 3 and tables.first.is_visible()


def _result_hrefs(page: Any) -> list[str]:
    return page.evaluate("() => Array.from(document.querySelectorAll('#search-results a')).map(a => a.getAttribute('href'))")


def test_search_finds_activities_and_pages(served: str, browser: Any,
                                           activities: list[dict[str, Any]]) -> None:
    """Pagefind's index (sitegen/search.py): result links start at the site's root, under
    the sub-path it is served from."""
    target = activities[len(activities) // 2]
    with bs.open_page(browser, served + "search/") as session:
        page = session.page
        page.fill("#q", target["title"])
        page.press("#q", "Enter")
        page.wait_for_selector("#search-results li")
        first = page.locator("#search-results li a").first
        assert first.inner_text() == target["title"]
        assert first.get_attribute("href") == f"{BASE}activities/{target['id']}/"
        page.fill("#q", "illustrative sample")
        page.press("#q", "Enter")
        page.wait_for_function("() => document.getElementById('search-status').textContent.includes('illustrative')")
        page.wait_for_selector("#search-results li")
        assert f"{BASE}pages/about/" in _result_hrefs(page)
        page.fill("#q", "zzzznotaword")
        page.press("#q", "Enter")
        page.wait_for_function("() => document.getElementById('search-status').textContent === 'No results for “zzzznotaword”.'")
        assert session.console_errors == [] and session.external_requests == []


def test_search_word_matches_exactly_the_records_containing_it(served: str, browser: Any,
                                                                activities: list[dict[str, Any]]) -> None:
    word = "Tirana"
    expected = {f"{BASE}activities/{r['id']}/" for r in activities
                if r["location"] and r["location"]["city"] == word}
    assert expected
    with bs.open_page(browser, served + f"search/?q={word}") as session:
        session.page.wait_for_selector("#search-results li")
        assert expected <= set(_result_hrefs(session.page))


@pytest.mark.parametrize("path", ["index.html", "timeline/index.html"])
def test_pages_open_from_disk_with_charts(path: str, built: Path, browser: Any) -> None:
    with bs.open_page(browser, (built / path).as_uri(), block_external=False) as session:
        total, drawn = bs.plotly_charts_drawn(session.page)
        assert total >= 1 and drawn == total
        assert session.console_errors == []
        assert session.external_requests == []


def test_every_figure_is_valid_for_plotly(built: Path) -> None:
    import plotly.graph_objects as go

    figures = 0
    pattern = re.compile(r'<script type="application/json" id="[^"]+-figure">(.*?)</script>', re.S)
    for html in sorted(built.rglob("index.html")):
        for raw in pattern.findall(html.read_text(encoding="utf-8")):
            fig = json.loads(raw)
            go.Figure(fig)  # raises on any property plotly does not know
            figures += 1
    assert figures > 20


def test_feed_sitemap_robots_and_csv(built: Path, activities: list[dict[str, Any]]) -> None:
    import csv
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(built / "feed.xml").getroot()
    entries = feed.findall(f"{atom}entry")
    assert entries and all(e.find(f"{atom}link").get("href").startswith("https://example.org/progress/activities/")
                           for e in entries)
    starts = [e.find(f"{atom}updated").text for e in entries]
    assert starts == sorted(starts, reverse=True)
    sm = ET.parse(built / "sitemap.xml").getroot()
    locs = [u.find("{http://www.sitemaps.org/schemas/sitemap/0.9}loc").text for u in sm]
    assert "https://example.org/progress/" in locs
    for loc in locs:
        rel = loc[len("https://example.org/progress/"):]
        assert (built / rel / "index.html").is_file(), loc
    assert "Sitemap: https://example.org/progress/sitemap.xml" in (built / "robots.txt").read_text()
    rows = list(csv.DictReader((built / "data/activities.csv").read_text(encoding="utf-8").splitlines()))
    assert [r["id"] for r in rows] == [a["id"] for a in activities]
    charts_csv = sorted((built / "data/charts").glob("*.csv"))
    assert len(charts_csv) > 20
    for path in charts_csv:
        table = list(csv.reader(path.read_text(encoding="utf-8").splitlines(), strict=True))
        assert len({len(r) for r in table}) == 1, path


@pytest.mark.parametrize("kind", ["dashboard", "area", "activity", "timeline", "report"])
def test_every_page_has_navigation_report_date_and_partners(kind: str, built: Path, served: str,
                                                             browser: Any) -> None:
    path = page_kinds(built)[KINDS.index(kind)]
    with bs.open_page(browser, served + path) as session:
        page = session.page
        assert page.locator("nav[aria-label=Main] a").count() >= 6
        # (a round's page gives its figures' day first: see test_reports)
        assert page.locator(".asof").inner_text() == ("Figures as of 16 May 2018 (data as of 31 Dec 2019)"
                                                      if kind == "report" else "Data as of 31 Dec 2019")
        footer = page.locator("footer").inner_text()
        assert "OSCE Secretariat" in footer and "INTERPOL" in footer
        if kind != "dashboard":
            crumbs = page.locator("nav[aria-label=Breadcrumb] li")
            assert crumbs.first.inner_text() == "Dashboard"
            assert crumbs.last.get_attribute("aria-current") == "page"


@pytest.mark.parametrize("kind", ["dashboard", "area", "activity", "activities", "timeline"])
def test_readable_on_a_phone(kind: str, built: Path, served: str, browser: Any) -> None:
    path = page_kinds(built)[KINDS.index(kind)]
    with bs.open_page(browser, served + path, viewport={"width": 375, "height": 740},
                      device_scale_factor=2, is_mobile=True) as session:
        page = session.page
        bs.plotly_charts_drawn(page)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
        size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main p, main li')).fontSize)")
        assert size >= 14
        # tables of areas, indicators and activities are a card per row: nothing to scroll to
        cards = page.evaluate("""() => [...document.querySelectorAll('.card-rows tbody tr')].map(tr => {
            const box = tr.closest('.table-scroll');
            return [box.scrollWidth - box.clientWidth, tr.getBoundingClientRect().height,
                    [...tr.querySelectorAll('[data-label]')].map(td => getComputedStyle(td, '::before').content)];
        })""")
        if kind in ("dashboard", "area", "timeline"):
            assert len(cards) >= 3, kind
        for wider, height, _ in cards:
            assert wider <= 1 and height < 200, cards
        if kind == "timeline":  # (its rescheduled activities)
            assert all(labels == ['"Original dates: "', '"New dates: "'] for *_, labels in cards), cards
        if kind == "dashboard":
            assert cards[0][2] == ['"Activities completed: "', '"Indicator attainment: "', '"Activities: "'], cards[0]


def test_a_phone_shows_the_title_before_its_dash_and_names_the_link_with_all_of_it(served: str,
                                                                                   browser: Any) -> None:
    """At 390 px the header shows "OSCE–INTERPOL Joint Action Plan", not the whole title cut
    after its dash ("Joint Action Plan —…"); the link's accessible name is still the title.
    The same on the page of a missing address (it showed the whole title, cut)."""
    for path in ["", "no/such/page/"]:
        with bs.open_page(browser, served + path, viewport={"width": 390, "height": 800}) as session:
            page = session.page
            title = page.locator("a.brand").text_content() or ""
            assert " — " in title
            rest = page.locator(".brand-rest").bounding_box()
            assert rest is not None and rest["width"] <= 1 and rest["height"] <= 1, path
            assert page.get_by_role("link", name=title.strip(), exact=True).count() == 1
    with bs.open_page(browser, served, viewport={"width": 1280, "height": 800}) as session:
        rest = session.page.locator(".brand-rest").bounding_box()
        assert rest is not None and rest["width"] > 100


def test_area_page_prints_as_a_report(built: Path, served: str, browser: Any) -> None:
    path = page_kinds(built)[KINDS.index("area")]
    with bs.open_page(browser, served + path) as session:
        page = session.page
        bs.plotly_charts_drawn(page)
        page.emulate_media(media="print")
        assert not page.locator("nav[aria-label=Main]").is_visible()
        assert page.locator("h1").is_visible()
        assert page.locator(".chart .js-plotly-plot").first.is_visible()
        # on paper a chart says it with its summary: its data table stays on screen and in its CSV
        assert page.locator(".chart-summary").first.is_visible()
        assert not page.locator("details.chart-data").first.is_visible()
        # the footer says whose plan it is; its links to the data files (no address on paper) are left out
        assert page.locator(".site-footer p").first.is_visible()
        assert not page.locator(".site-footer .data-links").is_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


@pytest.mark.parametrize("width", [390, 1280])
def test_the_timeline_prints_with_shorter_labels_and_gets_its_own_back(width: int, served: str, browser: Any) -> None:
    """On paper the timeline's row labels are lines of up to 44 characters (at a desktop's 72
    its dates had a third of an A4 sheet), in parts that hold every row once; after printing
    the screen's chart and labels come back. On a phone each label is above its row, clear of
    every bar and marker (beside the rows, labels cut to 24 characters took 60% of the width)."""
    longest = ("plot => Math.max(...plot._fullLayout"
               ".yaxis.ticktext.flatMap(t => t.split('<br>')).map(t => t.replace(/<[^>]+>/g, '').length))")
    with bs.open_page(browser, served + "timeline/", viewport={"width": width, "height": 900}) as session:
        page = session.page
        bs.plotly_charts_drawn(page)
        screen = page.locator("#timeline-timeline .plot").evaluate(longest)
        assert 44 < screen <= 72, screen
        rows = page.locator("#timeline-timeline .plot").evaluate("plot => plot._fullLayout.yaxis.tickvals.length")
        above = page.locator("#timeline-timeline .plot").evaluate("""plot => {
            const notes = [...plot.querySelectorAll('.annotation')].filter(
                g => plot._fullLayout.annotations[+g.getAttribute('data-index')].name === 'row');
            const marks = [...plot.querySelectorAll('.barlayer .point path, .scatterlayer .point')]
                .map(m => m.getBoundingClientRect()).filter(r => r.width && r.height);
            const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
                && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
            const texts = notes.map(g => g.querySelector('text').getBoundingClientRect());
            const covered = texts.filter(t => marks.some(m => meet(t, m))).length;
            const crossed = texts.filter((t, i) => i > 0 && meet(t, texts[i - 1])).length;
            return [plot._fullLayout.yaxis.showticklabels, notes.length, covered, crossed]; }""")
        # (nor any label another: an area's heading on two lines, in the middle of its row, ran
        # into its first row's label)
        assert above == ([True, 0, 0, 0] if width >= 600 else [False, rows, 0, 0]), above
        # The areas and the original schedules' outline are named once, by the page's legend
        # (with the chart's own, the two took ~250 px before the first row on a phone, and
        # named the same areas twice on a desktop); on paper, where the page's is not
        # printed, by the chart's, as on the chart's embed page, which has no other.
        legend = "plot => plot._fullLayout.showlegend && plot.querySelectorAll('.legend .traces').length"
        assert page.locator("#timeline-timeline .plot").evaluate(legend) == 0
        assert page.locator("ul.legend li").all_inner_texts()[-1] == "Originally planned"
        # every marker whole inside the plot (on a phone, those of the plan's last days were
        # cut in half at its edge)
        cut = page.locator("#timeline-timeline .plot").evaluate("""plot => {
            const size = plot._fullLayout._size, left = plot.getBoundingClientRect().left + size.l;
            return [...plot.querySelectorAll('.scatterlayer .point')].map(p => p.getBoundingClientRect())
                .filter(r => r.width && (r.left < left - 0.5 || r.right > left + size.w + 0.5)).length; }""")
        assert cut == 0, cut
        page.emulate_media(media="print")
        parts = page.locator("#timeline-timeline .plot-part")
        page.wait_for_function("() => document.querySelectorAll('#timeline-timeline .plot-part .main-svg').length > 1")
        assert not page.locator("#timeline-timeline .plot").is_visible()
        assert parts.first.evaluate(legend) == 8 and not page.locator("ul.legend").is_visible()
        assert max(parts.evaluate_all(f"parts => parts.map({longest})")) <= 44
        ranges = parts.evaluate_all("parts => parts.map(p => p._fullLayout.yaxis.range)")
        assert ranges[0][1] == -0.5 and ranges[-1][0] == rows - 0.5, ranges
        assert all(a[0] == b[1] for a, b in zip(ranges, ranges[1:])), ranges  # (each row once)
        # their plots at one place on every sheet, and rows as tall as the figure asks (two
        # lines of labels ran into one another in the first part, whose legend took their room)
        page.wait_for_function("""() => { const ls = [...document.querySelectorAll('#timeline-timeline .plot-part')]
            .map(p => p._fullLayout._size.l); return ls.every(l => l === ls[0]); }""")
        row = page.locator("#timeline-timeline .plot").evaluate("p => JSON.parse(p.figureText).layout.meta.parts.row")
        spacing = parts.evaluate_all("""parts => parts.map(p => p._fullLayout._size.h /
            (p._fullLayout.yaxis.range[0] - p._fullLayout.yaxis.range[1]))""")
        assert all(s >= 0.9 * row for s in spacing), (row, spacing)
        page.emulate_media(media="screen")
        page.wait_for_function("() => document.querySelectorAll('.plot-parts').length === 0")
        assert page.locator("#timeline-timeline .plot").evaluate(longest) == screen
    with bs.open_page(browser, served + "embed/timeline-timeline/", viewport={"width": width, "height": 900}) as session:
        bs.plotly_charts_drawn(session.page)
        assert session.page.locator("#timeline-timeline .plot").evaluate(legend) == 8


def test_the_printed_timeline_has_its_dates_on_every_sheet(built: Path, served: str, browser: Any,
                                                          activities: list[dict[str, Any]], tmp_path: Path) -> None:
    """On paper the timeline's rows are drawn as parts of a sheet each, each with its dates
    (one chart cut by the sheets had none on its middle sheets) and its area's name above
    its first row when it starts inside an area, every row in one of them,
    labelled on up to two lines; what follows the chart is printed too (parts made once the
    page was laid out for paper were cut off the PDF, whose sheets were counted before)."""
    pdf = tmp_path / "timeline.pdf"
    with bs.open_page(browser, served + "timeline/") as session:
        page = session.page
        bs.plotly_charts_drawn(page)
        page.pdf(path=str(pdf), format="A4")
        assert session.console_errors == []
        # (and the screen's chart is back after)
        assert page.locator("#timeline-timeline .plot").is_visible() and page.locator(".plot-parts").count() == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    sheets = [" ".join(sheet.split()) for sheet in text.split("\f") if sheet.strip()]
    assert len(sheets) >= 3, len(sheets)
    titles = sorted({a["title"] for a in activities if len(a["title"]) <= 44})  # (on one line)
    assert len(titles) > 20
    for title in titles:
        holding = [i for i, sheet in enumerate(sheets) if title in sheet]
        assert holding, title
        assert all(re.search(r"\b(Jan|Jul) 20(18|19)\b", sheets[i]) for i in holding), (title, holding)
    with_rows = [i for i, sheet in enumerate(sheets) if any(title in sheet for title in titles)]
    assert len(with_rows) >= 3, with_rows  # (the rows on three sheets or more, each with its dates)
    # each sheet's rows under their area's name (a part that began inside an area named none)
    areas = [a["title"] for a in json.loads((built / "data/plan.json").read_text(encoding="utf-8"))["areas"]]
    for i in with_rows[1:]:
        above = sheets[i][:min(sheets[i].index(title) for title in titles if title in sheets[i])]
        assert any(area in above for area in areas), (i, above)
    last = sheets[-1]
    assert "Illustrative sample data" in last and f"{len(sheets)}/{len(sheets)}" in last.replace(" ", ""), last[-200:]
    assert any("Rescheduled activities" in sheet for sheet in sheets)


@pytest.mark.parametrize(("path", "chart", "width"), [("", "dashboard-progress", 1280), ("timeline/", "timeline-timeline", 390)])
def test_a_chart_downloads_as_a_picture_with_its_title_and_source(path: str, chart: str, width: int,
                                                                   served: str, browser: Any, tmp_path: Path) -> None:
    """"Download the chart (PNG, SVG)": the chart drawn again 1000 px wide from its figure
    (on a phone too: its labels whole), its title above it and the site and page it comes
    from under the title; nothing fetched from elsewhere."""
    with bs.open_page(browser, served + path, viewport={"width": width, "height": 900}, accept_downloads=True) as session:
        page = session.page
        bs.plotly_charts_drawn(page)
        figure = page.locator(f"figure#{chart}")
        assert figure.locator(".chart-image").is_visible()
        with page.expect_download() as png:
            figure.locator("button[data-format=png]").click()
        assert png.value.suggested_filename == f"{chart}.png"
        data = Path(png.value.path()).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == 1000
        with page.expect_download() as svg:
            figure.locator("button[data-format=svg]").click()
        text = Path(svg.value.path()).read_text(encoding="utf-8")
        title = figure.locator("figcaption [id$='-title']").inner_text()
        assert svg.value.suggested_filename == f"{chart}.svg" and text.startswith("<svg")
        assert f">{title}<" in text and served + path in text  # (the title, and the page it comes from)
        if chart == "timeline-timeline":  # (its labels whole, not the phone's)
            assert "Border crossing point assessment in Moldova" in text
        assert session.external_requests == [] and session.console_errors == []


def test_the_list_prints_without_its_links_to_files_and_other_lists(served: str, browser: Any) -> None:
    """On paper, "Download them as CSV or JSON" and "Browse them by type, partner or tag" are
    words without a place to go: left out; the count of activities stays."""
    with bs.open_page(browser, served + "activities/") as session:
        page = session.page
        assert page.locator(".downloads").is_visible() and page.locator(".browse").is_visible()
        page.emulate_media(media="print")
        assert not page.locator(".downloads").is_visible() and not page.locator(".browse").is_visible()
        assert "newest first" in page.locator("main p").first.inner_text()
    with bs.open_page(browser, served + "timeline/") as session:  # (its areas as links: the chart's legend names them)
        session.page.emulate_media(media="print")
        assert not session.page.locator("ul.legend").is_visible()
    with bs.open_page(browser, served) as session:  # (the dashboard's "All activities · Timeline", and its
        page = session.page                          # links to the results framework and the methodology)
        links = [page.locator("main a[href$='timeline/']").last, page.locator(".results-link"),
                 page.locator(".headline-note a")]
        assert all(link.is_visible() for link in links)
        page.emulate_media(media="print")
        assert not any(link.is_visible() for link in links)
        assert page.locator(".headline-note").is_visible()


def test_printed_quarter_labels_do_not_run_into_one_another(served: str, browser: Any) -> None:
    """On paper the dashboard's chart of activities per quarter is half a sheet wide: its
    slanted quarter labels ran into one another ("2017-Q22017-Q3"); there they stand upright."""
    boxes = """() => [...document.querySelectorAll('#dashboard-quarters .xtick text')]
        .map(t => t.getBoundingClientRect()).map(r => [r.left, r.right])"""
    with bs.open_page(browser, served) as session:
        page = session.page
        bs.plotly_charts_drawn(page)
        page.emulate_media(media="print")
        page.wait_for_function("() => document.querySelector('#dashboard-quarters .plot')._fullLayout.xaxis.tickangle === -90")
        spans = sorted(page.evaluate(boxes))
    assert len(spans) >= 10
    assert all(a[1] <= b[0] + 0.5 for a, b in zip(spans, spans[1:])), spans


@pytest.mark.parametrize("media", ["screen", "print"])
def test_the_headline_bars_marker_stays_clear_of_the_words_under_it(media: str, served: str, browser: Any) -> None:
    """The dotted marker of where the plan should be reaches above and below the bar, not into
    the sentence under it (on paper, at the screen's reach, it ran into "put the plan")."""
    with bs.open_page(browser, served) as session:
        session.page.emulate_media(media=media)
        gap = session.page.evaluate("""() => document.querySelector('.headline-expected').getBoundingClientRect().top
            - document.querySelector('.headline-bar .expected').getBoundingClientRect().bottom""")
        assert gap >= 1, gap


def test_printed_links_show_their_address_once(built: Path, served: str, browser: Any) -> None:
    """On paper a link's address follows its text; a link whose text is its address
    (`<https://www.osce.org>` in Markdown) is not followed by it a second time."""
    with bs.open_page(browser, served + "pages/about/") as session:
        page = session.page
        page.emulate_media(media="print")
        after = page.evaluate("""() => [...document.querySelectorAll('main a[href^="http"]')]
            .map(a => [a.textContent, getComputedStyle(a, '::after').content])""")
    assert ["https://www.osce.org", "none"] in after, after
    assert all(content == "none" for text, content in after if text.startswith("http")), after
    page_with_outputs = next(p for p in sorted(built.glob("activities/*/index.html"))
                             if '<ul class="outputs"><li><a href="http' in p.read_text(encoding="utf-8"))
    with bs.open_page(browser, served + f"activities/{page_with_outputs.parent.name}/") as session:
        page = session.page
        page.emulate_media(media="print")
        text, content = page.evaluate("""() => { const a = document.querySelector('.outputs a[href^="http"]');
            return [a.textContent, getComputedStyle(a, '::after').content]; }""")
    assert re.fullmatch(r'" \(https?://[^)]+\)"', content), (text, content)


def test_the_indicators_folder_leads_to_the_results_framework(built: Path, served: str, browser: Any) -> None:
    """A reader who trims an indicator's address to indicators/ lands on the page of every
    indicator (results/), not on a missing page; the address is not in the sitemap."""
    with bs.open_page(browser, served + "indicators/") as session:
        session.page.wait_for_url("**/results/")
        assert session.page.locator("h1").inner_text() == "Results framework"
        assert session.console_errors == []
    assert "/indicators/</loc>" not in (built / "sitemap.xml").read_text(encoding="utf-8")


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize(("kind", "most"), [("dashboard", 4), ("area", 6)])
def test_the_dashboard_and_an_area_print_on_few_pages(kind: str, most: int, built: Path, served: str,
                                                      browser: Any) -> None:
    """Printed (A4), the dashboard takes at most 4 pages and an area at most 6: no menu,
    charts two abreast and whole, no data tables. (3 and 4 before the charts were drawn
    again at the paper's width: they were cut at the right edge, the timeline after a page
    left blank.)"""
    for path in [page_kinds(built)[KINDS.index(kind)]] + (
            [f"areas/{p.name}/" for p in sorted((built / "areas").iterdir()) if p.is_dir()] if kind == "area" else []):
        with bs.open_page(browser, served + path) as session:
            page = session.page
            bs.plotly_charts_drawn(page)
            # (printed as a reader prints: the page switches to print media as it prints, and
            # site.js draws the charts again at the paper's width)
            pages = _pdf_pages(page.pdf(format="A4", print_background=True))
            assert 1 <= pages <= most, f"{path} prints on {pages} A4 pages"


def test_no_printed_sheet_is_blank_or_numbered_past_the_last(built: Path, served: str, browser: Any,
                                                             tmp_path: Path) -> None:
    """Printed as a reader prints (no print media set before), every sheet of the dashboard
    and of each area page has text, and its number's total is the number of sheets: two
    area pages printed a blank last sheet, the others numbered "1 / 4" of five (the browser
    counted the sheets before the charts side by side were drawn a quarter lower for paper)."""
    pdf = tmp_path / "printed.pdf"
    for path in [""] + [f"areas/{p.name}/" for p in sorted((built / "areas").iterdir()) if p.is_dir()]:
        with bs.open_page(browser, served + path) as session:
            bs.plotly_charts_drawn(session.page)
            pdf.write_bytes(session.page.pdf(format="A4", print_background=True))
        sheets = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                check=True).stdout.split("\f")[:-1]
        assert all(sheet.strip() for sheet in sheets), f"{path}: a blank sheet of {len(sheets)}"
        numbers = [re.findall(r"(\d+) / (\d+)\s*$", sheet.strip()) for sheet in sheets]
        assert numbers == [[(str(n), str(len(sheets)))] for n in range(1, len(sheets) + 1)], (path, numbers)


def test_printed_charts_keep_their_legends(built: Path, served: str, browser: Any, tmp_path: Path) -> None:
    """Printed, a chart keeps its legend: which line is the actual value and which the target
    path, which bar is completion and which attainment (the print style hid every chart's
    legend with the timeline's list of areas, which its `.legend` class shared with Plotly's).
    Two charts abreast are drawn lower than on screen (not taller than wide)."""
    with bs.open_page(browser, served) as session:
        page = session.page
        page.set_viewport_size({"width": 1280, "height": 900})
        bs.plotly_charts_drawn(page)
        legends = page.evaluate("""() => [...document.querySelectorAll('.plot[data-figure]')].map(
            el => [...el.querySelectorAll('g.legend .legendtext')].map(
                t => [...t.querySelectorAll('tspan.line')].map(line => line.textContent).join(' ') || t.textContent))""")
        screen = page.evaluate("""() => [...document.querySelectorAll('.plot[data-figure]')].map(el => {
            const layout = JSON.parse(document.getElementById(el.dataset.figure).textContent).layout;
            return [layout.height, ((layout.meta || {}).print || {}).height || null]; })""")
        page.evaluate(_PRINTED_LEGENDS)
        pdf = tmp_path / "dashboard.pdf"
        pdf.write_bytes(page.pdf(format="A4", print_background=True))
        printed = page.evaluate("() => window.printedLegends")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    names = [name for chart in legends for name in chart]
    assert "Target path" in names and "Indicator attainment (%)" in names, legends
    for name in names:
        assert " ".join(name.split()) in text, f"legend entry {name!r} missing on paper"
    assert len(printed) == len(screen) == len(legends)
    for (height, legend_box, plot_box, rows), (before, asked), names in zip(printed, screen, legends):
        assert legend_box > 0 or not names, (names, "legend not drawn on paper")
        if asked:  # (a height of its own on paper: the quarters', whose legend took half its plot)
            assert height == asked and plot_box > 150, (names, height, asked, plot_box)
        elif rows:  # (horizontal bars: one row per area, as on screen)
            assert height == before, (names, height, before)
        else:  # (vertical bars and lines, two abreast: a lower plot area, no less room for the rest)
            assert height < before and plot_box > 100, (height, before, plot_box)


# What print does to each chart: its height, its legend's height and its plot area's height, and
# whether it is one of horizontal bars; recorded by a listener registered after site.js's.
_PRINTED_LEGENDS = """() => {
    window.printedLegends = [];
    window.matchMedia("print").addEventListener("change", (event) => {
        if (!event.matches) return;
        for (const el of document.querySelectorAll(".plot[data-figure]")) {
            const legend = el.querySelector("g.legend"), plot = el.querySelector("rect.nsewdrag");
            window.printedLegends.push([el.layout.height, legend ? Math.round(legend.getBoundingClientRect().height) : 0,
                                        plot ? Math.round(plot.getBoundingClientRect().height) : 0,
                                        el.data.some((trace) => trace.orientation === "h")]);
        }
    });
}"""


@pytest.mark.parametrize("path", ["countries/", "activities/"])
def test_no_printed_page_holds_only_the_footer(path: str, served: str, browser: Any, tmp_path: Path) -> None:
    """Printed (A4), a page's last sheet holds some of its content besides the footer (the
    list of the example's 45 countries took a third sheet for the footer alone: Chromium
    does not keep the footer with the end of `main`; tables are denser on paper)."""
    with bs.open_page(browser, served + path) as session:
        footer = set(session.page.inner_text(".site-footer").split())
        content = set(session.page.inner_text("main").split()) - footer
        pdf = tmp_path / "page.pdf"
        pdf.write_bytes(session.page.pdf(format="A4", print_background=True))
    sheets = _pdf_pages(pdf.read_bytes())
    last = subprocess.run(["pdftotext", "-f", str(sheets), "-l", str(sheets), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout.split()
    assert content & set(last), f"{path}: the last of {sheets} printed pages holds only the footer: {' '.join(last)}"


def test_the_previews_error_page_fits_a_phone(browser: Any) -> None:
    """A long file path in the preview's error page wraps instead of widening the page."""
    from sitegen.errors import Problem
    from sitegen.serve import error_page
    problem = Problem("content/activities/2026/regional_workshop_on_border_management_in_central_asia.fr.md",
                      3, 1, "error", "not UTF-8 text (byte 0xe9): save the file as UTF-8", "")
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        page.set_content(error_page([problem], 1).decode("utf-8"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert "regional_workshop_on_border" in page.inner_text("li")
    finally:
        page.close()


# Each chart's drawing against its box, as printed: recorded by a listener registered after
# site.js's, so it sees what the printed page shows.
_PRINTED_SIZES = """() => {
    window.printedCharts = [];
    window.matchMedia("print").addEventListener("change", (event) => {
        if (!event.matches) return;
        for (const el of document.querySelectorAll(".plot[data-figure]")) {
            // (a timeline is printed as parts: see test_the_printed_timeline_has_its_dates_on_every_sheet)
            const drawn = el.classList.contains("plot-split") ? [...el.nextElementSibling.children] : [el];
            for (const plot of drawn) {
                const svg = plot.querySelector("svg.main-svg");
                window.printedCharts.push([el.getAttribute("data-figure"), Math.round(plot.getBoundingClientRect().width),
                                           Math.round(svg.getBoundingClientRect().width)]);
            }
        }
    });
}"""


@pytest.mark.parametrize("kind", ["dashboard", "timeline", "report", "indicator"])
def test_printed_charts_are_drawn_at_the_papers_width(kind: str, built: Path, served: str,
                                                      browser: Any) -> None:
    """A page read on a wide screen and printed: each chart is drawn again at the width it
    has on paper (two abreast on A4), not cut at the right edge where its screen width
    overflows the column (nor, right to left, pushing the page off the paper's left edge)."""
    path = page_kinds(built)[KINDS.index(kind)]
    with bs.open_page(browser, served + path) as session:
        page = session.page
        page.set_viewport_size({"width": 1280, "height": 900})
        bs.plotly_charts_drawn(page)
        page.evaluate(_PRINTED_SIZES)
        page.pdf(format="A4")
        printed = page.evaluate("() => window.printedCharts")
        assert printed, path
        for figure, box, drawn in printed:
            assert 200 < box < 720 and abs(drawn - box) <= 2, (path, figure, box, drawn)
        if kind == "indicator":  # (a page's one chart takes the paper's width, not half of it)
            assert [box > 600 for _, box, _ in printed] == [True], printed
        # and the screen's width again after printing
        page.wait_for_function("""() => [...document.querySelectorAll('.plot[data-figure]')].every(
            el => Math.abs(el.querySelector('svg.main-svg').getBoundingClientRect().width
                           - el.getBoundingClientRect().width) <= 2)""")


def test_a_breakdown_on_a_phone_opens_at_its_latest_dates_with_its_categories_in_view(served: str,
                                                                                      browser: Any) -> None:
    """A breakdown's table (a column per date) is wider than a phone: it opens scrolled to its
    latest dates, which its chart shows (the latest column was out of view), and each row's
    category stays in view as it scrolls."""
    with bs.open_page(browser, served + "indicators/bs-officers-trained/",
                      viewport={"width": 390, "height": 900}) as session:
        page = session.page
        box = page.locator(".breakdown-dimension .table-scroll").first
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")
        inside = """([b, cell]) => { const o = b.getBoundingClientRect(), r = cell.getBoundingClientRect();
                                     return r.left >= o.left - 1 && r.right <= o.right + 1; }"""
        last = box.locator("thead th").last
        first = box.locator("tbody th[scope=row]").first
        assert page.evaluate(inside, [box.element_handle(), last.element_handle()])
        assert page.evaluate(inside, [box.element_handle(), first.element_handle()])
        assert first.inner_text() == "Women"
        # the dates pass under the categories: a shadow on their column's edge says so (a date
        # cut to "l Dec 2018" without it read as a misprint); none on a table that fits, or on paper
        shadow = "cell => getComputedStyle(cell, '::after').display === 'none' ? 'none' : getComputedStyle(cell, '::after').content"
        assert first.evaluate(shadow) != "none"
        box.evaluate("b => { b.scrollLeft = 0; }")  # (and at its start, the earliest dates beside them)
        assert page.evaluate(inside, [box.element_handle(), first.element_handle()])
        page.emulate_media(media="print")
        assert first.evaluate(shadow) == "none"
    with bs.open_page(browser, served + "indicators/bs-officers-trained/",
                      viewport={"width": 1280, "height": 900}) as session:
        cell = session.page.locator(".breakdown-dimension .table-scroll tbody th[scope=row]").first
        assert cell.evaluate(shadow) == "none"


def test_a_printed_rounds_tables_of_indicators_stay_under_their_areas(served: str, browser: Any,
                                                                      tmp_path: Path) -> None:
    """Printed from the browser, every sheet of a round that holds an area's table of
    indicators holds the area's heading line too (a table moved to the next sheet alone read
    as the following area's)."""
    pdf = tmp_path / "round.pdf"
    with bs.open_page(browser, served + "reports/2019/") as session:
        bs.plotly_charts_drawn(session.page)
        session.page.pdf(path=str(pdf), format="A4")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    sheets = [" ".join(sheet.split()) for sheet in text.split("\f")]
    tables = [i for i, sheet in enumerate(sheets) if "Baseline" in sheet and "Attainment" in sheet]
    assert len(tables) >= 4, tables
    for i in tables:  # (above the sheet's first table, its area's line: "off track → at risk · ...",
        above = sheets[i][:sheets[i].index("Baseline")]  # or "off track (unchanged) · ...")
        assert "activities completed" in above and (" \u2192 " in above or "(unchanged) · " in above), \
            (i, sheets[i][:300])


def test_the_headlines_sentence_wraps_without_a_gap_on_a_phone(served: str, browser: Any) -> None:
    """At 390 px the dashboard's "mean attainment of the plan's targets" wraps under its big
    figure at about the text's own line height: the figure's tall line stood a blank line
    between the sentence's two lines."""
    with bs.open_page(browser, served, viewport={"width": 390, "height": 900}) as session:
        pitch, line = session.page.evaluate("""() => {
            const figure = document.querySelector('.headline-figure'), range = document.createRange();
            range.selectNodeContents(figure.querySelector('.n').nextSibling);
            const lines = [...range.getClientRects()];
            return [lines[lines.length - 1].top - lines[0].top, parseFloat(getComputedStyle(figure).lineHeight)]; }""")
    assert line < pitch <= 1.3 * line, (pitch, line)


def test_a_tables_note_is_not_covered_by_the_table(served: str, browser: Any) -> None:
    """The note under the areas' table (dashboard, round) is drawn over the table's scrolling
    box, whose edge shadow covered the top of its first letter ("An" read "ʌn")."""
    for path in ["", "reports/2019/"]:
        with bs.open_page(browser, served + path) as session:
            hit = session.page.evaluate("""() => [...document.querySelectorAll('.table-note')].map(note => {
                const range = document.createRange(); range.setStart(note.firstChild, 0); range.setEnd(note.firstChild, 1);
                const box = range.getBoundingClientRect(); window.scrollTo(0, box.top + window.scrollY - 100);
                const top = range.getBoundingClientRect();
                return note.contains(document.elementFromPoint(top.left + top.width / 2, top.top + 1)); })""")
            assert hit and all(hit), (path, hit)


def test_printed_sheets_after_the_first_are_headed_by_the_pages_title(served: str, browser: Any,
                                                                       tmp_path: Path) -> None:
    """Printed, a round (cover and fourteen sheets) and an area page name themselves at the
    top of every sheet but the first (the cover, or the sheet whose heading says it): a
    round's sheets after its cover named it nowhere."""
    pdf = tmp_path / "printed.pdf"
    for path, title in [("reports/2019/", "Second annual report"), ("areas/firearms/", "Firearms")]:
        with bs.open_page(browser, served + path) as session:
            bs.plotly_charts_drawn(session.page)
            pdf.write_bytes(session.page.pdf(format="A4"))
        sheets = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                check=True).stdout.split("\f")[:-1]
        firsts = [sheet.strip().splitlines()[0] for sheet in sheets]
        assert len(sheets) > 2 and firsts[0] != title and firsts[1:] == [title] * (len(sheets) - 1), (path, firsts)


def test_meaningful_colours_print_without_background_graphics(served: str, browser: Any) -> None:
    """On paper, an area's colour swatch and the progress bars keep their colours when the
    browser prints no backgrounds (its default): the swatches left a blank indent before each
    area's name and the plan's bar a lone dotted mark. A term page's "All tags" link, which
    paper cannot follow, is not printed."""
    for path in ["", "areas/", "areas/border-security/", "results/"]:
        with bs.open_page(browser, served + path) as session:
            session.page.emulate_media(media="print")
            kept = session.page.evaluate("""() => Array.from(document.querySelectorAll(
                    '.swatch, .headline-bar, .headline-bar .attained, .bar, .bar span'))
                .filter(el => el.getClientRects().length)
                .map(el => [el.className, getComputedStyle(el).printColorAdjust])""")
            assert kept and all(adjust == "exact" for _, adjust in kept), (path, kept)
    with bs.open_page(browser, served + "tags/bcp/") as session:
        assert session.page.get_by_role("link", name="All tags").is_visible()
        session.page.emulate_media(media="print")
        assert not session.page.get_by_role("link", name="All tags").is_visible()


def test_a_short_table_prints_whole_and_paper_gets_no_breadcrumbs(served: str, browser: Any, tmp_path: Path) -> None:
    """Printed, the dashboard's table of progress by area is on one sheet, header, every
    area's row and its note (its last row, Firearms, went alone to the next sheet under the
    header repeated); no sheet of an area or an indicator shows the breadcrumb's links, nor
    the results framework's link (paper cannot follow them: its title says where it is); the
    last sheet gives the page's address (a printed page named none)."""
    sheets: dict[str, list[str]] = {}
    for path in ["", "areas/border-security/", "indicators/bs-assessments/"]:
        pdf = tmp_path / "page.pdf"
        with bs.open_page(browser, served + path) as session:
            bs.plotly_charts_drawn(session.page)
            session.page.pdf(path=str(pdf), format="A4")
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        sheets[path] = text.split("\f")
    def on(pattern: str) -> list[int]:  # the dashboard's sheets with a line that matches
        return [i for i, sheet in enumerate(sheets[""]) if re.search(pattern, sheet, re.M)]
    header = on(r"^\s*Area\s+Status\s+Activities")
    assert len(header) == 1, header
    status = r"\s+(?:on track|at risk|off track|achieved|not started)\b"
    assert on(r"^\W*Border security" + status) == on(r"^\W*Firearms" + status) == header
    assert on(r"An activity in several areas counts in each of them") == header
    for path in ["areas/border-security/", "indicators/bs-assessments/"]:
        assert not re.search(r"Dashboard\W+Areas", sheets[path][0]), sheets[path][0][:600]
        assert "Results framework" not in sheets[path][0], sheets[path][0][:600]
        # and says where it is online, which the screen does not
        assert re.search(r"Online version: https?://\S+/" + re.escape(path) + r"\s", sheets[path][-2]), sheets[path][-2]
    with bs.open_page(browser, served + "areas/border-security/") as session:
        assert "Online version" not in session.page.inner_text("body")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_short_pages_footer_stands_at_the_windows_foot(width: int, served: str, browser: Any) -> None:
    """On a page shorter than the window (a partner's, the search page before a search) the
    footer ends at the window's foot: a white band showed under it. A long page is as it was."""
    for path in ["partners/interpol/", "search/"]:
        with bs.open_page(browser, served + path, viewport={"width": width, "height": 1100}) as session:
            bottom, height, scroll = session.page.evaluate(
                "() => [document.querySelector('.site-footer').getBoundingClientRect().bottom, innerHeight,"
                " document.documentElement.scrollHeight]")
            assert scroll <= height and abs(bottom - height) < 1, (path, bottom, height, scroll)
    with bs.open_page(browser, served + "timeline/", viewport={"width": width, "height": 1100}) as session:
        bottom, scroll = session.page.evaluate(
            "() => [document.querySelector('.site-footer').getBoundingClientRect().bottom + scrollY,"
            " document.documentElement.scrollHeight]")
        assert abs(bottom - scroll) < 1, (bottom, scroll)


def test_the_filters_line_up(served: str, browser: Any) -> None:
    """The list's filters stand in columns of one width: on a desktop in one row (the year
    had wrapped alone to a second row, beside "Clear filters"), on a phone two to a row
    (ragged rows, each select as wide as its longest option) under the area's, which spans
    both (an area's name is the longest value)."""
    for width, per_row in ((1280, 5), (390, 2)):
        with bs.open_page(browser, served + "activities/", viewport={"width": width, "height": 900}) as session:
            boxes = session.page.locator("#filters label").evaluate_all(
                "ls => ls.map(l => { const r = l.getBoundingClientRect(); return [r.left, r.top, r.width]; })")
        assert len(boxes) == 5, boxes
        spanning = boxes[:1] if width == 390 else []
        rest = boxes[len(spanning):]
        tops = sorted({round(top) for _, top, _ in rest})
        assert len(tops) == -(-len(rest) // per_row), (width, boxes)
        assert max(w for *_, w in rest) - min(w for *_, w in rest) < 1, (width, boxes)
        assert all(w > 1.9 * rest[0][2] and top < min(tops) for _, top, w in spanning), (width, boxes)


def test_no_chart_on_the_dashboard_repeats_the_heading_of_its_section(built: Path) -> None:
    """A chart's title is not the heading of the section it stands in ("Progress by area"
    twice: the section's, and its chart's, on screen and on paper)."""
    html = (built / "index.html").read_text(encoding="utf-8")
    headings = {re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)}
    titles = {re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<figcaption>\s*<h3[^>]*>(.*?)</h3>", html, re.S)}
    assert len(titles) >= 3 and "Progress by area" in headings, (headings, titles)
    assert not headings & titles, headings & titles
