"""Country maps drawn at build time: a choropleth as a static SVG, with no tile server, no
script and no request of its own (it works offline, under any sub-path and on paper).

`choropleth(values, ...)` takes a number per country (ISO 3166-1 alpha-2) and returns the
SVG, its legend and its table; `country_maps` makes the two maps that the countries page,
each area page and each reporting round show (theme: map.html): the activities per
country and the participants per country. The shapes are Natural Earth's 1:110m
countries, shipped in `data/countries-110m.json` (derived by tools/map_data.py; see
data/README.md).

Participants per country: an activity's `participants.total` counts in full in each of
its countries (its `countries` and its location's country), as the activity itself counts
once in each on the activities map; an activity without participants adds nothing.
Participants are not recorded by country, so no share can be given to each: splitting
the total evenly would invent figures, and counting only single-country activities would
leave out the regional events that hold most participants (55 of the example's 70
activities with participants involve several countries). The figures therefore overlap
and add up to more than the total, and the map says so under its legend, with the total.

Two maps, one shown at a time: a switch of two radio buttons above them shows one or
the other with CSS alone (`:has()`; without it, and on paper, both are shown, one under
the other), each with its own legend and table. Both are drawn on the same layout (the
countries with activities), so that they compare at a glance; a country with
activities but no participants is plain land on the second. The second map costs about
as much as the first: both together add 25 KB compressed to the example's countries page
and at most 26 KB to any page bench/bench_map.py measures (the example's and a corpus of
10,000 activities), a sixth of the issue's budget of 150 KB per page, which is why the
participants get a map of their own rather than only a column and a tooltip.

Keyboard and screen readers: each map is drawn in two layers. The paint layer (hidden
from assistive technology) draws the shapes in the order that keeps small countries'
circles on top, each shape a link for the mouse but out of the tab order; the link layer
above it holds one link per country in the order of the country names in the page's
language (as the table lists them: `name_order`), each a transparent `<use>` of its
painted shape that shows, outlined, when the link has the keyboard's focus. (SVG paints
in document order and tabs in document order; two layers let each follow its own.)

How a map is laid out (deterministic: the same countries give the same bytes):

* Each country's extent is the box of its largest polygon and of the polygons within 2°
  of it (metropolitan France without French Guiana; the contiguous United States).
* Countries whose extents lie within 20° of one another form a group (single linkage).
  The group with the most countries is the main map; each other group is an inset below
  it (the United States beside a plan in Europe and Central Asia), so that one far
  partner does not shrink everything else to a speck. An inset goes in a corner of the
  main map where it hides no country with a value (along the bottom edge, else the top),
  or in a row below it.
* A country wider than 100° of longitude (Russia) joins the group nearest to it, and is
  shown only where it meets that group's extent.
* Projection: Equal Earth centred on the group's middle meridian: equal-area, as a
  choropleth needs (a country's ink follows its area), with straight parallels, so that
  north stays up from Lisbon to Ulaanbaatar (an azimuthal projection tilts the edges of
  so wide a region by 50°). A group wider than 160° is centred on Greenwich.
* A country with activities whose shape is missing at 1:110m (Malta, Liechtenstein,
  Andorra...) or too small to see is also drawn as a circle at its centroid.
* Classes: up to five, at the quantiles of the values (each class a range of whole
  numbers that occur), coloured with ColorBrewer's YlGnBu scale (safe for colour-blind
  readers, and printable in grey).
"""

from __future__ import annotations

import functools
import json
import math
import unicodedata
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from markupsafe import Markup

from . import model as m
from .i18n import Words

DATA = Path(__file__).parent / "data" / "countries-110m.json"

# ColorBrewer YlGnBu, 5 classes (Cynthia Brewer, Pennsylvania State University; Apache 2.0)
SCALE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
WIDTH = 1000  # of the main map, in SVG units (the SVG scales to its box)
INSET_WIDTHS = (240.0, 200.0, 160.0)
GAP = 16
LINK = 20.0  # degrees between extents that join countries in one group
PART = 2.0  # degrees between a country's polygons that count as one extent
SPRAWL = 100.0  # degrees of longitude beyond which a country is cropped to its group
DOT = 6.0  # radius of a country's circle
SMALL = 36.0  # drawn area (square units) under which a country also gets its circle

