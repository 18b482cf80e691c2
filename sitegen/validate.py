"""Documents -> model objects, collecting every problem of the run."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
import math
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from . import branding, disaggregation
from . import model as m
from .content import CONTROL, Document, fs_key, name_problem, translated
from .countries import COUNTRIES
from .errors import Problems
from .fields import MAX_NUMBER, Fields, day_of, did_you_mean, id_problem, slugify
from .i18n import cldr_languages, has_catalogue, is_language
from .iaticodes import DAC5, DAC5_WITHDRAWN, FORBIDDEN_IN_IDENTIFIER, ORG_REF, ORGANISATION_ROLES, ORGANISATION_TYPES
from .yamlload import YDict, YList

SITE_KEYS = {f for f in m.SiteConfig.__dataclass_fields__}
REPO_KINDS = ("github", "gitlab")  # URL patterns of edit and history links (render.edit_links)
SEARCH_TEXTS = ("lead", "full")  # what the search index holds of an activity's report (SiteConfig.search_text)
PLAN_KEYS = {"title", "summary", "start", "end", "partners", "activity_types", "areas", "featured"}
AREA_KEYS = {"id", "title", "summary", "lead", "color", "objectives", "indicators"}
# an indicator's words about how it is measured, shown on its page (translatable)
INDICATOR_META_KEYS = ("definition", "data_source", "methodology", "contact", "frequency", "notes")
INDICATOR_KEYS = {"id", "title", "unit", "baseline", "target", "milestones", "source", "sum",
                  "where", "description", "level", "contributes_to", "dimensions", "dimension_labels",
                  *INDICATOR_META_KEYS}
ACTIVITY_KEYS = {"title", "area", "status", "start", "end", "type", "location", "countries",
                 "participants", "partners", "tags", "outputs", "contributes", "id",
                 "planned_start", "planned_end", "body", "draft"}
WHERE_KEYS = ("type", "status", "tags", "countries", "partners", "country")
SUM_FIELDS = ("participants", "participants.women", "participants.men")
_COLOR = branding.COLOR
_URL_SCHEMES = ("http://", "https://", "mailto:")


def _where(doc: Document) -> tuple[int, int]:
    data = doc.data
    return (data.line, data.column) if isinstance(data, (YDict, YList)) else (1, 1)


def _mapping(doc: Document, problems: Problems, what: str) -> YDict | None:
    if isinstance(doc.data, YDict):
        return doc.data
    line, col = _where(doc)
    problems.error(doc.source.rel, line or 1, col or 1,
                   f"{what} must be a YAML mapping of keys to values")
    return None


def check_url(f: Fields, key: str, url: str) -> str:
    """Keep only http(s)/mailto and site-relative URLs; report anything else."""
    clean = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    lowered = clean.lower()
    if lowered.startswith(_URL_SCHEMES) or (
            not re.match(r"^[a-z][a-z0-9+.-]*:", lowered) and not lowered.startswith("//")
            and "&" not in lowered[:12]):
        return url
    f.error(key, f"'{key}': only http, https and mailto links are allowed, got {url[:40]!r}")
    return ""


# -- site.yaml ------------------------------------------------------------------------------

def site_config(doc: Document | None, problems: Problems) -> m.SiteConfig:
    """site.yaml -> SiteConfig (defaults for everything missing)."""
    if doc is None or doc.data is None:
        return m.SiteConfig()
    data = _mapping(doc, problems, "site.yaml")
    if data is None:
        return m.SiteConfig()
    f = Fields(doc.source.rel, data, problems, "site.yaml")
    f.unknown_keys(SITE_KEYS)
    d = m.SiteConfig()
    base_url = f.text("base_url", default=d.base_url)
    if not re.match(r"https?://[^/]", base_url) or any(ch.isspace() for ch in base_url):
        f.error("base_url", "'base_url' must be an absolute http(s) URL, e.g. https://example.org/progress/")
        base_url = d.base_url
    if not base_url.endswith("/"):
        base_url += "/"
    allow = data.get("allow_raw_html", False)
    if not isinstance(allow, bool):
        f.error("allow_raw_html", "'allow_raw_html': expected true or false")
        allow = False
    require = data.get("require_translations", False)
    if not isinstance(require, bool):
        f.error("require_translations", "'require_translations': expected true or false")
        require = False
    per_page = f.number("activities_per_page", default=d.activities_per_page, minimum=1)
    kind = f.text("repo_kind")
    if kind and kind not in REPO_KINDS:
        f.error("repo_kind", f"'repo_kind' must be {' or '.join(REPO_KINDS)}, not '{kind}'",
                did_you_mean(kind, REPO_KINDS))
        kind = ""
    search_text = f.text("search_text", default=d.search_text)
    if search_text not in SEARCH_TEXTS:
        f.error("search_text", f"'search_text' must be {' or '.join(SEARCH_TEXTS)}, not '{search_text}'",
                did_you_mean(search_text, SEARCH_TEXTS))
        search_text = d.search_text
    language, languages = _languages(f, d.language)
    return m.SiteConfig(
        title=f.text("title", default=d.title),
        base_url=base_url,
        language=language,
        languages=languages,
        as_of=f.date("as_of"),
        repo_url=f.text("repo_url").rstrip("/"),
        repo_branch=f.text("repo_branch", default=d.repo_branch),
        repo_kind=kind,
        allow_raw_html=allow,
        activities_per_page=int(per_page),
        require_translations=require,
        data_license=f.text("data_license"),
        drafts=f.flag("drafts") or os.environ.get("SITEGEN_DRAFTS") == "1",
        file_links=f.flag("file_links") or os.environ.get("SITEGEN_FILE_LINKS") == "1",
        search_text=search_text,
        iati=_iati(f),
        logo=_static_file(f, "logo", branding.LOGO_SUFFIXES, "an image"),
        favicon=_static_file(f, "favicon", tuple(branding.ICON_TYPES), "an icon"),
        colors=_colors(f),
        custom_css=_static_file(f, "custom_css", branding.CSS_SUFFIXES, "a stylesheet"),
    )


def _languages(f: Fields, default: str) -> tuple[str, tuple[str, ...]]:
    """`language` and `languages` of site.yaml, each a CLDR code (an unknown one is an error
    with a hint); `languages` starts with `language` when both are given."""
    languages = tuple(code for code in f.text_list("languages", allow_single=True)
                      if _known_language(f, "languages", code))
    if len(set(languages)) != len(languages):
        f.error("languages", "'languages' lists a language twice")
        languages = tuple(dict.fromkeys(languages))
    language = f.text("language")
    if language and not _known_language(f, "language", language):
        language = ""
    if language and languages and language != languages[0]:
        f.error("language", f"'language' ({language}) must be the first of 'languages' ({languages[0]}), "
                "the language at the root of the site", "or leave 'language' out")
    language = languages[0] if languages else language or default
    return language, languages if len(languages) > 1 else ()


def _known_language(f: Fields, key: str, code: str) -> bool:
    """Whether `code` is a CLDR locale (en, fr, pt_BR; pt-BR is taken as pt_BR)."""
    if is_language(code):
        return True
    hint = did_you_mean(code.lower(), [c for c in cldr_languages() if "_" not in c])
    f.error(key, f"'{key}': unknown language '{code}': use a CLDR code such as en, fr, ar or pt_BR", hint)
    return False


# -- branding: logo, favicon, colors, custom_css (docs/theming.md#branding) -----------------
STATIC_DIR = "content/static/"
BRAND_FILES = ("logo", "favicon", "custom_css")


def _static_file(f: Fields, key: str, suffixes: tuple[str, ...], what: str) -> str:
    """A file of content/static/ named by site.yaml (its path there, e.g. img/logo.svg), of
    one of `suffixes`; whether it exists is checked by site_files."""
    path = f.text(key)
    if not path:
        return ""
    example = f"e.g. {key}: {'style' if key == 'custom_css' else key}{suffixes[0]}"
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", path):
        f.error(key, f"'{key}': expected a file under content/static/, not an address ({path!r})",
                f"put the file in content/static/ and write its path there, {example}")
    elif path.startswith(STATIC_DIR):
        f.error(key, f"'{key}': write the path under content/static/, without 'content/static/'",
                f"{key}: {path[len(STATIC_DIR):]}")
    elif path.startswith("/") or "\\" in path or ".." in path.split("/") or "" in path.split("/"):
        f.error(key, f"'{key}': expected a path under content/static/ like 'logo.svg' or 'img/logo.png', "
                f"got {path!r}")
    elif not path.lower().endswith(suffixes):
        f.error(key, f"'{key}': expected {what} ({', '.join(s[1:] for s in suffixes)}), got {path!r}")
    else:
        return path
    return ""


def _colors(site: Fields) -> m.Colors:
    """`colors: {primary, accent}` of site.yaml: each #rgb or #rrggbb, and readable at WCAG AA
    (4.5:1): the header's white text on `primary`, `accent` links on the white page."""
    data = site.mapping("colors")
    if data is None:
        return m.Colors()
    cf = site.sub(data, "colors")
    cf.unknown_keys({"primary", "accent"})
    found = {}
    for key, what in (("primary", "the header's white text on it"), ("accent", "links in this colour on the white page")):
        if key in data and data[key] is None:  # `primary: #12355b`: YAML reads a comment
            cf.error(key, f"'colors.{key}': no colour (in YAML, an unquoted # starts a comment)",
                     f"put the colour in quotes: {key}: \"#12355b\"")
            continue
        color = cf.text(key)
        if not color:
            continue
        if not branding.COLOR.fullmatch(color):
            cf.error(key, f"'colors.{key}': expected a colour written #rgb or #rrggbb (in quotes), got {color!r}",
                     f"e.g. {key}: \"#12355b\"")
            continue
        color = branding.normal(color)
        ratio = branding.contrast(color, branding.WHITE)
        if ratio < branding.AA_TEXT:
            cf.error(key, f"'colors.{key}': {what} would be hard to read: contrast "
                     f"{math.floor(ratio * 100) / 100:.2f}:1, WCAG AA asks for at least {branding.AA_TEXT}:1",
                     f"use a darker colour, e.g. \"{branding.darker(color)}\"")
            continue
        found[key] = color
    return m.Colors(**found)


