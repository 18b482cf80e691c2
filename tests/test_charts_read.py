"""Charts that read right (#17): the timeline grouped by area with markers for one-day
events and shorter labels on a phone; whole-number ticks for counts; the elapsed-time note
and every tick label inside the chart at 390 and 1280 px.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import browser_support as bs

BASE = "/progress/"
# The texts of the page's charts (ticks, legends, notes) that lie outside their chart's SVG.
OUTSIDE = """() => {
    const out = [];
    for (const svg of document.querySelectorAll('.plot svg.main-svg:first-of-type')) {
        const box = svg.getBoundingClientRect();
        for (const t of svg.parentNode.querySelectorAll('text')) {
            const r = t.getBoundingClientRect();
            if (!r.width || !t.textContent.trim()) continue;
            if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
                out.push(t.textContent.slice(0, 40));
        }
    }
    return out;
}"""
FIGURE = re.compile(r'<script type="application/json" id="([^"]+)-figure">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bs.build_example(tmp_path_factory.mktemp("charts") / "output")


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    with bs.serve_directory(built, BASE) as url:
        yield url


def _figures(page: Path) -> dict[str, Any]:
    return {name: json.loads(text) for name, text in FIGURE.findall(page.read_text(encoding="utf-8"))}


def test_the_timeline_groups_activities_under_their_area(built: Path) -> None:
    fig = _figures(built / "timeline/index.html")["timeline-timeline"]
    rows = fig["layout"]["yaxis"]["tickvals"]
    acts = {a["id"]: a for a in json.loads((built / "data/activities.json").read_text(encoding="utf-8"))}
    assert len([r for r in rows if not r.startswith("area:")]) == len(acts)
    area = ""
    for row in rows:
        if row.startswith("area:"):
            area = row[5:]
        else:
            first = acts[row]["area"] if isinstance(acts[row]["area"], str) else acts[row]["area"][0]
            assert first == area, f"{row} is listed under {area}"
    # a one-day activity gets a marker (a bar one day wide would be a hairline)
    one_day = [i for i, a in acts.items() if not a.get("end") or a["end"] == a["start"]]
    marked = {y for t in fig["data"] if t["type"] == "scatter" for y in t["y"]}
    assert one_day and set(one_day) <= marked
    # the marker shows the status as the caption says: where a bar would be hatched, an open
    # diamond (postponed) or a cross (cancelled)
    symbols = {y: symbol for t in fig["data"] if t["type"] == "scatter" and "symbol" in t.get("marker", {})
               and t.get("legendgroup") != "planned"  # (the original schedules: see below)
               for y, symbol in zip(t["y"], t["marker"]["symbol"])}
    expected = {"postponed": "diamond-open", "cancelled": "x-thin-open"}
    assert {acts[y]["status"] for y in symbols} >= {"postponed", "cancelled", "completed"}
    for y, symbol in symbols.items():
        assert symbol == expected.get(acts[y]["status"], "diamond"), (y, acts[y]["status"], symbol)
    caption = (built / "timeline/index.html").read_text(encoding="utf-8")
    assert "(when too short for a bar: an open diamond and a cross)" in caption
    # ... and so does the chart's summary (it said "cancelled (hatched)", and a short one is a cross)
    summary = caption[caption.index('id="timeline-timeline"'):].split('class="chart-summary">', 1)[1].split("</p>")[0]
    assert "cancelled (hatched, or an open diamond and a cross when too short for a bar)" in summary
    # an area's summary names the marks its rows have, no "0 postponed" nor "0 moved" (a form letter)
    page = (built / "areas/illicit-drugs/index.html").read_text(encoding="utf-8")
    area = page[page.index('-timeline"'):].split('class="chart-summary">', 1)[1].split("</p>")[0]
    assert re.fullmatch(r"11 activities between 17 May 2017 and 16 May 2020; 2 cancelled \(hatched, or a cross when "
                        r"too short for a bar\)\. The dotted line marks the report date 31 Dec 2019\.", area), area


def test_a_tall_timeline_has_its_years_above_its_rows_too(built: Path) -> None:
    """The timeline of all activities is over 2,000 px tall: its years are above the rows as
    well as below (a second axis, over the same dates), so that the reader sees them
    without scrolling to its foot, and the legend sits above them; an area's shorter
    timeline has one axis."""
    fig = _figures(built / "timeline/index.html")["timeline-timeline"]
    layout = fig["layout"]
    top = layout["xaxis2"]
    assert (top["side"], top["overlaying"], top["matches"], top["range"]) == ("top", "x", "x", layout["xaxis"]["range"])
    assert (top["dtick"], top["tickformat"]) == ("M12", "%Y")
    assert [t for t in fig["data"] if t.get("xaxis") == "x2"], "no trace draws the top axis"
    assert layout["legend"]["y"] > 1
    small = _figures(built / "areas/firearms/index.html")
    assert all("xaxis2" not in f["layout"] for name, f in small.items() if name.endswith("timeline"))


def test_the_timelines_shortened_labels_keep_the_end_that_tells_rows_apart(built: Path) -> None:
    """Activities of one kind differ at the end of their titles ("... in Moldova", "... in
    Georgia"): a label cut short keeps its first and last words, so that four border
    assessments are not four "Border crossing point a..." on a phone."""
    fig = _figures(built / "timeline/index.html")["timeline-timeline"]
    titles = {a["id"]: a["title"] for a in json.loads((built / "data/activities.json").read_text(encoding="utf-8"))}
    rows = fig["layout"]["yaxis"]["tickvals"]
    meta = fig["layout"]["meta"]
    notes = [note for note in meta["narrow"]["annotations"] if note.get("name") == "row"]
    assert [note["y"] for note in notes] == rows  # (each row's label above it, on a phone)
    above = [note["text"] for note in notes]
    for labels, width in ((fig["layout"]["yaxis"]["ticktext"], 72), (above, 42),
                          (meta["print"]["yaxis.ticktext"], 44)):
        # (on a phone, above the rows, two lines of 42: beside them, two lines of 24 cut most
        # titles to "Course on … Dushanbe"; on paper two of 44: one cut 40 of the 96, which
        # paper has no hover text to give whole)
        lines = {row: re.sub(r"</?b>", "", label).split("<br>") for row, label in zip(rows, labels)}
        assert all(len(ls) <= (1 if width == 72 else 2) and max(map(len, ls)) <= width for ls in lines.values())
        shown = {row: " ".join(ls) for row, ls in lines.items() if not row.startswith("area:")}
        moldova = next(row for row, title in titles.items() if title == "Border crossing point assessment in Moldova")
        assert shown[moldova].endswith("Moldova"), shown[moldova]
        assert len(set(shown.values())) >= len(shown) - 4, width
        if width >= 42:  # (on a phone and on paper nearly every title whole)
            assert sum(shown[row] == titles[row] for row in shown) >= 0.95 * len(shown)
        for row, label in shown.items():
            if label.endswith("\u2026"):  # (its last word alone is too long: cut at the end)
                assert titles[row].startswith(label[:-1]), (label, titles[row])
            elif label != titles[row]:
                first, _, last = label.partition(" \u2026 ")
                assert titles[row].startswith(first) and titles[row].endswith(last), (label, titles[row])


def test_the_charts_texts_give_the_pages_percentages(built: Path) -> None:
    """The progress chart's summary and note say the share of the plan period elapsed as
    the dashboard's figure does (87%, not 87.5% beside it); the bars keep the decimal."""
    html = (built / "index.html").read_text(encoding="utf-8")
    tile = re.search(r"(\d+)%</span> of the plan period elapsed", html) or re.search(r"(\d+)% of the plan period elapsed", html)
    assert tile, "the dashboard's elapsed figure"
    summary = re.search(r"(\d+(?:\.\d+)?)% of the plan period has elapsed", html)
    assert summary and summary.group(1) == tile.group(1), (summary and summary.group(0), tile.group(0))
    fig = _figures(built / "index.html")["dashboard-progress"]
    assert fig["layout"]["annotations"][0]["text"] == f"time elapsed {tile.group(1)}%"
    best = re.search(r"Highest activity completion: [^(]+\((\d+(?:\.\d+)?)%\)", html)
    assert best and "." not in best.group(1)


def test_bar_labels_stand_clear_of_the_axis_their_bars_start_from(built: Path) -> None:
    """A horizontal bar chart's category labels keep 4 px from the axis line its bars start
    from (a country's areas chart read "Border security|"); a timeline's bars start at their
    dates, away from it."""
    seen = 0
    pages = ["index.html", "areas/firearms/index.html", "countries/md/index.html", "reports/2019/index.html"]
    for page in pages:
        for name, fig in _figures(built / page).items():
            flat = [t for t in fig["data"] if t["type"] == "bar" and t.get("orientation") == "h"]
            if flat and fig["layout"].get("xaxis", {}).get("type") != "date":
                assert fig["layout"]["yaxis"].get("ticklabelstandoff", 0) >= 4, (page, name)
                seen += 1
    assert seen >= 4, seen


def test_count_axes_have_whole_number_ticks(built: Path) -> None:
    for name, fig in _figures(built / "index.html").items():
        if name.endswith(("status", "quarters")):
            assert fig["layout"]["yaxis"]["rangemode"] == "tozero"
    status = _figures(built / "index.html")["dashboard-status"]
    assert status["data"][0]["textposition"] == "outside"


@pytest.mark.parametrize("width", [390, 1280])
def test_chart_texts_stay_inside_their_charts(width: int, built: Path, served: str, browser: Any) -> None:
    """Tick labels, legends and notes of every chart of the dashboard, an area and the
    timeline lie inside the chart's SVG; on a phone the timeline's labels are above its rows,
    in lines of at most 42 characters, beside them in lines of at most 72."""
    for path in ("", "areas/firearms/", "timeline/", "countries/md/", "indicators/fa-events/"):
        with bs.open_page(browser, served + path, viewport={"width": width, "height": 900}) as session:
            page = session.page
            total, drawn = bs.plotly_charts_drawn(page)
            assert drawn == total
            outside = page.evaluate(OUTSIDE)
            assert not outside, f"{path} at {width} px: text outside its chart: {outside[:5]}"
            if path == "timeline/":
                longest = page.evaluate("""() => { const layout = document.querySelector('.plot')._fullLayout;
                    const labels = layout.yaxis.showticklabels ? layout.yaxis.ticktext
                        : layout.annotations.filter(a => a.name === 'row').map(a => a.text);
                    return Math.max(...labels.flatMap(t => t.split('<br>')).map(t => t.replace(/<[^>]+>/g, '').length)); }""")
                assert 24 < longest <= (42 if width < 600 else 72), longest


def test_on_a_phone_the_quarters_chart_has_more_plot_than_legend(served: str, browser: Any) -> None:
    """At 390 px the dashboard's activities per quarter had a plot (~160 px) shorter than its
    legend of seven areas (~170 px), and its quarters, slanted 45°, almost touched: upright
    wherever the chart is narrow (on a desktop too, in half the dashboard's width), with a
    taller plot."""
    measure = """() => { const plot = document.querySelector("figure[id$='-quarters'] .plot");
        const legend = plot.querySelector('.legend').getBoundingClientRect().height;
        const ticks = [...plot.querySelectorAll('.xtick text')].map(t => t.getBoundingClientRect())
            .sort((a, b) => a.left - b.left);
        const gap = Math.min(...ticks.slice(1).map((box, i) => box.left - ticks[i].right));
        return [plot._fullLayout.xaxis.tickangle, plot._fullLayout._size.h - legend, gap]; }"""
    for width in (390, 1280):
        with bs.open_page(browser, served, viewport={"width": width, "height": 900}) as session:
            bs.plotly_charts_drawn(session.page)
            angle, more, gap = session.page.evaluate(measure)
            assert angle == -90 and more >= 80 and gap >= 4, (width, angle, more, gap)


def test_the_areas_tables_say_an_activity_in_several_areas_counts_in_each(built: Path) -> None:
    """The dashboard's and a round's areas tables count an activity in each of its areas, so
    their figures add up to more than the activities: a note under each says so (a reader
    added up 95 activities against the headline's 90)."""
    acts = json.loads((built / "data/activities.json").read_text(encoding="utf-8"))
    assert any(isinstance(a["area"], list) and len(a["area"]) > 1 for a in acts)
    note = '<p class="table-note">An activity in several areas counts in each of them.'
    for page in ("index.html", "reports/2019/index.html"):
        html = (built / page).read_text(encoding="utf-8")
        assert html.count(note) == 1 and html.index(note) > html.index("</table>"), page
    # the dashboard's Activities column leaves the cancelled out, as its figures do (an area's
    # page lists them too: 23 there, 22 here)
    cancelled = sum(1 for a in acts if a["status"] == "cancelled")
    assert (note + f" {cancelled} cancelled activities are not counted.</p>") in (built / "index.html").read_text(encoding="utf-8")


def test_on_a_phone_a_rounds_indicator_titles_are_written_whole_above_their_bars(
        built: Path, served: str, browser: Any) -> None:
    """A round's chart of an area's indicators: on a phone each indicator's whole title is
    written above its bar, inside the chart, and the axis has no labels (beside the bars the
    titles were cut to "Border crossing point needs assessments…" in 10 px type); on a
    desktop the axis names them."""
    for width in (390, 1280):
        with bs.open_page(browser, served + "reports/2019/", viewport={"width": width, "height": 900}) as session:
            page = session.page
            bs.plotly_charts_drawn(page)
            shown = page.evaluate("""() => [...document.querySelectorAll('.plot[data-figure$="-indicators-figure"]')].map(el => ({
                ticks: [...el.querySelectorAll('.ytick text')].map(t => t.textContent),
                notes: [...el.querySelectorAll('.annotation-text')].map(t => t.textContent),
                titles: JSON.parse(document.getElementById(el.dataset.figure).textContent).data[1].customdata}))""")
            assert shown, "no indicators chart"
            for chart in shown:
                # (a title's lines are tspans: compared without the spaces between its words)
                written = "".join("".join(chart["notes"] if width < 600 else chart["ticks"]).split())
                assert all("".join(title.split()) in written for title in chart["titles"]), (width, chart)
                assert (chart["ticks"] == []) == (width < 600), chart["ticks"]
            assert not page.evaluate(OUTSIDE), f"text outside its chart at {width} px"
            # beside the bars, each title's lines clear of the axis (they touched its line)
            gaps = page.evaluate("""() => [...document.querySelectorAll('.plot[data-figure$="-indicators-figure"]')]
                .flatMap(el => { const left = el.querySelector('svg.main-svg').getBoundingClientRect().left + el._fullLayout._size.l;
                    return [...el.querySelectorAll('.ytick text')].map(t => left - t.getBoundingClientRect().right); })""")
            assert (gaps == []) == (width < 600) and all(gap >= 3 for gap in gaps), gaps


def test_a_short_original_schedule_is_an_open_square_not_a_sliver(built: Path) -> None:
    """A rescheduled activity's original days are outlined; when they are a few days, too
    short for a bar (a hollow sliver read as a stray mark), an open square marks them, in the
    legend's "Originally planned" group. Every rescheduled activity has one or the other."""
    fig = _figures(built / "timeline/index.html")["timeline-timeline"]
    acts = json.loads((built / "data/activities.json").read_text(encoding="utf-8"))
    slipped = {a["id"] for a in acts if a.get("planned_start") or a.get("planned_end")}
    planned = [t for t in fig["data"] if t.get("legendgroup") == "planned"]
    bars = [t for t in planned if t["type"] == "bar"]
    squares = [t for t in planned if t["type"] == "scatter"]
    assert squares and all(t["marker"]["symbol"] == "square-open" for t in squares)
    span = fig["layout"]["xaxis"]["range"]
    days = (dt.date.fromisoformat(span[1]) - dt.date.fromisoformat(span[0])).days
    assert all(width / 86_400_000 * 100 >= days * 0.9 for t in bars for width in t["x"])  # (no sliver)
    assert sorted(y for t in planned for y in t["y"]) == sorted(slipped)
    assert sum(bool(t.get("showlegend", True)) for t in planned) == 1
