"""The keys of a cached build's outputs: what each output shows, hashed, so that the build
renders again only the outputs whose key changed (build._render_all).

- **An activity page** shows its record (body included) and site-wide facts: its key is the
  part every page shares (`shared`, see page_globals) and its record, named by its source
  file's path and digest (`page_key`).
- **Every other page and data file** shows what its `Job.deps` name (page_list.Job): its key
  is the shared part and, for each dep, a digest of the records it names. Those pages show
  the records' fields, never their Markdown bodies, so they are keyed by each record's
  *fields key* (the record without its body and its translations' bodies, `fields_key`): a
  body edit renders the record's page and the outputs of BODY_KINDS (the feed, the IATI
  export), not the lists, areas, rounds and data files that show the record.
- A dep this module does not know gives no key: the page is rendered on every build.

With templates of the site's own that could show any record anywhere (render.deps_hold),
every record is part of the shared part: every output is rendered on any change.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache
from . import model as m
from .page_list import BODY_KINDS

if TYPE_CHECKING:
    from . import taxonomy
    from .render import Job, Renderer

# the deps of a term's pages after the first ("tag-page:<slug>/<n>") -> the term's kind
PAGE_DEPS = {f"{kind}-page": kind for kind in ("tag", "partner", "type")}

# (a dep of the outputs of BODY_KINDS in place of "activities": every field of every record,
# bodies included)
_BODIES = "\0bodies"


def page_globals(site: m.Site, site_dir: Path) -> bytes:
    """The part of every key that every output shares: sitegen's stamp, every site-wide fact
    (config, plan, report date, git dates, pages, reports, history...) and the site's
    templates; with templates of the site's own that could show any record (but a footer
    that names only site-wide facts, see render.deps_hold), every record too."""
    from .render import deps_hold
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((cache.stamp(), dataclasses.replace(site, activities=()))).encode())
    for rel in site.template_files:
        h.update(rel.encode())
        try:
            h.update((site_dir / rel).read_bytes())
        except OSError:
            h.update(b"unreadable")
    if not deps_hold(site, site_dir):
        h.update(repr(site.activities).encode())
    return h.digest()


def page_key(shared: bytes, act: m.Activity, sources: dict[str, bytes]) -> bytes:
    """An activity page's key: the shared part, and its record, named by its source file's
    path and digest, its translations' digests, and its id. (validate.activity makes a
    record from its file's bytes alone, given the plan and settings, which the shared part
    holds: naming it so costs no walk over the record.)"""
    digest = sources.get(act.loc.path)
    texts = [sources.get(t.loc.path) for t in act.translations]  # (its translations' files too)
    if digest is None or None in texts:
        return cache.digest(shared + repr(act).encode())
    name = f"{act.loc.path}\0{act.id}\0".encode("utf-8", "surrogateescape")
    return cache.digest(shared + name + digest + b"".join(t for t in texts if t is not None))


def fields_key(shared: bytes, act: m.Activity) -> bytes:
    """What a list, an area, a round or a data file shows of a record: the record without
    its Markdown body and its translations' bodies."""
    bare = dataclasses.replace(act, body="", translations=tuple(
        dataclasses.replace(t, body="") for t in act.translations))
    return cache.digest(shared + repr(bare).encode())


