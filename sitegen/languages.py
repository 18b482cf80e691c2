"""A multilingual site (`languages: [en, fr, ...]`), seen from one page renderer: the
renderers of the other languages, the language menu and alternates of a page, and which
record texts a page shows in another language than its own.

The first language's renderer makes the root of the site; each other language's pages are
rendered by a renderer of its own (`Languages.renderer`) over the same records, with that
language's words, plan (content/plan.<code>.yaml) and record texts (`<name>.<code>.md`,
validate_texts.translations), and its pages under /<code>/.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

from .i18n import direction, unit_form, words_for

if TYPE_CHECKING:
    from .render import Renderer


class Languages:
    """The other languages of the site of `renderer` (none for a site in one language)."""

    def __init__(self, renderer: Renderer):
        self.r = renderer
        config = renderer.site.config
        self.codes = config.languages
        self.first = (config.languages or (config.language,))[0]
        # this renderer's language, and the base URL of the site's root
        self.current = renderer.prefix[:-1] or self.first
        self.home_base = config.base_url[: len(config.base_url) - len(renderer.prefix)]
        self.others: dict[str, Renderer] = {}
        self.before: dict[str, Renderer] = {}  # the renderers of an earlier site, to take over from
        # id() of a record -> (the record, its text in this renderer's language)
        self.translated: dict[int, tuple[Any, Any]] = {}
        # the first language's plan texts (summaries, titles...): on another language's pages,
        # such a text is one its plan.<code>.yaml does not translate (see plan_lang)
        self.home_texts: frozenset[str] = frozenset()

    def take_over(self, previous: Languages) -> None:
        """Start from the other languages' renderers of an earlier renderer with the same
        templates (their compiled templates, list items and translated records are kept
        where they still hold: see Renderer.reuse_items)."""
        self.before = previous.others or previous.before

    def renderer(self, code: str) -> Renderer:
        """The renderer of the site's pages in language `code` (not the first)."""
        from .render import Renderer
        sub = self.others.get(code)
        if sub is None:
            site = self.r.site
            before = self.before.get(code)
            memo = before.languages.translated if before is not None else {}
            config = dataclasses.replace(site.config, language=code, base_url=f"{site.config.base_url}{code}/")
            activities = in_language(site.activities, code, memo)
            text = dataclasses.replace(
                site, config=config, plan=dict(site.plans).get(code, site.plan),
                activities=activities,
                area_texts=in_language(site.area_texts, code, memo),
                pages=in_language(site.pages, code, memo))
            words = words_for(code, site.messages_in(code))
            # compiled templates are kept, as the first language's, with the same words
            kept = before if before is not None and before.words is words else None
            # (the records by area and country, when no activity has a translation into it)
            same = all(a is b for a, b in zip(activities, site.activities))
            sub = Renderer(text, self.r.site_dir, self.r.version, *self.r.made_with, words=words,
                           prefix=f"{code}/", env=kept.env if kept is not None else None,
                           records=self.r.records.for_language(text) if same else None)
            sub.languages.translated = memo
            sub.languages.home_texts = _plan_texts(site.plan)
            if kept is not None:
                sub.reuse_items(kept)
            self.others[code] = sub
        return sub

    def text_lang(self, record: Any) -> str:
        """The language tag of a record's text (an activity, page or area narrative) when it
        is not the page's: a record not translated into it shows the first language's text.
        (A reporting round, which has no translations, is always in the first language.)"""
        if self.current == self.first or any(t.lang == self.current for t in getattr(record, "translations", ())):
            return ""
        return self.home[1]

    def plan_lang(self, text: str) -> str:
        """The language tag of a text of the plan (its summary, an area's summary or title, an
        indicator's title) when it is not the page's: content/plan.<code>.yaml does not
        translate it."""
        return self.home[1] if text and text in self.home_texts else ""

    def plan_text(self, text: str) -> Markup:
        """A text of the plan as a page shows it: in a span marked with the first language's
        `lang` and `dir` when the page's plan does not translate it (see plan_lang)."""
        tag = self.plan_lang(text)
        if not tag:
            return escape(text)
        return Markup('<span lang="%s" dir="%s">%s</span>') % (tag, direction(tag), text)

    def plan_unit(self, value: float | None, indicator: Any) -> Markup:
        """The form of an indicator's unit that goes with `value` ("1 tool", "2 tools": see
        i18n.unit_form), as plan_text shows it."""
        return self.plan_text(unit_form(value, indicator, self.first))

    def marks(self) -> tuple[str, str, frozenset[str]]:
        """What text_lang and plan_lang answer from: pieces made with one renderer's marks
        hold for another with equal marks (RecordMemo.take_over)."""
        return self.current, self.first, self.home_texts

    @functools.cached_property
    def home(self) -> tuple[str, str, str]:
        """The site's first language: (code, hreflang, its name in this page's language)."""
        return self.first, _tag(self.first), _name(self.first, self.r.words.locale)

    @functools.cached_property
    def _names(self) -> tuple[tuple[str, str, str], ...]:
        """(code, hreflang, the language's name in itself) of every language of the site."""
        out = []
        for code in self.codes:
            name = _name(code, code)
            out.append((code, _tag(code), name[:1].upper() + name[1:]))
        return tuple(out)

    def menu(self, site_root: str, url: str) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str]]]:
        """The language menu of the page at `url` ((hreflang, name, href, current) of each
        language) and its alternates ((hreflang, absolute URL)); empty with one language."""
        menu, alternates = [], []
        for code, tag, name in self._names:
            folder = "" if code == self.first else f"{code}/"
            menu.append((tag, name, f"{site_root}{folder}{url}", "yes" if code == self.current else ""))
            alternates.append((tag, f"{self.home_base}{folder}{url}"))
        return menu, alternates


