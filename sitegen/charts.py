"""Plotly figures from the model, as plain data (pure: no file access).

Figures are the JSON that plotly.js draws (`{"data": [...], "layout": {...}}`), built as
plain dicts: validating thousands of plotly.graph_objects would dominate large builds.
The tests check every figure against plotly's own schema with `plotly.graph_objects`.
Each chart also carries its data as a table (for screen readers, readers without
JavaScript and the CSV download). What a reader reads (titles, summaries, axis and legend
words, hover text, column names) comes from `Words`; the figures' numbers and the table's
cells stay data.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import model as m
from .i18n import Words, unit_form
from .progress import AreaProgress, Breakdown, IndicatorProgress, amount, counts, measured_totals

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass(frozen=True)
class StatusStyle:
    """How an activity status is drawn: a bar's colour (its fill, or with a pattern its
    hatching on white), its ink (the bar's outline, and the status pill's text and border
    in site.css) and its Plotly pattern ("" for solid)."""

    color: str
    ink: str
    pattern: str


# Activity statuses have their own scale, which no colour of PALETTE (the areas') takes: from
# a pale outlined bar (planned) through indigo (in progress) to dark green (completed); the
# two that left the plan's course hatched on white. Told apart by lightness and pattern as
# well as by hue (with deuteranopia, protanopia and tritanopia simulated, no two statuses and
# no status and area colour come closer than 12 CIELAB units); every ink has 4.5:1 against
# white (text), every bar 3:1 (the pale one by its outline). site.css's .status-* pills use
# the same values: tests/test_chart_overlap_browser.py compares them.
STATUS_STYLES = {
    "planned": StatusStyle("#DDE4EC", "#52606F", ""),
    "in-progress": StatusStyle("#4B3F8F", "#4B3F8F", ""),
    "completed": StatusStyle("#2D5E3A", "#2D5E3A", ""),
    "postponed": StatusStyle("#7D5F30", "#7D5F30", "/"),
    "cancelled": StatusStyle("#6B6B6B", "#6B6B6B", "x"),
}
# Measures that are neither an area nor a status: the dashboard's share of activities
# completed (the completed status's colour) and indicator attainment (the headline's navy).
MEASURE_COLORS = {"completion": STATUS_STYLES["completed"].color, "attainment": "#12355B"}


def status_marker(statuses: list[str]) -> dict[str, Any]:
    """A bar trace's marker for bars of these statuses (STATUS_STYLES)."""
    styles = [STATUS_STYLES[s] for s in statuses]
    # (a pattern's lines take the bar's colour, on the white background)
    return {"color": [st.color for st in styles],
            "line": {"color": [st.ink for st in styles], "width": 1.5},
            "pattern": {"shape": [st.pattern for st in styles], "bgcolor": "#ffffff", "size": 6,
                        "solidity": 0.4}}


FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}
# Above this many activities a Gantt draws one bar per area and month instead of per record.
GANTT_LIMIT = 400


@dataclass(frozen=True)
class Chart:
    """A figure with its title, text summary and data table (as shown, and as CSV)."""

    id: str
    title: str
    summary: str
    figure: dict[str, Any]
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]  # the table as shown: status words, series names translated
    csv_path: str  # relative to the site root, e.g. data/charts/dashboard-status.csv
    # The CSV's rows where they differ from the table's: words that are data keys stay English.
    csv_rows: tuple[tuple[Any, ...], ...] | None = None

    def figure_json(self) -> str:
        """Figure JSON safe inside <script>: no '<', '>' or '&' can close or open a tag."""
        text = json.dumps(self.figure, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))

    def csv_text(self) -> str:
        """The table as CSV; cells that a spreadsheet would run as a formula are neutralised."""
        return to_csv(self.columns, self.rows if self.csv_rows is None else self.csv_rows)


def to_csv(columns: tuple[str, ...] | list[str], rows: Any) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return buf.getvalue()


def csv_row(row: Any) -> str:
    """One CSV line, as to_csv writes it."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([safe_cell(c) for c in row])
    return buf.getvalue()


def safe_cell(value: Any) -> Any:
    """Prefix text starting with = + - @ (tab, CR) with ' against formula injection."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def area_colors(plan: m.Plan) -> dict[str, str]:
    """One colour per area, kept everywhere: the plan's own colour or the palette's next."""
    return {a.id: a.color or PALETTE[i % len(PALETTE)] for i, a in enumerate(plan.areas)}


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    # The title is the figure's <h3> caption, so the plot does not repeat it.
    layout: dict[str, Any] = {
        "font": FONT, "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "height": 360,
        "legend": {"orientation": "h", "y": -0.2},
    }
    layout.update(extra)
    for axis in ("xaxis", "yaxis"):  # (room for the tick labels, e.g. slanted ones on a phone)
        layout[axis] = {"automargin": True, **layout.get(axis, {})}
    return layout


def _mirrored_notes(notes: Iterable[dict[str, Any]], across: bool) -> list[dict[str, Any]]:
    """A chart's notes on a right-to-left page: their text isolated right to left and, where
    the x axis reads from the right (`across`), anchored on their other side (they still
    read away from the edge) and, when placed on the plot's edge (a bar's figure beside
    it), on the other edge. A row's label (named ROW_LABEL) goes where the rows' labels go:
    on the other edge, whatever the x axis."""
    flip = {"left": "right", "right": "left"}
    out = []
    for note in notes:
        if note.get("name") == ROW_LABEL:  # (a title, often English: each line in the direction
            # of its first letter; a line isolated right to left wrote "course:" as ":course")
            note = {**note, "text": "<br>".join(f"\u2068{line}\u2069" for line in note["text"].split("<br>"))}
        else:
            note = {**note, "text": _rtl(note["text"])} if "text" in note else dict(note)
        if across or note.get("name") == ROW_LABEL:
            note["xanchor"] = flip.get(note.get("xanchor", ""), "auto")
            if note.get("xref") == "paper":
                note.update({"x": 1 - note["x"], "xshift": -note.get("xshift", 0)})
            if "align" in note:
                note["align"] = flip.get(note["align"], note["align"])
        out.append(note)
    return out


