"""Embeddable charts (#19): every chart has a chrome-less embed page and a copyable <iframe>
snippet. Pasted into a page of another origin (a second local server), the snippet shows
the drawn chart in Chromium, the iframe takes the chart's height, nothing is logged as an
error, and no request leaves the two local origins.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import browser_support as bs
from tests.sitekit import REPO, example_in

BASE = "/progress/"
# a chart on a page: its id and title, and its embed snippet
CHART = re.compile(r'<figure class="chart[^"]*" id="([^"]+)"[^>]*>\s*<figcaption>\s*<h\d id="\1-title">(.*?)</h\d>', re.S)
SNIPPET = re.compile(r'<textarea id="([^"]+)-embed" class="embed-code"[^>]*>(.*?)</textarea>', re.S)
# the embed pages' own elements
EMBED_HEIGHT = "() => Math.ceil(document.querySelector('[data-embed]').getBoundingClientRect().height)"
TRACES = "() => document.querySelectorAll('.plot svg.main-svg g.trace').length"


def _build(site: Path, out: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr


def _site_with_base_url(root: Path, base_url: str, languages: str = "") -> Path:
    """A copy of the example site published at `base_url` (in `languages`, if given)."""
    if languages:
        site = example_in(root, languages)
    else:
        site = root / "site"
        shutil.copytree(REPO / "content", site / "content")
        if (REPO / "templates").is_dir():
            shutil.copytree(REPO / "templates", site / "templates")
        shutil.copy(REPO / "site.yaml", site / "site.yaml")
    text = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(re.sub(r"(?m)^base_url: .*$", f"base_url: {base_url}", text), encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The example site built for, and served at, http://127.0.0.1:<port>/progress/."""
    root = tmp_path_factory.mktemp("embed")
    out = root / "output"
    with bs.serve_site(out, BASE) as server:  # (started first: the build needs its address)
        _build(_site_with_base_url(root, server.base_url), out)
        yield out, server.base_url


def _snippets(page: Path) -> dict[str, str]:
    """The embed snippets of a built page by chart id, as a reader copies them."""
    return {cid: html.unescape(code) for cid, code in SNIPPET.findall(page.read_text(encoding="utf-8"))}


def _html_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if "embed" not in p.relative_to(out).parts[:2])


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_every_chart_has_an_embed_page_that_names_it(served: tuple[Path, str]) -> None:
    out, base_url = served
    seen = 0
    for page in _html_pages(out):
        text = page.read_text(encoding="utf-8")
        found = CHART.findall(text)
        snippets = _snippets(page)
        assert sorted(snippets) == sorted(cid for cid, _ in found), page
        for cid, title in found:
            src = re.search(r'<iframe src="([^"]+)" title="([^"]*)"', snippets[cid])
            assert src is not None, (page, cid)
            assert src.group(1) == f"{base_url}embed/{cid}/" and src.group(2) == title
            embed = (out / src.group(1)[len(base_url):] / "index.html").read_text(encoding="utf-8")
            assert f'<h1 id="{cid}-title">{title}</h1>' in embed, (page, cid)
            assert f"<title>{title} · " in embed
            assert '<meta name="robots" content="noindex">' in embed
            seen += 1
    assert seen == len(list((out / "embed").iterdir())) >= 20


def test_embed_pages_stay_out_of_the_sitemap_and_the_search_index(served: tuple[Path, str]) -> None:
    out, _ = served
    assert "/embed/" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    fragments = sorted((out / "pagefind/fragment").iterdir())
    assert fragments
    urls = [json.loads(gzip.decompress(f.read_bytes())[len(b"pagefind_dcd"):])["url"] for f in fragments]
    assert [u for u in urls if "/embed/" in u] == [] and any("/activities/" in u for u in urls)


@pytest.mark.parametrize("chart", ["dashboard-status", "area-firearms-timeline"])
def test_the_snippet_shows_the_chart_on_another_origin(chart: str, served: tuple[Path, str], browser: Any,
                                                       tmp_path: Path) -> None:
    out, base_url = served
    page_of = {"dashboard-status": "index.html", "area-firearms-timeline": "areas/firearms/index.html"}
    snippet = _snippets(out / page_of[chart])[chart]
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Another site</title></head>\n'
        f"<body><h1>Another site</h1>\n<p>A chart from elsewhere:</p>\n{snippet}\n<p>After the chart.</p>\n"
        "</body></html>\n", encoding="utf-8")
    figure = json.loads(re.search(rf'id="{chart}-figure">(.*?)</script>',
                                  (out / page_of[chart]).read_text(encoding="utf-8"), re.S).group(1))
    with bs.serve_directory(tmp_path, "/blog/") as host_url, bs.open_page(browser) as session:
        assert _origin(host_url) != _origin(base_url)
        session.goto(host_url)
        frame_el = session.page.locator("iframe")
        # (the height the snippet starts with: the embed page may have resized the iframe already)
        placeholder = re.search(r"height:(\d+px)", snippet).group(1)
        frame = frame_el.element_handle().content_frame()
        frame.wait_for_selector(".plot svg.main-svg", timeout=15000)
        # the chart is drawn inside the iframe, with a trace per series of its figure
        assert frame.url == f"{base_url}embed/{chart}/"
        assert frame.evaluate(TRACES) == len(figure["data"])
        assert frame.locator("h1").inner_text() == figure_title(out / page_of[chart], chart)
        assert frame.evaluate("() => document.querySelector('details.chart-data').open") is False
        # the iframe takes the height of its content: nothing cut off, nothing to scroll
        session.page.wait_for_function(
            """(want) => Math.abs(document.querySelector('iframe').getBoundingClientRect().height - want) < 1""",
            arg=frame.evaluate(EMBED_HEIGHT), timeout=10000)
        shown = frame.evaluate(EMBED_HEIGHT)
        if abs(shown - int(placeholder[:-2])) >= 1:  # (a chart as tall as the guess needs no resizing)
            assert session.page.evaluate("() => document.querySelector('iframe').style.height") != placeholder
        assert frame.evaluate("() => document.documentElement.scrollHeight <= document.documentElement.clientHeight")
        # it follows the content: a reader opens the data table, the iframe grows with it
        before = frame_el.bounding_box()["height"]
        frame.locator("details.chart-data summary").click()
        session.page.wait_for_function(
            "(h) => document.querySelector('iframe').getBoundingClientRect().height > h + 50", arg=before,
            timeout=10000)
        assert session.console_errors == []
        allowed = {_origin(base_url), _origin(host_url)}
        assert session.requests and all(_origin(u) in allowed for u in session.requests), session.requests
        assert any(u.startswith(f"{base_url}assets/plotly") for u in session.requests)
        assert session.external_requests == [] and all(s < 400 for s in session.responses.values())