def site_files(doc: Document | None, config: m.SiteConfig, static_files: Iterable[str],
               problems: Problems) -> None:
    """The files site.yaml names (logo, favicon, custom_css) exist in content/static/ (and
    were not refused there)."""
    named = [(key, path) for key in BRAND_FILES if (path := getattr(config, key))]
    if doc is None or not isinstance(doc.data, YDict) or not named:
        return
    published = {rel[len(STATIC_DIR):] for rel in static_files}
    f = Fields(doc.source.rel, doc.data, problems, "site.yaml")
    for key, path in named:
        if path not in published:
            f.error(key, f"'{key}': no file content/static/{path}",
                    did_you_mean(path, published) or f"put the file in content/static/ ({key}: {path})")


IATI_KEYS = {"reporting_org", "identifier", "organisations", "sectors"}
IATI_REPORTING_KEYS = {"ref", "name", "type"}
IATI_PARTNER_KEYS = {"ref", "type", "role"}


def _iati(site: Fields) -> m.IatiSettings | None:
    """The `iati:` mapping of site.yaml (docs/iati.md): the reporting organisation, the plan's
    identifier, the partners' identifiers and the areas' sectors, each checked against the
    IATI 2.03 rules and codelists."""
    data = site.mapping("iati")
    if data is None:
        return None
    f = site.sub(data, "iati")
    f.unknown_keys(IATI_KEYS)
    reporting = _iati_org(f, f.data, "reporting_org") or m.IatiOrganisation("")
    identifier = f.text("identifier", required=True)
    if identifier and FORBIDDEN_IN_IDENTIFIER.search(identifier):
        f.error("identifier", f"'identifier': an IATI identifier may not hold spaces, '/', '&', '|' or '?', "
                f"got {identifier!r}")
    elif identifier and reporting.ref and not identifier.startswith(reporting.ref + "-"):
        f.error("identifier", f"'identifier' must start with the reporting organisation's ref and a hyphen "
                f"('{reporting.ref}-'), got {identifier!r}", f"e.g. {reporting.ref}-PLAN")
    partners = f.mapping("organisations") or YDict()
    organisations = [found for name in partners if (found := _iati_org(f, partners, name))]
    sectors, where = _sectors(f)
    if not f.ok:
        return None
    return m.IatiSettings(reporting, identifier, tuple(organisations), sectors, where)


def _iati_org(f: Fields, within: YDict, key: Any) -> m.IatiOrganisation | None:
    """The reporting organisation (`reporting_org: {ref, name, type}`, all required) or a
    partner (`organisations:` a partner's name -> {ref, type, role}, all optional)."""
    reporting = within is f.data
    line, col = within.where(key)
    value = within.get(key)
    if not isinstance(key, str) or not isinstance(value, YDict):
        example = ("reporting_org: {ref: XM-DAC-47087, name: ..., type: 40}" if reporting
                   else "INTERPOL: {ref: XM-DAC-47066, type: 40, role: 4}")
        what = "'reporting_org': expected {ref, name, type}" if reporting else \
            "'organisations': expected a partner's name and {ref, type, role}"
        f.problems.error(f.rel, line, col, "missing required key 'reporting_org' in iati"
                         if reporting and key not in within else what, example)
        f.ok = False
        return None
    o = f.sub(value, f"iati: {key}")
    o.unknown_keys(IATI_REPORTING_KEYS if reporting else IATI_PARTNER_KEYS)
    org = m.IatiOrganisation(o.text("name", required=True) if reporting else key, _org_ref(o, required=reporting),
                             _code(o, "type", ORGANISATION_TYPES, "OrganisationType", required=reporting),
                             "" if reporting else _code(o, "role", ORGANISATION_ROLES, "OrganisationRole"))
    f.ok = f.ok and o.ok
    return org


def _org_ref(f: Fields, required: bool = False) -> str:
    """An IATI organisation identifier (`ref`), e.g. XM-DAC-47087."""
    ref = f.text("ref", required=required)
    if ref and not ORG_REF.fullmatch(ref):
        f.error("ref", f"'ref': {ref!r} is not an IATI organisation identifier",
                "an identifier is the registration agency's code and the organisation's number in its "
                "register, e.g. XM-DAC-47087 or GB-COH-01234567 (see org-id.guide)")
        return ""
    return ref


def _code(f: Fields, key: str, codes: dict[str, str], codelist: str, required: bool = False) -> str:
    """A code of an IATI codelist (a number or a text in YAML)."""
    value = f.data.get(key)
    if value is None:
        if required:
            f.error(key, f"missing required key '{key}' in {f.what}",
                    f"a code of the IATI {codelist} codelist: " + ", ".join(f"{c} {n}" for c, n in codes.items()))
        return ""
    code = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if code not in codes:
        f.error(key, f"'{key}': {f.data.raw.get(key, value)!r} is not a code of the IATI {codelist} codelist",
                "known: " + ", ".join(f"{c} {n}" for c, n in codes.items()))
        return ""
    return code


def _sectors(f: Fields) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[tuple[str, int, int], ...]]:
    """`sectors:` (area id -> a DAC 5-digit purpose code or a list of them), and where each area
    is written (iati_areas checks the ids against the plan)."""
    data = f.mapping("sectors")
    if data is None:
        return (), ()
    out: list[tuple[str, tuple[str, ...]]] = []
    where: list[tuple[str, int, int]] = []
    for area, raw in data.items():
        line, col = data.where(area)
        if not isinstance(area, str):
            f.problems.error(f.rel, line, col, f"'sectors': expected an area id, got {area!r}")
            f.ok = False
            continue
        items = raw if isinstance(raw, list) else [raw]
        codes = [code for i, item in enumerate(items)
                 if (code := _sector(f, area, item, raw.where(i) if isinstance(raw, YList) else (line, col)))]
        if not items:
            f.problems.error(f.rel, line, col, f"'sectors': {area}: no code given")
            f.ok = False
        if codes:
            out.append((area, tuple(dict.fromkeys(codes))))
            where.append((area, line, col))
    return tuple(sorted(out)), tuple(sorted(where))


