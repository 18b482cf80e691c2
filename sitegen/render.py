"""Pages from the model: the Jinja environment and the `Renderer` of a site.

`Renderer.jobs()` lists every output with the records it depends on (page_list.py: what the
preview server re-renders after an edit); `Renderer.render(job)` turns one job into
`(path, bytes)` outputs by the function of its kind (pages.py, datafiles.py...), and
`Renderer.page` gives a page's template the context every page shares. What a renderer makes
once per record and keeps is in record_memo.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import os
import re
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
from .i18n import Words, by_country_name, country_names, direction, fill, plotly_locale, script_words, words_for
from .languages import Languages
from .links import file_links
from .page_list import Job as Job  # (re-exported: the page kinds take a Job)
from .page_list import PageList
from .progress import AreaProgress
from .record_index import RecordIndex
from .record_memo import RecordMemo

THEME = Path(__file__).parent / "theme"
FOOTER = "templates/site_footer.html"
# What a site's footer may name and still show no record on a page but the record's own
# (or an aggregate page's): site-wide facts, the page's own record, its charts.
FOOTER_NAMES = frozenset({"config", "plan", "root", "title", "crumbs", "url", "report_date",
                          "area_title", "colors", "countries", "source", "changed", "edit", "nav",
                          "act", "status", "charts", "site_footer"})


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


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string, safe inside a <style> element: quotes, backslashes,
    control characters and `<>&` as hexadecimal escapes (no "</style>" can end the element)."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&' or ord(ch) < 0x20 or ord(ch) == 0x7F else ch
                      for ch in text)
    return Markup(f'"{escaped}"')


@functools.lru_cache(maxsize=64)
def lang_attrs(tag: str | None) -> Markup:
    """The ` lang=".." dir=".."` attributes of an element whose text is in language `tag`
    rather than the page's (`text_lang` / `plan_lang`), or nothing when `tag` is empty."""
    return Markup(' lang="%s" dir="%s"') % (tag, direction(tag)) if tag else Markup("")


def environment(site_dir: Path | None, bytecode_cache: jinja2.BytecodeCache | None = None,
                words: Words | None = None) -> jinja2.Environment:
    """Site templates first, then the default theme; autoescape and strict undefined; words,
    numbers and dates through `words` (`_()`, `ngettext()`, and the num, pct, date, status
    and country filters)."""
    loaders: list[jinja2.BaseLoader] = []
    if site_dir is not None and (site_dir / "templates").is_dir():
        loaders.append(_Loader(str(site_dir / "templates")))
    loaders.append(_Loader(str(THEME / "templates")))
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
    ngettext = env.globals["ngettext"] = _Ngettext(words)
    # (a message whose form depends on where it stands: a results level's name in a sentence)
    env.globals["pgettext"] = lambda context, message: Markup(words.pgettext(context, message))
    # (under a count that leaves the cancelled activities out: the dashboard's, an area's, a
    # round's, the countries' and a country's)
    env.globals["not_counted"] = lambda n: ngettext(
        "%(n)s cancelled activity is not counted.", "%(n)s cancelled activities are not counted.", n,
        n=words.number(n))
    env.globals["dates"] = _Dates(words)
    env.globals["date_ends"] = functools.partial(_date_ends, words)  # (a range's ends in a sentence: "From 1 to 5 Oct 2018")
    env.globals["data_cell"] = functools.partial(_data_cell, words)
    env.globals["comma"] = words.comma  # (between the items of a list: "، " in Arabic)
    env.globals["semicolon"] = words.semicolon  # (between items holding commas: "؛ " in Arabic)
    env.globals["colon"] = words.colon  # (between a label and its text: " : " in French)
    env.globals["arrow"] = "\u2190" if direction(words.language) == "rtl" else "\u2192"  # (from one state to the next)
    env.filters["direction"] = direction  # (of a language's script: a text in another language than the page's)
    env.filters["css_string"] = css_string  # (a text in a <style>: the printed sheets' running head)
    env.filters["lang_attrs"] = lang_attrs  # (` lang=".." dir=".."` of a text shown in another language, or "")
    env.filters["num"] = words.number
    env.filters["plain"] = words.plain  # (a number with its decimals as they are: data tables)
    env.filters["pct"] = words.percent
    env.filters["date"] = words.date
    env.filters["status"] = words.status
    env.filters["activity_type"] = words.activity_type
    env.filters["country"] = words.country
    env.filters["country_names"] = functools.partial(country_names, words)  # (codes -> names in alphabetical order)
    env.filters["by_country_name"] = functools.partial(by_country_name, words)  # (codes in that order)
    env.filters["and_list"] = words.and_list
    env.filters["slug"] = status_class
    env.filters["split_lead"] = markdown.split_lead  # (lead, rest) of a rendered body: search_text: lead
    env.filters["term_slug"] = taxonomy.slug  # a tag's, partner's or type's page (tags/<slug>/...)
    return env


