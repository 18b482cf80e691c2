"""Pages from the model: the Jinja environment, the page list and one context per page kind.

`jobs()` lists every output with the records it depends on (what the preview server
re-renders after an edit); `render(job)` turns one job into `(path, bytes)` outputs.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from . import charts, markdown, taxonomy
from . import model as m
from .i18n import Words, direction, words_for
from .languages import Languages
from .links import file_links
from .progress import AreaProgress, area_progress, same_basis
from .results import indicator_deps

THEME = Path(__file__).parent / "theme"
FOOTER = "templates/site_footer.html"
# What a site's footer may name and still show no record on a page but the record's own
# (or an aggregate page's): site-wide facts, the page's own record, its charts.
FOOTER_NAMES = frozenset({"config", "plan", "root", "title", "crumbs", "url", "report_date",
                          "area_title", "colors", "countries", "source", "changed", "edit", "nav",
                          "act", "status", "charts", "site_footer"})


@dataclass(frozen=True)
class Job:
    """One page (or data file) to write, and what it depends on."""

    path: str  # output file, e.g. "areas/firearms/index.html"
    kind: str
    key: str = ""
    # What the page shows of the activities: "activities" (any field of any of them),
    # "activity:<id>" (that record), "area:<id>" (the records of that area, or contributing
    # to its indicators), "country:<code>" (the records involving that country), "tag:<slug>",
    # "partner:<slug>" and "type:<slug>" (the records naming that term: taxonomy.py), "order"
    # (the number of records and their order, and which country and term pages there are);
    # "plan" and "page:<slug>": no record.
    deps: frozenset[str] = frozenset({"activities"})
    lang: str = ""  # a language of the site other than its first: the page is under /<lang>/


class TemplateError(Exception):
    """A template failed: names the template file and line."""

    def __init__(self, template: str, line: int, message: str):
        super().__init__(f"{template}:{line}: {message}")
        self.template, self.line, self.message = template, line, message


class FragmentCache(Extension):
    """`{% cached key, ... %}...{% endcached %}`: the block is rendered once per key within a
    build (the page chrome is the same on thousands of pages). The key must name everything
    the block shows that varies; the store is the renderer's `fragments` dict (no store, no
    caching)."""

    tags = {"cached"}  # noqa: RUF012 (Jinja's Extension API declares it so)

    def parse(self, parser: Any) -> Any:
        lineno = next(parser.stream).lineno
        key = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        call = self.call_method("_cached", [nodes.List(key), nodes.ContextReference()])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    @staticmethod
    def _cached(key: list[Any], context: Any, caller: Callable[[], str]) -> str:
        store = context.get("fragments")
        try:
            k = tuple(key)
            hash(k)  # (the usual keys: strings and tuples of them)
        except TypeError:
            try:
                k = _frozen(key)
                hash(k)
            except TypeError:
                store = None
        if store is None:
            return caller()
        hit: str | None = store.get(k)
        if hit is None:
            hit = store[k] = caller()
        return hit


def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, (list, tuple)) else value


def environment(site_dir: Path | None, bytecode_cache: jinja2.BytecodeCache | None = None,
                words: Words | None = None) -> jinja2.Environment:
    """Site templates first, then the default theme; autoescape and strict undefined; words,
    numbers and dates through `words` (`_()`, `ngettext()`, and the num, pct, date, status
    and country filters)."""
    loaders: list[jinja2.BaseLoader] = []
    if site_dir is not None and (site_dir / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(str(site_dir / "templates")))
    loaders.append(jinja2.FileSystemLoader(str(THEME / "templates")))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True,
                             auto_reload=False,  # a renderer lives for one build: no stat per page
                             extensions=[FragmentCache, "jinja2.ext.i18n"], bytecode_cache=bytecode_cache)
    words = words or words_for("en")
    env.install_gettext_callables(words.gettext, words.ngettext, newstyle=True)  # type: ignore[attr-defined]
    # The same functions as the extension's newstyle ones (the message translated, as markup,
    # then `% values`, values escaped; ngettext's `num` defaults to n), without their context
    # lookup per call and with each message translated once: activity pages call them a dozen
    # times each (50 microseconds a page with Jinja's).
    env.globals["_"] = env.globals["gettext"] = _Gettext(words)
    env.globals["ngettext"] = _Ngettext(words)
    env.filters["num"] = words.number
    env.filters["pct"] = words.percent
    env.filters["date"] = words.date
    env.filters["status"] = words.status
    env.filters["activity_type"] = words.activity_type
    env.filters["country"] = words.country
    env.filters["and_list"] = words.and_list
    env.filters["slug"] = status_class
    env.filters["split_lead"] = markdown.split_lead  # (lead, rest) of a rendered body: search_text: lead
    env.filters["term_slug"] = taxonomy.slug  # a tag's, partner's or type's page (tags/<slug>/...)
    return env


class _Gettext:
    """gettext for autoescaped templates, as jinja2.ext's newstyle gettext."""

    def __init__(self, words: Words):
        self.words = words
        self.plain: dict[str, Markup] = {}  # message -> its translation % {} (no values)

    def __call__(self, message: str, /, **values: Any) -> Markup:
        if not values:
            hit = self.plain.get(message)
            if hit is None:
                hit = self.plain[message] = Markup(self.words.gettext(message)) % {}
            return hit
        return Markup(self.words.gettext(message)) % values