def mirrored(chart: Chart) -> Chart:
    """The chart for a right-to-left page: category and bar axes read from the right, value
    axes and legends on the right. (Date axes, and category axes of periods (layout.meta.time
    "x"), keep time running left to right, as statistical publications in Arabic and Hebrew
    do; their labels move to the right.)"""
    layout = dict(chart.figure["layout"])
    xaxis, yaxis = dict(layout.get("xaxis", {})), dict(layout.get("yaxis", {}))
    narrow = dict(layout.get("meta", {}).get("narrow", {}))
    across = xaxis.get("type") != "date" and layout.get("meta", {}).get("time") != "x"
    if across:
        if "range" in xaxis:  # (a range from high to low reads from the right)
            xaxis["range"] = list(reversed(xaxis["range"]))
        else:
            xaxis["autorange"] = "reversed"
    notes = _mirrored_notes(layout.get("annotations", ()), across)
    narrow = {_MIRRORED_KEYS.get(k, k): _rtl(v) if k.endswith(".text") else
              _mirrored_notes(v, across) if k == "annotations" else v for k, v in narrow.items()}
    yaxis["side"] = "right"
    # (Plotly sets labels on the right against the axis line: "Illicit drugs" touched its bar)
    yaxis["ticklabelstandoff"] = yaxis.get("ticklabelstandoff", 0) + 4
    legend = dict(layout.get("legend", {}))
    legend.update({"x": 1, "xanchor": "right"})
    # A legend of two or three entries, one a line: Plotly draws each entry's mark left of its
    # label, and a row of them left to right, so a reader from the right took each mark for the
    # next label's ("—●— الفعلي —◆— مسار القيمة المستهدفة").
    entries = [t for t in chart.figure["data"] if t.get("name") and t.get("showlegend", True) is not False]
    if legend.get("orientation") == "h" and 1 < len(entries) <= 3:
        legend["orientation"] = "v"
        if legend.get("y", 1) < 0:  # (below the plot: at the figure's foot, which Plotly keeps
            # clear of the plot and its dates; placed as the one line of the other languages'
            # legends, its lines reached up over the dates: "2020" hidden, "2019" at 390 px)
            legend.update({"yref": "container", "y": 0, "yanchor": "bottom"})
    margin = dict(layout.get("margin", {}))
    margin["l"], margin["r"] = margin.get("r", 20), margin.get("l", 60)
    layout.update({"xaxis": xaxis, "yaxis": yaxis, "legend": legend, "margin": margin})
    if notes:
        layout["annotations"] = notes
    if narrow:
        layout["meta"] = {**layout["meta"], "narrow": narrow}
    data = [{**trace, "name": _rtl(trace["name"])} if "name" in trace else trace for trace in chart.figure["data"]]
    return dataclasses.replace(chart, figure={**chart.figure, "data": data, "layout": layout})


# A chart is drawn left to right (Plotly's SVG): each of its texts on a right-to-left page is
# isolated as right-to-left (RLI ... PDI), else "87.5%" or a date's slashes jump to the
# wrong end of it.
def _rtl(text: str) -> str:
    return f"\u2067{text}\u2069" if text else text


_MIRRORED_KEYS = {"margin.l": "margin.r", "margin.r": "margin.l"}


# Hover text: the bar's category and value, and its series (the legend's name) beside it.
def _hover(words: Words, label: str, value: str, name: str = "%{fullData.name}") -> str:
    """A hover text's template: "label: value" with the language's colon (" : " in French),
    `name` beside it (Plotly's <extra>; "" for none)."""
    return f"{label}{words.colon}{value}<extra>{name}</extra>"
# Value axes write numbers as the page does (the locale's grouping), not "20k"
_VALUES = {"tickformat": ",~r"}


def _wrapped(label: str, width: int = 22) -> str:
    """A long category label on lines of about `width` characters (Plotly's <br>), so that
    it takes less of a phone's width from the plot."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines) if len(label) > width else label


def _count_axis(title: str, top: int) -> dict[str, Any]:
    """A value axis of counts: from zero, whole-number ticks (a small count would get
    0.5 steps)."""
    axis: dict[str, Any] = {"title": {"text": title}, "rangemode": "tozero", **_VALUES}
    if top <= 5:
        axis["dtick"] = 1
    return axis


def _num(value: float | None) -> Any:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)


def _pct(value: float | None) -> Any:
    return None if value is None else round(100 * value, 1)


# -- dashboard ------------------------------------------------------------------------------

def progress_by_area(areas: tuple[AreaProgress, ...], colors: dict[str, str], key: str, *,
                     words: Words) -> Chart:
    names = [_wrapped(a.area.title) for a in areas]
    completion = [_pct(a.completion) for a in areas]
    attain = [_pct(None if a.attainment is None else min(1.0, a.attainment)) for a in areas]
    expected = _pct(areas[0].expected) if areas else 0
    # (the texts give whole percentages, as the page's figures do: "87%" beside a tile
    # saying 87%, not 87.5; the bars and the table keep the decimal)
    elapsed_pct = words.percent(areas[0].expected if areas else 0.0)
    # (not "Progress by area", the heading of the section it is in: the same words twice)
    title = words("Activities completed and indicator attainment by area")
    hover = _hover(words, "%{y}", "%{x}")  # (%{x} has the axis's tick affixes)
    fig = {
        "data": [
            {"type": "bar", "orientation": "h", "name": words("Activities completed (%)"), "y": names,
             "x": completion, "marker": {"color": MEASURE_COLORS["completion"]}, "hovertemplate": hover},
            {"type": "bar", "orientation": "h", "name": words("Indicator attainment (%)"), "y": names,
             "x": attain, "marker": {"color": MEASURE_COLORS["attainment"]}, "hovertemplate": hover},
        ],
        "layout": _layout(title, barmode="group",
                          # (room at the right for half the last tick, "100 %" in French)
                          margin={"l": 60, "r": 36, "t": 30, "b": 50},
                          xaxis={"range": [0, 100], **words.percent_axis},
                          # (4 px between the area names and their bars: on paper they touched)
                          yaxis={"autorange": "reversed", "automargin": True, "ticklabelstandoff": 4},
                          height=120 + 50 * len(areas),
                          shapes=[{"type": "line", "x0": expected, "x1": expected, "y0": 0, "y1": 1,
                                   "yref": "paper", "line": {"color": "#000", "dash": "dot"}}],
                          # (the note reads away from the plot's right edge unless the line is near its
                          # left one: on that side the area names leave room for it)
                          annotations=[{"x": expected, "y": 1, "yref": "paper", "yanchor": "bottom",
                                        "xanchor": "right" if (expected or 0) > 25 else "left",
                                        "text": words("time elapsed %(percent)s", percent=elapsed_pct),
                                        "showarrow": False}]),
    }
    rows = tuple((a.area.title, a.status, _pct(a.completion), _pct(a.attainment), _pct(a.expected))
                 for a in areas)
    shown = tuple((row[0], words.status(row[1]), *row[2:]) for row in rows)
    best = max(areas, key=lambda a: a.completion or 0.0) if areas else None
    # (the values of a words.plural call are written first: Babel's extractor takes a `words`
    # inside the call's parentheses for a new message and loses the plural)
    n_areas = words.plain(len(areas))
    summary = words.plural("%(count)s area; %(percent)s of the plan period has elapsed.",
                           "%(count)s areas; %(percent)s of the plan period has elapsed.", len(areas),
                           count=n_areas, percent=elapsed_pct)
    summary += " " + (words("Highest activity completion: %(area)s (%(percent)s).", area=best.area.title,
                            percent=words.percent(best.completion or 0.0)) if best else "")
    return Chart(f"{key}-progress", title, summary, fig,
                 (words("area"), words("status"), words("activities completed %"),
                  words("indicator attainment %"), words("time elapsed %")),
                 shown, f"data/charts/{key}-progress.csv", rows)


def quarter(day: dt.date) -> str:
    """The quarter of `day` as data ("2019-Q4")."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _quarter_label(words: Words, key: str) -> str:
    """A quarter ("2019-Q4", see `quarter`) as shown."""
    year, _, number = key.partition("-Q")
    return words("%(year)s-Q%(quarter)s", year=year, quarter=number)