def _sector(f: Fields, area: str, item: Any, at: tuple[int, int]) -> str:
    """One DAC 5-digit purpose code of `sectors:` ("" when it is refused)."""
    code = str(item) if isinstance(item, (int, str)) and not isinstance(item, bool) else ""
    if not re.fullmatch(r"[0-9]{5}", code):
        f.problems.error(f.rel, *at, f"'sectors': {area}: {item!r} is not a DAC 5-digit purpose code",
                         "e.g. 15210 (security system management and reform); see the OECD DAC CRS "
                         "purpose codes (the IATI Sector codelist, vocabulary 1)")
    elif code in DAC5_WITHDRAWN:
        f.problems.error(f.rel, *at, f"'sectors': {area}: the DAC purpose code {code} has been withdrawn",
                         "see the OECD DAC CRS purpose codes for the code that replaced it")
    else:
        if code not in DAC5:
            f.problems.warning(f.rel, *at, f"'sectors': {area}: {code} is not a DAC purpose code sitegen knows "
                               "(the IATI Sector codelist, vocabulary 1)",
                               "check it against the current OECD DAC CRS purpose codes")
        return code
    f.ok = False
    return ""


def iati_areas(config: m.SiteConfig, plan_: m.Plan | None, problems: Problems) -> None:
    """The areas that `iati: sectors:` names are areas of the plan."""
    if config.iati is None or plan_ is None:
        return
    known = [a.id for a in plan_.areas]
    for area, line, col in config.iati.sector_at:
        if area not in known:
            problems.error("site.yaml", line, col, f"'sectors': unknown area '{area}'", did_you_mean(area, known))


# -- plan.yaml ------------------------------------------------------------------------------

def plan(doc: Document | None, problems: Problems) -> m.Plan | None:
    """content/plan.yaml -> Plan, or None when it is missing or unusable."""
    if doc is None:
        if not any(p.path == "content/plan.yaml" for p in problems.errors):  # unreadable, not missing
            problems.error("content/plan.yaml", 0, 0, "missing plan: create content/plan.yaml",
                           "`sitegen init DIR` writes a minimal one")
        return None
    data = _mapping(doc, problems, "the plan")
    if data is None:
        return None
    rel = doc.source.rel
    f = Fields(rel, data, problems, "the plan")
    f.unknown_keys(PLAN_KEYS)
    start, end = f.date("start", required=True), f.date("end", required=True)
    if start and end and end < start:
        f.error("end", f"'end' ({end}) is before 'start' ({start})")
    partners = []
    raw_partners = data.get("partners") or []
    if not isinstance(raw_partners, list):
        f.error("partners", "'partners': expected a list of {name, url}")
        raw_partners = []
    for i, item in enumerate(raw_partners):
        if isinstance(item, str):
            partners.append(m.Partner(item))
            continue
        if not isinstance(item, YDict):
            line, col = f.item_where("partners", i)
            problems.error(rel, line, col, "a partner must be a name or {name, url}")
            continue
        pf = f.sub(item, "a partner")
        pf.unknown_keys({"name", "url"})
        url = pf.text("url")
        partners.append(m.Partner(pf.text("name", required=True), check_url(pf, "url", url) if url else ""))
    types = f.text_list("activity_types") or m.DEFAULT_TYPES
    areas: list[m.Area] = []
    links: list[tuple[str, str, int, int]] = []  # (indicator, the indicator it contributes to, where)
    raw_areas = data.get("areas")
    if raw_areas is None:
        f.error("areas", "missing required key 'areas' in the plan")
    elif not isinstance(raw_areas, list):
        f.error("areas", "'areas': expected a list of areas")
    else:
        seen_areas: dict[str, int] = {}
        seen_inds: dict[str, int] = {}
        for i, item in enumerate(raw_areas):
            if not isinstance(item, YDict):
                line, col = f.item_where("areas", i)
                problems.error(rel, line, col, "an area must be a mapping with id, title, ...")
                continue
            area = _area(f.sub(item, "an area"), seen_areas, seen_inds, links)
            if area is not None:
                areas.append(area)
    # A plan with errors is still returned (errors stop the build in loader.assemble), so
    # that activities and measurements are checked against the ids it declares: one typo
    # in plan.yaml must not hide every other problem of the run.
    title = f.text("title", required=True)
    if not isinstance(raw_areas, list):
        return None  # no usable areas: checking references against none would only add noise
    declared = sum(len(a["indicators"]) for a in raw_areas
                   if isinstance(a, dict) and isinstance(a.get("indicators"), list))
    if len(areas) != len(raw_areas) or len([i for a in areas for i in a.indicators]) != declared:
        return None  # an area or indicator without a usable id: references cannot be checked
    known = [i.id for a in areas for i in a.indicators]
    _check_chain(f, links, known, {i.id: i.level for a in areas for i in a.indicators})
    return m.Plan(title, f.text("summary"), start or dt.date.min, end or dt.date.max,
                  tuple(partners), tuple(types), tuple(areas), m.Loc(rel, 1), _featured(f, known))


def _check_chain(f: Fields, links: list[tuple[str, str, int, int]], known: list[str], levels: dict[str, str]
                 ) -> None:
    """Each `contributes_to` names another indicator of the plan, and following them never
    comes back to where it started (a results chain is a tree: impact <- outcome <- output);
    a link that does not go up a level is a warning."""
    ids = set(known)
    parent: dict[str, str] = {}
    where: dict[str, tuple[int, int]] = {}
    for ind, target, line, col in links:
        if target == ind:
            f.problems.error(f.rel, line, col, f"indicator '{ind}' contributes to itself",
                             "name the indicator of the level above, e.g. an outcome's impact")
        elif target not in ids:
            f.problems.error(f.rel, line, col, f"'contributes_to': no indicator '{target}' in the plan",
                             did_you_mean(target, ids))
        else:
            parent[ind], where[ind] = target, (line, col)
            mine, theirs = levels[ind], levels[target]
            if mine and theirs and m.LEVELS.index(theirs) >= m.LEVELS.index(mine):
                f.problems.warning(f.rel, line, col, f"indicator '{ind}' ({mine}) contributes to '{target}' "
                                   f"({theirs}): a results chain goes up, output → outcome → impact")
    reported: set[str] = set()
    for ind in known:  # (plan order: each cycle reported once, where its first indicator is written)
        path: list[str] = []
        node: str | None = ind
        while node is not None and node in parent and node not in path and node not in reported:
            path.append(node)
            node = parent[node]
        if node is not None and node in path:
            cycle = path[path.index(node):]
            reported.update(cycle)
            first = min(cycle, key=known.index)
            turn = cycle[cycle.index(first):] + cycle[:cycle.index(first)] + [first]
            f.problems.error(f.rel, *where[first], "'contributes_to' makes a cycle: " + " → ".join(turn),
                             "an indicator cannot contribute, even through others, to itself")
        reported.update(path)


def _featured(f: Fields, known: list[str]) -> tuple[str, ...] | None:
    """`featured`: the indicators whose charts the dashboard shows, in order (None: not given)."""
    if not f.has("featured"):
        return None
    ids = f.text_list("featured", allow_single=True)  # (items that are not text: reported there)
    raw = f.data.get("featured")
    items = list(enumerate(raw)) if isinstance(raw, list) else [(0, raw)]
    seen: set[str] = set()
    for i, ind in items:
        if not isinstance(ind, str) or not ind:
            continue
        line, col = f.item_where("featured", i)
        if ind not in known:
            f.problems.error(f.rel, line, col, f"'featured': no indicator '{ind}' in the plan", did_you_mean(ind, known))
        elif ind in seen:
            f.problems.error(f.rel, line, col, f"'featured': indicator '{ind}' is listed twice")
        seen.add(ind)
    return tuple(x for x in dict.fromkeys(ids) if x in known)


