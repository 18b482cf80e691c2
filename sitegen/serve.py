"""`sitegen serve`: build into a private preview folder, serve it, rebuild on every change
and reload open tabs.

- The preview folder is a fresh temporary folder (removed on exit); the site's output/
  is never touched, and the reload script is added to HTML responses by the server only,
  so `sitegen build` output never contains it.
- A watcher (watchfiles) on the site folder triggers rebuilds for changes to site.yaml,
  content/ and templates/ (hidden files, editor backups and output/ are ignored; atomic
  saves by rename are seen). Changes that arrive during a rebuild cause one more rebuild.
- Open pages load /__sitegen/live.js, which listens to /__sitegen/events (Server-Sent
  Events) and reloads the page when a rebuild changed something.
- While the content has errors, every HTML request gets an error page (status 500) that
  names each problem's file, line and message; fixing the file brings the site back.
- It serves from the start: while the first build runs, what it has not written yet is a
  "building" page (status 503) that reloads by itself; the open tabs' pages are written
  first (incremental.Builder, render_pass.py). A stop signal then ends it at once.
- Safety: 127.0.0.1 by default; requests whose Host header is not the server's own name are
  refused (403, DNS rebinding); paths are decoded once and refused when they contain
  `..`, `.`-segments, hidden names, backslashes, NUL or encoded slashes; the file is
  resolved and must lie inside the preview folder (symlinks out of it: 403).
"""

from __future__ import annotations

import functools
import gc
import html
import mimetypes
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .errors import Problem, counted
from .incremental import Builder, Outcome
from .watch import watch

EVENTS = "/__sitegen/events"
SCRIPT = "/__sitegen/live.js"
LIVE_JS = b"""(function () {
  var s = document.currentScript, g = s ? s.getAttribute("data-generation") : null;
  if (!window.EventSource) return;
  var es = new EventSource("/__sitegen/events");
  es.addEventListener("hello", function (e) { if (g !== null && e.data !== g) location.reload(); });
  es.addEventListener("reload", function (e) {
    // "generation folders languages": the language folders ("-": the first language's) whose
    // pages are written; a multilingual site writes the open tabs' language first
    // pages (URL paths) or language folders ("-": the first language's), then the pages
    // that were reloaded before: a tab's page is written first, then the others
    var p = e.data.split(" "), ready = (p[1] || "*").split(","), folders = (p[2] || "").split(",");
    var skip = (p[3] || "").split(","), here = location.pathname;
    var top = here.split("/")[1] || "", mine = folders.indexOf(top) >= 0 ? top : "-";
    if (skip.indexOf(here) >= 0) return;
    if (ready[0] !== "*" && ready.indexOf(mine) < 0 && ready.indexOf(here) < 0) return;
    es.close(); location.reload();
  });
})();
"""
TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".json": "application/json", ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8", ".xml": "application/xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".ico": "image/x-icon", ".pdf": "application/pdf",
    ".woff2": "font/woff2", ".woff": "font/woff", ".map": "application/json",
}


