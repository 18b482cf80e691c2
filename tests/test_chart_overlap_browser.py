"""Charts read right at any width, and colours mean one thing (#17).

In Chromium at 390 and 1280 px, on every page of the example that has charts (dashboard,
areas, indicators, every country, timeline, reporting rounds: about 75 pages, all of them,
in one browser with one tab per width), no chart text (tick labels, legend entries, notes,
titles, the numbers over bars) lies outside its chart's SVG or overlaps another text of the
chart by more than 2 px. Texts are measured as the quadrilaterals they cover on screen, so
that slanted tick labels are not taken for their (overlapping) bounding boxes.

Colours: activity statuses have their own scale (charts.STATUS_STYLES), which no area
colour takes, and the status pills of the pages wear the status chart's colours.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen import charts
from tests import browser_support as bs

BASE = "/progress/"
WIDTHS = (390, 1280)
# Each visible text of each chart of the page, measured as the quadrilateral it covers on the
# screen (getBBox through getScreenCTM: a slanted label stays slanted); returns one line per
# text outside its chart's SVG and per pair of texts overlapping by more than TOLERANCE px
# (the depth of overlap along the separating axis where it is least).
TEXT_PROBLEMS = """() => {
    const TOLERANCE = 2;
    const shown = (el, stop) => {
        for (let e = el; e && e !== stop; e = e.parentNode) {
            const cs = getComputedStyle(e);
            if (cs.display === 'none' || cs.visibility === 'hidden' || parseFloat(cs.opacity) === 0) return false;
        }
        return true;
    };
    const corners = (t) => {
        const b = t.getBBox(), m = t.getScreenCTM(), svg = t.ownerSVGElement;
        return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
            .map(([x, y]) => {
                const p = svg.createSVGPoint(); p.x = x; p.y = y;
                const q = p.matrixTransform(m); return [q.x, q.y];
            });
    };
    const depth = (a, b) => {
        let least = Infinity;
        for (const poly of [a, b]) for (let i = 0; i < 4; i++) {
            const [x1, y1] = poly[i], [x2, y2] = poly[(i + 1) % 4];
            const len = Math.hypot(x2 - x1, y2 - y1) || 1, nx = (y1 - y2) / len, ny = (x2 - x1) / len;
            const pa = a.map(([x, y]) => x * nx + y * ny), pb = b.map(([x, y]) => x * nx + y * ny);
            least = Math.min(least, Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb)));
        }
        return least;
    };
    const problems = [];
    let measured = 0;
    for (const plot of document.querySelectorAll('.plot.js-plotly-plot')) {
        const name = (plot.getAttribute('data-figure') || plot.id || '?').replace(/-figure$/, '');
        const box = plot.querySelector('svg.main-svg').getBoundingClientRect();
        const texts = [];
        for (const t of plot.querySelectorAll('svg.main-svg text')) {
            const words = t.textContent.trim();
            if (!words || t.closest('.hoverlayer') || !shown(t, plot) || !t.getBBox().width) continue;
            const quad = corners(t);
            texts.push({words, quad});
            const xs = quad.map(p => p[0]), ys = quad.map(p => p[1]);
            if (Math.min(...xs) < box.left - 1 || Math.max(...xs) > box.right + 1 ||
                Math.min(...ys) < box.top - 1 || Math.max(...ys) > box.bottom + 1)
                problems.push(`${name}: "${words.slice(0, 40)}" outside the chart`);
        }
        measured += texts.length;
        for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
            const d = depth(texts[i].quad, texts[j].quad);
            const [a, b] = [texts[i].words.slice(0, 40), texts[j].words.slice(0, 40)];
            if (d > TOLERANCE) problems.push(`${name}: "${a}" overlaps "${b}" by ${Math.round(d)} px`);
        }
    }
    return {problems, measured};
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bs.build_example(tmp_path_factory.mktemp("overlap") / "output")


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    with bs.serve_directory(built, BASE) as url:
        yield url


def chart_pages(built: Path) -> list[str]:
    """Every page of the site with a chart (its path under the site root), the charts' own
    embed pages aside (they draw the same figures)."""
    found = []
    for html in sorted(built.rglob("index.html")):
        rel = html.relative_to(built).parent.as_posix()
        if rel.split("/")[0] != "embed" and 'class="plot' in html.read_text(encoding="utf-8"):
            found.append("" if rel == "." else rel + "/")
    return found


