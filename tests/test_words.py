"""Every word a reader reads passes through the translation seam (sitegen/i18n.py).

The example site is rendered with a pseudo-language whose every message, status word,
country name and date is wrapped in ⟦ ⟧. Whatever text is left outside the brackets on
any page (text, the attributes a reader or screen reader meets, chart titles, axis titles,
legends, hover text, the words given to the scripts) must come from the site's own files.
"""

from __future__ import annotations

import datetime as dt
import gettext
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from sitegen import i18n
from sitegen.datafiles import excerpt
from sitegen.errors import Problems
from sitegen.loader import load_site
from sitegen.render import Renderer
from tests.sitekit import REPO


class _Marked(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟦{singular if n == 1 else plural}⟧"

    def pgettext(self, context: str, message: str) -> str:
        return f"⟦{message}⟧"


class _Pseudo(i18n.Words):
    """English formats, every word marked."""

    def __init__(self) -> None:
        super().__init__("en", _Marked())

    def date(self, value: dt.date | None) -> str:
        return f"⟦{super().date(value)}⟧" if value else ""

    def country(self, code: str) -> str:
        return f"⟦{super().country(code)}⟧"

    @property  # type: ignore[override]
    def countries(self) -> dict[str, str]:
        return {code: self.country(code) for code in i18n.COUNTRIES}

    def and_list(self, items: list[str]) -> str:
        return f"⟦{super().and_list(items)}⟧"


_SHOWN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder", "content", "label")
_MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
_SPLIT = re.compile(r"[·|,;:()\[\]–—/\n\t.!?“”\"'&%…*+=<>#→\d-]+")
_URL = re.compile(r"https?://\S+")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:]+(?:Z|[+-]\d\d:\d\d)?")
_FILE_NAMES = re.compile(r"\b[\w-]+\.(?:json|csv|xml)\b")


class _Texts(HTMLParser):
    """Text a reader meets: text outside scripts and styles, and shown attributes; the JSON
    of charts and of the scripts' words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []  # attributes
        self.body: list[str] = []  # text, in document order (a message may hold elements)
        self.json: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name") != "description":
            values.pop("content", None)
        self.texts += [v for k, v in values.items() if k in _SHOWN_ATTRIBUTES and v]
        if tag in ("script", "style"):
            self._in.append(tag if values.get("type") != "application/json" else "json")
        if tag == "textarea" and "readonly" in values:  # code to copy (a chart's embed snippet)
            self._in.append("code")

    def handle_endtag(self, tag: str) -> None:
        if (tag in ("script", "style") and self._in) or (tag == "textarea" and self._in[-1:] == ["code"]):
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if not self._in:
            self.body.append(data)
        elif self._in[-1] == "json":
            self.json.append(data)


def _figure_texts(figure: Any) -> list[str]:
    """The texts of a Plotly figure a reader sees: titles, legend names, hover templates,
    annotations, tick labels given as text."""
    out: list[str] = []
    layout = figure.get("layout", {})
    for holder in [layout, *(v for k, v in layout.items() if k.startswith(("xaxis", "yaxis")))]:
        title = holder.get("title") if isinstance(holder, dict) else None
        if isinstance(title, dict):
            out.append(str(title.get("text", "")))
        elif isinstance(title, str):
            out.append(title)
    out += [str(a.get("text", "")) for a in layout.get("annotations", [])]
    for trace in figure.get("data", []):
        out += [str(trace.get("name", "")), str(trace.get("hovertemplate", ""))]
        if isinstance(trace.get("text"), list) and trace.get("textposition") not in (None, "none"):
            out += [str(t) for t in trace["text"]]
    return [re.sub(r"%\{[^}]*\}|<[^>]+>", " ", text) for text in out]


def _leftovers(text: str, data: str) -> list[str]:
    while _MARKED.search(text):  # (a translated word, e.g. the language's comma, parts the texts around it)
        text = _MARKED.sub("\n", text)
    text = _TIMESTAMP.sub(" ", _FILE_NAMES.sub(" ", _URL.sub(" ", text)))
    parts = (" ".join(part.split()) for part in _SPLIT.split(text))
    return [part for part in parts if re.search(r"[^\W\d_]", part) and part not in data]


@pytest.fixture(scope="module")
def pseudo_pages() -> dict[str, bytes]:
    site = load_site(REPO, Problems())
    assert site is not None
    renderer = Renderer(site, REPO, words=_Pseudo())
    renderer.index_by_id()
    files: dict[str, bytes] = {}
    for job in renderer.jobs():
        files.update(renderer.render(job))
    return files


def _site_data() -> str:
    """The text of the site's own files: its records, settings and templates."""
    parts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "content").rglob("*"))
             if p.is_file() and p.suffix in (".md", ".yaml", ".yml", ".csv")]
    # (a page's description is the start of its record's body as plain text, as in the feed)
    parts += [excerpt(p.read_text(encoding="utf-8"), 10**6) for p in sorted((REPO / "content").rglob("*.md"))]
    parts += [(REPO / "site.yaml").read_text(encoding="utf-8")]
    parts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "templates").glob("*.html"))]
    return " ".join(" ".join(parts).split())


