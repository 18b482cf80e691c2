"""Maps without a tile server (#18): the countries page, each area page and each reporting
round draw a choropleth of activities per country and one of their participants per
country, each as a static SVG (sitegen/maps.py), with a switch between them that needs no
script.

What a reader must get: every country with activities drawn (a shape, or a circle where
1:110m has none or too small a one) and named with its figure, which the table beside the
map also holds; the participants of each country's activities (an activity in several
countries counts in each, and the page says so); Malta, Liechtenstein and Kosovo visible;
links that reach the country pages under a sub-path, taken by the keyboard in the order
of the country names; a map in the HTML (no script needed); no accessibility violation;
the same bytes for the same records; and a small page weight.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import subprocess
import sys
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen import maps
from sitegen.countries import COUNTRIES
from sitegen.i18n import Words
from tests import browser_support as bs
from tests.sitekit import front, make_site

SVG = re.compile(r'<svg class="map-svg".*?</svg>', re.S)
# a country of the map's link layer: a link (or, without a page, a group), its name, and
# the <use>s of its painted shape and circle
COUNTRY = re.compile(r'<(a|g) (?:href="([^"]*)" )?(?:role="img" )?aria-label="([^"]*)" data-country="([A-Z]{2})">'
                     r"(.*?)</\1>", re.S)
# a painted shape or circle of the paint layer, by id
PAINTED = re.compile(r'<(path|circle) id="([^"]+)"[^>]*>')
ROW = re.compile(r'<tr data-country="([A-Z]{2})">.*?</tr>', re.S)
# the figure at the end of a country's name on the map: "Austria: 17 activities", "Austria: 420 participants"
FIGURE = re.compile(r": ([\d,]+) (?:activit(?:y|ies)|participants?)$")
MAPS = {"activities": "map-a", "participants": "map-p"}


def _build(site: Path, out: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr


def _figure(page: Path, which: str) -> str:
    """The HTML of one of a page's two maps (its figure: map, legend, note, table)."""
    text = page.read_text(encoding="utf-8")
    found = re.search(rf'<figure class="map" id="{MAPS[which]}".*?</figure>', text, re.S)
    assert found, (page, which)
    return found.group(0)


def _drawn(svg: str) -> dict[str, tuple[str | None, str, str]]:
    """The countries of a map's SVG: code -> (link, name, what paints it: its painted
    shapes and circles, as the link layer's <use>s name them)."""
    painted = {ident: tag for tag, ident in ((m.group(0), m.group(2)) for m in PAINTED.finditer(svg))}
    found = {}
    for _tag, href, label, code, uses in COUNTRY.findall(svg):
        refs = re.findall(r'<use href="#([^"]+)"/>', uses)
        assert refs and all(r in painted for r in refs), (code, uses)
        found[code] = (href or None, html.unescape(label), "".join(painted[r] for r in refs))
    return found


def _map(page: Path, which: str = "activities") -> dict[str, tuple[str | None, int, str]]:
    """The countries of one of a page's maps: code -> (link, figure, SVG that paints it)."""
    svgs = SVG.findall(_figure(page, which))
    assert len(svgs) == 1, f"{page}: {len(svgs)} maps"
    found = {}
    for code, (href, label, drawn) in _drawn(svgs[0]).items():
        figure = FIGURE.search(label)
        assert figure, label
        found[code] = (href, int(figure.group(1).replace(",", "")), drawn)
    return found


def _cells(text: str) -> dict[str, list[str]]:
    """The rows of the tables in `text`: code -> the texts of its cells."""
    return {row.group(1): re.findall(r"<td(?: class=\"num\")?>([^<]*)</td>", row.group(0)) for row in ROW.finditer(text)}


def _rows(page: Path) -> dict[str, int]:
    """The table beside the activities map (the map's own, or the countries page's): code
    -> the activities in its last cell."""
    text = page.read_text(encoding="utf-8")
    own = re.search(r'<figure class="map" id="map-a".*?</figure>', text, re.S)
    if own and "<table" in own.group(0):
        return {code: int(cells[-1].replace(",", "")) for code, cells in _cells(own.group(0)).items()}
    # (the countries page shows its own table, not the map's: code, activities, participants)
    table = text[text.index('id="countries-table"'):]
    return {row.group(1): int(re.findall(r'<td class="num">([\d,]+)</td>', row.group(0))[0].replace(",", ""))
            for row in ROW.finditer(table)}