@pytest.fixture(scope="module")
def tab(browser: Any) -> Iterator[Any]:
    """One tab per width, reused from page to page (the plotly bundle comes from the cache)."""
    contexts: dict[int, Any] = {}

    def open_at(width: int) -> Any:
        if width not in contexts:
            contexts[width] = browser.new_context(viewport={"width": width, "height": 900})
            contexts[width].new_page()
        return contexts[width].pages[0]

    yield open_at
    for context in contexts.values():
        context.close()


WIDER = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_no_page_without_charts_scrolls_sideways(built: Path, served: str, tab: Any) -> None:
    """Every other page of the example (activities, lists, results, tags, free pages...): no
    horizontal overflow at either width (a wide table scrolls inside its own box); the chart
    pages are measured with their charts drawn, below. Each page is loaded once and measured
    at both widths (resized: a page without charts lays out again at once)."""
    charted = set(chart_pages(built))
    pages = []
    for html in sorted(built.rglob("index.html")):
        rel = html.relative_to(built).parent.as_posix()
        path = "" if rel == "." else rel + "/"
        redirect = 'http-equiv="refresh"' in html.read_text(encoding="utf-8")  # (indicators/: to results/)
        if rel.split("/")[0] not in ("embed", "pagefind") and path not in charted and not redirect:
            pages.append(path)
    assert len(pages) > 150  # (173 in the example: activities, lists, results, tags, pages...)
    page = tab(WIDTHS[0])
    wide = []
    for path in pages:
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        page.goto(served + path, wait_until="domcontentloaded")
        for width in WIDTHS:
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": 900})
            wider = page.evaluate(WIDER)
            if wider > 1:
                wide.append(f"/{path} at {width} px: {wider} px")
    assert not wide, "pages wider than the window:\n" + "\n".join(wide[:30])


@pytest.mark.parametrize("width", WIDTHS)
def test_no_chart_text_is_cut_or_covered(width: int, built: Path, served: str, tab: Any) -> None:
    pages = chart_pages(built)
    kinds = {p.split("/")[0] for p in pages}
    assert {"", "areas", "indicators", "countries", "timeline", "reports"} <= kinds, kinds
    page = tab(width)
    problems: list[str] = []
    measured = 0
    for path in pages:
        page.goto(served + path)
        total, drawn = bs.plotly_charts_drawn(page)
        assert total and drawn == total, f"/{path} at {width} px: {drawn} of {total} charts drawn"
        found = page.evaluate(TEXT_PROBLEMS)
        wider = page.evaluate(WIDER)
        if wider > 1:
            problems.append(f"/{path}: the page scrolls sideways by {wider} px")
        measured += found["measured"]
        problems += [f"/{path}: {p}" for p in found["problems"]]
    assert measured > 10 * len(pages)  # (the texts were found: ticks, legends, notes...)
    assert not problems, f"at {width} px:\n" + "\n".join(problems[:30])


def test_the_measure_sees_an_overlap(served: str, tab: Any) -> None:
    """The check finds what it looks for: two notes drawn over each other, two long tick
    labels side by side, and a note pushed out of its chart. (The dashboard's quarter chart
    is the other way round: its slanted labels' bounding boxes overlap, their glyphs do not,
    and the test above passes there.)"""
    page = tab(1280)
    page.goto(served)
    bs.plotly_charts_drawn(page)
    page.evaluate("""() => {
        const el = document.createElement('div');
        el.className = 'plot';
        document.querySelector('main').prepend(el);
        const notes = [{x: 0.5, y: 0.5, xref: 'paper', yref: 'paper', text: 'one note here', showarrow: false},
                       {x: 0.52, y: 0.5, xref: 'paper', yref: 'paper', text: 'another note', showarrow: false},
                       {x: 0, y: 1, xref: 'paper', yref: 'paper', xanchor: 'right', xshift: -200,
                        text: 'pushed out', showarrow: false}];
        return Plotly.newPlot(el, [{type: 'bar', x: ['a long category name', 'another long one'], y: [1, 2]}],
                              {width: 200, height: 300, annotations: notes, xaxis: {tickangle: 0, automargin: false},
                               margin: {l: 40, r: 10, t: 10, b: 40}});
    }""")
    problems = page.evaluate(TEXT_PROBLEMS)["problems"]
    assert any('"one note here" overlaps "another note"' in p for p in problems), problems
    assert any('"a long category name" overlaps "another long one"' in p for p in problems), problems
    assert any('"pushed out" outside the chart' in p for p in problems), problems


