"""A site in several languages: `languages: [en, fr, ru, ar]` in site.yaml.

The first language is the site at the root; each other one is a complete site under
/<code>/ (pages, charts, feed, data), with a language menu on every page leading to the
same page in the other languages, hreflang alternates, one sitemap listing every language,
right-to-left Arabic, and records translated by sibling files (`x.fr.md` beside `x.md`)
that fall back to the first language's text, saying so.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import ContentError
from sitegen.incremental import Builder
from tests.sitekit import example_in, run_sitegen, snapshot

LANGUAGES = ("en", "fr", "ru", "ar")


def _example(root: Path, languages: str = "[en, fr, ru, ar]") -> Path:
    """A copy of the repository's example site with `languages` set."""
    return example_in(root, languages)


def _record(site: Path, n: int = 0) -> Path:
    return sorted(p for p in (site / "content/activities").rglob("*.md") if p.stem.count(".") == 0)[n]


def _translate(record: Path, lang: str, title: str, body: str) -> Path:
    path = record.with_name(f"{record.stem}.{lang}.md")
    path.write_text(f"---\ntitle: \"{title}\"\n---\n\n{body}\n", encoding="utf-8")
    return path


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict[str, str | None]]] = []
        self.html: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html = a
        if tag in ("a", "link", "script") and (a.get("href") or a.get("src")):
            self.links.append((tag, a))


def _parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("languages")
    site = _example(root)
    record = _record(site, 2)
    _translate(record, "fr", "Atelier traduit", "Un corps **traduit**.")
    out = root / "out"
    build(site, out, use_cache=False)
    return site, out


def test_each_language_is_a_complete_site_in_its_folder(built: tuple[Path, Path]) -> None:
    _, out = built
    first = {p.relative_to(out).as_posix() for p in out.rglob("*.html")
             if p.relative_to(out).parts[0] not in LANGUAGES}
    for lang in LANGUAGES[1:]:
        pages = {p.relative_to(out / lang).as_posix() for p in (out / lang).rglob("*.html")}
        assert pages == first, lang
        assert (out / lang / "feed.xml").is_file() and (out / lang / "data/activities.csv").is_file()
        assert not (out / lang / "sitemap.xml").exists() and not (out / lang / "assets").exists()
        assert not (out / lang / "robots.txt").exists()
        assert _parse(out / lang / "areas/index.html").html["lang"] == lang


def test_arabic_pages_are_right_to_left_and_the_others_are_not(built: tuple[Path, Path]) -> None:
    _, out = built
    assert _parse(out / "ar/index.html").html.get("dir") == "rtl"
    assert _parse(out / "ar/timeline/index.html").html.get("dir") == "rtl"
    assert "dir" not in _parse(out / "fr/index.html").html
    assert "dir" not in _parse(out / "index.html").html


def test_every_link_of_every_language_leads_to_a_file_of_the_site(built: tuple[Path, Path]) -> None:
    _, out = built
    pages = [out / "index.html", out / "fr/index.html", out / "ru/areas/index.html",
             out / "ar/activities/index.html", out / "fr/search/index.html", out / "fr/timeline/index.html"]
    pages += sorted((out / "fr/activities").glob("*/index.html"))[:5]
    for page in pages:
        for tag, a in _parse(page).links:
            href = a.get("href") or a.get("src") or ""
            if re.match(r"[a-z]+:", href) or href.startswith("#") or a.get("rel") == "alternate":
                continue
            target = (page.parent / href.split("#")[0]).resolve()
            if href.endswith("/") or href in ("", "./"):
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(out)}: {tag} {href} leads nowhere"


def test_the_language_menu_leads_to_the_same_page_in_each_language(built: tuple[Path, Path]) -> None:
    _, out = built
    page = out / "ru/areas/index.html"
    menu = [a for tag, a in _parse(page).links if tag == "a" and a.get("hreflang")]
    assert [a["hreflang"] for a in menu] == list(LANGUAGES)
    assert [a.get("aria-current") for a in menu] == [None, None, "true", None]
    for a in menu:
        target = (page.parent / str(a["href"])).resolve() / "index.html"
        assert target == (out / ("" if a["hreflang"] == "en" else str(a["hreflang"])) / "areas/index.html").resolve()
        assert _parse(target).html["lang"] == a["hreflang"]
    names = [a.get("lang") for a in menu]
    assert names == list(LANGUAGES)  # each name in its own language, marked so
    text = page.read_text(encoding="utf-8")
    assert "Français" in text and "Русский" in text and "العربية" in text


