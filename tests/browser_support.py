"""Helpers for browser tests of built sitegen sites.

A plain module (not a conftest) so tests can import what they need::

    from tests.browser_support import serve_directory, open_page, run_axe

The pytest fixtures that wrap these (``browser``, module-scoped, and
``open_browser_page``) live in ``tests/conftest.py``.

Browsers cannot be downloaded by ``playwright install`` in CI: we drive Debian's
``chromium`` package (``/usr/bin/chromium``) through Python playwright.  Override the
path with the ``SITEGEN_CHROMIUM`` environment variable.

When ``SITEGEN_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing Chromium, playwright
or axe-core is a test *failure* instead of a skip, so CI can never go green by
silently skipping every browser test.

Nothing here imports sitegen.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import os
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_PATH = os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOCAL_HOST = "127.0.0.1"


def build_example(out: Path) -> Path:
    """This repository's example site built into `out` by `python -m sitegen build`."""
    repo = Path(__file__).resolve().parent.parent
    run = subprocess.run([sys.executable, "-m", "sitegen", "build", str(repo), "-o", str(out)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    return out


def browser_required() -> bool:
    """True when missing browser tooling must fail the run rather than skip."""
    return os.environ.get("SITEGEN_REQUIRE_BROWSER", "") not in ("", "0", "false", "no")


def skip_or_fail(reason: str) -> None:
    """``pytest.skip(reason)``, or ``pytest.fail`` when the browser is required (CI)."""
    if browser_required():
        pytest.fail(f"{reason} (SITEGEN_REQUIRE_BROWSER is set, so this is an error)")
    pytest.skip(reason)


# --------------------------------------------------------------------------- HTTP


CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".csv": "text/csv; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".wasm": "application/wasm",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"

_FALLBACK_404 = b"<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1>\n"


class StaticSiteServer(http.server.ThreadingHTTPServer):
    """Serves ``root`` the way a static host would when the site lives under ``base_path``.

    - ``GET {base_path}x/`` serves ``root/x/index.html``; ``{base_path}x`` where ``x`` is a
      folder redirects (301) to ``{base_path}x/``; there are no directory listings.
    - Any path outside ``base_path`` answers 404, as do missing files; a 404 carries the
      body of ``root/404.html`` when the site has one.
    - Paths can never escape ``root`` (``..`` segments and symlinks out of it give 404).
    - Only GET and HEAD; no logging; byte-exact bodies with ``Content-Length`` and an
      ``ETag`` (``If-None-Match`` gives 304), no ``Cache-Control`` — like nginx.

    ``served`` records ``(method, path, status)`` of every request (before its response
    is sent, so a client that has its answer can rely on the record), for assertions.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, base_path: str = "/progress/") -> None:
        self.root = Path(root).resolve()
        if not base_path.startswith("/"):
            base_path = "/" + base_path
        if not base_path.endswith("/"):
            base_path += "/"
        self.base_path = base_path
        self.served: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()
        super().__init__((LOCAL_HOST, 0), _StaticHandler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{self.base_path}"

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.served.append((method, path, status))

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Browsers drop connections mid-response all the time (navigation, aborted
        # loads); tracebacks on stderr would only be noise.
        pass


class _StaticHandler(http.server.BaseHTTPRequestHandler):
    server: StaticSiteServer
    protocol_version = "HTTP/1.1"
    server_version = "sitegen-test-server"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    # -- internals ---------------------------------------------------------------

    def _resolve(self, url_path: str) -> tuple[str, Any]:
        """Return ("file", Path) | ("redirect", location) | ("missing", None)."""
        base = self.server.base_path
        if url_path + "/" == base:
            return "redirect", base
        if not url_path.startswith(base):
            return "missing", None
        rel = urllib.parse.unquote(url_path[len(base):])
        if "\x00" in rel:
            return "missing", None
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        if any(p == ".." or "\\" in p for p in parts):
            return "missing", None
        root = self.server.root
        target = root.joinpath(*parts) if parts else root
        try:
            resolved = target.resolve()
            resolved.relative_to(root)
        except (OSError, ValueError):
            return "missing", None
        if resolved.is_dir():
            if not url_path.endswith("/"):
                return "redirect", url_path + "/"
            index = resolved / "index.html"
            return ("file", index) if index.is_file() else ("missing", None)
        if rel.endswith("/"):  # "page.html/" is not a file
            return "missing", None
        if resolved.is_file():
            return "file", resolved
        return "missing", None

    def _serve(self, send_body: bool) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        url_path = parsed.path or "/"
        kind, value = self._resolve(url_path)
        if kind == "redirect":
            location = value + (f"?{parsed.query}" if parsed.query else "")
            self.server.record(self.command, self.path, 301)
            self._send(301, b"", "text/plain; charset=utf-8", send_body,
                       extra={"Location": location})
            return
        if kind == "file":
            try:
                body = value.read_bytes()
            except OSError:
                kind = "missing"
            else:
                ctype = CONTENT_TYPES.get(value.suffix.lower(), DEFAULT_CONTENT_TYPE)
                # Like nginx: a strong validator, no Cache-Control; 304 on a match.
                etag = '"%s"' % hashlib.sha1(body).hexdigest()[:20]
                if etag in (self.headers.get("If-None-Match") or ""):
                    self.server.record(self.command, self.path, 304)
                    self._send(304, b"", ctype, False, extra={"ETag": etag},
                               content_length=False)
                    return
                self.server.record(self.command, self.path, 200)
                self._send(200, body, ctype, send_body, extra={"ETag": etag})
                return
        not_found = self.server.root / "404.html"
        body = not_found.read_bytes() if not_found.is_file() else _FALLBACK_404
        self.server.record(self.command, self.path, 404)
        self._send(404, body, "text/html; charset=utf-8", send_body)

    def _send(self, status: int, body: bytes, ctype: str, send_body: bool,
              extra: dict[str, str] | None = None, content_length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if content_length:
            self.send_header("Content-Length", str(len(body)))
        for key, val in (extra or {}).items():
            self.send_header(key, val)
        self.end_headers()
        if send_body and body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass


@contextlib.contextmanager
def serve_site(root: Path, base_path: str = "/progress/") -> Iterator[StaticSiteServer]:
    """Like :func:`serve_directory` but yields the server (``.base_url``, ``.served``)."""
    server = StaticSiteServer(root, base_path)
    thread = threading.Thread(target=server.serve_forever, name="static-site-server",
                              kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def serve_directory(root: Path, base_path: str = "/progress/") -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (free port) under ``base_path``; yield the base URL.

    The URL ends with the base path, e.g. ``http://127.0.0.1:43121/progress/``.
    """
    with serve_site(root, base_path) as server:
        yield server.base_url


# ------------------------------------------------------------------------ browser


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)


def launch_chromium(playwright: Any, **kwargs: Any) -> Any:
    """Launch headless Debian Chromium with our flags; returns a playwright ``Browser``.

    Extra keyword arguments go to ``playwright.chromium.launch``; ``args`` are appended
    to the default flags.
    """
    args = CHROMIUM_ARGS + list(kwargs.pop("args", []))
    kwargs.setdefault("headless", True)
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=args, **kwargs)


