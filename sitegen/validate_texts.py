"""Area narratives, free pages, reporting rounds, translations and message catalogues ->
model objects; part of validate.py's work (see its docstring)."""

from __future__ import annotations

import dataclasses
import io
import os
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from . import model as m
from .content import Document, fs_key, name_problem, translated
from .countries import COUNTRIES
from .errors import UNTRANSLATED, Problems
from .fields import Fields, did_you_mean, id_problem, slugify
from .i18n import COUNTRY_CONTEXT, has_catalogue
from .validate import INDICATOR_META_KEYS, mapping_of
from .validate_plan import dimension_labels, read_unit
from .yamlload import YDict

# -- areas, pages, reports ------------------------------------------------------------------

def area_texts(docs: list[Document], plan_: m.Plan | None, problems: Problems) -> list[m.AreaText]:
    out = []
    known = [a.id for a in plan_.areas] if plan_ else []
    for doc, f in _records(docs, problems, "an area's front matter", "an area narrative"):
        f.unknown_keys({"title"})
        area_id = PurePosixPath(doc.source.rel).stem
        if plan_ is not None and area_id not in known:
            problems.error(doc.source.rel, 1, 1, f"no area '{area_id}' in the plan for this narrative",
                           did_you_mean(area_id, known))
            continue
        title = f.text("title")
        if f.ok:
            out.append(m.AreaText(area_id, title, doc.body, m.Loc(doc.source.rel, doc.body_line)))
    return out


def _records(docs: list[Document], problems: Problems, mapping: str, what: str
             ) -> Iterator[tuple[Document, Fields]]:
    """Each document whose data is a mapping (an error names the others: `mapping` says what
    it should have been), with its Fields (`what`: the record's name in messages)."""
    for doc in docs:
        data = mapping_of(doc, problems, mapping)
        if data is not None:
            yield doc, Fields(doc.source.rel, data, problems, what)


def pages(docs: list[Document], problems: Problems) -> list[m.Page]:
    out = []
    for doc, f in _records(docs, problems, "a page's front matter", "a page"):
        # (an activity saved among the pages was published in the site's menu, its facts ignored)
        if f.has("status") and (f.has("start") or f.has("area")):
            f.error("status", "an activity's record among the pages (it has a status and a start or area)",
                    f"move it to content/activities/{doc.source.rel.rpartition('/')[2]}; a page has only "
                    "title, slug, order and draft")
            continue
        f.unknown_keys({"title", "order", "slug", "draft"})
        rel = PurePosixPath(doc.source.rel).relative_to("content/pages")
        parts = [slugify(p) for p in rel.with_suffix("").parts]
        slug = f.text("slug") or "/".join(parts)
        for part in slug.split("/"):
            why = id_problem(part)
            if why:
                f.error("slug" if f.has("slug") else "title", f"page address '{slug}': {why}")
        title = f.text("title", required=True)
        order = f.number("order", default=0)
        draft = f.flag("draft")
        if f.ok:
            out.append(m.Page(slug, title, int(order), doc.body, m.Loc(doc.source.rel, doc.body_line),
                              draft=draft))
    seen: dict[str, m.Page] = {}
    for page in out:
        why = next((name_problem(part) for part in page.slug.split("/") if name_problem(part)), "")
        if why:
            problems.error(page.loc.path, 1, 1, f"page address '/pages/{page.slug}/': {why}",
                           "set another 'slug:'")
            continue
        key = fs_key(page.slug)
        if key in seen:
            problems.error(page.loc.path, 1, 1, f"page address '/pages/{page.slug}/' is also used by "
                           f"{seen[key].loc.path}")
        seen[key] = page
    return sorted(out, key=lambda p: (p.order, p.title, p.slug))


# -- translations -----------------------------------------------------------------------------

