"""A multilingual site in Chromium: every language's pages are clean (charts drawn, no
axe-core violation, no console error, nothing fetched from another host), Arabic pages
lay out right to left without horizontal overflow at phone and desktop widths, and the
charts speak the page's language (month names from CLDR).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import build
from sitegen.i18n import words_for
from tests import browser_support as bs
from tests.sitekit import example_in
from tests.test_charts_read import OUTSIDE

BASE = "/progress/"
PAGES = ["", "areas/", "areas/firearms/", "indicators/fa-events/", "timeline/", "countries/", "countries/md/",
         "activities/", "reports/2019/", "pages/about/"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("languages-browser")
    site = example_in(root, "[en, fr, ru, ar]")
    out = root / "out"
    build(site, out, use_cache=False)
    first = sorted(p.parent.name for p in (out / "activities").glob("*/index.html"))[0]
    PAGES.append(f"activities/{first}/")
    return out


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    with bs.serve_directory(built, BASE) as url:
        yield url


@pytest.mark.parametrize("lang", ["fr", "ru", "ar"])
def test_every_language_is_clean_in_chromium(lang: str, built: Path, served: str, browser: Any) -> None:
    for path in PAGES:
        assert (built / lang / path / "index.html").is_file(), path
        with bs.open_page(browser, f"{served}{lang}/{path}") as session:
            assert session.status == 200, path
            total, drawn = bs.plotly_charts_drawn(session.page)
            assert drawn == total, f"{lang}/{path}: {drawn}/{total} charts drawn"
            violations = bs.run_axe(session.page)
            assert not violations, f"{lang}/{path}:\n{bs.format_violations(violations)}"
            assert session.console_errors == [], (lang, path)
            assert session.external_requests == [], (lang, path)
            assert all(status < 400 for status in session.responses.values()), session.responses


@pytest.mark.parametrize("width", [390, 1280])
def test_arabic_pages_are_right_to_left_without_horizontal_overflow(width: int, served: str, browser: Any) -> None:
    for path in PAGES:
        with bs.open_page(browser, f"{served}ar/{path}", viewport={"width": width, "height": 900}) as session:
            page = session.page
            assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"ar/{path} at {width} px: {overflow} px wider than the window"
            outside = page.evaluate(OUTSIDE)
            assert not outside, f"ar/{path} at {width} px: chart text outside its chart: {outside[:5]}"
            # the header's menu starts at the right edge (on a phone, once its button opened it)
            if page.locator(".menu-toggle").is_visible():
                page.locator(".menu-toggle").click()
            box = page.locator(".site-header nav li").first.bounding_box()
            assert box is not None and box["x"] + box["width"] > width / 2, f"ar/{path}: menu starts at the left"


def test_charts_speak_the_pages_language(served: str, browser: Any) -> None:
    """Plotly draws with the page's locale (CLDR month names, separators) and no toolbar."""
    with bs.open_page(browser, f"{served}fr/indicators/fa-events/") as session:
        page = session.page
        locales = page.evaluate("() => Array.from(document.querySelectorAll('.plot')).map(p => p._context.locale)")
        assert locales and set(locales) == {"fr"}
        # (Plotly takes the separators from the registered locale: CLDR's "," and narrow no-break space)
        separators = page.evaluate("() => document.querySelector('.plot')._fullLayout.separators")
        assert separators == ",\u202f"
        assert page.locator(".modebar-btn").count() == 0
    with bs.open_page(browser, f"{served}areas/firearms/") as session:
        page = session.page
        assert page.evaluate("() => document.querySelector('.plot')._fullLayout.separators") == ".,"


