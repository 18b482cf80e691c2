"""The seam for what a reader reads: every word passes through `Words` (gettext messages) and
every number and date through its formatters (CLDR data from Babel).

Templates call `_("...")` (and `ngettext`), Python code calls `words("...")`, the scripts get
their words from the page (`script_words`). Messages are English; a catalogue
`sitegen/locales/<language>.po` translates them. Status and progress words stay English as
data keys (in JSON, CSV, CSS classes) and are translated where shown (`Words.status`).

Formatting: Babel's CLDR patterns, symbols and month names, so that a language brings its
own separators, digits and date order. Numbers are rounded by Python first (as `f"{x:.1f}"`
rounds a float) and only then written by Babel: the English pages keep their exact bytes.
`python -m sitegen.i18n` writes `sitegen/locales/sitegen.pot`, the messages to translate.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup, escape

from .countries import COUNTRIES
from .model import STATUSES

LOCALES = Path(__file__).parent / "locales"
POT = LOCALES / "sitegen.pot"


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is defined; translated where shown."""
    return message


# a range of days: "13 May – 2 Jun 2019", "30 Dec 2019 – 2 Jan 2020"
SPACED_RANGE = N_("%(start)s – %(end)s")
# a range of days in one month: "13–17 May 2019" (start: the first day's number)
DAYS_RANGE = N_("%(start)s–%(end)s")

# Words that are data keys (JSON, CSV, CSS classes) and shown translated: activity statuses
# (model.STATUSES), indicator and area progress (progress.STATUS_ORDER); a key written with
# a hyphen is shown with a space ("in-progress": "in progress").
STATUS_WORDS = (N_("planned"), N_("in progress"), N_("completed"), N_("postponed"), N_("cancelled"),
                N_("achieved"), N_("on track"), N_("at risk"), N_("off track"), N_("not started"),
                N_("no data"))


# The default activity types (model.DEFAULT_TYPES, data keys) as shown; a plan's own types
# are shown as written, hyphens as spaces.
TYPE_WORDS = {"workshop": N_("workshop"), "training-course": N_("training course"),
              "conference": N_("conference"), "assessment": N_("assessment"), "tool": N_("tool"),
              "meeting": N_("meeting")}


