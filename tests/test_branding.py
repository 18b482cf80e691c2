"""A site in its organisation's own look (#17): site.yaml's `logo`, `favicon`, `colors` and
`custom_css` reach every page (relative links that lead to the published files, also from a
language folder), bad values are located errors, and the phone header folds its menu behind
a "Menu" button that works with a mouse, a keyboard and without JavaScript."""

from __future__ import annotations

import posixpath
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import browser_support as bs
from tests.sitekit import BASELINE, example_in, make_site, run_sitegen, snapshot, where

LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" height="40">'
        '<circle cx="20" cy="20" r="18" fill="#ffffff"/><rect x="12" y="12" width="16" height="16" '
        'fill="#0a6b4f"/></svg>\n')
CSS = ".site-footer { border-top: 5px solid var(--accent); }\n"
BRANDING = """\
logo: logo.svg
favicon: icons/tab.png
custom_css: brand.css
colors:
  primary: "#0b3d2e"
  accent: "#0a6b4f"
"""


def png() -> bytes:
    """A 1x1 PNG (what a favicon file might be)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x0b\x3d\x2e")) + chunk(b"IEND", b""))


STATIC: dict[str, str | bytes] = {"content/static/logo.svg": LOGO, "content/static/icons/tab.png": png(),
          "content/static/brand.css": CSS}


def branded(root: Path, settings: str = BRANDING) -> Path:
    return make_site(root, {"site.yaml": BASELINE["site.yaml"] + settings, **STATIC})


def add_static(site: Path) -> None:
    for rel, data in STATIC.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def build(site: Path, out: Path) -> Path:
    run = run_sitegen("build", site, "-o", out)
    assert run.returncode == 0, run.stderr
    return out


def links(html: str) -> dict[str, str]:
    """The branding links of a page: favicon, custom stylesheet, logo ("" when absent)."""
    def find(pattern: str) -> str:
        found = re.findall(pattern, html)
        assert len(found) <= 1, (pattern, found)
        return found[0] if found else ""
    return {"favicon": find(r'<link rel="icon" href="([^"]+)" type="image/png"'),
            "css": find(r'<link rel="stylesheet" href="([^"]*brand\.css)"'),
            "logo": find(r'<img class="logo" src="([^"]+)"')}


def resolve(out: Path, page: str, href: str, base: str) -> Path:
    """The output file a link of the page at `page` leads to (the 404 page links from the
    site's base path)."""
    if href.startswith("/"):
        assert href.startswith(base), href
        return out / href[len(base):]
    return out / posixpath.normpath(posixpath.join(posixpath.dirname(page), href))


def assert_branded(out: Path, base: str) -> int:
    """Every HTML page links the favicon and the stylesheet (and, with a header, the logo) to
    the published files, after the theme's stylesheet, with the colours; returns the count."""
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    for page in pages:
        html = (out / page).read_text(encoding="utf-8")
        found = links(html)
        assert found["favicon"] and found["css"], page
        assert (resolve(out, page, found["favicon"], base)).read_bytes() == png(), page
        assert (resolve(out, page, found["css"], base)).read_text(encoding="utf-8") == CSS, page
        assert html.index("assets/site.css") < html.index("--primary: #0b3d2e;") < html.index("brand.css"), page
        assert "--accent: #0a6b4f;" in html, page
        assert 'href="data:,"' not in html, page
        assert ("data-asset" in html) == page.endswith("404.html"), page  # (its script relocates them)
        if 'class="site-header"' in html:
            assert found["logo"], page
            assert (resolve(out, page, found["logo"], base)).read_text(encoding="utf-8") == LOGO, page
    return len(pages)


def test_a_branded_site_links_its_files_from_every_page(tmp_path: Path) -> None:
    out = build(branded(tmp_path / "site"), tmp_path / "out")
    assert assert_branded(out, "/test/") > 20
    css = (out / "assets/site.css").read_text(encoding="utf-8")
    assert ".site-header { background: var(--primary);" in css
    assert "a { color: var(--accent); }" in css


def test_without_branding_pages_keep_the_theme(tmp_path: Path) -> None:
    out = build(make_site(tmp_path / "site"), tmp_path / "out")
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="data:,">' in html
    assert "<style>" not in html and 'class="logo"' not in html


def test_branding_is_the_same_bytes_twice(tmp_path: Path) -> None:
    site = branded(tmp_path / "site")
    assert snapshot(build(site, tmp_path / "a")) == snapshot(build(site, tmp_path / "b"))


def test_a_multilingual_site_links_its_files_from_the_language_folders(tmp_path: Path) -> None:
    site = example_in(tmp_path, "[en, fr]")
    (site / "site.yaml").write_text("title: Example\nbase_url: https://example.org/progress/\n"
                                    "languages: [en, fr]\nas_of: 2019-12-31\n" + BRANDING, encoding="utf-8")
    add_static(site)
    out = build(site, tmp_path / "out")
    assert (out / "fr/index.html").is_file() and not (out / "fr/logo.svg").exists()
    assert assert_branded(out, "/progress/") > 100
    fr = links((out / "fr/areas/index.html").read_text(encoding="utf-8"))
    assert fr == {"favicon": "../../icons/tab.png", "css": "../../brand.css", "logo": "../../logo.svg"}


# -- errors ---------------------------------------------------------------------------------

BAD = BASELINE["site.yaml"] + """\
logo: logos.svg
favicon: https://example.org/favicon.ico
custom_css: brand.txt
colors:
  primary: "#ffff00"
  accent: red
"""


def test_bad_branding_is_reported_where_it_is_written(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"site.yaml": BAD, **STATIC})
    run = run_sitegen("check", site)
    assert run.returncode == 1, run.stderr

    def at(needle: str) -> str:
        line, col = where(BAD, needle)
        return f"site.yaml:{line}:{col}: error: "
    assert run.errors == [
        at("logo:") + "'logo': no file content/static/logos.svg (did you mean 'logo.svg'?)",
        at("favicon:") + "'favicon': expected a file under content/static/, not an address "
        "('https://example.org/favicon.ico') (put the file in content/static/ and write its path there, "
        "e.g. favicon: favicon.svg)",
        at("custom_css:") + "'custom_css': expected a stylesheet (css), got 'brand.txt'",
        at("primary:") + "'colors.primary': the header's white text on it would be hard to read: "
        "contrast 1.07:1, WCAG AA asks for at least 4.5:1 (use a darker colour, e.g. \"#7a7a00\")",
        at("accent:") + "'colors.accent': expected a colour written #rgb or #rrggbb (in quotes), "
        "got 'red' (e.g. accent: \"#12355b\")",
    ]


