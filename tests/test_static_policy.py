"""Static files by an allow-list (issue 14, item 2): every bypass class of the old
blocklist runs script in Chromium when served raw, and sitegen refuses it with a located
error; what sitegen does publish stays inert in Chromium, as a page and as an <img>.

Each payload sets `window.name` (which survives the navigation a javascript: URL makes),
so "it ran" is one property read after loading (and clicking, for links).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import browser_support as bs
from tests.sitekit import run_sitegen

SVG = 'xmlns="http://www.w3.org/2000/svg"'
RUN = "name='pwned'"
JS_URL = f"javascript:void({RUN})"

# (case, file under content/static/, bytes, selector to click or "", line of the error or None)
PAYLOADS: list[tuple[str, str, bytes, str, int | None]] = [
    # character references a blocklist does not decode (named ones: &colon; &Tab; &NewLine;)
    ("charref-colon", "colon.html",
     f'<a id="go" href="javascript&colon;void({RUN})">go</a>'.encode(), "#go", None),
    ("charref-tab", "tab.html",
     f'<a id="go" href="java&Tab;script&colon;void({RUN})">go</a>'.encode(), "#go", None),
    ("charref-newline", "newline.html",
     f'<a id="go" href="java&NewLine;script&colon;void({RUN})">go</a>'.encode(), "#go", None),
    ("charref-numeric-xlink", "xlink.svg",
     f'<svg {SVG} xmlns:xlink="http://www.w3.org/1999/xlink">\n<a id="go" '
     f'xlink:href="java&#x09;script&#58;void({RUN})"><rect width="99" height="99"/></a></svg>'.encode(),
     "#go", 2),
    # script elements under a namespace prefix, or of the XHTML namespace inside SVG
    ("ns-svg-prefix", "svgprefix.svg",
     f'<svg {SVG} xmlns:svg="http://www.w3.org/2000/svg">\n<svg:script>{RUN}</svg:script></svg>'.encode(),
     "", 2),
    ("ns-other-prefix", "xprefix.svg",
     f'<x:svg xmlns:x="http://www.w3.org/2000/svg">\n<x:script>{RUN}</x:script></x:svg>'.encode(), "", 2),
    ("ns-xhtml-in-svg", "xhtml.svg",
     f'<svg {SVG}>\n<html:script xmlns:html="http://www.w3.org/1999/xhtml">{RUN}</html:script></svg>'.encode(),
     "", 2),
    # an entity declared in the DTD that expands into a script element
    ("dtd-entity", "entity.svg",
     f'<!DOCTYPE svg [<!ENTITY x ">&#60;script>{RUN}&#60;/script>">]>\n<svg {SVG}>&x;</svg>'.encode(),
     "", 1),
    # SMIL animation turning a link into a javascript: URL
    ("animate-href", "animate.svg",
     f'<svg {SVG}>\n<a id="go"><animate attributeName="href" values="{JS_URL}"/>'
     f'<rect width="99" height="99"/></a></svg>'.encode(), "#go", 2),
    ("set-href", "set.svg",
     f'<svg {SVG}>\n<a id="go"><set attributeName="href" to="{JS_URL}"/>'
     f'<rect width="99" height="99"/></a></svg>'.encode(), "#go", 2),
    # HTML inside SVG, plain script in CDATA, UTF-16 with a BOM
    ("foreign-object", "foreign.svg",
     f'<svg {SVG}>\n<foreignObject width="99" height="99"><iframe xmlns="http://www.w3.org/1999/xhtml" '
     f'srcdoc="&lt;script>parent.{RUN}&lt;/script>"></iframe></foreignObject></svg>'.encode(), "", 2),
    ("cdata-script", "cdata.svg",
     f'<svg {SVG}>\n<script><![CDATA[{RUN}]]></script></svg>'.encode(), "", 2),
    ("utf16-bom", "utf16.svg",
     f'\ufeff<svg {SVG}><script>{RUN}</script></svg>'.encode("utf-16-le"), "", 1),
    # HTML with an iframe whose srcdoc is escaped markup
    ("iframe-srcdoc", "srcdoc.html",
     f'<iframe srcdoc="&lt;script&gt;parent.{RUN}&lt;/script&gt;"></iframe>'.encode(), "", None),
    # an XML file styled by an XSLT stylesheet that writes a script element
    ("xslt", "styled.xml",
     b'<?xml-stylesheet type="text/xsl" href="styled.xsl"?><root/>', "", None),
]
XSLT = ('<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:template match="/"><html><body><xsl:element name="script">' + RUN +
        '</xsl:element></body></html></xsl:template></xsl:stylesheet>').encode()

# Drawings sitegen publishes: editor metadata, gradients and filters referenced by url(#id),
# CSS in CDATA, animation of colours, links inside the site, inline and relative images.
PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
       "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
ALLOWED: dict[str, str] = {
    "plain.svg": f'<svg {SVG} width="64" height="64"><title>t</title><circle cx="32" cy="32" r="20"/></svg>',
    "inkscape.svg": (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<!-- Created with Inkscape -->\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        f'<svg {SVG} xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" width="64" height="64" '
        'inkscape:export-filename="C:\\drawings\\a.png">\n'
        '<sodipodi:namedview id="view" inkscape:zoom="2"/>\n'
        '<metadata><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format></cc:Work>'
        '</rdf:RDF></metadata>\n'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
        '<filter id="f"><feGaussianBlur stdDeviation="1"/></filter></defs>\n'
        '<rect width="64" height="64" style="fill:url(#g);filter:url( \'#f\' )"/>\n'
        '<use xlink:href="#view-box" x="2"/><g id="view-box"/></svg>\n'),
    "styled.svg": (f'<svg {SVG}><style><![CDATA[ rect {{ fill: url(#g) }} /* a note */ ]]></style>'
                   '<rect width="9" height="9"><animate attributeName="fill" values="red;blue" dur="1s"/>'
                   '</rect></svg>'),
    "links.svg": (f'<svg {SVG}><a href="../pages/about/"><text y="9">About</text></a>'
                  f'<a href="#top"><text y="19">Top</text></a>'
                  f'<image href="{PNG}" width="1" height="1"/><image href="plain.svg" width="9" height="9"/>'
                  '</svg>'),
}


def _ran(session: bs.PageSession, click: str) -> bool:
    """Whether the page's payload ran (clicking `click` first when given)."""
    if click:
        session.page.click(click, timeout=5000)
    session.page.wait_for_timeout(200)
    return bool(session.page.evaluate("window.name") == "pwned")