def _counts(records: list[dict[str, Any]]) -> Counter[str]:
    """Activities per country, counted again from activities.json: its countries and the
    country of its location, each once."""
    counts: Counter[str] = Counter()
    for r in records:
        where = (r["location"] or {}).get("country")
        counts.update(set(r["countries"]) | ({where} if where else set()))
    return counts


def _people(records: list[dict[str, Any]]) -> Counter[str]:
    """Participants per country, counted again from activities.json: each activity's whole
    total in each of its countries (a number, or a mapping's total)."""
    counts: Counter[str] = Counter()
    for r in records:
        p = r["participants"]
        if p is None:
            continue
        total = p if isinstance(p, int) else p["total"]
        where = (r["location"] or {}).get("country")
        for code in set(r["countries"]) | ({where} if where else set()):
            counts[code] += total
    return counts


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bs.build_example(tmp_path_factory.mktemp("maps") / "out")


SMALL_STATES = {
    "content/activities/valletta.md": front("""
        title: Maritime workshop in Valletta
        area: border-security
        status: completed
        start: 2019-05-06
        type: workshop
        location: {city: Valletta, country: MT}
        countries: [MT, IT]
        """),
    "content/activities/vaduz.md": front("""
        title: Meeting in Vaduz
        area: firearms
        status: completed
        start: 2019-06-03
        type: meeting
        location: {city: Vaduz, country: LI}
        countries: [LI, CH, AT]
        """),
    "content/activities/pristina.md": front("""
        title: Course in Pristina
        area: firearms
        status: completed
        start: 2019-07-01
        type: training-course
        location: {city: Pristina, country: XK}
        countries: [XK]
        """),
    "content/activities/washington.md": front("""
        title: Visit to Washington
        area: firearms
        status: completed
        start: 2019-08-01
        type: meeting
        countries: [US]
        """),
}