@pytest.mark.parametrize(("settings", "needle", "message"), [
    ('colors: {accent: "#ffcc00"}\n', "accent:", "'colors.accent': links in this colour on the white page "
     "would be hard to read: contrast 1.51:1, WCAG AA asks for at least 4.5:1 (use a darker colour, e.g. \"#8e7200\")"),
    ("colors:\n  primary: #12355b\n", "primary:", "'colors.primary': no colour (in YAML, an unquoted # "
     "starts a comment) (put the colour in quotes: primary: \"#12355b\")"),
    ('colors: {primary: "#12355"}\n', "primary:", "'colors.primary': expected a colour written #rgb or "
     "#rrggbb (in quotes), got '#12355' (e.g. primary: \"#12355b\")"),
    ("logo: ../logo.svg\n", "logo:", "'logo': expected a path under content/static/ like 'logo.svg' or "
     "'img/logo.png', got '../logo.svg'"),
    ("logo: logo.svg\n", "logo:", "'logo': no file content/static/logo.svg (put the file in content/static/ "
     "(logo: logo.svg))"),
])
def test_each_bad_setting_is_one_located_error(tmp_path: Path, settings: str, needle: str, message: str) -> None:
    text = BASELINE["site.yaml"] + settings
    site = make_site(tmp_path / "site", {"site.yaml": text})
    run = run_sitegen("check", site)
    line, col = where(text, needle)
    assert run.returncode == 1
    assert run.errors == [f"site.yaml:{line}:{col}: error: {message}"]


def test_a_readable_primary_passes_and_is_written_in_full(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"site.yaml": BASELINE["site.yaml"] + 'colors: {primary: "#036"}\n'})
    out = build(site, tmp_path / "out")
    assert "<style>:root { --primary: #003366; }</style>" in (out / "index.html").read_text(encoding="utf-8")


