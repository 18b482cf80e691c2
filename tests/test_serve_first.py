"""The preview's first build: the server answers from the start, and the pages open in
tabs are written (with the theme's assets) and reloaded before the rest of the site."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sitegen.incremental import Builder
from sitegen.serve import Live, make_handler, own_names
from tests.corpus import write_corpus
from tests.sitekit import make_site, snapshot
from tests.test_serve import Events, Server, running_server

PAGE = "/activities/firearms-workshop/"


def _first_build(site: Path, out: Path, pages: set[str]) -> tuple[list[tuple[frozenset[str], set[str]]], bool]:
    """The first rebuild of `site` into `out` with tabs open on `pages`: what each early
    step said was ready and the files written by then, and whether it succeeded."""
    steps: list[tuple[frozenset[str], set[str]]] = []

    def early(ready: frozenset[str]) -> None:
        steps.append((ready, {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}))
    builder = Builder(site, out, viewers=lambda languages: (set(pages), {""}))
    try:
        outcome = builder.rebuild(early=early)
    finally:
        builder.close()
    return steps, outcome.ok


def _as_built_again(site: Path, out: Path, tmp_path: Path) -> bool:
    """Whether the preview folder `out` holds what a new preview of `site` writes (the
    search index aside: it is made in the background, and the builders are closed at once)."""
    builder = Builder(site, tmp_path / "again")
    try:
        builder.rebuild()
    finally:
        builder.close()

    def pages(folder: Path) -> dict[str, bytes]:
        return {p: data for p, data in snapshot(folder).items() if not p.startswith("pagefind/")}
    return pages(out) == pages(builder.out)


def test_the_first_build_writes_the_open_tabs_pages_first_with_the_assets(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/static/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n"})
    out = tmp_path / "preview"
    steps, ok = _first_build(site, out, {PAGE, "/no/such/page/"})
    assert ok
    assert [ready for ready, _ in steps] == [frozenset({PAGE})]
    files = steps[0][1]
    assert "activities/firearms-workshop/index.html" in files
    # what the page needs to look right is there too: the theme's assets, the static files
    assert {"assets/site.css", "assets/site.js", "logo.svg"} <= files
    # and the rest is not written yet
    assert "index.html" not in files and "areas/index.html" not in files
    assert _as_built_again(site, out, tmp_path)  # the same site in the end


def test_a_site_with_its_own_templates_also_gets_its_open_pages_first(tmp_path: Path) -> None:
    """(A template edit renders every page before any tab reloads; the first build has no
    tab showing a page yet, so its open pages come first all the same.)"""
    site = make_site(tmp_path / "site", {"templates/site_footer.html": "<p>{{ site.activities | length }} activities</p>\n"})
    steps, ok = _first_build(site, tmp_path / "preview", {"/"})
    assert ok and [ready for ready, _ in steps] == [frozenset({"/"})]
    assert "index.html" in steps[0][1] and "assets/site.css" in steps[0][1]
    assert _as_built_again(site, tmp_path / "preview", tmp_path)


def test_what_the_first_build_has_not_written_is_a_building_page_until_it_ends(tmp_path: Path) -> None:
    from http.server import ThreadingHTTPServer
    root = tmp_path / "preview"
    root.mkdir()
    (root / "index.html").write_text("<html><body>home</body></html>")
    (root / "404.html").write_text("<html><body>not here</body></html>")
    live = Live()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(root, set(), live))
    port = srv.server_address[1]
    srv.RequestHandlerClass = make_handler(root, own_names("127.0.0.1", port), live)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    server = Server(None, f"http://127.0.0.1:{port}/", tmp_path)  # type: ignore[arg-type]  # (no process)
    try:
        status, headers, body = server.get("/areas/")
        assert status == 503 and headers["retry-after"] == "2"
        assert b"Building the site" in body and b'<script src="/__sitegen/live.js"' in body
        assert b"<meta name=viewport" in body  # (readable on a phone, as the error page is)
        assert server.get("/")[0] == 200  # written already: served
        live.publish(None, "/", done=False)  # an early reload: still building
        assert server.get("/areas/")[0] == 503
        live.publish(None)  # the first build's end
        status, _, body = server.get("/areas/")
        assert status == 404 and b"not here" in body
    finally:
        srv.shutdown()
        srv.server_close()


def test_serve_answers_at_once_and_reloads_an_open_tab_before_the_site_is_built(tmp_path: Path) -> None:
    with running_server(tmp_path, write_corpus(1500, tmp_path / "site"), built=False) as server:
        events = Events(server.port, "/")  # a tab on the dashboard, as the build starts
        status, _, body = server.get("/")
        assert status == 503 and b"Building the site" in body
        events.next("hello")
        # its page is written and the tab reloaded first: the reload names it (not "*")
        ready = events.next("reload").split(" ")[1]
        assert ready == "/", ready
        status, _, body = server.get("/")
        assert status == 200 and b"<main" in body
        assert server.get("/assets/site.css")[0] == 200
        assert server.lines is not None and server.lines.get(timeout=120).startswith("built ")
        # the end of the first build reloads the other tabs, not this one again
        fields = events.next("reload").split(" ")
        assert fields[1] == "-" and "/" in fields[3].split(","), fields  # ("-": the first language)
        assert server.get("/areas/")[0] == 200 and server.get("/no/such/page/")[0] == 404
        events.close()


@pytest.mark.parametrize("page", ["/types/workshop/", PAGE], ids=["rendered-later", "rendered-already"])
def test_a_page_visited_during_the_first_build_is_written_next(tmp_path: Path, page: str) -> None:
    """A tab opens after 16 pages: its page is written then, whether it came later in the
    order of the page list (it is rendered next) or among those 16 (not written yet)."""
    site = make_site(tmp_path / "site")
    out = tmp_path / "preview"
    calls: list[int] = []
    steps: list[tuple[frozenset[str], set[str]]] = []

    def viewers(languages: tuple[str, ...]) -> tuple[set[str], set[str]]:
        calls.append(1)  # (the first call is before any page is rendered, the second at the first)
        return ({page} if len(calls) > 2 else set()), {""}

    def early(ready: frozenset[str]) -> None:
        steps.append((ready, {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}))
    builder = Builder(site, out, viewers=viewers)
    try:
        assert builder.rebuild(early=early).ok
    finally:
        builder.close()
    assert [ready for ready, _ in steps] == [frozenset({page})]
    files = steps[0][1]
    # only that page is written then, with the assets it needs
    assert {p for p in files if p.endswith(".html")} == {page.strip("/") + "/index.html"}
    assert "assets/site.css" in files
    assert _as_built_again(site, out, tmp_path)


def test_a_page_opened_before_the_rest_of_its_language_comes_first_and_the_steps_still_hold() -> None:
    """(selection.opened_next) Tabs on /fr/ while the first build writes that page (step 1)
    and then the French pages (step 2): a French page opened meanwhile is written before
    the rest of them, and each step still comes once all its pages are rendered."""
    from sitegen.page_list import Job
    from sitegen.selection import opened_next

    todo = [Job("fr/index.html", "dashboard", lang="fr"), *(Job(f"fr/p{i}/index.html", "page", lang="fr")
                                                           for i in range(6)),
            *(Job(f"p{i}/index.html", "page") for i in range(4))]
    steps = [(1, frozenset({"/fr/"})), (7, frozenset({"fr"}))]
    seen = {"/fr/"}
    # after 3 jobs: a tab opens /fr/p5/ (not rendered) and /fr/p0/ (rendered: job 1), and one
    # on /p3/ (another language's page, after the French ones)
    order, later, ready = opened_next(todo, 3, {"/fr/", "/fr/p5/", "/fr/p0/", "/p3/"}, seen, steps[1:])
    assert ready == {"fr/p0/index.html": "/fr/p0/"}
    assert [j.path for j in order] == ["fr/index.html", "fr/p0/index.html", "fr/p1/index.html",
                                       "fr/p5/index.html", "p3/index.html", "fr/p2/index.html",
                                       "fr/p3/index.html", "fr/p4/index.html", "p0/index.html",
                                       "p1/index.html", "p2/index.html"]
    assert later == [(5, frozenset({"/fr/p5/", "/p3/"})), (8, frozenset({"fr"}))]
    assert set(order[:8]) >= {j for j in todo if j.lang == "fr"}  # step 2: the French pages done
    assert seen == {"/fr/", "/fr/p5/", "/fr/p0/", "/p3/"}
    # nothing new: nothing moves
    assert opened_next(order, 5, {"/fr/p5/"}, seen, later) == (order, later, {})


def test_in_a_multilingual_first_build_a_page_opened_meanwhile_comes_before_the_rest_of_its_language(
        tmp_path: Path) -> None:
    """A tab on /fr/ from the start: that page first, then the French pages, then the others.
    A French page opened meanwhile is written before the rest of the French pages; the
    French tabs are reloaded once all French pages are written, and no others."""
    from tests.test_languages import _example
    site = _example(tmp_path, "[en, fr, ru]")
    out = tmp_path / "preview"
    calls: list[int] = []
    steps: list[tuple[frozenset[str], set[str]]] = []
    late = "/fr/types/workshop/"

    def viewers(languages: tuple[str, ...]) -> tuple[set[str], set[str]]:
        calls.append(1)  # (the third call is after 16 pages)
        return ({"/fr/", late} if len(calls) > 2 else {"/fr/"}), {"fr"}

    def early(ready: frozenset[str]) -> None:
        steps.append((ready, {p.relative_to(out).as_posix() for p in out.rglob("*.html")}))
    builder = Builder(site, out, viewers=viewers)
    try:
        assert builder.rebuild(early=early).ok
    finally:
        builder.close()
    assert [ready for ready, _ in steps] == [frozenset({"/fr/"}), frozenset({late}), frozenset({"fr"})]
    french = {p.relative_to(out).as_posix() for p in (out / "fr").rglob("*.html")}
    assert "fr/index.html" in steps[0][1]  # (with the dashboard's charts' embed pages)
    assert all(p == "fr/index.html" or p.startswith("fr/embed/dashboard-") for p in steps[0][1])
    # before the other French pages: that page (and its chart's embed page)
    assert steps[1][1] - steps[0][1] == {"fr/types/workshop/index.html", "fr/embed/type-workshop-status/index.html"}
    assert len(french - steps[1][1]) > 100
    assert steps[2][1] == french  # then all of them, and none of another language
    assert _as_built_again(site, out, tmp_path)