def test_every_word_on_every_page_passes_through_the_seam(pseudo_pages: dict[str, bytes]) -> None:
    data = _site_data()
    found: dict[str, set[str]] = {}
    pages = [p for p in pseudo_pages if p.endswith((".html", ".xml")) and p != "sitemap.xml"]
    assert len(pages) > 100
    for path in pages:
        parser = _Texts()
        parser.feed(pseudo_pages[path].decode("utf-8"))
        texts = [*parser.texts, "\n".join(parser.body)]
        for blob in parser.json:
            value = json.loads(blob)
            if isinstance(value, dict) and "layout" in value:
                texts += _figure_texts(value)
            elif isinstance(value, dict) and "lang" in value:  # the scripts' words
                # (but their date pattern and month names: CLDR's formats, as the dates' of the pages)
                texts += [json.dumps(v, ensure_ascii=False) for k, v in value.items() if k not in ("lang", "date")]
        for text in texts:
            for word in _leftovers(text, data):
                found.setdefault(word, set()).add(path)
    report = {word: sorted(paths)[:3] for word, paths in sorted(found.items())}
    assert not report, f"text outside the translation seam: {report}"


def test_the_pseudo_language_reaches_every_page_kind(pseudo_pages: dict[str, bytes]) -> None:
    kinds = ["index.html", "areas/index.html", "activities/index.html", "timeline/index.html",
             "countries/index.html", "search/index.html", "404.html", "feed.xml", "reports/index.html"]
    for path in kinds:
        assert "⟦".encode() in pseudo_pages[path], path


def test_the_message_catalogue_template_is_current() -> None:
    """sitegen/locales/sitegen.pot lists every message of the templates and the code
    (regenerate it with `python -m sitegen.i18n`)."""
    assert i18n.POT.read_text(encoding="utf-8") == i18n.extract()


def test_numbers_and_dates_follow_the_language() -> None:
    en, fr = i18n.Words("en"), i18n.Words("fr")
    assert en.number(1234567) == "1,234,567" and en.number(2.25) == "2.2" and en.number(0.05) == "0.1"
    assert fr.number(1234.5) == "1\u202f234,5"
    assert en.date(dt.date(2017, 5, 4)) == "4 May 2017"
    assert en.percent(0.874) == "87%" and en.percent(None) == "–"
    # a half rounds up, as a reader works it out (5 of 8: 63%, never 62% beside 3 of 8: 38%)
    assert (en.percent(5 / 8), en.percent(3 / 8), en.percent(0.645), en.percent(0.285)) == ("63%", "38%", "65%", "29%")
    assert en.and_list(["A", "B", "C"]) == "A, B and C" and en.and_list(["<a>"]) == "&lt;a&gt;"
    ar = i18n.Words("ar")
    assert set(i18n.script_words(ar)["matches"]) == {"zero", "one", "two", "few", "many", "other"}


