"""site.yaml -> SiteConfig: settings, languages, branding (logo, favicon, colors, custom CSS)
and the IATI settings; part of validate.py's work (see its docstring)."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from typing import Any

from . import branding
from . import model as m
from .content import Document
from .errors import Problems
from .fields import Fields, did_you_mean
from .i18n import cldr_languages, is_language
from .iaticodes import DAC5, DAC5_WITHDRAWN, FORBIDDEN_IN_IDENTIFIER, ORG_REF, ORGANISATION_ROLES, ORGANISATION_TYPES
from .validate import REPO_KINDS, SEARCH_TEXTS, SITE_KEYS, mapping_of
from .yamlload import YDict, YList

# -- site.yaml ------------------------------------------------------------------------------

def site_config(doc: Document | None, problems: Problems) -> m.SiteConfig:
    """site.yaml -> SiteConfig (defaults for everything missing)."""
    if doc is None or doc.data is None:
        return m.SiteConfig()
    data = mapping_of(doc, problems, "site.yaml")
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
    if per_page != int(per_page):
        f.error("activities_per_page", f"'activities_per_page' must be a whole number, not {per_page:g}")
        per_page = d.activities_per_page
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
        repo_url=_repo_url(f),
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


def _repo_url(f: Fields) -> str:
    """The repository's web address (its pages' edit and history links start with it):
    http or https only, so that no page links to a `javascript:` or `data:` address."""
    url = f.text("repo_url").strip().rstrip("/")
    if url and not re.match(r"https?://[^/\s]+", url, re.I):
        f.error("repo_url", f"'repo_url' must be the repository's web address, starting with https://, "
                            f"not {url[:40]!r}", "e.g. https://github.com/OWNER/REPOSITORY")
        return ""
    return url


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