@pytest.fixture(scope="module")
def small_states(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site with activities in Malta, Liechtenstein, Kosovo, their neighbours and the
    United States, built."""
    root = tmp_path_factory.mktemp("small")
    site = make_site(root / "site", SMALL_STATES)
    _build(site, root / "out")
    return root / "out"


# -- the example --------------------------------------------------------------------


def _records(example: Path) -> list[dict[str, Any]]:
    return json.loads((example / "data/activities.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _counted(example: Path) -> list[dict[str, Any]]:
    """The records the maps and country pages count: all but the cancelled ones (as the
    dashboard counts; a country page said "3 of them held there" of Minsk's two cancelled)."""
    return [r for r in _records(example) if r["status"] != "cancelled"]


def test_every_country_with_activities_is_on_the_countries_map_with_its_figure(example: Path) -> None:
    counts = _counts(_counted(example))
    drawn = _map(example / "countries/index.html")
    assert set(drawn) == set(counts) and len(counts) > 40
    for code, (href, figure, svg) in drawn.items():
        assert figure == counts[code], code
        assert "<path" in svg or "<circle" in svg, code
        assert href == f"../countries/{code.lower()}/"
    # the table alternative holds every country and the same figure
    assert _rows(example / "countries/index.html") == dict(counts)


def test_the_countries_page_maps_the_participants_of_each_countrys_activities(example: Path) -> None:
    """Each country: the participants of every activity involving it, in full (an activity
    in several countries counts in each), on the map, in its table and in the note."""
    records = _counted(example)
    people = _people(records)
    page = example / "countries/index.html"
    drawn = _map(page, "participants")
    assert {c: f for c, (_h, f, _s) in drawn.items()} == {c: n for c, n in people.items() if n > 0}
    assert len(drawn) > 30 and people["AT"] > 100
    for code, (href, _f, svg) in drawn.items():
        assert href == f"../countries/{code.lower()}/" and ("<path" in svg or "<circle" in svg), code
    # the table alternative: every country with activities, its participants (a dash for
    # none recorded) and its activities
    figure = _figure(page, "participants")
    cells = _cells(figure)
    counts = _counts(records)
    assert set(cells) == set(counts)
    for code, (participants, activities) in cells.items():
        assert participants == (f"{people[code]:,}" if code in people else "–"), code
        assert int(activities) == counts[code], code
    assert "<th scope=\"col\" class=\"num\">Participants</th><th scope=\"col\" class=\"num\">Activities</th>" in figure
    # and the countries page's own table has them beside the activities (on paper, where the
    # map's table is not, and on a phone without the ISO code)
    table = page.read_text(encoding="utf-8")
    table = table[table.index('id="countries-table"'):table.index("</table>", table.index('id="countries-table"'))]
    own = {row.group(1): re.findall(r'<td class="num">(.*?)</td>', row.group(0)) for row in ROW.finditer(table)}
    assert set(own) == set(counts)
    for code, (activities, participants) in own.items():
        assert int(activities) == counts[code], code
        assert participants == (f"{people[code]:,}" if code in people else
                                '<span aria-hidden="true">–</span><span class="visually-hidden">not given</span>'), code
    # the note: why the figures overlap, with the true total (each activity once)
    total = sum(p if isinstance(p, int) else p["total"] for p in (r["participants"] for r in records) if p)
    note = re.search(r'<p class="map-note">([^<]*)</p>', figure)
    assert note and "in each of them" in note.group(1) and f"more than the {total:,} participants" in note.group(1)
    assert sum(people.values()) > total
    # ... and the part of it in completed activities, the dashboard's figure (an activity
    # under way records some: a reader saw 3,523 here and 3,508 there)
    done = sum(p if isinstance(p, int) else p["total"]
               for p in (r["participants"] for r in records if r["status"] == "completed") if p)
    assert done < total and f"({done:,} of them in completed activities)" in note.group(1)
    dashboard = (example / "index.html").read_text(encoding="utf-8")
    assert f"{done:,} participants in completed activities" in re.sub(r"<[^>]+>", "", dashboard)
    # the legend of its own
    assert "No participants recorded" in figure and "No activities" not in figure


def test_each_area_page_maps_its_own_activities(example: Path) -> None:
    records = _counted(example)
    areas = sorted({a for r in records for a in ([r["area"]] if isinstance(r["area"], str) else r["area"])})
    assert len(areas) >= 5
    for area in areas:
        mine = [r for r in records if area in ([r["area"]] if isinstance(r["area"], str) else r["area"])]
        counts = _counts(mine)
        page = example / "areas" / area / "index.html"
        drawn = _map(page)
        assert {c: f for c, (_h, f, _s) in drawn.items()} == dict(counts), area
        assert _rows(page) == dict(counts), area
        people = {c: n for c, n in _people(mine).items() if n > 0}
        assert {c: f for c, (_h, f, _s) in _map(page, "participants").items()} == people, area


def test_each_reporting_round_maps_the_activities_of_its_period(example: Path) -> None:
    rounds = sorted((example / "data/reports").glob("*.json"))
    assert rounds
    records = {r["id"]: r for r in _records(example)}
    for path in rounds:
        data = json.loads(path.read_text(encoding="utf-8"))
        page = example / "reports" / data["id"] / "index.html"
        text = page.read_text(encoding="utf-8")
        # the activities of the period: the annex's two tables
        annex = text[text.index('id="report-annex-title"'):]
        ids = re.findall(r'<tr data-activity="([^"]+)">', annex)
        mine = [records[i] for i in ids if i in records]
        counts = _counts(mine)
        if not counts:
            assert not SVG.search(text)
            continue
        assert {c: f for c, (_h, f, _s) in _map(page).items()} == dict(counts), data["id"]
        people = {c: n for c, n in _people(mine).items() if n > 0}
        assert {c: f for c, (_h, f, _s) in _map(page, "participants").items()} == people, data["id"]


def test_every_link_of_the_maps_reaches_a_country_page(example: Path) -> None:
    pages = [example / "countries/index.html", *sorted((example / "areas").glob("*/index.html")),
             *sorted((example / "reports").glob("*/index.html"))]
    seen = 0
    for page in pages:
        if not SVG.search(page.read_text(encoding="utf-8")):
            continue
        for which in MAPS:
            for code, (href, _f, _s) in _map(page, which).items():
                assert href, (page, code)
                target = (page.parent / href / "index.html").resolve()
                assert target == (example / "countries" / code.lower() / "index.html").resolve() and target.is_file()
                seen += 1
    assert seen > 200


def test_the_maps_are_light_and_need_no_script(example: Path) -> None:
    """Both maps together add ≤ 150 KB compressed to a page (the issue's budget); no
    script, no request of their own."""
    for page in (example / "countries/index.html", example / "areas/firearms/index.html"):
        text = page.read_text(encoding="utf-8")
        maps_html = re.search(r'<div class="maps".*?</figure>\n</div>', text, re.S)
        assert maps_html and len(SVG.findall(maps_html.group(0))) == 2
        added = len(gzip.compress(text.encode("utf-8"), 9)) - len(
            gzip.compress(text.replace(maps_html.group(0), "").encode("utf-8"), 9))
        assert 0 < added < 150_000
        assert "<script" not in maps_html.group(0)
        assert "http" not in maps_html.group(0).replace("http://www.w3.org", "")


def test_the_legend_covers_every_figure() -> None:
    values = {"AT": 1, "DE": 2, "FR": 3, "IT": 7, "ES": 8, "PT": 20, "RS": 21, "MT": 150}
    made = maps.choropleth(values, COUNTRIES, lambda c, n: f"{c}: {n}", lambda c: f"x/{c}/", "Map")
    assert made is not None
    classes = made.classes
    assert 1 < len(classes) <= 5 and classes[0][1] == 1 and classes[-1][2] == 150
    assert all(a[2] + 1 == b[1] for a, b in zip(classes, classes[1:]))  # no gap, no overlap
    colours = {c: re.search(r'fill="(#[0-9a-f]{6})"', svg).group(1)  # type: ignore[union-attr]
               for c, (_h, _l, svg) in _drawn(made.svg).items()}
    for code, n in values.items():
        assert colours[code] == next(col for col, lo, hi in classes if lo <= n <= hi)
    assert maps.choropleth({}, COUNTRIES, lambda c, n: c, lambda c: None, "Map") is None


def test_a_country_within_the_layout_but_without_a_figure_is_plain_land() -> None:
    """(The participants map is laid out for the countries with activities: a country
    whose activities record no participants is land there, neither link nor figure.)"""
    values = {"AT": 3, "KZ": 5}
    within = ["AT", "KZ", "US", "MT"]
    made = maps.choropleth(values, COUNTRIES, lambda c, n: f"{c}: {n}", lambda c: f"x/{c}/", "Map", within=within)
    alone = maps.choropleth(values, COUNTRIES, lambda c, n: f"{c}: {n}", lambda c: f"x/{c}/", "Map")
    assert made is not None and alone is not None
    assert set(_drawn(made.svg)) == {"AT", "KZ"}
    # the same frame as the map of all four (the United States in its inset makes it taller)
    full = maps.choropleth(dict.fromkeys(within, 1), COUNTRIES, lambda c, n: c, lambda c: None, "Map")
    assert full is not None
    size = re.compile(r'viewBox="([^"]+)"')
    assert size.search(made.svg).group(1) == size.search(full.svg).group(1)  # type: ignore[union-attr]
    assert size.search(alone.svg).group(1) != size.search(full.svg).group(1)  # type: ignore[union-attr]


def test_the_same_figures_give_the_same_map() -> None:
    values = {"AT": 3, "KZ": 5, "US": 1, "MT": 2, "XK": 4}
    def draw(vals: dict[str, int]) -> str:
        made = maps.choropleth(vals, COUNTRIES, lambda c, n: f"{c}: {n}", lambda c: f"x/{c}/", "Map")
        assert made is not None
        return str(made.svg)
    first = draw(values)
    maps._LAYOUTS.clear()
    assert draw(dict(reversed(list(values.items())))) == first


def test_the_shipped_shapes_cover_every_country_code() -> None:
    world = maps.world()
    assert set(world.points) == set(COUNTRIES)
    assert "XK" in world.shapes and "MT" not in world.shapes and "LI" not in world.shapes
    about = json.loads(maps.DATA.read_text(encoding="utf-8"))["about"]
    assert "Natural Earth" in about and "world-atlas" in about


def _inside(point: tuple[float, float], ring: tuple[tuple[float, float], ...]) -> bool:
    """Whether a point is inside a ring (even-odd rule)."""
    x, y = point
    found = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            found = not found
    return found


def test_crimea_is_drawn_in_ukraine() -> None:
    """As ISO 3166 and the UN count it (Natural Earth's "de facto" view draws it in Russia):
    Simferopol, Sevastopol and Dzhankoy are in Ukraine's shape, in one outline with the mainland
    (no border across the isthmus), and in none of Russia's polygons."""
    world = maps.world()
    cities = {"Simferopol": (34.10, 44.95), "Sevastopol": (33.52, 44.60), "Dzhankoy": (34.40, 45.71)}
    ukraine, russia = world.shapes["UA"], world.shapes["RU"]
    for name, point in cities.items():
        assert any(_inside(point, polygon[0]) for polygon in ukraine), name
        assert not any(_inside(point, polygon[0]) for polygon in russia), name
    assert len(ukraine) == 1  # (the peninsula joined to the mainland's outline)
    assert _inside((30.52, 50.45), ukraine[0][0])  # Kyiv
    assert any(_inside((37.62, 55.75), polygon[0]) for polygon in russia)  # Moscow


def test_country_names_are_ordered_as_a_reader_looks_them_up() -> None:
    names = ["Zambia", "Österreich", "Émirats arabes unis", "Estonia", "Oman", "åland"]
    assert sorted(names, key=maps.name_order) == ["åland", "Émirats arabes unis", "Estonia", "Oman",
                                                  "Österreich", "Zambia"]


# -- small states, far countries, and the browser -----------------------------------


def test_malta_liechtenstein_and_kosovo_are_drawn(small_states: Path) -> None:
    drawn = _map(small_states / "countries/index.html")
    assert "<circle" in drawn["MT"][2] and "<circle" in drawn["LI"][2]
    assert "<path" in drawn["XK"][2]
    assert {code: f for code, (_h, f, _s) in drawn.items()} == _rows(small_states / "countries/index.html")
    assert drawn["XK"][1] == 1 and drawn["MT"][1] == 1 and drawn["AT"][1] == 2  # (the baseline's course, and Vaduz)


def test_the_small_site_counts_a_shared_activitys_participants_in_each_country(small_states: Path) -> None:
    """The baseline's course (Austria and Germany, 20 participants) counts 20 in each; the
    workshop in Serbia its 15; Malta's workshop records none, so Malta is no figure there."""
    page = small_states / "countries/index.html"
    assert {c: f for c, (_h, f, _s) in _map(page, "participants").items()} == {"AT": 20, "DE": 20, "RS": 15}
    figure = _figure(page, "participants")
    assert _cells(figure)["MT"] == ["–", "1"] and _cells(figure)["AT"] == ["20", "2"]
    assert "more than the 35 participants of these activities" in figure


def _boxes(page: Any, which: str = "activities") -> dict[str, Any]:
    """The boxes on the screen of a map's SVG and of each of its countries' links."""
    boxes: dict[str, Any] = page.evaluate("""(id) => {
      const svg = document.querySelector('#' + id + ' svg.map-svg').getBoundingClientRect();
      const out = {svg: [svg.left, svg.top, svg.right, svg.bottom]};
      for (const el of document.querySelectorAll('#' + id + ' svg.map-svg [data-country]')) {
        const r = el.getBoundingClientRect();
        out[el.dataset.country] = [r.left, r.top, r.right, r.bottom];
      }
      return out;
    }""", MAPS[which])
    return boxes


def _visible(box: list[float], svg: list[float]) -> bool:
    """Whether a country's box has a size and starts inside the map (within 3 px: shapes
    are clipped 2 units outside a frame, which the SVG's edge hides)."""
    left, top, right, bottom = box
    return (right - left > 1 and bottom - top > 1 and left >= svg[0] - 3 and top >= svg[1] - 3
            and left < svg[2] and top < svg[3])


def _shown(page: Any, selector: str) -> bool:
    """Whether an element takes room on the page (not display: none, itself or above)."""
    return bool(page.evaluate("(s) => { const r = document.querySelector(s).getBoundingClientRect(); "
                              "return r.width > 0 && r.height > 0; }", selector))


@pytest.fixture(scope="module")
def served(small_states: Path, example: Path) -> Iterator[tuple[str, str]]:
    """Both sites served under a sub-path."""
    with bs.serve_directory(example, "/progress/") as ex, bs.serve_directory(small_states, "/sub/site/") as small:
        yield ex, small


@pytest.mark.parametrize("width", [390, 1280])
def test_in_chromium_every_country_is_drawn_inside_the_map(browser: Any, served: tuple[str, str], width: int) -> None:
    ex, small = served
    for base, path in ((ex, "countries/"), (ex, "areas/firearms/"), (small, "countries/")):
        with bs.open_page(browser, base + path, viewport={"width": width, "height": 900}) as s:
            assert s.status == 200
            boxes = _boxes(s.page)
            svg = boxes.pop("svg")
            assert boxes
            for code, box in boxes.items():
                assert _visible(box, svg), (path, code, box, svg)
            assert not s.external_requests
    # Malta, Liechtenstein and Kosovo among them, and the United States in its inset
    with bs.open_page(browser, small + "countries/", viewport={"width": width, "height": 900}) as s:
        assert {"MT", "LI", "XK", "US", "AT"} <= set(_boxes(s.page))


@pytest.mark.parametrize("width", [390, 1280])
def test_in_chromium_the_switch_shows_the_participants_map_and_its_legend(browser: Any, served: tuple[str, str],
                                                                          width: int) -> None:
    ex, _ = served
    for path in ("countries/", "areas/firearms/", "reports/2019/"):
        with bs.open_page(browser, ex + path, viewport={"width": width, "height": 900}) as s:
            page = s.page
            # first the activities, the participants' map out of the way
            assert _shown(page, "#map-a svg") and not _shown(page, "#map-p svg")
            page.get_by_label("Participants", exact=True).check()
            assert not _shown(page, "#map-a svg") and _shown(page, "#map-p svg")
            for part in ("#map-p .map-legend", "#map-p .map-note", "#map-p .map-data summary"):
                assert _shown(page, part), (path, part)
            boxes = _boxes(page, "participants")
            svg = boxes.pop("svg")
            assert len(boxes) > 5 and all(_visible(b, svg) for b in boxes.values()), path
            legend = page.locator("#map-p .map-legend").inner_text()
            assert "No participants recorded" in legend and re.search(r"\d", legend)
            # the legend and the note fit the page's width
            right = page.evaluate("() => Math.max(...[...document.querySelectorAll('#map-p .map-legend li, "
                                  "#map-p .map-note, .map-views label')].map(e => e.getBoundingClientRect().right))")
            assert right <= width, (path, right)
            page.get_by_label("Activities", exact=True).check()
            assert _shown(page, "#map-a svg") and not _shown(page, "#map-p svg")


def test_without_javascript_the_maps_are_there_and_on_paper_both(browser: Any, served: tuple[str, str]) -> None:
    ex, _ = served
    with bs.open_page(browser, ex + "countries/", java_script_enabled=False) as s:
        boxes = _boxes(s.page)
        svg = boxes.pop("svg")
        assert len(boxes) > 40 and all(_visible(b, svg) for b in boxes.values())
        s.page.get_by_label("Participants", exact=True).check()
        assert _shown(s.page, "#map-p svg") and not _shown(s.page, "#map-a svg")
        s.page.emulate_media(media="print")
        assert _shown(s.page, "#map-a svg") and _shown(s.page, "#map-p svg") and not _shown(s.page, ".map-views")


def test_a_country_link_takes_the_keyboard_and_leads_to_its_page(browser: Any, served: tuple[str, str]) -> None:
    _, small = served
    with bs.open_page(browser, small + "countries/") as s:
        page = s.page
        page.focus('svg.map-svg a[data-country="MT"]')
        assert page.evaluate("() => document.activeElement.dataset.country") == "MT"
        name = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
        assert name == "Malta: 1 activity"
        page.keyboard.press("Enter")
        page.wait_for_url("**/sub/site/countries/mt/")
        assert page.locator("h1").inner_text() == "Malta"


def test_the_keyboard_goes_through_the_countries_in_the_order_of_their_names(browser: Any,
                                                                           served: tuple[str, str]) -> None:
    """From the switch, Tab walks the shown map's countries as the table lists them (by
    name: Austria, Georgia, Germany...; not by code: AT, CH, DE...), each outlined on top."""
    _, small = served
    with bs.open_page(browser, small + "countries/") as s:
        page = s.page
        expected = page.evaluate("() => [...document.querySelectorAll('#countries-table tr[data-country]')]"
                                 ".map(r => r.dataset.country)")
        assert expected[:3] == ["AT", "GE", "DE"] and expected != sorted(expected)
        for which, radio in (("activities", "#map-view-activities"), ("participants", "#map-view-participants")):
            page.focus(radio)
            page.keyboard.press("Space")
            seen = []
            for _ in range(len(expected) + 1):
                page.keyboard.press("Tab")
                code = page.evaluate("() => document.activeElement.closest('svg') ? "
                                     "document.activeElement.dataset.country : null")
                if code is None:
                    break
                seen.append(code)
                # the focused country is drawn on top, outlined
                opacity = page.evaluate("() => getComputedStyle(document.activeElement.querySelector('use')).opacity")
                assert opacity == "1", code
            if which == "activities":
                assert seen == expected
            else:  # the countries whose activities record participants, in the same order
                assert seen == [c for c in expected if c in {"AT", "DE", "RS"}]


@pytest.mark.parametrize("path", ["countries/", "areas/firearms/", "reports/2019/"])
def test_axe_finds_nothing_on_the_pages_with_maps(browser: Any, served: tuple[str, str], path: str) -> None:
    ex, _ = served
    with bs.open_page(browser, ex + path) as s:
        assert s.status == 200
        violations = bs.run_axe(s.page)
        assert not violations, bs.format_violations(violations)
        s.page.get_by_label("Participants", exact=True).check()
        s.page.locator("#map-p .map-data summary").click()
        violations = bs.run_axe(s.page)
        assert not violations, bs.format_violations(violations)


def test_a_country_without_a_page_is_drawn_but_not_linked() -> None:
    """(A round read from git may name a country that no current record names.)"""
    assert maps.country_maps([], Words(), "../", ("Map", "People"), set()) is None
    drawn = maps.choropleth({"AT": 2, "FR": 1}, COUNTRIES, lambda c, n: f"{c}: {n}",
                            lambda c: "../countries/at/" if c == "AT" else None, "Map")
    assert drawn is not None
    found = {code: (tag, href) for tag, href, _l, code, _s in COUNTRY.findall(drawn.svg)}
    assert found == {"AT": ("a", "../countries/at/"), "FR": ("g", "")}
    assert [r[3] for r in drawn.rows] == ["../countries/at/", None]


def test_urls_are_relative_so_a_sub_path_works(small_states: Path) -> None:
    text = (small_states / "areas/firearms/index.html").read_text(encoding="utf-8")
    for svg in SVG.findall(text):
        for href in re.findall(r'href="([^"#][^"]*)"', svg):
            assert not urllib.parse.urlsplit(href).scheme and not href.startswith("/")


def test_a_build_draws_its_maps_from_the_layouts_the_last_build_kept(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached build keeps the layouts of the maps it drew (.sitegen-cache/maps.pickle): the
    next build, in a new process, takes them instead of laying the world out again, and
    its maps are those an uncached build draws, also after a record names another country."""
    from sitegen.build import build
    from tests.sitekit import snapshot
    site = make_site(tmp_path / "site")
    build(site)
    kept = site / ".sitegen-cache/maps.pickle"
    assert kept.is_file()
    record = site / "content/activities/firearms-workshop.md"
    laid_out: list[tuple[str, ...]] = []
    real = maps._lay_out

    def counted(codes: tuple[str, ...]) -> maps.Layout:
        laid_out.append(codes)
        return real(codes)
    monkeypatch.setattr(maps, "_lay_out", counted)
    # participants (the maps' figures: the same countries), then another country
    for n, (old, new, fresh) in enumerate([("participants: 15", "participants: 16", False),
                                           ("countries: [RS]", "countries: [RS, KZ]", True)]):
        record.write_text(record.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        maps._LAYOUTS.clear()  # (as in a new process: only what the cache kept)
        laid_out.clear()
        build(site)
        assert bool(laid_out) == fresh, laid_out  # (the same countries: every layout from the cache)
        ref = tmp_path / f"ref-{n}"
        build(site, ref, use_cache=False)
        got, want = snapshot(site / "output"), snapshot(ref)
        assert got == want
        assert any("map-svg" in data.decode("utf-8", "replace") for rel, data in got.items() if rel.endswith(".html"))


def test_a_country_page_says_why_its_area_bars_add_up_to_more_than_its_activities(example: Path) -> None:
    """Kyrgyzstan: 18 activities (and 2 cancelled, not counted) in 6 areas, one of them in two
    areas, so the bars add up to 19 (the dashboard's quarter chart says the same of its bars)."""
    page = (example / "countries/kg/index.html").read_text(encoding="utf-8")
    assert "18 activities involve Kyrgyzstan, in 6 areas. An activity in several areas counts once per " \
           "area: the bars add up to 19." in page
    assert "2 cancelled activities are not counted." in page
    single = (example / "countries/mn/index.html").read_text(encoding="utf-8")
    assert "involves Mongolia" in single and "add up to" not in single


def test_each_country_page_says_how_many_of_its_activities_it_holds(example: Path) -> None:
    """"15 activities involve Moldova (MD), 5 of them held there", "..., all of them held
    there", "..., none of them held there", and for one activity "..., held there" or
    "..., held in another country" (it said "1 activity involves Spain (ES); held there: 0",
    and "took place" of activities still to come)."""
    records = _counted(example)
    counts = _counts(records)
    hosted = Counter((r["location"] or {}).get("country") for r in records)
    seen = set()
    for code, n in counts.items():
        page = (example / f"countries/{code.lower()}/index.html").read_text(encoding="utf-8")
        lead = re.search(r"<p>(\d+ activit(?:y involves|ies involve) [^<]+)</p>", page)
        assert lead, code
        said, held = lead.group(1), hosted[code]
        cancelled = sum(1 for r in _records(example) if r["status"] == "cancelled" and
                        code in {*r["countries"], (r["location"] or {}).get("country")})
        note = f" {cancelled} cancelled activit{'y is' if cancelled == 1 else 'ies are'} not counted."
        assert said.endswith(note) == bool(cancelled), (code, said)
        said = said.removesuffix(note) if cancelled else said
        seen.add("cancelled" if cancelled else "")
        if n == 1:
            end = "held there." if held else "held in another country."
        else:
            end = "none of them held there." if not held else "all of them held there." if held == n else \
                f"{held} of them held there."
        assert said.startswith(f"{n} activit") and said.endswith(f"), {end}"), (code, said)
        seen.add(end if n == 1 or end.startswith(("none", "all")) else "some")
    assert {"held there.", "held in another country.", "none of them held there.", "some", "cancelled"} <= seen, seen
    # the countries page says so too, and its table counts as the map does
    page = (example / "countries/index.html").read_text(encoding="utf-8")
    every = sum(1 for r in _records(example) if r["status"] == "cancelled" and (r["countries"] or r["location"]))
    assert f"{len(counts)} countries take part in or host activities of the plan. {every} cancelled activities are " \
           "not counted." in page
