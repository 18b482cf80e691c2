"""Maps without a tile server (#18): the countries page, each area page and each reporting
round draw a choropleth of activities per country as a static SVG (sitegen/maps.py).

What a reader must get: every country with activities drawn (a shape, or a circle where
1:110m has none or too small a one) and named with its figure, which the table beside the
map also holds; Malta, Liechtenstein and Kosovo visible; links that reach the country
pages under a sub-path; a map in the HTML (no script needed); no accessibility violation;
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
# a country of the map: a link (or, without a page, a group), its name and what draws it
COUNTRY = re.compile(r'<(a|g) (?:href="([^"]*)" )?(?:role="img" )?aria-label="([^"]*)" data-country="([A-Z]{2})">'
                     r"<title>[^<]*</title>(.*?)</\1>", re.S)
ROW = re.compile(r'<tr data-country="([A-Z]{2})">.*?</tr>', re.S)
# the figure at the end of a country's name on the map: "Austria: 17 activities"
FIGURE = re.compile(r": ([\d,]+) activit(?:y|ies)$")


def _build(site: Path, out: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr


def _map(page: Path) -> dict[str, tuple[str | None, int, str]]:
    """The countries of a page's map: code -> (link, figure, SVG that draws it)."""
    text = page.read_text(encoding="utf-8")
    svgs = SVG.findall(text)
    assert len(svgs) == 1, f"{page}: {len(svgs)} maps"
    found = {}
    for _tag, href, label, code, drawn in COUNTRY.findall(svgs[0]):
        figure = FIGURE.search(html.unescape(label))
        assert figure, label
        found[code] = (href or None, int(figure.group(1).replace(",", "")), drawn)
    return found


def _rows(page: Path) -> dict[str, int]:
    """The table beside the map: code -> the figure in its last cell."""
    out = {}
    for row in ROW.finditer(page.read_text(encoding="utf-8")):
        cells = re.findall(r"<td>([^<]*)</td>", row.group(0))
        out[row.group(1)] = int(cells[-1].replace(",", ""))
    return out


def _counts(records: list[dict[str, Any]]) -> Counter[str]:
    """Activities per country, counted again from activities.json: its countries and the
    country of its location, each once."""
    counts: Counter[str] = Counter()
    for r in records:
        where = (r["location"] or {}).get("country")
        counts.update(set(r["countries"]) | ({where} if where else set()))
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


def test_every_country_with_activities_is_on_the_countries_map_with_its_figure(example: Path) -> None:
    records = json.loads((example / "data/activities.json").read_text(encoding="utf-8"))
    counts = _counts(records)
    drawn = _map(example / "countries/index.html")
    assert set(drawn) == set(counts) and len(counts) > 40
    for code, (href, figure, svg) in drawn.items():
        assert figure == counts[code], code
        assert "<path" in svg or "<circle" in svg, code
        assert href == f"../countries/{code.lower()}/"
    # the table alternative holds every country and the same figure
    assert _rows(example / "countries/index.html") == dict(counts)


def test_each_area_page_maps_its_own_activities(example: Path) -> None:
    records = json.loads((example / "data/activities.json").read_text(encoding="utf-8"))
    areas = sorted({a for r in records for a in ([r["area"]] if isinstance(r["area"], str) else r["area"])})
    assert len(areas) >= 5
    for area in areas:
        mine = [r for r in records if area in ([r["area"]] if isinstance(r["area"], str) else r["area"])]
        counts = _counts(mine)
        page = example / "areas" / area / "index.html"
        drawn = _map(page)
        assert {c: f for c, (_h, f, _s) in drawn.items()} == dict(counts), area
        assert _rows(page) == dict(counts), area


def test_each_reporting_round_maps_the_activities_of_its_period(example: Path) -> None:
    rounds = sorted((example / "data/reports").glob("*.json"))
    assert rounds
    for path in rounds:
        data = json.loads(path.read_text(encoding="utf-8"))
        page = example / "reports" / data["id"] / "index.html"
        text = page.read_text(encoding="utf-8")
        # the activities of the period: the annex's two tables
        annex = text[text.index('id="report-annex-title"'):]
        ids = re.findall(r'<tr data-activity="([^"]+)">', annex)
        records = {r["id"]: r for r in json.loads((example / "data/activities.json").read_text(encoding="utf-8"))}
        counts = _counts([records[i] for i in ids if i in records])
        if not counts:
            assert not SVG.search(text)
            continue
        assert {c: f for c, (_h, f, _s) in _map(page).items()} == dict(counts), data["id"]


def test_every_link_of_the_maps_reaches_a_country_page(example: Path) -> None:
    pages = [example / "countries/index.html", *sorted((example / "areas").glob("*/index.html")),
             *sorted((example / "reports").glob("*/index.html"))]
    seen = 0
    for page in pages:
        if not SVG.search(page.read_text(encoding="utf-8")):
            continue
        for code, (href, _f, _s) in _map(page).items():
            assert href, (page, code)
            target = (page.parent / href / "index.html").resolve()
            assert target == (example / "countries" / code.lower() / "index.html").resolve() and target.is_file()
            seen += 1
    assert seen > 100


