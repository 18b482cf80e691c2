"""The pages per tag, partner and activity type (#18) in headless Chromium, served under a
sub-path: clean (status 200, charts drawn, no axe violation, no console error, no request
elsewhere, every link answered), and found by the search under their kind."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import browser_support as bs

BASE = "/progress/"
PAGES = ["tags/", "tags/central-asia/", "partners/", "partners/interpol/", "partners/unodc/", "types/",
         "types/training-course/", "activities/2019-11-18-drug-intelligence-course-bishkek/"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bs.build_example(tmp_path_factory.mktemp("example") / "output")


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    with bs.serve_directory(built, BASE) as url:
        yield url


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_are_clean_and_their_links_answer(path: str, built: Path, served: str, browser: Any) -> None:
    with bs.open_page(browser, served + path) as session:
        assert session.status == 200, path
        total, drawn = bs.plotly_charts_drawn(session.page)
        assert total == (built / path / "index.html").read_text(encoding="utf-8").count('class="plot"') == drawn
        violations = bs.run_axe(session.page)
        assert not violations, f"{path}:\n{bs.format_violations(violations)}"
        assert session.console_errors == [] and session.external_requests == [], path
        hrefs = session.page.evaluate("() => Array.from(document.querySelectorAll('main a[href]')).map(a => a.href)")
        for href in hrefs:
            if href.startswith(served):
                assert session.page.request.get(href).status == 200, (path, href)


def test_the_search_finds_a_tag_page_as_a_tag(served: str, browser: Any) -> None:
    with bs.open_page(browser, served + "search/?q=Central%20Asia") as session:
        page = session.page
        page.wait_for_selector("#search-results li")
        items = page.evaluate("() => Array.from(document.querySelectorAll('#search-results li'))"
                              ".map(li => [li.querySelector('a').getAttribute('href'), li.textContent])")
        found = [text for href, text in items if href == f"{BASE}tags/central-asia/"]
        assert found and re.search(r"Central Asia\s*\(tag\)", found[0]), items[:5]


@pytest.mark.parametrize("path", ["tags/", "tags/central-asia/", "partners/"])
def test_readable_on_a_phone_and_printed(path: str, served: str, browser: Any) -> None:
    with bs.open_page(browser, served + path, viewport={"width": 390, "height": 740}, is_mobile=True) as session:
        page = session.page
        bs.plotly_charts_drawn(page)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
        assert page.locator(".menu-toggle").is_visible() and not page.locator("#site-menu").is_visible()
        page.locator(".menu-toggle").click()
        assert page.locator("#site-menu a[href$='results/']").is_visible()  # (Results: in the folded menu)
        page.emulate_media(media="print")
        assert not page.locator("nav[aria-label=Main]").is_visible() and page.locator("h1").is_visible()