def test_hreflang_alternates_and_the_sitemap_name_every_language(built: tuple[Path, Path]) -> None:
    site, out = built
    base = re.search(r"(?m)^base_url: *(\S+)", (site / "site.yaml").read_text(encoding="utf-8"))
    base_url = base.group(1) if base else "http://localhost:8000/"
    alternates = [(a["hreflang"], a["href"]) for tag, a in _parse(out / "fr/countries/index.html").links
                  if tag == "link" and a.get("hreflang")]
    assert alternates == [("en", f"{base_url}countries/"), ("fr", f"{base_url}fr/countries/"),
                          ("ru", f"{base_url}ru/countries/"), ("ar", f"{base_url}ar/countries/")]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = ET.parse(out / "sitemap.xml").getroot().findall("s:url", ns)
    locs = {u.findtext("s:loc", namespaces=ns) for u in urls}
    for lang in ("", "fr/", "ru/", "ar/"):
        assert f"{base_url}{lang}timeline/" in locs
    one = next(u for u in urls if u.findtext("s:loc", namespaces=ns) == f"{base_url}ru/timeline/")
    assert {x.get("hreflang"): x.get("href") for x in one.findall("x:link", ns)} == {
        "en": f"{base_url}timeline/", "fr": f"{base_url}fr/timeline/", "ru": f"{base_url}ru/timeline/",
        "ar": f"{base_url}ar/timeline/"}
    pages = [p for p in out.glob("**/index.html") if "embed" not in p.relative_to(out).parts[:2]
             and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")]
    assert len(urls) == len(pages)  # every page but the charts' embed pages and indicators/ (noindex)


def test_a_translated_record_shows_its_translation_and_the_others_say_they_are_not(
        built: tuple[Path, Path]) -> None:
    site, out = built
    record = _record(site, 2)
    act_id = next(p.parent.name for p in (out / "activities").glob("*/index.html")
                  if "Atelier traduit" in (out / "fr/activities" / p.parent.name / "index.html").read_text("utf-8"))
    french = (out / "fr/activities" / act_id / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<h1[^>]*>Atelier traduit</h1>", french) and "<strong>traduit</strong>" in french
    assert 'class="untranslated"' not in french
    english = (out / "activities" / act_id / "index.html").read_text(encoding="utf-8")
    assert "Atelier traduit" not in english and record.stem not in "Atelier"
    for lang, english_name in (("ru", "английский"), ("fr", "anglais")):  # (CLDR's names)
        other = next(p for p in sorted((out / lang / "activities").glob("*/index.html")) if p.parent.name != act_id)
        html = other.read_text(encoding="utf-8")
        note = re.search(r'<p class="untranslated" role="note"[^>]*>(.*?)</p>', html)
        assert note and english_name in note.group(1) and "translated" not in note.group(1), lang
        assert re.search(r'<h1[^>]* lang="en"', html) and re.search(r'<div class="prose"[^>]* lang="en"', html)
    # the translated title is what the French lists and data show
    assert "Atelier traduit" in (out / "fr/activities/index.html").read_text(encoding="utf-8")
    assert "Atelier traduit" in (out / "fr/data/activities.csv").read_text(encoding="utf-8")
    assert "Atelier traduit" not in (out / "data/activities.csv").read_text(encoding="utf-8")


def test_check_reports_missing_translations_and_can_require_them(tmp_path: Path) -> None:
    site = _example(tmp_path, "[en, fr]")
    record = _record(site)
    _translate(record, "fr", "Traduit", "Texte.")
    run = run_sitegen("check", site)
    assert run.returncode == 0, run.stderr
    missing = [ln for ln in run.lines if "not translated into fr" in ln]
    rel = record.relative_to(site).as_posix()
    assert not any(ln.startswith(rel + ":") for ln in missing)
    other = _record(site, 1).relative_to(site).as_posix()
    assert any(ln.startswith(f"{other}:1:1: warning:") and other[:-3] + ".fr.md" in ln for ln in missing)
    # on the terminal, the first five records of the warning every untranslated record shares,
    # then their count (a real warning among a hundred alike would go unseen); JSON has them all
    listed = json.loads(run_sitegen("check", site, "--format", "json").stdout)
    untranslated = [p["path"] for p in listed if p["message"].startswith("this activity is not translated")]
    assert other in untranslated and rel not in untranslated and len(untranslated) > 50
    assert len([ln for ln in missing if "this activity is not translated" in ln]) == 5
    said = run.stderr.splitlines()
    assert f"  ... and {len(untranslated) - 5} more with this warning (`sitegen check --format json` lists " \
        "them all)" in said, run.stderr
    assert f"0 errors, {len(listed)} warnings" in said
    # --strict (the check `sitegen init`'s workflow runs) leaves them warnings, but stops on
    # any other warning: a misspelt key, whose figure the pages would lose
    run = run_sitegen("check", site, "--strict")
    assert run.returncode == 0 and f"0 errors, {len(listed)} warnings" in run.stderr.splitlines(), run.stderr
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("\nparticipants:", "\nparticipnts:", 1), encoding="utf-8")
    line = text[:text.index("\nparticipants:")].count("\n") + 2
    for command in ("check", "build"):
        run = run_sitegen(command, site, "--strict")
        assert run.returncode == 1, run.stderr
        assert [ln for ln in run.lines if ": error:" in ln] == [
            f"{rel}:{line}:1: error: unknown key 'participnts' in an activity (did you mean 'participants'?)"], run.stderr
        assert not any("not translated" in ln for ln in run.lines if ": error:" in ln)
    record.write_text(text, encoding="utf-8")
    with (site / "site.yaml").open("a", encoding="utf-8") as fh:
        fh.write("require_translations: true\n")
    run = run_sitegen("check", site)
    assert run.returncode != 0
    assert any(ln.startswith(f"{other}:1:1: error:") and "not translated into fr" in ln for ln in run.lines)


def test_a_translation_holds_only_text_and_an_unknown_language_is_an_error(tmp_path: Path) -> None:
    site = _example(tmp_path, "[en, fr]")
    record = _record(site)
    path = record.with_name(f"{record.stem}.fr.md")
    path.write_text("---\ntitle: Traduit\nstatus: cancelled\n---\nTexte.\n", encoding="utf-8")
    run = run_sitegen("check", site)
    rel = path.relative_to(site).as_posix()
    assert run.returncode != 0
    assert any(ln.startswith(f"{rel}:3:1: error: 'status' is not translated") for ln in run.lines), run.stderr
    path.write_text("---\ntitle: Traduit\n---\nTexte.\n", encoding="utf-8")
    record.with_name(f"{record.stem}.de.md").write_text("Text.\n", encoding="utf-8")
    run = run_sitegen("check", site)
    assert run.returncode == 0, run.stderr
    assert any("translation into 'de', which is not one of the site's other languages" in ln for ln in run.lines)
    text = (site / "site.yaml").read_text(encoding="utf-8").replace("languages: [en, fr]", "languages: [en, fre]")
    (site / "site.yaml").write_text(text, encoding="utf-8")
    run = run_sitegen("check", site)
    assert run.returncode != 0
    assert any("site.yaml:" in ln and "unknown language 'fre'" in ln and "did you mean 'fr'" in ln
               for ln in run.lines), run.stderr
    text = text.replace("languages: [en, fre]", "language: fr\nlanguages: [en, fr]")
    (site / "site.yaml").write_text(text, encoding="utf-8")
    run = run_sitegen("check", site)
    assert any("'language' (fr) must be the first of 'languages' (en)" in ln for ln in run.lines), run.stderr


def test_the_preview_and_the_cached_build_follow_translation_edits(tmp_path: Path) -> None:
    """The preview server and the cached build each equal a full build after edits of a
    record, of its translation, and the translation's removal."""
    site = _example(tmp_path, "[en, fr]")
    # (a quarter of the example's records: each step builds the site three times, and the
    # edits are the same; 536 pages rather than 802)
    for extra in [p for i, p in enumerate(sorted((site / "content/activities").rglob("*.md"))) if i % 4]:
        extra.unlink()
    record = _record(site, 3)
    preview, ref = tmp_path / "preview", tmp_path / "ref"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    build(site)
    translation = record.with_name(f"{record.stem}.fr.md")
    steps = [
        lambda: _translate(record, "fr", "Première version", "Texte."),
        lambda: _translate(record, "fr", "Deuxième version", "Autre texte."),
        lambda: record.write_text(record.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8"),
        lambda: record.write_text(re.sub(r"(?m)^status: .*$", "status: postponed",
                                         record.read_text(encoding="utf-8"), count=1), encoding="utf-8"),
        lambda: translation.unlink(),
        lambda: (site / "content/plan.fr.yaml").write_text(
            "title: Le plan\nareas:\n  - id: firearms\n    title: Armes à feu\n", encoding="utf-8"),
        lambda: (site / "content/plan.fr.yaml").write_text(
            "areas:\n  - id: firearms\n    title: Armes légères\n", encoding="utf-8"),
    ]
    for n, step in enumerate(steps):
        step()
        assert builder.rebuild().ok
        build(site)
        if ref.exists():
            shutil.rmtree(ref)
        build(site, ref, use_cache=False)
        want = snapshot(ref)
        assert builder.wait_for_search(60)  # (the search index is made in the background)
        for name, got in (("preview", snapshot(preview)), ("cached build", snapshot(site / "output"))):
            differ = sorted(p for p in got.keys() | want.keys() if got.get(p) != want.get(p))
            assert not differ, f"step {n}: the {name} differs from a full build in {differ[:6]}"
    builder.close()


def test_a_single_language_site_has_no_language_menu(tmp_path: Path) -> None:
    site = _example(tmp_path, "[en]")
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="languages' not in page and "hreflang" not in page
    assert not (out / "fr").exists()
    with pytest.raises(ContentError):
        (site / "site.yaml").write_text("languages: [en, klingon]\n", encoding="utf-8")
        build(site, out, use_cache=False)


class _Visible(HTMLParser):
    """The text a reader meets on a page (text, and the attributes read out or shown),
    outside scripts and outside elements marked as English (`lang="en"`: an untranslated
    record's own text)."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                      "track", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        hidden = tag in ("script", "style") or a.get("lang") == "en"
        if not hidden and not self._hidden():
            self.texts += [str(a[k]) for k in ("aria-label", "title", "alt", "placeholder") if a.get(k)]
        if tag not in self.VOID:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._hidden():
            self.texts.append(" ".join(data.split()))


def _english_messages() -> list[str]:
    """Literal pieces of the English UI messages (between placeholders), long enough not to
    be a record's words by chance."""
    from babel.messages.pofile import read_po

    from sitegen.i18n import POT
    with POT.open("rb") as fh:
        catalog = read_po(fh)
    pieces = set()
    for msg in catalog:
        for text in ([msg.id] if isinstance(msg.id, str) else list(msg.id)):
            for piece in re.split(r"%\(\w+\)s|%%|<[^>]*>", text or ""):
                piece = " ".join(piece.split()).strip(" .,:;()")
                if (len(piece) >= 6 and " " in piece) or piece in ("Dashboard", "Activities", "Timeline",
                                                                  "Countries", "Search", "Areas"):
                    pieces.add(piece)
    return sorted(pieces)


def _site_words(site: Path) -> str:
    """Every text of the site's own files (plan, records, pages): English that comes from
    them is the records' words, not the UI's."""
    return "\n".join(" ".join(p.read_text(encoding="utf-8").split())
                     for p in sorted((site / "content").rglob("*")) if p.suffix in (".md", ".yaml", ".csv"))


def test_no_english_ui_word_is_left_on_any_page_of_another_language(built: tuple[Path, Path]) -> None:
    site, out = built
    own = _site_words(site)
    english = [piece for piece in _english_messages() if piece not in own]
    assert len(english) > 100
    # One pattern for every piece (longest first): a text holds a piece where the pattern
    # finds one, at that place or at an overlapping piece's, which is found instead.
    found = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(english, key=len, reverse=True))
                       + r")(?!\w)")
    for lang in LANGUAGES[1:]:
        left: dict[str, str] = {}
        pages = sorted((out / lang).rglob("*.html"))
        assert len(pages) > 100
        for page in pages:
            parser = _Visible()
            parser.feed(page.read_text(encoding="utf-8"))
            for piece in found.findall("\n".join(parser.texts)):
                left.setdefault(piece, page.relative_to(out).as_posix())
        assert not left, f"{lang}: English UI words left: {sorted(left.items())[:12]}"