def activities_per_quarter(site: m.Site, colors: dict[str, str], key: str,
                           activities: tuple[m.Activity, ...] | None = None, *, words: Words) -> Chart:
    acts = site.activities if activities is None else activities
    quarters: list[str] = []
    day = dt.date(site.plan.start.year, (site.plan.start.month - 1) // 3 * 3 + 1, 1)
    last = max([site.plan.end] + [a.start for a in acts])
    while day <= last:
        quarters.append(quarter(day))
        day = dt.date(day.year + (day.month + 2) // 12, (day.month + 2) % 12 + 1, 1)
    table: dict[tuple[str, str], int] = {}
    for a in acts:
        if a.status == "cancelled":
            continue
        for area_id in a.areas:
            k = (area_id, quarter(a.start))
            table[k] = table.get(k, 0) + 1
    label = {q: _quarter_label(words, q) for q in quarters}
    shown_quarters = [label[q] for q in quarters]
    data = []
    rows = []
    for area in site.plan.areas:
        ys = [table.get((area.id, q), 0) for q in quarters]
        if not any(ys):
            continue
        data.append({"type": "bar", "name": _wrapped(area.title, 30), "x": shown_quarters, "y": ys,
                     "marker": {"color": colors[area.id]}, "hovertemplate": _hover(words, "%{x}", "%{y}")})
        rows += [(q, area.title, n) for q, n in zip(quarters, ys) if n]
    busiest = max(quarters, key=lambda q: sum(table.get((a.id, q), 0) for a in site.plan.areas)) if quarters else ""
    title = words("Activities per quarter by area")
    top = max([sum(table.get((a.id, q), 0) for a in site.plan.areas) for q in quarters] or [0])
    # (the legend above the plot: below, it would cover the slanted quarter labels)
    fig = {"data": data, "layout": _layout(title, barmode="stack",
                                           xaxis={"type": "category", "tickangle": -45, "ticklabelstandoff": 4},
                                           yaxis=_count_axis(words("activities"), top),
                                           legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
                                           margin={"l": 60, "r": 20, "t": 30 + 20 * len(data), "b": 70},
                                           height=300 + 20 * len(data),
                                           # (on paper, half an A4 sheet wide, the slanted labels ran
                                           # into one another: upright there)
                                           # (and its plot as tall as on screen: its legend, a
                                           # line an area there, had taken half of it)
                                           meta={"time": "x", "print": {"xaxis.tickangle": -90,
                                                                        "xaxis.tickfont.size": 9,
                                                                        "legend.font.size": 9,
                                                                        "height": 300 + 20 * len(data)},
                                                 # (on a phone its legend, a line or two an area,
                                                 # was as tall as its plot, and the quarters
                                                 # slanted 45° almost touched: upright, and the
                                                 # plot taller)
                                                 "narrow": {"xaxis.tickangle": -90,
                                                            "height": 420 + 20 * len(data)}})}
    # (meta.time: its quarters run left to right in any script: mirrored)
    entries = sum(n for *_, n in rows)  # (an activity in two areas is in two bars)
    total = sum(1 for a in acts if a.status != "cancelled" and a.areas)
    n_total, n_entries = words.plain(total), words.plain(entries)  # written before words.plural: see progress_by_area
    summary = words.plural(
        "%(count)s activity (not counting cancelled ones) by start quarter; the busiest quarter was %(quarter)s.",
        "%(count)s activities (not counting cancelled ones) by start quarter; the busiest quarter was %(quarter)s.",
        total, count=n_total, quarter=label[busiest]) if rows else words("No activities yet.")
    if entries != total:
        summary += " " + words("An activity in several areas counts once per area: the bars add up to %(entries)s.",
                               entries=n_entries)
    return Chart(f"{key}-quarters", title, summary, fig,
                 (words("quarter"), words("area"), words("activities")),
                 tuple((label[q], *rest) for q, *rest in rows), f"data/charts/{key}-quarters.csv", tuple(rows))


def status_breakdown(activities: tuple[m.Activity, ...], key: str, title: str | None = None, *,
                     words: Words) -> Chart:
    """Activities by status; `title` (as shown) defaults to "Activities by status"."""
    title = words("Activities by status") if title is None else title
    tally = {s: 0 for s in m.STATUSES}
    for a in activities:
        tally[a.status] += 1
    labels = [words.status(s) for s in tally]
    fig = {"data": [{"type": "bar", "x": labels, "y": list(tally.values()),
                     "marker": status_marker(list(tally)),
                     # (above its bar: inside a short one the number would be struck by its edge)
                     "text": [words.plain(n) for n in tally.values()], "textposition": "outside",
                     "cliponaxis": False, "hovertemplate": _hover(words, "%{x}", "%{y}", "")}],
           "layout": _layout(title, xaxis={"type": "category", **_slanted_if_crowded(labels)},
                             yaxis=_count_axis(words("activities"), max(tally.values())))}
    summary = words.and_text([words("%(count)s %(status)s", count=words.plain(n), status=words.status(s))
                              for s, n in tally.items()]) + "."
    return Chart(f"{key}-status", title, summary, fig, (words("status"), words("activities")),
                 tuple((words.status(s), n) for s, n in tally.items()), f"data/charts/{key}-status.csv",
                 tuple(tally.items()))


# Plotly slants a category axis's labels only once two of them overlap: two long words side by
# side, 2 px apart ("abgeschlossen verschoben" in German, half a desktop page wide), read as one.
# Two neighbours of CROWDED_PAIR characters or more (English's longest pair, "in progress" and
# "completed", has 20) are slanted from the start.
CROWDED_PAIR = 22


def _slanted_if_crowded(labels: Sequence[str]) -> dict[str, Any]:
    """The x axis's tick angle for category `labels` read side by side ({} when they fit)."""
    crowded = any(len(a) + len(b) >= CROWDED_PAIR for a, b in zip(labels, labels[1:]))
    return {"tickangle": -30} if crowded else {}


# -- indicators -----------------------------------------------------------------------------

def indicator_series(site: m.Site, ind: m.Indicator,
                     area_acts: Sequence[m.Activity] | None = None) -> list[tuple[dt.date, float]]:
    """(date, value) points of an indicator up to the report date (`area_acts`: the
    activities of its area, in the site's order, when the caller has them)."""
    on = site.report_date
    if ind.source == "measurements":
        if ind.dimensions:  # (on each date its total: docs/progress.md, "Breakdowns")
            return measured_totals(ind, site.measurements, on)
        points: dict[dt.date, float] = {}
        for x in site.measurements:
            if x.indicator == ind.id and x.date <= on:
                points[x.date] = x.value
        return sorted(points.items())
    if ind.source == "activities":
        steps = [(a.last_day, amount(ind, a)) for a in (site.activities if area_acts is None else area_acts)
                 if ind.area in a.areas and a.status == "completed" and counts(ind, a, on)]
    else:
        steps = [(a.last_day, dict(a.contributes).get(ind.id, 0.0)) for a in site.activities
                 if a.status == "completed" and a.last_day <= on and a.contributes]
    by_day: dict[dt.date, float] = {}
    for day, n in steps:
        by_day[day] = by_day.get(day, 0.0) + n
    series = [(site.plan.start, ind.baseline)]
    value = ind.baseline
    for day in sorted(by_day):
        if by_day[day]:
            value += by_day[day]
            series.append((day, value))
    if series[-1][0] < on:
        series.append((on, value))
    return series


def indicator_chart(site: m.Site, p: IndicatorProgress, color: str, key: str,
                    series: list[tuple[dt.date, float]], *, words: Words) -> Chart:
    ind = p.indicator
    xs = [d.isoformat() for d, _ in series]
    ys = [_num(v) for _, v in series]
    ms_x = [ms.date.isoformat() for ms in ind.milestones] + [site.plan.end.isoformat()]
    ms_y = [_num(ms.target) for ms in ind.milestones] + [_num(ind.target)]
    path_x = [site.plan.start.isoformat()] + ms_x
    path_y = [_num(ind.baseline)] + ms_y

    def hover(days: list[str], values: list[Any]) -> dict[str, Any]:  # (the date and number as the page writes them)
        return {"customdata": [words("%(category)s: %(value)s", category=words.date(dt.date.fromisoformat(d)),
                                     value=words.plain(v)) for d, v in zip(days, values)],
                "hovertemplate": "%{customdata}<extra>%{fullData.name}</extra>"}

    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines+markers", "name": words("Actual"), "x": xs, "y": ys,
         "line": {"color": color, "shape": "hv" if ind.source != "measurements" else "linear"}, **hover(xs, ys)},
        {"type": "scatter", "mode": "lines+markers", "name": words("Target path"), "x": path_x, "y": path_y,
         "line": {"color": "#555555", "dash": "dash"}, "marker": {"symbol": "diamond", "size": 9},
         **hover(path_x, path_y)},
    ]
    report = site.report_date.isoformat()
    title = words("%(indicator)s: actual against target", indicator=ind.title)
    layout = _layout(title, xaxis={"type": "date"},
                     yaxis={"title": {"text": ind.unit or words("value")}, "rangemode": "tozero", **_VALUES},
                     shapes=[_today_line(report)], annotations=[_today_note(site.report_date, words, site.plan)])
    rows = [(d, "actual", v) for d, v in zip(xs, ys)]
    rows += [(ms.date.isoformat(), "milestone", _num(ms.target)) for ms in ind.milestones]
    rows.append((site.plan.end.isoformat(), "target", _num(ind.target)))
    rows.sort()
    series_name = {"actual": words("actual"), "milestone": words("milestone"), "target": words("target")}
    figures = {"date": words.date(site.report_date), "target": words.plain(_num(ind.target)),
               "value": words("no value yet") if p.value is None else words.plain(_num(p.value)),
               "baseline": words.plain(_num(ind.baseline)), "status": words.status(p.status)}
    # (the unit once, named as such: "11 (activities) against a target of 12 (activities)" read badly)
    summary = words("Value on %(date)s: %(value)s against a target of %(target)s (unit: %(unit)s; baseline "
                    "%(baseline)s); status: %(status)s.", unit=ind.unit, **figures) if ind.unit else \
        words("Value on %(date)s: %(value)s against a target of %(target)s (baseline %(baseline)s); "
              "status: %(status)s.", **figures)
    return Chart(f"{key}-{ind.id}", title, summary,
                 {"data": data, "layout": layout}, (words("date"), words("series"), words("value")),
                 tuple((d, series_name[name], v) for d, name, v in rows), f"data/charts/{key}-{ind.id}.csv",
                 tuple(rows))


