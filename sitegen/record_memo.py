"""What a renderer makes once per record and keeps: each activity's list item and round
lines (macros of macros.html), its pieces of the site-wide data files (`RecordTexts`) and
each area's progress with what it was computed from.

A build renders each of them once however many pages show them; the preview server's next
renderer takes them over (`RecordMemo.take_over`) and checks each per record by identity (a
preview rebuild keeps unchanged records as the same objects), so an edit costs the pieces of
the records it changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Container, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup, escape

from . import model as m
from .cache import Sharded
from .progress import AreaProgress, area_progress, contributors, counted_by, same_basis

if TYPE_CHECKING:
    from .languages import Languages


class RecordTexts:
    """Each activity's piece of the site-wide data files (activities JSON and CSV, the
    list's filter index), kept from one build to the next by the activity's page key
    (keys.page_key: its record and every site-wide fact its page shows, area titles and base
    URL included). A piece whose key is in `old` is taken from there; `used` holds the
    pieces of this build, which the build saves for the next one with the pieces of `old`
    still current (`kept`). Without keys (the default), every piece is made, or, with
    `remember` (the preview server), taken from the memo of pieces made for the same record
    object: a preview rebuild keeps unchanged records as the same objects, and the renderer
    of the next rebuild takes the memo over (RecordMemo.take_over) when the site-wide facts
    the pieces show are the same."""

    def __init__(self, keys: dict[str, bytes] | None = None, old: dict[tuple[bytes, str], str] | None = None,
                 remember: bool = False):
        self.keys = keys or {}  # activity id -> page key
        self.old = old or {}
        self.used: dict[tuple[bytes, str], str] = {}
        self.memo: dict[tuple[int, str], tuple[m.Activity, str]] | None = {} if remember else None

    def kept(self) -> dict[tuple[bytes, str], str]:
        """The pieces to keep for the next build: those of this build, and the last build's
        pieces of records whose page key still holds (the outputs that show them were kept,
        not rendered: their pieces are still current)."""
        current = set(self.keys.values())
        kept = {k: v for k, v in self.old.items() if k[0] in current}
        kept.update(self.used)
        return kept

    def get(self, act: m.Activity, kind: str, make: Callable[..., str], *args: Any) -> str:
        key = self.keys.get(act.id) if self.keys else None
        if key is None:
            if self.memo is None:
                return make(*args)
            hit = self.memo.get((id(act), kind))
            if hit is None or hit[0] is not act:
                hit = self.memo[(id(act), kind)] = (act, make(*args))
            return hit[1]
        text = self.used.get((key, kind))
        if text is None:
            text = self.old.get((key, kind))
            if text is None:
                text = make(*args)
            self.used[(key, kind)] = text
        return text


def texts_store(folder: Path) -> Sharded:
    """Where a cached build keeps the pieces (RecordTexts.kept) in `folder`: in files by
    activity page key, so that an edit rewrites the one or two its record's keys name."""
    return Sharded(folder, "texts", lambda key: key[0].hex(), former="texts.pickle")