def test_activity_lists_name_countries_in_alphabetical_order(built: tuple[Path, Path]) -> None:
    """"Austria, Germany, Switzerland" (not in the order of their codes AT, CH, DE), in each
    language's names: French "Allemagne, Autriche, Suisse"; and so does an activity's page
    (it listed them in its record's order: "Italy, Greece, North Macedonia..." where the
    lists said "Austria, Greece, Hungary...")."""
    _, out = built
    from sitegen.i18n import collation_key
    for lang in ("", "fr/", "ru/", "ar/"):
        several = 0
        for page in sorted((out / lang / "activities").glob("*/index.html")):
            for dd in re.findall(r'<dd>((?:<a href="[^"]*countries/[a-z]{2}/">[^<]+</a>[^<]*){2,})</dd>',
                                 page.read_text(encoding="utf-8")):
                names = re.findall(r">([^<]+)</a>", dd)
                assert names == sorted(names, key=collation_key), (lang, page.parent.name, names)
                several += 1
        assert several > 10, lang
    for lang in ("", "fr/", "ru/"):
        page = (out / lang / "activities/index.html").read_text(encoding="utf-8")
        comma = "، " if lang == "ar/" else ", "
        lists = [m.split(comma) for m in re.findall(r'data-country="[A-Z]{2}(?: [A-Z]{2})+"[^>]*>.*?·(?:</span>)? ([^·<]+)</span>',
                                                      page, re.S)]
        assert len(lists) > 10, lang
        for names in lists:
            names = [n.strip() for n in names]
            assert names == sorted(names, key=collation_key), (lang, names)
    assert "Allemagne, Autriche" in (out / "fr/activities/index.html").read_text(encoding="utf-8")