def breakdown_chart(b: Breakdown, label: str, title: str, names: dict[str, str], color: str, key: str, *,
                    words: Words) -> Chart:
    """A bar chart of an indicator's latest values by the categories of one dimension
    (`label`: the dimension's name as shown; `title`: the chart's, pages.breakdown_title;
    `names`: each category's)."""
    ind = b.indicator
    day = b.dates[-1]
    given = [(c, v) for c, v in zip(b.categories, b.latest) if v is not None]
    shown = [names.get(c, c) for c, _ in given]
    unit = ind.unit or words("value")
    total = b.totals[-1]
    rest = None if total is None else total - sum(v for _, v in given)
    rest = rest if rest is not None and rest > 0 else None  # (values not broken down: in no category)
    # (what the total holds beyond the parts, in a grey bar of its own: without it, "Women 62,
    # Men 140" read as the whole of a total of 644)
    bars = [*given, *([(REST, rest)] if rest is not None else [])]
    labels = [*shown, *([words("Not broken down")] if rest is not None else [])]
    fig = {"data": [{"type": "bar", "x": [_wrapped(x) for x in labels], "y": [_num(v) for _, v in bars],
                     "marker": {"color": [REST_COLOR if c == REST else color for c, _ in bars]}, "name": unit,
                     "text": [words.plain(_num(v)) for _, v in bars], "textposition": "outside",
                     "cliponaxis": False, "hovertemplate": _hover(words, "%{x}", "%{y}", "")}],
           "layout": _layout(title, xaxis={"type": "category"},
                             yaxis={"title": {"text": unit}, "rangemode": "tozero", **_VALUES}, showlegend=False)}
    parts = words.and_text([words("%(category)s: %(value)s", category=x, value=words.plain(_num(v)))
                            for x, (_, v) in zip(shown, given)])
    summary = words("On %(date)s: %(parts)s.", date=words.date(day), parts=parts)
    if total is not None and rest is not None:
        summary += " " + words("Total: %(total)s, of which %(rest)s not broken down.",
                               total=words.plain(_num(total)), rest=words.plain(_num(rest)))
    elif total is not None:
        summary += " " + words("Total: %(total)s.", total=words.plain(_num(total)))
    rows = tuple((x, _num(v)) for x, (_, v) in zip(labels, bars))
    # (chart ids join the indicator id and the dimension with a hyphen, which a dimension's
    # name never holds: no two charts of the site share an id)
    chart_id = f"{key}-{ind.id}-{b.dimension}"
    return Chart(chart_id, title, summary, fig, (label, words("value")), rows, f"data/charts/{chart_id}.csv",
                 tuple((c, _num(v)) for c, v in bars))