class _Ngettext:
    """ngettext for autoescaped templates, as jinja2.ext's newstyle ngettext."""

    def __init__(self, words: Words):
        self.words = words

    def __call__(self, singular: str, plural: str, num: int, /, **values: Any) -> Markup:
        values.setdefault("num", num)
        return Markup(self.words.ngettext(singular, plural, num)) % values


def deps_hold(site: m.Site, site_dir: Path) -> bool:
    """True when pages show records only as the theme's do, so that `Job.deps` hold (an
    activity page shows its own record, and only the feed shows bodies of others): the site
    has no templates of its own, or only a site_footer.html that names nothing but
    FOOTER_NAMES and Jinja's globals and includes no other template. (A footer
    is rendered on every page, with that page's context.)"""
    if not site.template_files:
        return True
    if site.template_files != (FOOTER,):
        return False
    env = environment(None)
    try:
        ast = env.parse((site_dir / FOOTER).read_text(encoding="utf-8"))
    except (OSError, UnicodeError, jinja2.TemplateSyntaxError):
        return False
    if any(True for _ in jinja2.meta.find_referenced_templates(ast)):
        return False
    return jinja2.meta.find_undeclared_variables(ast) <= FOOTER_NAMES | env.globals.keys()


def edit_links(site: m.Site, source: str) -> dict[str, str]:
    """Edit and history links of a source file: GitHub's URL patterns, or GitLab's with
    `repo_kind: gitlab` or, without repo_kind, when the host name contains "gitlab".
    Paths are relative to the repository root (git tells where the site folder sits;
    without git the site folder is taken as the root)."""
    repo = site.config.repo_url.rstrip("/")
    if not repo or not source:
        return {}
    repo = repo[:-4] if repo.endswith(".git") else repo
    branch = urllib.parse.quote(site.config.repo_branch, safe="/")
    path = urllib.parse.quote(site.repo_prefix + source, safe="/")
    host = repo.split("://", 1)[1].split("/", 1)[0] if "://" in repo else ""
    kind = site.config.repo_kind or ("gitlab" if "gitlab" in host.lower() else "github")
    sep = "/-/" if kind == "gitlab" else "/"
    return {"edit": f"{repo}{sep}edit/{branch}/{path}",
            "history": f"{repo}{sep}commits/{branch}/{path}"}


def nav(site: m.Site, words: Words, url: str) -> tuple[tuple[str, str, bool], ...]:
    """The site menu: (href, label, whether it is the page at `url` or holds it)."""
    w = words
    items = [("", w("Dashboard")), ("areas/", w("Areas")), ("results/", w("Results")), ("activities/", w("Activities")),
             ("timeline/", w("Timeline")), ("countries/", w("Countries"))]
    if site.reports:
        items.append(("reports/", w("Reports")))
    items += [(f"pages/{p.slug}/", p.title) for p in site.pages]
    items.append(("search/", w("Search")))
    out = []
    for href, label in items:
        current = (url == href) if href == "" else url.startswith(href)
        if href == "areas/":
            current = url.startswith("areas/") or url.startswith("indicators/")
        out.append((href, label, current))
    return tuple(out)


def status_class(word: str) -> str:
    """The CSS class suffix of a status (the theme's `slug` filter)."""
    return word.replace(" ", "-")