def test_the_plan_in_another_language_gives_its_words_and_only_them(tmp_path: Path) -> None:
    site = _example(tmp_path, "[en, fr]")
    plan = site / "content/plan.fr.yaml"
    plan.write_text("title: Plan d'action conjoint\nareas:\n  - id: firearms\n    title: Armes à feu\n"
                    "    indicators:\n      - id: fa-events\n        title: Activités conjointes menées\n"
                    "        unit: activités\n  - id: counter-terrorism\n    lead: Conjoint\n", encoding="utf-8")
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    french = (out / "fr/areas/firearms/index.html").read_text(encoding="utf-8")
    assert "<title>Armes à feu · " in french and "Activités conjointes menées" in french
    # an area's lead as readers see it ("Joint" in the plan)
    assert "Conjoint" in (out / "fr/areas/counter-terrorism/index.html").read_text(encoding="utf-8")
    assert "Conjoint" not in (out / "areas/counter-terrorism/index.html").read_text(encoding="utf-8")
    assert "Armes à feu" in (out / "fr/index.html").read_text(encoding="utf-8")
    english = (out / "areas/firearms/index.html").read_text(encoding="utf-8")
    assert "Armes à feu" not in english and "<title>Firearms · " in english
    # the plan's words it does not translate are marked as English (lang, dir) on French pages
    assert '<div class="lead" lang="en" dir="ltr">' in (out / "fr/index.html").read_text(encoding="utf-8")
    assert "<h1>Plan d'action conjoint</h1>" in (out / "fr/index.html").read_text(encoding="utf-8").replace("&#39;", "'")
    assert '<span lang="en" dir="ltr">Counter-terrorism</span></h1>' in (
        out / "fr/areas/counter-terrorism/index.html").read_text(encoding="utf-8")
    assert '<span lang="en"' not in french.partition("</h1>")[0].rpartition("<h1")[2]  # (the heading: translated)
    # an indicator's title: translated in French (no mark), the plan's elsewhere (marked)
    assert '<h1 data-pagefind-meta="title">Activités conjointes menées</h1>' in (
        out / "fr/indicators/fa-events/index.html").read_text(encoding="utf-8")
    assert re.search(r'<h1 data-pagefind-meta="title" lang="en" dir="ltr">[^<]+</h1>',
                     (out / "fr/indicators/bs-officers-trained/index.html").read_text(encoding="utf-8"))
    assert 'class="lead" lang=' not in english and 'class="lead" lang=' not in (out / "index.html").read_text(encoding="utf-8")
    # ... as are its texts about an indicator and an area's objectives (an Arabic page laid
    # them out right to left: ".other areas do not count")
    about = (out / "fr/indicators/bs-officers-trained/index.html").read_text(encoding="utf-8")
    assert re.search(r'<section class="about-definition">\s*<h3>[^<]+</h3>\s*<div class="prose" lang="en" dir="ltr">', about)
    assert re.search(r'<h2>Objectifs</h2>\s*<ul lang="en" dir="ltr"><li>',
                     (out / "fr/areas/border-security/index.html").read_text(encoding="utf-8"))
    assert '<section class="about-definition">\n<h3>Definition</h3>\n<div class="prose">' in (
        out / "indicators/bs-officers-trained/index.html").read_text(encoding="utf-8")
    # ... and where tables and lists link to an area or an indicator
    results = (out / "fr/results/index.html").read_text(encoding="utf-8")
    assert '<a href="../indicators/fa-events/">Activités conjointes menées</a>' in results
    assert re.search(r'<a href="../indicators/bs-officers-trained/" lang="en" dir="ltr">[^<]+</a>', results)
    dashboard = (out / "fr/index.html").read_text(encoding="utf-8")
    assert '<a href="areas/firearms/">Armes à feu</a>' in dashboard
    assert '<a href="areas/border-security/" lang="en" dir="ltr">Border security</a>' in dashboard
    assert 'lang="en" dir="ltr">Border security</a>' not in (out / "index.html").read_text(encoding="utf-8")
    # units: "activités" translated, "people" not (marked), and in list items the areas' names
    assert ">11 activités</td>" in french and '>343 <span lang="en" dir="ltr">people</span></td>' in french
    assert '>343 people</td>' in english
    items = (out / "fr/activities/index.html").read_text(encoding="utf-8")
    assert "<bdi>Armes à feu</bdi>" in items and '<bdi lang="en" dir="ltr">Border security</bdi>' in items
    plan.write_text("areas:\n  - id: firearm\n    title: Armes\n  - id: border-security\n    target: 4\n",
                    encoding="utf-8")
    run = run_sitegen("check", site)
    assert run.returncode != 0
    assert any(ln.startswith("content/plan.fr.yaml:2:") and "no area 'firearm'" in ln and "did you mean 'firearms'" in ln
               for ln in run.lines), run.stderr
    assert any(ln.startswith("content/plan.fr.yaml:5:") and "'target' is not translated" in ln for ln in run.lines)


