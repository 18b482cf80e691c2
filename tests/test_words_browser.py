"""The site's scripts speak through the page's words (#site-words, `i18n.script_words`).

The built example site's list and search pages get a different words JSON (every message
marked, Arabic plural rules and digits); filter.js and search.js must show those words, pick
the plural form by the language's rule and write numbers in its digits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel import Locale

from tests import browser_support as bs

REPO = Path(__file__).resolve().parent.parent
BASE = "/progress/"
LANG = "ar-u-nu-arab"  # Arabic plural rules (six categories), Arabic-Indic digits
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
WORDS = {
    "lang": LANG,
    "loading": "[loading]",
    "loading_index": "[loading the index]",
    "needs_http_filter": "[filter needs HTTP]",
    "needs_http_search": "[search needs HTTP]",
    "search_unavailable": "[no search index]",
    "matches": {c: f"[{c}] {{n}} [match]" for c in CATEGORIES},
    "results": {c: f"[{c}] {{n}} [for] {{q}}" for c in CATEGORIES},
    "no_matches": "[none match]",
    "no_results": "[nothing for] {q}",
    "not_in_any": "[no page has] {word}",
    "not_in_several": "[no page has any of] {words}",
    "quoted": "[q]{word}[/q]",
    "unknown_filter": "[no page filed under] {value}",
    "kinds": {k: f"[{k}]" for k in ("activity", "area", "indicator", "country", "report", "page")},
    "statuses": {s: f"[{s}]" for s in ("planned", "in-progress", "completed", "postponed", "cancelled")},
    "comma": "[,]",
    "rescheduled": "[rescheduled]",
    "rescheduled_from": "[rescheduled from] {date}",
    # (a pattern with quoted text and a quote: "[16]' [m12] 2019")
    "date": {"pattern": "'['d']''' MMM y", "months": [f"[m{m}]" for m in range(1, 13)]},
}
WORDS_ELEMENT = re.compile(r'<script type="application/json" id="site-words">(.*?)</script>')


def shown(n: int) -> str:
    """`n` as the scripts should write it: its plural category and Arabic-Indic digits."""
    return f"[{Locale('ar').plural_form(n)}] {str(n).translate(str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩'))}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = bs.build_example(tmp_path_factory.mktemp("words") / "output")
    for path in (out / "activities/index.html", out / "search/index.html"):
        html = path.read_text(encoding="utf-8")
        found = WORDS_ELEMENT.search(html)
        assert found, path
        english = json.loads(found.group(1))
        assert english["lang"] == "en" and set(english) == set(WORDS)
        html = html.replace(found.group(0), found.group(0).replace(found.group(1), json.dumps(WORDS)))
        # The filters go through data/activities-index.json (the path of a paginated list,
        # which shows the status words of the JSON).
        html = html.replace('data-paginated="no"', 'data-paginated="yes"')
        path.write_text(html, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    with bs.serve_directory(built, BASE) as url:
        yield url


def test_filter_shows_the_words_of_the_page(built: Path, served: str, browser: Any) -> None:
    activities = json.loads((built / "data/activities.json").read_text(encoding="utf-8"))
    expected = [a for a in activities if a["status"] == "completed"]
    assert len(expected) > 2
    with bs.open_page(browser, served + "activities/") as session:
        page = session.page
        page.select_option("select[name=status]", "completed")
        page.wait_for_function("() => !document.getElementById('filter-count').textContent.startsWith('[loading')")
        assert page.locator("#filter-count").inner_text() == f"{shown(len(expected))} [match]"
        metas = page.locator("#activity-list .meta").all_inner_texts()
        assert len(metas) == len(expected) and all("\u00a0· [completed]" in m for m in metas)
        # the areas, types and countries of the items the script writes: named as the page
        # names them (the filters' options), not by their keys and codes ("AT[,]DE")
        options = page.locator("select[name=country] option")
        countries = dict(zip(options.evaluate_all("os => os.map(o => o.value)"), options.all_inner_texts()))
        assert any("[,]" in m for m in metas), metas[:3]
        assert not [m for m in metas if re.search(r"\b[A-Z]{2}\b", m)]
        assert any(countries["UA"] in m for m in metas)
        # in alphabetical order, as the build writes them
        from sitegen.i18n import collation_key
        listed = [m.rsplit("\u00a0· ", 1)[1].split("[,]") for m in metas if "[,]" in m.rsplit("\u00a0· ", 1)[1]]
        assert listed and all(names == sorted(names, key=collation_key) for names in listed), listed[:3]
        # the dates as the words' pattern writes them
        starts = {a["id"]: a["start"] for a in expected}
        ids = page.locator("#activity-list li a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        for href, meta in zip(ids, metas):
            year, month, day = (int(x) for x in starts[href.rstrip("/").split("/")[-1]].split("-"))
            assert meta.startswith(f"[{day}]' [m{month}] {year}\u00a0· "), meta
        # an activity that moved: "rescheduled from" its first start, in the words and the date pattern
        moved = dict(zip(ids, metas))["../activities/2019-10-14-border-officers-course-mongolia/"]
        assert "\u00a0· [completed]\u00a0· [rescheduled from] [13]' [m5] 2019\u00a0· " in moved, moved
        # none: a sentence of its own, not "[zero] ٠ [match]"
        years = sorted({a["start"][:4] for a in activities})
        status, year = next((s, y) for s in ("planned", "cancelled", "postponed") for y in years
                            if not any(a["status"] == s and a["start"].startswith(y) for a in activities))
        page.select_option("select[name=status]", status)
        page.select_option("select[name=year]", year)
        page.wait_for_function("() => document.getElementById('filter-count').textContent === '[none match]'")
        assert page.locator("#activity-list li:visible").count() == 0
        assert session.console_errors == []
    with bs.open_page(browser, (built / "activities/index.html").as_uri() + "?status=completed") as session:
        session.page.wait_for_function(
            "() => document.getElementById('filter-count').textContent === '[filter needs HTTP]'")


def test_search_shows_the_words_of_the_page(built: Path, served: str, browser: Any) -> None:
    with bs.open_page(browser, served + "search/?q=illustrative") as session:
        page = session.page
        page.wait_for_selector("#search-results li")
        n = page.locator("#search-results li").count()
        said = page.locator("#search-status").inner_text()
        found = re.fullmatch(r"\[(\w+)\] ([٠-٩]+) \[for\] illustrative", said)
        assert found, said
        total = int(found.group(2).translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")))
        assert said == f"{shown(total)} [for] illustrative"
        assert 0 < n == min(total, 10)  # (10 at a time)
        firsts = [i.split("\n")[0] for i in page.locator("#search-results li").all_inner_texts()]
        assert any(i.endswith(" ([page])") for i in firsts), firsts
        assert all(re.search(r" \(\[(activity|area|indicator|country|report|page)\]\)$", i) for i in firsts), firsts
        assert session.console_errors == []
    with bs.open_page(browser, served + "search/?q=zzqxv") as session:  # (none: a sentence of its own)
        session.page.wait_for_function(
            "() => document.getElementById('search-status').textContent === '[nothing for] zzqxv'")
    # two words no page holds, each quoted, listed as the language lists alternatives (Arabic's
    # "أو"); and a filter value no page has
    with bs.open_page(browser, served + "search/?q=training%20Kyeev%20zzqxv&status=finished") as session:
        session.page.wait_for_function("() => document.getElementById('search-status').textContent.includes('[no page')")
        said = session.page.locator("#search-status").inner_text()
        assert said.endswith(" [no page has any of] [q]Kyeev[/q] أو [q]zzqxv[/q] [no page filed under] finished"), said
    with bs.open_page(browser, (built / "search/index.html").as_uri() + "?q=illustrative") as session:
        session.page.wait_for_function(
            "() => document.getElementById('search-status').textContent === '[search needs HTTP]'")
