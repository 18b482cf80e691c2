"""Parallel, cached builds write exactly the bytes of a serial, uncached build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sitegen import markdown
from sitegen.build import BuildResult, build
from sitegen.content import split_front_matter
from tests.corpus import write_corpus

REPO = Path(__file__).resolve().parent.parent


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same(got: Path, want: Path, step: str) -> None:
    a, b = tree(got), tree(want)
    assert sorted(a) == sorted(b), f"{step}: different files: {sorted(set(a) ^ set(b))[:10]}"
    differ = [rel for rel in a if a[rel] != b[rel]]
    assert not differ, f"{step}: {len(differ)} files differ, e.g. {differ[:5]}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("corpus") / "site"
    return write_corpus(600, site)


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """The serial, uncached build of the corpus."""
    ref = tmp_path_factory.mktemp("reference") / "out"
    result = build(corpus, ref, workers=1, use_cache=False)
    assert result.pages > 600 and not (corpus / ".sitegen-cache").exists()
    return ref, result


def test_parallel_cached_builds_equal_serial_uncached(corpus: Path, reference: tuple[Path, BuildResult],
                                                     tmp_path: Path) -> None:
    (ref, first), out = reference, tmp_path / "out"

    cold = build(corpus, out, workers=2)  # parallel, filling the cache
    assert sorted((corpus / ".sitegen-cache").glob("docs-*.pickle"))
    assert (cold.pages, cold.files) == (first.pages, first.files)
    assert_same(out, ref, "cold parallel cached build")
    # A build from nothing leaves the next one a spare tree to start from: its output's files,
    # hard-linked (made while it waited for its search index).
    spare = next((corpus / ".sitegen-cache").glob("spare-*"))
    assert_same(spare, ref, "the spare tree a build from nothing leaves")
    page = next((out / "activities").glob("*/index.html")).relative_to(out)
    assert (spare / page).stat().st_ino == (out / page).stat().st_ino

    warm = build(corpus, out, workers=2)  # nothing changed
    assert (warm.pages, warm.files, warm.warnings) == (first.pages, first.files, first.warnings)
    assert warm.rendered == -1  # finished without rendering: the cold build's fingerprint matched
    assert_same(out, ref, "warm build with nothing changed")

    # Edit one record: the warm, cached build equals a cold, uncached one.
    record = sorted((corpus / "content/activities").rglob("*.md"))[3]
    original = record.read_text(encoding="utf-8")
    record.write_text(original.replace('title: "', 'title: "Edited ', 1)
                      .replace("\n## ", "\n## Changed heading\n\nNew paragraph.\n\n## ", 1), encoding="utf-8")
    try:
        edited = build(corpus, out, workers=2)
        ref2 = tmp_path / "ref2"
        build(corpus, ref2, workers=1, use_cache=False)
        assert_same(out, ref2, "warm build after editing one record")
        page = (out / "activities").glob("*/index.html")
        assert any(b"Edited " in p.read_bytes() for p in page)
        assert edited.pages == first.pages
        # (the first build after a cold one starts from links to the live output's files)
        assert edited.rendered <= first.pages - sum(1 for _ in (ref / "activities").glob("*/index.html")) + 1
        # The previous output (now the spare tree in the cache) kept its bytes: nothing was
        # written through the links.
        spare = next((corpus / ".sitegen-cache").glob("spare-*"))
        assert_same(spare, ref, "the previous output after a build that linked to it")
    finally:
        record.write_text(original, encoding="utf-8")

    # Back to the original: the reused older tree is brought up to date too, and its activity
    # pages, unchanged since that tree was written, are not rendered again.
    undone = build(corpus, out, workers=2)
    assert_same(out, ref, "build after undoing the edit")
    activity_pages = sum(1 for _ in (ref / "activities").glob("*/index.html"))
    assert undone.rendered <= first.pages - activity_pages

    # Edit again: only that record's page and the pages that aggregate records are rendered.
    record.write_text(original.replace('title: "', 'title: "Again ', 1), encoding="utf-8")
    try:
        again = build(corpus, out, workers=2)
        ref3 = tmp_path / "ref3"
        build(corpus, ref3, workers=1, use_cache=False)
        assert_same(out, ref3, "second edit")
        assert again.rendered <= first.pages - activity_pages + 2
    finally:
        record.write_text(original, encoding="utf-8")
    build(corpus, out, workers=2)
    assert_same(out, ref, "build after undoing the second edit")

    # A change of a site-wide fact (here the site title) renders every page again.
    site_yaml = corpus / "site.yaml"
    config = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(config.replace("title:", "title: Renamed", 1) if "title:" in config
                         else config + "title: Renamed\n", encoding="utf-8")
    try:
        renamed = build(corpus, out, workers=2)
        ref4 = tmp_path / "ref4"
        build(corpus, ref4, workers=1, use_cache=False)
        assert_same(out, ref4, "site title changed")
        assert renamed.rendered == first.pages
        # The next edit renders its record's page and the aggregate pages only: the spare
        # (the tree before the title change) is brought up to date from the live output's
        # pages, hard-linked, not by rendering every page a second time.
        record.write_text(original.replace('title: "', 'title: "Retitled ', 1), encoding="utf-8")
        after = build(corpus, out, workers=2)
        ref5 = tmp_path / "ref5"
        build(corpus, ref5, workers=1, use_cache=False)
        assert_same(out, ref5, "an edit after the site title changed")
        assert after.rendered <= first.pages - activity_pages + 1
        spare = next((corpus / ".sitegen-cache").glob("spare-*"))
        assert_same(spare, ref4, "the output the pages were linked from")
    finally:
        record.write_text(original, encoding="utf-8")
        site_yaml.write_text(config, encoding="utf-8")
    build(corpus, out, workers=2)
    assert_same(out, ref, "build after undoing the title change")

    # A record moved to another folder, its bytes unchanged: its page links to the new path
    # (the edit link), so it is rendered again although the record's content is the same.
    site_yaml.write_text(config + "repo_url: https://github.com/example/plan\n", encoding="utf-8")
    moved = record.parent.parent / "moved" / record.name
    try:
        build(corpus, out, workers=2)
        # Each build updates the tree of the build before last (the spare): two builds with
        # another record edited leave a spare whose page of this record is as it is now.
        other = sorted((corpus / "content/activities").rglob("*.md"))[5]
        other_text = other.read_text(encoding="utf-8")
        other.write_text(other_text.replace('title: "', 'title: "Other ', 1), encoding="utf-8")
        build(corpus, out, workers=2)
        other.write_text(other_text.replace('title: "', 'title: "Another ', 1), encoding="utf-8")
        build(corpus, out, workers=2)
        other.write_text(other_text, encoding="utf-8")
        moved.parent.mkdir()
        record.rename(moved)
        again = build(corpus, out, workers=2)
        ref5 = tmp_path / "ref5"
        build(corpus, ref5, workers=1, use_cache=False)
        assert_same(out, ref5, "record moved to another folder")
        assert sum(b"/activities/moved/" in p.read_bytes() for p in (out / "activities").glob("*/index.html")) == 1
        assert again.rendered <= first.pages - activity_pages + 2
    finally:
        if moved.exists():
            moved.rename(record)
            moved.parent.rmdir()
        site_yaml.write_text(config, encoding="utf-8")
    build(corpus, out, workers=2)
    assert_same(out, ref, "build after moving the record back")

    # A file changed by hand in the output is put back by the next build.
    page = next((out / "activities").glob("*/index.html"))
    page.write_bytes(b"tampered")
    build(corpus, out, workers=2)
    assert_same(out, ref, "build after the output was edited by hand")

    # The cache is safe to delete.
    import shutil
    shutil.rmtree(corpus / ".sitegen-cache")
    build(corpus, out, workers=2)
    assert_same(out, ref, "build after deleting .sitegen-cache")


def test_cli_build_uses_the_cache_and_matches(corpus: Path, reference: tuple[Path, BuildResult],
                                              tmp_path: Path) -> None:
    (ref, _), out = reference, tmp_path / "out"
    for step in ("first", "second"):
        run = subprocess.run([sys.executable, "-m", "sitegen", "build", str(corpus), "-o", str(out)],
                             cwd=REPO, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        assert_same(out, ref, f"{step} CLI build")


@pytest.mark.skipif(markdown._FastMarkdownIt is None, reason="markdown-it-pyrs not installed")
def test_fast_markdown_engine_gives_the_reference_html(corpus: Path) -> None:
    texts = [split_front_matter(p.read_text(encoding="utf-8"))
             for p in sorted((corpus / "content").rglob("*.md")) + sorted((REPO / "content").rglob("*.md"))]
    bodies = [t[1] for t in texts if not isinstance(t, str)]
    bodies += [
        "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n| x `y` | **z** | ~~s~~ |\n",
        "## Same\n\n## Same\n\n### Same\n\n# Top\n\n## A <b>bold</b> & `co<de>` ![img](x.png)\n",
        "<div>raw</div>\n\n<script>alert(1)</script>\n\nline  \nbreak\\\nx\n\n* a\n\n  * b\n1) c\n",
        "&copy; &#35; &nbsp; <http://auto.link> [ref]\n\n[ref]: http://e.org \"T\"\n",
        "```python\ncode <x>\n```\n\n    indented\n\n***\n___\n\n> ## Quoted *heading*\n",
    ]
    fast = 0
    for body in bodies:
        got = markdown._fast(body)
        if got is not None:
            fast += 1
            assert got == markdown.reference_html(body), body[:200]
    assert fast >= len(bodies) - 5
    # Footnotes and setext headings go to the reference engine.
    assert markdown._fast("A note[^1].\n\n[^1]: Note.\n") is None
    assert markdown._fast("Title\nmore\n---\n") is None


# Markdown made of the pieces that shape markdown-it's HTML (links, images, quotes, entities,
# no-break spaces, tables, code), for comparing the engines and the sanitiser's shortcut.
_PIECES = ["# ", "## ", "- ", "1. ", "> ", "```\n", "`", "*", "_", "**", "~~", "[", "]", "(", ")",
           "!", '"', "'", "&", "&amp;", "&quot;", "&nbsp;", "&#160;", "&#x3c;", "&gt;", "\n", "\n\n",
           "  \n", "|", "\n|-|-|\n", "---", "===", "http://a.b/c", "https://x.y/?a=1&b=2",
           "mailto:q@r", "javascript:x", "//h/p", "/rel", "#frag", "ftp://z", "tel:1", "HTTP://A",
           "data:image/png;base64,AA", " ", "word", "Ünï", "\u00a0", "\t", ":", "=", ">", "\\",
           "%20", "[t](/u \"ti\u00a0tle\")", "![i](/i.png)", "![r](https://e.org/r.png)", "`a`"]


def _generated_texts(n: int, seed: int) -> list[str]:
    import random
    rnd = random.Random(seed)
    return ["".join(rnd.choice(_PIECES) for _ in range(rnd.randint(1, 40))) for _ in range(n)]


@pytest.mark.skipif(markdown._FastMarkdownIt is None, reason="markdown-it-pyrs not installed")
def test_sanitiser_shortcut_gives_the_sanitiser_html(corpus: Path) -> None:
    texts = [split_front_matter(p.read_text(encoding="utf-8"))
             for p in sorted((corpus / "content").rglob("*.md")) + sorted((REPO / "content").rglob("*.md"))]
    records = [t[1] for t in texts if not isinstance(t, str)]
    shortcut = 0
    for i, body in enumerate(records + _generated_texts(4000, 7)):
        html = markdown._fast(body)
        if html is None or "<" in body:
            continue
        html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
        clean = markdown._clean_generated(html)
        if clean is not None:
            shortcut += i < len(records)
            assert clean == markdown.sanitise(html), body
    assert shortcut > 0.9 * len(records)  # the records of a plan take the shortcut
    # What the shortcut must leave to nh3: odd link schemes, remote images, foreign attributes.
    for text in ("[f](ftp://x)", "[c](foo:bar)", "![r](https://e.org/r.png)", "![r](//e.org/r.png)"):
        assert markdown._clean_generated(markdown._fast(text)) is None, text
    assert markdown._clean_generated('<p onclick="x">a</p>') is None
    assert markdown._clean_generated("<p><a href=x>y</a></p>") is None  # unquoted
    assert markdown._clean_generated('<p><a href="javascript&colon;x">y</a></p>') is None
    assert markdown._clean_generated("<div>a</div>") is None


def test_texts_that_crash_the_fast_engine_render_with_the_reference() -> None:
    """markdown-it-pyrs 0.4 panics on an unclosed backtick in a link label."""
    for text in ("[`", "[a`]", "![`", "[x`](u)", "[``", "| [`a |\n|-|\n"):
        assert markdown._fast(text) is None
        html = markdown.render(text)
        assert html == markdown.sanitise(markdown.reference_html(text)), text


# -- the YAML shortcut for simple front matter --------------------------------------------
def _yaml_shape(value: object) -> object:
    """Value, type, key positions and raw texts of loaded YAML, for exact comparison."""
    from sitegen import yamlload
    if isinstance(value, yamlload.YDict):
        return ("map", value.line, value.column,
                [(_yaml_shape(k), _yaml_shape(v), value.marks[k], value.raw[k]) for k, v in value.items()])
    if isinstance(value, yamlload.YList):
        return ("seq", value.line, value.column,
                [(_yaml_shape(v), m, r) for v, m, r in zip(value, value.marks, value.raw)])
    return (type(value).__name__, repr(value))


_YAML_PIECES = ["a", "b:", " ", "  ", "- ", "\n", ":", "#", '"', "'", "yes", "No", "null", "~", "1",
                "1.5", "0x1F", "1_000", "2024-02-30", "-", "[", "]", "{", "}", "&a", "*a", "!x", "|",
                ">", "é", "\x85", "\u2028", "\t", "title", ",", ".", "/", "(", ")", "+", "_", "on",
                "Off", "true", ".inf", "12:30", "- x", "  - y", "\\", "%", "@", "`", "<<", "Foo bar",
                '"q s"', "'s q'", "2.5", "a-b", "(c)", "0o7", "+1", "Zürich", "=", "?", "---"]


def test_simple_front_matter_shortcut_reads_what_the_yaml_parser_reads(corpus: Path) -> None:
    import random

    from sitegen import yamlload

    def full(text: str, offset: int) -> object:
        try:
            loader = yamlload._Loader(text)
            loader.line_offset = offset
            try:
                return _yaml_shape(yamlload._construct_plain(loader, loader.get_single_node())), loader.problems
            finally:
                loader.dispose()
        except Exception as exc:  # noqa: BLE001 - any failure differs from a shortcut result
            return repr(exc)

    def front_matter(paths: list[Path]) -> list[str]:
        splits = [split_front_matter(path.read_text(encoding="utf-8")) for path in paths]
        return [split[0] for split in splits if not isinstance(split, str)]

    texts = front_matter(sorted((corpus / "content").rglob("*.md")))
    generated = len(texts)
    # The example writes lists and mappings in flow style ([a, b], {k: v}): the parser's.
    texts += front_matter(sorted((REPO / "content").rglob("*.md")))
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "content").rglob("*.yaml"))]
    records = len(texts)
    rnd = random.Random(5)
    for _ in range(30000):  # edits of real front matter: a piece added, removed or replaced
        lines = rnd.choice(texts[:records]).split("\n")
        for _ in range(rnd.randint(1, 3)):
            k, piece = rnd.randrange(len(lines)), rnd.choice(_YAML_PIECES)
            op = rnd.random()
            if op < 0.4:
                pos = rnd.randint(0, len(lines[k]))
                lines[k] = lines[k][:pos] + piece + lines[k][pos:]
            elif op < 0.6 and lines[k]:
                pos = rnd.randrange(len(lines[k]))
                lines[k] = lines[k][:pos] + lines[k][pos + 1:]
            else:
                lines[k] = rnd.choice(["x: ", "- ", "  - ", "", piece + ": "]) + piece
        texts.append("\n".join(lines))
    taken = [0, 0]
    for i, text in enumerate(texts):
        offset = i % 2
        try:
            simple = yamlload._load_simple(text, offset + 1)
        except yamlload._Unusual:
            simple = None
        if simple is None:
            continue
        taken[i >= records] += i >= records or i < generated
        assert (_yaml_shape(simple), []) == full(text, offset), text
        assert yamlload.load(text, offset)[0] is not None
    assert taken[0] > 0.9 * generated  # generated records take the shortcut
    assert taken[1] > 1000  # and so do many edited ones
    # What the shortcut leaves to the parser: comments, flow style, duplicates, booleans as
    # keys, escapes, anchors, block scalars, `key:` with nothing after it, odd line breaks.
    for text in ("a: 1 # c\n", "a: [1, 2]\n", "a: 1\na: 2\n", "yes: 1\n", 'a: "\\n"\n', "a: &x 1\n",
                 "a: |\n  t\n", "a:\nb: 1\n", "a: b\u2028c\n", "a: b: c\n", "a:\n  - 1\n - 2\n"):
        assert yamlload._load_simple(text, 1) is None, text


def test_list_items_are_the_macro_for_each_root(corpus: Path) -> None:
    """List items are rendered once per record and root, by the site's macro or the theme's,
    and are what the macro writes for that record and root."""
    from sitegen.countries import COUNTRIES
    from sitegen.errors import Problems
    from sitegen.loader import load_site
    from sitegen.render import Renderer

    site = load_site(corpus, Problems())
    assert site is not None
    renderer = Renderer(site, corpus)
    records = list(site.activities[:50]) + _hostile_records(site, site.plan.areas[0].id)
    for act in records:
        for root in ("../../", "", "../", "../../"):
            want = str(renderer.memo.macros.activity_item(act, root, renderer.area_title, COUNTRIES))
            assert str(renderer.memo.activity_item(act, root, renderer.area_title, COUNTRIES)) == want
    hostile = str(renderer.memo.activity_item(records[-4], "../", renderer.area_title, COUNTRIES))
    assert 'T &lt;b&gt;&amp;amp; &#34;x&#34; &#39;y&#39;' in hostile and "work&lt;shop&gt;" in hostile
    assert "<b>" not in hostile


def _hostile_records(site: Any, first_area: str) -> list[Any]:
    """Records that take every branch of the theme's activity page and list item, with
    markup characters in every text field."""
    import dataclasses
    import datetime as dt

    from sitegen import model as m

    a = site.activities[0]
    day = dt.timedelta(days=1)
    nasty = 'T <b>&amp; "x" \'y\''
    areas = tuple(x.id for x in site.plan.areas)
    records = [
        dataclasses.replace(a, title=nasty, type="work<shop>", status="in-progress", areas=(first_area,),
                            countries=("AT", "DE"), country="FR", city="Graz & <Linz>",
                            partners=("A&B", "<C>"), tags=("t'1", 't"2'), body="x < y & *z*\n",
                            outputs=(m.Output("Report <1>", "https://e.org/?a=1&b=2"), m.Output("Slides", "")),
                            participants=m.Participants(1234, 600, 634), contributes=(("i-1", 2.5), ("i<2>", 3.0))),
        dataclasses.replace(a, type="", planned_start=a.start - 3 * day, countries=(), country="", city="",
                            end=a.start, participants=m.Participants(7, None, 3), partners=(), tags=(),
                            outputs=(), contributes=(), body="", areas=areas[:3]),
        dataclasses.replace(a, planned_start=None, planned_end=a.start + 9 * day, end=a.start + 2 * day,
                            city="", country="DE", participants=m.Participants(0, 5, None)),
        dataclasses.replace(a, planned_start=a.start, planned_end=a.start, end=None, city="Only city",
                            country="", participants=None, status="cancelled"),
    ]
    return [dataclasses.replace(r, id=f"zz-{k}") for k, r in enumerate(records)]


def test_activity_pages_escape_every_field_and_name_a_bad_template(corpus: Path) -> None:
    import dataclasses

    from sitegen.errors import Problems
    from sitegen.loader import load_site
    from sitegen.page_list import _activity_job
    from sitegen.render import Renderer, TemplateError

    site = load_site(corpus, Problems())
    assert site is not None
    hostile = _hostile_records(site, site.plan.areas[0].id)
    shown = dataclasses.replace(site, activities=site.activities + tuple(hostile))
    renderer = Renderer(shown, corpus)
    html = renderer.render(_activity_job(hostile[0].id))[0][1].decode()
    for raw in ("<b>", "<shop>", "<Linz>", "<C>", "<1>", "<2>"):
        assert raw not in html
    for shown_text in ("T &lt;b&gt;&amp;amp;", "Graz &amp; &lt;Linz&gt;",
                       # (partners link their pages: partners/<slug>/, taxonomy.slug)
                       'A&amp;B</a>, <a href="../../partners/c/">&lt;C&gt;</a>',
                       "1,234 (600 women, 634 men)", "https://e.org/?a=1&amp;b=2", "x &lt; y &amp; <em>z</em>"):
        assert shown_text in html, shown_text
    html = renderer.render(_activity_job(hostile[1].id))[0][1].decode()
    assert "7 (3 men)" in html and "Originally planned" in html and ">Areas: </dt>" in html
    # An unknown country: the theme's template error, not a traceback.
    odd = dataclasses.replace(site, activities=(dataclasses.replace(site.activities[0], country="QQ"),))
    with pytest.raises(TemplateError, match="activity.html"):
        Renderer(odd, corpus).render(_activity_job(odd.activities[0].id))


def test_sites_with_their_own_page_templates_get_them(tmp_path: Path) -> None:
    from sitegen.errors import Problems
    from sitegen.loader import load_site
    from sitegen.page_list import _activity_job
    from sitegen.render import Renderer

    theme = REPO / "sitegen" / "theme" / "templates"
    for name in ("base.html", "activity.html", "macros.html"):
        site_dir = tmp_path / name
        write_corpus(3, site_dir)
        (site_dir / "templates").mkdir()
        (site_dir / "templates" / name).write_text(
            (theme / name).read_text().replace("</h1>", "</h1><!--own-->").replace("<footer", "<!--own--><footer")
            .replace("{{ word|status }}</span>", "{{ word|status }}</span><!--own-->"))
        site = load_site(site_dir, Problems())
        assert site is not None
        renderer = Renderer(site, site_dir)
        html = renderer.render(_activity_job(site.activities[0].id))[0][1]
        assert b"<!--own-->" in html, name
    # The footer hook is rendered with the context an include gets.
    site_dir = tmp_path / "footer"
    write_corpus(3, site_dir)
    (site_dir / "templates").mkdir()
    (site_dir / "templates" / "site_footer.html").write_text(
        '<p>{{ act.title }} {{ url }} {{ root }} {{ status("done") }} {{ title }}</p>\n')
    site = load_site(site_dir, Problems())
    assert site is not None
    renderer = Renderer(site, site_dir)
    for act in site.activities:
        html = renderer.render(_activity_job(act.id))
        assert f"activities/{act.id}/ ../../ <span".encode() in html[0][1]


def test_page_keys_with_a_site_footer(tmp_path: Path) -> None:
    """A footer naming only site-wide facts keeps activity pages' keys per record; one that
    reaches other records (through `site`) makes every record part of every key."""
    site = write_corpus(12, tmp_path / "site")
    (site / "templates").mkdir()
    footer = site / "templates/site_footer.html"
    records = sorted((site / "content/activities").rglob("*.md"))
    out = tmp_path / "out"
    for text, every in (('<p>{{ config.title }}{% if act is defined %}: {{ act.title }}{% endif %}</p>\n', False),
                        ("<p>{{ site.activities[0].title }}</p>\n", True)):
        footer.write_text(text, encoding="utf-8")
        first = build(site, out, workers=1)
        pages = sum(1 for _ in (out / "activities").glob("*/index.html"))
        for n, record in enumerate(records[:2]):  # (the second edit starts from the spare)
            original = record.read_text(encoding="utf-8")
            record.write_text(original.replace('title: "', f'title: "Edited {n} ', 1), encoding="utf-8")
            edited = build(site, out, workers=1)
            ref = tmp_path / f"ref-{every}-{n}"
            build(site, ref, workers=1, use_cache=False)
            assert_same(out, ref, f"edit {n} with footer {text!r}")
            if every:
                assert edited.rendered == first.pages
            else:
                assert edited.rendered <= first.pages - pages + 1


def test_data_file_pieces_are_reused_while_their_page_key_holds(tmp_path: Path) -> None:
    """A build without workers takes each activity's piece of activities.json, activities.csv
    and activities-index.json from the last build while the activity's page key holds (its record
    and the site-wide facts); a changed record, area title or base URL gives new pieces."""
    from sitegen.record_memo import texts_store
    site = write_corpus(30, tmp_path / "site")
    out = tmp_path / "out"
    build(site, out, workers=1)
    pieces = texts_store(site / ".sitegen-cache").load()
    data_kinds = {kind for _, kind in pieces if not kind.startswith("item ")}
    assert sorted(data_kinds) == ["csv", "index", "json"]
    assert sum(1 for _, kind in pieces if kind in data_kinds) == 90
    # and the list items, once per record and page depth (the list pages, areas, countries)
    assert {kind for _, kind in pieces} - data_kinds == {"item ", "item ../", "item ../../"}

    # A probe: every activities.json piece altered in the (signed) cache. The next build, after
    # one record is edited, takes the 29 others from the cache and makes the edited one anew.
    texts_store(site / ".sitegen-cache").save({k: v.replace('"title": "', '"title": "PROBE ', 1) if k[1] == "json"
                                               else v for k, v in pieces.items()})
    records = sorted((site / "content/activities").rglob("*.md"))
    original = records[2].read_text(encoding="utf-8")
    records[2].write_text(original.replace('title: "', 'title: "Edited ', 1), encoding="utf-8")
    build(site, out, workers=1)
    listed = (out / "data/activities.json").read_text(encoding="utf-8")
    assert listed.count('"title": "PROBE ') == 29 and '"title": "Edited ' in listed
    # A body edit keeps activities.json (its key is the records' fields) and renders no piece;
    # the pieces still current stay in the cache for the next build that needs them.
    body_edited = records[3].read_text(encoding="utf-8")
    records[3].write_text(body_edited + "\nOne more line.\n", encoding="utf-8")
    assert build(site, out, workers=1).rendered == 1
    field_edited = records[5].read_text(encoding="utf-8")
    records[5].write_text(field_edited.replace('title: "', 'title: "Field ', 1), encoding="utf-8")
    build(site, out, workers=1)
    listed = (out / "data/activities.json").read_text(encoding="utf-8")
    assert listed.count('"title": "PROBE ') == 27 and '"title": "Field ' in listed
    records[3].write_text(body_edited, encoding="utf-8")
    records[5].write_text(field_edited, encoding="utf-8")

    # Each change below gives the pieces it touches anew: the output equals an uncached build.
    plan, config = site / "content/plan.yaml", site / "site.yaml"
    steps = [
        ("the probed records edited", None, None, None, None),
        ("an area renamed", plan, "title: Firearms", "title: Small arms", None),
        ("another base URL", config, "https://example.org/progress/", "https://example.net/plan/",
         ("https://example.net/plan/activities/", ("activities.json", "activities.csv"))),
        ("a record's participants", records[7], "participants: ", "participants: 1", None),
    ]
    for step, path, before, after, expect in steps:
        if path is None:
            for record in records:
                text = record.read_text(encoding="utf-8")
                # (a field: a body edit alone keeps activities.json, whose key is the records'
                # fields, as the probed build wrote it)
                record.write_text(text.replace('title: "', 'title: "Again ', 1), encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
            assert before in text
            path.write_text(text.replace(before, after, 1), encoding="utf-8")
        build(site, out, workers=1)
        ref = tmp_path / f"ref-{len(step)}"
        build(site, ref, workers=1, use_cache=False)
        assert_same(out, ref, step)
        if expect:
            for name in expect[1]:
                assert expect[0] in (out / "data" / name).read_text(encoding="utf-8"), (step, name)


def test_a_build_with_workers_keeps_the_pieces_a_build_in_one_process_keeps(tmp_path: Path) -> None:
    """With workers (which render the activity pages), the build's own process renders the
    other pages and the data files and keeps their pieces (list items, round lines, pieces
    of the data files): the build after a build from nothing takes them all, as it does
    after a build in one process."""
    import shutil

    from sitegen.record_memo import texts_store
    site = write_corpus(400, tmp_path / "site")
    (site / "content/reports").mkdir()
    for name, start, end in (("year-1", "2017-05-17", "2018-05-16"), ("year-2", "2018-05-17", "2019-05-16")):
        (site / f"content/reports/{name}.yaml").write_text(f"title: {name}\nstart: {start}\nend: {end}\n",
                                                           encoding="utf-8")
    other = tmp_path / "other"
    shutil.copytree(site, other)
    with_workers = build(site, tmp_path / "out", workers=2)
    build(other, tmp_path / "out-serial", workers=1)
    parallel = texts_store(site / ".sitegen-cache").load()
    serial = texts_store(other / ".sitegen-cache").load()
    assert with_workers.rendered == with_workers.pages
    assert parallel == serial
    kinds = {kind.split(" ")[0] for _, kind in parallel}
    assert kinds == {"csv", "index", "json", "item", "row"}, kinds
    assert sum(1 for _, kind in parallel if kind == "json") == 400
    assert_same(tmp_path / "out", tmp_path / "out-serial", "workers / one process")


def test_a_body_edit_renders_the_record_s_page_and_the_feed_only(tmp_path: Path) -> None:
    """Lists, areas, rounds and data files show a record's fields, not its Markdown body: a
    cached build after a body edit renders that record's page (and the outputs that show
    bodies: the feed), keeps every other page, and equals an uncached build; a field edit
    still renders the pages that show the field."""
    site = write_corpus(30, tmp_path / "site")
    out = tmp_path / "out"
    first = build(site, out, workers=1)
    record = sorted((site / "content/activities").rglob("*.md"))[4]
    original = record.read_text(encoding="utf-8")
    parts = split_front_matter(original)
    assert isinstance(parts, tuple) and original.endswith(parts[1])
    head = original[:len(original) - len(parts[1])]
    areas = (out / "areas/index.html").stat().st_ino
    record.write_text(head + "Fresh opening words of this report.\n\n" + parts[1], encoding="utf-8")
    edited = build(site, out, workers=1)
    assert edited.rendered == 1  # its page; feed.xml is not a page
    assert (out / "areas/index.html").stat().st_ino == areas  # kept: linked from the last output
    ref = tmp_path / "ref"
    build(site, ref, workers=1, use_cache=False)
    assert_same(out, ref, "a body edit")
    assert b"Fresh opening words" in (out / "feed.xml").read_bytes()

    record.write_text(original.replace('title: "', 'title: "Renamed ', 1), encoding="utf-8")
    renamed = build(site, out, workers=1)
    assert renamed.rendered > 1
    ref2 = tmp_path / "ref2"
    build(site, ref2, workers=1, use_cache=False)
    assert_same(out, ref2, "a title edit after a body edit")
    assert b"Renamed " in (out / "activities/index.html").read_bytes()
    assert first.pages == renamed.pages


def test_a_status_edit_renders_the_term_page_that_lists_the_record(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A term's pages after the first show the records they list and the term's count and
    dates: a status edit renders the term's first page (its chart counts every status) and
    the page that lists the record, and keeps the term's other pages."""
    import re

    from sitegen.render import Job, Renderer
    site = write_corpus(60, tmp_path / "site")
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "activities_per_page: 4\n", encoding="utf-8")
    out = tmp_path / "out"
    build(site, out, workers=1)
    pages = sorted((out / "types").glob("*/page/*/index.html"))
    assert len(pages) > 4
    # a record listed on page 3 of its type's pages
    page3 = next(p for p in pages if p.parent.name == "3")
    listed = re.findall(r'href="\.\./\.\./\.\./\.\./activities/([^/]+)/"', page3.read_text(encoding="utf-8"))
    record = next((site / "content/activities").rglob(f"{listed[0]}.md"))  # (its id: its file's name)
    text = record.read_text(encoding="utf-8")
    now = re.search(r"^status: *(\S+)", text, re.M)
    assert now is not None
    folder = page3.parent.parent.parent.relative_to(out).as_posix()
    status = "cancelled" if now.group(1) != "cancelled" else "planned"
    record.write_text(text.replace(now.group(0), f"status: {status}", 1), encoding="utf-8")
    rendered: list[str] = []
    render = Renderer.render

    def noting(self: Renderer, job: Job) -> list[tuple[str, bytes]]:
        rendered.append(job.path)
        return render(self, job)

    monkeypatch.setattr(Renderer, "render", noting)
    build(site, out, workers=1)
    monkeypatch.undo()
    ref = tmp_path / "ref"
    build(site, ref, workers=1, use_cache=False)
    assert_same(out, ref, "a status edit")
    assert sorted(p for p in rendered if p.startswith(folder + "/")) == [
        f"{folder}/index.html", f"{folder}/page/3/index.html"]