def test_spanish_and_italian_group_digits_from_five() -> None:
    """CLDR's minimum grouping digits, as the browsers' Intl.NumberFormat applies it (the
    site's scripts write their counts with it): Spanish and Italian write "3508" and
    "21.350", RAE's rule ("3.508" beside a script's "3508"); German and Latin American
    Spanish group from four."""
    es, it, de, mx = i18n.Words("es"), i18n.Words("it"), i18n.Words("de"), i18n.Words("es_MX")
    assert (es.number(3508), es.number(21350), es.number(1234.5), es.plain(1234.25)) == ("3508", "21.350", "1234,5", "1234,25")
    assert (es.number(-3508), es.number(9999.96), es.plain(12345.5)) == ("-3508", "10.000,0", "12.345,5")
    assert (it.number(3508), it.number(1234567)) == ("3508", "1.234.567")
    assert (de.number(3508), mx.number(3508)) == ("3.508", "3,508")


def test_a_date_ending_with_a_full_stop_ends_the_sentence_once() -> None:
    """Russian dates end with "г." ("31 дек. 2019 г."): a message that puts a full stop after
    the date gets one stop, in code (charts' summaries) and in templates, and a full stop
    after any other value, or inside one, stays."""
    ru = i18n.words_for("ru")
    day = ru.date(dt.date(2019, 12, 31))
    assert day.endswith("г.")
    said = ru("The dotted line marks the report date %(date)s.", date=day)
    assert said.endswith(f"{day}") and not said.endswith(".."), said
    assert i18n.fill("From %(start)s to %(end)s.", {"start": day, "end": "2020"}) == f"From {day} to 2020."
    assert i18n.fill("Go to %(link)s.", {"link": "../x"}) == "Go to ../x."
    site = load_site(REPO, Problems())
    assert site is not None
    renderer = Renderer(site, REPO, "test", words=ru)
    template = renderer.env.from_string('{{ _("Licence: %(licence)s.", licence=x) }} '
                                        '{{ ngettext("%(num)s file, %(d)s.", "%(num)s files, %(d)s.", 2, d=x) }}')
    assert template.render(x=day) == f"{ru('Licence: %(licence)s.', licence=day)} 2 files, {day}"
    assert template.render(x=day).count("г.") == 2 and ".." not in template.render(x=day)
    # a date in markup (a <time> element) ends the sentence once too
    marked = renderer.env.from_string('{% set when %}<time datetime="2019-12-31">{{ x }}</time>{% endset %}'
                                      '{{ _("Record last changed on %(date)s.", date=when) }}').render(x=day)
    assert marked.endswith("г.</time>") and "г.</time>." not in marked, marked


def test_no_russian_page_ends_a_sentence_with_two_full_stops() -> None:
    """Every page of the example in Russian: no "г.." (a date ending a sentence: the report
    period of a round, a term page's span, "last changed on"), in text or in markup."""
    doubled = [(path, text[max(0, m.start() - 30): m.end()])
               for path, text in _page_texts("ru") for m in re.finditer(r"г\.\.", text)]
    assert not doubled, doubled[:5]


def _page_texts(language: str) -> Iterator[tuple[str, str]]:
    """Every HTML page of the example in `language`: its path and its text without tags."""
    site = load_site(REPO, Problems())
    assert site is not None
    renderer = Renderer(site, REPO, words=i18n.words_for(language))
    renderer.index_by_id()
    for job in renderer.jobs():
        for path, data in renderer.render(job):
            if path.endswith(".html"):
                yield path, re.sub(r"<[^>]+>", "", data.decode("utf-8"))


def test_no_italian_page_puts_an_article_before_a_percentage() -> None:
    """Every page of the example in Italian: no "il 87%" (it is "l'87%", as for 8, 11, 80-89:
    the article follows the number's sound); the catalogue writes percentages without one
    ("periodo del piano trascorso: 87%")."""
    found = [(path, m.group(0)) for path, text in _page_texts("it")
             for m in re.finditer(r"\b(?:il|al|del|dal|nel|sul) \d+(?:,\d+)?\s?%", text)]
    assert not found, found[:5]