@pytest.mark.parametrize("width", [390, 1280])
def test_no_chart_hides_a_tick_label_in_any_language(width: int, served: str, browser: Any) -> None:
    """Plotly hides a tick label that would cross the figure's edge: in French and Russian
    the progress chart lost its "100 %" (wider than "100%"), so the axis seemed to end at 80."""
    hidden = []
    for lang in ("", "fr/", "ru/", "ar/"):
        for path in ("", "reports/2019/"):
            with bs.open_page(browser, f"{served}{lang}{path}", viewport={"width": width, "height": 900}) as session:
                page = session.page
                page.wait_for_function("() => document.querySelectorAll('.plot .xtick').length > 0")
                hidden += [f"{lang}{path}: {text}" for text in page.evaluate("""() =>
                    [...document.querySelectorAll('.plot .xtick text, .plot .ytick text')]
                        .filter(t => t.getAttribute('display') === 'none' || getComputedStyle(t).display === 'none')
                        .map(t => t.textContent)""")]
    assert hidden == []


def test_the_status_charts_words_stand_apart_in_every_language(served: str, browser: Any, tmp_path: Path) -> None:
    """Plotly slants a category axis's labels only once two overlap: long status words side
    by side, 2 px apart on a German dashboard ("abgeschlossen verschoben"), read as one.
    Upright, neighbours stand 6 px apart or more; else they are slanted."""
    gaps = """() => [...document.querySelectorAll("figure[id$='-status'] .plot")].map(plot => {
        const boxes = [...plot.querySelectorAll('.xtick text')].map(t => t.getBoundingClientRect())
            .sort((a, b) => a.left - b.left);
        return [plot._fullLayout.xaxis._tickAngles ? Object.values(plot._fullLayout.xaxis._tickAngles)[0] || 0 : 0,
                Math.min(...boxes.slice(1).map((box, i) => box.left - boxes[i].right))]; })"""
    german = tmp_path / "de"
    build(example_in(tmp_path, "[de]"), german, use_cache=False)
    with bs.serve_directory(german, BASE) as url:
        for base, lang in ((served, ""), (served, "fr/"), (served, "ru/"), (served, "ar/"), (url, "")):
            with bs.open_page(browser, f"{base}{lang}", viewport={"width": 1280, "height": 900}) as session:
                bs.plotly_charts_drawn(session.page)
                found = session.page.evaluate(gaps)
            assert found and all(angle or gap >= 6 for angle, gap in found), (base, lang, found)


# The " · " and "›" that begin a line (at its start edge: the left, or the right on a
# right-to-left page), by the text around them.
LINE_STARTS = """() => {
    const rtl = document.documentElement.dir === 'rtl', found = [];
    const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const block = node.parentElement.closest('p, li, dd, td, th, div');
        if (!block || !node.parentElement.offsetParent) { continue; }
        const edge = block.getBoundingClientRect(), style = getComputedStyle(block);
        const start = rtl ? edge.right - parseFloat(style.paddingRight) : edge.left + parseFloat(style.paddingLeft);
        for (let i = node.data.indexOf('\u00b7'); i >= 0; i = node.data.indexOf('\u00b7', i + 1)) {
            const range = document.createRange();
            range.setStart(node, i); range.setEnd(node, i + 1);
            const r = range.getBoundingClientRect();
            if (r.width && Math.abs((rtl ? r.right : r.left) - start) < 12) { found.push(block.textContent.trim().slice(0, 60)); }
        }
    }
    const crumbs = [...document.querySelectorAll('.crumbs li')], first = crumbs[0];
    crumbs.slice(1).forEach(li => {
        const at = (rtl ? li.getBoundingClientRect().right : li.getBoundingClientRect().left);
        const line = rtl ? first.getBoundingClientRect().right : first.getBoundingClientRect().left;
        if (Math.abs(at - line) < 2 && getComputedStyle(li, '::before').content !== 'none') { found.push('crumb ' + li.textContent); }
    });
    return found; }"""


