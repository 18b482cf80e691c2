"""Search with Pagefind (sitegen/search.py, theme/assets/search.js).

The example site in English, French and Russian, with a record translated into French and
Russian, built and served under a sub-path on 127.0.0.1, searched in Chromium: each
language's own index with its stemming ("formations" finds "formation", "границы" finds
"граница"), country and indicator pages among the results, excerpts with the matched words
marked, filters that narrow the results, and nothing fetched from another host. Then what
happens without the indexer, with one that fails, in `check`, in the cached build and in the
preview server (whose index, made in the background, equals the build's).
"""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from sitegen import search, search_shards
from sitegen.build import build
from sitegen.i18n import words_for
from sitegen.incremental import Builder
from sitegen.write import BuildFault
from tests import browser_support as bs
from tests.sitekit import BASELINE, example_in, run_sitegen, snapshot

BASE = "/progress/"
FRENCH = ("Formation des gardes-frontières",
          "Une formation de cinq jours pour les gardes-frontières, sur les documents de voyage volés.")
RUSSIAN = ("Граница и таможня: учебный курс",
           "Пятидневный курс о том, как охраняется граница и проверяются документы.")


def _example(root: Path, languages: str = "[en, fr, ru]") -> Path:
    """A copy of the repository's example site in `languages`, one record translated into
    French and Russian (the record is returned as site/.record)."""
    site = example_in(root, languages)
    record = sorted(p for p in (site / "content/activities").rglob("*.md") if p.stem.count(".") == 0)[5]
    for lang, (title, body) in (("fr", FRENCH), ("ru", RUSSIAN)):
        record.with_name(f"{record.stem}.{lang}.md").write_text(f'---\ntitle: "{title}"\n---\n\n{body}\n',
                                                                encoding="utf-8")
    return site


def _record_id(out: Path) -> str:
    """The id of the translated record (its French page carries the French title)."""
    for page in sorted((out / "fr/activities").glob("*/index.html")):
        if FRENCH[0] in page.read_text(encoding="utf-8"):
            return page.parent.name
    raise AssertionError("no French page of the translated record")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search")
    out = root / "out"
    build(_example(root), out, use_cache=False)
    return out


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    with bs.serve_directory(built, BASE) as url:
        yield url


def _search(browser: Any, url: str) -> bs.PageSession:
    """The search page at `url` (with ?q=...) once its results are shown."""
    session = bs.open_page(browser, url)
    session.page.wait_for_function(
        "() => /\\d/.test(document.getElementById('search-status').textContent)"
        " && document.querySelectorAll('#search-results li').length > 0")
    return session


def _hrefs(page: Any) -> list[str]:
    return list(page.evaluate("() => Array.from(document.querySelectorAll('#search-results li > a'))"
                              ".map(a => a.getAttribute('href'))"))


def _clean(session: bs.PageSession) -> None:
    assert session.external_requests == [], session.external_requests
    assert session.console_errors == [], session.console_errors
    assert all(status < 400 for status in session.responses.values()), session.responses
    assert all(url.startswith(("http://127.0.0.1:", "data:", "blob:")) for url in session.requests), session.requests


