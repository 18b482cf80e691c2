"""Share cards: the picture a link to a page shows in chat apps and social networks
(Open Graph `og:image`, 1200 x 630 PNG), drawn at build time from the page's own figures.

One card per page where the figures say something at a glance: the dashboard (each area's
progress, the time elapsed), an area (its indicators' attainment) and an indicator (its
values over time against the target). Every other page shows the dashboard's card.

The cards hold no words: the network prints the page's title and description beside the
picture, in the reader's language, and a picture without text serves every language of a
site (Arabic and Russian included) with one file and no font. They are made of rectangles,
written as PNG with zlib: no imaging library, no browser, a few milliseconds each, the
same bytes on every machine. `og:image:alt` (the page's description) says what they show.
"""

from __future__ import annotations

import struct
import threading
import zlib

from . import model as m
from .progress import AreaProgress, IndicatorProgress
from .render import Job, Renderer, page_kind

WIDTH, HEIGHT = 1200, 630
_WHITE = (255, 255, 255)
_TRACK = (226, 230, 236)  # the empty part of a bar
_INK = (18, 53, 91)  # the theme's header colour (site.css .site-header)
_MARK = (40, 40, 40)  # time elapsed, target

RGB = tuple[int, int, int]

# The PNG bytes of the pictures written lately, by what was painted (Canvas.png)
_WRITTEN: dict[tuple[object, ...], bytes] = {}
_WRITING = threading.Lock()


class Canvas:
    """A picture that rectangles are painted on, written as PNG: one byte per pixel naming a
    colour of its palette (in the order first used), rows one after the other, each after the
    byte of its PNG filter (0: none), so that the buffer is what PNG compresses."""

    def __init__(self, width: int = WIDTH, height: int = HEIGHT, background: RGB = _WHITE) -> None:
        self.width, self.height, self.stride = width, height, width + 1
        self.palette: dict[RGB, int] = {background: 0}
        self.buf = bytearray(self.stride * height)  # (index 0, the background, and filter bytes 0)
        self.painted: list[tuple[int, int, int, int, RGB]] = []  # (for a picture of too many colours)

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: RGB) -> None:
        """Fill the rectangle from (x0, y0) to (x1, y1), clipped to the picture."""
        left, right = max(0, round(x0)), min(self.width, round(x1))
        top, bottom = max(0, round(y0)), min(self.height, round(y1))
        if left >= right or top >= bottom:
            return
        index = self.palette.setdefault(color, len(self.palette))
        self.painted.append((left, top, right, bottom, color))
        buf, stride = self.buf, self.stride
        if right - left < bottom - top:  # (a column: one slice per x, every stride-th byte)
            column = bytes([index % 256]) * (bottom - top)
            for x in range(left + 1, right + 1):
                buf[top * stride + x:bottom * stride + x:stride] = column
        else:
            run = bytes([index % 256]) * (right - left)
            for y in range(top, bottom):
                buf[y * stride + 1 + left:y * stride + 1 + right] = run

    def dashed_vline(self, x: float, y0: float, y1: float, color: RGB, width: int = 4, dash: int = 14) -> None:
        y = y0
        while y < y1:
            self.rect(x - width / 2, y, x + width / 2, min(y + dash, y1), color)
            y += 2 * dash

    def dashed_hline(self, y: float, x0: float, x1: float, color: RGB, width: int = 4, dash: int = 18) -> None:
        x = x0
        while x < x1:
            self.rect(x, y - width / 2, min(x + dash, x1), y + width / 2, color)
            x += 2 * dash

    def png(self) -> bytes:
        """The picture as PNG: with a palette (colour type 3), or in RGB (type 2) when it
        holds more than 256 colours. A picture painted as one this process wrote lately is
        that one's bytes: compressing is most of a card's cost, and the preview and `check`
        draw the same cards again and again."""
        key = (self.width, self.height, next(iter(self.palette)), tuple(self.painted))
        made = _WRITTEN.get(key)
        if made is None:
            made = self._png()
            with _WRITING:  # (the oldest out, the newest in, one thread at a time)
                if len(_WRITTEN) >= 256:
                    del _WRITTEN[next(iter(_WRITTEN))]
                _WRITTEN[key] = made
        return made

    def _png(self) -> bytes:
        colors = sorted(self.palette, key=self.palette.__getitem__)
        if len(colors) <= 256:
            header = struct.pack(">IIBBBBB", self.width, self.height, 8, 3, 0, 0, 0)
            chunks = _chunk(b"PLTE", b"".join(bytes(c) for c in colors))
            raw = bytes(self.buf)
        else:  # (more colours than a palette holds, e.g. a plan of 300 areas: painted again in RGB)
            header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
            chunks = b""
            rows = [bytearray(bytes(colors[0]) * self.width) for _ in range(self.height)]
            for left, top, right, bottom, color in self.painted:
                for y in range(top, bottom):
                    rows[y][3 * left:3 * right] = bytes(color) * (right - left)
            raw = b"".join(b"\x00" + row for row in rows)
        return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + chunks
                + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def rgb(color: str) -> RGB:
    """#rrggbb (or #rgb) -> (r, g, b); anything else is the theme's ink."""
    text = color.lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    try:
        return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)) if len(text) == 6 else _INK
    except ValueError:
        return _INK