def translations(docs: list[Document], config: m.SiteConfig, problems: Problems
                 ) -> dict[str, tuple[m.Translation, ...]]:
    """Translation files (`x.fr.md` beside `x.md`, see content.translated) -> their texts by
    the record's path. A translation holds `title` and the body: a fact in it (status,
    dates...) is an error, since the record's own file is the one place for it."""
    others = config.all_languages[1:]
    out: dict[str, list[m.Translation]] = {}
    for doc in docs:
        found = translated(doc.source.rel)
        if found is None:
            continue
        base, lang = found
        rel = doc.source.rel
        data = YDict() if doc.data is None else mapping_of(doc, problems, "a translation's front matter")
        if data is None:
            continue
        f = Fields(rel, data, problems, "a translation")
        for key in data:
            if key != "title":
                line, col = f.at(key)
                problems.error(rel, line, col, f"'{key}' is not translated: set it in {base} only",
                               "a translation holds the title and the text of its record")
        if lang.replace("-", "_") not in {c.replace("-", "_") for c in others}:
            problems.warning(rel, 1, 1, f"a translation into '{lang}', which is not one of the site's other "
                             "languages: not shown", "list the language in 'languages' in site.yaml")
            continue
        title = f.text("title")
        if f.ok:
            out.setdefault(base, []).append(m.Translation(lang, title, doc.body, m.Loc(rel, 1), doc.body_line))
    return {base: tuple(sorted(items, key=lambda t: t.lang)) for base, items in out.items()}


PLAN_TEXT_KEYS = {"title", "summary", "areas"}
AREA_TEXT_KEYS = {"id", "title", "summary", "lead", "objectives", "indicators"}
INDICATOR_TEXT_KEYS = {"id", "title", "unit", "description", "dimension_labels", *INDICATOR_META_KEYS}


def plan_translations(docs: list[Document], plan: m.Plan | None, config: m.SiteConfig,
                      problems: Problems) -> tuple[tuple[str, m.Plan], ...]:
    """content/plan.<lang>.yaml -> the plan with its words in that language: the plan's,
    areas' and indicators' titles, summaries, leads, objectives, units and descriptions, areas and
    indicators named by id. Anything else is the plan's alone (an error here); a word left
    out keeps the plan's."""
    out = []
    given = set()  # (the languages with a plan.<lang>.yaml)
    for doc in docs:
        rel = doc.source.rel
        lang = rel.split("/")[-1].split(".")[1]
        given.add(lang)
        if lang.replace("-", "_") not in {c.replace("-", "_") for c in config.all_languages[1:]}:
            problems.warning(rel, 1, 1, f"the plan in '{lang}', which is not one of the site's other "
                             "languages: not shown", "list the language in 'languages' in site.yaml")
            continue
        data = mapping_of(doc, problems, "the plan's translation")
        if data is None or plan is None:
            continue
        f = Fields(rel, data, problems, "the plan's translation")
        _only_text(f, PLAN_TEXT_KEYS, "content/plan.yaml")
        new_areas = {a.id: a for a in plan.areas}
        for af, area in _translated_items(f, "areas", "an area", AREA_TEXT_KEYS, new_areas, "in the plan"):
            inds = {x.id: x for x in area.indicators}
            for xf, ind in _translated_items(af, "indicators", "an indicator", INDICATOR_TEXT_KEYS, inds,
                                             f"in area '{area.id}'"):
                known = {w for name, categories in ind.dimensions for w in (name, *categories)}
                labels = dict(ind.dimension_labels) | dict(dimension_labels(xf, ind.id, known))
                # (a unit left out keeps the plan's, whose forms follow the first language's plurals)
                unit, forms = read_unit(xf)
                units: dict[str, Any] = {"unit": unit, "unit_forms": forms, "unit_lang": lang} if unit else {}
                inds[ind.id] = dataclasses.replace(
                    ind, title=xf.text("title") or ind.title, **units,
                    description=xf.text("description") or ind.description,
                    dimension_labels=tuple(labels.items()),
                    **{key: xf.text(key) or getattr(ind, key) for key in INDICATOR_META_KEYS})
            new_areas[area.id] = dataclasses.replace(
                area, title=af.text("title") or area.title, summary=af.text("summary") or area.summary,
                lead=af.text("lead") or area.lead,
                objectives=af.text_list("objectives") or area.objectives,
                indicators=tuple(inds[x.id] for x in area.indicators))
        if f.ok:
            out.append((lang, dataclasses.replace(plan, title=f.text("title") or plan.title,
                                                  summary=f.text("summary") or plan.summary,
                                                  areas=tuple(new_areas[a.id] for a in plan.areas))))
    missing = [code for code in config.languages[1:] if code not in given]
    if missing and plan is not None:
        say = problems.error if config.require_translations else problems.warning
        say(plan.loc.path, 1, 1,
            f"the plan {UNTRANSLATED} {', '.join(missing)}: its pages in "
            f"{'that language' if len(missing) == 1 else 'those languages'} show its titles and "
            f"summaries in {config.language}",
            "write " + ", ".join(f"content/plan.{code}.yaml" for code in missing) + ", as docs/languages.md says")
    return tuple(sorted(out, key=lambda x: x[0]))