def content_type(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name == "feed.xml":
        return "application/atom+xml; charset=utf-8"
    ext = os.path.splitext(name)[1].lower()
    if ext in TYPES:
        return TYPES[ext]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class Live:
    """The shared state: generation counter, current errors, and waiting event streams."""

    def __init__(self) -> None:
        self.generation = 1
        self.errors: list[Problem] | None = None
        self.cond = threading.Condition()
        self.stopping = False
        self.ready = "*"  # the pages or language folders the last reload is for ("-": the first's)
        self.skip = ""  # the pages that the last reload is not for (reloaded before it)
        self.folders = ""  # the folders of the site's other languages
        self.viewers: dict[str, int] = {}  # the top folder of each open tab's page -> tabs
        self.building = True  # until the first build is published: what is not written yet
        # is answered with building_page

    def publish(self, errors: list[Problem] | None, ready: str = "*", skip: str = "", done: bool = True) -> None:
        """A reload of the tabs `ready` names, but not of those `skip` names; `done`: the
        first build has ended, if it had not."""
        with self.cond:
            self.building = self.building and not done
            self.errors = errors
            self.ready = ready if errors is None else "*"
            self.skip = skip if errors is None else ""
            self.generation += 1
            self.cond.notify_all()

    def viewing(self, page: str, delta: int) -> None:
        """A tab showing `page` (a URL path) opened (+1) or closed (-1) its event stream."""
        with self.cond:
            self.viewers[page] = self.viewers.get(page, 0) + delta
            if self.viewers[page] <= 0:
                del self.viewers[page]

    def pages(self) -> set[str]:
        """The pages open in tabs (URL paths)."""
        with self.cond:
            return set(self.viewers)

    def viewed(self, languages: tuple[str, ...]) -> set[str]:
        """The languages open in tabs ("" for the first), of the site's `languages`."""
        with self.cond:
            tops = {page.split("/")[1] if page.count("/") > 1 else "" for page in self.viewers}
        return {top if top in languages[1:] else "" for top in tops}

    def stop(self) -> None:
        with self.cond:
            self.stopping = True
            self.cond.notify_all()


def error_page(problems: list[Problem], generation: int) -> bytes:
    """The page shown for every HTML request while the site has errors."""
    items = []
    for p in problems:
        loc = p.path + (f":{p.line}" + (f":{p.column}" if p.column else "") if p.line else "")
        hint = f"<br><span class=hint>{html.escape(p.hint)}</span>" if p.hint else ""
        items.append(f"<li><code>{html.escape(loc)}</code>: {html.escape(p.severity)}: "
                     f"{html.escape(p.message)}{hint}</li>")
    n = len(problems)
    text = (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content=\"width=device-width, initial-scale=1\"><title>sitegen: "
        f"{counted(n, 'error')}</title><style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem;"
        "max-width:60rem}h1{color:#a00;line-height:1.2}li{margin:.5rem 0}"
        "code{background:#f4f4f4;padding:0 .2rem;overflow-wrap:anywhere}"
        ".hint{color:#555}</style></head><body>\n"
        f"<h1>The site has {counted(n, 'error')}</h1>\n<p>Fix the files below and save; this page "
        "reloads by itself when the site builds again.</p>\n<ul class=problems>\n"
        + "\n".join(items) + "\n</ul>\n"
        f'<script src="{SCRIPT}" data-generation="{generation}"></script>\n</body></html>\n')
    return text.encode("utf-8")


def building_page(generation: int) -> bytes:
    """The page shown, while the first build runs, for what it has not written yet."""
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content=\"width=device-width, initial-scale=1\"><title>sitegen: building the site"
        "</title><noscript><meta http-equiv=refresh content=2></noscript><style>body{font:16px/1.5 "
        "system-ui,sans-serif;margin:2rem;max-width:60rem}h1{line-height:1.2}</style></head><body>\n"
        "<h1>Building the site\u2026</h1>\n<p>The preview is making this site for the first time. "
        "This page shows itself as soon as it is written.</p>\n"
        f'<script src="{SCRIPT}" data-generation="{generation}"></script>\n</body></html>\n').encode()


def inject(page: bytes, generation: int) -> bytes:
    tag = f'<script src="{SCRIPT}" data-generation="{generation}"></script>'.encode()
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


def safe_target(root: str, raw: str) -> tuple[int, str]:
    """(200, file) | (301, location) | (403|404, "") for a request path under `root` (real path)."""
    path = raw.split("?", 1)[0].split("#", 1)[0]
    low = path.lower()
    if not path.startswith("/") or "\\" in path or "\x00" in path or any(
            bad in low for bad in ("%2f", "%5c", "%00")):
        return 404, ""
    try:
        decoded = urllib.parse.unquote(path, errors="strict")
    except UnicodeDecodeError:
        return 404, ""
    if "\\" in decoded or "\x00" in decoded:
        return 404, ""
    parts = decoded.split("/")[1:]
    if any(p in (".", "..") or p.startswith(".") for p in parts):
        return 404, ""
    rel = "/".join(p for p in parts if p)
    real = os.path.realpath(os.path.join(root, rel)) if rel else root
    if real != root and not real.startswith(root + os.sep):
        return 403, ""
    if os.path.isdir(real):
        if not decoded.endswith("/"):
            return 301, urllib.parse.quote(decoded + "/")
        real = os.path.realpath(os.path.join(real, "index.html"))
        if not real.startswith(root + os.sep):
            return 403, ""
    if not os.path.isfile(real):
        return 404, ""
    return 200, real