def _frame(canvas: Canvas, accent: RGB) -> tuple[int, int, int, int]:
    """The band at the top (the site's colour, then the page's) and the plot box inside the margins."""
    canvas.rect(0, 0, WIDTH, 36, _INK)
    canvas.rect(0, 36, WIDTH, 48, accent)
    return 80, 96, WIDTH - 80, HEIGHT - 64


def _bars(canvas: Canvas, box: tuple[int, int, int, int], bars: list[tuple[float | None, RGB]],
          expected: float | None) -> None:
    """One horizontal bar per value (0..1, None: an empty track), and a dashed line at `expected`."""
    left, top, right, bottom = box
    n = max(1, len(bars))
    pitch = (bottom - top) / n
    thick = min(64.0, pitch * 0.62)
    for i, (value, color) in enumerate(bars):
        y = top + i * pitch + (pitch - thick) / 2
        canvas.rect(left, y, right, y + thick, _TRACK)
        share = min(1.0, max(0.0, value or 0.0))
        canvas.rect(left, y, left + share * (right - left), y + thick, color)
    if expected is not None:
        x = left + min(1.0, max(0.0, expected)) * (right - left)
        canvas.dashed_vline(x, top - 8, bottom + 8, _MARK)


def plan_card(areas: tuple[AreaProgress, ...], colors: dict[str, str]) -> bytes:
    """Each area's progress (indicator attainment, else activity completion) in its colour,
    and the time elapsed."""
    canvas = Canvas()
    box = _frame(canvas, _INK)
    bars = [(a.attainment if a.attainment is not None else a.completion, rgb(colors.get(a.area.id, "")))
            for a in areas]
    _bars(canvas, box, bars, areas[0].expected if areas else None)
    return canvas.png()


def area_card(prog: AreaProgress, color: str) -> bytes:
    """The area's indicators' attainment in its colour, and the time elapsed."""
    canvas = Canvas()
    accent = rgb(color)
    box = _frame(canvas, accent)
    bars: list[tuple[float | None, RGB]] = [(p.attainment, accent) for p in prog.indicators]
    if not bars:  # an area without indicators: its activities completed
        bars = [(prog.completion, accent)]
    _bars(canvas, box, bars, prog.expected)
    return canvas.png()


def indicator_card(p: IndicatorProgress, series: list[tuple[object, float]], color: str) -> bytes:
    """The indicator's values over time as columns, the baseline at the bottom and a dashed
    line at the target."""
    canvas = Canvas()
    accent = rgb(color)
    left, top, right, bottom = _frame(canvas, accent)
    ind = p.indicator
    values = [v for _, v in series]
    low = min([ind.baseline, 0.0, *values])
    high = max([ind.target, ind.baseline, *values]) or 1.0
    span = (high - low) or 1.0

    def y_of(v: float) -> float:
        return bottom - (v - low) / span * (bottom - top - 24)

    canvas.rect(left, bottom, right, bottom + 4, _MARK)  # the axis
    if values:
        pitch = (right - left) / len(values)
        thick = min(120.0, pitch * 0.7)
        for i, v in enumerate(values):
            x = left + i * pitch + (pitch - thick) / 2
            canvas.rect(x, y_of(v), x + thick, bottom, accent)
    canvas.dashed_hline(y_of(ind.target), left, right, _MARK)
    return canvas.png()


# -- the card files: once per site, at its root (they hold no words) --------------------

def card_path(job: Job) -> str:
    """The card of a page (its job in the first language): its own, or the dashboard's."""
    if job.kind in ("area", "area_results"):  # (an area's results framework shows its indicators too)
        return f"cards/areas/{job.key}.png"
    if job.kind == "indicator":
        return f"cards/indicators/{job.key}.png"
    return "cards/plan.png"


def jobs(site: m.Site) -> list[Job]:
    out = [Job("cards/plan.png", "card_plan", deps=frozenset({"plan", "activities"}))]
    out += [Job(f"cards/areas/{a.id}.png", "card_area", a.id, frozenset({f"area:{a.id}"}))
            for a in site.plan.areas]
    out += [Job(f"cards/indicators/{i.id}.png", "card_indicator", i.id, frozenset({f"area:{i.area}"}))
            for i in site.plan.indicators]
    return out


@page_kind("card_plan")
def _plan(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    return [(job.path, plan_card(tuple(r.progress[a.id] for a in r.site.plan.areas), r.colors))]


@page_kind("card_area")
def _area(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    return [(job.path, area_card(r.progress[job.key], r.colors.get(job.key, "")))]


@page_kind("card_indicator")
def _indicator(r: Renderer, job: Job) -> list[tuple[str, bytes]]:
    area = r.records.indicator_area[job.key]
    p = next(x for x in r.progress[area.id].indicators if x.indicator.id == job.key)
    return [(job.path, indicator_card(p, list(r.series(p.indicator)), r.colors.get(area.id, "")))]