class Keys:
    """The keys of the outputs of one site (`renderer`'s), with `sources` (source file ->
    digest of its bytes) and `known` (page key -> fields key, from the last build: a record
    whose page key is unchanged has the same fields key). `used` holds this build's fields
    keys by page key, to be kept for the next build."""

    def __init__(self, site: m.Site, site_dir: Path, renderer: Renderer, sources: dict[str, bytes],
                 known: dict[bytes, bytes]):
        self.site, self.renderer, self.sources, self.known = site, renderer, sources, known
        self.shared = page_globals(site, site_dir)
        self.pages: dict[str, bytes] = {}  # activity id -> its page key (first language)
        self.used: dict[bytes, bytes] = {}
        self._fields: dict[str, bytes] = {}  # activity id -> its fields key
        self._done: dict[str, bytes | None] = {}
        self._contributors: dict[str, list[m.Activity]] | None = None
        self._said: dict[tuple[str, str], bytes] = {}  # (kind, slug) -> _term_said

    def page(self, job: Job) -> bytes:
        """The key of an activity page (`job.kind` "activity")."""
        act = self.renderer.records.by_id[job.key]
        key = page_key(self.shared + job.lang.encode(), act, self.sources)
        if not job.lang:
            self.pages[act.id] = key
        return key

    def key(self, job: Job) -> bytes | None:
        """The key of any other output; None when it is to be rendered whatever changed."""
        parts = [self.shared, f"{job.kind}\0{job.path}\0{job.key}".encode("utf-8", "surrogateescape")]
        deps = job.deps
        if job.kind in BODY_KINDS and "activities" in deps:
            deps = (deps - {"activities"}) | {_BODIES}
        for dep in sorted(deps):
            if dep not in self._done:
                self._done[dep] = self._digest(dep)
            value = self._done[dep]
            if value is None:
                return None
            parts += [dep.encode("utf-8", "surrogateescape"), value]
        return cache.digest(b"\0".join(parts))

    def fields(self, act: m.Activity) -> bytes:
        """A record's fields key (see fields_key), taken from the last build's while its page
        key holds."""
        found = self._fields.get(act.id)
        if found is None:
            page = self._page_of(act)
            found = self.known.get(page) or fields_key(self.shared, act)
            self._fields[act.id] = self.used[page] = found
        return found

    def _page_of(self, act: m.Activity) -> bytes:
        """The page key of a record (first language)."""
        return self.pages.get(act.id) or page_key(self.shared, act, self.sources)

    def _records(self, acts: list[m.Activity] | tuple[m.Activity, ...]) -> bytes:
        known = self._fields  # (hundreds of thousands of look-ups at 10,000 records)
        return cache.digest(b"".join([known.get(a.id) or self.fields(a) for a in acts]))

    def _digest(self, dep: str) -> bytes | None:
        kind, _, name = dep.partition(":")
        r = self.renderer
        if dep == _BODIES:
            return cache.digest(b"".join(self._page_of(a) for a in self.site.activities))
        if kind == "activities":  # every field of every record, in their order
            return self._records(self.site.activities)
        if kind == "activity":
            act = r.records.by_id.get(name)
            return self.fields(act) if act is not None else None
        if kind == "area":
            return self._records(r.by_area.get(name, [])) + self._records(self._contributing().get(name, []))
        if kind == "country":
            return self._records(r.by_country.get(name, []))
        if kind in ("tag", "partner", "type"):  # (taxonomy.py: the records naming the term)
            term = r.page_list.term_of.get((kind, name))
            return self._records(term.activities) if term is not None else b""
        if kind in PAGE_DEPS:  # a term's page n: the records it lists, and what every page says
            slug, _, n = name.rpartition("/")
            term = r.page_list.term_of.get((PAGE_DEPS[kind], slug))
            if term is None or not n.isdigit():
                return None
            per = self.site.config.activities_per_page
            acts = term.activities
            return self._term_said(term) + self._records(acts[(int(n) - 1) * per:int(n) * per])
        if kind == "order":  # how many records, in which order, the countries they name, the term pages
            terms = [(t.kind, t.slug, r.page_list.term_pages(t)) for found in r.page_list.terms.values() for t in found]
            return cache.digest(repr(([(a.start, a.id) for a in self.site.activities], sorted(r.by_country),
                                      terms)).encode("utf-8", "surrogateescape"))
        if kind in ("plan", "page"):
            return b""  # the shared part holds them
        return None  # a dep this function does not know: the page is rendered

    def _term_said(self, term: taxonomy.Term) -> bytes:
        """What every page of a term says of it: its names, how many records and pages, from
        when to when (made once per term, not once per page)."""
        found = self._said.get((term.kind, term.slug))
        if found is None:
            acts = term.activities
            said = (term.name, term.names, len(acts), self.renderer.page_list.term_pages(term),
                    min(a.start for a in acts), max(a.end or a.start for a in acts))
            found = self._said[(term.kind, term.slug)] = cache.digest(repr(said).encode("utf-8", "surrogateescape"))
        return found

    def _contributing(self) -> dict[str, list[m.Activity]]:
        """Area id -> the records contributing to one of its indicators."""
        if self._contributors is None:
            area_of = {i.id: i.area for i in self.site.plan.indicators}
            found: dict[str, list[m.Activity]] = {}
            for a in self.site.activities:
                for k in {area_of[k] for k, _ in a.contributes if k in area_of}:
                    found.setdefault(k, []).append(a)
            self._contributors = found
        return self._contributors