def test_only_activity_pages_and_body_kinds_show_bodies(tmp_path: Path) -> None:
    """What the keys of a cached build assume (keys.py): every output but an activity's
    page and the outputs of BODY_KINDS (and the search index made of the pages) is the
    same whatever the records' Markdown bodies and their translations' bodies say."""
    import re

    from sitegen.content import split_front_matter
    from sitegen.page_list import BODY_KINDS
    from tests.sitekit import example_in
    site = example_in(tmp_path, "[en, fr]")
    records = sorted((site / "content/activities").rglob("*.md"))
    first = next(p for p in records if p.stem.count(".") == 0)
    first.with_name(f"{first.stem}.fr.md").write_text('---\ntitle: "Atelier"\n---\n\nUn texte.\n', encoding="utf-8")
    before = tmp_path / "before"
    build(site, before, workers=1, use_cache=False)
    for record in sorted((site / "content/activities").rglob("*.md")):
        text = record.read_text(encoding="utf-8")
        parts = split_front_matter(text)
        assert isinstance(parts, tuple) and text.endswith(parts[1]), record
        head, body = text[:len(text) - len(parts[1])], parts[1]
        record.write_text(head + "A new **opening** line.\n\n" + body.replace("e", "é"), encoding="utf-8")
    after = tmp_path / "after"
    build(site, after, workers=1, use_cache=False)
    a, b = ({rel: data for rel, data in tree(out).items() if not rel.startswith("pagefind/")}
            for out in (before, after))  # (the index's file names are digests of their bytes)
    assert sorted(a) == sorted(b)
    differ = {rel for rel in a if a[rel] != b[rel]}
    body_outputs = {"feed.xml", "fr/feed.xml", "data/iati-activities.xml"}
    assert BODY_KINDS == {"feed", "iati"}  # (their outputs, above)
    shown = {rel for rel in differ if re.fullmatch(r"(fr/)?activities/[^/]+/index\.html", rel)
             or rel in body_outputs}
    assert differ - shown == set()
    assert any(rel.startswith("activities/") for rel in differ) and "feed.xml" in differ