def _unique_id(f: Fields, kind: str, seen: dict[str, int]) -> str:
    """The mapping's required `id`, reported when malformed or already used in the plan."""
    value = f.text("id", required=True)
    if value:
        why = id_problem(value)
        if why:
            f.error("id", f"{kind} id '{value}': {why}")
        elif value in seen:
            f.error("id", f"duplicate {kind} id '{value}' (first defined on line {seen[value]})")
        else:
            seen[value] = f.at("id")[0]
    return value


def _area(f: Fields, seen: dict[str, int], seen_inds: dict[str, int],
          links: list[tuple[str, str, int, int]]) -> m.Area | None:
    f.unknown_keys(AREA_KEYS)
    area_id = _unique_id(f, "area", seen)
    color = f.text("color")
    if color and not _COLOR.fullmatch(color):
        f.error("color", f"'color': expected a hex colour like \"#1f77b4\", got {color!r}")
        color = ""
    indicators = []
    for sub in _mappings(f, "indicators", "'indicators': expected a list",
                         "an indicator must be a mapping with id, title, ...", "an indicator"):
        ind = _indicator(sub, area_id, seen_inds, links)
        if ind is not None:
            indicators.append(ind)
    raw = f.data.get("indicators")
    if not raw or not isinstance(raw, list):
        f.problems.warning(f.rel, *f.at("id"), f"area '{area_id}' has no indicators")
    title = f.text("title", required=True)
    if not area_id:
        return None
    return m.Area(area_id, title, f.text("summary"), f.text("lead"), color,
                  f.text_list("objectives"), tuple(indicators), m.Loc(f.rel, f.data.line))


def _mappings(f: Fields, key: str, not_list: str, not_mapping: str, what: str,
              spoils: bool = False) -> list[Fields]:
    """The Fields of each mapping in the list under `key` (none when absent): errors for a
    value that is not a list and for items that are not mappings (which, with `spoils`,
    make `f` not ok)."""
    raw = f.data.get(key) or []
    if not isinstance(raw, list):
        f.error(key, not_list)
        return []
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, YDict):
            line, col = f.item_where(key, i)
            f.problems.error(f.rel, line, col, not_mapping)
            f.ok = f.ok and not spoils
            continue
        out.append(f.sub(item, what))
    return out


def _indicator(f: Fields, area_id: str, seen: dict[str, int],
               links: list[tuple[str, str, int, int]]) -> m.Indicator | None:
    f.unknown_keys(INDICATOR_KEYS)
    ind_id = _unique_id(f, "indicator", seen)
    level = f.text("level")
    if level and level not in m.LEVELS:
        f.error("level", f"unknown level '{level}': expected impact, outcome or output",
                did_you_mean(level, m.LEVELS))
        level = ""
    parent = f.text("contributes_to")
    if parent and ind_id:
        links.append((ind_id, parent, *f.at("contributes_to")))  # (checked once the plan is read)
    source = f.text("source", default="activities")
    if source not in m.SOURCES:
        f.error("source", f"unknown indicator source '{source}'", did_you_mean(source, m.SOURCES))
    total = f.text("sum")
    if total and total not in SUM_FIELDS:
        f.error("sum", f"cannot sum '{total}': not a numeric activity field", did_you_mean(total, SUM_FIELDS))
    if total and source != "activities" and source in m.SOURCES:
        f.error("sum", "'sum' applies only to indicators with source: activities")
    where: list[tuple[str, tuple[str, ...]]] = []
    cond = f.mapping("where")
    if cond is not None:
        if source != "activities" and source in m.SOURCES:  # an unknown source is reported once
            f.error("where", "'where' applies only to indicators with source: activities")
        wf = f.sub(cond, "'where'")
        for key in sorted(cond, key=str):
            if key not in WHERE_KEYS:
                wf.error(key, f"cannot filter on '{key}'", did_you_mean(str(key), WHERE_KEYS))
                continue
            values = wf.text_list(key, allow_single=True)
            where.append((key, values))
    before = len(f.problems.items)
    baseline = f.number("baseline", default=0.0)
    target = f.number("target", required=True)
    # Attainment divides by target - baseline, so they must differ, whether the baseline is
    # written or the default 0 (`target: 0` alone measures nothing either).
    if f.has("target") and len(f.problems.items) == before and target == baseline:
        given = "'baseline'" if f.has("baseline") else "the baseline (0 when not given)"
        f.error("target", f"'target' equals {given}: progress cannot be measured",
                "set the target the indicator should reach, or its own 'baseline'")
    milestones = []
    for mf in _mappings(f, "milestones", "'milestones': expected a list of {date, target}",
                        "a milestone must be {date, target}", "a milestone", spoils=True):
        mf.unknown_keys({"date", "target"})
        date = mf.date("date", required=True)
        value = mf.number("target", required=True)
        if mf.ok and date:
            milestones.append(m.Milestone(date, value))
        f.ok = f.ok and mf.ok
    title = f.text("title", required=True)
    dimensions = _dimensions(f, source, total)
    labels = _dimension_labels(f, ind_id, _declared_words(f.data.get("dimensions")))
    if not ind_id:
        return None
    return m.Indicator(ind_id, title, area_id, f.text("unit"), baseline, target,
                       tuple(sorted(milestones, key=lambda x: x.date)), source, total,
                       tuple(where), f.text("description"), m.Loc(f.rel, f.data.line),
                       level, parent, **{key: f.text(key) for key in INDICATOR_META_KEYS},
                       dimensions=dimensions, dimension_labels=labels)