def figure_title(page: Path, chart: str) -> str:
    return html.unescape(dict(CHART.findall(page.read_text(encoding="utf-8")))[chart])


def test_the_embed_page_reads_without_javascript_and_passes_axe(served: tuple[Path, str], browser: Any) -> None:
    _, base_url = served
    with bs.open_page(browser, f"{base_url}embed/dashboard-status/", java_script_enabled=False) as session:
        assert session.status == 200
        page = session.page
        assert page.locator("table").is_visible()  # the data table, open without a chart
        assert page.locator("header, nav, footer").count() == 0
        source = page.locator(".embed-source a").first
        assert source.get_attribute("target") == "_blank"
        assert source.get_attribute("href") == "../../#dashboard-status"
        assert page.locator(".embed-source time").get_attribute("datetime") == "2019-12-31"
        assert page.locator('a[download]').get_attribute("href") == "../../data/charts/dashboard-status.csv"
    with bs.open_page(browser, f"{base_url}embed/dashboard-status/") as session:
        assert bs.plotly_charts_drawn(session.page) == (1, 1)
        violations = bs.run_axe(session.page)
        assert not violations, bs.format_violations(violations)
        assert session.console_errors == [] and session.external_requests == []
        # the source link leads to the chart on its page
        href = session.page.locator(".embed-source a").first.get_attribute("href")
        target = urllib.parse.urljoin(session.page.url, href)
        assert target == f"{base_url}#dashboard-status"


def test_the_embed_control_copies_its_snippet(served: tuple[Path, str], browser: Any) -> None:
    out, base_url = served
    want = _snippets(out / "index.html")["dashboard-status"]
    with bs.open_page(browser, base_url, permissions=["clipboard-read", "clipboard-write"]) as session:
        page = session.page
        control = page.locator("#dashboard-status details.chart-embed")
        assert not page.locator("#dashboard-status-embed").is_visible()
        # by keyboard: the summary opens it, the snippet is selected, the button copies it
        control.locator("summary").focus()
        page.keyboard.press("Enter")
        assert page.locator("#dashboard-status-embed").is_visible()
        assert page.locator("label[for=dashboard-status-embed]").inner_text()
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "dashboard-status-embed"
        selected = "() => { const t = document.activeElement; return t.value.slice(t.selectionStart, t.selectionEnd); }"
        assert page.evaluate(selected) == want
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('#dashboard-status .embed-status').textContent !== ''")
        assert page.evaluate("() => navigator.clipboard.readText()") == want
        assert control.locator(".embed-status").inner_text() == "Copied"
        page.emulate_media(media="print")
        assert not control.is_visible()
        assert session.console_errors == []


def test_embed_pages_in_each_language(tmp_path: Path) -> None:
    base_url = "https://example.org/progress/"
    out = tmp_path / "output"
    _build(_site_with_base_url(tmp_path, base_url, "[en, fr, ar]"), out)
    for code, folder, tag in (("en", "", '<html lang="en">'), ("fr", "fr/", '<html lang="fr">'),
                              ("ar", "ar/", '<html lang="ar" dir="rtl">')):
        snippets = _snippets(out / folder / "index.html")
        assert snippets, code
        for cid, snippet in snippets.items():
            assert f'src="{base_url}{folder}embed/{cid}/"' in snippet
            embed = (out / folder / "embed" / cid / "index.html").read_text(encoding="utf-8")
            assert embed.startswith(f"<!DOCTYPE html>\n{tag}\n"), (code, cid)
            assert f'href="{"../../../" if folder else "../../"}assets/site.css"' in embed
            assert f'href="../../data/charts/{cid}.csv"' in embed
    # the words are the page's language
    fr = (out / "fr/embed/dashboard-status/index.html").read_text(encoding="utf-8")
    en = (out / "embed/dashboard-status/index.html").read_text(encoding="utf-8")
    assert "Data as of" in en and "Data as of" not in fr