# -- colours --------------------------------------------------------------------------------

def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _luminance(color: str) -> float:
    r, g, b = (_linear(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    low, high = sorted((_luminance(a), _luminance(b)))
    return (high + 0.05) / (low + 0.05)


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
_CVD = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def _lab(color: str, vision: str) -> tuple[float, float, float]:
    rgb = [_linear(c) for c in _rgb(color)]
    if vision in _CVD:
        rgb = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb)))) for row in _CVD[vision]]
    r, g, b = rgb
    xyz = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _distance(a: str, b: str, vision: str) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(_lab(a, vision), _lab(b, vision))) ** 0.5)


def test_statuses_have_their_own_colour_blind_safe_scale() -> None:
    styles = charts.STATUS_STYLES
    assert set(styles) == {"planned", "in-progress", "completed", "postponed", "cancelled"}
    example = (bs.REPO_ROOT / "content" / "plan.yaml").read_text(encoding="utf-8")
    chosen = [c.upper() for c in re.findall(r'^ +color: "(#[0-9A-Fa-f]{6})"', example, re.MULTILINE)]
    assert len(chosen) == 7  # (the example plan's own colours, one per area)
    for color in chosen:  # none grey, as the target path, the planned and cancelled bars are
        _, a, b = _lab(color, "normal")
        assert (a * a + b * b) ** 0.5 >= 30, color
    areas = sorted(set(charts.PALETTE) | set(chosen))
    for status, style in styles.items():
        assert style.color.upper() not in areas and style.ink.upper() not in areas, status
        assert _contrast(style.ink, "#ffffff") >= 4.5, status  # the pill's text
        assert max(_contrast(style.color, "#ffffff"), _contrast(style.ink, "#ffffff")) >= 3, status  # the bar
    for vision in ("normal", *_CVD):
        for (a, sa), (b, sb) in itertools.combinations(styles.items(), 2):
            if not (sa.pattern and sb.pattern):  # (two hatchings differ by their pattern)
                assert _distance(sa.color, sb.color, vision) >= 12, (vision, a, b)
        for status, style in styles.items():
            for area in areas:
                assert _distance(style.color, area, vision) >= 12, (vision, status, area)
    # the dashboard's progress chart: its measures are neither areas nor statuses' look-alikes
    assert not set(charts.MEASURE_COLORS.values()) & set(areas)


def test_status_pills_wear_the_status_charts_colours(served: str, tab: Any) -> None:
    """On the dashboard the status chart's bars and the status pills of the latest
    activities have the same colours; a hatched status is hatched in both."""
    page = tab(1280)
    page.goto(served)
    bs.plotly_charts_drawn(page)
    bars = page.evaluate("""() => Array.from(document.querySelectorAll('#dashboard-status .plot .point path'))
        .map(p => ({fill: getComputedStyle(p).fill, stroke: getComputedStyle(p).stroke}))""")
    assert len(bars) == 5
    pills = page.evaluate("""() => Object.fromEntries(['planned', 'in-progress', 'completed', 'postponed',
        'cancelled'].map(s => {
            const el = document.createElement('span');
            el.className = 'status status-' + s;
            el.textContent = s;
            document.querySelector('main').append(el);
            const before = getComputedStyle(el, '::before');
            return [s, {color: getComputedStyle(el).color, swatch: before.backgroundColor,
                        image: before.backgroundImage}];
        }))""")

    def css(color: str) -> str:
        return "rgb({}, {}, {})".format(*_rgb(color))

    for (status, style), bar in zip(charts.STATUS_STYLES.items(), bars):
        assert pills[status]["color"] == css(style.ink) == bar["stroke"], status
        if style.pattern:
            assert "url(" in bar["fill"], status  # (Plotly's pattern)
            assert css(style.color) in pills[status]["image"], status
        else:
            assert pills[status]["swatch"] == css(style.color) == bar["fill"], status


def test_site_css_names_the_status_colours() -> None:
    """site.css's pills hold the same hex values as charts.STATUS_STYLES (for a reader of
    the stylesheet, and for a site's custom CSS that copies them)."""
    css = (Path(charts.__file__).parent / "theme/assets/site.css").read_text(encoding="utf-8")
    for status, style in charts.STATUS_STYLES.items():
        rule = re.search(r"\.status-" + re.escape(status) + r" \{([^}]*)\}", css)
        assert rule, status
        assert f"color: {style.ink};" in rule.group(1) and style.color in rule.group(1), status