def test_a_range_of_days_names_its_month_and_year_once() -> None:
    """"13–17 May 2019", "30 May – 2 Jun 2019" (CLDR's intervals, as the languages' dates are
    written): where the language writes day, month name and year (Arabic too: its dates name
    the month, see test_arabic_dates_name_their_month); other date forms (German 13.05.2019)
    give both dates whole."""
    may13, may17, jun2, jan2 = dt.date(2019, 5, 13), dt.date(2019, 5, 17), dt.date(2019, 6, 2), dt.date(2020, 1, 2)
    may30, dec30 = dt.date(2019, 5, 30), dt.date(2019, 12, 30)
    en, fr, ru, de = (i18n.words_for(code) for code in ("en", "fr", "ru", "de"))
    assert en.date_range(may13, may17) == ("13", "17 May 2019", "%(start)s–%(end)s")
    assert en.date_range(may30, jun2) == ("30 May", "2 Jun 2019", "%(start)s – %(end)s")
    assert en.date_range(dec30, jan2) == ("30 Dec 2019", "2 Jan 2020", "%(start)s – %(end)s")
    assert en.date_range(may13, None) == en.date_range(may13, may13) == ("13 May 2019", None, "")
    assert fr.date_range(may30, jun2)[:2] == ("30 mai", "2 juin 2019")
    assert ru.date_range(may13, may17)[:2] == ("13", "17 мая 2019\u202fг.")
    assert ru.date_range(may30, jun2)[0] == "30 мая"
    assert de.date_range(may13, may17)[:2] == ("13.05.2019", "17.05.2019")
    assert i18n.words_for("ar").date_range(may13, may17) == ("13", "17 مايو 2019", "%(start)s–%(end)s")
    assert en.date_range(may17, may13)[:2] == ("17 May 2019", "13 May 2019")  # (never one day number)


def test_french_writes_the_first_of_a_month_1er() -> None:
    """"1er juin 2019", "1er–5 juin 2019", "1er mai – 1er juin 2019" (as French typography
    writes it; CLDR's patterns cannot), and filter.js is told so; other languages and days
    keep the number."""
    fr, en, ru = (i18n.words_for(code) for code in ("fr", "en", "ru"))
    jun1, jun5, may1 = dt.date(2019, 6, 1), dt.date(2019, 6, 5), dt.date(2019, 5, 1)
    assert (fr.date(jun1), fr.date(jun5), fr.date("2019-06-01")) == ("1er juin 2019", "5 juin 2019", "1er juin 2019")
    assert fr.date_range(jun1, jun5)[:2] == ("1er", "5 juin 2019")
    assert fr.date_range(may1, jun1)[:2] == ("1er mai", "1er juin 2019")
    assert (en.date(jun1), ru.date_range(jun1, jun5)[0]) == ("1 Jun 2019", "1")
    assert (i18n.script_words(fr)["date"]["first"], i18n.script_words(en)["date"]["first"]) == ("1er", "")


def test_ranges_of_days_on_the_pages_name_a_month_once() -> None:
    """Every range of days on the example's pages (activity facts, round annexes, indicator
    contributions, rescheduled activities): two <time> elements giving both days, the first
    only its day when both are in one month."""
    site = load_site(REPO, Problems())
    assert site is not None
    renderer = Renderer(site, REPO, words=i18n.words_for("en"))
    renderer.index_by_id()
    ranges, spans = [], []
    for job in renderer.jobs():
        for path, data in renderer.render(job):
            if path.endswith(".html"):
                ranges += re.findall(r'<time datetime="([\d-]+)">([^<]+)</time>( ?– ?)<time datetime="([\d-]+)">([^<]+)</time>',
                                     data.decode("utf-8"))
                # (and in a sentence: a tag's, partner's or type's span, "From 1 to 5 Oct 2018.")
                spans += re.findall(r'From <time datetime="([\d-]+)">([^<]+)</time> to <time datetime="([\d-]+)">([^<]+)</time>',
                                    data.decode("utf-8"))
    assert len(ranges) > 150, len(ranges)
    assert len(spans) > 20 and any(first.isdigit() for _, first, _, _ in spans), spans[:5]
    for start, first, end, last in spans:
        a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        assert last == i18n.words_for("en").date(b), (start, end, last)
        assert first == (str(a.day) if (a.year, a.month) == (b.year, b.month) else
                         i18n.words_for("en").date(a).removesuffix(f" {a.year}" if a.year == b.year else "")), (start, first)
    en = i18n.words_for("en")
    for start, first, between, end, last in ranges:
        a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        assert a < b and last == en.date(b), (start, first, end, last)
        if (a.year, a.month) == (b.year, b.month):
            assert (first, between) == (str(a.day), "–"), (start, first, between, end)
        else:
            assert between == " – " and first == en.date(a).removesuffix(f" {a.year}" if a.year == b.year else ""), (
                start, first, end)