def test_no_line_begins_with_a_separator_on_a_phone(served: str, browser: Any) -> None:
    """A list item's " · " after its status pill began the next line (Chromium breaks after
    an inline-block even before a no-break space: 23 items on the Russian list); so did the
    second line of an embed page's source ("· Data as of ...", a plain space before it) and
    a breadcrumb that wrapped ("› Results framework: Border security")."""
    pages = ["activities/", "ru/activities/", "ar/activities/", "fr/activities/",
             "embed/area-border-security-bs-officers-trained/", "areas/border-security/results/",
             "ru/areas/border-security/results/", "ar/areas/border-security/results/"]
    found = {}
    for path in pages:
        with bs.open_page(browser, f"{served}{path}", viewport={"width": 390, "height": 900}) as session:
            assert session.status == 200, path
            found[path] = session.page.evaluate(LINE_STARTS)
    assert not any(found.values()), {k: v[:3] for k, v in found.items() if v}


# Each list item as a reader meets it: its link, the text of its facts, its status pills, and
# the language marks (lang, dir) of its title and of each area's name.
ITEMS = """lis => lis.map(li => {
    const a = li.querySelector('a'), marks = el => [el.getAttribute('lang'), el.getAttribute('dir')];
    return [a.getAttribute('href').replace(/index\\.html$/, ''),
            li.querySelector('.meta').textContent.split(/\\s+/).join(' ').trim(),
            li.querySelectorAll('.meta .status').length, marks(a), [...li.querySelectorAll('.meta bdi')].map(marks)];
})"""


@pytest.mark.parametrize("lang", ["", "fr/", "ru/", "ar/"])
def test_the_filters_write_items_as_the_page_does(lang: str, built: Path, served: str, browser: Any) -> None:
    """The items filter.js writes from data/activities-index.json (a paginated list) read as
    the items the build wrote: the same dates ("6 déc. 2019", "6 дек. 2019 г.",
    "6 ديسمبر 2019", not ISO dates), type, status pill, "rescheduled from ...", areas and
    countries, and the same language marks on a title or an area's name the page's language
    lacks (an English title on a French page: lang="en", as WCAG's language of parts asks)."""
    folder = built / lang / "activities"
    html = (folder / "index.html").read_text(encoding="utf-8")
    with bs.open_page(browser, f"{served}{lang}activities/") as session:
        written = {item[0]: item for item in session.page.locator("#activity-list li").evaluate_all(ITEMS)}
    assert len(written) > 20
    (folder / "paginated.html").write_text(html.replace('data-paginated="no"', 'data-paginated="yes"'), encoding="utf-8")
    with bs.open_page(browser, f"{served}{lang}activities/paginated.html?status=completed") as session:
        page = session.page
        page.wait_for_function("() => document.querySelectorAll('#activity-list time').length > 0 && "
                               "!document.querySelector('#activity-list li[data-status]')")
        items = page.locator("#activity-list li").evaluate_all(ITEMS)
        assert session.console_errors == []
    assert len(items) > 20
    for item in items:
        assert item == written[item[0]]
    assert all(item[3] == (["en", "ltr"] if lang else [None, None]) for item in items)  # (none translated)
    assert any(item[4] and item[4][0] == (["en", "ltr"] if lang else [None, None]) for item in items)
    moved = words_for(lang.rstrip("/") or "en").gettext("rescheduled")
    assert any(moved in item[1] for item in items)  # (the example's rescheduled courses)


@pytest.mark.parametrize("lang", ["", "fr/", "ru/", "ar/"])
def test_the_results_framework_fits_a_phone_in_every_language(lang: str, served: str, browser: Any) -> None:
    """At 390 px each row of the logframe is a card: its status ("على المسار الصحيح", "с
    отставанием") lies inside the card, its labels do not run into each other ("Исходное
    значение" beside "Целевое значение"), and the table does not scroll sideways; nor does
    it at 1280 px (the Russian headers, "Значение на 31 дек. 2019 г.", made it wider)."""
    for path, width in [(path, width) for path in ("results/", "areas/firearms/results/") for width in (390, 1280)]:
        with bs.open_page(browser, f"{served}{lang}{path}", viewport={"width": width, "height": 900}) as session:
            out = session.page.evaluate("""() => {
                const bad = [];
                for (const pill of document.querySelectorAll('.logframe .rf-status .status')) {
                    const p = pill.getBoundingClientRect(), row = pill.closest('tr').getBoundingClientRect();
                    if (p.left < row.left - 1 || p.right > row.right + 1) bad.push(pill.textContent);
                }
                for (const td of document.querySelectorAll('.logframe td[data-label]')) {
                    if (td.scrollWidth > td.clientWidth + 1) bad.push(td.getAttribute('data-label'));
                }
                const box = document.querySelector('.logframe').parentElement;
                return [bad, box.scrollWidth - box.clientWidth];
            }""")
        assert out == [[], 0], (lang, path, width, out)


