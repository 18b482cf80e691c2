"""Self-test of the browser harness (tests/browser_support.py): it must be able to fail.

Uses a hand-written static folder, never sitegen.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser_support import (
    format_violations,
    plotly_charts_drawn,
    run_axe,
    serve_directory,
    serve_site,
)

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
<header><nav aria-label="Main"><a href="{href}">{link}</a></nav></header>
<main><h1>{title}</h1>{body}</main>
</body>
</html>
"""


def page(title: str, body: str = "", href: str = "./", link: str = "Home") -> str:
    return PAGE.format(title=title, body=body, href=href, link=link)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "about").mkdir(parents=True)
    (root / "scripted").mkdir()
    (root / "external").mkdir()
    (root / "unlabeled").mkdir()
    (root / "broken").mkdir()
    (root / "charts").mkdir()
    (root / "assets").mkdir()
    (root / "data").mkdir()
    (root / "index.html").write_text(
        page("Home", "<p>Welcome.</p>", href="about/", link="About"), encoding="utf-8")
    (root / "404.html").write_text(
        page("Page not found", "<p>SITE-404-MARKER</p>", href="/progress/"), encoding="utf-8")
    (root / "about" / "index.html").write_text(page("About", href="../"), encoding="utf-8")
    (root / "assets" / "app.js").write_text(
        "document.getElementById('out').textContent = 'script ran';\n", encoding="utf-8")
    (root / "scripted" / "index.html").write_text(
        page("Scripted", '<p id="out">script did not run</p>'
             '<script src="../assets/app.js"></script>', href="../"), encoding="utf-8")
    (root / "external" / "index.html").write_text(
        page("External", '<img src="https://example.com/x.png" alt="remote">', href="../"),
        encoding="utf-8")
    (root / "unlabeled" / "index.html").write_text(
        page("Unlabeled", '<form><input type="text" name="q"></form>', href="../"),
        encoding="utf-8")
    (root / "broken" / "index.html").write_text(
        page("Broken", "<script>undefinedFunction();</script>"
             '<script src="../assets/missing.js"></script>', href="../"), encoding="utf-8")
    # A fake "Plotly" chart: one drawn, one never drawn.
    (root / "charts" / "index.html").write_text(
        page("Charts",
             '<div data-chart="a" class="js-plotly-plot"><svg class="main-svg"></svg></div>'
             '<div data-chart="b"></div>', href="../"), encoding="utf-8")
    (root / "data" / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (root / "data" / "x.json").write_text("{}", encoding="utf-8")
    (root / "feed.xml").write_text("<feed/>", encoding="utf-8")
    (root / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>",
                                   encoding="utf-8")
    return root


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_server_paths_and_content_types(site: Path) -> None:
    with serve_directory(site) as base:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/progress/")
        origin = base[: -len("/progress/")]

        status, headers, body = fetch(base)
        assert status == 200 and b"Welcome." in body
        assert headers["Content-Type"].startswith("text/html")

        status, _, body = fetch(base + "about/")
        assert status == 200 and b"<h1>About</h1>" in body

        status, headers, _ = fetch(base + "about")
        assert status == 301 and headers["Location"] == "/progress/about/"
        status, headers, _ = fetch(origin + "/progress")
        assert status == 301 and headers["Location"] == "/progress/"

        for path in ("/", "/index.html", "/about/", "/other/progress/"):
            status, _, body = fetch(origin + path)
            assert status == 404, path
            assert b"SITE-404-MARKER" in body, path

        for path in ("nope/", "nope.html", "about/index.html/", "../index.html",
                     "%2e%2e/index.html", "assets/"):
            status, _, body = fetch(base + path)
            assert status == 404, path
            assert b"SITE-404-MARKER" in body, path

        expected = {
            "assets/app.js": "application/javascript",
            "data/x.json": "application/json",
            "data/x.csv": "text/csv",
            "feed.xml": "application/xml",
            "logo.svg": "image/svg+xml",
        }
        for path, ctype in expected.items():
            status, headers, _ = fetch(base + path)
            assert status == 200, path
            assert headers["Content-Type"].split(";")[0] == ctype, path


def test_server_revalidation(site: Path) -> None:
    with serve_directory(site) as base:
        status, headers, _ = fetch(base + "assets/app.js")
        assert status == 200 and headers["ETag"]
        request = urllib.request.Request(base + "assets/app.js",
                                         headers={"If-None-Match": headers["ETag"]})
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("expected 304")
        except urllib.error.HTTPError as err:
            assert err.code == 304


def test_server_records_requests_and_custom_base(site: Path) -> None:
    with serve_site(site, base_path="/") as server:
        assert server.base_url.endswith(":%d/" % server.server_address[1])
        assert fetch(server.base_url + "about/")[0] == 200
        assert fetch(server.base_url + "missing")[0] == 404
        assert ("GET", "/about/", 200) in server.served
        assert ("GET", "/missing", 404) in server.served


def test_clean_page(site: Path, open_browser_page) -> None:  # type: ignore[no-untyped-def]
    with serve_directory(site) as base:
        session = open_browser_page(base)
        assert session.status == 200
        assert session.page.title() == "Home"
        session.page.click("text=About")
        session.page.wait_for_url(base + "about/")
        assert session.responses[base + "about/"] == 200
        assert session.console_errors == []
        assert session.external_requests == []
        assert run_axe(session.page) == []

        session = open_browser_page(base + "scripted/")
        assert session.status == 200
        assert session.page.text_content("#out") == "script ran"
        assert session.responses[base + "assets/app.js"] == 200
        assert session.console_errors == []
        assert session.external_requests == []


def test_outside_base_path_is_404(site: Path, open_browser_page) -> None:  # type: ignore[no-untyped-def]
    with serve_directory(site) as base:
        origin = base[: -len("/progress/")]
        session = open_browser_page(origin + "/about/")
        assert session.status == 404
        assert "SITE-404-MARKER" in session.page.content()
        session = open_browser_page(base + "does-not-exist/")
        assert session.status == 404


def test_external_request_is_recorded_and_blocked(site: Path, open_browser_page) -> None:  # type: ignore[no-untyped-def]
    with serve_directory(site) as base:
        session = open_browser_page(base + "external/")
        assert session.status == 200
        assert session.external_requests == ["https://example.com/x.png"]
        assert "https://example.com/x.png" not in session.responses  # aborted, no answer

        session = open_browser_page(base + "external/", block_external=False)
        assert "https://example.com/x.png" in session.external_requests


def test_errors_are_recorded(site: Path, open_browser_page) -> None:  # type: ignore[no-untyped-def]
    with serve_directory(site) as base:
        session = open_browser_page(base + "broken/")
        assert session.status == 200
        assert any("undefinedFunction" in e for e in session.page_errors)
        assert any(e.startswith("pageerror:") for e in session.console_errors)
        assert session.responses[base + "assets/missing.js"] == 404
        assert any("404" in e for e in session.console_errors), session.console_errors


def test_axe_finds_unlabeled_input(site: Path, open_browser_page) -> None:  # type: ignore[no-untyped-def]
    with serve_directory(site) as base:
        session = open_browser_page(base + "unlabeled/")
        violations = run_axe(session.page)
        ids = {v["id"] for v in violations}
        assert "label" in ids, format_violations(violations)
        label = next(v for v in violations if v["id"] == "label")
        assert label["impact"] in ("critical", "serious")
        assert label["nodes"][0]["target"] == ["input"]
        assert "label" in format_violations(violations)


def test_axe_works_under_strict_csp(tmp_path: Path, open_browser_page) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\">"
        "<title>CSP</title></head><body><main><h1>CSP</h1>"
        '<input type="text"></main></body></html>', encoding="utf-8")
    with serve_directory(tmp_path) as base:
        session = open_browser_page(base)
        assert "label" in {v["id"] for v in run_axe(session.page)}
        assert session.console_errors == []  # injecting axe must not trip the CSP


def test_plotly_chart_counting(site: Path, open_browser_page) -> None:  # type: ignore[no-untyped-def]
    with serve_directory(site) as base:
        session = open_browser_page(base + "charts/")
        assert plotly_charts_drawn(session.page, timeout=0.5) == (2, 1)
        session = open_browser_page(base)
        assert plotly_charts_drawn(session.page) == (0, 0)


def test_pages_opened_from_disk(site: Path, open_browser_page) -> None:  # type: ignore[no-untyped-def]
    session = open_browser_page((site / "scripted" / "index.html").as_uri())
    assert session.page.text_content("#out") == "script ran"
    assert session.external_requests == []
    assert session.console_errors == []
    session = open_browser_page((site / "external" / "index.html").as_uri())
    assert session.external_requests == ["https://example.com/x.png"]


def test_javascript_disabled(site: Path, open_browser_page) -> None:  # type: ignore[no-untyped-def]
    with serve_directory(site) as base:
        session = open_browser_page(base + "scripted/", java_script_enabled=False)
        assert session.page.text_content("#out") == "script did not run"