Point = tuple[float, float]
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 (or lon0, lat0, lon1, lat1)


@dataclass(frozen=True)
class World:
    """The shapes (lon, lat in degrees) and marker points of every country, by code."""

    shapes: dict[str, tuple[Polygon, ...]]
    points: dict[str, Point]


@functools.cache
def world() -> World:
    """The shipped shapes, read once."""
    data = json.loads(DATA.read_text("utf-8"))
    scale = float(data["scale"])

    def ring(flat: list[int]) -> Ring:
        out: list[Point] = []
        x = y = 0
        for i in range(0, len(flat), 2):
            x, y = x + flat[i], y + flat[i + 1]
            out.append((x / scale, y / scale))
        return tuple(out)

    shapes = {code: tuple(tuple(ring(r) for r in polygon) for polygon in polygons)
              for code, polygons in data["shapes"].items()}
    points = {code: (x / scale, y / scale) for code, (x, y) in data["points"].items()}
    return World(shapes, points)


@dataclass(frozen=True)
class CountryMap:
    """A drawn map: its SVG, its legend's classes (colour, lowest value, highest value) and
    the legend's word for a country without a figure (`none`), a note under the legend,
    and its table alternative: the headings of its figures (`columns`) and its rows (code,
    name, figures, link), which `table` says to show (a page that lists the same figures
    in its own table need not). `key` names the map in the page (its ids)."""

    title: str
    svg: Markup
    classes: tuple[tuple[str, int, int], ...]
    rows: tuple[tuple[str, str, tuple[int | None, ...], str | None], ...]
    table: bool = True
    key: str = "map"
    none: str = ""
    note: str = ""
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountryMaps:
    """The maps of a page (map.html): the activities per country and, when any of those
    activities records its participants, the participants per country, on the same layout."""

    activities: CountryMap
    participants: CountryMap | None