def test_arabic_search_results_read_in_their_own_direction(served: str, browser: Any) -> None:
    """On the Arabic search page, a result whose record is not translated (an English title and
    text) reads left to right, and an Arabic page's reads right to left: each result's title and
    each sentence of its excerpt the direction of its own letters (right to left when it holds
    an Arabic letter: an Arabic sentence may begin with an English title), and the excerpt that
    of most of its sentences (an untranslated record's facts are Arabic labels before English
    values: in one direction, their full stops and brackets jumped to the other end)."""
    with bs.open_page(browser, f"{served}ar/search/?q=border", viewport={"width": 1280, "height": 900}) as session:
        page = session.page
        page.wait_for_selector("#search-results li p.excerpt")
        shown = page.locator("#search-results li").evaluate_all("""items => items.map(li => [
            li.querySelector('a').textContent, getComputedStyle(li.querySelector('a')).direction,
            getComputedStyle(li.querySelector('p.excerpt')).direction,
            [...li.querySelectorAll('p.excerpt bdi')].map(b => [b.textContent, getComputedStyle(b).direction])])""")

        def first(text: str) -> str:  # the direction of a text's first letter
            letter = re.search(r"[A-Za-z\u0600-\u06ff]", text)
            return "" if not letter else "rtl" if letter.group() >= "\u0600" else "ltr"

        def own(text: str) -> str:  # right to left with an Arabic letter ("" without a letter)
            return "rtl" if re.search(r"[\u0600-\u06ff]", text) else first(text)
        assert [first(title) for title, _, _, _ in shown].count("ltr") >= 5, shown
        mixed = 0
        for title, title_dir, excerpt_dir, sentences in shown:
            assert title_dir == first(title), (title, title_dir)
            assert sentences and all(text.rstrip().endswith((".", ":")) or text is sentences[-1][0]
                                     for text, _ in sentences), sentences
            for text, direction in sentences:
                assert direction == (own(text) or direction), (title, text, direction)
            kinds = [own(text) for text, _ in sentences]
            assert excerpt_dir == ("rtl" if kinds.count("rtl") > kinds.count("ltr") else "ltr"
                                   if kinds.count("rtl") < kinds.count("ltr") else "rtl"), (title, sentences)
            mixed += "ltr" in kinds and "rtl" in kinds
        assert mixed >= 1, shown  # (records not translated: English text, Arabic facts' labels)
        assert session.console_errors == []


def _said(browser: Any, url: str) -> tuple[str, int]:
    """The search page's status line and number of results shown, once it has answered."""
    with bs.open_page(browser, url) as session:
        page = session.page
        page.wait_for_function("() => /[0-9«]/.test(document.getElementById('search-status').textContent)")
        page.wait_for_timeout(300)
        assert session.console_errors == []
        return page.locator("#search-status").inner_text(), page.locator("#search-results li").count()