@pytest.mark.parametrize("case,name,data,click,line", PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_payload_runs_in_chromium_when_served_raw(case: str, name: str, data: bytes, click: str,
                                                   line: int | None, tmp_path: Path,
                                                   open_browser_page: Any) -> None:
    """The proof that each class matters: served as it is, Chromium runs it."""
    (tmp_path / name).write_bytes(data)
    (tmp_path / "styled.xsl").write_bytes(XSLT)
    with bs.serve_directory(tmp_path, "/") as url:
        session = open_browser_page(url + name)
        assert session.status == 200
        assert _ran(session, click), f"{case}: Chromium did not run the payload"


@pytest.mark.parametrize("case,name,data,click,line", PAYLOADS, ids=[p[0] for p in PAYLOADS])
@pytest.mark.parametrize("command", ["check", "build"])
def test_payload_is_refused_with_a_located_error(command: str, case: str, name: str, data: bytes,
                                                 click: str, line: int | None, make_site: Any) -> None:
    site = make_site({f"content/static/{name}": data})
    run = run_sitegen(command, site)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    where = f"content/static/{name}:{line}:" if line else f"content/static/{name}: error: "
    assert any(err.startswith(where) for err in run.errors), run.stderr
    assert not (site / "output").exists()


def test_xslt_stylesheet_is_refused_too(make_site: Any) -> None:
    site = make_site({"content/static/styled.xsl": XSLT})
    run = run_sitegen("check", site)
    assert run.returncode == 1
    assert any(e.startswith("content/static/styled.xsl: error: static .xsl files are refused")
               for e in run.errors), run.stderr


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site whose static folder holds every allowed drawing, built."""
    from tests.sitekit import make_site
    site = make_site(tmp_path_factory.mktemp("allowed") / "site",
                     {f"content/static/{name}": text for name, text in ALLOWED.items()})
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert "warning" not in run.stderr, run.stderr
    return site / "output"


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_published_drawings_stay_inert_in_chromium(name: str, published: Path,
                                                   open_browser_page: Any) -> None:
    assert (published / name).read_text(encoding="utf-8") == ALLOWED[name]
    (published / "img-test.html").write_text(f'<!doctype html><title>t</title><img src="{name}" alt="">',
                                             encoding="utf-8")
    try:
        with bs.serve_directory(published, "/") as url:
            for page in (name, "img-test.html"):
                session = open_browser_page(url + page, block_external=True)
                assert session.status == 200
                assert not _ran(session, ""), page
                assert session.page_errors == [], page
                assert session.external_requests == [], page
    finally:
        (published / "img-test.html").unlink()


@pytest.mark.parametrize("name,data,message", [
    ("app.js", b"alert(1)\n", "static .js files are refused"),
    ("mod.mjs", b"export {}\n", "static .mjs files are refused"),
    ("mod.wasm", b"\x00asm", "static .wasm files are refused"),
    ("logo.svgz", b"\x1f\x8b", "compressed SVG (.svgz) cannot be checked"),
    ("page.xhtml", b"<html/>", "static .xhtml files are refused"),
    ("feed.rss", b"<rss/>", "static .rss files are refused"),
    ("track.gpx", b"<gpx/>", "static .gpx files are published only when they hold no markup"),
    ("README", b"<html><script>x</script>", "files without a suffix are published only when"),
])
def test_types_refused(name: str, data: bytes, message: str, make_site: Any) -> None:
    site = make_site({f"content/static/{name}": data})
    run = run_sitegen("check", site)
    assert run.returncode == 1
    assert any(e.startswith(f"content/static/{name}") and message in e for e in run.errors), run.stderr


def test_inert_types_published_as_they_are(make_site: Any) -> None:
    files: dict[str, str | bytes] = {
        "content/static/CNAME": "progress.example.org\n",
        "content/static/report.pdf": b"%PDF-1.4\n<< /JS (app.alert(1)) >>\n",
        "content/static/extra.css": "a { color: red }\n",
        "content/static/notes.txt": "<script>inert as text/plain</script>\n",
        "content/static/data.csv": "a,b\n1,2\n",
        "content/static/track.gpx": "no markup here\n",
    }
    site = make_site(files)
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    for rel, data in files.items():
        out = site / "output" / rel[len("content/static/"):]
        assert out.read_bytes() == (data if isinstance(data, bytes) else data.encode())


def test_allow_raw_html_publishes_markup_but_never_scripts(make_site: Any) -> None:
    site = make_site({"site.yaml": "title: T\nbase_url: https://example.org/t/\nallow_raw_html: true\n",
                      "content/static/promo.html": "<p>hi</p><script>x()</script>\n",
                      "content/static/raw.svg": "<svg><script>x()</script></svg>\n"})
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert (site / "output/promo.html").is_file() and (site / "output/raw.svg").is_file()
    (site / "content/static/app.js").write_text("x()\n")
    run = run_sitegen("build", site)
    assert run.returncode == 1
    assert any(e.startswith("content/static/app.js: error: static .js files are refused")
               for e in run.errors), run.stderr


def test_large_svg_and_pipes_are_refused_without_reading_them_whole(make_site: Any) -> None:
    import os
    site = make_site({"content/static/huge.svg": b"<svg " + b" " * 20_000_001 + b"/>"})
    os.mkfifo(site / "content/static/pipe.txt")  # reading it would block the build forever
    run = run_sitegen("check", site, timeout=30)
    assert run.returncode == 1
    assert any(e.startswith("content/static/huge.svg: error: SVG files larger than 20 MB") for e in run.errors)
    assert any(e.startswith("content/static/pipe.txt: error: not a regular file") for e in run.errors)