# A dimension's name: a measurement's column or key (lower case, no hyphen: chart ids join
# an indicator id and a dimension name with one).
DIMENSION_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _dimensions(f: Fields, source: str, total: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """An indicator's `dimensions: {name: [category, ...]}`: what its values are broken down by
    (measurements' extra columns or keys; for source activities, `sex` from participants)."""
    raw = f.mapping("dimensions")
    if raw is None:
        return ()
    df = f.sub(raw, "'dimensions'")
    out: list[tuple[str, tuple[str, ...]]] = []
    for key in raw:
        name = str(key)
        if name in _MEASUREMENT_KEYS or not DIMENSION_NAME.fullmatch(name):
            df.error(key, f"'{name}' cannot name a dimension",
                     "use lower-case letters, digits and _ (e.g. sex, age, country), "
                     "other than indicator, date, value and note")
            continue
        values = df.text_list(key)
        if not values and df.data.get(key) is not None and isinstance(df.data.get(key), list):
            df.error(key, f"dimension '{name}': list its categories, e.g. {name}: [a, b]")
        seen: set[str] = set()
        for i, value in enumerate(values):
            at = df.item_where(key, i)
            if value in seen:
                df.problems.error(df.rel, *at, f"dimension '{name}': category '{value}' is listed twice")
                df.ok = False
            seen.add(value)
            if name == "country":
                _country(df, name, value, at)
        if values:
            out.append((name, tuple(dict.fromkeys(values))))
    f.ok = f.ok and df.ok
    if out and source == "contributions":
        f.error("dimensions", "contributions carry no breakdown: 'dimensions' applies to indicators "
                "with source: measurements, or source: activities with sum: participants (sex)")
        return ()
    if out and source == "activities":
        names = [name for name, _ in out]
        if names != ["sex"] or total != "participants":
            f.error("dimensions", "with source: activities, the only dimension is 'sex', fed by the "
                    "participants' women and men, with sum: participants",
                    "or give the indicator source: measurements, and its values by dimension there")
            return ()
        unfed = [c for c in out[0][1] if c.lower() not in m.SEX_FROM_PARTICIPANTS]
        if unfed:
            f.error("dimensions", f"dimension 'sex': participants give no '{unfed[0]}'",
                    "name the categories women and men (or female and male)")
            return ()
    return tuple(out)


def _declared_words(raw: Any) -> set[str]:
    """The names and categories that `dimensions` (a mapping as written, valid or not: a
    wrong dimension is reported once, there) declares: what `dimension_labels` may label."""
    if not isinstance(raw, dict):
        return set()
    out = {str(name) for name in raw}
    for values in raw.values():
        if isinstance(values, list):
            out.update(v for v in values if isinstance(v, str))
    return out


def _dimension_labels(f: Fields, ind: str, known: set[str]) -> tuple[tuple[str, str], ...]:
    """An indicator's `dimension_labels: {name or category: label}` (in the plan or its
    translation): the words readers see for its dimensions and categories. A key that is
    neither is an error (a typo would leave the raw key on the page)."""
    raw = f.mapping("dimension_labels")
    if raw is None:
        return ()
    if not known:
        f.error("dimension_labels", f"indicator '{ind}' has no dimensions to label",
                "declare them first: dimensions: {name: [category, ...]}")
        return ()
    lf = f.sub(raw, "'dimension_labels'")
    out = []
    for key in raw:
        word = str(key)
        if word not in known:
            lf.error(key, f"'{word}' in 'dimension_labels' is neither a dimension nor a category of indicator "
                     f"'{ind}'", did_you_mean(word, known))
            continue
        label = lf.text(key, required=True)
        if label:
            out.append((word, label))
    f.ok = f.ok and lf.ok
    return tuple(out)


# -- activities -----------------------------------------------------------------------------

def activities(docs: list[Document], plan_: m.Plan | None, problems: Problems,
               validated: Iterable[list[m.Activity]] = ()) -> list[m.Activity]:
    """Activity documents (Markdown files and YAML lists) -> activities with unique ids.
    `validated`: the activities of other files, validated alone against the same plan with
    no problem found (the build's cache): only their ids are checked again."""
    out: list[m.Activity] = [act for acts in validated for act in acts]
    for doc in docs:
        if doc.source.kind == "activity":
            data = _mapping(doc, problems, "an activity's front matter")
            if data is None:
                continue
            stem = os.path.splitext(doc.source.rel.rpartition("/")[2])[0]
            act = activity(Fields(doc.source.rel, data, problems, "an activity"), plan_,
                           slugify(stem), doc.body, doc.body_line)
            if act:
                out.append(act)
            continue
        items = doc.data
        if not isinstance(items, YList):
            line, col = _where(doc)
            problems.error(doc.source.rel, line or 1, col or 1,
                           "an activity list file must be a YAML list of activity records")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, YDict):
                line, col = items.where(i)
                problems.error(doc.source.rel, line, col, "each activity must be a mapping")
                continue
            f = Fields(doc.source.rel, item, problems, "an activity")
            title = item.get("title")
            default_id = slugify(title) if isinstance(title, str) else ""
            act = activity(f, plan_, default_id, None, 0)
            if act:
                out.append(act)
    _check_unique(out, problems)
    return sorted(out, key=lambda a: (a.start, a.id))


@functools.lru_cache(maxsize=65536)
def _id_facts(act_id: str) -> tuple[str, str]:
    """What is wrong with an id as a folder name ('' when nothing), and its file-system key
    (remembered: the preview server checks every id again after each edit)."""
    return name_problem(act_id), fs_key(act_id)


def _check_unique(acts: list[m.Activity], problems: Problems) -> None:
    """Each id names one folder on every common file system (content.fs_key), and can be one."""
    seen: dict[str, m.Activity] = {}
    for act in sorted(acts, key=lambda a: (a.loc.path, a.loc.line)):
        why, key = _id_facts(act.id)
        if why:
            problems.error(act.loc.path, act.loc.line, 1, f"activity id '{act.id}': {why}",
                           "set another 'id:'")
            continue
        if key in seen:
            first = seen[key]
            problems.error(act.loc.path, act.loc.line, 1,
                           f"duplicate activity id '{act.id}': also used by "
                           f"{first.loc.path}:{first.loc.line}",
                           "set a unique 'id:' in one of them")
        else:
            seen[key] = act


def activity(f: Fields, plan_: m.Plan | None, default_id: str, body: str | None,
             body_line: int) -> m.Activity | None:
    """One activity mapping -> Activity; body None means it comes from a `body` key."""
    f.unknown_keys(ACTIVITY_KEYS if body is None else ACTIVITY_KEYS - {"body"})
    act_id = f.text("id") or default_id
    why = id_problem(act_id)
    if why and (act_id or f.has("title")):  # no id and no title: 'missing title' says it
        f.error("id" if f.has("id") else "title", f"activity id '{act_id}': {why}",
                "set an 'id:' made of letters, digits and hyphens")
    title = f.text("title", required=True)
    areas = _area_refs(f, plan_)
    status = f.text("status", required=True)
    if status and status not in m.STATUSES:
        f.error("status", f"unknown status '{status}'", did_you_mean(status, m.STATUSES))
    start = f.date("start", required=True)
    end = f.date("end")
    if start and end and end < start:
        f.error("end", f"'end' ({end}) is before 'start' ({start})")
    elif start and plan_ is not None:
        for key, message in outside_plan(plan_, start, end):
            f.problems.warning(f.rel, *f.at(key), message, "check the date, or the plan's start and end")
    planned_start, planned_end = f.date("planned_start"), f.date("planned_end")
    if planned_start and planned_end and planned_end < planned_start:
        f.error("planned_end", f"'planned_end' ({planned_end}) is before 'planned_start' ({planned_start})")
    typ = f.text("type")
    if typ and plan_ is not None and typ not in plan_.activity_types:
        f.error("type", f"unknown activity type '{typ}'", did_you_mean(typ, plan_.activity_types))
    city, country = "", ""
    loc = f.mapping("location")
    if loc is not None:
        lf = f.sub(loc, "'location'")
        lf.unknown_keys({"city", "country"})
        city = lf.text("city")
        country = _country(lf, "country", lf.text("country"), lf.at("country"))
        f.ok = f.ok and lf.ok
    countries = []
    for i, code in enumerate(f.text_list("countries")):
        countries.append(_country(f, "countries", code, f.item_where("countries", i)))
    participants = _participants(f)
    outputs = _outputs(f)
    contributes = _contributions(f, plan_)
    if body is None:
        body = f.text("body")
        body_line = f.at("body")[0] + 1 if f.has("body") else 0
    draft = f.flag("draft")
    if not f.ok or start is None:
        return None
    return m.Activity(
        id=act_id, title=title, areas=areas, status=status, start=start, end=end, type=typ,
        city=city, country=country, countries=tuple(c for c in countries if c),
        participants=participants, partners=f.text_list("partners"), tags=f.text_list("tags"),
        outputs=outputs, contributes=contributes, planned_start=planned_start,
        planned_end=planned_end, body=body, loc=m.Loc(f.rel, f.data.line or 1),
        body_line=body_line, draft=draft)


def outside_plan(plan_: m.Plan, start: dt.date, end: dt.date | None) -> list[tuple[str, str]]:
    """(key, message) for an activity's dates outside the plan's period: its start when that
    is outside, its end when the activity runs on past the plan's end (a warning: the charts
    and the timeline would stretch to cover it). None while the plan's own period is wrong."""
    out: list[tuple[str, str]] = []
    if plan_.end < plan_.start:
        return out
    if start < plan_.start:
        out.append(("start", f"start {start} is before the plan's start {plan_.start}"))
    elif start > plan_.end:
        out.append(("start", f"start {start} is after the plan's end {plan_.end}"))
    if end is not None and end > plan_.end >= start:
        out.append(("end", f"end {end} is after the plan's end {plan_.end}"))
    return out


def _area_refs(f: Fields, plan_: m.Plan | None) -> tuple[str, ...]:
    if not f.has("area"):
        f.error("area", "missing required key 'area' in an activity")
        return ()
    refs = f.text_list("area", allow_single=True)
    if f.data.get("area") == []:
        f.error("area", "'area' must name at least one area of the plan")
    if plan_ is None:
        return refs
    known = [a.id for a in plan_.areas]
    for i, ref in enumerate(refs):
        if ref not in known:
            line, col = f.item_where("area", i) if isinstance(f.data.get("area"), list) else f.at("area")
            f.problems.error(f.rel, line, col, f"unknown area '{ref}'", did_you_mean(ref, known))
            f.ok = False
    return tuple(dict.fromkeys(refs))