@pytest.mark.parametrize("query, same_as", [
    # Pagefind, finding no page with a word, finds pages by the longest start of it that some
    # page has: 29 pages by the "كل" of a made-up word, 9 by the first letters of "أوروبا"
    # (Europe), which no page names
    ("كلمةغريبة", ""), ("أوروبا", ""),
    # while a word after an article, a conjunction or a preposition, or with another ending,
    # finds what the word finds
    ("بالنمسا", "النمسا"), ("وكازاخستان", "كازاخستان"), ("للمشاركين", "المشاركون"), ("مستهدف", "المستهدفة"),
])
def test_an_arabic_word_no_page_holds_finds_nothing_and_one_with_a_prefix_finds_the_word(
        served: str, browser: Any, query: str, same_as: str) -> None:
    said, shown = _said(browser, f"{served}ar/search/?q={query}")
    if same_as:
        count = _said(browser, f"{served}ar/search/?q={same_as}")[0].split()[0]
        assert int(count) > 10 and said.startswith(f"{count} ") and shown == 10, said
    else:
        assert said == f"لا توجد نتائج للبحث عن «{query}».", said
        assert shown == 0


# the `.joined` spans whose sign (their last text) is not on the line of the name before it
SIGN_ALONE = """spans => spans.filter(span => {
    const range = document.createRange(), sign = span.lastChild;
    range.setStart(sign, 0); range.setEnd(sign, sign.length);
    const name = [...span.lastElementChild.getClientRects()].pop();
    const box = range.getBoundingClientRect(), middle = (box.top + box.bottom) / 2;
    return middle < name.top || middle > name.bottom; }).map(s => s.textContent)"""


def test_english_names_in_arabic_lines_are_never_split_across_lines(served: str, browser: Any) -> None:
    """On a phone, an English area name in an Arabic activity's facts moves to the next line
    whole (or wraps inside its own box): split at a line's end, its halves landed at opposite
    ends of two lines ("Forensic and" on the left, "police data management" on the right).
    Likewise the English titles of a round's activities completed in an area."""
    with bs.open_page(browser, f"{served}ar/activities/", viewport={"width": 390, "height": 900}) as session:
        # (the last name, with the dot after it, in one box: see macros.activity_item)
        rects = session.page.locator(".activity-item .meta bdi[dir='ltr']").evaluate_all(
            "names => names.map(n => [n.textContent, (n.closest('.joined') || n).getClientRects().length])")
    assert len(rects) > 20 and any(" " in name for name, _ in rects)
    assert all(n == 1 for _, n in rects), [name for name, n in rects if n != 1]
    # nor a round's activities completed in an area (links), and its English title keeps the
    # page's edge on the printed cover (it stood at the left, all else at the right)
    with bs.open_page(browser, f"{served}ar/reports/2019/", viewport={"width": 390, "height": 900}) as session:
        rects = session.page.locator(".area-done a[dir='ltr']").evaluate_all(
            "links => links.map(a => [a.textContent, (a.closest('.joined') || a).getClientRects().length])")
        assert len(rects) > 10 and all(n == 1 for _, n in rects), [name for name, n in rects if n != 1]
        # and each "؛" stays on its title's line (it began lines alone: the titles are boxes),
        # as each "·" after the area of an activity started in the period
        for joined, least in ((".area-done .joined", 10), ("#report-new .joined", 20)):
            alone = session.page.locator(joined).evaluate_all(SIGN_ALONE)
            assert session.page.locator(joined).count() > least and alone == [], (joined, alone)
        session.page.emulate_media(media="print")
        edges = session.page.evaluate("""() => ['.cover-title', '.cover-period'].map(s => {
            const range = document.createRange(); range.selectNodeContents(document.querySelector(s));
            return Math.round(range.getBoundingClientRect().right); })""")
        assert abs(edges[0] - edges[1]) <= 2, edges


def test_an_arabic_activitys_lists_of_english_names_read_from_the_right(built: Path, served: str,
                                                                       browser: Any) -> None:
    """The tags and partners of an activity, English names on an Arabic page, follow one
    another from the right as the page reads, the first rightmost (they made one
    left-to-right run, "BCP، Central Asia، I-24/7", the first at the left)."""
    pages = [p.parent.name for p in sorted((built / "ar/activities").glob("*/index.html"))
             if len(re.findall(r'href="\.\./\.\./tags/', p.read_text(encoding="utf-8"))) >= 3][:3]
    assert pages
    for name in pages:
        with bs.open_page(browser, f"{served}ar/activities/{name}/", viewport={"width": 1280, "height": 900}) as session:
            lefts = session.page.locator(".facts dd a[href*='/tags/']").evaluate_all(
                "links => links.map(a => a.getBoundingClientRect().left)")
        assert len(lefts) >= 3 and lefts == sorted(lefts, reverse=True), (name, lefts)