def name_order(name: str) -> tuple[str, str]:
    """How a reader looks a country up in a list: by its letters without their accents and
    case (Österreich among the O's, Émirats arabes unis among the E's), then as written."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return (plain.casefold(), name)


def choropleth(values: Mapping[str, int], names: Mapping[str, str], label: Callable[[str, int], str],
               href: Callable[[str], str | None], title: str, table: bool = True, *, key: str = "map",
               within: Iterable[str] = ()) -> CountryMap | None:
    """The map of `values` (a positive number per country code): each country named
    `label(code, value)`, and a link to `href(code)` unless that is None; `title` names
    the whole map, `key` prefixes its ids. The map is laid out for the countries with a
    value and those `within` (drawn as land without one: two maps of the same countries
    then match). None when no country has a value."""
    points = world().points
    shown = {c: v for c, v in values.items() if v > 0 and c in points}
    if not shown:
        return None
    classes = _classes(sorted(shown.values()))
    colour = {c: next(col for col, lo, hi in classes if lo <= v <= hi) for c, v in shown.items()}
    layout = _layout(tuple(sorted(set(shown) | {c for c in within if c in points})))
    parts = [f'<svg class="map-svg" viewBox="0 0 {WIDTH} {_n(layout.height)}" width="{WIDTH}" '
             f'height="{_n(layout.height)}" aria-label="{_attr(title)}">',
             '<g aria-hidden="true">']  # the paint layer (see the module's docstring)
    for frame in layout.frames:
        x0, y0, x1, y1 = frame.box
        parts.append(f'<rect class="map-frame" x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" '
                     f'height="{_n(y1 - y0)}"/>')
        if frame.land:
            parts.append(f'<path class="map-land" d="{frame.land}"/>')
        for code, d in frame.others:
            parts.append(f'<path class="map-other" fill="{colour[code]}" d="{d}"/>' if code in shown else
                         f'<path class="map-land" d="{d}"/>')
    circles: list[str] = []
    drawn: list[tuple[str, str]] = []  # (code, the ids of its shape and circle, as <use>s)
    for frame in layout.frames:
        for code, d, dot in frame.countries:
            if code not in shown:
                if d:
                    parts.append(f'<path class="map-land" d="{d}"/>')
                continue
            # a link for the mouse, out of the tab order (the link layer has the keyboard's)
            link = href(code)
            opening = ((f'<a href="{_attr(link)}" tabindex="-1">' if link else "<g>")
                       + f"<title>{_attr(label(code, shown[code]))}</title>")
            closing = "</a>" if link else "</g>"
            uses = ""
            if d:
                parts.append(f'{opening}<path id="{key}-{code}" fill="{colour[code]}" d="{d}"/>{closing}')
                uses += f'<use href="#{key}-{code}"/>'
            if dot:
                circles.append(f'{opening}<circle id="{key}-{code}-o" class="map-dot" fill="{colour[code]}" '
                               f'cx="{_n(dot[0])}" cy="{_n(dot[1])}" r="{_n(DOT)}"/>{closing}')
                uses += f'<use href="#{key}-{code}-o"/>'
            drawn.append((code, uses))
    parts += circles  # (on top of every shape: a circle may lie on a neighbour)
    parts.append("</g>")
    for code, uses in sorted(drawn, key=lambda x: (name_order(names[x[0]]), x[0])):
        name = _attr(label(code, shown[code]))
        link = href(code)
        # a country without a page is no link, and so no stop of the keyboard's
        parts.append(f'<a href="{_attr(link)}" aria-label="{name}" data-country="{code}">{uses}</a>' if link else
                     f'<g role="img" aria-label="{name}" data-country="{code}">{uses}</g>')
    parts.append("</svg>")
    rows = tuple(sorted(((c, names[c], (v,), href(c)) for c, v in values.items() if v > 0),
                        key=lambda r: (name_order(r[1]), r[0])))
    return CountryMap(title, Markup("".join(parts)), classes, rows, table, key)


def activity_counts(activities: Iterable[m.Activity]) -> dict[str, int]:
    """The number of activities involving each country (hosting it or taking part)."""
    counts: dict[str, int] = {}
    for act in activities:
        for code in act.all_countries:
            counts[code] = counts.get(code, 0) + 1
    return counts


def participant_counts(activities: Iterable[m.Activity]) -> dict[str, int]:
    """The participants of the activities involving each country: each activity's whole
    total in each of its countries (see the module's docstring); only countries with an
    activity that records its participants."""
    counts: dict[str, int] = {}
    for act in activities:
        if act.participants:
            for code in act.all_countries:
                counts[code] = counts.get(code, 0) + act.participants.total
    return counts


def country_maps(activities: Iterable[m.Activity], words: Words, root: str, titles: tuple[str, str],
                 pages: Container[str], table: bool = True) -> CountryMaps | None:
    """The maps of the activities per country and of their participants (`titles`: the
    two maps' titles), each country linked to its page when it has one (`pages`: the codes
    of the countries that have; `root`: the way from the page up to the site's root);
    `table`: whether the activities map shows its table (the participants map always
    does). Cancelled activities are not counted, as on the dashboard. None when no activity
    that counts names a country."""
    acts = tuple(a for a in activities if a.status != "cancelled")
    names = words.countries

    def href(code: str) -> str | None:
        return f"{root}countries/{code.lower()}/" if code in pages else None

    counts = activity_counts(acts)
    first = choropleth(counts, names,
                       lambda code, n: words.plural("%(country)s: %(n)s activity", "%(country)s: %(n)s activities",
                                                    n, country=names[code]),
                       href, titles[0], table, key="map-a")
    if first is None:
        return None
    first = replace(first, none=words("No activities"), columns=(words("Activities"),))
    people = participant_counts(acts)
    second = choropleth(people, names,
                        lambda code, n: words.plural("%(country)s: %(n)s participant", "%(country)s: %(n)s participants",
                                                     n, country=names[code]),
                        href, titles[1], key="map-p", within=counts)
    if second is None:
        return CountryMaps(first, None)
    note = _overlap_note(acts, words)
    rows = tuple((code, name, (people.get(code), n), link) for code, name, (n,), link in first.rows)
    second = replace(second, rows=rows, none=words("No participants recorded"), note=note,
                     columns=(words("Participants"), words("Activities")))
    return CountryMaps(first, second)


def _overlap_note(acts: tuple[m.Activity, ...], words: Words) -> str:
    """What the participants map's figures add up to, when an activity in several countries
    counts its participants in each; it names the part in completed activities when others
    have some, which is the figure the dashboard shows (a reader saw two totals)."""
    if not any(a.participants and a.participants.total and len(a.all_countries) > 1 for a in acts):
        return ""
    total = sum(a.participants.total for a in acts if a.participants)
    done = sum(a.participants.total for a in acts if a.participants and a.status == "completed")
    if done == total:
        return words.plural(
            "Participants are not recorded by country: an activity in several countries counts all its participants "
            "in each of them. The figures overlap, and add up to more than the %(n)s participant of these activities.",
            "Participants are not recorded by country: an activity in several countries counts all its participants "
            "in each of them. The figures overlap, and add up to more than the %(n)s participants of these activities.",
            total)
    return words.plural(
        "Participants are not recorded by country: an activity in several countries counts all its participants "
        "in each of them. The figures overlap, and add up to more than the %(n)s participant of these activities "
        "(%(done)s of them in completed activities).",
        "Participants are not recorded by country: an activity in several countries counts all its participants "
        "in each of them. The figures overlap, and add up to more than the %(n)s participants of these activities "
        "(%(done)s of them in completed activities).",
        total, done=words.number(done))


def _classes(values: list[int]) -> tuple[tuple[str, int, int], ...]:
    """Up to five classes of whole numbers at the quantiles of `values` (sorted, positive)."""
    k = min(len(SCALE), len(set(values)))
    n = len(values)
    tops = sorted({values[max(0, math.ceil(n * i / k) - 1)] for i in range(1, k + 1)})
    colours = [SCALE[round(i * (len(SCALE) - 1) / (len(tops) - 1))] if len(tops) > 1 else SCALE[3]
               for i in range(len(tops))]
    out, low = [], values[0]
    for col, top in zip(colours, tops):
        out.append((col, low, top))
        low = top + 1
    return tuple(out)


# -- layout --------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """One map (the main one or an inset): its box in SVG units and what it draws."""

    box: Box
    inset: bool
    land: str  # path of the countries without a value
    others: tuple[tuple[str, str], ...]  # countries with a value whose own map is another frame
    countries: tuple[tuple[str, str, Point | None], ...]  # (code, path, circle centre)
    taken: tuple[Box, ...]  # where those countries are drawn (an inset must not hide them)


@dataclass(frozen=True)
class Layout:
    height: float
    frames: tuple[Frame, ...]


# codes -> their Layout: made once per process, and kept by a cached build for the next
# one (`know_layouts`, `layouts_to_keep`: a status edit's area page then draws its map
# without laying out the world again, up to ~0.12 s at 10,000 activities)
_LAYOUTS: dict[tuple[str, ...], Layout] = {}
LAYOUTS_KEPT = 32
_USED: set[tuple[str, ...]] = set()  # the codes drawn since know_layouts (what a build keeps)


def _layout(codes: tuple[str, ...]) -> Layout:
    """The layout of `codes` (_lay_out), made once."""
    found = _LAYOUTS.get(codes)
    if len(_USED) < 4 * LAYOUTS_KEPT:
        _USED.add(codes)
    if found is None:
        found = _lay_out(codes)
        if len(_LAYOUTS) >= LAYOUTS_KEPT:
            _LAYOUTS.pop(next(iter(_LAYOUTS)))
        _LAYOUTS[codes] = found
    return found


def layouts_to_keep(known: object) -> dict[tuple[str, ...], Layout] | None:
    """What a build keeps for the next: the layouts it knew (`known`, as know_layouts took
    them), then those drawn since, at most LAYOUTS_KEPT; None when it drew none it did not
    know (the kept file stays as it is)."""
    before = known if isinstance(known, dict) else {}
    drawn = {codes: layout for codes, layout in _LAYOUTS.items() if codes in _USED}
    if drawn.keys() <= before.keys():
        return None
    kept = {**{codes: layout for codes, layout in before.items() if codes not in drawn}, **drawn}
    return dict(list(kept.items())[-LAYOUTS_KEPT:])


def know_layouts(known: object) -> None:
    """Take the layouts a build kept (`known`, from its cache: anything else is ignored)."""
    _USED.clear()
    if isinstance(known, dict):
        for codes, layout in list(known.items())[-LAYOUTS_KEPT:]:
            if isinstance(codes, tuple) and isinstance(layout, Layout):
                _LAYOUTS.setdefault(codes, layout)


def _lay_out(codes: tuple[str, ...]) -> Layout:
    """Where each of `codes` is drawn: the main map and its insets (see module docstring)."""
    groups = _groups(codes)
    main = _frame(groups[0], set(codes), (0.0, 0.0), WIDTH, (0.4, 0.85), False)
    frames = [main]
    taken = list(main.taken)
    height = main.box[3]
    row: tuple[float, float, float] | None = None  # insets that find no room: x, top, height of a row below
    for group in groups[1:]:
        spot = None
        for w in INSET_WIDTHS:  # the widest that finds room
            h = _frame(group, set(codes), (0.0, 0.0), w, (0.5, 1.0), True).box[3]
            spot = next((p for p in _spots(main.box, w, h)
                         if not any(_touches(_grow(t, GAP / 2), (*p, p[0] + w, p[1] + h)) for t in taken)), None)
            if spot:
                break
        if spot is None:
            w = INSET_WIDTHS[0]
            h = _frame(group, set(codes), (0.0, 0.0), w, (0.5, 1.0), True).box[3]
            x, top, row_height = row or (0.0, height + GAP, 0.0)
            if x + w > WIDTH:
                x, top, row_height = 0.0, top + row_height + GAP, 0.0
            spot = (x, top)
            row = (x + w + GAP, top, max(row_height, h))
            height = max(height, top + h)
        inset = _frame(group, set(codes), spot, w, (0.5, 1.0), True)
        frames.append(inset)
        taken.append(inset.box)
    return Layout(height, tuple(frames))


def _spots(box: Box, w: float, h: float) -> list[Point]:
    """Where an inset `w` by `h` may go inside the main map: its corners (bottom left,
    bottom right, top right, top left), then along its bottom edge, then its top edge."""
    edge = GAP / 2
    xs = [box[0] + edge + i * GAP for i in range(int((box[2] - box[0] - w - 2 * edge) // GAP) + 1)]
    left, right = box[0] + edge, box[2] - edge - w
    bottom, top = box[3] - edge - h, box[1] + edge
    return [(left, bottom), (right, bottom), (right, top), (left, top)] + [(x, bottom) for x in xs] + [(x, top) for x in xs]


def _extent(code: str) -> Box:
    """The box (degrees) of a country's largest polygon and the polygons near it."""
    w = world()
    polygons = w.shapes.get(code)
    if not polygons:
        x, y = w.points[code]
        return (x, y, x, y)
    boxes = [_bounds(p[0]) for p in polygons]
    largest = max(range(len(polygons)), key=lambda i: abs(_area(polygons[i][0])))
    box, used, grown = boxes[largest], {largest}, True
    while grown:
        grown = False
        for i, b in enumerate(boxes):
            if i not in used and _gap(box, b) <= PART:
                box, grown = _union(box, b), True
                used.add(i)
    return box


def _groups(codes: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The countries in groups of extents within LINK degrees; the biggest group first,
    then from west to east. A sprawling country does not join groups: it joins the group
    nearest to it (or makes its own)."""
    extents = {c: _extent(c) for c in codes}
    compact = [c for c in codes if not _sprawls(extents[c])]
    parent = {c: c for c in compact}

    def root(c: str) -> str:
        while parent[c] != c:
            c = parent[c]
        return c

    for i, a in enumerate(compact):
        for b in compact[i + 1:]:
            if _gap(extents[a], extents[b]) <= LINK:
                parent[root(b)] = root(a)
    found: dict[str, list[str]] = {}
    for c in compact:
        found.setdefault(root(c), []).append(c)
    for c in codes:
        if c not in parent:
            gap, near = min(((min(_gap(extents[c], extents[x]) for x in g), k) for k, g in found.items()
                             if k in parent), default=(math.inf, c))
            found.setdefault(near if gap <= LINK else c, []).append(c)
    groups = [tuple(sorted(g)) for g in found.values()]
    biggest = max(groups, key=lambda g: (len(g), -min(extents[c][0] for c in g)))
    rest = sorted((g for g in groups if g is not biggest), key=lambda g: (min(extents[c][0] for c in g), g))
    return [biggest, *rest]


def _sprawls(box: Box) -> bool:
    return box[2] - box[0] > SPRAWL


def _frame(group: tuple[str, ...], valued: set[str], origin: Point, width: float,
           aspect: tuple[float, float], inset: bool) -> Frame:
    """One group's map, `width` wide at `origin`, its height/width ratio within `aspect`."""
    w = world()
    extents = {c: _extent(c) for c in group}
    compact = [e for e in extents.values() if not _sprawls(e)]
    if compact:
        ext = functools.reduce(_union, compact)
        for e in extents.values():  # a sprawling country: shown where it meets the others
            if _sprawls(e) and not _intersect(e, ext):
                ext = _union(ext, _intersect(e, _grow(ext, LINK)) or ext)
    else:
        ext = functools.reduce(_union, extents.values())
    ext = _at_least(ext, 10.0, 6.0)
    project = _projection(ext)
    # the frame: the points of the group's countries within their extent, projected
    xs: list[float] = []
    ys: list[float] = []
    for c in group:
        near = ext if _sprawls(extents[c]) and compact else _grow(ext, 1.0)
        for polygon in w.shapes.get(c, ()):
            for lon, lat in polygon[0]:
                if near[0] <= lon <= near[2] and near[1] <= lat <= near[3]:
                    p = project(lon, lat)
                    if p:
                        xs.append(p[0])
                        ys.append(p[1])
        p = project(*w.points[c])
        if p and near[0] <= w.points[c][0] <= near[2] and near[1] <= w.points[c][1] <= near[3]:
            xs.append(p[0])
            ys.append(p[1])
    box = (min(xs), min(ys), max(xs), max(ys))
    margin = 0.04 * max(box[2] - box[0], box[3] - box[1], 1e-9)
    box = _fit(_grow(box, margin), aspect)
    scale = width / (box[2] - box[0])
    height = (box[3] - box[1]) * scale
    ox, oy = origin
    frame_box = (ox, oy, ox + width, oy + height)

    def to_svg(lon: float, lat: float) -> Point | None:
        p = project(lon, lat)
        return None if p is None else (ox + (p[0] - box[0]) * scale, oy + (p[1] - box[1]) * scale)

    clip = _grow(frame_box, 2.0)
    seam = math.pi * scale  # half the world's width at the equator, in SVG units
    reach = _grow(ext, 30.0)
    land: list[str] = []
    others: list[tuple[str, str]] = []
    countries: list[tuple[str, str, Point | None]] = []
    taken: list[Box] = []
    for code in sorted(w.shapes):
        polygons = w.shapes[code]
        if not any(_touches(_bounds(p[0]), reach) for p in polygons):
            continue
        d, area, bounds = _path(polygons, to_svg, clip, seam)
        if code in group:
            dot = None
            if area < SMALL:
                dot = to_svg(*w.points[code])
            countries.append((code, d, dot))
            taken += [b for b in (bounds, _dot_box(dot)) if b]
        elif d and code in valued:
            others.append((code, d))
        elif d:
            land.append(d)
    for code in group:
        if code not in w.shapes:
            dot = to_svg(*w.points[code])
            countries.append((code, "", dot))
            taken += [b for b in (_dot_box(dot),) if b]
    # the smallest on top, so that a circle is never under a neighbour's shape
    countries.sort(key=lambda x: (x[2] is not None, x[0]))
    return Frame(frame_box, inset, "".join(land), tuple(others), tuple(countries), tuple(taken))


def _dot_box(dot: Point | None) -> Box | None:
    return None if dot is None else (dot[0] - DOT, dot[1] - DOT, dot[0] + DOT, dot[1] + DOT)


def _projection(ext: Box) -> Callable[[float, float], Point | None]:
    """Equal Earth centred on the middle meridian of `ext` (on Greenwich for a world-wide
    one, where the shapes are cut at the 180th meridian); x to the right, y downwards.
    A point across the meridian opposite the centre has none (see `_path`)."""
    lon0 = 0.0 if ext[2] - ext[0] > 160 else (ext[0] + ext[2]) / 2

    def project(lon: float, lat: float) -> Point | None:
        return _equal_earth((lon - lon0 + 180) % 360 - 180, lat)

    return project


def _equal_earth(lon: float, lat: float) -> Point:
    """Equal Earth (Šavrič, Patterson and Jenny, 2018): an equal-area projection whose
    parallels stay straight, so that north is up across a wide region."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    theta = math.asin(math.sqrt(3) / 2 * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * math.radians(lon) * math.cos(theta) / (3 * (9 * a4 * t6 * t2 + 7 * a3 * t6 + 3 * a2 * t2 + a1))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return (x, -y)


def _path(polygons: tuple[Polygon, ...], to_svg: Callable[[float, float], Point | None],
          clip: Box, seam: float) -> tuple[str, float, Box | None]:
    """A country's SVG path (clipped to `clip`, in tenths of a unit, relative moves), the
    area its outlines cover and their box."""
    out: list[str] = []
    area = 0.0
    bounds: Box | None = None
    for polygon in polygons:
        for n, ring in enumerate(polygon):
            points = [p for p in (to_svg(lon, lat) for lon, lat in ring) if p is not None]
            if any(abs(a[0] - b[0]) > seam for a, b in zip(points, points[1:])):
                continue  # (a ring across the meridian opposite the map's centre: far off the map)
            points = _clip(points, clip)
            tenths: list[tuple[int, int]] = []
            for x, y in points:
                q = (round(x * 10), round(y * 10))
                if not tenths or abs(q[0] - tenths[-1][0]) + abs(q[1] - tenths[-1][1]) > 5:
                    tenths.append(q)
            if len(tenths) < 3:
                continue
            if n == 0:
                outline = tuple((x / 10, y / 10) for x, y in tenths)
                area += abs(_area(outline))
                bounds = _bounds(outline) if bounds is None else _union(bounds, _bounds(outline))
            text = [f"M{_t(tenths[0][0])}{_sep(tenths[0][1])}", "l"]
            for (x0, y0), (x1, y1) in zip(tenths, tenths[1:]):
                pair = f"{_t(x1 - x0)}{_sep(y1 - y0)}"
                text.append(pair if pair.startswith("-") or text[-1] == "l" else " " + pair)
            out.append("".join(text) + "z")
    return "".join(out), area, bounds


def _clip(points: list[Point], box: Box) -> list[Point]:
    """A ring clipped to a box (Sutherland-Hodgman)."""
    for axis, limit, keep_above in ((0, box[0], True), (0, box[2], False), (1, box[1], True), (1, box[3], False)):
        if not points:
            break

        def inside(p: Point, axis: int = axis, limit: float = limit, keep_above: bool = keep_above) -> bool:
            return p[axis] >= limit if keep_above else p[axis] <= limit

        out: list[Point] = []
        for i, cur in enumerate(points):
            prev = points[i - 1]
            if inside(cur):
                if not inside(prev):
                    out.append(_crossing(prev, cur, axis, limit))
                out.append(cur)
            elif inside(prev):
                out.append(_crossing(prev, cur, axis, limit))
        points = out
    return points


def _crossing(a: Point, b: Point, axis: int, limit: float) -> Point:
    t = (limit - a[axis]) / (b[axis] - a[axis])
    p = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
    return (limit, p[1]) if axis == 0 else (p[0], limit)


# -- small geometry ------------------------------------------------------------------


def _bounds(ring: Ring) -> Box:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return (min(xs), min(ys), max(xs), max(ys))


def _area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1])) / 2


def _gap(a: Box, b: Box) -> float:
    return max(0.0, b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])


def _union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _intersect(a: Box, b: Box) -> Box | None:
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None


def _touches(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _grow(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def _at_least(box: Box, width: float, height: float) -> Box:
    """`box` widened about its centre to at least `width` by `height`."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    w, h = max(box[2] - box[0], width), max(box[3] - box[1], height)
    return (cx - w / 2, max(-90.0, cy - h / 2), cx + w / 2, min(90.0, cy + h / 2))


def _fit(box: Box, aspect: tuple[float, float]) -> Box:
    """`box` widened about its centre so that height/width lies within `aspect`."""
    w, h = box[2] - box[0], box[3] - box[1]
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    if h < aspect[0] * w:
        h = aspect[0] * w
    elif h > aspect[1] * w:
        w = h / aspect[1]
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


# -- SVG text ------------------------------------------------------------------------


def _t(tenths: int) -> str:
    """A number given in tenths, shortest: 12, 1.5, .5, -.5."""
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), 10)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{frac}"


def _sep(tenths: int) -> str:
    """The second number of a pair, with its separator."""
    text = _t(tenths)
    return text if text.startswith("-") else " " + text


def _n(value: float) -> str:
    return _t(round(value * 10))


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))