def test_the_themes_stylesheet_cannot_be_replaced_but_custom_css_is_the_way(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/static/assets/site.css": CSS})
    run = run_sitegen("check", site)
    assert run.returncode == 1
    assert "content/static/assets/site.css: error: static file would overwrite the generated assets/site.css" \
        " (to add CSS after the theme's, move the file out of assets/ and name it in site.yaml: " \
        "custom_css: style.css (docs/theming.md#branding))" in run.errors


# -- the header in Chromium -----------------------------------------------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = bs.build_example(tmp_path_factory.mktemp("example") / "output")
    with bs.serve_directory(out, "/progress/") as url:
        yield url


@pytest.fixture(scope="module")
def branded_example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("branded")
    site = example_in(root, "[en, fr]")
    (site / "site.yaml").write_text("title: OSCE–INTERPOL Joint Action Plan — implementation progress\n"
                                    "base_url: https://example.org/progress/\nlanguages: [en, fr]\n"
                                    "as_of: 2019-12-31\n" + BRANDING, encoding="utf-8")
    add_static(site)
    out = build(site, root / "out")
    with bs.serve_directory(out, "/progress/") as url:
        yield url


def header_height(page: Any) -> float:
    return float(page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height"))


def menu_links_visible(page: Any) -> list[bool]:
    """Whether each of the menu's links is visible, and its search box or "Search" link (the
    box in the link's place where the menu's row has room)."""
    links = page.locator("#site-menu li:not(.nav-search) > a")
    search = page.locator("#site-menu :is(.site-search input, li.nav-search > a)")
    either = any(search.nth(i).is_visible() for i in range(search.count()))
    return [links.nth(i).is_visible() for i in range(links.count())] + [either]


def test_on_a_phone_the_menu_folds_behind_a_button(example: str, browser: Any) -> None:
    with bs.open_page(browser, example, viewport=PHONE) as session:
        page = session.page
        toggle = page.locator(".menu-toggle")
        assert toggle.is_visible() and toggle.inner_text().strip() == "Menu"
        assert toggle.get_attribute("aria-expanded") == "false"
        assert toggle.get_attribute("aria-controls") == "site-menu"
        assert header_height(page) <= 110
        assert not any(menu_links_visible(page))
        violations = bs.run_axe(page)
        assert not violations, bs.format_violations(violations)

        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        shown = menu_links_visible(page)
        assert len(shown) >= 8 and all(shown)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        violations = bs.run_axe(page)
        assert not violations, bs.format_violations(violations)

        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "false" and not any(menu_links_visible(page))
        assert session.console_errors == []


def test_the_menu_button_works_from_the_keyboard(example: str, browser: Any) -> None:
    with bs.open_page(browser, example, viewport=PHONE) as session:
        page = session.page
        focused = "document.activeElement.className + ' ' + document.activeElement.textContent.trim()"
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the title
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == "menu-toggle Menu"
        page.keyboard.press("Tab")  # a closed menu is skipped: the next link is the breadcrumb's or the page's
        assert page.evaluate("!document.getElementById('site-menu').contains(document.activeElement)")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        assert page.locator(".menu-toggle").get_attribute("aria-expanded") == "true"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Dashboard"
        page.keyboard.press("Escape")
        assert page.locator(".menu-toggle").get_attribute("aria-expanded") == "false"
        assert page.evaluate(focused) == "menu-toggle Menu"
        page.keyboard.press("Space")
        assert page.locator(".menu-toggle").get_attribute("aria-expanded") == "true"


def test_without_javascript_the_menu_stays_open(example: str, browser: Any) -> None:
    with bs.open_page(browser, example, viewport=PHONE, java_script_enabled=False) as session:
        assert not session.page.locator(".menu-toggle").is_visible()
        shown = menu_links_visible(session.page)
        assert len(shown) >= 8 and all(shown)


def test_on_a_desktop_and_on_paper_there_is_no_button(example: str, browser: Any) -> None:
    with bs.open_page(browser, example, viewport=DESKTOP) as session:
        page = session.page
        assert not page.locator(".menu-toggle").is_visible()
        assert all(menu_links_visible(page))
        assert header_height(page) <= 100  # the logo and title on one line, the menu on the next
    with bs.open_page(browser, example, viewport=PHONE) as session:
        session.page.emulate_media(media="print")
        assert not session.page.locator(".menu-toggle").is_visible()
        assert not session.page.locator("#site-menu").is_visible()


def test_a_branded_site_in_chromium(branded_example: str, browser: Any) -> None:
    with bs.open_page(browser, branded_example + "fr/", viewport=PHONE) as session:
        page = session.page
        assert session.status == 200 and session.console_errors == []
        assert all(status < 400 for status in session.responses.values()), session.responses
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") \
            == "rgb(11, 61, 46)"
        assert page.evaluate("getComputedStyle(document.querySelector('main a')).color") == "rgb(10, 107, 79)"
        assert page.evaluate("getComputedStyle(document.querySelector('.site-footer')).borderTopWidth") == "5px"
        logo = page.locator(".site-header img.logo")
        assert logo.evaluate("img => img.complete && img.naturalWidth") == 40
        assert 20 <= logo.bounding_box()["height"] <= 40
        assert header_height(page) <= 110
        toggle = page.locator(".menu-toggle")
        assert toggle.get_attribute("aria-controls") == "site-menu site-languages"
        assert not page.locator("#site-languages").is_visible()
        violations = bs.run_axe(page)
        assert not violations, bs.format_violations(violations)
        toggle.click()
        assert page.locator("#site-languages a[hreflang=en]").is_visible()
        violations = bs.run_axe(page)
        assert not violations, bs.format_violations(violations)
    with bs.open_page(browser, branded_example + "fr/", viewport=DESKTOP) as session:
        assert session.page.locator("#site-languages a[hreflang=en]").is_visible()
        assert session.page.locator(".site-header img.logo").is_visible()