class _Loader(jinja2.FileSystemLoader):
    """Templates from a folder; a file that is not UTF-8 text is a TemplateSyntaxError at
    the line of its first bad byte (Jinja's loader lets the UnicodeDecodeError through,
    naming no file)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            path = next((str(Path(folder) / template) for folder in self.searchpath
                         if (Path(folder) / template).is_file()), template)
            line = exc.object[:exc.start].count(b"\n") + 1
            raise jinja2.TemplateSyntaxError(
                f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x}): save the file as UTF-8",
                line, template, path) from None


class _Gettext:
    """gettext for autoescaped templates, as jinja2.ext's newstyle gettext."""

    def __init__(self, words: Words):
        self.words = words
        self.plain: dict[str, Markup] = {}  # message -> its translation % {} (no values)

    def __call__(self, message: str, /, **values: Any) -> Markup:
        if not values:
            hit = self.plain.get(message)
            if hit is None:
                text = Markup(self.words.gettext(message))
                try:  # ("%%" is "%", as in Jinja's gettext)
                    hit = text % {}
                except (ValueError, TypeError, KeyError):  # (a site's "100% done": its % is a percent sign)
                    hit = text
                self.plain[message] = hit
            return hit
        return Markup(fill(Markup(self.words.gettext(message)), values, self.words.rtl))