class _Counted(i18n.Words):
    """English, every number marked where the number formatter writes it."""

    def __init__(self) -> None:
        super().__init__("en")

    def number(self, value: Any, decimals: int = 1) -> str:
        return f"⟨{super().number(value, decimals)}⟩"

    def plain(self, value: Any) -> str:  # (a chart's data table: the decimals as they are)
        text = super().plain(value)
        return text if text.startswith("⟨") else f"⟨{text}⟩"

    def percent(self, share: float | None) -> str:  # (attainment columns: "87%")
        return super().percent(share) if share is None else f"⟨{super().percent(share)}⟩"


def test_figures_in_number_columns_pass_through_the_number_formatter() -> None:
    """Every cell of a figure column (`td.num`: the dashboard's and the countries page's
    activity counts, targets, breakdowns, round annexes...) is written by the language's
    number formatter ("1,234" in English, "1 234" in French), never as Python prints it."""
    site = load_site(REPO, Problems())
    assert site is not None
    renderer = Renderer(site, REPO, words=_Counted())
    renderer.index_by_id()
    cells: dict[str, list[str]] = {}
    for job in renderer.jobs():
        for path, data in renderer.render(job):
            if path.endswith(".html"):
                found = re.findall(r'<td class="num[^"]*"[^>]*>(.*?)</td>', data.decode("utf-8"), re.S)
                cells[path] = [re.sub(r"<[^>]+>", "", c).strip() for c in found]
    for page in ("index.html", "countries/index.html", "areas/firearms/index.html", "reports/2019/index.html"):
        assert cells[page], page
    # (a cell without a figure: an en dash, and what it means for screen readers)
    bare = sorted({(p, c) for p, found in cells.items() for c in found if c and not c.startswith("–") and "⟨" not in c})
    assert not bare, bare[:10]


def test_left_to_right_values_in_a_right_to_left_sentence_are_isolated() -> None:
    """In Arabic, an English area title filled into a sentence is a bidi isolate (U+2068 ...
    U+2069), so that its hyphen, and the figure after it, keep their places when the line
    breaks; Arabic words, numbers and dates are left as they are, and no other language
    gets isolates."""
    ar, fr = i18n.words_for("ar"), i18n.words_for("fr")
    message = "Highest activity completion: %(area)s (%(percent)s%%)."
    said = ar(message, area="Counter-terrorism", percent="86.7")
    assert "\u2068Counter-terrorism\u2069" in said and "\u206886.7" not in said
    assert "\u2068" not in ar(message, area="مكافحة الإرهاب", percent="86.7")
    assert "\u2068" not in fr(message, area="Counter-terrorism", percent="86.7")
    # a percentage's left-to-right marks are no letters: "87\u200e%\u200e" is not isolated
    assert "\u2068" not in ar("%(share)s elapsed", share=ar.percent(0.87))
    site = load_site(REPO, Problems())
    assert site is not None
    template = Renderer(site, REPO, "test", words=ar).env.from_string('{{ _("Area: %(area)s", area=link) }}')
    shown = template.render(link=Markup('<a href="x/">Firearms</a>'))
    assert '\u2068<a href="x/">Firearms</a>\u2069' in shown


def test_arabic_dates_name_their_month() -> None:
    """Arabic's medium date is all figures ("31/12/2019" with right-to-left marks): among
    Arabic words it read as "2019/12/31", and a range as six numbers in a row. Its long
    date names the month, as the other languages' dates do."""
    ar = i18n.words_for("ar")
    assert ar.date(dt.date(2019, 12, 31)) == "31 ديسمبر 2019"
    assert not re.search(r"\d/\d|\d\u200f/", ar.date(dt.date(2019, 12, 31)))
    assert ar.date_range(dt.date(2019, 11, 30), dt.date(2019, 12, 2))[:2] == ("30 نوفمبر", "2 ديسمبر 2019")
    assert i18n.words_for("de").date(dt.date(2019, 12, 31)) == "31.12.2019"  # (left to right: figures kept)