def test_the_map_is_light_and_needs_no_script(example: Path) -> None:
    """≤ 150 KB compressed (the issue's budget); no script, no request of its own."""
    for page in (example / "countries/index.html", example / "areas/firearms/index.html"):
        svg = SVG.search(page.read_text(encoding="utf-8"))
        assert svg
        assert len(gzip.compress(svg.group(0).encode("utf-8"), 9)) < 150_000
        assert "<script" not in svg.group(0) and "http" not in svg.group(0).replace("http://www.w3.org", "")


def test_the_legend_covers_every_figure() -> None:
    values = {"AT": 1, "DE": 2, "FR": 3, "IT": 7, "ES": 8, "PT": 20, "RS": 21, "MT": 150}
    made = maps.choropleth(values, COUNTRIES, lambda c, n: f"{c}: {n}", lambda c: f"x/{c}/", "Map")
    assert made is not None
    classes = made.classes
    assert 1 < len(classes) <= 5 and classes[0][1] == 1 and classes[-1][2] == 150
    assert all(a[2] + 1 == b[1] for a, b in zip(classes, classes[1:]))  # no gap, no overlap
    colours = {c: re.search(r'fill="(#[0-9a-f]{6})"', svg).group(1)  # type: ignore[union-attr]
               for _t, _h, _l, c, svg in COUNTRY.findall(made.svg)}
    for code, n in values.items():
        assert colours[code] == next(col for col, lo, hi in classes if lo <= n <= hi)
    assert maps.choropleth({}, COUNTRIES, str, str, "Map") is None


def test_the_same_figures_give_the_same_map() -> None:
    values = {"AT": 3, "KZ": 5, "US": 1, "MT": 2, "XK": 4}
    def draw(vals: dict[str, int]) -> str:
        made = maps.choropleth(vals, COUNTRIES, lambda c, n: f"{c}: {n}", lambda c: f"x/{c}/", "Map")
        assert made is not None
        return str(made.svg)
    first = draw(values)
    maps._layout.cache_clear()
    assert draw(dict(reversed(list(values.items())))) == first


def test_the_shipped_shapes_cover_every_country_code() -> None:
    world = maps.world()
    assert set(world.points) == set(COUNTRIES)
    assert "XK" in world.shapes and "MT" not in world.shapes and "LI" not in world.shapes
    about = json.loads(maps.DATA.read_text(encoding="utf-8"))["about"]
    assert "Natural Earth" in about and "world-atlas" in about


# -- small states, far countries, and the browser -----------------------------------


def test_malta_liechtenstein_and_kosovo_are_drawn(small_states: Path) -> None:
    drawn = _map(small_states / "countries/index.html")
    assert "<circle" in drawn["MT"][2] and "<circle" in drawn["LI"][2]
    assert "<path" in drawn["XK"][2]
    assert {code: f for code, (_h, f, _s) in drawn.items()} == _rows(small_states / "countries/index.html")
    assert drawn["XK"][1] == 1 and drawn["MT"][1] == 1 and drawn["AT"][1] == 2  # (the baseline's course, and Vaduz)


def _boxes(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => {
      const svg = document.querySelector('svg.map-svg').getBoundingClientRect();
      const out = {svg: [svg.left, svg.top, svg.right, svg.bottom]};
      for (const el of document.querySelectorAll('svg.map-svg [data-country]')) {
        const r = el.getBoundingClientRect();
        out[el.dataset.country] = [r.left, r.top, r.right, r.bottom];
      }
      return out;
    }""")


def _visible(box: list[float], svg: list[float]) -> bool:
    left, top, right, bottom = box
    return (right - left > 1 and bottom - top > 1 and left >= svg[0] - 1 and top >= svg[1] - 1
            and left < svg[2] and top < svg[3])


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


def test_without_javascript_the_map_is_there(browser: Any, served: tuple[str, str]) -> None:
    ex, _ = served
    with bs.open_page(browser, ex + "countries/", java_script_enabled=False) as s:
        boxes = _boxes(s.page)
        svg = boxes.pop("svg")
        assert len(boxes) > 40 and all(_visible(b, svg) for b in boxes.values())


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


@pytest.mark.parametrize("path", ["countries/", "areas/firearms/", "reports/2019/"])
def test_axe_finds_nothing_on_the_pages_with_maps(browser: Any, served: tuple[str, str], path: str) -> None:
    ex, _ = served
    with bs.open_page(browser, ex + path) as s:
        assert s.status == 200
        violations = bs.run_axe(s.page)
        assert not violations, bs.format_violations(violations)


def test_a_country_without_a_page_is_drawn_but_not_linked() -> None:
    """(A round read from git may name a country that no current record names.)"""
    assert maps.activity_map([], Words(), "../", "Map", set()) is None
    drawn = maps.choropleth({"AT": 2, "FR": 1}, COUNTRIES, lambda c, n: f"{c}: {n}",
                            lambda c: "../countries/at/" if c == "AT" else None, "Map")
    assert drawn is not None
    found = {code: (tag, href) for tag, href, _l, code, _s in COUNTRY.findall(drawn.svg)}
    assert found == {"AT": ("a", "../countries/at/"), "FR": ("g", "")}
    assert [r[3] for r in drawn.rows] == ["../countries/at/", None]


def test_urls_are_relative_so_a_sub_path_works(small_states: Path) -> None:
    text = (small_states / "areas/firearms/index.html").read_text(encoding="utf-8")
    for href in re.findall(r'href="([^"]*)"', SVG.search(text).group(0)):  # type: ignore[union-attr]
        assert not urllib.parse.urlsplit(href).scheme and not href.startswith("/")