def _place(job: Job) -> tuple[str, str]:
    """A page's `root` (the way up to the site root) and `url` (its folder's path)."""
    url = job.path[: -len("index.html")] if job.path.endswith("index.html") else job.path
    return "../" * job.path.count("/"), url


# the data files that do not show every field of every record
_DEPS = {"sitemap": frozenset({"order", "plan"}), "robots": frozenset({"plan"})}


# the outputs a multilingual site has once, at its root
ROOT_ONLY = frozenset({"sitemap", "robots", "card_plan", "card_area", "card_indicator", "iati"})


@functools.lru_cache(maxsize=65536)
def _activity_job(act_id: str, lang: str = "") -> Job:
    """The page job of an activity (made once per id: thousands per preview rebuild)."""
    folder = f"{lang}/" if lang else ""
    return Job(f"{folder}activities/{act_id}/index.html", "activity", act_id, frozenset({f"activity:{act_id}"}),
               lang)




class RecordTexts:
    """Each activity's piece of the site-wide data files (activities JSON and CSV, the
    list's filter index), kept from one build to the next by the activity's page key (build._page_key: its
    record and every site-wide fact its page shows, area titles and base URL included). A
    piece whose key is in `old` is taken from there; `used` holds the pieces of this build,
    which the build saves for the next one. Without keys (the default), every piece is made,
    or, with `remember` (the preview server), taken from the memo of pieces made for the same
    record object: a preview rebuild keeps unchanged records as the same objects, and the
    renderer of the next rebuild takes the memo over (Renderer.reuse_items) when the
    site-wide facts the pieces show are the same."""

    def __init__(self, keys: dict[str, bytes] | None = None, old: dict[tuple[bytes, str], str] | None = None,
                 remember: bool = False):
        self.keys = keys or {}  # activity id -> page key
        self.old = old or {}
        self.used: dict[tuple[bytes, str], str] = {}
        self.memo: dict[tuple[int, str], tuple[m.Activity, str]] | None = {} if remember else None

    def get(self, act: m.Activity, kind: str, make: Callable[..., str], *args: Any) -> str:
        key = self.keys.get(act.id) if self.keys else None
        if key is None:
            if self.memo is None:
                return make(*args)
            hit = self.memo.get((id(act), kind))
            if hit is None or hit[0] is not act:
                hit = self.memo[(id(act), kind)] = (act, make(*args))
            return hit[1]
        text = self.old.get((key, kind))
        if text is None:
            text = make(*args)
        self.used[(key, kind)] = text
        return text


RenderKind = Callable[["Renderer", Job], list[tuple[str, bytes]]]
PAGE_KINDS: dict[str, RenderKind] = {}  # filled by pages.py and datafiles.py


def page_kind(name: str) -> Callable[[RenderKind], RenderKind]:
    """Register the function that renders the jobs of kind `name`."""
    def register(fn: RenderKind) -> RenderKind:
        PAGE_KINDS[name] = fn
        return fn
    return register


@dataclass(frozen=True)
class ShownChart(charts.Chart):
    """A chart as a page shows it: with the page that embeds it elsewhere (embed.html,
    written at `embed/<chart id>/index.html` beside its CSV) and that page's absolute URL,
    which the chart's embed snippet loads (from `base_url`)."""

    embed_path: str = ""  # relative to the site root (the language's), e.g. embed/dashboard-status/index.html
    embed_url: str = ""
    embed_origin: str = ""  # the scheme and host of embed_url: the snippet trusts its messages only