def test_a_date_is_never_split_across_two_lines_on_a_phone(served: str, browser: Any) -> None:
    """A Russian date ("17 мая 2017 г.") in a narrow line moves to the next line whole; it
    broke after its day ("(17" / "мая 2017 г."); so does one in a table's heading ("Valeur au
    31" / "déc. 2019" in French)."""
    for path in ["", "activities/", "countries/md/", "areas/firearms/", "reports/2019/", "results/"]:
        with bs.open_page(browser, f"{served}ru/{path}", viewport={"width": 390, "height": 900}) as session:
            split = session.page.evaluate("""() => Array.from(document.querySelectorAll('main time'))
                .filter(t => t.getClientRects().length > 1).map(t => t.textContent)""")
            dates = session.page.evaluate("() => document.querySelectorAll('main time').length")
            assert dates > 0 and split == [], f"ru/{path}: {split[:5]}"
            if path == "":  # (the dashboard's dates in sentences too: "на 31 дек." / "2019 г." they broke)
                assert session.page.locator(".headline-expected time, .figures time, .callout time").count() == 5
            if path == "reports/2019/":  # (and a round's headings': "(16" / "mai 2018)" in French)
                assert session.page.locator(":is(h2, h3, .cover-period, .cover-date) > time").count() >= 6
            if path in ("reports/2019/", "results/"):  # (and its tables')
                assert session.page.locator("thead th > time").count() >= 1, path


def test_arabic_figures_after_a_percentage_keep_their_order(served: str, browser: Any) -> None:
    """In a round's Arabic area lines ("... مستوى تحقيق المؤشرات 51% · 6 أنشطة مكتملة ..."), the
    figures stand from right to left in the order the line says them: the one after a
    percentage ran left to right with it ("6 · 51%"), as if 51% were the activities'."""
    with bs.open_page(browser, f"{served}ar/reports/2019/", viewport={"width": 1280, "height": 900}) as session:
        lines = session.page.evaluate(r"""() => [...document.querySelectorAll('.area-line')].map(line => {
            const out = [], walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const m of node.data.matchAll(/\d+/g)) {
                    const range = document.createRange(); range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
                    const box = range.getBoundingClientRect(); out.push([m[0], Math.round(box.top), box.left]);
                }
            }
            return out; })""")
    assert len(lines) >= 5 and all(len(line) >= 4 for line in lines), lines
    for line in lines:
        for (_, top, left), (_, next_top, next_left) in zip(line, line[1:]):
            assert next_top > top or next_left < left, line


def test_an_arabic_charts_legend_of_two_or_three_entries_gives_each_its_line(served: str, browser: Any) -> None:
    """Plotly draws a legend entry's mark left of its label and a row of entries left to
    right: read from the right, each mark seemed the next label's ("—●— الفعلي —◆— مسار
    القيمة المستهدفة"). On Arabic pages a legend of two or three entries has one a line, below
    the dates at every width (its two lines, drawn upwards from where the one line of the
    other languages' legends ends, covered the dates: "2020" at 1280 px, "2019" and "2020" at
    390)."""
    rows = """() => [...document.querySelectorAll('.plot g.legend')].map(legend => {
        const tops = [...legend.querySelectorAll('g.traces')].map(t => Math.round(t.getBoundingClientRect().top));
        return [tops.length, new Set(tops).size]; }).filter(([n]) => n >= 2 && n <= 3)"""
    covered = """() => [...document.querySelectorAll('.plot')].flatMap(plot => {
        const legend = plot.querySelector('g.legend');
        if (!legend) { return []; }
        const box = legend.getBoundingClientRect();
        return [...plot.querySelectorAll('g.xtick text')].map(t => [t.textContent, t.getBoundingClientRect()])
            .filter(([, t]) => t.width && t.bottom > box.top && t.top < box.bottom && t.right > box.left && t.left < box.right)
            .map(([text]) => text); })"""
    for width in (390, 1280):
        for path in ("indicators/bs-officers-trained/", "reports/2019/", ""):
            with bs.open_page(browser, f"{served}ar/{path}", viewport={"width": width, "height": 900}) as session:
                bs.plotly_charts_drawn(session.page)
                legends = session.page.evaluate(rows)
                hidden = session.page.evaluate(covered)
            assert legends and all(lines == n for n, lines in legends), (path, width, legends)
            assert hidden == [], (path, width, hidden)