class _Ngettext:
    """ngettext for autoescaped templates, as jinja2.ext's newstyle ngettext."""

    def __init__(self, words: Words):
        self.words = words

    def __call__(self, singular: str, plural: str, num: int, /, **values: Any) -> Markup:
        values.setdefault("num", num)
        return Markup(fill(Markup(self.words.ngettext(singular, plural, num)), values, self.words.rtl))


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _data_cell(words: Words, value: Any) -> Markup:
    """A cell of a chart's data table: a number with its decimals as they are (`plain`),
    end-aligned; a day (ISO in the CSV) as the page writes dates; other text as it is."""
    if value is None:
        return Markup("<td></td>")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Markup('<td class="num">%s</td>') % words.plain(value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return Markup('<td class="date"><time datetime="%s">%s</time></td>') % (value, words.date(value))
    cell: Markup = Markup("<td>%s</td>") % value  # (text escaped; a Markup value kept)
    return cell


def _date_ends(words: Words, start: dt.date, end: dt.date) -> tuple[str, str]:
    """The two ends of a range of days as `Words.date_range` writes them ("1", "5 Oct 2018"),
    for a sentence that joins them itself ("From %(start)s to %(end)s.")."""
    first, last, _ = words.date_range(start, end)
    return first, last or first


class _Dates:
    """`dates(start, end)`: a range of days as one reads it (13 to 17 May 2019 written with the
    month and year once: `Words.date_range`), each end a `<time>`; one day (`end` none or the
    same): its date."""

    def __init__(self, words: Words):
        self.words = words

    def __call__(self, start: dt.date, end: dt.date | None = None) -> Markup:
        first, last, message = self.words.date_range(start, end)
        one = Markup('<time datetime="%s">%s</time>') % (start.isoformat(), first)
        if last is None or end is None:
            return one
        # (the message itself, not `fill`: the tags' letters are not text to isolate)
        return Markup(self.words.gettext(message)) % {
            "start": one, "end": Markup('<time datetime="%s">%s</time>') % (end.isoformat(), last)}


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


def nav(site: m.Site, words: Words, url: str, text_lang: Callable[[Any], str] = lambda record: ""
        ) -> tuple[tuple[str, str, bool], ...]:
    """The site menu: (href, label, whether it is the page at `url` or holds it). A free
    page's title that is not translated into the page's language is marked with its own
    (`text_lang`: "About" in a French menu is English, as the page's heading says)."""
    w = words
    items: list[tuple[str, str]] = [
        ("", w("Dashboard")), ("areas/", w("Areas")), ("results/", w("Results")), ("activities/", w("Activities")),
        ("timeline/", w("Timeline")), ("countries/", w("Countries"))]
    if site.reports:
        items.append(("reports/", w("Reports")))
    for page in site.pages:
        tag = text_lang(page)
        items.append((f"pages/{page.slug}/", Markup("<span%s>%s</span>") % (lang_attrs(tag), page.title) if tag
                      else page.title))
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


def _shown(page_charts: list[charts.Chart], base_url: str, rtl: bool
           ) -> tuple[list[charts.Chart], list[ShownChart]]:
    """A page's charts as drawn (mirrored in a right-to-left script) and as shown."""
    drawn = [charts.mirrored(c) for c in page_charts] if rtl else page_charts
    origin = _origin(base_url)
    return drawn, [ShownChart(**{**vars(c), "embed_path": f"embed/{c.id}/index.html",
                                 "embed_url": f"{base_url}embed/{c.id}/", "embed_origin": origin})
                   for c in drawn]


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
    """Renders the pages of one Site in one language: `render(job)` -> (path, bytes) pairs.

    The site is never changed, but the renderer fills caches as it renders, all made from
    the site and the templates: the page list's orders and filters (`page_list`) and the
    records by id (`records`), made on first use; area progress and indicator series, once
    per area and indicator; each record's list item, round lines and data-file pieces
    (`memo`, which the preview's next renderer takes over); the `{% cached %}` blocks of the
    templates; the other languages' renderers (`languages`); and, with `remember_html` (the
    preview), rendered Markdown by text (for the whole process: `_markdown`)."""

    def __init__(self, site: m.Site, site_dir: Path | None = None, version: str = "",
                 bytecode_cache: jinja2.BytecodeCache | None = None, remember_html: bool = True,
                 words: Words | None = None, prefix: str = "", env: jinja2.Environment | None = None,
                 records: RecordIndex | None = None):
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
        # (`env`: the compiled templates of an earlier renderer with the same words, kept)
        self.env = env or environment(site_dir, bytecode_cache, self.words)
        self.version = version
        self.site_dir = site_dir
        self.site_footer = _has_template(self.env, "site_footer.html")
        self.colors = charts.area_colors(site.plan)
        self.area_title: dict[str, str] = {a.id: a.title for a in site.plan.areas}
        self.last_changed = dict(site.last_changed)
        self.records = records or RecordIndex(site)  # (`records`: another language's, of the same records)
        self.page_list = PageList(site, prefix, sorted(self.records.by_country), self.words)
        self.memo = RecordMemo(self.env, self.area_title, self.words.countries, remember_html, self.languages)
        self._fragments: dict[Any, str] = {}  # {% cached %} blocks of the templates

    @property
    def by_area(self) -> dict[str, list[m.Activity]]:
        """Area id -> its activities (RecordIndex.by_area)."""
        return self.records.by_area

    @property
    def by_country(self) -> dict[str, list[m.Activity]]:
        """Country code -> the activities naming it (RecordIndex.by_country)."""
        return self.records.by_country

    def jobs(self) -> list[Job]:
        """Every output of the site, with what each depends on (page_list.PageList.jobs)."""
        return self.page_list.jobs()

    @functools.cached_property
    def progress(self) -> dict[str, AreaProgress]:
        """Progress of every area on the report date (computed on first use: a preview
        rebuild after a body edit renders no page that needs it; see RecordMemo.progress)."""
        return self.memo.progress(self.site, self.by_area)

    def reuse_items(self, previous: Renderer) -> None:
        """Take over what `previous`, a renderer of an earlier site, made for its records
        (RecordMemo.take_over) and, with the same compiled templates, its other languages'
        renderers."""
        if previous.env is self.env:  # the same templates: so are the other languages'
            self.languages.take_over(previous.languages)
        self.memo.take_over(previous.memo, len(self.site.activities), previous.site.config == self.site.config)

    def render(self, job: Job) -> list[tuple[str, bytes]]:
        """One job -> its output files (a page and the CSVs of its charts): the function of
        its kind (pages.py, datafiles.py); a failure in a template's code, a TemplateError
        (_in_templates)."""
        return _in_templates(self._render, job)

    def _render(self, job: Job) -> list[tuple[str, bytes]]:
        if job.lang:
            cut = len(job.lang) + 1
            inner = Job(job.path[cut:], job.kind, job.key, job.deps)
            return [(f"{job.lang}/{path}", data)
                    for path, data in PAGE_KINDS[job.kind](self.language(job.lang), inner)]
        return PAGE_KINDS[job.kind](self, job)

    def language(self, code: str) -> Renderer:
        """The renderer of the site's pages in language `code` (see languages.Languages)."""
        return self.languages.renderer(code)

    def page(self, job: Job, template: str, title: str, crumbs: list[tuple[str, str]],
              page_charts: list[charts.Chart] | None = None, source: str = "",
              **ctx: Any) -> list[tuple[str, bytes]]:
        """A page of `template` with its context, and its charts' CSVs and embed pages."""
        given = page_charts or []
        page_charts, shown = _shown(given, self.site.config.base_url, self.direction == "rtl")
        # (a page kind may also hand its charts to its template by name: those are shown so too)
        ctx = _charts_as_shown(ctx, {id(c): s for c, s in zip(given, shown)})
        html = _rendered(self.env, template, self._context(job, title, crumbs, list(shown), source, ctx), template)
        # each chart's embed page (chrome-less: the chart, its table, source and date)
        embeds = [(c.embed_path, _rendered(self.env, "embed.html", _embed_context(self, job, c), template)
                   .encode("utf-8")) for c in shown]
        if self.site.config.file_links:  # (links.py: every link to a folder names its index.html)
            html = file_links(html)
            embeds = [(path, file_links(data.decode("utf-8")).encode("utf-8")) for path, data in embeds]
        outputs = [(job.path, html.encode("utf-8"))]
        outputs += [(c.csv_path, c.csv_text().encode("utf-8")) for c in page_charts]
        return outputs + embeds

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
            "changed": self.last_changed.get(source, ""), "edit": edit_links(self.site, source),
            "nav": nav(self.site, self.words, url, self.languages.text_lang), "md": self._md, "excerpt": datafiles.excerpt,
            "site_footer": self.site_footer, "activity_item": self.memo.activity_item,
            "round_row": self.memo.round_row, "round_rows": self.memo.round_rows,
            "indicator_of": self.records.indicator_of, "fragments": self._fragments,
            "words_json": _words_json(self.words), "plotly_locale": _plotly_locale(self.words),
            "site_root": site_root, "languages": menu, "alternates": alternates,
            "direction": self.direction, "text_lang": self.languages.text_lang,
            "plan_lang": self.languages.plan_lang, "plan_text": self.languages.plan_text,
            "plan_unit": self.languages.plan_unit,
            "home_language": self.languages.home,
            "meta": meta.page_meta(self, job, title, page_charts, ctx, url),
        }
        context.update(ctx)
        return context

    def _md(self, text: str, level: int = 1) -> str:
        """Markdown as HTML, under a heading of `level` on its page (markdown.outline)."""
        return self._to_html(text, self.site.config.allow_raw_html, level)

    def series(self, ind: m.Indicator) -> list[tuple[dt.date, float]]:
        """charts.indicator_series, once per indicator (its area page, its own page and the
        dashboard show it)."""
        found = self._series_of.get(ind.id)
        if found is None:
            found = self._series_of[ind.id] = charts.indicator_series(self.site, ind, self.by_area.get(ind.area))
        return found

    def once(self, name: str, make: Callable[[], bytes]) -> bytes:
        """The bytes `make` gives, made once per renderer: for what two outputs hold (the
        open-data tables, alone and in the zip), when one process renders both."""
        found = self._made.get(name)
        if found is None:
            found = self._made[name] = make()
        return found

    @functools.cached_property
    def _made(self) -> dict[str, bytes]:
        return {}

    @functools.cached_property
    def _series_of(self) -> dict[str, list[tuple[dt.date, float]]]:
        # (a cached property, which with_bodies drops; not an lru_cache on the method, which
        # would keep every Renderer, and its Site, of a long preview session alive)
        return {}

    # -- before forking workers, and after a body edit -----------------------------------
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
        _ = self.records.by_id

    def with_bodies(self, site: m.Site, replaced: dict[int, m.Activity]) -> Renderer:
        """A renderer of `site`: this renderer's site with some activities replaced by records
        that differ from them only in their Markdown body (`replaced`: id() of the old record
        -> the new one). Shares the environment, the facts of __init__ and the record memo
        (checked per record by identity), so that the preview server renders a body edit
        without redoing them. (The record index is patched, the page list and the cached
        properties are made anew; a fact of __init__ derived from the activities must be
        updated here.)"""
        new = copy.copy(self)
        new.site = site
        new._fragments = {}  # {% cached %} blocks are kept for one site only
        new.languages = Languages(new)  # (the other languages: made anew on use)
        new.languages.take_over(self.languages)
        new.records = self.records.with_bodies(site, replaced)
        new.page_list = PageList(site, self.prefix, self.page_list.countries, self.words)
        for name, attr in vars(Renderer).items():  # cached facts are recomputed on first use
            if isinstance(attr, functools.cached_property):
                new.__dict__.pop(name, None)
        return new