def _country(f: Fields, key: str, code: str, where: tuple[int, int]) -> str:
    if not code:
        return ""
    if code not in COUNTRIES:
        upper = code.upper()
        hint = f"did you mean '{upper}'?" if upper in COUNTRIES else "use ISO 3166-1 alpha-2, e.g. AT"
        f.problems.error(f.rel, where[0], where[1], f"'{key}': unknown country code '{code}'", hint)
        f.ok = False
        return ""
    return code


def _participants(f: Fields) -> m.Participants | None:
    value = f.data.get("participants")
    if value is None:
        return None
    if isinstance(value, YDict):
        pf = f.sub(value, "'participants'")
        pf.unknown_keys({"total", "women", "men"})
        total = pf.number("total", required=True, minimum=0)
        women = pf.number("women", minimum=0) if pf.has("women") else None
        men = pf.number("men", minimum=0) if pf.has("men") else None
        for key, n in (("total", total), ("women", women), ("men", men)):
            if n is not None and n != int(n):
                pf.error(key, f"'{key}' must be a whole number")
        if pf.ok and (women or 0) + (men or 0) > total:
            pf.error("total", f"women ({women:g}) plus men ({men or 0:g}) exceed the total ({total:g})")
        f.ok = f.ok and pf.ok
        if not pf.ok:
            return None
        return m.Participants(int(total), None if women is None else int(women),
                              None if men is None else int(men))
    total = f.check_number("participants", value, minimum=0)
    if f.ok and total != int(total):
        f.error("participants", "'participants' must be a whole number")
    return m.Participants(int(total))


def _outputs(f: Fields) -> tuple[m.Output, ...]:
    raw = f.data.get("outputs")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        f.error("outputs", "'outputs': expected a list of {title, url}")
        return ()
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, YDict):
            line, col = f.item_where("outputs", i)
            f.problems.error(f.rel, line, col, "an output must be {title, url}")
            f.ok = False
            continue
        of = f.sub(item, "an output")
        of.unknown_keys({"title", "url"})
        title, url = of.text("title", required=True), of.text("url")
        url = check_url(of, "url", url) if url else ""
        f.ok = f.ok and of.ok
        out.append(m.Output(title, url))
    return tuple(out)


def _contributions(f: Fields, plan_: m.Plan | None) -> tuple[tuple[str, float], ...]:
    raw = f.mapping("contributes")
    if raw is None:
        return ()
    cf = f.sub(raw, "'contributes'")
    known = {i.id: i for i in plan_.indicators} if plan_ else {}
    out = []
    for key in raw:
        value = cf.check_number(str(key), raw[key], minimum=0)
        if plan_ is not None:
            ind = known.get(key)
            if ind is None:
                cf.error(key, f"unknown indicator '{key}'", did_you_mean(str(key), known))
            elif ind.source != "contributions":
                cf.error(key, f"indicator '{key}' has source '{ind.source}', not 'contributions'")
        out.append((str(key), value))
    f.ok = f.ok and cf.ok
    return tuple(sorted(out))


# -- measurements ---------------------------------------------------------------------------

# Measurement rows a site may hold, all files together: far more than a plan measures, and
# few enough that a build lists each on its indicator's page in a second or two. (A 20 MB
# table holds a million rows: reading stops at the limit, in bounded time and memory.)
MAX_MEASUREMENTS = 100_000
_MEASUREMENT_KEYS = ("indicator", "date", "value", "note")


def measurements(docs: list[Document], plan_: m.Plan | None, problems: Problems) -> list[m.Measurement]:
    """CSV and YAML measurement files -> measurements of known `source: measurements` indicators."""
    known = {i.id: i for i in plan_.indicators} if plan_ else None
    out: list[m.Measurement] = []
    read = 0
    for doc in docs:
        if doc.source.rel.endswith(".csv"):
            n = _csv_measurements(doc, known, problems, out, MAX_MEASUREMENTS - read)
        else:
            n = _yaml_measurements(doc, known, problems, out, MAX_MEASUREMENTS - read)
        if n < 0:
            break  # the limit: reported where it was passed
        read += n
    out.sort(key=lambda x: (x.indicator, x.date, x.loc.path, x.loc.line))
    seen: dict[tuple[str, dt.date, tuple[tuple[str, str], ...]], m.Measurement] = {}
    for x in out:
        key = (x.indicator, x.date, x.dimensions)
        before = seen.get(key)
        if before is not None:
            part = "".join(f", {name} {category}" for name, category in x.dimensions)
            problems.warning(x.loc.path, x.loc.line, 1,
                             f"'{x.indicator}'{part} is measured twice on {x.date.isoformat()} (also at "
                             f"{before.loc.path}:{before.loc.line}); this value is the one used")
        seen[key] = x
    if known is not None:
        _check_parts(out, known, problems)
    return out


def _check_parts(out: list[m.Measurement], known: dict[str, m.Indicator], problems: Problems) -> None:
    """Each total against the sum of its parts by each dimension (a warning at the total's
    row when they disagree: a complete breakdown must sum to it, an incomplete one may not
    exceed it); without a total, the complete breakdowns against each other."""
    by_day: dict[tuple[str, dt.date], list[m.Measurement]] = {}
    for x in out:
        if known.get(x.indicator) is not None and known[x.indicator].dimensions:
            by_day.setdefault((x.indicator, x.date), []).append(x)
    for (ind_id, day), found in by_day.items():
        ind, rows = known[ind_id], disaggregation.distinct(found)
        whole = next((x for x in rows if not x.dimensions), None)
        first: tuple[str, float] | None = None
        for name, _ in ind.dimensions:
            parts, used = disaggregation.margin(ind, rows, name)
            if not parts:
                continue
            added = math.fsum(parts.values())
            full = disaggregation.complete(ind, name, parts)
            where = ", ".join(sorted({f"{x.loc.path}:{x.loc.line}" for x in used}))
            if whole is not None:
                if (disaggregation.differ(added, whole.value) and full) or (
                        added > whole.value and disaggregation.differ(added, whole.value)):
                    problems.warning(whole.loc.path, whole.loc.line, 1,
                                     f"'{ind_id}' on {day.isoformat()}: the total {whole.value:g} is not the sum "
                                     f"of its parts by {name}, {added:g}"
                                     + ("" if full else " (given for some categories only)"),
                                     f"the parts are at {where}; correct the total or the parts")
            elif full and first is None:
                first = (name, added)
            elif full and first is not None and disaggregation.differ(added, first[1]):
                at = min(used, key=lambda x: (x.loc.path, x.loc.line))
                problems.warning(at.loc.path, at.loc.line, 1,
                                 f"'{ind_id}' on {day.isoformat()}: the parts by {name} sum to {added:g}, "
                                 f"those by {first[0]} to {first[1]:g}",
                                 f"the parts are at {where}; a row without dimensions would give the total")


def _too_many(rel: str, line: int, problems: Problems) -> int:
    problems.error(rel, line, 1, f"more than {MAX_MEASUREMENTS:,} measurements in the site "
                   "(this row is one too many)", "keep measurements that show progress, e.g. one "
                   "per indicator and month; summarise finer data before it goes into the site")
    return -1


def _measurement(f: Fields, known: dict[str, m.Indicator] | None, out: list[m.Measurement]) -> None:
    """One measurement record (a YAML mapping or a CSV row), checked field by field; its keys
    beyond `_MEASUREMENT_KEYS` are its dimensions (an empty one: none)."""
    parts, ok = _parts(f, known)
    f = _standard_keys(f, ok)
    f.unknown_keys(_MEASUREMENT_KEYS)
    ind = f.text("indicator", required=True)
    date = f.date("date", required=True)
    value = f.number("value", required=True)
    if ind and known is not None:
        if ind not in known:
            f.error("indicator", f"measurement for unknown indicator '{ind}'",
                    did_you_mean(ind, known))
        elif known[ind].source != "measurements":
            f.error("indicator", f"indicator '{ind}' has source '{known[ind].source}'; "
                    "measurements are only used with source: measurements")
    if f.ok and date:
        out.append(m.Measurement(ind, date, value, f.text("note"), m.Loc(f.rel, f.data.line), parts))