def _double(state: int, task: list[int]) -> list[int]:
    return [state * i for i in task]


def test_workers_skip_the_tasks_the_parent_did_meanwhile_and_return() -> None:
    """The build's own process renders some outputs a worker could (build.EITHER_KINDS):
    a task it did meanwhile is not given to a worker, and when every task left is one
    of those, the pool returns instead of waiting for a result that never comes."""
    import threading

    from sitegen.workers import Workers
    done: list[int] = []
    mine = [5, 4, 3]  # the parent takes these from the end, as build.py does
    taken: set[int] = set()

    def claim(task: list[int]) -> bool:
        if task[0] in taken:
            return False
        taken.add(task[0])
        return True

    def own() -> bool:
        while mine:
            i = mine.pop()
            if claim([i]):
                done.append(2 * i)
                break
        return bool(mine)

    def run() -> None:
        with Workers(_double, 2, 1) as pool:
            pool.run([[1], [2], [3], [4], [5]], done.extend, own, claim)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the pool waited for tasks it had refused"
    assert sorted(done) == [2, 4, 6, 8, 10]  # each task done once, by a worker or the parent


class _Counted:
    """A workers' state that counts how often the parent pickles it."""

    pickled = 0

    def __init__(self, factor: int):
        self.factor = factor

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        _Counted.pickled += 1
        return (_Counted, (self.factor,))