def _translated_items(f: Fields, key: str, what: str, keys: set[str], known: dict[str, Any], where: str
                      ) -> Iterator[tuple[Fields, Any]]:
    """The items of list `key` of a plan's translation, each with the record (area or
    indicator) its `id` names in `known`; the others reported."""
    items = f.data.get(key) or []
    if not isinstance(items, list):
        line, col = f.at(key)
        f.problems.error(f.rel, line, col, f"'{key}' must be a list, each item {what}'s translation with its id",
                         "as in content/plan.yaml: - id: ... then the words to translate")
        return
    for i, item in enumerate(items):
        if not isinstance(item, YDict):
            line, col = f.item_where(key, i)
            f.problems.error(f.rel, line, col, f"{what}'s translation must be a mapping with its id")
            continue
        sub = f.sub(item, f"{what}'s translation")
        _only_text(sub, keys, "content/plan.yaml")
        found = known.get(sub.text("id", required=True))
        if found is None:
            if sub.text("id"):
                sub.error("id", f"no {what.split()[-1]} '{sub.text('id')}' {where}", did_you_mean(sub.text("id"), known))
            continue
        yield sub, found


def _only_text(f: Fields, keys: set[str], home: str) -> None:
    for key in f.data:
        if key not in keys:
            line, col = f.at(key)
            f.problems.error(f.rel, line, col, f"'{key}' is not translated: set it in {home} only",
                             "a translation holds the words: " + ", ".join(sorted(keys)))


def _po_string_line(text: str) -> int:
    """The first line of a .po file whose keyword's string, or continued string, is not one
    quoted string (0: none)."""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(('"', "msgid", "msgstr", "msgctxt")) and not _PO_STRING.fullmatch(stripped):
            return number
    return 0


_PO_STRING = re.compile(r'(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"')
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_CHARSET = re.compile(r'^"Content-Type:[^"\n]*charset=([\w.:-]+)', re.MULTILINE | re.IGNORECASE)
_FORMATTED = re.compile(r"%%|%\(\w+\)s")  # (what formatting with the values turns into text)


def catalogues(docs: list[Document], config: m.SiteConfig, problems: Problems, site_doc: Document | None = None
               ) -> tuple[tuple[str, tuple[tuple[Any, Any], ...]], ...]:
    """The site's own messages, locales/<lang>.po (gettext's format, as sitegen's
    catalogues: see i18n.words_for), by language; a warning for a language of the site
    that has neither sitegen's catalogue nor the site's (its pages show English words), at
    the line of site.yaml (`site_doc`) that names it."""
    from babel.messages.pofile import PoFileError, read_po
    out = []
    for doc in docs:
        rel = doc.source.rel
        lang = rel.split("/")[-1][:-3]
        if lang not in config.all_languages:
            problems.warning(rel, 1, 1, f"messages in '{lang}', which is not a language of the site: not used",
                             "list the language in 'languages' (or 'language') in site.yaml")
            continue
        text = str(doc.data)
        bad = _po_string_line(text)
        if bad:  # (Babel reads `msgstr "Accueil` as "Accuei")
            problems.error(rel, bad, 1, "a string that does not end with a closing quote",
                           'write each msgid and msgstr as "text", a quote inside as \\"')
            continue
        try:
            # (as text: given bytes, Babel decodes them by the header's charset, and the file
            # was read as UTF-8, as every site file is)
            catalog = read_po(io.StringIO(text), locale=lang.replace("-", "_"), abort_invalid=True)
        except (PoFileError, ValueError) as exc:
            problems.error(rel, getattr(exc, "lineno", 0) or 0, 1, f"not a gettext catalogue: {exc}",
                           "write it as sitegen/locales/*.po are written (msgid/msgstr pairs)")
            continue
        declared = _CHARSET.search(text)
        if declared and declared.group(1).lower().replace("-", "") != "utf8":
            line = text[:declared.start()].count("\n") + 1
            problems.warning(rel, line, 1, f"the header says charset={declared.group(1)}, but sitegen reads "
                             "every site file as UTF-8 (as this one is)", "write charset=UTF-8")
        found: list[tuple[Any, Any]] = []
        for message in catalog:
            ids = [str(x) for x in (message.id if isinstance(message.id, (tuple, list)) else [message.id])]
            texts = [str(x or "") for x in (message.string if isinstance(message.string, (tuple, list))
                                            else [message.string])]
            if not message.id or message.fuzzy or not any(texts):
                continue
            if message.context == COUNTRY_CONTEXT:  # (a country's name: msgid its ISO code)
                code = str(message.id).strip()
                if code not in COUNTRIES:
                    problems.warning(rel, message.lineno or 0, 1, f"unknown country code '{code}': this name is "
                                     "not used", did_you_mean(code, COUNTRIES) or
                                     "give a country's ISO 3166-1 alpha-2 code as msgid (KG, BY...)")
                    continue
                found.append((f"{COUNTRY_CONTEXT}\x04{code}", texts[0].strip()))
                continue
            given = set(_PLACEHOLDER.findall(" ".join(ids)))
            extra = sorted(set(_PLACEHOLDER.findall(" ".join(texts))) - given - {"n", "num"})
            if extra:
                problems.error(rel, message.lineno or 0, 1, f"the translation uses %({extra[0]})s, which the message "
                               "does not give", "use only the %(name)s placeholders of its msgid")
                continue
            stray = next((text for text in texts if given and "%" in _FORMATTED.sub("", text)), None)
            if stray is not None:  # (formatted with the values: "100% done" or "%s" would not be)
                problems.error(rel, message.lineno or 0, 1, "the translation has a '%' that is neither a "
                               "%(name)s placeholder nor '%%'", "write a percent sign as %%, as its msgid does")
                continue
            found.append((message.id, message.string))
        out.append((lang, tuple(sorted(found, key=lambda x: repr(x[0])))))
    have = {lang for lang, _ in out}
    settings = site_doc.data if site_doc is not None and isinstance(site_doc.data, YDict) else YDict()
    line, column = settings.where("languages" if "languages" in settings else "language")
    for lang in config.all_languages:
        if lang not in have and not has_catalogue(lang) and lang.split("_")[0] != "en":
            problems.warning("site.yaml", line or 1, column or 1, f"sitegen has no messages in '{lang}': its pages "
                             "show sitegen's words in English", f"write locales/{lang}.po from sitegen's "
                             "sitegen.pot (see docs/languages.md)")
    return tuple(sorted(out))