def in_language(records: tuple[Any, ...], code: str, memo: dict[int, tuple[Any, Any]]) -> tuple[Any, ...]:
    """Records (with `translations`, `title` and `body`) with their text in language `code`
    where they have one (made once per record object: `memo`), else as they are."""
    out = []
    for rec in records:
        if not rec.translations:
            out.append(rec)
            continue
        hit = memo.get(id(rec))
        if hit is None or hit[0] is not rec:
            text = next((t for t in rec.translations if t.lang == code), None)
            made = rec if text is None else dataclasses.replace(rec, title=text.title or rec.title, body=text.body)
            hit = memo[id(rec)] = (rec, made)
        out.append(hit[1])
    return tuple(out)


def _tag(code: str) -> str:
    """A CLDR code as a BCP 47 language tag (pt_BR -> pt-BR)."""
    return code.replace("_", "-")


def _name(code: str, in_locale: Any) -> str:
    """The name of language `code` in the language of `in_locale` (CLDR), else the code."""
    try:
        locale = in_locale if isinstance(in_locale, Locale) else Locale.parse(str(in_locale).replace("-", "_"))
        return str(Locale.parse(code.replace("-", "_")).get_display_name(locale) or code)
    except (ValueError, UnknownLocaleError):
        return code


def _plan_texts(plan: Any) -> frozenset[str]:
    """The plan's title and summary, its areas' titles, summaries, leads and objectives, and
    its indicators' titles, units and texts about them (definition, methodology...)."""
    areas, about = plan.areas, ("definition", "data_source", "methodology", "contact", "frequency", "notes")
    return frozenset(text for text in (plan.title, plan.summary, *(a.title for a in areas),
                                       *(a.summary for a in areas), *(a.lead for a in areas),
                                       *(o for a in areas for o in a.objectives),
                                       *(i.title for i in plan.indicators),
                                       *(getattr(i, key) for i in plan.indicators for key in about),
                                       *(i.unit for i in plan.indicators),
                                       *(form for i in plan.indicators for _, form in i.unit_forms)) if text)