def _times(state: _Counted, task: list[int]) -> list[tuple[int, int]]:
    return [(i, state.factor * i) for i in task]


def test_spawned_workers_are_sent_a_state_pickled_once() -> None:
    """multiprocessing pickles a spawned process's arguments for each process: the rendering
    state of a 10,000-activity site took the parent 0.2 s per worker (8 workers on a Mac:
    1.6 s before any page). The pool pickles it once; each worker gets the same bytes, and
    one started after (to replace a worker that died) gets the state as it is then."""
    from sitegen.workers import Workers
    _Counted.pickled = 0
    got: list[tuple[int, int]] = []
    with Workers(_times, _Counted(3), 3, method="spawn") as pool:
        assert _Counted.pickled == 1
        pool.run([[1, 2], [3], [4], [5, 6]], got.extend)
        assert sorted(got) == [(i, 3 * i) for i in range(1, 7)]
        pool.state = _Counted(5)
        pool.idle.append(pool._fork())  # (as when a worker died)
        assert _Counted.pickled == 2
        got.clear()
        pool.run([[i] for i in range(1, 9)], got.extend)
    assert sorted(i for i, _ in got) == list(range(1, 9))
    assert all(value in (3 * i, 5 * i) for i, value in got)


def test_check_renders_in_workers_keeps_nothing_and_names_a_template_error(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` parses and renders as a build without a cache does (in workers, from 300
    pages), writes nothing, and says what a check in one process says."""
    import shutil

    from sitegen import workers
    from sitegen.build import check

    site = tmp_path / "site"
    shutil.copytree(corpus, site, ignore=shutil.ignore_patterns(".sitegen-cache", "output"))
    started: list[int] = []

    class Counted(workers.Workers):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started.append(1)
            super().__init__(*args, **kwargs)
    monkeypatch.setattr(workers, "Workers", Counted)
    site_one, one = check(site, workers=1)
    assert not started
    site_two, two = check(site, workers=2)
    assert len(started) == 2  # (one pool parses the files, one renders the pages)
    assert site_one is not None and site_two is not None and one == two
    assert sorted(p.name for p in site.iterdir()) == ["content", "site.yaml"]  # nothing written
    # A template error that only one record's page meets, late in the job list: named, in
    # workers as in one process.
    victim = sorted(site_one.activities, key=lambda a: a.id)[-3].id
    theme = (REPO / "sitegen/theme/templates/activity.html").read_text(encoding="utf-8")
    lines = theme.splitlines(keepends=True)
    lines.insert(5, f'{{% if act.id == "{victim}" %}}{{{{ 1 // 0 }}}}{{% endif %}}\n')
    (site / "templates").mkdir()
    (site / "templates/activity.html").write_text("".join(lines), encoding="utf-8")
    for n in (1, 2):
        _, found = check(site, workers=n)
        assert [(p.path, p.line, p.message) for p in found if p.severity == "error"] == [
            ("templates/activity.html", 6, "ZeroDivisionError: integer division or modulo by zero")]
