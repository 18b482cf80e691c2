"""Works from disk (issue 17): with `file_links: true` (or `build --file-links`) every link
of the example names an existing file, so the site can be browsed from file:// (clicked
through in Chromium, charts drawn); off, the pages link folders as before. The 404 page is
styled and its links lead to pages at the published base path and under any other mount.
"""

from __future__ import annotations

import html.parser
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests import browser_support as bs

REPO = Path(__file__).resolve().parent.parent
BASE = "/progress/"  # the path of the example's base_url


def build(site: Path, out: Path, *options: str) -> Path:
    run = subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out), *options],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example built with the option and without it (one after the other)."""
    root = tmp_path_factory.mktemp("example")
    return build(REPO, root / "on", "--file-links"), build(REPO, root / "off")


@pytest.fixture(scope="module")
def on(both: tuple[Path, Path]) -> Path:
    return both[0]


@pytest.fixture(scope="module")
def off(both: tuple[Path, Path]) -> Path:
    return both[1]


class _Links(html.parser.HTMLParser):
    """The href, src and action values of a page's tags."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [v for k, v in attrs if k in ("href", "src", "action") and v is not None]


def links(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def relative(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return not parts.scheme and not url.startswith(("/", "#")) and bool(parts.path)


def pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


# -- the links ----------------------------------------------------------------------------------

def test_every_relative_link_names_an_existing_file(on: Path) -> None:
    broken, walked = [], 0
    for page in pages(on):
        for url in filter(relative, links(page)):
            walked += 1
            path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
            if path.endswith("/") or not (page.parent / path).is_file():
                broken.append(f"{page.relative_to(on)}: {url}")
    assert walked > 5000  # (every page: menus, lists, charts' CSVs and embed pages, scripts)
    assert broken == []


def test_the_pages_link_index_files(on: Path) -> None:
    dashboard = links(on / "index.html")
    assert {"./index.html", "areas/index.html", "areas/firearms/index.html", "activities/index.html",
            "search/index.html", "assets/site.css"} <= set(dashboard)
    area = links(on / "areas/firearms/index.html")
    assert {"../../index.html", "../../activities/index.html", "../../areas/index.html"} <= set(area)
    assert any(re.fullmatch(r"\.\./\.\./activities/[^/]+/index\.html", u) for u in area)
    # absolute addresses stay as base_url makes them
    assert "https://example.org/progress/areas/firearms/" in area


def test_which_links_change() -> None:
    from sitegen.links import file_links

    page = ('<a href="./">a</a> <a href="../../">b</a> <a href="..">c</a> <a href="x/?area=y#z">d</a>'
            " <a href='pages/about/#top'>e</a> <form action=\"./\"></form> <img src=\"pics/\">"
            ' <a href="#main">f</a> <a href="?q=1">g</a> <a href="/progress/areas/">h</a>'
            ' <a href="https://example.org/x/">i</a> <a href="mailto:a@b.c">j</a> <link href="data:,">'
            ' <a href="data/plan.json">k</a> <a href="pages/about">l</a> <a href="">m</a>'
            ' <p>href="text/"</p> <a data-href="x/">n</a>')
    assert file_links(page) == (
        '<a href="./index.html">a</a> <a href="../../index.html">b</a> <a href="../index.html">c</a>'
        ' <a href="x/index.html?area=y#z">d</a>'
        " <a href='pages/about/index.html#top'>e</a> <form action=\"./index.html\"></form>"
        ' <img src="pics/index.html">'
        ' <a href="#main">f</a> <a href="?q=1">g</a> <a href="/progress/areas/">h</a>'
        ' <a href="https://example.org/x/">i</a> <a href="mailto:a@b.c">j</a> <link href="data:,">'
        ' <a href="data/plan.json">k</a> <a href="pages/about">l</a> <a href="">m</a>'
        ' <p>href="text/"</p> <a data-href="x/">n</a>')


def test_off_by_default_links_folders(off: Path) -> None:
    dashboard = links(off / "index.html")
    assert {"./", "areas/", "areas/firearms/", "activities/", "search/"} <= set(dashboard)
    for page in pages(off):
        assert not [u for u in links(page) if relative(u) and u.split("?")[0].endswith("index.html")], page


def _as_folders(text: str) -> str:
    """A page of the option's build with its links to index.html written as folders."""
    text = re.sub(r'((?:href|src|action)="|; url=)((?:[^"#?:]*/)?)index\.html', r"\1\2", text)  # (url=: a redirect)
    return text.replace(" data-file-links", "")


def test_the_option_changes_the_links_only(on: Path, off: Path) -> None:
    files = sorted(p.relative_to(off) for p in off.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(on) for p in on.rglob("*") if p.is_file())
    for rel in files:
        if rel.suffix == ".html":
            if rel.name == "404.html":  # (absolute links: compared in the browser below)
                continue
            assert _as_folders((on / rel).read_text(encoding="utf-8")) == (off / rel).read_text(encoding="utf-8"), rel
        else:
            assert (on / rel).read_bytes() == (off / rel).read_bytes(), rel


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_cached_builds_give_the_same_bytes(on: Path, off: Path, tmp_path: Path) -> None:
    """The option is part of every page's key: a build after one without it renders anew,
    and a build after one with it keeps the same bytes."""
    out = tmp_path / "out"
    build(REPO, out)
    assert tree(out) == tree(off)
    for _ in range(2):
        build(REPO, out, "--file-links")
        assert tree(out) == tree(on)
    build(REPO, out)
    assert tree(out) == tree(off)


def test_the_setting_in_site_yaml_and_its_check(tmp_path: Path, on: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "templates", site / "templates")
    yaml = (REPO / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(yaml + "file_links: true\n", encoding="utf-8")
    out = build(site, tmp_path / "out")
    assert (out / "index.html").read_text(encoding="utf-8").count('href="areas/firearms/index.html"') == 1
    assert not [u for u in links(out / "activities/index.html") if relative(u) and u.endswith("/")]
    line = len(yaml.splitlines()) + 1
    (site / "site.yaml").write_text(yaml + "file_links: yes please\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "sitegen", "check", str(site)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1
    assert f"site.yaml:{line}:" in run.stderr and "'file_links': expected true or false" in run.stderr


# -- from disk, in Chromium ---------------------------------------------------------------------

def _charts(session: bs.PageSession) -> int:
    total, drawn = bs.plotly_charts_drawn(session.page)
    assert drawn == total, session.page.url
    return total


def test_click_through_from_disk(on: Path, browser: Any) -> None:
    home = (on / "index.html").as_uri()
    with bs.open_page(browser, home) as session:
        page = session.page
        assert _charts(session) >= 3
        assert page.locator("svg.main-svg").count() > 0
        page.locator('main a[href="areas/firearms/index.html"]').first.click()
        page.wait_for_load_state("load")
        assert page.url == (on / "areas/firearms/index.html").as_uri()
        assert _charts(session) >= 1
        act = page.locator('main a[href^="../../activities/"][href$="/index.html"]').first
        title = act.inner_text()
        act.click()
        page.wait_for_load_state("load")
        assert re.fullmatch(re.escape((on / "activities").as_uri()) + r"/[^/]+/index\.html", page.url)
        assert page.locator("h1").inner_text() == title
        page.locator(".crumbs a").first.click()  # the breadcrumb's "Dashboard"
        page.wait_for_load_state("load")
        assert page.url == home
        assert _charts(session) >= 3
        page.go_back()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == title
        page.locator("header a.brand").click()
        page.wait_for_load_state("load")
        assert page.url == home
        assert session.console_errors == []
        assert session.page_errors == []


def test_search_from_disk_says_it_needs_a_server(on: Path, browser: Any) -> None:
    with bs.open_page(browser, (on / "search/index.html").as_uri()) as session:
        session.page.wait_for_function(
            "() => document.getElementById('search-status').textContent.includes('HTTP')")
        assert session.page.locator("#search-status").inner_text() == \
            "Search needs the site to be served over HTTP."
        session.page.locator(".site-header nav a", has_text="Activities").click()
        session.page.wait_for_load_state("load")
        assert session.page.url == (on / "activities/index.html").as_uri()
        assert session.console_errors == []


def test_filtered_list_from_disk_links_files(on: Path, browser: Any) -> None:
    with bs.open_page(browser, (on / "activities/index.html").as_uri() + "?area=firearms") as session:
        shown = session.page.locator("#activity-list li:not([hidden]) a")
        assert shown.count() > 0
        first = shown.first.get_attribute("href")
        assert first and first.endswith("/index.html")
        shown.first.click()
        session.page.wait_for_load_state("load")
        assert session.page.url.endswith("/index.html")
        assert session.console_errors == []


# -- the 404 page at any mount ------------------------------------------------------------------

def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def header_colour(off: Path, browser: Any) -> str:
    """The site header's background on a page that is styled for sure."""
    with bs.serve_site(off, BASE) as server, bs.open_page(browser, server.base_url) as session:
        colour: str = session.page.evaluate(
            "getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    return colour


MOUNTS = ["/progress/", "/", "/another/prefix/"]


@pytest.mark.parametrize("mount", MOUNTS)
@pytest.mark.parametrize("which", ["off", "on"])
def test_the_404_page_works_at_any_mount(mount: str, which: str, request: pytest.FixtureRequest,
                                         header_colour: str, browser: Any) -> None:
    root: Path = request.getfixturevalue(which)
    with bs.serve_site(root, mount) as server:
        origin = server.base_url[: -len(mount)]
        with bs.open_page(browser, origin + mount + "activities/renamed-record/deep/") as session:
            assert session.status == 404
            page = session.page
            assert page.locator("h1").inner_text() == "Page not found"
            page.wait_for_function(
                "c => getComputedStyle(document.querySelector('.site-header')).backgroundColor === c",
                arg=header_colour, timeout=5000)
            page.wait_for_function(
                "m => Array.from(document.querySelectorAll('a[data-path]')).every(a => a.pathname.startsWith(m))",
                arg=mount, timeout=5000)
            hrefs = page.eval_on_selector_all("main a, header a", "els => els.map(a => a.href)")
            assert len(hrefs) == 3
            for href in hrefs:
                assert _status(href) == 200, href
                assert href.endswith("index.html") if which == "on" else href.endswith("/"), href
            page.locator("main a", has_text="All activities").click()
            page.wait_for_load_state("load")
            assert page.locator("h1").inner_text() == "Activities"
            # its search box opens the search page with the words, at the mount too (its
            # action moved there by the page's script, as its links)
            search = origin + mount + ("search/index.html" if which == "on" else "search/")
            page.goto(origin + mount + "activities/renamed-record/deep/")
            page.wait_for_function("a => document.querySelector('main form[role=search]').action === a",
                                   arg=search, timeout=5000)
            page.fill("#notfound-q", "renamed record")
            page.press("#notfound-q", "Enter")
            page.wait_for_url(search + "?q=renamed+record")
            assert page.locator("h1").inner_text() == "Search"
            assert session.external_requests == []


def test_the_404_page_without_javascript_keeps_the_base_path(off: Path, header_colour: str,
                                                               browser: Any) -> None:
    with bs.serve_site(off, BASE) as server, \
            bs.open_page(browser, server.base_url + "no/such/page/", java_script_enabled=False) as session:
        assert session.status == 404
        assert session.page.evaluate(
            "getComputedStyle(document.querySelector('.site-header')).backgroundColor") == header_colour
        hrefs = session.page.eval_on_selector_all("main a", "els => els.map(a => a.getAttribute('href'))")
        assert hrefs == [BASE, BASE + "activities/"]
        assert session.page.eval_on_selector("main form", "f => f.getAttribute('action')") == BASE + "search/"


def test_the_404_pages_search_box_and_button_share_a_line_on_a_phone(off: Path, browser: Any) -> None:
    """Beside its label, on a phone the box left its button a line of its own: the label
    stands above them."""
    with bs.serve_site(off, BASE) as server, bs.open_page(browser, server.base_url + "no/such/page/",
                                                          viewport={"width": 390, "height": 800}) as session:
        tops = session.page.evaluate("""() => ['label', 'input', 'button'].map(
            tag => Math.round(document.querySelector('.notfound-search ' + tag).getBoundingClientRect().top))""")
        label, box, button = tops
        assert label < box and abs(box - button) <= 4, tops


def test_the_404_page_at_the_base_path_asks_nothing_more(off: Path, browser: Any) -> None:
    with bs.serve_site(off, BASE) as server, bs.open_page(browser, server.base_url + "a/b/c") as session:
        session.page.wait_for_timeout(300)
        asked = [path for _, path, _ in server.served if path.endswith("site.css")]
        assert asked == [BASE + "assets/site.css"]  # (the stylesheet, and no probe of the folders)