def translate(records: list[Any], texts: dict[str, tuple[m.Translation, ...]], config: m.SiteConfig,
              what: str, problems: Problems) -> list[Any]:
    """Records (activities, area narratives, pages) with their translations; for a
    multilingual site, a warning (an error with require_translations) for each record
    that lacks one, naming the languages and the files to write."""
    if not config.languages:
        return records
    out = []
    for rec in records:
        found = texts.get(rec.loc.path, ())
        if found:
            rec = dataclasses.replace(rec, translations=found)
        have = {t.lang for t in found}
        missing = [code for code in config.languages[1:] if code not in have]
        if missing and rec.loc.path.lower().endswith(".md"):
            stem = rec.loc.path[:-3]
            files = ", ".join(f"{stem}.{code}.md" for code in missing)
            say = problems.error if config.require_translations else problems.warning
            say(rec.loc.path, 1, 1, f"{what} {UNTRANSLATED} {', '.join(missing)}: its pages in "
                f"{'that language' if len(missing) == 1 else 'those languages'} show its text in "
                f"{config.language}", f"write {files}")
        out.append(rec)
    return out


def reports(docs: list[Document], problems: Problems) -> list[m.Report]:
    out = []
    for doc, f in _records(docs, problems, "a reporting round", "a reporting round"):
        f.unknown_keys({"id", "title", "start", "end", "narrative"})
        rid = f.text("id") or slugify(os.path.splitext(os.path.basename(doc.source.rel))[0])
        why = id_problem(rid) or name_problem(rid)  # (reports/<id>/ on every file system)
        if why:
            f.error("id", f"report id '{rid}': {why}")
        title = f.text("title", required=True)
        start, end = f.date("start", required=True), f.date("end", required=True)
        if start and end and end < start:
            f.error("end", f"'end' ({end}) is before 'start' ({start})")
        if f.ok and start and end:
            out.append(m.Report(rid, title, start, end, f.text("narrative"), m.Loc(doc.source.rel, 1)))
    ids: dict[str, m.Report] = {}
    for r in out:
        if r.id in ids:
            problems.error(r.loc.path, 1, 1, f"duplicate report id '{r.id}' (also {ids[r.id].loc.path})")
        ids[r.id] = r
    return sorted(out, key=lambda r: (r.end, r.id))