def _has_template(env: jinja2.Environment, name: str) -> bool:
    """Whether template `name` exists (one with a syntax error does: each page that includes
    it reports it, located). Asked once: a missing optional template is not cached by Jinja,
    so an `include ... ignore missing` would search the template folders on every page."""
    try:
        env.get_template(name)
    except jinja2.TemplateNotFound:
        return False
    except jinja2.TemplateSyntaxError:
        pass
    return True


def _embed_context(r: Renderer, job: Job, chart: ShownChart) -> dict[str, Any]:
    """What embed.html sees: the chart, the way to the site's assets, and the page it
    belongs to (relative links: the site may be served under a sub-path)."""
    root = "../" * chart.embed_path.count("/")
    return {"config": r.site.config, "plan": r.site.plan, "chart": chart, "root": root,
            "site_root": root + "../" if r.prefix else root, "page": root + _place(job)[1],
            "report_date": r.site.report_date, "direction": r.direction,
            "plotly_locale": _plotly_locale(r.words), "meta": meta.embed_meta(r, job, chart, chart.embed_url)}


@functools.lru_cache(maxsize=16)
def _words_json(words: Words) -> Markup:
    """The scripts' words (`i18n.script_words`) as JSON safe inside <script>."""
    return _script_json(script_words(words))