def is_local_url(url: str) -> bool:
    """True for URLs that never leave the machine: 127.0.0.1, file:, data:, blob: ..."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about", "javascript", "chrome-error", ""):
        return True
    return parts.hostname == LOCAL_HOST


@dataclass
class PageSession:
    """A page in its own browser context plus what happened while it was open.

    - ``console_errors``: text of every ``console.error`` message *and* every uncaught
      page error (prefixed ``"pageerror: "``) — assert it is empty for a clean page.
      Note Chromium also logs failed subresource loads (404, blocked) as console errors.
    - ``page_errors``: uncaught exceptions only.
    - ``external_requests``: URLs of requests (and web sockets) to any host other than
      127.0.0.1, in order. With ``block_external`` they were aborted.
    - ``responses``: final HTTP status by URL (a later response to the same URL wins).
    - ``requests``: every URL requested, in order; ``failed_requests``: ``(url, error)``.
    """

    page: Any
    context: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    responses: dict[str, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[tuple[str, str]] = field(default_factory=list)
    main_response: Any = None

    @property
    def status(self) -> int | None:
        """HTTP status of the navigation made by :func:`open_page` (None if no URL)."""
        return self.main_response.status if self.main_response is not None else None

    def goto(self, url: str, wait_until: str = "load", **kwargs: Any) -> Any:
        response = self.page.goto(url, wait_until=wait_until, **kwargs)
        self.main_response = response
        return response

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.context.close()

    def __enter__(self) -> "PageSession":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def open_page(browser: Any, url: str | None = None, *, block_external: bool = True,
              wait_until: str = "load", java_script_enabled: bool = True,
              **context_kwargs: Any) -> PageSession:
    """Open ``url`` in a fresh context of ``browser`` and record what the page does.

    Returns a :class:`PageSession` (usable as a context manager; it closes its browser
    context).  ``session.status`` is the HTTP status of the navigation.

    With ``block_external`` (default) every request is routed: requests to hosts other
    than 127.0.0.1 are recorded and aborted.  Playwright disables the HTTP cache while
    routing is on, so pass ``block_external=False`` to test caching across pages
    (external requests are then still recorded, just not blocked).
    """
    context = browser.new_context(java_script_enabled=java_script_enabled, **context_kwargs)
    page = context.new_page()
    session = PageSession(page=page, context=context)

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            location = msg.location or {}
            where = location.get("url", "")
            session.console_errors.append(f"{msg.text} ({where})" if where else msg.text)

    def on_page_error(error: Any) -> None:
        text = str(error)
        session.page_errors.append(text)
        session.console_errors.append(f"pageerror: {text}")

    def on_request(request: Any) -> None:
        session.requests.append(request.url)
        if not block_external and not is_local_url(request.url):
            session.external_requests.append(request.url)

    def on_response(response: Any) -> None:
        session.responses[response.url] = response.status

    def on_request_failed(request: Any) -> None:
        session.failed_requests.append((request.url, request.failure or ""))

    def on_websocket(ws: Any) -> None:
        if not is_local_url(ws.url.replace("ws", "http", 1)):
            session.external_requests.append(ws.url)

    def route_handler(route: Any) -> None:
        url = route.request.url
        if is_local_url(url):
            route.continue_()
        else:
            session.external_requests.append(url)
            route.abort("blockedbyclient")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("websocket", on_websocket)
    if block_external:
        context.route("**/*", route_handler)
    if url is not None:
        try:
            session.goto(url, wait_until=wait_until)
        except Exception:
            session.close()
            raise
    return session


# --------------------------------------------------------------------------- axe


_AXE_RUN = """
async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}
"""


def run_axe(page: Any, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1 A+AA rules) on the page; return its violations.

    Each violation is ``{"id", "impact", "help", "helpUrl", "nodes": [{"target",
    "html", "summary"}]}``. Skips the test (fails under SITEGEN_REQUIRE_BROWSER) when
    ``node_modules/axe-core/axe.min.js`` is missing: run ``npm ci`` in the repo root.
    """
    if not AXE_PATH.is_file():
        skip_or_fail(f"axe-core not installed ({AXE_PATH} missing): run `npm ci` "
                     "in the repository root")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol rather than page.add_script_tag: an
        # injected inline <script> is blocked by a Content-Security-Policy without
        # 'unsafe-inline' and would log a console error the test then sees.
        page.evaluate(AXE_PATH.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(_AXE_RUN, tags or AXE_TAGS)


def format_violations(violations: list[dict[str, Any]]) -> str:
    """Readable multi-line summary of :func:`run_axe` output, for assert messages."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} [{v.get('impact')}]: {v.get('help', '')}")
        for node in v.get("nodes", [])[:5]:
            lines.append(f"    {node.get('target')}  {node.get('html', '')[:120]}")
        if len(v.get("nodes", [])) > 5:
            lines.append(f"    ... {len(v['nodes']) - 5} more")
    return "\n".join(lines)


# ------------------------------------------------------------------------ plotly


_CHARTS_JS = """
() => {
  const all = Array.from(document.querySelectorAll('[data-chart], .js-plotly-plot'))
    .filter(el => !['SCRIPT', 'TEMPLATE'].includes(el.tagName));
  // A .js-plotly-plot inside (or on) a [data-chart] element is the same chart.
  const charts = all.filter(el => el.hasAttribute('data-chart') ||
                                  !(el.parentElement && el.parentElement.closest('[data-chart]')));
  const drawn = charts.filter(el => el.querySelector('svg.main-svg') !== null).length;
  const plotly = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const plotlyDone = plotly.every(el => el.querySelector('svg.main-svg') !== null);
  return {total: charts.length, drawn: drawn, done: plotlyDone && drawn === charts.length};
}
"""


def plotly_charts_drawn(page: Any, timeout: float = 10.0) -> tuple[int, int]:
    """Wait until every chart is drawn (or ``timeout`` seconds); return (total, drawn).

    A chart is an element with a ``data-chart`` attribute, or a ``.js-plotly-plot``
    element not inside one (``<script>``/``<template>`` carriers are ignored); it is
    drawn when it contains Plotly's ``svg.main-svg``. Never raises on timeout: compare
    the two numbers.
    """
    try:
        page.wait_for_function(f"() => ({_CHARTS_JS})().done", timeout=timeout * 1000,
                               polling=100)
    except Exception as exc:  # playwright TimeoutError; anything else is real
        if "Timeout" not in type(exc).__name__:
            raise
    result = page.evaluate(_CHARTS_JS)
    return result["total"], result["drawn"]