def _origin(url: str) -> str:
    """The origin of `url` as a browser gives it in a message (host in lower case, no
    default port), e.g. https://example.org."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # (not a port: the browser will not match it either)
        port = None
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != {"http": 80, "https": 443}.get(parts.scheme) else "")


def _charts_as_shown(ctx: dict[str, Any], shown: dict[int, ShownChart]) -> dict[str, Any]:
    """A page's context with each of its charts (in a value, or in a list or dict of them)
    replaced by the chart as shown (by `Renderer.page`: mirrored, embeddable)."""
    def swap(value: Any) -> Any:
        if isinstance(value, charts.Chart):
            return shown.get(id(value), value)
        if isinstance(value, dict) and any(isinstance(v, charts.Chart) for v in value.values()):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)) and any(isinstance(v, charts.Chart) for v in value):
            return type(value)(swap(v) for v in value)
        return value
    return {k: swap(v) for k, v in ctx.items()} if shown else ctx


class Renderer:
    """Renders the pages of one Site; holds only read-only, precomputed facts."""

    def __init__(self, site: m.Site, site_dir: Path | None = None, version: str = "",
                 bytecode_cache: jinja2.BytecodeCache | None = None, remember_html: bool = True,
                 words: Words | None = None, prefix: str = ""):
        self.site = site
        # A multilingual site: one renderer per language; the first renders the root, and the
        # pages of each other language through its own renderer (`language`), whose pages sit
        # under `prefix` ("fr/") and reach the shared assets one folder up.
        self.prefix = prefix
        self.made_with = (bytecode_cache, remember_html)
        self.direction = direction(site.config.language)  # of the pages' script: "ltr" or "rtl"
        self.languages = Languages(self)
        # Rendered Markdown is remembered (by text) for the preview server, which renders the
        # same bodies again after an edit; a build renders each body once, and its workers
        # would only fill memory with it (tens of megabytes each at 10,000 records).
        self._to_html = _markdown if remember_html else markdown.render
        self.words = words or words_for(site.config.language, site.messages_in(site.config.language))
        self.env = environment(site_dir, bytecode_cache, self.words)
        self.version = version
        self.site_dir = site_dir
        self.record_texts = RecordTexts(remember=remember_html)  # with keys in a cached build (build.py)
        # Looked up once: a missing optional template is not cached by Jinja, so an
        # `include ... ignore missing` would search the template folders on every page.
        try:
            self.env.get_template("site_footer.html")
            self.site_footer = True
        except jinja2.TemplateNotFound:
            self.site_footer = False
        self.colors = charts.area_colors(site.plan)
        self.area_title: dict[str, str] = {a.id: a.title for a in site.plan.areas}
        self.last_changed = dict(site.last_changed)
        self.by_area: dict[str, list[m.Activity]] = {a.id: [] for a in site.plan.areas}
        self.by_country: dict[str, list[m.Activity]] = {}
        for act in site.activities:
            for area in act.areas:
                self.by_area[area].append(act)
            for code in act.all_countries:
                self.by_country.setdefault(code, []).append(act)
        self.indicator_area = {i.id: a for a in site.plan.areas for i in a.indicators}
        self._items: dict[tuple[int, str], tuple[m.Activity, Markup]] = {}
        self._rows: dict[tuple[str, int, str, bool], tuple[m.Activity, Markup]] = {}  # round_row
        self._fragments: dict[Any, str] = {}  # {% cached %} blocks of the templates
        # area id -> (what its progress was computed from, the progress), for the next rebuild
        self._progress_of: dict[str, tuple[tuple[Any, ...], AreaProgress]] = {}

    def _activity_item(self, a: m.Activity, root: str, area_title: dict[str, str],
                       countries: dict[str, str]) -> Markup:
        """An activity's list item (the activity_item macro of macros.html), rendered once per
        activity and `root`: a record is listed on several pages (lists, its areas, its
        countries, the dashboard) at a few depths. A macro sees only its arguments and the
        template's globals, so the item is the same for the same arguments, whichever
        template (the theme's or the site's) defines it."""
        if area_title is not self.area_title or countries is not self.words.countries:
            item: Markup = self._macros.activity_item(a, root, area_title, countries)
            return item
        hit = self._items.get((id(a), root))
        if hit is None or hit[0] is not a:
            if self.record_texts.keys:  # a cached build: from the last build while the page key holds
                item = Markup(self.record_texts.get(a, "item " + root, self._item_text, a, root))
            else:
                item = self._macros.activity_item(a, root, area_title, countries)
            hit = self._items[(id(a), root)] = (a, item)
        return hit[1]

    def round_row(self, kind: str, a: m.Activity, root: str, linked: bool) -> Markup:
        """A reporting round's line about an activity (the round_row macro of macros.html),
        rendered once per record, kind, root and link: rounds list thousands of records, and
        the preview keeps the lines of unchanged records between rebuilds (reuse_items)."""
        key = (kind, id(a), root, linked)
        hit = self._rows.get(key)
        if hit is None or hit[0] is not a:
            hit = self._rows[key] = (a, self._macros.round_row(kind, a, root, linked, self.area_title))
        return hit[1]

    def _item_text(self, a: m.Activity, root: str) -> str:
        return str(self._macros.activity_item(a, root, self.area_title, self.words.countries))

    @functools.cached_property
    def _macros(self) -> Any:
        return self.env.get_template("macros.html").module

    def reuse_items(self, previous: Renderer) -> None:
        """Take over the list items that `previous`, a renderer of an earlier site, rendered
        (the preview server keeps unchanged records as the same objects; items are checked
        per record by identity): only with the same compiled templates and area titles."""
        if previous.env is self.env:  # the same templates: so are the other languages'
            self.languages.take_over(previous.languages)
        if (previous.env is self.env and previous.area_title == self.area_title
                and len(previous._items) <= 8 * len(self.site.activities) + 100):
            self._items = previous._items
            if len(previous._rows) <= 16 * len(self.site.activities) + 100:
                self._rows = previous._rows
        self._progress_of = previous._progress_of  # (checked per area: see progress)
        # and the pieces of the data files (they show the base URL too)
        memo = previous.record_texts.memo
        if (memo is not None and self.record_texts.memo is not None and previous.area_title == self.area_title
                and previous.site.config == self.site.config and len(memo) <= 8 * len(self.site.activities) + 100):
            self.record_texts.memo = memo

    @functools.cached_property
    def progress(self) -> dict[str, AreaProgress]:
        """Progress of every area on the report date (computed on first use: a preview
        rebuild after a body edit renders no page that needs it). An area's progress from the
        renderer this one took over from (reuse_items) is kept when it was computed from the
        same plan, measurements, report date and activities (the same objects: the preview
        keeps unchanged records), all of them when the area counts contributions."""
        site = self.site
        out: dict[str, AreaProgress] = {}
        for area in site.plan.areas:
            acts = self.by_area[area.id]
            counted = site.activities if any(i.source == "contributions" for i in area.indicators) else acts
            basis = (area, site.plan, site.measurements, site.report_date, counted)
            hit = self._progress_of.get(area.id)
            if hit is not None and same_basis(hit[0], basis):
                out[area.id] = hit[1]
                continue
            out[area.id] = area_progress(area, site.plan, site.activities, site.measurements,
                                         site.report_date, acts)
            self._progress_of[area.id] = (basis, out[area.id])
        return out

    # -- the page list -------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        """Every output of the site: the first language's, then each other language's under
        its folder (the sitemap and robots.txt are the site's, at its root)."""
        out = self._jobs_of_language()
        if not self.prefix:
            first = list(out)
            for code in self.site.config.languages[1:]:
                out += [_activity_job(j.key, code) if j.kind == "activity"
                        else Job(f"{code}/{j.path}", j.kind, j.key, j.deps, code)
                        for j in first if j.kind not in ROOT_ONLY]
        return out

    def _jobs_of_language(self) -> list[Job]:
        site = self.site
        out = [Job("index.html", "dashboard"), Job("404.html", "notfound", deps=frozenset({"plan"}))]
        out.append(Job("areas/index.html", "areas"))
        # (what a page depends on, for the preview server: see Job and incremental._select)
        out += [Job(f"areas/{a.id}/index.html", "area", a.id, frozenset({f"area:{a.id}"}))
                for a in site.plan.areas]
        out += [Job(f"indicators/{i.id}/index.html", "indicator", i.id, indicator_deps(i, site.plan))
                for i in site.plan.indicators]
        # the results framework (logframe) of the plan and of each area (pages.results)
        out.append(Job("results/index.html", "results", deps=frozenset(f"area:{a.id}" for a in site.plan.areas)))
        out += [Job(f"areas/{a.id}/results/index.html", "area_results", a.id, frozenset({f"area:{a.id}"}))
                for a in site.plan.areas]
        out += [_activity_job(a.id) for a in site.activities]
        per = site.config.activities_per_page
        for n in range(self.list_pages()):
            listed = frozenset(f"activity:{a.id}" for a in self._newest_first[n * per:(n + 1) * per])
            out.append(Job("activities/index.html" if n == 0 else f"activities/page/{n + 1}/index.html",
                           "activities", str(n + 1), listed | {"order"}))
        out.append(Job("timeline/index.html", "timeline"))
        out.append(Job("countries/index.html", "countries"))
        out += [Job(f"countries/{c.lower()}/index.html", "country", c, frozenset({f"country:{c}"}))
                for c in sorted(self.by_country)]
        out += [Job(f"pages/{p.slug}/index.html", "freepage", p.slug, frozenset({f"page:{p.slug}"}))
                for p in site.pages]
        # tags, partners and activity types: an index of each kind, a page (or pages) per term
        # (pages.term); "tag:<slug>" and friends: the records naming it (taxonomy.record_deps)
        for kind, folder in taxonomy.FOLDERS.items():
            found = self.terms[kind]
            out.append(Job(f"{folder}/index.html", folder, deps=frozenset(f"{kind}:{t.slug}" for t in found) | {"plan"}))
            for t in found:
                dep = frozenset({f"{kind}:{t.slug}"})
                out.append(Job(f"{folder}/{t.slug}/index.html", kind, t.slug, dep))
                out += [Job(f"{folder}/{t.slug}/page/{n}/index.html", kind, f"{t.slug}/{n}", dep)
                        for n in range(2, self.term_pages(t) + 1)]
        if site.reports:
            out.append(Job("reports/index.html", "reports"))
        out += [Job(f"reports/{r.id}/index.html", "report", r.id) for r in site.reports]
        out += [Job(f"data/reports/{r.id}.json", "report_json", r.id) for r in site.reports]
        out.append(Job("search/index.html", "search", deps=frozenset({"plan"})))
        for path, kind in (("data/plan.json", "plan_json"), ("data/activities.json", "activities_json"),
                           ("data/activities.csv", "activities_csv"),
                           ("data/activities-index.json", "activities_index"), ("feed.xml", "feed"),
                           ("sitemap.xml", "sitemap"), ("robots.txt", "robots")):
            out.append(Job(path, kind, deps=_DEPS.get(kind, Job.deps)))
        out += [Job("data/iati-activities.xml", "iati")] if site.config.iati else []  # (iati.py)
        out += cards.jobs(site)
        out += opendata.jobs(site)  # the data package, its tables and zip (opendata.py)
        return out

    def list_pages(self) -> int:
        per = self.site.config.activities_per_page
        return max(1, -(-len(self.site.activities) // per))

    @functools.cached_property
    def terms(self) -> dict[str, tuple[taxonomy.Term, ...]]:
        """The tags, partners and activity types, each with its activities (taxonomy.py)."""
        return {kind: taxonomy.terms(self.site.plan, self._newest_first, kind) for kind in taxonomy.FOLDERS}

    @functools.cached_property
    def term_of(self) -> dict[tuple[str, str], taxonomy.Term]:
        """(kind, slug) -> the term."""
        return {(t.kind, t.slug): t for found in self.terms.values() for t in found}

    def term_pages(self, term: taxonomy.Term) -> int:
        """How many pages list a term's activities (activities_per_page to a page)."""
        return max(1, -(-len(term.activities) // self.site.config.activities_per_page))

    def render(self, job: Job) -> list[tuple[str, bytes]]:
        """One job -> its output files (a page and the CSVs of its charts): the function of
        its kind (pages.py, datafiles.py)."""
        if job.lang:
            cut = len(job.lang) + 1
            inner = Job(job.path[cut:], job.kind, job.key, job.deps)
            return [(f"{job.lang}/{path}", data)
                    for path, data in PAGE_KINDS[job.kind](self.language(job.lang), inner)]
        return PAGE_KINDS[job.kind](self, job)

    def language(self, code: str) -> Renderer:
        """The renderer of the site's pages in language `code` (see languages.Languages)."""
        return self.languages.renderer(code)

    # -- helpers -------------------------------------------------------------------------
    def page(self, job: Job, template: str, title: str, crumbs: list[tuple[str, str]],
              page_charts: list[charts.Chart] | None = None, source: str = "",
              **ctx: Any) -> list[tuple[str, bytes]]:
        given = page_charts = page_charts or []
        if self.direction == "rtl":
            page_charts = [charts.mirrored(c) for c in page_charts]
        base = self.site.config.base_url
        origin = _origin(base)
        shown = [ShownChart(**{**vars(c), "embed_path": f"embed/{c.id}/index.html",
                               "embed_url": f"{base}embed/{c.id}/", "embed_origin": origin})
                 for c in page_charts]
        # (a page kind may also hand its charts to its template by name: those are shown so too)
        ctx = _charts_as_shown(ctx, {id(c): s for c, s in zip(given, shown)})
        context = self._context(job, title, crumbs, list(shown), source, ctx)
        try:
            html = self.env.get_template(template).render(context)
            # each chart's embed page (chrome-less: the chart, its table, source and date)
            embeds = [(c.embed_path, self.env.get_template("embed.html").render(
                self._embed_context(job, c)).encode("utf-8")) for c in shown]
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(exc.filename or exc.name or template, exc.lineno, exc.message or str(exc)) from exc
        except jinja2.TemplateError as exc:
            raise TemplateError(*_template_location(exc, template), str(exc)) from exc
        if self.site.config.file_links:  # (links.py: every link to a folder names its index.html)
            html = file_links(html)
            embeds = [(path, file_links(data.decode("utf-8")).encode("utf-8")) for path, data in embeds]
        outputs = [(job.path, html.encode("utf-8"))]
        outputs += [(c.csv_path, c.csv_text().encode("utf-8")) for c in page_charts]
        return outputs + embeds

    def _embed_context(self, job: Job, chart: ShownChart) -> dict[str, Any]:
        """What embed.html sees: the chart, the way to the site's assets, and the page it
        belongs to (relative links: the site may be served under a sub-path)."""
        root = "../" * chart.embed_path.count("/")
        return {"config": self.site.config, "plan": self.site.plan, "chart": chart, "root": root,
                "site_root": root + "../" if self.prefix else root, "page": root + _place(job)[1],
                "report_date": self.site.report_date, "direction": self.direction,
                "plotly_locale": self._plotly_locale, "meta": meta.embed_meta(self, job, chart, chart.embed_url)}

    def _context(self, job: Job, title: str, crumbs: list[tuple[str, str]], page_charts: list[charts.Chart],
                 source: str, ctx: dict[str, Any]) -> dict[str, Any]:
        """What a page's template sees."""
        root, url = _place(job)
        site_root = root + "../" if self.prefix else root
        menu, alternates = self.languages.menu(site_root, url)
        context = {
            "site": self.site, "config": self.site.config, "plan": self.site.plan, "root": root,
            "title": title, "crumbs": crumbs, "charts": page_charts, "url": url,
            "report_date": self.site.report_date, "area_title": self.area_title,
            "colors": self.colors, "countries": self.words.countries, "source": source,
            "changed": self._changed(source), "edit": edit_links(self.site, source),
            "nav": nav(self.site, self.words, url), "md": self._md, "excerpt": datafiles.excerpt,
            "site_footer": self.site_footer, "activity_item": self._activity_item, "round_row": self.round_row,
            "indicator_of": self._indicator_of, "fragments": self._fragments, "words_json": self._words_json,
            "plotly_locale": self._plotly_locale,
            "site_root": site_root, "languages": menu, "alternates": alternates,
            "direction": self.direction, "text_lang": self.languages.text_lang,
            "home_language": self.languages.home,
            "meta": meta.page_meta(self, job, title, page_charts, ctx, url),
        }
        context.update(ctx)
        return context

    @functools.cached_property
    def _indicator_of(self) -> dict[str, m.Indicator]:
        """The plan's indicators by id (an activity page names those it contributes to)."""
        return {i.id: i for i in self.site.plan.indicators}

    @functools.cached_property
    def _words_json(self) -> Markup:
        """The scripts' words (`Words.for_scripts`) as JSON safe inside <script>."""
        return _script_json(self.words.for_scripts())

    @functools.cached_property
    def _plotly_locale(self) -> Markup:
        """The charts' month names and separators (`Words.for_plotly`); empty in English."""
        found = self.words.for_plotly()
        return _script_json(found) if found else Markup("")

    def _md(self, text: str, level: int = 1) -> str:
        """Markdown as HTML, under a heading of `level` on its page (markdown.outline)."""
        return self._to_html(text, self.site.config.allow_raw_html, level)

    def _changed(self, source: str) -> str:
        return self.last_changed.get(source, "")

    # -- page kinds ----------------------------------------------------------------------
    def series(self, ind: m.Indicator) -> list[tuple[dt.date, float]]:
        """charts.indicator_series, once per indicator (its area page, its own page and the
        dashboard show it)."""
        found = self._series_of.get(ind.id)
        if found is None:
            found = self._series_of[ind.id] = charts.indicator_series(self.site, ind)
        return found

    @functools.cached_property
    def _series_of(self) -> dict[str, list[tuple[dt.date, float]]]:
        return {}

    @functools.cached_property
    def _by_id(self) -> dict[str, m.Activity]:
        return {a.id: a for a in self.site.activities}

    def prepare(self) -> None:
        """Compute what several pages share (area progress, compiled templates) now, before
        forking workers that would each compute it."""
        _ = self.progress
        for name in self.env.list_templates(filter_func=lambda n: n.endswith((".html", ".xml"))):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                pass  # reported by the page that uses it (an unused template is no error)

    def index_by_id(self) -> None:
        """Build the id -> activity map now (before forking workers that share it)."""
        _ = self._by_id

    def with_bodies(self, site: m.Site, replaced: dict[int, m.Activity]) -> Renderer:
        """A renderer of `site`: this renderer's site with some activities replaced by records
        that differ from them only in their Markdown body (`replaced`: id() of the old record
        -> the new one). Shares the environment and the facts of __init__, so that the preview
        server renders a body edit without redoing them. (Cached properties other than the
        id index and the macros are dropped; a fact of __init__ derived from the activities
        must be updated here.)"""
        new = copy.copy(self)
        new.site = site
        new._fragments = {}  # {% cached %} blocks are kept for one site only
        new.languages = Languages(new)  # (the other languages: made anew on use)
        new.languages.take_over(self.languages)
        new.by_area, new.by_country = dict(self.by_area), dict(self.by_country)
        for act in replaced.values():
            for area in act.areas:
                new.by_area[area] = [replaced.get(id(a), a) for a in new.by_area[area]]
            for code in act.all_countries:
                new.by_country[code] = [replaced.get(id(a), a) for a in new.by_country[code]]
        for name, attr in vars(Renderer).items():  # cached facts are recomputed on first use
            if isinstance(attr, functools.cached_property) and name not in ("_by_id", "_macros"):
                new.__dict__.pop(name, None)
        if "_by_id" in self.__dict__:
            new.__dict__["_by_id"] = {**self._by_id, **{a.id: a for a in replaced.values()}}
        return new

    @functools.cached_property
    def _facets(self) -> dict[str, list[tuple[str, str]]]:
        """The filters of the activity list pages (the same on every page)."""
        names = self.words.countries
        return {
            "area": [(a.id, a.title) for a in self.site.plan.areas],
            "status": [(s, s) for s in m.STATUSES],
            "type": [(t, self.words.activity_type(t)) for t in self.site.plan.activity_types],
            "country": [(c, names[c]) for c in sorted(self.by_country, key=lambda c: names[c])],
            "year": [(str(y), str(y)) for y in sorted({a.start.year for a in self.site.activities})],
        }

    # cached_property, not lru_cache: a method cache would keep every Renderer (and its
    # Site) of a long preview session alive.
    def newest_before(self, day: dt.date, count: int) -> list[m.Activity]:
        """The `count` newest activities that started on or before `day`, newest first."""
        out = []
        for a in self._newest_first:
            if a.start <= day:
                out.append(a)
                if len(out) == count:
                    break
        return out

    @functools.cached_property
    def _newest_first(self) -> list[m.Activity]:
        """All activities, newest first (sorted once for all list pages)."""
        return sorted(self.site.activities, key=lambda a: (a.start, a.id), reverse=True)

    # -- data files ----------------------------------------------------------------------
def _script_json(value: Any) -> Markup:
    """JSON safe inside <script>: no '<', '>' or '&' can close or open a tag (as
    charts.Chart.figure_json)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                  .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _template_location(exc: Exception, fallback: str) -> tuple[str, int]:
    """The innermost template frame of a runtime template error."""
    tb = exc.__traceback__
    found = (fallback, 0)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".html") or name.endswith(".xml"):
            found = (Path(name).name if "/theme/" in name else name, tb.tb_lineno)
        tb = tb.tb_next
    return found


@functools.lru_cache(maxsize=4096)
def _markdown(text: str, trusted: bool, level: int = 1) -> str:
    return markdown.render(text, trusted, level)


from . import cards, datafiles, iati, meta, opendata, pages  # noqa: E402, F401 (they register the page kinds; they import this module)