def _parts(f: Fields, known: dict[str, m.Indicator] | None) -> tuple[tuple[tuple[str, str], ...], bool]:
    """A measurement's dimensions, (name, category) in the order its indicator declares them,
    and whether they are all declared (an undeclared dimension or category is an error)."""
    extra = [key for key in f.data if key not in _MEASUREMENT_KEYS]
    ind = f.data.get("indicator")
    if not extra or known is None or not isinstance(ind, str) or ind not in known:
        return (), True  # (an unknown indicator is reported once, at its key)
    declared = dict(known[ind].dimensions)
    found: dict[str, str] = {}
    ok = True
    for key in extra:
        name = str(key)
        if f.data[key] is None or f.data[key] == "":
            continue  # (a CSV column of another indicator's dimension, empty here)
        if name not in declared:
            its = f"its dimensions: {', '.join(declared)}" if declared else "it declares none"
            hint = did_you_mean(name, [*declared, *_MEASUREMENT_KEYS])
            if not hint.startswith("did you mean"):
                hint = f"declare it on the indicator in content/plan.yaml: dimensions: {{{name}: [...]}}"
            f.error(key, f"'{name}' is not a dimension of indicator '{ind}' ({its})", hint)
            ok = False
            continue
        category = f.text(key)
        if category and category not in declared[name]:
            hint = did_you_mean(category, declared[name])
            if not hint.startswith("did you mean"):
                hint = f"its categories: {', '.join(declared[name])}"
            f.error(key, f"'{category}' is not a category of dimension '{name}' of indicator '{ind}'", hint)
        if category in declared[name]:
            found[name] = category
        else:
            ok = False
    order = list(declared)
    return tuple(sorted(found.items(), key=lambda kv: order.index(kv[0]))), ok


def _standard_keys(f: Fields, ok: bool) -> Fields:
    """The measurement without its dimensions, for the checks of its other keys."""
    if all(key in _MEASUREMENT_KEYS for key in f.data):
        out = f
    else:
        data = YDict()
        data.line, data.column = f.data.line, f.data.column
        for key in f.data:
            if key in _MEASUREMENT_KEYS:
                data[key] = f.data[key]
                if key in f.data.marks:
                    data.marks[key] = f.data.marks[key]
                if key in f.data.raw:
                    data.raw[key] = f.data.raw[key]
        out = Fields(f.rel, data, f.problems, f.what)
    out.ok = f.ok and ok
    return out


def _yaml_measurements(doc: Document, known: dict[str, m.Indicator] | None, problems: Problems,
                       out: list[m.Measurement], limit: int) -> int:
    """A YAML list of measurements into `out`: rows read, or -1 beyond `limit`."""
    if doc.data is None:
        return 0
    if not isinstance(doc.data, YList):
        line, col = _where(doc)
        problems.error(doc.source.rel, line or 1, col or 1,
                       "a measurements file must be a YAML list of {indicator, date, value, note}")
        return 0
    for i, item in enumerate(doc.data):
        if i >= limit:
            return _too_many(doc.source.rel, doc.data.where(i)[0], problems)
        if not isinstance(item, YDict):
            line, col = doc.data.where(i)
            problems.error(doc.source.rel, line, col, "each measurement must be a mapping")
            continue
        _measurement(Fields(doc.source.rel, item, problems, "a measurement"), known, out)
    return len(doc.data)


def _csv_measurements(doc: Document, known: dict[str, m.Indicator] | None, problems: Problems,
                      out: list[m.Measurement], limit: int) -> int:
    """A CSV table of measurements into `out`: rows read, or -1 beyond `limit`.

    A row whose cells are all fine becomes a Measurement directly (a million rows must not
    cost a mapping and a Fields each); any other row takes _measurement, for the messages a
    YAML record gets, located at the cell's line and column.
    """
    rel, text = doc.source.rel, doc.data
    mine = Problems()  # kept only when the whole file is valid CSV, as before
    start = len(out)
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        n = _csv_table(rel, text, reader, known, mine, out, limit)
    except csv.Error as exc:
        del out[start:]
        problems.error(rel, reader.line_num or 1, 1, f"invalid CSV: {exc}")
        return 0
    problems.extend(mine.items)
    return n


def _csv_table(rel: str, text: str, reader: Any, known: dict[str, m.Indicator] | None,
               problems: Problems, out: list[m.Measurement], limit: int) -> int:
    first = next(reader, None)
    if first is None:
        return 0
    header = [h.strip() for h in first]
    missing = [h for h in _MEASUREMENT_KEYS[:3] if h not in header]
    if missing:
        problems.error(rel, 1, 1, "CSV header must be 'indicator,date,value,note' "
                       f"(missing: {', '.join(missing)})")
        return 0
    plain = len(set(header)) == len(header)
    if not plain:  # (each row then takes _measurement, which reads a repeated column's last cell)
        marks = _cell_marks(text.split("\n"), 1)
        for k, name in enumerate(header):
            if name in header[:k]:
                problems.warning(rel, 1, marks[k][1] if k < len(marks) else 1,
                                 f"column '{name}' appears twice in the header; its last cell is read")
    at = {name: header.index(name) for name in _MEASUREMENT_KEYS if name in header}
    # the other columns are dimensions: (name, index), and each indicator's categories of each
    dim_at = [(name, k) for k, name in enumerate(header) if name not in _MEASUREMENT_KEYS]
    ok_ids = ({i for i, ind in known.items() if ind.source == "measurements"}
              if known is not None else None)
    declared = ({i: {name: (n, set(values)) for n, (name, values) in enumerate(ind.dimensions)}
                 for i, ind in known.items()} if known is not None else {})
    days: dict[str, dt.date | None] = {}
    lines: list[str] | None = None
    rows, prev = 0, reader.line_num
    for row in reader:
        line, prev = prev + 1, reader.line_num  # the record's first line (quoted cells may span lines)
        if not any(cell.strip() for cell in row):
            continue
        if rows >= limit:
            return _too_many(rel, line, problems)
        rows += 1
        if plain and len(row) == len(header):
            ind, day_text = row[at["indicator"]].strip(), row[at["date"]].strip()
            note = row[at["note"]].strip() if "note" in at else ""
            day = days[day_text] if day_text in days else days.setdefault(day_text, day_of(day_text))
            value = _csv_number(row[at["value"]].strip())
            parts = _csv_parts(row, dim_at, declared.get(ind)) if dim_at else ()
            if (day is not None and value is not None and ind and parts is not None
                    and (ind in ok_ids if ok_ids is not None else not CONTROL.search(ind))
                    and not CONTROL.search(note)):
                out.append(m.Measurement(ind, day, value, note, m.Loc(rel, line), parts))
                continue
        if lines is None:
            lines = text.split("\n")
        if len(row) != len(header):
            problems.error(rel, line, 1, f"row has {len(row)} cells, the header has {len(header)}")
            continue
        _measurement(Fields(rel, _csv_record(header, row, lines, line), problems, "a measurement"),
                     known, out)
    return rows


def _csv_parts(row: list[str], dim_at: list[tuple[str, int]],
               declared: dict[str, tuple[int, set[str]]] | None) -> tuple[tuple[str, str], ...] | None:
    """A CSV row's dimensions when each is a declared category of its indicator's (in the
    declared order), else None (the row then takes _measurement, for its messages)."""
    found = []
    for name, k in dim_at:
        cell = row[k].strip()
        if not cell:
            continue
        if declared is None or name not in declared or cell not in declared[name][1]:
            return None
        found.append((declared[name][0], name, cell))
    return tuple((name, cell) for _, name, cell in sorted(found))