# The bar of what a breakdown's total holds beyond its parts: "not broken down" in its CSV
# (a category's id there), grey on the chart (3.5:1 against white, as WCAG asks of a graphic).
REST = "not broken down"
REST_COLOR = "#8a8a8a"


def _today_line(day: str) -> dict[str, Any]:
    return {"type": "line", "x0": day, "x1": day, "y0": 0, "y1": 1, "yref": "paper",
            "line": {"color": "#000000", "dash": "dot", "width": 1}}


def _today_note(day: dt.date, words: Words, plan: m.Plan, inside: bool = False) -> dict[str, Any]:
    """The report date's note over its dotted line, reading away from the nearer edge;
    `inside`: in the plot's top row (where a legend above the plot would cover it)."""
    late = day > plan.start + (plan.end - plan.start) / 2
    note = {"x": day.isoformat(), "y": 1, "yref": "paper", "yanchor": "top" if inside else "bottom",
            "showarrow": False, "xanchor": "right" if late else "left",
            "text": words("report date %(date)s", date=words.date(day))}
    if inside:
        note.update({"bgcolor": "rgba(255,255,255,0.85)", "xshift": -3 if late else 3})
    return note


# -- timeline -------------------------------------------------------------------------------

_DAY_MS = 86_400_000


# The marker of an activity too short to show as a bar: where its bar would be hatched, an
# open diamond (postponed) or a cross (cancelled), as the timeline's caption says.
_BRIEF_SYMBOLS = {"postponed": "diamond-open", "cancelled": "x-thin-open"}

# (the name of a note that labels a row: on a right-to-left page it moves to the right edge
# with the y axis, see _mirrored_notes)
ROW_LABEL = "row"


# The timeline's row labels, in characters: whole for most titles on a desktop (it cut 47 of
# the example's 103 at 56, with room to spare), two lines of 44 on paper (at 72 the dates had a
# third of an A4 sheet's width; one line of 44 cut 40 of the example's titles, which paper
# has no hover text to give whole). On a phone each title is written above its row, across
# the plot, on up to two lines of 42 (beside the rows, two lines of 24 in 10 px type took
# 60% of the width, left the dates some 150 px and cut most titles to "Course on … Dushanbe");
# its rows are PHONE_ROW px: the two lines of 11 px type and a bar of PHONE_BAR px below them.
LABEL_WIDTH = 72
PHONE_LABEL_WIDTH = 42
PHONE_ROW = 48
PHONE_BAR = 16
PRINT_LABEL_WIDTH = 44
PRINT_ROW = 28