def test_the_index_is_published_without_the_ready_made_interfaces(built: Path) -> None:
    files = sorted(p.relative_to(built / "pagefind").as_posix() for p in (built / "pagefind").rglob("*") if p.is_file())
    assert "pagefind.js" in files and "pagefind-entry.json" in files
    assert not [f for f in files if "-ui." in f or "highlight" in f or f.startswith("playground")]
    entry = json.loads((built / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    assert sorted(entry["languages"]) == ["en", "fr", "ru"]  # one index per language
    # What is indexed: the pages of a record, an area, an indicator, a country, a report or
    # a free page; not the dashboard, the lists, the timeline, the search page or the 404.
    for folder in ("activities", "areas", "indicators", "countries", "reports", "pages"):
        page = next(p for p in sorted((built / folder).glob("*/index.html")) if p.parent.name != "page")
        assert "data-pagefind-body" in page.read_text(encoding="utf-8"), page
    for path in ("index.html", "activities/index.html", "activities/page/2/index.html", "timeline/index.html",
                 "search/index.html", "404.html", "countries/index.html", "areas/index.html", "reports/index.html"):
        if (built / path).exists():
            assert "data-pagefind-body" not in (built / path).read_text(encoding="utf-8"), path
    english = [p for p in built.rglob("*.html") if p.relative_to(built).parts[0] not in ("fr", "ru")]
    marked = sum(1 for p in english if "data-pagefind-body" in p.read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == marked < len(english)


def test_a_french_inflection_finds_the_french_page(built: Path, served: str, browser: Any) -> None:
    record = _record_id(built)
    page_text = (built / f"fr/activities/{record}/index.html").read_text(encoding="utf-8").lower()
    assert "formation" in page_text and "formations" not in page_text  # found by its stem only
    with _search(browser, served + "fr/search/?q=formations") as session:
        assert f"{BASE}fr/activities/{record}/" in _hrefs(session.page)
        assert all(h.startswith(f"{BASE}fr/") for h in _hrefs(session.page))  # the French index only
        _clean(session)


def test_a_russian_inflection_finds_the_russian_page(built: Path, served: str, browser: Any) -> None:
    record = _record_id(built)
    page_text = (built / f"ru/activities/{record}/index.html").read_text(encoding="utf-8").lower()
    assert "граница" in page_text and "границы" not in page_text
    with _search(browser, served + "ru/search/?q=границы") as session:
        assert f"{BASE}ru/activities/{record}/" in _hrefs(session.page)
        assert all(h.startswith(f"{BASE}ru/") for h in _hrefs(session.page))
        _clean(session)


def test_a_country_name_finds_the_country_page(served: str, browser: Any) -> None:
    with _search(browser, served + "search/?q=Moldova") as session:
        page = session.page
        assert f"{BASE}countries/md/" in _hrefs(page)
        item = page.locator(f"#search-results li:has(> a[href='{BASE}countries/md/'])")
        assert item.locator("a").inner_text() == "Moldova"
        assert item.inner_text().split("\n")[0] == "Moldova (country)"
        _clean(session)


def test_an_areas_name_finds_its_page_first(served: str, browser: Any) -> None:
    """An area's page is long (it lists its activities): ranked by Pagefind's default
    length penalty it came after every short page naming the word."""
    for query, area in (("border", "border-security"), ("firearms", "firearms"),
                        ("trafficking", "human-trafficking")):
        with _search(browser, served + f"search/?q={query}") as session:
            assert _hrefs(session.page)[0] == f"{BASE}areas/{area}/", query
            _clean(session)


def test_every_result_says_what_kind_of_page_it_is(served: str, browser: Any) -> None:
    """"Border security (area)", "Results framework: Border security (results framework)":
    the kind after each result's title (the results framework's had none)."""
    with _search(browser, served + "search/?q=border") as session:
        lines = session.page.evaluate("() => Array.from(document.querySelectorAll('#search-results li'))"
                                      ".map(li => [li.querySelector('a').getAttribute('href'), li.innerText.split('\\n')[0]])")
        assert any(href.endswith("/results/") for href, _ in lines), lines
        for href, line in lines:
            assert re.search(r" \((activity|area|indicator|country|report|page|tag|partner|activity type|results framework)\)$",
                             line), (href, line)
            if href.endswith("/results/"):
                assert line.endswith(" (results framework)"), line
        _clean(session)


def test_an_indicators_words_find_the_indicator_page(built: Path, served: str, browser: Any) -> None:
    title = "Fingerprint records shared by beneficiary States (cumulative)"
    page = next(p for p in sorted((built / "indicators").glob("*/index.html")) if title in p.read_text("utf-8"))
    with _search(browser, served + "search/?q=fingerprint%20records") as session:
        hrefs = _hrefs(session.page)
        assert hrefs[0] == f"{BASE}indicators/{page.parent.name}/"
        assert session.page.locator("#search-results li").first.inner_text().split("\n")[0] == f"{title} (indicator)"
        _clean(session)


def test_a_round_is_not_found_by_the_titles_of_the_activities_it_lists(built: Path, served: str,
                                                                       browser: Any) -> None:
    """A reporting round's page lists, area by area, the activities completed in its period
    (and all of them again in its annex): like the lists of area, country and term pages,
    they are not searched, so a query for an activity's title finds the activity, not also
    every round that names it."""
    report = (built / "reports/2018/index.html").read_text(encoding="utf-8")
    title = "Course on INTERPOL databases for border officers, Dushanbe"
    assert report.count(title) >= 2  # (the area's list and the annex)
    with _search(browser, served + "search/?q=INTERPOL%20databases%20Dushanbe") as session:
        hrefs = _hrefs(session.page)
        assert f"{BASE}activities/2017-09-11-sltd-course-dushanbe/" in hrefs
        assert not [h for h in hrefs if "/reports/" in h], hrefs
        _clean(session)


def test_results_show_an_excerpt_with_the_words_marked(served: str, browser: Any) -> None:
    with _search(browser, served + "search/?q=Tirana") as session:
        excerpts = session.page.locator("#search-results li .excerpt")
        assert excerpts.count() == session.page.locator("#search-results li").count()
        marks = session.page.locator("#search-results li .excerpt mark").all_inner_texts()
        assert marks and all(m.strip(" ,.").lower() == "tirana" for m in marks), marks
        violations = bs.run_axe(session.page)
        assert not violations, bs.format_violations(violations)
        _clean(session)


def _contents(built: Path) -> dict[str, str]:
    """The text Pagefind holds of each page, by URL (from its fragment files)."""
    contents = {}
    for fragment in (built / "pagefind/fragment").iterdir():
        raw = gzip.decompress(fragment.read_bytes())
        found = json.loads(raw[raw.index(b"{"):])
        contents[found["url"]] = " ".join(found["content"].split())
    return contents


def test_the_results_framework_is_searched_by_its_indicators_not_its_figures(built: Path) -> None:
    """The results framework is found by its indicators' names (and their levels and areas),
    not by its cells of figures, which each indicator's page gives: its excerpts read as a
    row of numbers ("iARMS 0. 17 May 2018: 80. 17 May 2019: 180. 300. 343 people")."""
    contents = _contents(built)
    framework = contents["/results/"]
    assert "States actively using iARMS" in framework and "Output" in framework
    assert "17 May 2018" not in framework and "Baseline" not in framework, framework[:400]  # (nor its header)
    assert "\u21b3" not in framework and "on track" not in framework and "no value yet" not in framework


def test_an_excerpt_says_where_it_cuts_the_pages_text(built: Path, served: str, browser: Any) -> None:
    """An excerpt begins with "…" when the page's text goes on before it, ends with "…" when
    it goes on after it (it read "... Target: 300 by 16" and stopped), and neither otherwise;
    it leaves out the page's title, which the link above it says, when it would begin with
    it."""
    contents = _contents(built)
    with _search(browser, served + "search/?q=tracing") as session:
        session.page.wait_for_selector("#search-results li p.excerpt")
        shown = session.page.locator("#search-results li").evaluate_all(
            "items => items.map(li => [li.querySelector('a').getAttribute('href'), "
            "li.querySelector('a').textContent, li.querySelector('p.excerpt').textContent])")
        cut = {"start": 0, "end": 0, "title": 0}
        for href, title, excerpt in shown:
            content = contents[href.removeprefix(BASE[:-1])]
            text = " ".join(excerpt.split())
            core = text.removeprefix("\u2026 ").removesuffix(" \u2026")
            assert core in content and not core.startswith(f"{title}. "), (href, core)
            # (nor the end of the title, when the excerpt would begin inside it)
            assert not any(core.startswith(title[i:] + ". ") for i in range(len(title)) if title[i - 1] == " "), core
            begins = content.startswith(core) or content.startswith(f"{title}. {core}")
            cut["title"] += content.startswith(f"{title}. {core}")
            assert text.startswith("\u2026 ") == (not begins), (href, text, content[:80])
            assert text.endswith(" \u2026") == (not content.endswith(core)), (href, text, content[-80:])
            cut["start"] += text.startswith("\u2026 ")
            cut["end"] += text.endswith(" \u2026")
        assert cut["start"] and cut["end"] and cut["title"], shown  # (each case among the results)
        _clean(session)


def test_an_activitys_facts_are_indexed_as_labelled_sentences(built: Path) -> None:
    """The facts under an activity's title (area, dates, place, countries, participants...)
    reach the index each with its label and ended as a sentence, as its title and paragraphs
    are, so that an excerpt showing them says what each value is ("Location: Kyiv, Ukraine.
    Countries: Ukraine. Participants: 85.", not "Kyiv, Ukraine. Ukraine. 85.")."""
    contents = _contents(built)
    names = words_for("en").country
    records = json.loads((built / "data/activities.json").read_text(encoding="utf-8"))
    record = next(a for a in records if a["location"] and a["location"]["city"] and a["location"]["country"]
                  and a["participants"] and a["countries"] and a["start"] != a["end"])
    content = contents[f"/activities/{record['id']}/"]
    place = f"{record['location']['city']}, {names(record['location']['country'])}"
    people = record["participants"]
    total = people["total"] if isinstance(people, dict) else people
    last_country = names(record["countries"][-1])
    assert f". Location: {place}. " in content, content
    assert re.search(rf"\. Countries: [^.]*{re.escape(last_country)}\. Participants: {total}( \([^)]*\))?\. ",
                     content), content


def _status_count(page: Any) -> int:
    return int(page.locator("#search-status").inner_text().split()[0])


def _open_filters(page: Any) -> None:
    page.click("#search-filters summary")
    page.wait_for_function("() => document.querySelectorAll('select[name=status] option').length > 1")


def test_a_filter_narrows_the_results_to_activities_with_that_value(built: Path, served: str, browser: Any) -> None:
    activities = {f"{BASE}activities/{a['id']}/": a for a in json.loads((built / "data/activities.json").read_text())}
    with _search(browser, served + "search/?q=workshop") as session:
        page = session.page
        everything = _status_count(page)
        assert not [u for u in session.requests if "/filter/" in u]  # fetched when the filters are opened
        _open_filters(page)
        options = page.locator("select[name=status] option").all_inner_texts()
        assert options[0] == "All statuses" and "completed" in options
        # in the activity list's order (statuses from planned to cancelled, areas and types as
        # the plan gives them, years from the first): they were alphabetical, years backwards
        listing = (built / "activities/index.html").read_text(encoding="utf-8")
        for name in ("status", "area", "type", "year"):
            mine = page.locator(f"select[name={name}] option").all_inner_texts()[1:]
            theirs = [html.unescape(o) for o in re.findall(r'<option value="[^"]+">([^<]+)</option>',
                                                            listing.split(f'<select name="{name}">')[1].split("</select>")[0])]
            assert mine and mine == [o for o in theirs if o in mine], (name, mine, theirs)
        page.select_option("select[name=status]", "completed")
        page.wait_for_function(f"() => !document.getElementById('search-status').textContent.startsWith('{everything} ')")
        page.wait_for_selector("#search-results li")
        narrowed = _status_count(page)
        assert 0 < narrowed < everything
        hrefs = _hrefs(page)
        assert hrefs and all(activities[h]["status"] == "completed" for h in hrefs), hrefs
        assert "status=completed" in page.url  # kept in the address, for a reload or a link
        violations = bs.run_axe(page)
        assert not violations, bs.format_violations(violations)
        _clean(session)
    with _search(browser, served + "search/?q=workshop&status=completed") as session:
        assert _status_count(session.page) == narrowed
        assert session.page.locator("#search-filters").get_attribute("open") is not None
        assert session.page.locator("select[name=status]").input_value() == "completed"
    french = words_for("fr")
    with _search(browser, served + "fr/search/?q=workshop") as session:  # the filters in the page's words
        _open_filters(session.page)
        options = session.page.locator("select[name=status] option").all_inner_texts()
        assert french.status("completed") in options and "completed" not in options


def test_on_a_phone_the_area_filter_spans_the_form(served: str, browser: Any) -> None:
    """Half a phone cut "Trafficking in human beings and smuggling of migrants" to
    "Trafficking in hu"; the shorter values keep two columns."""
    for url in ("search/?q=women&area=Firearms", "activities/"):
        with bs.open_page(browser, served + url, viewport={"width": 390, "height": 900}) as session:
            page = session.page
            if url.startswith("search"):
                page.wait_for_selector("#search-results li")
            widths = page.evaluate("""() => Object.fromEntries(['area', 'status', 'year'].map(name =>
                [name, document.querySelector(`form.filters select[name=${name}]`).getBoundingClientRect().width]))""")
            assert widths["area"] > 300 and widths["status"] < 200 and widths["year"] < 200, (url, widths)
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_more_results_come_ten_at_a_time(served: str, browser: Any) -> None:
    with _search(browser, served + "search/?q=officers%20trained") as session:
        page = session.page
        total = _status_count(page)
        assert total > 20 and page.locator("#search-results li").count() == 10
        page.click("#search-more")
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 20")
        focused = page.evaluate("() => document.activeElement.getAttribute('href')")
        assert focused == _hrefs(page)[10]  # the first new result has the focus
        assert not page.locator("#search-more").is_hidden()
        _clean(session)


def test_filters_alone_list_the_activities_they_match(built: Path, served: str, browser: Any) -> None:
    """Without a word, a filter did nothing, without a word said."""
    activities = {f"{BASE}activities/{a['id']}/": a for a in json.loads((built / "data/activities.json").read_text())}
    completed = [a for a in activities.values() if a["status"] == "completed"]
    with bs.open_page(browser, served + "search/?status=completed") as session:
        page = session.page
        page.wait_for_selector("#search-results li")
        assert page.locator("#search-status").inner_text() == f"{len(completed)} activities match."
        assert all(activities[h]["status"] == "completed" for h in _hrefs(page))
        _clean(session)


def test_a_filter_value_in_the_address_that_no_page_has_is_named_and_left_out(built: Path, served: str,
                                                                              browser: Any) -> None:
    """/search/?status=finished (an old link, a typing slip) opened the filters and showed
    nothing, without a word; with words, the results were not filtered, unsaid."""
    said = "No page is filed under “finished”: that filter is left out."
    with bs.open_page(browser, served + "search/?status=finished") as session:
        page = session.page
        page.wait_for_function("(s) => document.getElementById('search-status').textContent === s", arg=said)
        assert page.locator("#search-filters").evaluate("box => box.open")
        assert page.locator("#search-results li").count() == 0 and page.input_value("select[name=status]") == ""
        page.select_option("select[name=status]", "completed")  # (the reader chose: nothing left out)
        page.wait_for_function("() => / activities match\\.$/.test(document.getElementById('search-status').textContent)")
        assert "finished" not in page.locator("#search-status").inner_text() and "finished" not in page.url
        _clean(session)
    with _search(browser, served + "search/?q=workshop") as session:
        total = _status_count(session.page)
    with _search(browser, served + "search/?q=workshop&status=finished") as session:
        assert session.page.locator("#search-status").inner_text() == f"{total} results for “workshop”. {said}"
        _clean(session)


def test_back_from_a_result_shows_the_results_as_they_were(served: str, browser: Any) -> None:
    """Twenty results shown, the twelfth opened, then Back: ten were shown, at the top."""
    with _search(browser, served + "search/?q=officers%20trained") as session:
        page = session.page
        page.click("#search-more")
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 20")
        link = page.locator("#search-results li > a").nth(11)
        link.scroll_into_view_if_needed()
        y = page.evaluate("() => window.scrollY")
        assert y > 0
        page.evaluate("() => window.addEventListener('unload', () => {})")  # (no back-forward cache: a new load)
        link.click()
        page.wait_for_load_state()
        page.go_back()
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 20")
        page.wait_for_function(f"() => window.scrollY === {y}")
        _clean(session)


@pytest.mark.parametrize("path, query, said", [
    # Pagefind, finding no page with a word, found pages by its first letters: Türkiye by its
    # "(TR)", and in Russian 21 pages by "Киргизия" for "Киев"
    ("search/", "trafiking", "No results for “trafiking”."),
    ("ru/search/", "Киев", "Ничего не найдено по запросу «Киев»."),
    # (several words: the others' results, not those of the others and the first letters)
    ("search/", "training Kyeev,", " results for “training Kyeev,”. No page holds “Kyeev”: these results leave it out."),
    # (two: each named, as the language lists alternatives)
    ("search/", "training Kyeev zzqxv", " results for “training Kyeev zzqxv”. No page holds “Kyeev” or “zzqxv”: these "
     "results leave them out."),
    ("fr/search/", "training Kyeev zzqxv", " résultats pour «\u00a0training Kyeev zzqxv\u00a0». Aucune page ne "
     "contient «\u00a0Kyeev\u00a0» ou «\u00a0zzqxv\u00a0»\u00a0: ces résultats les ignorent."),
    ("ru/search/", "Украина Киев", " по запросу «Украина Киев». Ни на одной странице нет слова «Киев»: эти результаты "
     "найдены без него."),
])
def test_a_word_no_page_holds_finds_nothing_by_its_first_letters(served: str, browser: Any, path: str, query: str,
                                                                   said: str) -> None:
    with bs.open_page(browser, f"{served}{path}?q={query}") as session:
        page = session.page
        page.wait_for_function("(q) => document.getElementById('search-status').textContent.includes(q)", arg=query)
        page.wait_for_timeout(300)
        shown = page.locator("#search-status").inner_text()
        assert shown.endswith(said) if said.startswith(" ") else shown == said, shown
        assert page.locator("#search-results li").count() == (10 if said.startswith(" ") else 0)
        _clean(session)
    if said.startswith(" "):
        with _search(browser, f"{served}{path}?q={query.split()[0]}") as session:
            assert _status_count(session.page) == int(shown.split()[0])


def test_every_page_has_a_search_box_that_opens_the_search_page(served: str, browser: Any) -> None:
    """In the header, in the "Search" link's place (in the opened menu on a phone); on the
    search page, whose own box is the one to use, the link instead."""
    with bs.open_page(browser, served + "activities/") as session:
        page = session.page
        assert page.locator(".site-search input").is_visible() and page.locator("li.nav-search").is_hidden()
        page.fill(".site-search input", "firearms")
        page.press(".site-search input", "Enter")
        page.wait_for_selector("#search-results li")
        assert page.url.endswith("/search/?q=firearms") and page.input_value("#q") == "firearms"
        assert page.locator(".site-search").is_hidden() and page.locator("li.nav-search a[aria-current]").is_visible()
        _clean(session)
    with bs.open_page(browser, served + "fr/activities/", viewport={"width": 390, "height": 900}) as session:
        page = session.page
        box = page.locator(".site-search input")
        assert box.is_hidden()  # (behind the menu's button)
        page.click(".menu-toggle")
        assert box.is_visible() and box.get_attribute("placeholder") == words_for("fr").gettext("Search")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_emptying_the_box_clears_the_results_and_the_address(served: str, browser: Any) -> None:
    with _search(browser, served + "search/?q=firearms") as session:
        page = session.page
        page.focus("#q")
        page.keyboard.press("Escape")  # (a search box's own: it empties the box)
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 0")
        assert page.locator("#search-status").inner_text() == "" and "q=" not in page.url
        page.fill("#q", "border")
        page.press("#q", "Enter")
        page.wait_for_selector("#search-results li")
        for _ in "border":  # (emptied with Backspace too)
            page.keyboard.press("Backspace")
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 0")
        assert "q=" not in page.url
        _clean(session)


# -- without an indexer, with one that fails, in check -------------------------------------

def _script(path: Path, text: str) -> Path:
    path.write_text("#!/bin/sh\n" + text, encoding="utf-8")
    path.chmod(0o755)
    return path


def test_without_the_binary_the_site_builds_and_search_says_it_is_unavailable(
        make_site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, browser: Any) -> None:
    site = make_site()
    missing = tmp_path / "no-such-pagefind"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(missing))
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert f"(search): warning: no search index: PAGEFIND_BINARY_PATH names {missing}" in run.stderr
    assert "1 warning" in run.stdout and "Traceback" not in run.stderr
    assert not (site / "output/pagefind").exists()
    with bs.serve_directory(site / "output", BASE) as url, bs.open_page(browser, url + "search/?q=workshop") as session:
        words = words_for("en")
        session.page.wait_for_function(
            f"() => document.getElementById('search-status').textContent === "
            f"{json.dumps(words.gettext('Search is unavailable: this site was built without its search index.'))}")
        assert session.external_requests == []


def test_a_failing_indexer_stops_the_build_and_keeps_the_previous_output(
        make_site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site()
    assert run_sitegen("build", site).returncode == 0
    before = snapshot(site / "output")
    assert any(p.startswith("pagefind/") for p in before)
    (site / "content/activities/planned-meeting.md").write_text(
        (site / "content/activities/planned-meeting.md").read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    broken = _script(tmp_path / "pagefind", "echo 'Error: the disk is full' >&2\nexit 3\n")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    run = run_sitegen("build", site)
    assert run.returncode == 1
    assert run.stderr.startswith(f"sitegen: error: the search indexer failed ({broken}, exit status 3): "
                                 "Error: the disk is full"), run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(site / "output") == before
    with pytest.raises(BuildFault, match="the search indexer failed"):  # the uncached build too
        build(site, use_cache=False)
    assert snapshot(site / "output") == before


def test_check_writes_nothing_and_runs_no_indexer(make_site: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site()
    ran = tmp_path / "ran"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(_script(tmp_path / "pagefind", f"touch {ran}\n")))
    run = run_sitegen("check", site)
    assert run.returncode == 0, run.stderr
    assert not ran.exists() and not (site / "output").exists()


def test_a_static_file_cannot_go_into_the_index_folder(make_site: Any) -> None:
    site = make_site({"content/static/pagefind/pagefind-entry.json": "{}\n"})
    run = run_sitegen("check", site)
    assert run.returncode == 1
    assert ("content/static/pagefind/pagefind-entry.json: error: static file in pagefind/, "
            "which holds the search index") in run.stderr


# -- the cached build ------------------------------------------------------------------------

def test_the_cached_build_indexes_again_only_when_a_page_changed(make_site: Any, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site()
    log = tmp_path / "runs"
    real = search.binary().path
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(_script(tmp_path / "pagefind", f'echo run >> {log}\nexec {real} "$@"\n')))

    def runs() -> int:
        return len(log.read_text().split()) if log.exists() else 0

    def same_as_uncached(step: str) -> None:
        ref = tmp_path / "ref"
        if ref.exists():
            shutil.rmtree(ref)
        build(site, ref, use_cache=False)
        assert snapshot(site / "output") == snapshot(ref), step

    # (Pagefind runs once per group of pages: the activities' groups, the term pages' groups
    # and the other pages, or one group on a site this small; an edit indexes again only the
    # groups whose pages it changed)
    build(site)
    groups = runs()
    assert groups >= 1
    (site / "content/static").mkdir(parents=True, exist_ok=True)
    (site / "content/static/notes.txt").write_text("not a page\n", encoding="utf-8")
    build(site)  # an input changed, no page did: the index is kept
    assert runs() == groups
    same_as_uncached("a static file added")  # (which indexes every group)
    assert runs() == 2 * groups
    meeting = site / "content/activities/planned-meeting.md"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("Closing meeting", "Final meeting"), encoding="utf-8")
    build(site)  # a page changed: indexed again (its group, and the lists that name it)
    edited = runs() - 2 * groups
    assert 1 <= edited <= groups  # (test_search_groups: an edit indexes only the changed groups)
    same_as_uncached("a record edited")
    build(site)  # nothing changed at all
    assert runs() == 3 * groups + edited


def test_an_indexer_found_later_indexes_the_unchanged_site(make_site: Any, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    first = build(site)
    assert [p.message for p in first.warnings if "no search index" in p.message]
    assert not (site / "output/pagefind").exists()
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    second = build(site)  # nothing else changed: the build does not stop at "unchanged"
    assert second.warnings == () and (site / "output/pagefind/pagefind.js").is_file()


# -- the preview server ----------------------------------------------------------------------

def test_the_preview_index_made_in_the_background_equals_the_builds(tmp_path: Path) -> None:
    site = _example(tmp_path)
    preview = tmp_path / "preview"
    builder = Builder(site, preview)
    try:
        assert builder.rebuild().ok
        assert builder.wait_for_search(120)
        out, cached = tmp_path / "out", site / "output"
        build(site, out, use_cache=False)
        build(site)

        def index(root: Path) -> dict[str, bytes]:
            return {k: v for k, v in snapshot(root).items() if k.startswith("pagefind/")}

        want = index(out)
        assert len(want) > 100 and index(preview) == want and index(cached) == want
        # an edit: the preview indexes again, the build too; still the same index
        record = next(p for p in sorted((site / "content/activities").rglob("*.fr.md")))
        record.write_text(record.read_text(encoding="utf-8").replace("cinq jours", "six jours"), encoding="utf-8")
        assert builder.rebuild({str(record)}).ok
        assert builder.wait_for_search(120)
        shutil.rmtree(out)
        build(site, out, use_cache=False)
        assert index(preview) == index(out) != want
        assert not [p for p in preview.iterdir() if p.name.startswith(".pagefind")]  # no temporary folder left
    finally:
        builder.close()


def test_stopping_the_preview_stops_the_indexer(make_site: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site()
    started = tmp_path / "started"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(_script(tmp_path / "pagefind", f"touch {started}\nexec sleep 60\n")))
    preview = tmp_path / "preview"
    builder = Builder(site, preview)
    outcome = builder.rebuild()
    assert outcome.ok and outcome.ms < 5000  # the rebuild does not wait for the indexer
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists()
    t0 = time.monotonic()
    builder.close()
    assert time.monotonic() - t0 < 10
    assert builder.wait_for_search(0)  # nothing runs any more
    assert not (preview / "pagefind").exists()


def _indexed_words(out: Path) -> set[str]:
    """Every word of the (one-language) index Pagefind wrote under out/pagefind/."""
    words: set[str] = set()
    for chunk in sorted((out / "pagefind" / "index").iterdir()):
        words.update(entry[0] for entry in search_shards.unpack(chunk.read_bytes())[0])
    return words


LEAD = " ".join(["The zorblax workshop opened with a review of the national action plans."] * 6)
# BASELINE's planned meeting with a report: its lead (a paragraph and a list), then more
REPORT = BASELINE["content/activities/planned-meeting.md"] + "\n" + dedent(f"""
    {LEAD}

    - a list ends the lead

    Later the vuncrat session closed the meeting.
    """)


@pytest.mark.parametrize("setting, later_found", [("", False), ("search_text: full\n", True)])
def test_the_index_holds_a_reports_lead_unless_the_site_asks_for_its_full_text(
        make_site: Any, setting: str, later_found: bool) -> None:
    """By default an activity's report is indexed by its lead (its opening paragraphs, about
    60 words: what the results' excerpts show), so that a query at 10,000 activities stays
    small; `search_text: full` indexes all of it. The page shows the whole report either way."""
    site = make_site({"content/activities/planned-meeting.md": REPORT,
                      "site.yaml": BASELINE["site.yaml"] + setting})
    build(site)
    words = _indexed_words(site / "output")
    assert "zorblax" in words and "meet" in words  # the lead and the title ("meeting", stemmed)
    assert ("vuncrat" in words) is later_found
    page = (site / "output/activities/planned-meeting/index.html").read_text(encoding="utf-8")
    assert "vuncrat session" in page and "zorblax workshop" in page


def test_an_unknown_search_text_is_a_located_error(make_site: Any) -> None:
    site = make_site({"site.yaml": BASELINE["site.yaml"] + "search_text: everything\n"})
    run = run_sitegen("check", str(site))
    assert run.returncode == 1
    assert "site.yaml:5:1: error:" in run.stderr and "'search_text' must be lead or full, not 'everything'" in run.stderr


def test_the_printed_results_leave_out_the_filters_and_the_more_button(served: str, browser: Any,
                                                                         tmp_path: Path) -> None:
    """On paper, the results as shown: not "▶ Filter activities" nor a "More results" button."""
    pdf = tmp_path / "search.pdf"
    with _search(browser, f"{served}search/?q=border") as session:
        assert session.page.locator("#search-more").is_visible()
        session.page.pdf(path=str(pdf), format="A4")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert " results for “border”. 1. Border security (area)" in text, text[:300]
    assert "Filter activities" not in text and "More results" not in text