@functools.lru_cache(maxsize=16)
def _plotly_locale(words: Words) -> Markup:
    """The charts' month names and separators (`i18n.plotly_locale`); empty in English."""
    found = plotly_locale(words)
    return _script_json(found) if found else Markup("")


def _script_json(value: Any) -> Markup:
    """JSON safe inside <script>: no '<', '>' or '&' can close or open a tag (as
    charts.Chart.figure_json)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                  .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _rendered(env: jinja2.Environment, name: str, context: dict[str, Any], page_template: str) -> str:
    """Template `name` with `context`; a failure as a TemplateError naming the template file
    and line (`page_template`, the page's, when no template frame is found)."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.filename or exc.name or page_template, exc.lineno, exc.message or str(exc)) from exc
    except jinja2.TemplateNotFound as exc:  # (an include or extends of a template that is not there)
        raise TemplateError(*_template_location(exc, page_template), f"no template named {exc.name!r}") from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(*_template_location(exc, page_template), str(exc)) from exc


def _in_templates(render: Callable[[Job], list[tuple[str, bytes]]], job: Job) -> list[tuple[str, bytes]]:
    """render(job), where what fails in a template's code (a site's `{{ x // 0 }}`, a macro
    its macros.html lacks, a feed.xml of its own) is a TemplateError at the template's line;
    a failure outside templates is not (sitegen's own: a traceback)."""
    try:
        return render(job)
    except TemplateError:
        raise
    except Exception as exc:
        where = _template_location(exc, "")
        if not where[0]:
            raise
        message = str(exc) if isinstance(exc, jinja2.TemplateError) else f"{exc.__class__.__name__}: {exc}"
        raise TemplateError(*where, message + _raised_in(exc)) from exc


def _raised_in(exc: Exception) -> str:
    """Where in sitegen's code a failure under a template was raised (a filter, a function
    the template called): " (raised in sitegen/i18n.py:160)", so that a fault of sitegen's
    own is not taken for the template's; "" when it was raised in the template or Jinja."""
    tb, found = exc.__traceback__, ""
    package = os.path.dirname(os.path.abspath(__file__))
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml")):  # (what the templates call is after their frames)
            found = ""
        elif name.startswith(package + os.sep) and name.endswith(".py"):
            found = f" (raised in sitegen/{os.path.relpath(name, package).replace(os.sep, '/')}:{tb.tb_lineno})"
        tb = tb.tb_next
    return found


def _template_location(exc: Exception, fallback: str) -> tuple[str, int]:
    """The innermost template frame of a runtime template error."""
    tb = exc.__traceback__
    found = (fallback, 0)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".html") or name.endswith(".xml"):
            found = (Path(name).name if "/theme/" in name.replace(os.sep, "/") else name, tb.tb_lineno)
        tb = tb.tb_next
    return found


@functools.lru_cache(maxsize=4096)
def _markdown(text: str, trusted: bool, level: int = 1) -> str:
    return markdown.render(text, trusted, level)


from . import cards, datafiles, iati, meta, opendata, pages  # noqa: E402, F401 (they register the page kinds; they import this module)