def _activity_rows(site: m.Site, acts: tuple[m.Activity, ...], colors: dict[str, str], words: Words
                   ) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The timeline's traces, one row per activity grouped under its (first) area's heading
    row: a bar from start to end (hatched when postponed or cancelled, faded when
    cancelled), a marker where a bar would be too thin to see (a one-day event: a diamond,
    open when postponed, a cross when cancelled), the
    original schedule outlined. Returns the traces, the y axis (rows named by activity id,
    labelled with their titles), the relayouts for narrow screens and for paper (shorter
    labels), and how it is cut into parts on paper (`meta.parts`: the rows' height there and
    the areas' heading rows, before which a part had best end)."""
    order = {a.id: i for i, a in enumerate(site.plan.areas)}
    grouped = sorted((a for a in acts if a.areas), key=lambda a: (order.get(a.areas[0], 0), a.start, a.id))
    span_days = max(1, (site.plan.end - site.plan.start).days)
    tickvals: list[str] = []
    ticktext: list[str] = []
    above: list[dict[str, Any]] = []
    printed: list[str] = []
    data: list[dict[str, Any]] = []

    heads: list[int] = []

    def row(value: str, title: str, bold: bool = False) -> None:  # (an area's heading row in bold)
        def shown(text: str) -> str:
            return f"<b>{text}</b>" if bold else text
        tickvals.append(value)
        ticktext.append(shown(_cut_middle(title, LABEL_WIDTH)))
        printed.append("<br>".join(shown(line) for line in _two_lines(title, PRINT_LABEL_WIDTH)))
        # (on a phone: above the row's bar, from the plot's edge on the axis's side; an area's
        # heading row, which has no bar, down to where its bar would end, close to its first
        # row: in its middle, a heading on two lines ran into that row's label)
        above.append({"name": ROW_LABEL, "x": 0, "xref": "paper", "xanchor": "left", "align": "left",
                      "y": value, "yref": "y", "yanchor": "bottom",
                      "yshift": -(PHONE_BAR // 2 - 1) if bold else PHONE_BAR // 2 + 1, "showarrow": False,
                      "font": {"size": 11},
                      "text": "<br>".join(shown(line) for line in _two_lines(title, PHONE_LABEL_WIDTH))})
    for area in site.plan.areas:
        mine = [a for a in grouped if a.areas[0] == area.id]
        if not mine:
            continue
        heads.append(len(tickvals))
        row(f"area:{area.id}", area.title, bold=True)
        for a in mine:
            row(a.id, a.title)
        when = [_days(words, a.start, a.last_day) for a in mine]
        custom = [[a.title, f"{w} · {words.status(a.status)}"] for a, w in zip(mine, when)]
        hover = "%{customdata[0]}<br>%{customdata[1]}<extra>" + area.title.replace("<", "") + "</extra>"
        data.append({
            "type": "bar", "orientation": "h", "name": _wrapped(area.title, 30), "legendgroup": area.id,
            "y": [a.id for a in mine], "base": [a.start.isoformat() for a in mine],
            "x": [((a.last_day - a.start).days + 1) * _DAY_MS for a in mine],
            "marker": {"color": colors[area.id],
                       "pattern": {"shape": [STATUS_STYLES[a.status].pattern for a in mine]},
                       "opacity": [0.45 if a.status == "cancelled" else 1.0 for a in mine]},
            "customdata": custom, "hovertemplate": hover,
        })
        # a bar under 1% of the plan's span is a hairline: a marker shows where it is
        brief = [i for i, a in enumerate(mine) if _hairline(a.start, a.last_day, span_days)]
        if brief:
            data.append({
                "type": "scatter", "mode": "markers", "name": area.title, "legendgroup": area.id,
                "showlegend": False, "y": [mine[i].id for i in brief],
                "x": [mine[i].start.isoformat() for i in brief],
                "marker": {"color": colors[area.id], "size": 9,
                           "symbol": [_BRIEF_SYMBOLS.get(mine[i].status, "diamond") for i in brief],
                           "line": {"color": colors[area.id], "width": 2}},
                "customdata": [custom[i] for i in brief], "hovertemplate": hover,
            })
    planned = [a for a in grouped if a.slipped]
    if planned:
        def first(a: m.Activity) -> dt.date:
            return a.planned_start or a.start

        def last(a: m.Activity) -> dt.date:
            return max(a.planned_end or first(a), first(a))

        hover = "%{customdata}<br>" + words("originally planned") + "<extra></extra>"
        # (an original schedule of a few days is an open square: as a bar, a hollow sliver
        # that read as a stray mark)
        few_days = [a for a in planned if _hairline(first(a), last(a), span_days)]
        lasting = [a for a in planned if a not in few_days]
        if lasting:
            data.append({
                "type": "bar", "orientation": "h", "name": words("Originally planned"), "legendgroup": "planned",
                "y": [a.id for a in lasting], "base": [first(a).isoformat() for a in lasting],
                "x": [((last(a) - first(a)).days + 1) * _DAY_MS for a in lasting],
                "width": 0.3, "marker": {"color": "rgba(0,0,0,0)", "line": {"color": "#000000", "width": 1.5}},
                "customdata": [a.title for a in lasting], "hovertemplate": hover,
            })
        if few_days:
            data.append({
                "type": "scatter", "mode": "markers", "name": words("Originally planned"), "legendgroup": "planned",
                "showlegend": not lasting, "y": [a.id for a in few_days], "x": [first(a).isoformat() for a in few_days],
                "marker": {"symbol": "square-open", "size": 9, "color": "#000000", "line": {"width": 1.5}},
                "customdata": [a.title for a in few_days], "hovertemplate": hover,
            })
    # (the rows top down: a range from the last row to the first, which autorange would pad)
    yaxis = {"range": [len(tickvals) - 0.5, -0.5], "automargin": True, "tickfont": {"size": 11}, "type": "category",
             "categoryorder": "array", "categoryarray": tickvals, "tickmode": "array", "tickvals": tickvals,
             "ticktext": ticktext}
    # (on a phone: no labels beside the rows, bars of PHONE_BAR px; `annotations`, the labels
    # above the rows, after the chart's own notes: gantt)
    narrow = {"yaxis.showticklabels": False, "margin.l": 8, "xaxis.nticks": 4, "bargap": round(1 - PHONE_BAR / PHONE_ROW, 3),
              "height": max(300, 80 + PHONE_ROW * len(tickvals)), "annotations": above}
    paper = {"yaxis.ticktext": printed, "yaxis.tickfont.size": 9}
    return data, yaxis, narrow, paper, {"row": PRINT_ROW, "heads": heads}


# A timeline of this many rows or more (about 700 px) has its years above the rows too: a
# reader sees when things happened without scrolling to its foot, and so does each printed
# page it starts on.
TOP_AXIS_ROWS = 30


def _years_on_top(data: list[dict[str, Any]], layout: dict[str, Any]) -> None:
    """A second date axis above the plot, with the years at their first days (the lower one's
    gridlines): Plotly draws an axis only for a trace, so an empty one is drawn on it. The
    legend moves above it."""
    data.append({"type": "scatter", "mode": "markers", "x": [], "y": [], "xaxis": "x2",
                 "showlegend": False, "hoverinfo": "skip"})
    layout["xaxis2"] = {"type": "date", "overlaying": "x", "side": "top", "matches": "x",
                        "range": layout["xaxis"]["range"], "dtick": "M12", "tick0": "2000-01-01",
                        "tickformat": "%Y", "showgrid": False, "automargin": True}
    # (the legend sits on the plot's top edge: it moves up by the labels' height, about 26 px
    # of the plot's; it would hide them)
    layout["legend"] = {**layout["legend"], "y": 1 + 26 / layout["height"]}


def _days(words: Words, start: dt.date, end: dt.date) -> str:
    """A range of days as the pages write it ("19\u201323 Jun 2017")."""
    first, last, message = words.date_range(start, end)
    return first if last is None else words(message, start=first, end=last)


def _cut_middle(text: str, width: int) -> str:
    """`text` in `width` characters keeping its first and last words, an ellipsis between
    ("Border \u2026 in Moldova", "Assessment \u2026 Tajikistan"): titles of one kind of
    activity differ at their end (the place, the country), which a cut at the end would drop
    from every one of them. The first words take up to about half the width, the last ones
    the rest; a first and last word too long together: cut at the end."""
    if len(text) <= width:
        return text
    words = text.split()
    if len(words) < 3:
        return _cut(text, width)
    head, middle, tail = [words[0]], words[1:-1], [words[-1]]

    def size() -> int:
        return len(" ".join(head)) + 3 + len(" ".join(tail))  # (" \u2026 ")

    if size() > width:
        return _cut(text, width)
    while middle and len(" ".join([*head, middle[0]])) <= width * 0.55 and size() + len(middle[0]) + 1 <= width:
        head.append(middle.pop(0))
    while middle and size() + len(middle[-1]) + 1 <= width:
        tail.insert(0, middle.pop())
    return f"{' '.join(head)} \u2026 {' '.join(tail)}"


def _hairline(first: dt.date, last: dt.date, span_days: int) -> bool:
    """Whether days from `first` to `last` would be a bar under 1% of the plan's span: a
    hairline, which a marker shows instead."""
    return ((last - first).days + 1) * 100 < span_days


def _two_lines(text: str, width: int) -> list[str]:
    """`text` on at most two lines of at most `width` characters, cut in the middle as
    _cut_middle cuts (its first and last words kept) when it does not fit whole."""
    for room in range(min(len(text), 2 * width + 1), width, -1):
        lines = _wrapped(_cut_middle(text, room), width).split("<br>")
        if len(lines) <= 2 and all(len(line) <= width for line in lines):
            return lines
    return [_cut_middle(text, width)]


def _cut(text: str, width: int) -> str:
    """`text` shortened to `width` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _plan_range(plan: m.Plan, parts: int) -> list[str]:
    """A date axis's range: the plan's period and a `parts`-th of it either side (a week at
    least), so that a marker on its first or last day is drawn whole."""
    margin = dt.timedelta(days=max(7, (plan.end - plan.start).days // parts))
    return [(plan.start - margin).isoformat(), (plan.end + margin).isoformat()]


def gantt(site: m.Site, acts: tuple[m.Activity, ...], colors: dict[str, str], key: str,
          title: str, url_of: dict[str, str] | None = None, *, words: Words, page_legend: bool = False) -> Chart:
    """Gantt of activities (one bar each, or per area and month above GANTT_LIMIT); `title`
    as shown. `page_legend`: the page names the chart's areas and marks above it (the
    timeline), so on a phone the chart has no legend of its own (the two, one after the other,
    took some 250 px before the first row; on a desktop, two legends one above the other named
    the same areas). site.js applies `layout.meta.page_legend` inside `[data-page-legend]`."""
    report = site.report_date.isoformat()
    area_title = {a.id: a.title for a in site.plan.areas}
    data: list[dict[str, Any]] = []
    rows: list[tuple[Any, ...]] = []  # as CSV
    shown: list[tuple[Any, ...]] = rows  # as the table shows them
    if len(acts) <= GANTT_LIMIT:
        data, yaxis, narrow, paper, parts = _activity_rows(site, acts, colors, words)
        for a in acts:
            rows.append((a.start.isoformat(), a.last_day.isoformat(), a.title,
                         ", ".join(area_title[x] for x in a.areas), a.status,
                         a.planned_start.isoformat() if a.planned_start else "",
                         a.planned_end.isoformat() if a.planned_end else "",
                         "yes" if a.slipped else ""))
        yes = words("yes")
        shown = [(*row[:3], words.comma.join(area_title[x] for x in a.areas), words.status(row[4]), *row[5:7],
                  yes if row[7] else "") for a, row in zip(acts, rows)]
        height = max(300, 80 + 22 * len(yaxis["tickvals"]))
        columns: tuple[str, ...] = (words("start"), words("end"), words("activity"), words("areas"),
                                    words("status"), words("planned start"), words("planned end"),
                                    words("slipped"))
    else:
        months: dict[tuple[str, str], int] = {}
        for a in acts:
            if a.areas:
                k = (a.areas[0], f"{a.start.year:04d}-{a.start.month:02d}")
                months[k] = months.get(k, 0) + 1
        for area in site.plan.areas:
            counts = sorted((mo, n) for (ar, mo), n in months.items() if ar == area.id)
            if not counts:
                continue
            data.append({"type": "bar", "orientation": "h", "name": area.title,
                         "y": [area.title] * len(counts), "base": [f"{mo}-01" for mo, _ in counts],
                         "x": [30 * _DAY_MS] * len(counts), "marker": {"color": colors[area.id]},
                         "text": [str(n) for _, n in counts],
                         "customdata": [words.plural("%(n)s activity", "%(n)s activities", n) for _, n in counts],
                         # Plotly fills %{...}: a message without values, so no % formatting.
                         "hovertemplate": words("%{base|%b %Y}: %{customdata}") + "<extra></extra>"})
            rows += [(mo, area.title, n) for mo, n in counts]
        height = 120 + 40 * len(site.plan.areas)
        yaxis = {"autorange": "reversed", "automargin": True}
        columns = (words("month"), words("area"), words("activities started"))
    layout = _layout(title, barmode="overlay", height=height, showlegend=True,
                     legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
                     # (the plan's period and a little more: a marker on its first or last day is drawn whole)
                     xaxis={"type": "date", "range": _plan_range(site.plan, 60)},
                     yaxis=yaxis, shapes=[_today_line(report)],
                     # (inside the plot, in the first area's heading row: above it, the legend)
                     annotations=[_today_note(site.report_date, words, site.plan, inside=True)])
    tall = len(acts) <= GANTT_LIMIT and len(yaxis.get("tickvals", ())) >= TOP_AXIS_ROWS
    if tall and site.plan.end.year > site.plan.start.year + 1:
        _years_on_top(data, layout)
    if len(acts) <= GANTT_LIMIT:
        # (site.js applies it on narrow screens; there the report date's note is the date
        # alone: the whole note would reach over the rows' labels)
        # (and site.js on paper, where the labels are shorter: see PRINT_LABEL_WIDTH, and
        # the rows are drawn as parts that each fit a sheet, each with its dates: one chart
        # cut by the sheets had no date on its middle ones)
        # (on a phone the plan's period has some 150 px: a marker on its last days, 2 px from
        # the edge with the desktop's margin, was cut in half)
        today = {**layout["annotations"][0], "text": words.date(site.report_date), "font": {"size": 10}}
        layout["meta"] = {"narrow": {**narrow, "annotations": [today, *narrow["annotations"]],
                                    "xaxis.range": _plan_range(site.plan, 20)},
                          "print": paper, "parts": parts}
        if page_legend:  # (on its page, at every width, the page's legend stands for the chart's;
            # on paper, where the page's is not printed, the chart's is, from a phone too; its
            # embed page and its picture keep it)
            layout["meta"]["page_legend"] = {"showlegend": False}
            paper["showlegend"] = True
    # written before words.plural: see progress_by_area
    postponed, cancelled, moved = (sum(1 for a in acts if a.status == "postponed"),
                                   sum(1 for a in acts if a.status == "cancelled"), sum(1 for a in acts if a.slipped))
    n_acts, n_postponed, n_cancelled, n_moved = (words.plain(n) for n in (len(acts), postponed, cancelled, moved))
    summary = words.plural("%(count)s activity between %(start)s and %(end)s",
                           "%(count)s activities between %(start)s and %(end)s", len(acts), count=n_acts,
                           start=words.date(site.plan.start), end=words.date(site.plan.end))
    # (each kind of mark is named when a row has it: "0 postponed, ... 0 moved" read as a form)
    marks = []
    if postponed:
        marks.append(words.plural("%(num)s postponed", "%(num)s postponed", postponed, num=n_postponed))
    if cancelled:
        marks.append(words.plural("%(num)s cancelled", "%(num)s cancelled", cancelled, num=n_cancelled))
    if marks:
        marks[-1] += " " + (words("(hatched, or an open diamond and a cross when too short for a bar)")
                            if postponed and cancelled else
                            words("(hatched, or an open diamond when too short for a bar)") if postponed else
                            words("(hatched, or a cross when too short for a bar)"))
    if moved:
        marks.append(words.plural(
            "%(num)s moved from its original schedule (outlined, or an open square when too short for a bar)",
            "%(num)s moved from their original schedule (outlined, or an open square when too short for a bar)",
            moved, num=n_moved))
    summary += (words.semicolon + words.comma.join(marks) if marks else "") + words(".")
    summary += " " + words("The dotted line marks the report date %(date)s.", date=words.date(site.report_date))
    return Chart(f"{key}-timeline", title, summary, {"data": data, "layout": layout}, columns,
                 tuple(shown), f"data/charts/{key}-timeline.csv", tuple(rows))


def country_areas(site: m.Site, acts: tuple[m.Activity, ...], colors: dict[str, str], key: str,
                  code: str, *, words: Words) -> Chart:
    """Activities involving the country `code` (ISO 3166-1 alpha-2), by area."""
    name = words.country(code)
    title = words("Activities involving %(country)s by area", country=name)
    tally: dict[str, int] = {}
    for a in acts:
        for area in a.areas:
            tally[area] = tally.get(area, 0) + 1
    areas = [a for a in site.plan.areas if a.id in tally]
    fig = {"data": [{"type": "bar", "orientation": "h", "y": [_wrapped(a.title) for a in areas],
                     "x": [tally[a.id] for a in areas], "marker": {"color": [colors[a.id] for a in areas]},
                     "hovertemplate": _hover(words, "%{y}", "%{x}", "")}],
           "layout": _layout(title, height=140 + 44 * len(areas),
                             # (its labels touched the axis line: "Border security|")
                             yaxis={"autorange": "reversed", "automargin": True, "ticklabelstandoff": 4},
                             xaxis={**_count_axis(words("activities"), max(tally.values(), default=0)),
                                    "title": {"text": words("activities"), "standoff": 8}})}
    rows = tuple((a.title, tally[a.id]) for a in areas)
    n_acts, n_areas = words.plain(len(acts)), words.plain(len(areas))  # see progress_by_area
    in_areas = words.plural("in %(count)s area", "in %(count)s areas", len(areas), count=n_areas)
    summary = words.plural("%(count)s activity involves %(country)s, %(in_areas)s.",
                           "%(count)s activities involve %(country)s, %(in_areas)s.", len(acts),
                           count=n_acts, country=name, in_areas=in_areas)
    entries = sum(tally.values())  # (an activity in two areas is in two bars)
    if entries != len(acts):
        summary += " " + words("An activity in several areas counts once per area: the bars add up to %(entries)s.",
                               entries=words.plain(entries))
    return Chart(f"{key}-areas", title, summary, fig,
                 (words("area"), words("activities")), rows, f"data/charts/{key}-areas.csv")


# -- reporting rounds -----------------------------------------------------------------------

def indicator_attainment(prog: AreaProgress, color: str, key: str, day: dt.date, *, words: Words,
                         first: str) -> Chart:
    """An area's indicators on `day`: attainment (%) as bars, the attainment expected by
    then as a marker on each."""
    inds = prog.indicators
    ids = [p.indicator.id for p in inds]  # (the rows; labelled with the titles, above the bars on a phone)
    names = [_wrapped(p.indicator.title, 28) for p in inds]
    attain = [_pct(None if p.attainment is None else max(0.0, p.attainment)) for p in inds]
    expect = [_pct(p.expected) for p in inds]

    def value_text(p: IndicatorProgress) -> str:
        if p.value is None:
            return words("no value yet")
        text = words.plain(_num(p.value))
        unit = unit_form(p.value, p.indicator, first)  # (`first`: the site's first language)
        return words("%(value)s (%(unit)s)", value=text, unit=unit) if p.indicator.unit else text

    # (each bar's figure in a column right of the plot, where no bar or mark can cover it)
    labels = [words("no value yet") if p.attainment is None else words.percent(p.attainment) for p in inds]
    hover = [p.indicator.title.replace("<", "") + words.colon + words("%(value)s against a target of %(target)s",
             value=value_text(p), target=words.plain(_num(p.indicator.target))) for p in inds]
    top = max([100.0] + [a for a in attain if a is not None])
    title = words("Indicators of %(area)s on %(date)s", area=prog.area.title, date=words.date(day))
    expected_name = words("Expected by %(date)s (%%)", date=words.date(day))
    figures = [{"x": 1, "xref": "paper", "xanchor": "left", "xshift": 8, "y": i, "yref": "y", "text": label,
                "showarrow": False} for i, label in zip(ids, labels)]
    # On a phone each title is written above its bar, across the plot's width (beside it, it
    # was cut to "Border crossing point needs assessments…" in 10 px type): the rows grow to
    # hold it, the axis keeps no labels.
    above = [{"x": 0, "xref": "x", "xanchor": "left", "y": i, "yref": "y", "yanchor": "bottom", "yshift": 17,
              "align": "left", "text": _wrapped(p.indicator.title, 42), "showarrow": False, "font": {"size": 11}}
             for i, p in zip(ids, inds)]
    fig = {
        "data": [
            {"type": "bar", "orientation": "h", "name": words("Attainment (%)"), "y": ids,
             "x": [a or 0 for a in attain], "marker": {"color": color}, "customdata": hover,
             "hovertemplate": "%{customdata}<extra></extra>"},
            {"type": "scatter", "mode": "markers", "name": expected_name, "y": ids, "x": expect,
             "marker": {"symbol": "line-ns-open", "size": 22, "color": "#000000", "line": {"width": 3}},
             "customdata": [p.indicator.title for p in inds],
             "hovertemplate": _hover(words, "%{customdata}", "%{x}", expected_name.replace("<", ""))},
        ],
        "layout": _layout(title, xaxis={"range": [0, top * 1.04], **words.percent_axis},
                          yaxis={"autorange": "reversed", "automargin": True, "type": "category",
                                 "tickmode": "array", "tickvals": ids, "ticktext": names,
                                 "ticklabelstandoff": 4},  # (its wrapped titles touched the axis)
                          legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
                          margin={"l": 60, "r": 80, "t": 40, "b": 40},
                          height=110 + 56 * max(1, len(inds)), bargap=0.35, annotations=figures,
                          meta={"narrow": {"yaxis.showticklabels": False, "margin.l": 16, "xaxis.nticks": 4,
                                           "margin.r": 64, "height": 110 + 92 * max(1, len(inds)), "bargap": 0.6,
                                           "annotations": figures + above}}),
    }
    rows = tuple((p.indicator.title, _num(p.value), p.indicator.unit, _num(p.indicator.target),
                  _pct(p.attainment), _pct(p.expected), p.status) for p in inds)
    shown = tuple((*row[:6], words.status(row[6])) for row in rows)
    n_inds = words.plain(len(inds))
    n_ok = words.plain(sum(1 for p in inds if p.status in ("achieved", "on track")))
    summary = words.plural("%(count)s indicator, %(ok)s achieved or on track on %(date)s.",
                           "%(count)s indicators, %(ok)s achieved or on track on %(date)s.", len(inds),
                           count=n_inds, ok=n_ok, date=words.date(day))
    summary += " " + words("The bars show attainment against target; the marks show where the plan expected "
                           "each indicator to be by then.")
    return Chart(f"{key}-indicators", title, summary, fig,
                 (words("indicator"), words("value"), words("unit"), words("target"),
                  words("attainment %"), words("expected %"), words("status")),
                 shown, f"data/charts/{key}-indicators.csv", rows)