def make_handler(root: Path, hosts: set[str], live: Live) -> type[BaseHTTPRequestHandler]:
    """A request handler class serving `root` (its real path) for the names in `hosts`."""
    real_root = os.path.realpath(root)

    class Handler(BaseHTTPRequestHandler):
        server_version = "sitegen-preview"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_HEAD(self) -> None:
            self._handle(head=True)

        def do_GET(self) -> None:
            self._handle(head=False)

        def _send(self, status: int, ctype: str, body: bytes, head: bool,
                  extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _handle(self, head: bool) -> None:
            host = (self.headers.get("Host") or "").strip().lower()
            if host not in hosts:
                self._send(403, "text/plain; charset=utf-8",
                           b"403 Forbidden: unknown Host header (sitegen serves only its own address)\n",
                           head)
                return
            path = self.path.split("?", 1)[0]
            if path == EVENTS:
                self._events()
                return
            if path == SCRIPT:
                self._send(200, TYPES[".js"], LIVE_JS, head)
                return
            status, target = safe_target(real_root, self.path)
            generation, errors = live.generation, live.errors
            if status == 301:
                self._send(301, "text/plain; charset=utf-8", b"", head, {"Location": target})
                return
            if status == 403:
                self._send(403, "text/plain; charset=utf-8", b"403 Forbidden\n", head)
                return
            if status == 404 and live.building:
                self._send(503, TYPES[".html"], building_page(generation), head, {"Retry-After": "2"})
                return
            if status == 404:
                target = os.path.join(real_root, "404.html")
            html_page = target.endswith(".html")
            if html_page and errors:
                self._send(500, TYPES[".html"], error_page(errors, generation), head)
                return
            try:
                with open(target, "rb") as fh:
                    body = fh.read()
            except OSError:
                self._send(404, "text/plain; charset=utf-8", b"404 Not Found\n", head)
                return
            if html_page:
                body = inject(body, generation)
            self._send(status, content_type(target), body, head)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Accel-Buffering", "no")
            self.end_headers()
            with live.cond:
                seen = live.generation
            page = urllib.parse.urlsplit(self.headers.get("Referer") or "").path or "/"
            live.viewing(page, 1)
            try:
                self.wfile.write(f"retry: 1000\nevent: hello\ndata: {seen}\n\n".encode())
                self.wfile.flush()
                while True:
                    with live.cond:
                        # (called at once, inside this iteration: the current `seen` is meant)
                        live.cond.wait_for(lambda: live.stopping or live.generation != seen,  # noqa: B023
                                           timeout=15)
                        now, stopping = live.generation, live.stopping
                    if stopping:
                        return
                    if now != seen:
                        seen = now
                        self.wfile.write(f"event: reload\ndata: {now} {live.ready} {live.folders} {live.skip}\n\n"
                                         .encode())
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except OSError:
                return
            finally:
                live.viewing(page, -1)

    return Handler


def own_names(host: str, port: int) -> set[str]:
    """Host header values that name this server (anything else is refused)."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    names.add(f"[{host}]" if ":" in host and not host.startswith("[") else host)
    if host in ("0.0.0.0", "::", ""):
        try:
            hostname = socket.gethostname()
            names.add(hostname.lower())
            for info in socket.getaddrinfo(hostname, None):
                addr = str(info[4][0])
                names.add(f"[{addr}]" if ":" in addr else addr)
        except OSError:
            pass
    out = {f"{n.lower()}:{port}" for n in names}
    if port == 80:
        out |= {n.lower() for n in names}
    return out


class _Stopped(KeyboardInterrupt):  # (let through where Ctrl-C is; no `except Exception` takes it)
    """A stop signal (SIGTERM, SIGHUP) came during the first build: run() ends at once."""


class Preview:
    """The running preview: server thread, watcher thread, rebuild thread."""

    def __init__(self, site_dir: Path, host: str, port: int):
        self.site_dir = site_dir
        self.folder = Path(tempfile.mkdtemp(prefix="sitegen-preview-"))
        try:
            self._start(host, port)
        except BaseException:  # a port in use, Ctrl-C...: no preview, so no preview folder
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def _start(self, host: str, port: int) -> None:
        """The builder and the listening server (not serving yet)."""
        self.serving = False  # whether serve_forever was called (shutdown() waits for it)
        self.serving_lock = threading.Lock()
        self.rebuilder: threading.Thread | None = None
        self.live = Live()
        self.builder = Builder(self.site_dir, self.folder, search_report=self.search_report,
                               viewers=self.viewers)
        self.dirty = threading.Event()
        self.pending: set[str] = set()  # paths changed since the last rebuild
        self.pending_lock = threading.Lock()
        self.stop_event = threading.Event()
        self.signalled = False  # (by stop_by_signal)
        self.first_build = False  # whether run() is in the first build
        self.warned: set[str] = set()  # the warnings of the last good build (report says the new ones)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET

        class Server(ThreadingHTTPServer):
            address_family = family
            daemon_threads = True
            # (on Windows SO_REUSEADDR lets a second server take a port in use, and the
            # browser keeps talking to the first: there, a port in use is an error)
            allow_reuse_address = sys.platform != "win32"

            def handle_error(self, request: Any, client_address: Any) -> None:
                # A tab closed, or a page left, while its response was being sent: nothing
                # went wrong here (socketserver would print a traceback for each)
                if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
                    super().handle_error(request, client_address)

        self.server = Server((host.strip("[]"), port), make_handler(self.folder, set(), self.live))
        self.port = self.server.server_address[1]
        self.host = host
        handler = make_handler(self.folder, own_names(host.strip("[]"), self.port), self.live)
        self.server.RequestHandlerClass = handler
        shown = f"[{host.strip('[]')}]" if ":" in host else host
        if host.strip("[]") in ("0.0.0.0", "::", ""):
            shown = "127.0.0.1"  # listening everywhere: this machine's own address works
        self.url = f"http://{shown}:{self.port}/"

    def report(self, outcome: Outcome, first: bool = False) -> None:
        """A build's line in the terminal, then its errors, or the warnings the build before
        it had not (all of them after the first build, as `sitegen build` lists them): a
        misspelt key saved in the editor is said at once, and not again at each save."""
        if first and outcome.ok:
            print(f"built {outcome.written} files in {outcome.ms:.0f} ms "
                  f"({counted(len(outcome.problems), 'warning')})", flush=True)
        elif first:
            print(f"first build: {counted(len(outcome.problems), 'error')}, the browser shows them", flush=True)
        elif outcome.changed or not outcome.ok:
            warned = f" ({counted(len(outcome.problems), 'warning')})" if outcome.ok and outcome.problems else ""
            print(outcome.line() + warned, flush=True)
        if not outcome.ok:
            for p in outcome.problems:
                sys.stderr.write(p.text() + "\n")
            sys.stderr.flush()
        elif not outcome.interrupted:  # (an interrupted build's problems are not all known)
            texts = [p.text() for p in outcome.problems]
            for text in texts:
                if text not in self.warned:
                    sys.stderr.write(text + "\n")
            sys.stderr.flush()
            self.warned = set(texts)

    def search_report(self, problem: str) -> None:
        """What the background search indexing says when its outcome changes."""
        if problem:
            sys.stderr.write(f"sitegen: warning: {problem}\n")
            sys.stderr.flush()
        else:  # (after a problem)
            print("search index made again", flush=True)

    def rebuild_loop(self) -> None:
        while not self.stop_event.is_set():
            if not self.dirty.wait(0.5) or self.stop_event.is_set():
                continue
            self.dirty.clear()
            with self.pending_lock:
                hint, self.pending = self.pending, set()
            early: list[frozenset[str]] = []
            reload_first = functools.partial(self._reload_first, early)
            try:
                outcome = self.builder.rebuild(hint, reload_first if self.live.errors is None else None,
                                               self.dirty.is_set)
            except Exception as exc:  # keep serving: an unexpected failure is shown like an error
                internal = Problem("(sitegen)", 0, 0, "error", f"internal error: {exc!r}")
                outcome = Outcome(False, [internal], [])
            self.report(outcome)
            if not outcome.interrupted:  # (else the next rebuild, for the newer change, writes the rest)
                self._published(outcome, early)

    def viewers(self, languages: tuple[str, ...]) -> tuple[set[str], set[str]]:
        """The pages open in tabs and their languages (of the site's `languages`), which a
        rebuild renders first (Builder.viewing_pages, Builder.viewing)."""
        return self.live.pages(), self.live.viewed(languages)

    def _published(self, outcome: Outcome, early: list[frozenset[str]]) -> None:
        """Reload the tabs a rebuild changed, but those `early` reloaded already (their
        pages, their languages); the first build's end always reloads."""
        languages = self.builder.site.config.languages if self.builder.site is not None else ()
        self.live.folders = ",".join(languages[1:])
        errors = None if outcome.ok else outcome.problems
        if errors != self.live.errors or (outcome.ok and (outcome.written or outcome.removed)) or early \
                or self.live.building:
            done = set().union(*early)
            rest = [code or "-" for code in ("", *languages[1:]) if code not in done]
            skip = ",".join(sorted(x for x in done if x.startswith("/")))
            self.live.publish(errors, ",".join(rest) if early and errors is None else "*", skip)

    def _reload_first(self, early: list[frozenset[str]], ready: frozenset[str]) -> None:
        """The open tabs' pages, or the rest of their languages, are written (Builder.rebuild):
        reload those tabs now (`ready`: URL paths of pages, or language codes)."""
        early.append(ready)
        done = set().union(*early[:-1])
        skip = ",".join(sorted(x for x in done if x.startswith("/")))
        self.live.publish(None, ",".join(sorted(x if x.startswith("/") else x or "-" for x in ready)), skip,
                          done=False)

    def serve_loop(self) -> None:
        with self.serving_lock:  # (close() either sees `serving` or stops this from serving)
            if self.stop_event.is_set():
                return
            self.serving = True
        self.server.serve_forever()

    def changed(self, paths: set[str]) -> None:
        with self.pending_lock:
            self.pending |= paths
        self.dirty.set()

    def watch_loop(self) -> None:
        watch(self.site_dir, self.changed, self.stop_event)

    def run(self, open_browser: bool) -> int:
        if self.signalled:
            return 0
        self.first_build = True  # (a stop signal ends it: stop_by_signal)
        try:
            # Served from the start: while the first build runs, a page not written yet is a
            # "building" page, and the pages open in tabs are written first and reloaded (at
            # 10,000 activities the home page shows after ~2 s, the whole site after ~15 s).
            threading.Thread(target=self.serve_loop, daemon=True).start()
            print(f"serving {self.url}", flush=True)
            if self.host not in ("127.0.0.1", "localhost", "::1", "[::1]"):
                print(f"warning: listening on {self.host}: the preview is reachable from the network", flush=True)
            if open_browser:
                import webbrowser
                threading.Thread(target=webbrowser.open, args=(self.url,), daemon=True).start()
            watcher = threading.Thread(target=self.watch_loop, daemon=True)
            watcher.start()  # before the first build: changes made during it trigger a rebuild
            early: list[frozenset[str]] = []
            outcome = self.builder.rebuild(early=functools.partial(self._reload_first, early))
            self.first_build = False
        except _Stopped:
            return 0
        # The parsed site is long-lived: keep it out of the garbage collector's full passes,
        # which otherwise cost ~100 ms per rebuild on large sites.
        gc.collect()
        gc.freeze()
        self._published(outcome, early)
        self.report(outcome, first=True)  # (after: a tab that connects once it is said is up to date)
        self.rebuilder = threading.Thread(target=self.rebuild_loop, daemon=True)
        self.rebuilder.start()
        try:
            while not self.signalled and not self.stop_event.wait(0.25):
                pass
        except KeyboardInterrupt:
            pass
        return 0

    def stop_by_signal(self, *_: object) -> None:
        """The handler of SIGTERM and SIGHUP: run() ends within 0.25 s, or at once during
        the first build (which may take a minute: it is stopped as Ctrl-C stops it). It takes
        no lock: a signal's handler runs in the main thread, which may hold stop_event's own
        lock, inside stop_event.wait (Event.set() here would then wait for ever)."""
        self.signalled = True
        if self.first_build:
            self.first_build = False  # (once: a second signal does not stop the stopping)
            raise _Stopped

    def close(self) -> None:
        """Stop serving and remove the preview folder, however the preview ended."""
        try:
            with self.serving_lock:
                self.stop_event.set()
                serving = self.serving
            self.dirty.set()  # wakes the rebuild loop, which then sees stop_event and ends
            self.live.stop()
            if serving:  # (shutdown() would wait forever for a loop that never ran)
                self.server.shutdown()
            self.server.server_close()
            if self.rebuilder is not None and self.rebuilder.is_alive():
                self.rebuilder.join(timeout=60)  # a rebuild under way writes into the folder
            self.builder.close()  # (and so does the search indexing)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def serve(site_dir: Path, host: str, port: int, open_browser: bool) -> int:
    """Run the preview server until interrupted (Ctrl-C or SIGTERM); exit status."""
    if not site_dir.is_dir():
        sys.stderr.write(f"sitegen: error: no such site folder: {site_dir}\n")
        return 2
    try:
        preview = Preview(site_dir, host, port)
    except OSError as exc:
        sys.stderr.write(f"sitegen: error: cannot listen on {host}:{port}: {exc.strerror or exc}\n")
        return 2
    # SIGTERM (kill) and SIGHUP (the terminal closed) stop the preview like Ctrl-C does, so
    # that its folder is removed (a signal ignored on purpose, as under nohup, stays ignored)
    stops = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None))
             if s is not None and signal.getsignal(s) is not signal.SIG_IGN]
    previous = {s: signal.signal(s, preview.stop_by_signal) for s in stops}
    try:
        return preview.run(open_browser)
    finally:
        try:
            preview.close()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