class RecordMemo:
    """The per-record pieces of one renderer's pages: made with the templates of `env`, the
    area titles `area_title` and the country names `countries` of the renderer's language,
    and which texts are in another language than its pages' (`languages`: text_lang and
    plan_lang, which the macros see). `texts`: the records' pieces of the data files (a
    cached build gives it keys: build.py)."""

    def __init__(self, env: jinja2.Environment, area_title: dict[str, str], countries: dict[str, str],
                 remember: bool, languages: Languages):
        self.env, self.area_title, self.countries = env, area_title, countries
        self.languages = languages
        self.texts = RecordTexts(remember=remember)
        self.records: dict[str, m.Activity] = {}  # the site's records by id (with keyed texts: build.py)
        self.items: dict[tuple[int, str], tuple[m.Activity, Markup]] = {}  # activity_item
        self.rows: dict[tuple[str, int, str, bool], tuple[m.Activity, Markup]] = {}  # round_row
        # area id -> (what its progress was computed from, the progress)
        self.progress_of: dict[str, tuple[tuple[Any, ...], AreaProgress]] = {}

    @functools.cached_property
    def macros(self) -> Any:
        """The module of macros.html (the site's, else the theme's), made for this renderer:
        its macros see `text_lang` (of a record) and `plan_lang` (of a text of the plan), the
        language tag of a text shown in another language than the page's, or '', and
        `plan_text` (a text of the plan, marked when it needs it). (Jinja's own module of a
        template is shared by every renderer of its environment.)"""
        languages = self.languages
        return self.env.get_template("macros.html").make_module(
            {"text_lang": languages.text_lang, "plan_lang": languages.plan_lang, "plan_text": languages.plan_text})

    def activity_item(self, a: m.Activity, root: str, area_title: dict[str, str],
                      countries: dict[str, str]) -> Markup:
        """An activity's list item (the activity_item macro of macros.html), rendered once per
        activity and `root`: a record is listed on several pages (lists, its areas, its
        countries, the dashboard) at a few depths. A macro sees only its arguments and the
        template's globals, so the item is the same for the same arguments, whichever
        template (the theme's or the site's) defines it."""
        if area_title is not self.area_title or countries is not self.countries:
            item: Markup = self.macros.activity_item(a, root, area_title, countries)
            return item
        if self.texts.keys:  # a cached build: from the last build while the page key holds
            # (kept once, there: not also here)
            return Markup(self.texts.get(a, "item " + root, self._item_text, a, root))
        hit = self.items.get((id(a), root))
        if hit is None or hit[0] is not a:
            hit = self.items[(id(a), root)] = (a, self.macros.activity_item(a, root, area_title, countries))
        return hit[1]

    def _item_text(self, a: m.Activity, root: str) -> str:
        return str(self.macros.activity_item(a, root, self.area_title, self.countries))

    def round_row(self, kind: str, a: m.Activity, root: str, linked: bool) -> Markup:
        """A reporting round's line about an activity (the round_row macro of macros.html),
        rendered once per record, kind, root and link: rounds list thousands of records, and
        the preview keeps the lines of unchanged records between rebuilds (take_over)."""
        if self.texts.keys and self.records.get(a.id) is a:
            # a cached build: from the last build while the page key holds, kept there only
            # (a record as it is now: a round also lists records from git, or with the
            # status of its day)
            return Markup(self.texts.get(a, f"row {kind} {root} {linked:d}", self._row_text, kind, a, root, linked))
        key = (kind, id(a), root, linked)
        hit = self.rows.get(key)
        if hit is None or hit[0] is not a:
            hit = self.rows[key] = (a, self.macros.round_row(kind, a, root, linked, self.area_title))
        return hit[1]

    def round_rows(self, kind: str, acts: Iterable[m.Activity], root: str, has_page: Container[str],
                   between: str = "") -> Markup:
        """The round_row of each of `acts` (linked when its id is in `has_page`), joined by
        `between` (escaped unless marked safe): a round lists thousands of records, and a loop
        in the template costs more than the rows it looks up. A separator with a sign ("; ")
        has its sign in one `<span class="joined">` with the row before it: where a row is
        drawn as a box (an English title on a right-to-left page), a line could break between
        the two, and "؛" began a line alone."""
        rows = [str(self.round_row(kind, a, root, a.id in has_page)) for a in acts]
        sep = str(escape(between))
        sign = sep.rstrip()
        if not sign:
            return Markup(sep.join(rows))
        space = sep[len(sign):]
        joined = [f'<span class="joined">{row}{sign}</span>{space}' for row in rows[:-1]]
        return Markup("".join(joined + rows[-1:]))

    def _row_text(self, kind: str, a: m.Activity, root: str, linked: bool) -> str:
        return str(self.macros.round_row(kind, a, root, linked, self.area_title))

    def take_over(self, previous: RecordMemo, activities: int, same_config: bool) -> None:
        """Take over what `previous`, the memo of a renderer of an earlier site with
        `activities` records, made: the list items and round lines only with the same
        compiled templates and area titles, the data files' pieces only with the same area
        titles and site config (`same_config`: they show the base URL too), each only while
        it holds no more than a few entries a record. (The areas' progress is checked per
        area: see progress.)"""
        if (previous.env is self.env and previous.area_title == self.area_title
                and previous.languages.marks() == self.languages.marks()
                and len(previous.items) <= 8 * activities + 100):
            self.items = previous.items
            if len(previous.rows) <= 16 * activities + 100:
                self.rows = previous.rows
        self.progress_of = previous.progress_of
        memo = previous.texts.memo
        if (memo is not None and self.texts.memo is not None and previous.area_title == self.area_title
                and same_config and len(memo) <= 8 * activities + 100):
            self.texts.memo = memo

    def progress(self, site: m.Site, by_area: dict[str, list[m.Activity]]) -> dict[str, AreaProgress]:
        """Progress of every area of `site` on the report date (`by_area`: the activities of
        each area). An area's progress is taken from the memo when it was computed from the
        same plan, measurements, report date and activities (the same objects: the preview
        keeps unchanged records): its own, and those that name one of its indicators counting
        contributions."""
        out: dict[str, AreaProgress] = {}
        contributing = contributors(site.activities)
        for area in site.plan.areas:
            acts = by_area[area.id]
            counted = counted_by(area, acts, contributing)
            basis = (area, site.plan, site.measurements, site.report_date, counted)
            hit = self.progress_of.get(area.id)
            if hit is not None and same_basis(hit[0], basis):
                out[area.id] = hit[1]
                continue
            out[area.id] = area_progress(area, site.plan, counted, site.measurements,
                                         site.report_date, acts)
            self.progress_of[area.id] = (basis, out[area.id])
        return out