def test_a_rounds_row_names_its_areas_in_the_plural_when_it_has_several(built: Path) -> None:
    """On a phone a round's table rows are cards, each cell labelled: an activity of two
    areas read "Area: Counter-terrorism, Forensic and police data management"."""
    labels: dict[str, set[str]] = {}
    for lang in ("", "ru/"):
        html = (built / lang / "reports/2019/index.html").read_text(encoding="utf-8")
        for label, cell in re.findall(r'<td data-label="([^"]+)">(.*?)</td>', html):
            if label.startswith(("Area", "Направлени")):
                several = "," in re.sub(r"<[^>]+>", "", cell)
                labels.setdefault(lang + ("several" if several else "one"), set()).add(label)
    assert labels == {"one": {"Area: "}, "several": {"Areas: "}, "ru/one": {"Направление: "},
                      "ru/several": {"Направления: "}}, labels


def test_a_table_titles_unit_keeps_its_brackets_on_a_phone(served: str, browser: Any) -> None:
    """An English unit in an Arabic breakdown table's title ("... حسب الجنس (people)") stays
    with its opening bracket: at 390 px the "(" ended one line and "people)" began the next
    (Chromium breaks before an element with a `dir`, even after an opening bracket)."""
    with bs.open_page(browser, f"{served}ar/indicators/bs-officers-trained/",
                      viewport={"width": 390, "height": 900}) as session:
        lines = session.page.evaluate("""() => Array.from(document.querySelectorAll('.table-title')).map(title => {
            const text = title.textContent, open = text.lastIndexOf('('), range = document.createRange();
            const at = (offset) => { // the line (top) of the character at `offset` of the title's text
                const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    if (offset < node.length) { range.setStart(node, offset); range.setEnd(node, offset + 1);
                                                return Math.round(range.getBoundingClientRect().top); }
                    offset -= node.length;
                }
            };
            return [text, at(open), at(open + 1), at(text.length - 1)];
        })""")
    assert lines and all("(" in text for text, *_ in lines), lines
    assert all(a == b == c for _, a, b, c in lines), lines


# Each "<digits>%" of the page's main text: whether its sign is drawn right of its digits.
_PERCENT_SIDES = r"""() => {
    const out = [], walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent, found = /(\d+)\u200e?%/g;
        for (let m = found.exec(text); m; m = found.exec(text)) {
            const range = document.createRange(), sign = m.index + m[0].length - 1;
            range.setStart(node, m.index); range.setEnd(node, m.index + m[1].length);
            const digits = range.getBoundingClientRect();
            range.setStart(node, sign); range.setEnd(node, sign + 1);
            const mark = range.getBoundingClientRect();
            if (digits.width > 0) out.push([text.slice(Math.max(0, m.index - 24), sign + 1), mark.left >= digits.right - 1]);
        }
    }
    return out;
}"""