def test_a_language_without_the_plans_translation_is_warned_of(tmp_path: Path) -> None:
    """The plan's titles and summaries show in the first language where plan.<code>.yaml is
    missing: `check` says so (an error with require_translations), naming the file to write."""
    site = _example(tmp_path, "[en, fr, ar]")
    (site / "content/plan.fr.yaml").write_text("title: Plan d'action conjoint\n", encoding="utf-8")
    run = run_sitegen("check", site)
    assert run.returncode == 0, run.stderr
    said = [ln for ln in run.lines if "the plan is not translated" in ln]
    assert said == ["content/plan.yaml:1:1: warning: the plan is not translated into ar: its pages in that "
                    "language show its titles and summaries in en (write content/plan.ar.yaml, as "
                    "docs/languages.md says)"], run.stderr
    with (site / "site.yaml").open("a", encoding="utf-8") as fh:
        fh.write("require_translations: true\n")
    run = run_sitegen("check", site)
    assert run.returncode == 1
    assert any(ln.startswith("content/plan.yaml:1:1: error: the plan is not translated into ar") for ln in run.lines)


def _po(*pairs: tuple[str, str]) -> str:
    return "".join(f'msgid "{a}"\nmsgstr "{b}"\n\n' for a, b in pairs)


def test_a_site_overrides_or_adds_messages_in_its_locales_folder(tmp_path: Path) -> None:
    site = _example(tmp_path, "[en, fr, pt]")
    (site / "locales").mkdir()
    (site / "locales/fr.po").write_text(_po(("Dashboard", "Accueil")), encoding="utf-8")
    (site / "locales/en.po").write_text(_po(("Timeline", "Calendar")), encoding="utf-8")
    run = run_sitegen("check", site)
    assert run.returncode == 0, run.stderr
    line = (site / "site.yaml").read_text(encoding="utf-8").splitlines().index("languages: [en, fr, pt]") + 1
    assert any(ln.startswith(f"site.yaml:{line}:1: warning: sitegen has no messages in 'pt'") for ln in run.lines)
    assert not any("no messages in 'fr'" in ln for ln in run.lines)
    (site / "locales/pt.po").write_text(_po(("Dashboard", "Painel"), ("Timeline", "Cronologia")), encoding="utf-8")
    preview = tmp_path / "preview"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    french = (out / "fr/index.html").read_text(encoding="utf-8")
    assert ">Accueil</a>" in french and ">Chronologie</a>" in french  # the site's word, then sitegen's
    english = (out / "index.html").read_text(encoding="utf-8")
    assert ">Calendar</a>" in english and ">Dashboard</a>" in english
    portuguese = (out / "pt/index.html").read_text(encoding="utf-8")
    assert ">Painel</a>" in portuguese and ">Cronologia</a>" in portuguese and "Areas" in portuguese
    # an edit of the site's messages reaches the preview and the cached build
    (site / "locales/fr.po").write_text(_po(("Dashboard", "Tableau de bord du plan")), encoding="utf-8")
    assert builder.rebuild().ok
    build(site)
    for folder in (preview, site / "output"):
        assert ">Tableau de bord du plan</a>" in (folder / "fr/timeline/index.html").read_text(encoding="utf-8")
    builder.close()  # (its background search indexing)
    (site / "locales/fr.po").write_text(_po(("Dashboard", "Accueil")) + _po(("Search", "Chercher %(what)s")),
                                        encoding="utf-8")
    run = run_sitegen("check", site)
    assert run.returncode != 0
    assert any(ln.startswith("locales/fr.po:4:1: error: the translation uses %(what)s") for ln in run.lines), run.stderr