def collation_key(text: str) -> str:
    """A text as it sorts in a list of names: without its accents and other nonspacing marks
    (Unicode category Mn: "é" and "й" sort as "e" and "и", an Arabic alef with a hamza as an
    alef), in lower case: a close approach to a language's collation without its tables.
    filter.js's sortKey does the same, step by step (NFD, marks out, then JavaScript's
    toLowerCase, which is str.lower)."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn").lower()


def fill(text: str, values: dict[str, Any], isolate: bool = False) -> str:
    """`text % values`, where a value ending with a full stop (a Russian date, which ends with
    the abbreviation of "year") ends the sentence of a message that puts a full stop right
    after it: one stop, not two. With `isolate` (a right-to-left language), a value holding
    left-to-right letters (an English area title in an Arabic sentence) is a bidi isolate
    (U+2068 ... U+2069): what follows it in the sentence ("(86.7%).") stays in the sentence's
    order instead of joining the English run. (Pagefind finds the words inside as before.)
    A value that is markup ending with a full stop inside its closing tags (a Russian date in
    a `<time>` element) ends with one too."""
    if "s." in text:
        for name, value in values.items():
            if isinstance(value, str) and _ends_with_stop(value) and f"%({name})s." in text:
                text = text.replace(f"%({name})s.", f"%({name})s")
    if isolate:
        values = {name: _isolated(value) for name, value in values.items()}
    return text % values


_CLOSING_TAGS = re.compile(r"(?:</[a-z]+>)+$")


def _ends_with_stop(value: str) -> bool:
    """Whether `value` ends with a full stop, in markup before its closing tags."""
    return (_CLOSING_TAGS.sub("", value) if isinstance(value, Markup) else value).endswith(".")


def whole_percent(share: float) -> int:
    """A share (0.625) as a whole percentage, a half rounded up (63: as a reader works out 5
    of 8; Python's round() gives the even neighbour, 62, while 3 of 8 gives 38)."""
    return int(Decimal(repr(round(100 * share, 9))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Languages whose numbers of four digits are not grouped ("3508", "21.350": CLDR's
# minimumGroupingDigits of 2, which Babel does not read; the browsers' Intl.NumberFormat,
# which the site's scripts use, does): Spanish (not Latin America's), Italian, Polish,
# European Portuguese, Bulgarian, Estonian, Hungarian, Latvian, Slovenian.
MIN_GROUPING_2 = frozenset({"es", "es_ES", "it", "it_IT", "pl", "pl_PL", "pt_PT", "bg", "bg_BG", "et", "et_EE",
                            "hu", "hu_HU", "lv", "lv_LV", "sl", "sl_SI"})

# The first day of a month where a language writes it otherwise than "1" (CLDR's date
# patterns have no field for it): French "1er juin", as its typography and press write it.
FIRST_DAY = {"fr": "1er"}


def unit_form(value: float | None, indicator: Any, first: str) -> str:
    """The form of an indicator's unit that goes with `value` ("1 tool", "4 tools", "0 tools"
    in English; "2 инструмента", "5 инструментов" in Russian), by the plural rules of the
    language the unit is written in (`indicator.unit_lang`, else the site's `first` language:
    an English unit on a French page still says "0 tools"). Its `unit` without forms, or
    without a value."""
    forms = indicator.unit_forms
    if not forms or value is None:
        return str(indicator.unit)
    number = int(value) if float(value).is_integer() else value
    return str(dict(forms).get(_plural_rules(indicator.unit_lang or first)(number), indicator.unit))


@functools.lru_cache(maxsize=64)
def _plural_rules(language: str) -> Callable[[float], str]:
    try:
        return Locale.parse(language.replace("-", "_")).plural_form
    except (ValueError, UnknownLocaleError):
        return Locale("en").plural_form


def _isolated(value: Any) -> Any:
    """`value` between U+2068 (first strong isolate) and U+2069 when its text holds a
    left-to-right letter; markup stays markup. (Markup's tags are not its text: a number in
    `<span class="n">` was isolated, and the isolate's end, after the block the span is on a
    card, began the next line with a visible space.) A left-to-right mark is not a letter:
    Arabic's "87\u200e%\u200e" needs no isolate (its isolate, around the big figure of a card,
    made a line of its own above it)."""
    text = value.striptags() if isinstance(value, Markup) else value
    if not isinstance(text, str) or not any(unicodedata.bidirectional(c) == "L" and c != "\u200e" for c in text):
        return value
    if isinstance(value, Markup):
        return Markup("\u2068") + value + Markup("\u2069")
    return f"\u2068{value}\u2069"


# The gettext context of a country's name in a site's own messages (locales/<code>.po):
#   msgctxt "country"
#   msgid "KG"
#   msgstr "Kirghizistan"
COUNTRY_CONTEXT = "country"


class Words:
    """Messages, numbers and dates in one language.

    `translations` holds the messages (gettext's NullTranslations: the English messages);
    `language` is a CLDR locale code (en, fr, ar, pt_BR...) for numbers and dates.
    """

    def __init__(self, language: str = "en", translations: gettext.NullTranslations | None = None):
        self.language = language
        try:
            self.locale = Locale.parse(language.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            self.locale = Locale("en")
        self.rtl = self.locale.character_order == "right-to-left"  # (values are isolated: see fill)
        self.translations = translations or gettext.NullTranslations()
        self.gettext = self.translations.gettext
        self.ngettext = self.translations.ngettext
        self.pgettext = self.translations.pgettext  # (a message in a context: msgctxt)
        self._dates: dict[dt.date | str, str] = {}
        self._numbers: dict[tuple[float, int], str] = {}

    def __call__(self, message: str, **values: Any) -> str:
        """`message` translated, with `%(name)s` placeholders filled from `values`."""
        text = self.gettext(message)
        return fill(text, values, self.rtl) if values else text

    def plural(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """The form of a message for `n` (a language may have up to six), `%(n)s` filled."""
        return fill(self.ngettext(singular, plural, n), {"n": self.number(n), **values}, self.rtl)

    def and_list(self, items: list[str]) -> str:
        """Items joined as a sentence lists them: "A, B and C" in English (CLDR's standard
        list pattern in other languages). Items that are markup (links) stay markup."""
        return Markup(self.and_text([str(escape(item)) for item in items]))

    def and_text(self, items: list[str]) -> str:
        """Plain texts joined as a sentence lists them (see and_list), e.g. a chart's summary.
        In a right-to-left language, each item holding left-to-right letters is a bidi isolate:
        the whole list, isolated in turn in a sentence (`fill`), then takes its direction from
        the language's own word for "and", not from the first item's letters (an Arabic footer
        read "INTERPOL and OSCE Secretariat")."""
        if not items:
            return ""
        if self.rtl:  # (each left-to-right item isolated: the list reads from the right, "A و B")
            items = [_isolated(item) for item in items]
        if self.locale.language == "en":
            return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
        return str(format_list(items, locale=self.locale))

    def status(self, word: str) -> str:
        """A status or progress word as shown (the word itself stays the data key)."""
        return self.gettext(word.replace("-", " "))

    def activity_type(self, word: str) -> str:
        """An activity type as shown (the word itself stays the data key)."""
        known = TYPE_WORDS.get(word)
        return self.gettext(known) if known else word.replace("-", " ")

    @functools.cached_property
    def countries(self) -> dict[str, str]:
        """Every country's name by code (see `country`)."""
        if self.locale.language == "en" and not self._named:
            return COUNTRIES
        return {code: self.country(code) for code in COUNTRIES}

    @functools.cached_property
    def _named(self) -> dict[str, str]:
        """The countries the site's own messages name (msgctxt "country", msgid the code)."""
        return {code: name for code in COUNTRIES
                if (name := self.pgettext(COUNTRY_CONTEXT, code)) != code and name}

    def country(self, code: str) -> str:
        """A country's name (ISO 3166-1 alpha-2 code): the one the site's own messages give
        (msgctxt "country", as the names its organisations use: "Kirghizistan", "Bélarus"),
        else the site's list in English, CLDR's in other languages."""
        named = self._named.get(code)
        if named:
            return named
        if self.locale.language == "en":
            return COUNTRIES[code]
        return str(self.locale.territories.get(code) or COUNTRIES[code])

    def number(self, value: float | None, decimals: int = 1) -> str:
        """A number: thousands grouped, at most `decimals` decimals when not whole; an en dash for none."""
        if value is None:
            return "–"
        key = (value, decimals)
        text = self._numbers.get(key)
        if text is None:
            grouped = "" if self._ungrouped(round(float(value), decimals)) else "#,##"
            if float(value).is_integer():
                text = format_decimal(int(value), grouped + "0", locale=self.locale)
            else:
                pattern = grouped + "0." + "0" * decimals if decimals else grouped + "0"
                text = format_decimal(Decimal(f"{value:.{decimals}f}"), pattern, locale=self.locale)
            if len(self._numbers) < 100_000:
                self._numbers[key] = text
        return text

    def plain(self, value: Any) -> str:
        """A number as the chart summaries write it: its decimals as Python writes them, with
        the language's decimal sign and digit grouping. (Not `number`, which rounds to one
        decimal and drops a whole number's ".0".) Not a number: its text."""
        text = str(value)
        if not text.lstrip("-").replace(".", "", 1).isdigit():  # None, inf, nan, 1e+16
            return text
        decimals = len(text.partition(".")[2])
        if not decimals:
            return self.number(int(text))
        grouped = "" if self._ungrouped(float(text)) else "#,##"
        return str(format_decimal(Decimal(text), grouped + "0." + "0" * decimals, locale=self.locale))

    def _ungrouped(self, value: float) -> bool:
        """Whether `value` is written without grouping: four digits or fewer before the
        decimal sign in a language of MIN_GROUPING_2."""
        return abs(value) < 10_000 and str(self.locale) in MIN_GROUPING_2

    @functools.cached_property
    def comma(self) -> str:
        """What separates the items of a list (countries, partners): ", " ("، " in Arabic)."""
        return self.gettext(", ")

    @functools.cached_property
    def semicolon(self) -> str:
        """What separates items that hold commas (a round's activities completed in an area):
        "; " ("؛ " in Arabic)."""
        return self.gettext("; ")

    @functools.cached_property
    def colon(self) -> str:
        """What follows a label before its text ("Results framework: ..."): ": " in English,
        " : " in French (a no-break space before the colon)."""
        return self.gettext(": ")

    @functools.cached_property
    def percent_axis(self) -> dict[str, str]:
        """A percentage axis's Plotly tick affixes: `ticksuffix` "%" in English, "\u00a0%" in
        French; `tickprefix` "%" in Turkish ("%80"), "%\u00a0" in Basque."""
        prefix, _, suffix = self._percent(Decimal("0.5")).partition("50")
        return {name: text for name, text in (("tickprefix", prefix), ("ticksuffix", suffix)) if text}

    def percent(self, share: float | None) -> str:
        """A share (0.87) as a whole percentage ("87%"); an en dash for none."""
        if share is None:
            return "–"
        return self._percent(Decimal(whole_percent(share)) / 100) + self._after_percent

    @functools.cached_property
    def _after_percent(self) -> str:  # (an Arabic letter mark after Arabic's "%\u200e": a number
        # after it took that mark for its direction and ran with it, "51% · 6" read "6 · 51%")
        return "\u061c" if self._percent_sign.endswith("\u200e") and self.locale.character_order == "right-to-left" else ""

    def _percent(self, share: Decimal) -> str:
        """Babel's percentage with the language's own percent sign, which Babel leaves out (it
        writes its pattern's "%"): Arabic's "\u200e%\u200e", marked left to right so that
        "85%" reads as the figures do after Arabic words too (a bare "%" went to the number's
        other side there, "%85", and not at a line's start)."""
        text = format_percent(share, locale=self.locale)
        return text.replace("%", self._percent_sign) if self._percent_sign != "%" else text

    @functools.cached_property
    def _percent_sign(self) -> str:
        return str(self.locale.number_symbols.get("latn", {}).get("percentSign", "%"))

    def date(self, value: dt.date | str | None) -> str:
        """A date as "4 May 2017" in English (CLDR's medium date without weekday); an ISO
        date ("2017-05-04", as git dates are kept) likewise."""
        if not value:
            return ""
        text = self._dates.get(value)
        if text is None:
            day = dt.date.fromisoformat(value) if isinstance(value, str) else value
            text = self._format(day, self.date_pattern)
            if len(self._dates) < 100_000:
                self._dates[value] = text
        return text

    def date_range(self, start: dt.date, end: dt.date | None) -> tuple[str, str | None, str]:
        """A range of days as its two ends are written together, and the message joining them:
        ("13", "17 May 2019", DAYS_RANGE) within one month, ("30 May", "2 Jun 2019",
        SPACED_RANGE) within one year, both whole otherwise, or where the language's
        dates do not name the month between the day and the year (German's 13.05.2019); one
        day: (its date, None, ""). The message is filled with the two ends as `start`, `end`."""
        if end is None or end == start:
            return self.date(start), None, ""
        whole = self.date(end)
        if self._day_month is None or start.year != end.year or start > end:
            return self.date(start), whole, SPACED_RANGE
        if start.month == end.month:
            return self._format(start, "d"), whole, DAYS_RANGE
        return self._format(start, self._day_month), whole, SPACED_RANGE

    def _format(self, day: dt.date, pattern: str) -> str:
        """`day` by a CLDR date pattern, the first of a month written as the language writes
        it where that is not the number alone (French "1er juin 2018": FIRST_DAY)."""
        first = FIRST_DAY.get(self.locale.language) if day.day == 1 else None
        if first:
            pattern = re.sub(r"(?<![d'])d(?!d)", f"'{first}'", pattern, count=1)
        return format_date(day, pattern, locale=self.locale)

    @functools.cached_property
    def _day_month(self) -> str | None:
        """The date pattern's day and month ("d MMM" of "d MMM y", and of Russian's, which ends
        with the abbreviation of "year"), when it is a day, a month's name and the year, in
        that order."""
        found = re.fullmatch(r"(d{1,2}\s+M{3,4})\s+y+(?:\s*'[^']*'\.?)?", self.date_pattern)
        return found.group(1) if found else None

    @functools.cached_property
    def date_pattern(self) -> str:
        """CLDR's medium date ("d MMM y" in English, without its comma); in a right-to-left
        language whose medium date is all figures (Arabic's "dd/MM/y" with right-to-left
        marks), its long one, which names the month ("31 ديسمبر 2019"): among right-to-left
        words a date of figures and slashes read as "2019/12/31", and a range of two as a
        row of six numbers."""
        if self.locale.language == "en":
            return "d MMM y"
        medium = str(self.locale.date_formats["medium"].pattern)
        if self.locale.character_order == "right-to-left" and "MMM" not in medium:
            return str(self.locale.date_formats["long"].pattern)
        return medium


def country_names(words: Words, codes: Iterable[str]) -> list[str]:
    """Countries' names in alphabetical order (not their codes': "Switzerland" after
    "Germany"), accents aside ("Égypte" among the E): the `country_names` filter."""
    return [words.countries.get(code) or code for code in by_country_name(words, codes)]


def by_country_name(words: Words, codes: Iterable[str]) -> list[str]:
    """Country codes in the alphabetical order of their names, as country_names gives the
    names: the `by_country_name` filter (an activity's page listed them as its record does,
    its line in the lists in this order)."""
    return sorted(codes, key=lambda code: collation_key(words.countries.get(code) or code))


def script_words(locale_words: Words) -> dict[str, Any]:
    """What the site's scripts show, for a `<script type="application/json">`: plural
    messages by CLDR category (the script picks one with Intl.PluralRules)."""
    # (not named `words`, the name that marks a message: Babel's extractor took the argument
    # of by_category(words, ...) for a call and skipped its messages)
    gettext = locale_words.gettext
    return {
        "lang": locale_words.language.replace("_", "-"),
        "loading": gettext("Loading…"),
        "needs_http_filter": gettext("Filtering all pages needs the site to be served over HTTP."),
        "needs_http_search": gettext("Search needs the site to be served over HTTP."),
        "search_unavailable": gettext("Search is unavailable: this site was built without its search index."),
        "loading_index": gettext("Loading the search index…"),
        "matches": by_category(locale_words, "%(n)s activity matches.", "%(n)s activities match."),
        "results": by_category(locale_words, "%(n)s result for “%(q)s”.", "%(n)s results for “%(q)s”."),
        # (for none, a sentence of its own: "0 activities match." read as a machine's)
        "no_matches": gettext("No activities match."),
        "no_results": gettext("No results for “%(q)s”.").replace("%(q)s", "{q}"),
        # (after the count of the results for several words, one of which no page holds)
        "not_in_any": gettext("No page holds “%(word)s”: these results leave it out.").replace("%(word)s", "{word}"),
        # (... two or more of which no page holds: each quoted, as the language quotes, and
        # joined by the script as the language lists alternatives, "“Kyeev” or “Bishkk”")
        "quoted": gettext("“%(word)s”").replace("%(word)s", "{word}"),
        "not_in_several": gettext("No page holds %(words)s: these results leave them out.").replace("%(words)s", "{words}"),
        # (a filter's value in the address that no page has: /search/?status=finished)
        "unknown_filter": gettext("No page is filed under “%(value)s”: that filter is left out.").replace(
            "%(value)s", "{value}"),
        # the kinds of page search finds (the `kind` meta of the templates' data-pagefind-body)
        "kinds": {"activity": gettext("activity"), "area": gettext("area"),
                  "indicator": gettext("indicator"), "country": gettext("country"),
                  "report": gettext("report"), "page": gettext("page"),
                  "tag": gettext("tag"), "partner": gettext("partner"),
                  "type": gettext("activity type"), "results": gettext("results framework")},
        "statuses": {word: locale_words.status(word) for word in STATUSES},  # (data key -> as shown)
        "rescheduled": gettext("rescheduled"),
        "rescheduled_from": gettext("rescheduled from %(date)s").replace("%(date)s", "{date}"),
        "comma": locale_words.comma,
        "date": _date_for_scripts(locale_words),
    }


def _date_for_scripts(words: Words) -> dict[str, Any]:
    """How `Words.date` writes a date, for the scripts (filter.js writes the dates of the
    items it finds as the pages do): its CLDR pattern and, when it names the month, the names."""
    pattern = words.date_pattern
    width = "wide" if "MMMM" in pattern else "abbreviated" if "MMM" in pattern else ""
    months = words.locale.months["format"][width] if width else {}
    return {"pattern": pattern, "months": [str(months[m]) for m in range(1, 13)] if width else [],
            "first": FIRST_DAY.get(words.locale.language, "")}


def plotly_locale(words: Words) -> dict[str, Any] | None:
    """Plotly's locale format (month and day names, separators) from CLDR, for the charts'
    axes and hover text; None for English (Plotly's own)."""
    if words.locale.language == "en":
        return None
    loc = words.locale
    def names(table: Any) -> list[str]:
        return [str(table[i]) for i in sorted(table)]
    days_wide, days_short = names(loc.days["format"]["wide"]), names(loc.days["format"]["abbreviated"])
    symbols = loc.number_symbols.get("latn", loc.number_symbols)
    return {  # (CLDR counts days from Monday, Plotly from Sunday)
        "months": names(loc.months["format"]["wide"]),
        "shortMonths": names(loc.months["format"]["abbreviated"]),
        "days": days_wide[6:] + days_wide[:6], "shortDays": days_short[6:] + days_short[:6],
        "decimal": symbols.get("decimal", "."),
        "thousands": symbols.get("group", ","),
    }


def by_category(words: Words, singular: str, plural: str) -> dict[str, str]:
    """A plural message in each of the language's CLDR plural categories, with "{n}" where
    the number goes (filled by the script)."""
    examples = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100}
    out = {}
    for category in sorted(words.locale.plural_form.tags | {"other"}):
        n = _example(words.locale, category, examples[category])
        out[category] = (words.ngettext(singular, plural, n)
                         .replace("%(n)s", "{n}").replace("%(q)s", "{q}"))
    return out


@functools.lru_cache(maxsize=16)
def words_for(language: str, messages: tuple[tuple[Any, Any], ...] = ()) -> Words:
    """The words of `language`: its catalogue in sitegen/locales/ with the site's own
    `messages` over it (see validate_texts.catalogues), else English messages with English
    numbers and dates (no mix of languages on one page). One object per language and
    messages, so that compiled templates, which hold it, can be kept while they stay."""
    if not messages:
        translations = _catalogue(language)
        return Words("en") if translations is None else Words(language, translations)
    catalog = _read(language)
    if catalog is None:
        from babel.messages.catalog import Catalog
        catalog = Catalog(locale=language.replace("-", "_"))
    for message, text in messages:
        found = catalog.get(message if isinstance(message, str) else message[0])
        if found is not None:
            found.string = text
        else:
            catalog.add(message, text)
    return Words(language, _compiled(catalog))


def has_catalogue(language: str) -> bool:
    """Whether sitegen ships the messages of `language` (sitegen/locales/<language>.po)."""
    return (LOCALES / f"{language}.po").is_file()


@functools.lru_cache(maxsize=256)
def is_language(code: str) -> bool:
    """Whether `code` is a CLDR locale: en, fr, pt_BR (pt-BR is taken as pt_BR)."""
    return code.replace("-", "_") in cldr_languages()


@functools.lru_cache(maxsize=1)
def cldr_languages() -> frozenset[str]:
    from babel import localedata
    return frozenset(localedata.locale_identifiers())


@functools.lru_cache(maxsize=16)
def direction(language: str) -> str:
    """The direction of a language's script: "rtl" (Arabic, Hebrew, Persian...) or "ltr"."""
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if locale.character_order == "right-to-left" else "ltr"


def _example(locale: Locale, category: str, guess: int) -> int:
    """A number in `category` of the locale's plural rule."""
    for n in [guess, *range(0, 200)]:
        if locale.plural_form(n) == category:
            return int(n)
    return guess


@functools.lru_cache(maxsize=16)
def _catalogue(language: str) -> gettext.GNUTranslations | None:
    """sitegen/locales/<language>.po as gettext translations (None when there is none)."""
    catalog = _read(language)
    return None if catalog is None else _compiled(catalog)


def _read(language: str) -> Any:
    """sitegen/locales/<language>.po as a Babel catalogue (a new one each call), or None."""
    path = LOCALES / f"{language}.po"
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


def _compiled(catalog: Any) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def extract() -> str:
    """The messages of sitegen's templates and Python code as a .pot file (sorted, no dates:
    the same sources give the same bytes)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import write_po

    package = Path(__file__).parent
    catalog = Catalog(project="sitegen", version="", fuzzy=False)
    method_map = [("theme/templates/**.html", "jinja2"), ("theme/templates/**.xml", "jinja2"), ("*.py", "python")]
    # (the extensions the templates use: Babel skips a template it cannot parse, silently)
    extensions = "jinja2.ext.i18n,sitegen.render.FragmentCache"
    options = {"theme/templates/**.html": {"extensions": extensions, "trim_blocks": "true",
                                           "lstrip_blocks": "true"},
               "theme/templates/**.xml": {"extensions": extensions}}
    # how messages are marked: _(), ngettext() and pgettext() in templates; words(), w(), words.plural()
    # and N_() in Python (Babel's extractor matches the last name before the parenthesis)
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
                "words": None, "w": None, "plural": (1, 2), "by_category": (2, 3)}
    for filename, lineno, message, comments, context in extract_from_dir(
            package, method_map, options, keywords=keywords, strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    buffer = io.BytesIO()
    write_po(buffer, catalog, omit_header=True, sort_output=True, width=100, include_lineno=False)
    return buffer.getvalue().decode("utf-8")


if __name__ == "__main__":  # python -m sitegen.i18n: write sitegen/locales/sitegen.pot
    LOCALES.mkdir(exist_ok=True)
    POT.write_text(extract(), encoding="utf-8")
    print(f"wrote {POT}")