def _csv_number(cell: str) -> float | None:
    """A CSV cell's number as Fields.number takes it, or None for anything it would report."""
    try:
        value = float(cell) if any(c in cell for c in ".eE") else int(cell)
    except ValueError:
        return None
    if isinstance(value, int):
        return float(value) if abs(value) <= MAX_NUMBER else None
    return value if math.isfinite(value) and abs(value) <= MAX_NUMBER else None


def _csv_record(header: list[str], row: list[str], lines: list[str], line: int) -> YDict:
    """A CSV row as the mapping a YAML record gives, each cell located at its line and column."""
    data = YDict()
    data.line, data.column = line, 1
    marks = _cell_marks(lines, line)
    for k, (name, cell) in enumerate(zip(header, row)):
        value: Any = cell.strip()
        if name == "value" and value:
            try:
                value = float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                pass
        data[name] = value if value != "" else None
        data.marks[name] = marks[k] if k < len(marks) else (line, 1)
        data.raw[name] = cell
    return data


def _cell_marks(lines: list[str], line: int) -> list[tuple[int, int]]:
    """Line and column where each cell of the CSV record starting on `line` begins, counting
    the quotes of quoted cells and following a quoted cell onto the next lines."""
    marks = [(line, 1)]
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    i, at_start, quoted = 0, True, False
    while True:
        if i >= len(text):
            if not quoted or line >= len(lines):
                return marks
            line, i, text = line + 1, 0, lines[line]  # the quoted cell goes on
            continue
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1:i + 2] == '"':
                i += 1  # an escaped quote
            elif ch == '"':
                quoted = False
        elif ch == '"' and at_start:
            quoted = True
        elif ch == ",":
            marks.append((line, i + 2))
            at_start = True
            i += 1
            continue
        at_start = False
        i += 1


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
        data = _mapping(doc, problems, mapping)
        if data is not None:
            yield doc, Fields(doc.source.rel, data, problems, what)


def pages(docs: list[Document], problems: Problems) -> list[m.Page]:
    out = []
    for doc, f in _records(docs, problems, "a page's front matter", "a page"):
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
        data = YDict() if doc.data is None else _mapping(doc, problems, "a translation's front matter")
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
AREA_TEXT_KEYS = {"id", "title", "summary", "objectives", "indicators"}
INDICATOR_TEXT_KEYS = {"id", "title", "unit", "description", "dimension_labels", *INDICATOR_META_KEYS}


def plan_translations(docs: list[Document], plan: m.Plan | None, config: m.SiteConfig,
                      problems: Problems) -> tuple[tuple[str, m.Plan], ...]:
    """content/plan.<lang>.yaml -> the plan with its words in that language: the plan's,
    areas' and indicators' titles, summaries, objectives, units and descriptions, areas and
    indicators named by id. Anything else is the plan's alone (an error here); a word left
    out keeps the plan's."""
    out = []
    for doc in docs:
        rel = doc.source.rel
        lang = rel.split("/")[-1].split(".")[1]
        if lang.replace("-", "_") not in {c.replace("-", "_") for c in config.all_languages[1:]}:
            problems.warning(rel, 1, 1, f"the plan in '{lang}', which is not one of the site's other "
                             "languages: not shown", "list the language in 'languages' in site.yaml")
            continue
        data = _mapping(doc, problems, "the plan's translation")
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
                labels = dict(ind.dimension_labels) | dict(_dimension_labels(xf, ind.id, known))
                inds[ind.id] = dataclasses.replace(
                    ind, title=xf.text("title") or ind.title, unit=xf.text("unit") or ind.unit,
                    description=xf.text("description") or ind.description,
                    dimension_labels=tuple(labels.items()),
                    **{key: xf.text(key) or getattr(ind, key) for key in INDICATOR_META_KEYS})
            new_areas[area.id] = dataclasses.replace(
                area, title=af.text("title") or area.title, summary=af.text("summary") or area.summary,
                objectives=af.text_list("objectives") or area.objectives,
                indicators=tuple(inds[x.id] for x in area.indicators))
        if f.ok:
            out.append((lang, dataclasses.replace(plan, title=f.text("title") or plan.title,
                                                  summary=f.text("summary") or plan.summary,
                                                  areas=tuple(new_areas[a.id] for a in plan.areas))))
    return tuple(sorted(out, key=lambda x: x[0]))


def _translated_items(f: Fields, key: str, what: str, keys: set[str], known: dict[str, Any], where: str
                      ) -> Iterator[tuple[Fields, Any]]:
    """The items of list `key` of a plan's translation, each with the record (area or
    indicator) its `id` names in `known`; the others reported."""
    for i, item in enumerate(f.data.get(key) or []):
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


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalogues(docs: list[Document], config: m.SiteConfig, problems: Problems
               ) -> tuple[tuple[str, tuple[tuple[Any, Any], ...]], ...]:
    """The site's own messages, locales/<lang>.po (gettext's format, as sitegen's
    catalogues: see i18n.words_for), by language; a warning for a language of the site
    that has neither sitegen's catalogue nor the site's (its pages show English words)."""
    from babel.messages.pofile import PoFileError, read_po
    out = []
    for doc in docs:
        rel = doc.source.rel
        lang = rel.split("/")[-1][:-3]
        if lang not in config.all_languages:
            problems.warning(rel, 1, 1, f"messages in '{lang}', which is not a language of the site: not used",
                             "list the language in 'languages' (or 'language') in site.yaml")
            continue
        try:
            catalog = read_po(io.BytesIO(str(doc.data).encode("utf-8")), locale=lang.replace("-", "_"),
                              abort_invalid=True)
        except (PoFileError, ValueError) as exc:
            problems.error(rel, getattr(exc, "lineno", 0) or 0, 1, f"not a gettext catalogue: {exc}",
                           "write it as sitegen/locales/*.po are written (msgid/msgstr pairs)")
            continue
        found = []
        for message in catalog:
            ids = [str(x) for x in (message.id if isinstance(message.id, (tuple, list)) else [message.id])]
            texts = [str(x or "") for x in (message.string if isinstance(message.string, (tuple, list))
                                            else [message.string])]
            if not message.id or message.fuzzy or not any(texts):
                continue
            given = set(_PLACEHOLDER.findall(" ".join(ids)))
            extra = sorted(set(_PLACEHOLDER.findall(" ".join(texts))) - given - {"n", "num"})
            if extra:
                problems.error(rel, message.lineno or 0, 1, f"the translation uses %({extra[0]})s, which the message "
                               "does not give", "use only the %(name)s placeholders of its msgid")
                continue
            found.append((message.id, message.string))
        out.append((lang, tuple(sorted(found, key=lambda x: repr(x[0])))))
    have = {lang for lang, _ in out}
    for lang in config.all_languages:
        if lang not in have and not has_catalogue(lang) and lang.split("_")[0] != "en":
            problems.warning("site.yaml", 1, 1, f"sitegen has no messages in '{lang}': its pages show sitegen's "
                             "words in English", f"write locales/{lang}.po from sitegen's sitegen.pot "
                             "(see docs/languages.md)")
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
        if missing and rec.loc.path.endswith(".md"):
            stem = rec.loc.path[:-3]
            files = ", ".join(f"{stem}.{code}.md" for code in missing)
            say = problems.error if config.require_translations else problems.warning
            say(rec.loc.path, 1, 1, f"{what} is not translated into {', '.join(missing)}: its pages in "
                f"{'that language' if len(missing) == 1 else 'those languages'} show its text in "
                f"{config.language}", f"write {files}")
        out.append(rec)
    return out


def reports(docs: list[Document], problems: Problems) -> list[m.Report]:
    out = []
    for doc, f in _records(docs, problems, "a reporting round", "a reporting round"):
        f.unknown_keys({"id", "title", "start", "end", "narrative"})
        rid = f.text("id") or slugify(os.path.splitext(os.path.basename(doc.source.rel))[0])
        why = id_problem(rid)
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
