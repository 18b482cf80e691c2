"""`sitegen serve`: a real server subprocess on a free port, real files edited on disk.

What an editor notices: the page changes after a save and open tabs get a reload event;
mistakes show in the browser with file and line and go away when fixed; deleted records'
pages are gone; save storms leave the right final state. Plus what an attacker tries:
path traversal and foreign Host headers. The incremental builder is checked against a
fresh full build, byte for byte, after sequences of edits.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from sitegen import datafiles
from sitegen.build import build
from sitegen.incremental import Builder
from sitegen.serve import make_handler, own_names
from tests.sitekit import BASELINE, REPO, make_site, run_sitegen, snapshot

TIMEOUT = 20.0
ACT = "content/activities/firearms-workshop.md"


def poll(check: Callable[[], Any], timeout: float = TIMEOUT, what: str = "") -> Any:
    """Call `check` until it returns a true value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}: last={last!r}")


class Server:
    def __init__(self, proc: subprocess.Popen[str], url: str, site: Path,
                 lines: queue.Queue[str] | None = None):
        self.proc, self.url, self.site = proc, url, site
        self.lines = lines  # what it prints, line by line
        self.port = int(url.rsplit(":", 1)[1].strip("/"))

    def get(self, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            conn.putrequest("GET", path, skip_host=True)
            conn.putheader("Host", host or f"127.0.0.1:{self.port}")
            conn.endheaders()
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def text(self, path: str) -> tuple[int, str]:
        status, _, body = self.get(path)
        return status, body.decode("utf-8")

    def write(self, rel: str, text: str) -> None:
        """An editor's atomic save: write a temporary file beside it, then rename."""
        path = self.site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


class Events:
    """Collects Server-Sent Events from /__sitegen/events in a thread."""

    def __init__(self, port: int, page: str = ""):
        """`page`: the URL path of the tab these events are for (as its Referer tells the
        server), if any."""
        self.queue: queue.Queue[tuple[str, str]] = queue.Queue()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Host": f"localhost:{port}"}
        if page:
            headers["Referer"] = f"http://localhost:{port}{page}"
        self.conn.request("GET", "/__sitegen/events", headers=headers)
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.getheader("Content-Type") == "text/event-stream"
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event, data = "message", ""
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    return
                text = line.decode("utf-8").rstrip("\n")
                if text.startswith("event:"):
                    event = text[6:].strip()
                elif text.startswith("data:"):
                    data = text[5:].strip()
                elif text == "":
                    if data:
                        self.queue.put((event, data))
                    event, data = "message", ""
        except (OSError, ValueError):
            return

    def next(self, name: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no '{name}' event within {timeout} s")
            try:
                event, data = self.queue.get(timeout=left)
            except queue.Empty:
                continue
            if event == name:
                return data

    def close(self) -> None:
        self.conn.close()


@contextlib.contextmanager
def running_server(tmp_path: Path, site: Path | None = None, built: bool = True) -> Iterator[Server]:
    """`python3 -m sitegen serve SITE --port 0` on a copy of the test site (or on `site`),
    once its first build is done (or at once, not `built`); always stopped."""
    if site is None:
        site = make_site(tmp_path / "site", {"content/static/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n"})
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SITEGEN_AS_OF", None)
    err = open(tmp_path / "stderr.txt", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", str(site), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=tmp_path)
    try:
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        out = proc.stdout
        threading.Thread(target=lambda: [lines.put(ln) for ln in out], daemon=True).start()
        first = lines.get(timeout=60)
        assert first.startswith("serving http://127.0.0.1:"), first
        if built:
            assert lines.get(timeout=60).startswith("built "), "the first build failed"
        yield Server(proc, first.split()[1], site, lines)
        assert proc.poll() is None, "the server died"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        err.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path) as srv:
        yield srv


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the tests that only read."""
    with running_server(tmp_path_factory.mktemp("shared")) as srv:
        yield srv


def test_edit_gives_reload_event_and_new_content(server: Server) -> None:
    status, page = server.text("/activities/firearms-workshop/")
    assert status == 200 and "Firearms tracing workshop" in page
    assert '<script src="/__sitegen/live.js"' in page
    events = Events(server.port)
    try:
        events.next("hello")
        server.write(ACT, BASELINE[ACT].replace("Firearms tracing workshop", "Tracing seminar, Belgrade"))
        events.next("reload")
        status, page = poll(lambda: (lambda r: r if "Tracing seminar, Belgrade" in r[1] else None)(
            server.text("/activities/firearms-workshop/")), what="the new title")
        assert status == 200 and "Firearms tracing workshop" not in page
        # (the list: a rebuild writes the pages open in tabs first and reloads those early, so
        # under load the first "reload" can come before the rest of the site is written)
        poll(lambda: "Tracing seminar, Belgrade" in server.text("/activities/")[1] or None, what="the list's new title")
    finally:
        events.close()


def test_a_warning_saved_in_the_editor_is_said_once_in_the_terminal(server: Server, tmp_path: Path) -> None:
    """A misspelt key (the participants vanish from the page) is a warning: the rebuild's
    line counts it and the terminal says it, once, not again at the next save."""
    assert server.lines is not None
    warning = ("content/activities/firearms-workshop.md:8:1: warning: unknown key 'partcipants' in an activity "
               "(did you mean 'participants'?)")
    stderr = tmp_path / "stderr.txt"
    server.write(ACT, BASELINE[ACT].replace("participants: 15", "partcipants: 15"))
    line = server.lines.get(timeout=TIMEOUT)
    assert line.startswith("changed content/activities/firearms-workshop.md: ") and line.endswith(" (1 warning)\n"), line
    poll(lambda: warning in stderr.read_text(encoding="utf-8"), what="the warning on stderr")
    server.write(ACT, BASELINE[ACT].replace("participants: 15", "partcipants: 15").replace("tracing", "tracing and"))
    assert server.lines.get(timeout=TIMEOUT).endswith(" (1 warning)\n")
    server.write(ACT, BASELINE[ACT])
    assert not server.lines.get(timeout=TIMEOUT).endswith("warning)\n")
    assert stderr.read_text(encoding="utf-8").count(warning) == 1


def test_error_page_names_file_and_line_then_recovers(server: Server) -> None:
    events = Events(server.port)
    try:
        events.next("hello")
        server.write(ACT, BASELINE[ACT].replace("status: completed", "status: finished"))
        events.next("reload")
        for path in ("/activities/firearms-workshop/", "/", "/areas/firearms/", "/no-such-page/"):
            status, page = server.text(path)
            assert status == 500, path
            assert f"{ACT}:4:" in page and "unknown status &#x27;finished&#x27;" in page
            assert '<script src="/__sitegen/live.js"' in page
            assert "<meta name=viewport" in page  # (readable on a phone)
        assert server.get("/data/plan.json")[0] == 200  # data files are still served
        server.write(ACT, BASELINE[ACT])
        events.next("reload")
        status, page = server.text("/activities/firearms-workshop/")
        assert status == 200 and "Firearms tracing workshop" in page

        server.write("site.yaml", BASELINE["site.yaml"] + "title: Twice\n")
        events.next("reload")
        status, page = server.text("/")
        assert status == 500 and "site.yaml:5:" in page
        server.write("site.yaml", BASELINE["site.yaml"])
        events.next("reload")
        assert server.text("/")[0] == 200

        server.write("templates/activity.html", "{% extends 'base.html' %}\n{% block content %}\n{{ act.title }\n{% endblock %}\n")
        events.next("reload")
        status, page = server.text("/activities/firearms-workshop/")
        assert status == 500 and "templates/activity.html:3" in page
        (server.site / "templates/activity.html").unlink()
        events.next("reload")
        assert server.text("/activities/firearms-workshop/")[0] == 200
    finally:
        events.close()


def test_deleted_and_renamed_records_lose_their_pages(server: Server) -> None:
    assert server.get("/activities/planned-meeting/")[0] == 200
    (server.site / "content/activities/planned-meeting.md").unlink()
    status, page = poll(lambda: (lambda r: r if r[0] == 404 else None)(server.text("/activities/planned-meeting/")),
                        what="404 for the deleted record")
    assert "Page not found" in page and '<script src="/__sitegen/live.js"' in page
    os.replace(server.site / ACT, server.site / "content/activities/tracing-workshop.md")
    poll(lambda: server.get("/activities/tracing-workshop/")[0] == 200, what="the renamed page")
    poll(lambda: server.get("/activities/firearms-workshop/")[0] == 404, what="404 for the old name")


def test_save_storm_leaves_server_alive_and_final_content_right(server: Server) -> None:
    path = server.site / ACT
    for i in range(200):
        path.write_text(BASELINE[ACT].replace("Firearms tracing workshop", f"Storm title {i}"), encoding="utf-8")
    for i in range(20):  # and a checkout-like burst over many files
        server.write(f"content/activities/storm-{i:02d}.md",
                     BASELINE["content/activities/planned-meeting.md"].replace("Closing meeting", f"Storm meeting {i}"))
    poll(lambda: "Storm title 199" in server.text("/activities/firearms-workshop/")[1], what="the last title")
    poll(lambda: "Storm meeting 19" in server.text("/activities/storm-19/")[1], what="the last new record")
    assert server.proc.poll() is None
    assert "Storm title 199" in server.text("/activities/")[1]


@pytest.mark.parametrize("raw", [
    "/../etc/passwd", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2f..%2fetc/passwd", "/..%2F..%2Fetc%2Fpasswd", "/..\\..\\etc\\passwd", "/..%5c..%5cetc%5cpasswd",
    "/activities/../../etc/passwd", "//etc/passwd", "/%00/etc/passwd", "/./index.html", "/.sitegen",
])
def test_traversal_attempts_are_refused(shared_server: Server, raw: str) -> None:
    status, _, body = shared_server.get(raw)
    assert status in (403, 404), (raw, status)
    assert b"root:" not in body


def test_foreign_host_header_is_refused(shared_server: Server) -> None:
    for host in ("evil.example:%d" % shared_server.port, "127.0.0.1.evil.example", "localhost", "attacker.test"):
        assert shared_server.get("/", host=host)[0] == 403, host
    for host in (f"localhost:{shared_server.port}", f"127.0.0.1:{shared_server.port}", f"[::1]:{shared_server.port}"):
        assert shared_server.get("/", host=host)[0] == 200, host


def test_content_types(shared_server: Server) -> None:
    expected = {"/": "text/html; charset=utf-8", "/assets/site.js": "application/javascript",
                "/assets/site.css": "text/css", "/data/plan.json": "application/json",
                "/data/activities.csv": "text/csv", "/feed.xml": "application/atom+xml",
                "/logo.svg": "image/svg+xml"}
    for path, ctype in expected.items():
        status, headers, _ = shared_server.get(path)
        assert status == 200 and headers["content-type"].startswith(ctype), (path, headers)
    status, headers, body = shared_server.get("/activities")
    assert status == 301 and headers["location"] == "/activities/"


def test_symlinks_out_of_the_preview_folder_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "preview"
    root.mkdir()
    (root / "index.html").write_text("<html><body>home</body></html>")
    os.symlink("/etc/passwd", root / "leak.txt")
    os.symlink("/etc", root / "etc")
    from sitegen.serve import Live
    srv = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(root, set(), Live()))
    port = srv.server_address[1]
    srv.RequestHandlerClass = make_handler(root, own_names("127.0.0.1", port), Live())
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        for path in ("/leak.txt", "/etc/passwd", "/etc/"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            assert resp.status in (403, 404), path
            assert b"root:" not in body
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/", headers={"Host": f"127.0.0.1:{port}"})
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        srv.shutdown()
        srv.server_close()


def test_build_output_never_contains_the_reload_script(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    files = snapshot(site / "output")
    assert any(p.endswith(".html") for p in files)
    assert not [p for p, data in files.items() if b"__sitegen" in data or b"EventSource" in data]


# -- incremental == full build ----------------------------------------------------------

def _same_as_full_build(builder: Builder, site: Path, tmp: Path, step: str) -> None:
    """The preview equals a full build, search index included (once it is made)."""
    ref = tmp / "ref"
    if ref.exists():
        shutil.rmtree(ref)
    build(site, ref)
    assert builder.wait_for_search(60)
    got, want = snapshot(builder.out), snapshot(ref)
    diff = sorted(p for p in got.keys() | want.keys() if got.get(p) != want.get(p))
    assert not diff, f"after {step}: preview differs from a full build in {diff[:8]}"


def test_incremental_rebuilds_equal_a_full_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    preview = tmp_path / "preview"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    _same_as_full_build(builder, site, tmp_path, "the first build")
    act = site / ACT
    meeting = site / "content/activities/planned-meeting.md"
    theme = REPO / "sitegen/theme/templates/activity.html"
    steps: list[tuple[str, Callable[[], None]]] = [
        ("a body edit", lambda: act.write_text(BASELINE[ACT] + "\nMore *text*.\n")),
        ("a title edit", lambda: act.write_text(BASELINE[ACT].replace("Firearms tracing workshop", "Renamed"))),
        ("a status edit", lambda: meeting.write_text(meeting.read_text().replace("planned", "postponed", 1))),
        ("a new record", lambda: (site / "content/activities/new-one.md").write_text(
            BASELINE["content/activities/planned-meeting.md"].replace("Closing meeting", "New one")
            .replace("2020-06-01", "2019-01-15").replace("firearms", "border-security"))),
        ("a new country", lambda: act.write_text(BASELINE[ACT].replace("[RS]", "[RS, MD]"))),
        ("a deletion", lambda: meeting.unlink()),
        ("a rename", lambda: os.replace(act, site / "content/activities/renamed.md")),
        ("a YAML list edit", lambda: (site / "content/activities/list.yaml").write_text(
            BASELINE["content/activities/list.yaml"].replace("Border post assessment", "Post assessment"))),
        ("a template edit", lambda: (site / "templates").mkdir() or (site / "templates/activity.html").write_text(
            theme.read_text().replace("{% block content %}", "{% block content %}<p>custom</p>", 1))),
        ("a body edit with a custom template", lambda: (site / "content/activities/renamed.md").write_text(
            BASELINE[ACT] + "\nOther text.\n")),
        ("a template removal", lambda: shutil.rmtree(site / "templates")),
        ("a plan edit", lambda: (site / "content/plan.yaml").write_text(
            BASELINE["content/plan.yaml"].replace("target: 100", "target: 80"))),
        ("a measurement edit", lambda: (site / "content/measurements/posts.csv").write_text(
            BASELINE["content/measurements/posts.csv"] + "bs-posts,2019-12-31,8,third survey\n")),
        ("a new page", lambda: (site / "content/pages/help.md").write_text("---\ntitle: Help\n---\n\nHelp text.\n")),
        ("a static file", lambda: (site / "content/static/files").mkdir(parents=True) or
            (site / "content/static/files/a.txt").write_text("hello\n")),
        ("a static file removal", lambda: shutil.rmtree(site / "content/static")),
        ("a site.yaml edit", lambda: (site / "site.yaml").write_text(
            BASELINE["site.yaml"].replace("Test plan progress", "Other title"))),
    ]
    quick = 0
    def files() -> set[str]:
        return {os.path.join(d, f) for d, _, names in os.walk(site) for f in names
                if "/." not in os.path.join(d, f)[len(str(site)):]}

    for n, (name, change) in enumerate(steps):
        before = files()
        change()
        # as the server does: the paths the watcher saw (here: all, before and after) as a
        # hint; every other step without one
        hint = before | files() if n % 2 else None
        outcome = builder.rebuild(hint)
        assert outcome.ok, (name, outcome.problems)
        quick += builder.quick
        _same_as_full_build(builder, site, tmp_path, name)
    assert quick >= 3  # edits of known files took the watcher-hint path
    # an error keeps the last good site; the fix is diffed against it
    (site / "content/activities/new-one.md").write_text("---\ntitle: x\n")
    assert not builder.rebuild().ok
    (site / "content/activities/new-one.md").unlink()
    assert builder.rebuild().ok
    _same_as_full_build(builder, site, tmp_path, "an error and its fix")


def test_a_static_file_edited_to_carry_script_is_refused_by_the_preview(tmp_path: Path) -> None:
    """The preview judges a static file again when its bytes change, not only when it appears."""
    site = make_site(tmp_path / "site")
    logo = site / "content/static/logo.svg"
    logo.parent.mkdir(parents=True, exist_ok=True)
    clean = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>\n'
    logo.write_text(clean, encoding="utf-8")
    builder = Builder(site, tmp_path / "preview")
    assert builder.rebuild().ok
    logo.write_text(clean.replace("<rect", "<script>alert(1)</script><rect"), encoding="utf-8")
    outcome = builder.rebuild({str(logo)})
    assert not outcome.ok and any(p.path == "content/static/logo.svg" for p in outcome.problems)
    assert (tmp_path / "preview/logo.svg").read_text(encoding="utf-8") == clean
    logo.write_text(clean, encoding="utf-8")
    assert builder.rebuild({str(logo)}).ok


def test_body_edit_renders_only_the_pages_that_show_it(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    builder = Builder(site, tmp_path / "preview")
    first = builder.rebuild()
    (site / ACT).write_text(BASELINE[ACT] + "\nA new paragraph.\n")
    outcome = builder.rebuild()
    assert outcome.ok and not outcome.full and outcome.changed == [ACT]
    assert outcome.rendered < first.rendered


def test_body_edits_take_the_short_path_and_equal_a_full_build(tmp_path: Path) -> None:
    """Every step is given the watcher's paths, as in the server; body edits of activity
    files take the body-edit path, anything else the general one, and the preview stays
    byte-identical to a full build throughout."""
    site = make_site(tmp_path / "site")
    preview = tmp_path / "preview"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    act, course = site / ACT, site / "content/activities/2018-03-05-border-course.md"
    meeting = site / "content/activities/planned-meeting.md"
    renamed = site / "content/activities/renamed.md"
    theme = REPO / "sitegen/theme/templates/activity.html"

    def edit(path: Path, old: str, new: str) -> None:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    def broken() -> None:
        (site / "content/activities/planned-meeting.md").write_text("---\ntitle: x\n")
        act.write_text(act.read_text() + "\nWhile another file is broken.\n")

    def footer(text: str) -> None:
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates/site_footer.html").write_text(text)

    def add_template() -> None:
        (site / "templates").mkdir()
        (site / "templates/activity.html").write_text(
            theme.read_text().replace("{% block content %}", "{% block content %}<p>custom</p>", 1))

    # (name, change, paths the watcher reports, body-edit path expected, rebuild succeeds)
    steps: list[tuple[str, Callable[[], None], list[Path], bool, bool]] = [
        ("a body edit at the end", lambda: edit(act, "tracing.\n", "tracing.\n\nMore *text*.\n"), [act], True, True),
        ("a body edit of the first line", lambda: edit(act, "A workshop", "A seminar"), [act], True, True),
        ("body edits of two files", lambda: (edit(act, "seminar", "course"), edit(course, "\n---\n", "\n---\n\nNew start.\n")),
         [act, course], True, True),
        ("a first body", lambda: meeting.write_text(meeting.read_text() + "\nAgenda to follow.\n"), [meeting], True, True),
        ("a status edit after body edits", lambda: edit(meeting, "planned", "postponed"), [meeting], False, True),
        ("a body edit after a status edit", lambda: edit(meeting, "Agenda", "The agenda"), [meeting], True, True),
        ("a front-matter line more", lambda: edit(act, "type: workshop\n", "type: workshop\ntags: [t1]\n"), [act], False, True),
        ("the same bytes again", lambda: act.write_text(act.read_text()), [act], True, True),
        ("a body edit while another file is broken", broken, [act, meeting], False, False),
        ("the fix", lambda: meeting.write_text(BASELINE["content/activities/planned-meeting.md"]), [meeting], False, True),
        ("a body edit after the fix", lambda: edit(act, "More", "Much more"), [act], True, True),
        ("a rename", lambda: os.replace(act, renamed), [act, renamed], False, True),
        ("a body edit of the renamed file", lambda: edit(renamed, "Much more", "Even more"), [renamed], True, True),
        ("a template edit", add_template, [site / "templates", site / "templates/activity.html"], False, True),
        ("a body edit with a custom template", lambda: edit(renamed, "Even", "Still"), [renamed], False, True),
        ("a template removal", lambda: shutil.rmtree(site / "templates"),
         [site / "templates", site / "templates/activity.html"], False, True),
        ("a body edit after the template removal", lambda: edit(renamed, "Still", "Yet"), [renamed], True, True),
        ("a plan edit", lambda: edit(site / "content/plan.yaml", "target: 100", "target: 90"),
         [site / "content/plan.yaml"], False, True),
        ("a body edit after a plan edit", lambda: edit(course, "New start.", "Newer start."), [course], True, True),
        # A footer that names only site-wide facts and the page's own record keeps the short
        # path; one that reaches other records (through `site`) does not, and a record's edit
        # then renders every page that footer is on.
        ("a footer of site-wide facts", lambda: footer('<p>{{ config.title }}: {{ plan.title }}'
                                                       '{% if act is defined %} ({{ act.title }}){% endif %}</p>\n'),
         [site / "templates", site / "templates/site_footer.html"], False, True),
        ("a body edit with that footer", lambda: edit(course, "Newer", "Newest"), [course], True, True),
        ("a footer that shows a record", lambda: footer('<p>{{ site.activities[0].title }}: '
                                                        '{{ site.activities[0].body[:30] }}</p>\n'),
         [site / "templates/site_footer.html"], False, True),
        ("a body edit of the record it shows", lambda: edit(course, "Newest", "Latest"), [course], False, True),
        ("a title edit of the record it shows", lambda: edit(course, "title: ", "title: Re ", ), [course], False, True),
    ]
    for name, change, paths, short, ok in steps:
        change()
        outcome = builder.rebuild({str(p) for p in paths})
        assert outcome.ok == ok, (name, outcome.problems)
        assert builder.shortcut == short, name
        if ok:
            _same_as_full_build(builder, site, tmp_path, name)


def test_large_watcher_batches_get_a_full_stat_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel may drop events of a large batch unseen, so its paths are not trusted."""
    from sitegen import incremental
    monkeypatch.setattr(incremental, "QUICK_MAX", 1)
    site = make_site(tmp_path / "site")
    builder = Builder(site, tmp_path / "preview")
    assert builder.rebuild().ok
    act, meeting = site / ACT, site / "content/activities/planned-meeting.md"
    act.write_text(BASELINE[ACT] + "\nOne.\n")
    assert builder.rebuild({str(act)}).ok and builder.quick and builder.shortcut
    act.write_text(BASELINE[ACT] + "\nTwo.\n")
    meeting.write_text(BASELINE["content/activities/planned-meeting.md"] + "\nThree.\n")
    assert builder.rebuild({str(act), str(meeting)}).ok and not builder.quick
    _same_as_full_build(builder, site, tmp_path, "a large batch")


def test_a_renderer_patched_for_body_edits_renders_like_a_new_one(tmp_path: Path) -> None:
    """Renderer.with_bodies, page by page, against a Renderer
    made afresh for the edited site (every page kind, not only those the preview renders)."""
    import dataclasses

    from sitegen.errors import Problems
    from sitegen.loader import load_site
    from sitegen.render import Renderer

    site_dir = make_site(tmp_path / "site")
    site = load_site(site_dir, Problems())
    assert site is not None
    old = Renderer(site, site_dir)
    before = {job.path: old.render(job) for job in old.jobs()}  # fills every cache
    edited = {a.id: dataclasses.replace(a, body="Rewritten *first* line.\n\n" + a.body)
              for a in site.activities[:2]}
    new_site = dataclasses.replace(site, activities=tuple(edited.get(a.id, a) for a in site.activities))
    pairs = [(a, edited[a.id]) for a in site.activities[:2]]
    patched = old.with_bodies(new_site, {id(a): b for a, b in pairs})
    fresh = Renderer(new_site, site_dir)
    assert patched.jobs() == fresh.jobs()
    for job in fresh.jobs():
        assert patched.render(job) == fresh.render(job), job.path


def test_data_files_spliced_after_field_edits_equal_rendered_ones(tmp_path: Path) -> None:
    """datafiles.splice: each data file made of a piece per record, with the pieces of
    records whose fields changed swapped in place, equals the file rendered afresh."""
    import dataclasses

    from sitegen.errors import Problems
    from sitegen.loader import load_site
    from sitegen.render import Renderer

    site_dir = make_site(tmp_path / "site")
    site = load_site(site_dir, Problems())
    assert site is not None
    old = Renderer(site, site_dir)
    a, b = site.activities[0], site.activities[-1]
    edited = {a.id: dataclasses.replace(a, status="cancelled", title='New "title", with, commas'),
              b.id: dataclasses.replace(b, participants=None, tags=("x",), body="New body.\n")}
    new_site = dataclasses.replace(site, activities=tuple(edited.get(x.id, x) for x in site.activities))
    pairs = [(x, edited[x.id]) for x in (a, b)]
    fresh = Renderer(new_site, site_dir)
    for kind in sorted(datafiles.SPLICED):
        job = next(j for j in fresh.jobs() if j.kind == kind)
        previous = old.render(next(j for j in old.jobs() if j.kind == kind))[0][1]
        want = fresh.render(job)[0][1]
        assert datafiles.splice(fresh, kind, previous, pairs) == want != previous, kind
    # a piece that is not found exactly once: None (the caller renders the file)
    job = next(j for j in fresh.jobs() if j.kind == "activities_json")
    doubled = old.render(job)[0][1] * 2
    assert datafiles.splice(fresh, "activities_json", doubled, pairs) is None


def _built_preview(tmp_path: Path, files: dict[str, str] | None = None) -> tuple[Path, Path, Builder]:
    """The baseline site (with `files`), its preview folder and a Builder that has built it once."""
    site = make_site(tmp_path / "site", files)
    preview = tmp_path / "preview"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    return site, preview, builder


def test_the_page_a_tab_shows_is_written_first_then_the_rest(tmp_path: Path) -> None:
    """With a tab on the dashboard, a status edit renders and writes the dashboard first and
    reports it (the server reloads that tab), before the pages nobody is looking at; in the
    end the preview equals a full build."""
    site, preview, builder = _built_preview(tmp_path)
    meeting = site / "content/activities/planned-meeting.md"
    page = preview / "activities/planned-meeting/index.html"
    before = {"dashboard": (preview / "index.html").read_bytes(), "activity": page.read_bytes()}
    seen: list[tuple[frozenset[str], bool, bool]] = []

    def early(ready: frozenset[str]) -> None:
        seen.append((ready, (preview / "index.html").read_bytes() != before["dashboard"],
                     page.read_bytes() != before["activity"]))

    meeting.write_text(meeting.read_text(encoding="utf-8").replace("status: planned", "status: postponed", 1),
                       encoding="utf-8")
    builder.viewing_pages = {"/"}
    try:
        assert builder.rebuild({str(meeting)}, early=early).ok
        assert seen == [(frozenset({"/"}), True, False)]  # the dashboard new, the activity's page not yet
        assert "postponed" in page.read_text(encoding="utf-8")
        _same_as_full_build(builder, site, tmp_path, "after the status edit")
    finally:
        builder.close()


def test_an_open_activity_page_is_rendered_before_the_page_list(tmp_path: Path) -> None:
    """Tabs on an activity page and on its type's page: a status edit renders the activity's
    page before anything else (it is taken from the last rebuild's pages), then the type's
    page (whose existence hangs on the records: it waits for the new page list), then the
    rest; pages of a record that came are never taken ahead; the preview equals a full build."""
    site, preview, builder = _built_preview(tmp_path)
    meeting = site / "content/activities/planned-meeting.md"
    page = preview / "activities/planned-meeting/index.html"
    seen: list[tuple[frozenset[str], bool]] = []

    def early(ready: frozenset[str]) -> None:
        seen.append((ready, "postponed" in page.read_text(encoding="utf-8")))

    builder.viewing_pages = {"/activities/planned-meeting/", "/types/meeting/"}
    try:
        meeting.write_text(meeting.read_text(encoding="utf-8").replace("status: planned", "status: postponed", 1),
                           encoding="utf-8")
        assert builder.rebuild({str(meeting)}, early=early).ok
        assert seen == [(frozenset({"/activities/planned-meeting/"}), True),
                        (frozenset({"/types/meeting/"}), True)]
        _same_as_full_build(builder, site, tmp_path, "after the status edit")
        seen.clear()
        added = site / "content/activities/new-meeting.md"
        added.write_text(meeting.read_text(encoding="utf-8").replace("Closing meeting", "Opening meeting"),
                         encoding="utf-8")
        builder.viewing_pages = {"/activities/new-meeting/"}
        assert builder.rebuild({str(added)}, early=early).ok
        assert [ready for ready, _ in seen] == [frozenset({"/activities/new-meeting/"})]
        _same_as_full_build(builder, site, tmp_path, "after a record came")
    finally:
        builder.close()


def test_a_status_edit_moves_the_contributions_of_another_areas_indicator(tmp_path: Path) -> None:
    """A border-security course that contributes 5 experts to a firearms indicator is
    postponed: the firearms area's figure drops by 5 in the preview (the area's progress is
    computed again though none of its own records changed) and equals a full build."""
    course = "content/activities/2018-03-05-border-course.md"
    text = BASELINE[course].replace("tags: [documents]", "tags: [documents]\ncontributes: {fa-experts: 5}")
    site, preview, builder = _built_preview(tmp_path, {course: text})
    area = preview / "areas/firearms/index.html"

    def experts() -> str:
        """The value in the row of the indicator in the area's table."""
        row = area.read_text(encoding="utf-8").split('fa-experts/">Experts trained</a></th>', 1)[1]
        return row.split("<td", 1)[1].split(">", 1)[1].split("</td>", 1)[0]

    try:
        assert experts() == "17 people"  # 12 from the firearms workshop and 5 from the course
        (site / course).write_text(text.replace("status: completed", "status: postponed", 1), encoding="utf-8")
        builder.viewing_pages = {"/areas/firearms/"}
        assert builder.rebuild({str(site / course)}, early=lambda ready: None).ok
        assert experts() == "12 people"
        _same_as_full_build(builder, site, tmp_path, "after the contributing course was postponed")
    finally:
        builder.close()


def test_a_tab_reloaded_first_is_not_reloaded_again(server: Server) -> None:
    """The events a tab gets name what is ready: its own page first (data: "generation
    /"), then the rest, skipping the pages already reloaded (data: "generation - <folders> /")."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("GET", "/__sitegen/events", headers={"Host": f"localhost:{server.port}",
                                                      "Referer": f"http://localhost:{server.port}/"})
    resp = conn.getresponse()
    try:
        assert resp.readline().startswith(b"retry:") and resp.readline() == b"event: hello\n"
        meeting = "content/activities/planned-meeting.md"
        server.write(meeting, BASELINE[meeting].replace("status: planned", "status: postponed", 1))
        data: list[list[str]] = []
        event = ""
        while len(data) < 2:
            line = resp.readline().decode("utf-8")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "reload":
                data.append(line[5:].strip().split(" "))
        assert data[0][1] == "/" and data[0][3:] in ([], [""])
        assert data[1][1] == "-" and data[1][3] == "/"
    finally:
        conn.close()


def test_a_site_footer_that_does_not_compile_is_a_located_error(tmp_path: Path) -> None:
    """A broken templates/site_footer.html (`{% if %}`) is reported at its file and line by
    the build and by the preview, which keeps serving (it raised an internal error)."""
    site = make_site(tmp_path / "site", {"templates/site_footer.html": "<p>{% if %}</p>\n"})
    run = run_sitegen("build", str(site))
    assert run.returncode == 1 and "templates/site_footer.html:1:1: error: Expected an expression" in run.stderr
    builder = Builder(site, tmp_path / "preview")
    try:
        outcome = builder.rebuild()
        assert not outcome.ok
        assert [(p.path, p.line) for p in outcome.problems] == [("templates/site_footer.html", 1)]
        (site / "templates/site_footer.html").write_text("<p>Fixed footer.</p>\n", encoding="utf-8")
        assert builder.rebuild().ok
        assert "Fixed footer." in (tmp_path / "preview/index.html").read_text(encoding="utf-8")
    finally:
        builder.close()


def test_a_rebuild_interrupted_by_a_newer_change_leaves_the_rest_to_the_next(tmp_path: Path) -> None:
    """A change that comes while a rebuild renders the pages no tab shows stops it there
    (the open tab's page is written and reloaded first); the next rebuild, for the newer
    change, renders the first change's pages too: the preview then equals a full build."""
    site = make_site(tmp_path / "site")
    preview = tmp_path / "preview"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    meeting = site / "content/activities/planned-meeting.md"
    act = site / ACT
    builder.viewing_pages = {"/"}
    ready: list[frozenset[str]] = []
    try:
        meeting.write_text(meeting.read_text(encoding="utf-8").replace("status: planned", "status: postponed", 1),
                           encoding="utf-8")
        first = builder.rebuild({str(meeting)}, early=ready.append, interrupted=lambda: True)
        assert first.ok and first.interrupted and ready == [frozenset({"/"})]
        assert "postponed" not in (preview / "activities/planned-meeting/index.html").read_text(encoding="utf-8")
        act.write_text(BASELINE[ACT].replace("Firearms tracing workshop", "Tracing seminar"), encoding="utf-8")
        second = builder.rebuild({str(act)}, early=ready.append, interrupted=lambda: False)
        assert second.ok and not second.interrupted
        assert "postponed" in (preview / "activities/planned-meeting/index.html").read_text(encoding="utf-8")
        _same_as_full_build(builder, site, tmp_path, "an interrupted rebuild and the next")
    finally:
        builder.close()


def test_an_interrupted_change_undone_before_the_next_rebuild_leaves_no_stale_page(tmp_path: Path) -> None:
    """A status changed and changed back: the rebuild of the first change was interrupted
    after writing the dashboard; the next finds no record changed since the last complete
    rebuild, yet writes the dashboard again (it showed the undone change) and equals a full build."""
    site = make_site(tmp_path / "site")
    preview = tmp_path / "preview"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    dashboard = (preview / "index.html").read_bytes()
    meeting = site / "content/activities/planned-meeting.md"
    text = meeting.read_text(encoding="utf-8")
    builder.viewing_pages = {"/"}
    try:
        meeting.write_text(text.replace("status: planned", "status: postponed", 1), encoding="utf-8")
        assert builder.rebuild({str(meeting)}, early=lambda ready: None, interrupted=lambda: True).interrupted
        assert (preview / "index.html").read_bytes() != dashboard
        meeting.write_text(text, encoding="utf-8")
        told: list[tuple[frozenset[str], bool]] = []
        again = builder.rebuild({str(meeting)}, interrupted=lambda: False, early=lambda ready: told.append(
            (ready, (preview / "index.html").read_bytes() == dashboard)))
        assert again.ok and again.written >= 1
        assert told[0] == (frozenset({"/"}), True)  # the tab's stale page first, before the page list
        assert (preview / "index.html").read_bytes() == dashboard
        _same_as_full_build(builder, site, tmp_path, "a change undone after an interrupted rebuild")
    finally:
        builder.close()



def test_a_plan_that_does_not_parse_is_one_error_in_the_preview_as_in_check(tmp_path: Path) -> None:
    """A tab in content/plan.yaml is reported once, where it is: the preview also said
    "missing plan: create content/plan.yaml" of a plan that exists."""
    site = make_site(tmp_path / "site")
    plan = site / "content/plan.yaml"
    good = plan.read_text(encoding="utf-8")
    broken = good + "\tstray: tab\n"
    builder = Builder(site, tmp_path / "preview")
    try:
        assert builder.rebuild().ok
        for _ in range(2):  # (on an edit, and after another rebuild with it still broken)
            plan.write_text(broken, encoding="utf-8")
            outcome = builder.rebuild()
            assert not outcome.ok
            assert [(p.path, p.message.split(":")[0]) for p in outcome.problems] == [
                ("content/plan.yaml", "invalid YAML")]
        checked = run_sitegen("check", str(site))
        assert checked.returncode == 1 and "missing plan" not in checked.stderr
        assert len([ln for ln in checked.stderr.splitlines() if "error:" in ln]) == 1
        plan.write_text(good, encoding="utf-8")
        assert builder.rebuild().ok
    finally:
        builder.close()
    # and a preview that starts with it broken
    plan.write_text(broken, encoding="utf-8")
    builder = Builder(site, tmp_path / "preview2")
    try:
        assert [p.path for p in builder.rebuild().problems] == ["content/plan.yaml"]
    finally:
        builder.close()


def test_a_client_that_goes_away_mid_response_leaves_no_traceback(server: Server, tmp_path: Path) -> None:
    """A tab closed (or a page left) while the preview sends a large file: the connection is
    reset, the server goes on and says nothing."""
    import socket
    import struct

    big = "sitegen preview\n" * 300_000  # 4.8 MB: more than the socket's buffers hold
    server.write("content/static/big.txt", big)
    poll(lambda: server.get("/big.txt")[0] == 200, what="the static file in the preview")
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        sock.sendall(f"GET /big.txt HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
        sock.recv(1024)  # (the response has started)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # a reset, not an orderly close
    assert server.get("/big.txt")[2] == big.encode()  # still serving
    time.sleep(0.5)
    errors = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    assert "Traceback" not in errors and "Error" not in errors, errors[-2000:]