def test_a_site_names_countries_as_its_organisations_do(tmp_path: Path) -> None:
    """CLDR's names are everyday usage ("Kirghizstan", "Biélorussie"); a site's own messages
    give the ones its organisations use (msgctxt "country", msgid the ISO code), in every
    language, English too: pages, lists, maps and filters show them. An unknown code is a
    located warning."""
    site = _example(tmp_path, "[en, fr]")
    (site / "locales").mkdir()
    country = 'msgctxt "country"\nmsgid "{}"\nmsgstr "{}"\n\n'
    (site / "locales/fr.po").write_text(_po(("Dashboard", "Accueil")) + country.format("KG", "Kirghizistan")
                                        + country.format("BY", "Bélarus") + country.format("QQ", "Nulle part"),
                                        encoding="utf-8")
    (site / "locales/en.po").write_text(country.format("TR", "Türkiye"), encoding="utf-8")
    run = run_sitegen("check", site)
    assert run.returncode == 0, run.stderr
    assert "locales/fr.po:13:1: warning: unknown country code 'QQ': this name is not used" in run.stderr, run.stderr
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    def title(path: str) -> str:
        found = re.search(r"<h1[^>]*>([^<]*)</h1>", (out / path / "index.html").read_text(encoding="utf-8"))
        assert found, path
        return found.group(1)
    assert (title("fr/countries/kg"), title("fr/countries/by"), title("fr/countries/md")) == (
        "Kirghizistan", "Bélarus", "Moldavie")  # (and CLDR's where the site names none)
    assert (title("countries/tr"), title("countries/kg")) == ("Türkiye", "Kyrgyzstan")
    listed = (out / "fr/countries/index.html").read_text(encoding="utf-8")
    assert ">Kirghizistan</a>" in listed and "Kirghizstan" not in listed and "Biélorussie" not in listed
    activity = next(p for p in (out / "fr/activities").glob("*/index.html")
                    if 'href="../../countries/kg/"' in p.read_text(encoding="utf-8"))
    assert ">Kirghizistan</a>" in activity.read_text(encoding="utf-8")


def test_percentage_axes_put_the_percent_sign_where_the_language_writes_it(tmp_path: Path) -> None:
    """Turkish writes "%80": its charts' percentage axes take the sign as a prefix; English
    and French ones as a suffix ("80%", "80\u00a0%")."""
    site = _example(tmp_path, "[en, fr, tr]")
    (site / "locales").mkdir()
    (site / "locales/tr.po").write_text(_po(("Dashboard", "Pano")), encoding="utf-8")
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    expected = {"": {"ticksuffix": "%"}, "fr/": {"ticksuffix": "\u00a0%"}, "tr/": {"tickprefix": "%"}}
    for prefix, affixes in expected.items():
        page = (out / prefix / "index.html").read_text(encoding="utf-8")
        figure = re.search(r'<script type="application/json" id="dashboard-progress-figure">(.*?)</script>', page, re.S)
        assert figure, prefix
        axis = json.loads(figure.group(1))["layout"]["xaxis"]
        assert {k: v for k, v in axis.items() if k in ("tickprefix", "ticksuffix")} == affixes, prefix


def test_the_preview_writes_the_open_tabs_language_first(tmp_path: Path) -> None:
    """With a tab open on the French pages, a status edit writes the French pages, reports
    them (the server reloads the French tabs), then writes the other languages: in the end
    the preview equals a full build."""
    site = _example(tmp_path, "[en, fr, ru]")
    record = _record(site, 5)
    preview, ref = tmp_path / "preview", tmp_path / "ref"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    act = next(p.parent.name for p in sorted((preview / "activities").glob("*/index.html"))
               if record.stem.endswith(p.parent.name) or p.parent.name in record.stem)
    before = {lang: (preview / lang / "activities" / act / "index.html").read_bytes() for lang in ("", "fr", "ru")}
    seen: dict[str, bool] = {}

    def early(viewed: frozenset[str]) -> None:
        assert viewed == {"fr"}
        for lang in ("", "fr", "ru"):
            seen[lang] = (preview / lang / "activities" / act / "index.html").read_bytes() != before[lang]

    text = record.read_text(encoding="utf-8")
    status = re.search(r"(?m)^status: *(\S+)", text)
    assert status
    new = "cancelled" if status.group(1) != "cancelled" else "completed"
    record.write_text(text.replace(status.group(0), f"status: {new}", 1), encoding="utf-8")
    builder.viewing = {"fr"}
    assert builder.rebuild(early=early).ok
    assert seen == {"fr": True, "": False, "ru": False}  # at the early call: French only
    build(site, ref, use_cache=False)
    try:
        assert builder.wait_for_search()  # (the search index is made in the background)
        got, want = snapshot(preview), snapshot(ref)
    finally:
        builder.close()
    differ = sorted(p for p in got.keys() | want.keys() if got.get(p) != want.get(p))
    assert not differ, differ[:6]