def test_arabic_percentages_read_the_same_wherever_they_stand(served: str, browser: Any) -> None:
    """"85%" after Arabic words drew its sign on the other side ("%85"), while the figures'
    "87%" kept it right: the bidi algorithm reads digits after Arabic letters as Arabic
    numbers, which a bare "%" does not follow. With CLDR's Arabic percent sign (marked left
    to right) every percentage reads as the figures do."""
    for path in ["", "areas/", "areas/firearms/"]:
        with bs.open_page(browser, f"{served}ar/{path}", viewport={"width": 1280, "height": 900}) as session:
            sides = session.page.evaluate(_PERCENT_SIDES)
        assert len(sides) >= 3, (path, sides)
        assert all(right for _, right in sides), (path, [text for text, right in sides if not right])
    with bs.open_page(browser, f"{served}ar/", viewport={"width": 1280, "height": 900}) as session:
        expected = session.page.locator(".headline-expected").inner_text()
    assert re.search(r"[\u0600-\u06ff][^%]*\d+\u200e%", expected), expected  # (after Arabic words)


def test_the_clear_filters_button_keeps_one_line_in_arabic(served: str, browser: Any) -> None:
    """Arabic's "Clear filters" is longer than a filter's column: it wrapped to two lines, a
    button twice as tall as the selects beside it."""
    with bs.open_page(browser, f"{served}ar/activities/", viewport={"width": 1280, "height": 900}) as session:
        button, select = session.page.evaluate("""() => [document.querySelector('#filters button'),
            document.querySelector('#filters select')].map(e => e.getBoundingClientRect().height)""")
    assert button <= select + 8, (button, select)


# Each filter select: how much wider its chosen option's text is than the room the select
# gives it (its width less its paddings, borders and Chromium's arrow, 20 px)
_SELECT_OVERFLOW = """() => [...document.querySelectorAll('#filters select')].map(select => {
    const style = getComputedStyle(select), probe = document.createElement('span');
    probe.textContent = select.options[select.selectedIndex].text;
    probe.style.font = style.font;
    probe.style.whiteSpace = 'pre';
    probe.style.position = 'absolute';
    probe.style.display = 'inline-block';
    document.body.appendChild(probe);
    const text = probe.getBoundingClientRect().width;
    probe.remove();
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
    return [select.name, Math.round(text - room)]; }).filter(([, over]) => over > 0)"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_filters_show_their_values_whole(width: int, served: str, browser: Any) -> None:
    """On a desktop the filters had columns of 9rem, the rest of the row empty: "Tous les
    doma", and in bold on a phone "Toutes les anné": across the row, their values in normal
    weight."""
    for lang in ("", "fr/", "ru/", "ar/"):
        with bs.open_page(browser, f"{served}{lang}activities/", viewport={"width": width, "height": 900}) as session:
            session.page.wait_for_selector("#filters:not([hidden])")
            assert session.page.evaluate(_SELECT_OVERFLOW) == [], (lang, width)


def test_the_countries_table_fits_a_phone_in_every_language(served: str, browser: Any) -> None:
    """At 390 px the countries' table shows every column without scrolling sideways: in
    Russian "Великобритания" and "Мероприятия" left its participants out of view."""
    for lang in ("", "fr/", "ru/", "ar/"):
        with bs.open_page(browser, f"{served}{lang}countries/", viewport={"width": 390, "height": 900}) as session:
            wide, box = session.page.evaluate("""() => { const box = document.querySelector('#countries-table').parentNode;
                return [box.scrollWidth, box.clientWidth]; }""")
            assert wide <= box, (lang, wide, box)


def test_french_search_excerpts_keep_the_space_before_a_colon_unbreakable(served: str, browser: Any) -> None:
    """The pages write "en cours\u00a0: 1" (French puts a no-break space before a colon); the
    index's excerpts have a plain space there, and lines of results began with ": 35"."""
    with bs.open_page(browser, f"{served}fr/search/?q=formation") as session:
        page = session.page
        page.wait_for_function("() => document.querySelectorAll('#search-results .excerpt').length > 3")
        excerpts = page.locator("#search-results .excerpt").all_text_contents()
    assert any("\u00a0:" in text for text in excerpts), excerpts[:3]
    assert not [text for text in excerpts if re.search(r" [:;!?\u00bb]|\u00ab ", text)], excerpts[:3]
