"""Pages per tag, partner and activity type (#18): `tags/<slug>/`, `partners/<slug>/`,
`types/<slug>/` and their indexes, linked from each activity page, in the sitemap and the
search index; slugs that collide are merged; the preview and the cached build render them
again after a tag, partner or type edit exactly as a full build does.

The example's figures are counted here from data/activities.json and content/plan.yaml, with
a slug rule written out again (the example's names are ASCII).
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen.build import build
from sitegen.incremental import Builder
from tests.sitekit import BASELINE, REPO, example_in, front, make_site, snapshot


def ascii_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def main_of(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text[text.index("<main"): text.index("</main>")]


def listed(page: Path) -> list[str]:
    """The activity ids a page lists (its activity-list items), in order."""
    part = main_of(page)
    items = part[part.index('<ul class="activity-list"'):] if '<ul class="activity-list"' in part else ""
    return re.findall(r'<li class="activity-item"[^>]*>\s*<a href="[./]*activities/([^/"]+)/"', items)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("example")
    site = root / "site"
    site.mkdir()
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    out = root / "out"
    build(site, out, use_cache=False)
    return site, out


@pytest.fixture(scope="module")
def records(example: tuple[Path, Path]) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((example[1] / "data/activities.json").read_text(encoding="utf-8"))
    return data


def test_each_tag_has_a_page_listing_its_activities_newest_first(example: tuple[Path, Path],
                                                                 records: list[dict[str, Any]]) -> None:
    _, out = example
    counts = Counter(t for r in records for t in r["tags"])
    assert len(counts) > 50
    index = main_of(out / "tags/index.html")
    for tag, n in counts.items():
        page = out / "tags" / ascii_slug(tag) / "index.html"
        want = sorted((r for r in records if tag in r["tags"]), key=lambda r: (r["start"], r["id"]), reverse=True)
        assert listed(page) == [r["id"] for r in want], tag
        lead = text_of(re.search(r'<p class="lead">.*?</p>', main_of(page), re.S).group(0))  # type: ignore[union-attr]
        assert lead.startswith(f"{n} activit{'y is' if n == 1 else 'ies are'} tagged {tag}."), lead
        row = re.search(rf'<tr data-slug="{ascii_slug(tag)}">.*?</tr>', index)
        assert row is not None and re.findall(r">([^<]+)<", row.group(0)) == [tag, str(n)], tag
    assert len(re.findall(r'<tr data-slug="', index)) == len(counts)
    assert text_of(index).count(f"{len(counts)} tags mark the plan's activities.") == 1
    # a tag of five activities or more gets its status chart, with its CSV
    big = max(counts, key=lambda t: (counts[t], t))
    csv = (out / f"data/charts/tag-{ascii_slug(big)}-status.csv").read_text(encoding="utf-8")
    statuses = Counter(r["status"] for r in records if big in r["tags"])
    assert csv.splitlines()[1:] == [f"{s},{statuses[s]}" for s in
                                    ("planned", "in-progress", "completed", "postponed", "cancelled")]
    # ... unless all are of one status: a bar beside four zeros says no more than the list
    one = [t for t, n in counts.items() if n >= 5 and len({r["status"] for r in records if t in r["tags"]}) == 1]
    assert one, "the example has a tag whose activities all have one status"
    for tag in one:
        page = main_of(out / "tags" / ascii_slug(tag) / "index.html")
        assert "activities by status" not in page and 'class="chart' not in page, tag
        assert not (out / f"data/charts/tag-{ascii_slug(tag)}-status.csv").exists(), tag
        assert f"tag-{ascii_slug(tag)}-status" not in (out / "data/datapackage.json").read_text(encoding="utf-8")


def test_partners_of_the_plan_and_of_the_activities_have_pages(example: tuple[Path, Path],
                                                               records: list[dict[str, Any]]) -> None:
    site, out = example
    plan = yaml.safe_load((site / "content/plan.yaml").read_text(encoding="utf-8"))
    counts = Counter(p for r in records for p in r["partners"])
    names = {p["name"] for p in plan["partners"]} | set(counts)
    index = main_of(out / "partners/index.html")
    for name in names:
        page = out / "partners" / ascii_slug(name) / "index.html"
        assert page.exists(), name
        assert len(listed(page)) == counts[name]
        assert f'href="../partners/{ascii_slug(name)}/">{name}</a>' in index
    for p in plan["partners"]:  # the plan's own: its website, and no "0 activities"
        text = main_of(out / "partners" / ascii_slug(p["name"]) / "index.html")
        assert f'<a href="{p["url"]}">' in text and "is a partner of the plan" in text_of(text)
        # (its website a line of its own: after the sentence, a bare link read as its end)
        assert re.search(rf'</p>\s*<p><a href="{re.escape(p["url"])}">[^<]+</a></p>', text), text[:600]
        assert "0 activities" not in text_of(text)
    table = index[index.index("<table"):]
    assert len(re.findall(r'<tr data-slug="', table)) == len(set(counts) - {p["name"] for p in plan["partners"]})
    for name, n in counts.items():
        assert re.search(rf'<tr data-slug="{ascii_slug(name)}">.*?<td class="num">{n}</td></tr>', table), name


def test_each_activity_type_has_a_page_titled_with_its_words(example: tuple[Path, Path],
                                                             records: list[dict[str, Any]]) -> None:
    site, out = example
    plan = yaml.safe_load((site / "content/plan.yaml").read_text(encoding="utf-8"))
    counts = Counter(r["type"] for r in records if r["type"])
    index = main_of(out / "types/index.html")
    assert len(re.findall(r'<tr data-slug="', index)) == len(plan["activity_types"])
    for typ in plan["activity_types"]:
        page = out / "types" / typ / "index.html"
        words = typ.replace("-", " ")
        assert re.search(rf'<h1[^>]*>{words.capitalize()}</h1>', main_of(page)), typ
        assert f"{counts[typ]} activities are of the type {words}." in text_of(main_of(page))
        assert len(listed(page)) == counts[typ]
        assert re.search(rf'<tr data-slug="{typ}">.*?<td class="num">{counts[typ]}</td>', index)
        crumbs = page.read_text(encoding="utf-8")
        crumbs = crumbs[crumbs.index('<nav class="crumbs'): crumbs.index("</nav>", crumbs.index('<nav class="crumbs'))]
        assert re.findall(r">([^<>\s][^<>]*)</", crumbs) == ["Dashboard", "Activities", "Activity types", words.capitalize()]


def test_activity_pages_link_their_tags_partners_and_type(example: tuple[Path, Path],
                                                          records: list[dict[str, Any]]) -> None:
    _, out = example
    for r in records:
        text = main_of(out / "activities" / r["id"] / "index.html")
        links = set(re.findall(r'href="\.\./\.\./((?:tags|partners|types)/[^"]+)"', text))
        want = {f"tags/{ascii_slug(t)}/" for t in r["tags"]} | {f"partners/{ascii_slug(p)}/" for p in r["partners"]}
        want |= {f"types/{r['type']}/"} if r["type"] else set()
        assert links == want, r["id"]
        for target in want:
            assert (out / target / "index.html").exists()
    # and the list of activities leads to the three indexes
    browse = re.search(r'<p class="browse">.*?</p>', main_of(out / "activities/index.html"))
    assert browse is not None
    assert re.findall(r'href="([^"]+)"', browse.group(0)) == ["../types/", "../partners/", "../tags/"]


def test_the_sitemap_and_the_search_index_hold_them(example: tuple[Path, Path]) -> None:
    _, out = example
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    base = re.search(r"<loc>(.*?)</loc>", sitemap).group(1)  # type: ignore[union-attr]  # the dashboard
    pages = sorted(p.parent.relative_to(out).as_posix() + "/" for folder in ("tags", "partners", "types")
                   for p in (out / folder).rglob("index.html"))
    assert len(pages) > 80
    for page in pages:
        assert f"<loc>{base}{page}</loc>" in sitemap
    # indexed by Pagefind as country pages are: the term pages, not their indexes
    for page in pages:
        text = (out / page / "index.html").read_text(encoding="utf-8")
        kind = page.split("/")[0][:-1]
        is_index = page.count("/") == 1
        assert ('data-pagefind-body data-pagefind-meta="kind:' + kind + '"' in text) != is_index, page
    search = (out / "search/index.html").read_text(encoding="utf-8")
    words = json.loads(re.search(r'<script type="application/json" id="site-words">(.*?)</script>', search).group(1))  # type: ignore[union-attr]
    assert {k: words["kinds"][k] for k in ("tag", "partner", "type")} == {
        "tag": "tag", "partner": "partner", "type": "activity type"}  # (how a result names its kind)
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    bodies = sum(1 for p in out.rglob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == bodies


def test_results_is_in_the_main_menu(example: tuple[Path, Path]) -> None:
    _, out = example
    for page, current in (("index.html", False), ("results/index.html", True), ("tags/index.html", False)):
        text = (out / page).read_text(encoding="utf-8")
        menu = text[text.index('<nav id="site-menu"'): text.index("</nav>", text.index('<nav id="site-menu"'))]
        root = "../" * page.count("/")
        assert re.findall(r"<a [^>]*>([^<]+)</a>", menu)[:4] == ["Dashboard", "Areas", "Results", "Activities"]
        assert (f'<a href="{root}results/" aria-current="page">' in menu) == current


# -- small sites ---------------------------------------------------------------------------------

def record(title: str, start: str, tags: str = "[]", partners: str = "[]", typ: str = "workshop") -> str:
    return front(f"""
        title: {title}
        area: firearms
        status: completed
        start: {start}
        type: {typ}
        tags: {tags}
        partners: {partners}
        """)


SPELLINGS = {
    "content/activities/a.md": record("A", "2018-01-10", '["Data quality", "con", "+++"]', "[UNODC]"),
    "content/activities/b.md": record("B", "2018-02-10", '["data-quality", "C++"]', '["unodc"]'),
    "content/activities/c.md": record("C", "2018-03-10", '["data quality", "C#", "Data Quality"]'),
    "content/activities/d.md": record("D", "2018-04-10", '["Données", "page", "data quality"]', '["Alpha Org"]'),
}


def test_names_that_slugify_alike_share_one_page(tmp_path: Path) -> None:
    """Slugs are a function of the name alone (so that an activity page can link its tags):
    spellings that slugify alike are one term, shown under the commonest spelling, the others
    listed; a name without letters or digits, and a device name of Windows, get safe slugs."""
    site = make_site(tmp_path / "site", SPELLINGS)
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    page = out / "tags/data-quality/index.html"
    assert listed(page) == ["d", "c", "b", "a"]  # "Data Quality" and "data quality" on one record: listed once
    text = main_of(page)
    assert re.search(r"<h1[^>]*>data quality</h1>", text)  # the commonest spelling
    assert "Also written: Data Quality, Data quality and data-quality." in text_of(text)
    assert listed(out / "tags/c/index.html") == ["c", "b"]  # C# and C++: one slug, one page
    assert listed(out / "tags/con_/index.html") == ["a"]  # a device name of Windows
    assert listed(out / "tags/page/index.html") == ["d"]
    assert listed(out / "tags/données/index.html") == ["d"]
    hashed = [p.name for p in (out / "tags").iterdir() if p.name.startswith("_")]
    assert len(hashed) == 1 and re.fullmatch(r"_[0-9a-f]{10}", hashed[0])  # "+++"
    assert listed(out / "tags" / hashed[0] / "index.html") == ["a"]
    assert listed(out / "partners/unodc/index.html") == ["b", "a"]
    # every link of an activity page leads to a page that lists it
    for act in "abcd":
        text = main_of(out / "activities" / act / "index.html")
        for target in re.findall(r'href="\.\./\.\./((?:tags|partners|types)/[^"]+)"', text):
            assert act in listed(out / target / "index.html"), (act, target)
    index = main_of(out / "tags/index.html")
    assert len(re.findall(r'<tr data-slug="', index)) == 7  # (and BASELINE's "documents")
    # plan partners without activities naming them still have their page
    assert "Alpha Org is a partner of the plan" in text_of(main_of(out / "partners/alpha-org/index.html"))
    assert "Beta Org is a partner of the plan" in text_of(main_of(out / "partners/beta-org/index.html"))


def test_a_term_of_many_activities_is_listed_a_page_at_a_time(tmp_path: Path) -> None:
    files = {f"content/activities/r{i}.md": record(f"R{i}", f"2018-0{i}-01", "[busy]") for i in range(1, 6)}
    site = make_site(tmp_path / "site", {**files, "site.yaml": BASELINE["site.yaml"] + "activities_per_page: 2\n"})
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    pages = [out / "tags/busy/index.html", out / "tags/busy/page/2/index.html", out / "tags/busy/page/3/index.html"]
    assert [listed(p) for p in pages] == [["r5", "r4"], ["r3", "r2"], ["r1"]]
    assert not (out / "tags/busy/page/4").exists()
    second = pages[1].read_text(encoding="utf-8")
    assert 'rel="prev" href="../../../../tags/busy/"' in second
    assert 'rel="next" href="../../../../tags/busy/page/3/"' in second
    assert "<title>busy, page 2 · " in second
    assert "Page 2 of 3." in text_of(main_of(pages[1]))
    # Search finds the term once: its first page (its name and facts) is indexed, not the
    # others, which would be found by the same words ("busy, page 2", "busy, page 3").
    assert "data-pagefind-body" in pages[0].read_text(encoding="utf-8")
    assert "data-pagefind-body" not in second and "data-pagefind-body" not in pages[2].read_text(encoding="utf-8")


EDITS = [
    # (file, old text, new text): a tag renamed, added, removed; a partner; the type
    ("content/activities/a.md", '"con", "+++"', '"con", "+++", "fresh"'),
    ("content/activities/b.md", '"data-quality", "C++"', '"C++"'),
    ("content/activities/a.md", "[UNODC]", "[UNODC, Europol]"),
    ("content/activities/c.md", "type: workshop", "type: meeting"),
    ("content/activities/d.md", '"Données", "page"', '"Données"'),
    ("content/activities/b.md", "start: 2018-02-10", "start: 2018-05-10"),
    ("content/activities/c.md", '"C#", ', ""),
    ("content/activities/d.md", "title: D", "title: D renamed"),
]


def test_the_preview_and_the_cached_build_follow_tag_partner_and_type_edits(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", SPELLINGS)
    preview, ref = tmp_path / "preview", tmp_path / "ref"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    build(site)  # (fills the site's build cache)
    for path, old, new in EDITS:
        text = (site / path).read_text(encoding="utf-8")
        assert old in text, (path, old)
        (site / path).write_text(text.replace(old, new, 1), encoding="utf-8")
        assert builder.rebuild().ok
        if ref.exists():
            shutil.rmtree(ref)
        build(site, ref, use_cache=False)
        cached = build(site)
        assert builder.wait_for_search(60)
        want = snapshot(ref)
        for name, got in (("preview", snapshot(preview)), ("cached build", snapshot(site / "output"))):
            differ = sorted(p for p in got.keys() | want.keys() if got.get(p) != want.get(p))
            assert not differ, f"after {path}: {old} -> {new}: the {name} differs from a full build in {differ[:8]}"
        assert cached.rendered < cached.pages  # (the cached build kept the pages the edit did not touch)
    assert listed(ref / "tags/fresh/index.html") == ["a"]
    assert listed(ref / "partners/europol/index.html") == ["a"]
    assert not (ref / "tags/page").exists()
    assert "c" in listed(ref / "types/meeting/index.html") and "c" not in listed(ref / "types/workshop/index.html")


def test_a_multilingual_site_has_them_in_each_language(tmp_path: Path) -> None:
    site = example_in(tmp_path, "[en, fr]")
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    for folder in ("tags/central-asia", "partners/unodc", "types/workshop", "tags", "partners", "types"):
        assert (out / folder / "index.html").exists()
        fr = (out / "fr" / folder / "index.html").read_text(encoding="utf-8")
        assert '<html lang="fr"' in fr
    assert listed(out / "fr/tags/central-asia/index.html") == listed(out / "tags/central-asia/index.html")
    page = next((out / "fr/activities").glob("*/index.html"))
    for target in re.findall(r'href="\.\./\.\./((?:tags|partners|types)/[^"]+)"', main_of(page)):
        assert (out / "fr" / target / "index.html").exists()
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "/fr/tags/central-asia/</loc>" in sitemap