def test_the_server_knows_which_languages_its_tabs_show() -> None:
    from sitegen.serve import Live

    live = Live()
    live.viewing("/fr/areas/", 1)
    live.viewing("/", 1)
    live.viewing("/activities/x/", 1)
    live.viewing("/ru/", 1)
    assert live.viewed(("en", "fr", "ru")) == {"", "fr", "ru"}
    live.viewing("/ru/", -1)
    live.viewing("/fr/areas/", -1)
    assert live.viewed(("en", "fr", "ru")) == {""}
    assert live.viewed(("en",)) == {""}


def test_counts_in_sentences_are_numbers_of_the_language(tmp_path: Path) -> None:
    """A count shown in a sentence or heading is grouped as the language groups numbers:
    "1 100 activités" in French, "1,100 activities" in English, never a bare "1100"."""
    from sitegen.i18n import words_for
    from tests.corpus import write_corpus

    site = write_corpus(1100, tmp_path / "site")
    with (site / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write("language: fr\nactivities_per_page: 100\n")
    build(site, tmp_path / "out")
    thousand = words_for("fr").number(1100)
    assert thousand not in ("1100", "1,100")
    listing = (tmp_path / "out/activities/index.html").read_text(encoding="utf-8")
    assert f"{thousand} activités" in listing and "Page 1 sur 11" in listing, listing[:3000]
    dashboard = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    records = json.loads((tmp_path / "out/data/activities.json").read_text(encoding="utf-8"))
    live = sum(1 for a in (records["activities"] if isinstance(records, dict) else records) if a["status"] != "cancelled")
    assert live > 1000 and f"sur {words_for('fr').number(live)}" in dashboard  # (those not cancelled)
    for page in (listing, dashboard):
        assert not re.search(r">[^<]*\b1100\b", page)


def test_timeline_of_many_activities_says_each_bars_count_in_its_plural_form(tmp_path: Path) -> None:
    """Above 400 activities the timeline draws one bar per area and month; its hover text
    names the bar's count in the form the language gives that number ("1 мероприятие",
    "3 мероприятия", "5 мероприятий"), not "1 activities"."""
    import json

    from tests.corpus import write_corpus

    site = write_corpus(450, tmp_path / "site")
    with (site / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write("language: ru\n")
    build(site, tmp_path / "out")
    page = (tmp_path / "out/timeline/index.html").read_text(encoding="utf-8")
    figure = json.loads(re.search(r'<script type="application/json" id="timeline-timeline-figure">(.*?)</script>',
                                  page, re.S).group(1))
    bars = [trace for trace in figure["data"] if trace.get("type") == "bar"]
    assert bars
    forms = {1: "мероприятие", 2: "мероприятия", 3: "мероприятия", 5: "мероприятий", 11: "мероприятий"}
    seen = set()
    for trace in bars:
        assert "activit" not in trace["hovertemplate"]
        for count, said in zip(trace["text"], trace["customdata"]):
            n = int(count)
            assert said.startswith(f"{n} ")
            if n in forms:
                assert said == f"{n} {forms[n]}"
                seen.add(n)
    assert {1, 2} <= seen, seen


def test_right_to_left_pages_keep_foreign_text_and_chart_notes_in_their_own_direction(
        built: tuple[Path, Path]) -> None:
    """On Arabic pages: an English text not translated yet says it is left to right (else its
    final full stop and brackets jump to its other end); lists are separated by "، " and name
    countries (not their codes); a change of state reads "X ← Y"; chart notes are isolated
    right to left, and a bar's figure drawn beside the plot moves to the plot's other side
    with the category labels (it was drawn over them), as do the timeline's row labels on a
    phone."""
    import json

    site, out = built
    record = _record(site, 0)  # a record not translated
    page = (out / f"ar/activities/{record.stem}/index.html").read_text(encoding="utf-8")
    assert re.search(r'<h1 data-pagefind-meta="title" lang="en" dir="ltr">', page)
    assert '<div class="prose" lang="en" dir="ltr">' in page
    listing = (out / "ar/activities/index.html").read_text(encoding="utf-8")
    metas = re.findall(r'<span class="meta">(.*?)</span>\n</li>', listing, re.S)
    assert metas and any("، " in m for m in metas)
    assert not any(re.search(r"\b[A-Z]{2}\b", re.sub(r"<[^>]+>", "", m)) for m in metas), metas[:3]
    english = (out / "activities/index.html").read_text(encoding="utf-8")
    assert "Ukraine" in english and ", " in english
    report = (out / "ar/reports/2019/index.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="area-line"><span class="status[^"]*">[^<]+</span> \u2190 ', report)
    assert " \u2192 " not in report and " \u2192 " in (out / "reports/2019/index.html").read_text(encoding="utf-8")
    figures = {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script type="application/json" id="([^"]+)-figure">(.*?)</script>', report, re.S)}
    beside = [note for f in figures.values() for note in f["layout"].get("annotations", ())
              if note.get("xref") == "paper"]
    assert beside and all(note["x"] == 0 and note["xanchor"] == "right" and note["xshift"] < 0
                          for note in beside)
    assert all(note["text"].startswith("\u2067") and note["text"].endswith("\u2069")
               for f in figures.values() for note in f["layout"].get("annotations", ()))
    # labels on the right, clear of the axis line (they touched it: "Illicit drugs" met its bar)
    assert all(f["layout"]["yaxis"]["side"] == "right" and f["layout"]["yaxis"]["ticklabelstandoff"] >= 4
               for f in figures.values())
    # on a phone the timeline's labels, above its rows, start from the right edge as its axis's do
    timeline = (out / "ar/timeline/index.html").read_text(encoding="utf-8")
    fig = json.loads(re.search(r'id="timeline-timeline-figure">(.*?)</script>', timeline, re.S).group(1))
    above = [note for note in fig["layout"]["meta"]["narrow"]["annotations"] if note.get("name") == "row"]
    assert len(above) == len(fig["layout"]["yaxis"]["tickvals"])
    assert all((note["x"], note["xanchor"], note["align"]) == (1, "right", "right") for note in above)
    # ... each of their lines isolated in the direction of its first letter (an English title
    # isolated right to left ended its first line ":Forensic data exchange course")
    lines = [line for note in above for line in note["text"].split("<br>")]
    assert all(line.startswith("\u2068") and line.endswith("\u2069") for line in lines), lines[:3]


def test_right_to_left_lists_and_a_rounds_untranslated_texts(built: tuple[Path, Path]) -> None:
    """On Arabic pages: a list of English names reads from the right, each name isolated (the
    footer's partners read "INTERPOL و OSCE Secretariat" when the whole list was one
    left-to-right run); a round's title and narrative, never translated, say they are English
    (its narrative's full stops jumped to the start of its lines), with the note a record's
    untranslated text has; a round's lists use the language's comma and semicolon."""
    _, out = built
    dashboard = (out / "ar/index.html").read_text(encoding="utf-8")
    partners = re.search(r'<footer class="site-footer">\s*<div class="wrap">\s*(?:<p class="page-address">.*?</p>\s*)?'
                         r'<p>(.*?)</p>', dashboard, re.S)[1]
    assert re.search(r"\u2068\u2068<a [^>]+>OSCE Secretariat</a>\u2069 و\u2068<a [^>]+>INTERPOL</a>\u2069\u2069",
                     partners), partners
    english = (out / "index.html").read_text(encoding="utf-8")
    assert "\u2068" not in english  # (left to right: nothing to isolate)
    report = (out / "ar/reports/2018/index.html").read_text(encoding="utf-8")
    assert '<h1 data-pagefind-meta="title" lang="en" dir="ltr">First annual report</h1>' in report
    assert re.search(r'<p class="untranslated" role="note"[^>]*>[^<]+</p>\s*<div class="prose report-narrative" '
                     r'lang="en" dir="ltr">', report)
    # a number in its markup is not isolated (nothing left to right in it): the isolate's end
    # after the card's block number began the next line with a space
    assert re.search(r'<div class="figure" data-figure="participants"><span class="n">[\d,٬]+</span> ', report)
    # nor is a percentage (its left-to-right marks are no letters; after them an Arabic
    # letter mark, for what follows): the dashboard's first card
    assert re.search(r'<div class="figure"><span class="n">87\u200e%\u200e\u061c</span> ', dashboard)
    done = re.search(r'<p class="area-done">(.*?)</p>', report, re.S)[1]
    assert "</a>\u061b</span> <span class=\"joined\"><a " in done and "; " not in done
    changes = re.findall(r'<li data-activity="[^"]+">(.*?)</li>', report)
    several = [c for c in changes if c.count('<span lang="en" dir="ltr">') > 1]
    assert several and all("</span>\u060c <span" in c and "</span>, <span" not in c for c in several), several[:2]
    assert '<h1 data-pagefind-meta="title">First annual report</h1>' in (out / "reports/2018/index.html").read_text(
        encoding="utf-8")


def test_the_menu_marks_a_free_pages_untranslated_title(built: tuple[Path, Path]) -> None:
    """A free page not translated into the page's language keeps its English title in the
    French menu, marked as English (a screen reader said "About" with French sounds); the
    English menu has no mark."""
    _site, out = built
    menu = (out / "fr/index.html").read_text(encoding="utf-8").split('<nav id="site-menu"', 1)[1].split("</nav>")[0]
    assert re.search(r'<a href="pages/about/"><span lang="en" dir="ltr">About</span></a>', menu), menu
    assert "lang=" not in menu.split('href="pages/')[0]  # (sitegen's own words are French)
    english = (out / "index.html").read_text(encoding="utf-8").split('<nav id="site-menu"', 1)[1].split("</nav>")[0]
    assert '<a href="pages/about/">About</a>' in english and "lang=" not in english


def test_the_country_filter_is_in_the_languages_alphabetical_order(built: tuple[Path, Path]) -> None:
    """The activity list's country filter orders names as the countries page does: by their
    letters without accents ("Géorgie" before "Grèce", "États-Unis" among the E's; it put
    "États-Unis" last) and, in Arabic, with the alef's forms together."""
    from html import unescape

    from sitegen.maps import name_order

    _site, out = built
    for lang in ("fr", "ar"):
        page = (out / lang / "activities/index.html").read_text(encoding="utf-8")
        select = page.split('<select name="country">', 1)[1].split("</select>", 1)[0]
        names = [unescape(n) for n in re.findall(r'<option value="[A-Z]{2}">([^<]+)</option>', select)]
        assert len(names) > 40 and names == sorted(names, key=name_order), (lang, names)
    french = (out / "fr/activities/index.html").read_text(encoding="utf-8")
    order = re.findall(r'<option value="(US|GE|GR|EE|FR)">', french)
    assert order == ["EE", "US", "FR", "GE", "GR"], order
