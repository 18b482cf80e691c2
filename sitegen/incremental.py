"""Incremental rebuilds for the preview server: re-read, re-validate and re-render only
what a change touches, and write only the files whose bytes changed.

The result is always the tree a full `sitegen build` of the same content would write
(tests/test_serve.py checks this byte for byte after sequences of edits). How:

- Every rebuild stats the source files (site.yaml, content/, templates/) and re-reads only
  files whose (mtime, size, inode, ctime) changed; the others keep their parsed Document
  (source_files.SourceFiles; git's history is read again only when HEAD moved).
  When the watcher names the changed paths and they are all known files, only they are
  stat'ed. When files appear or disappear, `content.discover` runs again for the file list.
- The commonest edit, Markdown bodies of activity files, has its own path whose cost does
  not grow with the site: when the watcher's paths are activity files whose records differ
  from the last good site's only in `body` (with the same problems), the last Site gets
  those records swapped in at their places, the last Renderer is patched
  (`Renderer.with_bodies`), and the activities' pages and the feed are rendered. Anything
  else, or a site with templates of its own that could show a record elsewhere (any but a
  site_footer.html that names only site-wide facts, see `deps_hold`), takes the general
  path below (body_edits.py).
- Validation is `loader.assemble`, with each step memoised per input document (assembly.py): an
  activity file is re-validated only when it (or the plan) changed. On any activity error
  the whole list is validated again the ordinary way, so messages are the same as
  `sitegen check`'s.
- The new Site is diffed against the last good one (selection.py). site.yaml, plan,
  measurements, area texts, pages, reports, report date, git dates, the commits the
  reporting rounds read (history.py: read again when HEAD moved) or any template changed
  -> every job is rendered. Otherwise the jobs whose `Job.deps` meet the changed
  activities are rendered: `activity:<id>` (its page, the list page that holds it),
  `area:<id>`, `country:<code>` and `tag:`, `partner:` and `type:<slug>`
  (taxonomy.record_deps) of the old and new record (those pages, the area's indicators,
  the indexes of terms), "order" when a record came, went or changed its start (every
  list page, the sitemap), and "activities" (the dashboard, timeline, data files, feed,
  reports); plus jobs that are new or whose key or deps changed. With templates of the
  site's own that could show any record anywhere (see `deps_hold`), every job. When only
  activities' Markdown bodies changed, only the pages that show bodies are rendered: the
  activity page and the feed. The data files made of a piece per record are spliced
  (datafiles.splice) when no record moved. The open tabs' pages come first
  (selection.viewed_first, render_pass.py); in the first build, so do pages opened during it.
- Files of pages that no longer exist are removed; unchanged bytes are not rewritten. Each
  file is written to a temporary name and renamed, so the server never serves half a file
  (preview_files.py).
- On errors nothing is written but the open tabs' pages written before the error was met
  (the server answers every page with the error page then); the last good site stays on
  disk and in memory, and the next successful rebuild is diffed against it.
- The search index (pagefind/, search.py) is made from the pages in a background thread
  after the first rebuild and after each that wrote or removed a page (search.BackgroundIndex:
  debounced, one at a time, swapped in at once), so a rebuild never waits for it.
  `wait_for_search()` returns once it is up to date; `close()` stops it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, datafiles
from . import model as m
from .assembly import Assembler
from .body_edits import BodyEdits, Rendered
from .build import _template_path, collision, static_copies
from .errors import ContentError, Problem, Problems, counted
from .gitinfo import GitInfo
from .history import Reader
from .i18n import words_for
from .preview_files import PreviewFiles
from .render import Job, Renderer, TemplateError, deps_hold
from .render_pass import Interrupted, RenderPass
from .search import BackgroundIndex
from .selection import Pairs, record_change, select, viewed_ahead, viewed_first
from .source_files import GitHistory, SourceFiles

_NO_JOB = Job("", "")
# Watcher batches larger than this are not trusted to name every change: the kernel drops
# events beyond its queue (16,384 by default) and watchfiles does not say so. Such a batch
# (a checkout, say) gets a full stat pass, which costs ~50 ms at 10,000 files.
QUICK_MAX = 1000


@dataclass
class Outcome:
    """What one rebuild did (or why it could not)."""

    ok: bool
    problems: list[Problem]  # errors when not ok; warnings otherwise
    changed: list[str]  # source files that changed since the previous rebuild
    rendered: int = 0
    written: int = 0
    removed: int = 0
    full: bool = False
    ms: float = 0.0
    # the rebuild stopped after writing the open tabs' pages, for a newer change (`interrupted`
    # of Builder.rebuild): nothing else was written, and the next rebuild does the rest
    interrupted: bool = False

    def line(self) -> str:
        """The progress line printed in the terminal."""
        what = ", ".join(self.changed[:3]) or "nothing"
        if len(self.changed) > 3:
            what += f" and {len(self.changed) - 3} more"
        if self.interrupted:
            return f"changed {what}: the open pages written, the rest left for the next change ({self.ms:.0f} ms)"
        if not self.ok:
            n = sum(1 for p in self.problems if p.severity == "error")
            return f"changed {what}: {counted(n, 'error')}, the browser shows them ({self.ms:.0f} ms)"
        scope = "full" if self.full else "incremental"
        return (f"changed {what}: {scope}, {self.rendered} rendered, {self.written} written, "
                f"{self.removed} removed in {self.ms:.0f} ms")


class LastBuild:
    """What the last good rebuild made, which the next one starts from: its jobs and the
    files each wrote, its renderer (compiled templates, list items), the bytes of the data
    files that can be spliced, and the names checked for collisions."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.jobs: dict[str, Job] = {}  # by output path
        self.job_outputs: dict[str, tuple[str, ...]] = {}  # job path -> the files it wrote
        self.template_keys: dict[str, tuple[Any, ...]] = {}  # stat keys of templates/
        self.renderer: Renderer | None = None
        self.env: Any = None  # the Jinja environment, kept while templates/ is unchanged
        self.data: dict[str, bytes] = {}  # the bytes of the spliced data files as last written
        # the files the last good rebuild wrote and the static files, and what to copy
        self._names: tuple[tuple[Any, ...], dict[str, Path]] | None = None

    def renderer_for(self, site: m.Site, templates_changed: bool) -> Renderer:
        """A renderer of `site` that takes over the last one's compiled templates and list
        items while templates/ and the words are the same."""
        previous = self.renderer
        words = words_for(site.config.language, site.messages_in(site.config.language))
        # compiled templates are reused (compiling costs ~1 s), given to the renderer as it
        # is made: its memo of list items is made with them, and takes over the last one's
        keep = self.env is not None and not templates_changed and previous is not None \
            and previous.words is words
        renderer = Renderer(site, self.site_dir, __version__, words=words, env=self.env if keep else None)
        if keep and previous is not None:
            renderer.reuse_items(previous)  # so are unchanged records' list items
        renderer.index_by_id()
        return renderer

    def splice(self, renderer: Renderer, job: Job, pairs: Pairs | None) -> bytes | None:
        """The data file of `job` as last written with the pieces of the changed records
        (`pairs`) swapped in (datafiles.splice); None when it is to be rendered."""
        if pairs is not None and job.kind in datafiles.SPLICED and not job.lang and job.path in self.data:
            return datafiles.splice(renderer, job.kind, self.data[job.path], pairs)
        return None

    def copies(self, site: m.Site, jobs: list[Job], job_outputs: dict[str, tuple[str, ...]]) -> dict[str, Path]:
        """The static files to copy (output path -> source file), once no two jobs or files
        claim one output path (else ContentError); checked again only when the files
        written or the static files changed."""
        names = (job_outputs, site.static_files)
        if self._names is None or self._names[0] != names:
            clash = collision(jobs, job_outputs)
            if clash:
                raise ContentError([clash])
            copies = static_copies(site, self.site_dir, dict.fromkeys(
                (p for outs in job_outputs.values() for p in outs), b""))
            self._names = (names, copies)
        return self._names[1]

    def remember(self, jobs: list[Job], renderer: Renderer, rendered: Rendered,
                 job_outputs: dict[str, tuple[str, ...]], template_keys: dict[str, tuple[Any, ...]]) -> None:
        """Take a successful rebuild by the general path as the last one."""
        self.jobs = {j.path: j for j in jobs}
        self.keep_data(rendered)
        self.job_outputs = job_outputs
        self.template_keys = template_keys
        self.env = renderer.env
        self.renderer = renderer

    def keep_data(self, rendered: Rendered) -> None:
        """Remember the bytes of the data files made of a piece per record as written (the
        next rebuild may splice them: datafiles.splice)."""
        for job_path, outputs in rendered.items():
            for path, data in outputs:
                if path == job_path and self.jobs.get(path, _NO_JOB).kind in datafiles.SPLICED:
                    self.data[path] = data


def _failed(problems: list[Problem], changed: list[str], started: float) -> Outcome:
    """The outcome of a rebuild that failed: its errors (or its problems, if none is an error)."""
    errors = [p for p in problems if p.severity == "error"] or problems
    return Outcome(False, errors, changed, ms=(time.perf_counter() - started) * 1000)


class Builder:
    """Keeps the state of the last build of `site_dir` into `out_dir` and updates it. Ties
    together what the site folder holds (source_files.py), validation (assembly.py), the
    body-edit shortcut (body_edits.py), the choice of jobs (selection.py), their rendering
    (render_pass.py), what the last build made (LastBuild) and the preview folder
    (preview_files.py)."""

    def __init__(self, site_dir: Path, out_dir: Path, search_report: Callable[[str], None] | None = None,
                 viewers: Callable[[tuple[str, ...]], tuple[set[str], set[str]]] | None = None):
        self.site_dir = site_dir
        self.out = out_dir
        # the search index of out_dir, made in the background (`search_report` is told why
        # there is none, or why it failed, and "" once it works again)
        # (the groups' indexes are kept beside the preview folder, never in it: it is the site)
        self.search = BackgroundIndex(out_dir, report=search_report,
                                      memo=out_dir.with_name(f".{out_dir.name}.search-groups"))
        self.site: m.Site | None = None  # the last good site (what out_dir shows)
        self.warnings: list[Problem] = []
        self.quick = False  # whether the last rebuild stat'ed only the watcher's paths
        self.shortcut = False  # whether it took the body-edit path
        # what the browser's tabs show, rendered first (rebuild): their pages (URL paths, as
        # the tabs name them: "/", "/fr/areas/x/"), then the rest of their languages (codes;
        # "" is the first); asked of `viewers` (given the site's languages) once a rebuild
        # has its site, when given
        self.viewing_pages: set[str] = set()
        self.viewing: set[str] = set()
        self._viewers = viewers
        self._files_in = SourceFiles(site_dir)  # what the site folder holds, parsed
        self._git = GitHistory(site_dir)
        self._assembly = Assembler()
        self._rounds = Reader(site_dir)  # the records at the rounds' commits, kept between rebuilds
        self._last = LastBuild(site_dir)
        self._edits = BodyEdits(site_dir, self._files_in, self._assembly)
        self._files = PreviewFiles(site_dir, out_dir)
        # the jobs an interrupted rebuild wrote (of a site not kept): rendered again by the next
        self._stale: set[str] = set()

    def rebuild(self, hint: set[str] | None = None,
                early: Callable[[frozenset[str]], None] | None = None,
                interrupted: Callable[[], bool] | None = None) -> Outcome:
        """Bring out_dir up to date with the site folder; never raises ContentError.

        `hint`: paths the watcher saw change; when they are all known files, only they are
        stat'ed (instead of every file of the site). `early`: the open tabs' pages to render
        (`self.viewing_pages`) are rendered and written first, then `early` is called with
        their URL paths (the server reloads those tabs); then, on a multilingual site, the
        other pages of the languages in `self.viewing` (codes; "" for the first language),
        and `early` is called with those codes; then the rest. `interrupted`: asked while
        the rest renders; when it says True (a newer change came), the rebuild stops there
        and writes nothing more (Outcome.interrupted): the next rebuild, compared with the
        last complete one, renders this change's pages too.
        """
        started = time.perf_counter()
        quick = self._files_in.quick_scan(hint) if hint and len(hint) <= QUICK_MAX else None
        self.quick, self.shortcut = quick is not None, False
        if quick is not None:
            scan, changed = quick
            outcome = self._body_edit(scan, changed, started)
            if outcome is not None:
                return outcome
        else:
            scan = self._files_in.scan()
            changed = self._files_in.changed(scan)
        self._edits.current = False  # until this rebuild succeeds
        problems = Problems()
        site, git = self._assemble(scan, problems)
        if site is None:
            return _failed(problems.sorted(), changed, started)
        template_keys = {r: k for r, k in scan.items() if r.startswith("templates/")}
        templates_changed = template_keys != self._last.template_keys
        renderer = self._last.renderer_for(site, templates_changed)
        if self._viewers is not None:
            self.viewing_pages, self.viewing = self._viewers(site.config.languages)
        change = record_change(self.site, site, templates_changed, self.site_dir)
        ahead = viewed_ahead(change, site, self._last.jobs, self.viewing_pages, self._stale) if early is not None else []
        todo: list[Job] = []
        rendering = RenderPass(renderer, self._files, self.site_dir, early)
        try:
            # the open tabs' pages, when a change of records renders them again, before the
            # page list is made (a template edit renders every page: see below)
            rendered = rendering.ahead(ahead)
            jobs = renderer.jobs()
            if rendered:  # (an open tab's page the new page list lacks is not the site's)
                paths = {j.path for j in jobs}
                rendered = {p: files for p, files in rendered.items() if p in paths}
            chosen = select(change, site, jobs, self._last.jobs)
            todo = [j for j in chosen.jobs if j.path not in rendered]
            if self._stale:
                known = {j.path for j in todo} | set(rendered)
                todo = todo + [j for j in jobs if j.path in self._stale and j.path not in known]
            steps: list[tuple[int, frozenset[str]]] = []
            first = self.site is None  # (the tabs wait for the first pages, and ask for more)
            if early is not None and (first or not templates_changed):
                # (not after a template edit: a template that fails would be reported after
                # the tabs were reloaded with pages of the others)
                todo, steps = viewed_first(todo, site.config.languages, self.viewing_pages, self.viewing)
            told = bool(ahead) and early is not None
            asked = self._asked(site) if first and early is not None else None
            pairs = chosen.pairs
            rendered.update(rendering.run(todo, steps, lambda job: self._last.splice(renderer, job, pairs),
                                          interrupted, told, scan if first else None, asked,
                                          frozenset(self.viewing_pages)))
        except Interrupted as stop:
            self._stale.update(j.path for j, _ in ahead)
            self._stale.update(stop.rendered)
            return Outcome(True, problems.sorted(), changed, len(stop.rendered), ms=(time.perf_counter() - started) * 1000,
                           interrupted=True)
        except TemplateError as exc:
            problem = Problem(_template_path(exc.template, self.site_dir), exc.line, 1, "error", exc.message)
            return _failed([problem], changed, started)
        job_outputs = {j.path: (tuple(p for p, _ in rendered[j.path]) if j.path in rendered
                                else self._last.job_outputs[j.path]) for j in jobs}
        try:
            copies = self._last.copies(site, jobs, job_outputs)
        except ContentError as exc:
            return _failed(exc.problems, changed, started)
        written, removed = self._files.sync(rendered, job_outputs, copies, scan)
        written += rendering.written
        self._stale = set()
        self.site, self.warnings = site, problems.sorted()
        self._last.remember(jobs, renderer, rendered, job_outputs, template_keys)
        self._edits.remember(site, jobs, git)
        self._index_pages()
        return Outcome(True, self.warnings, changed, len(todo), written, removed, chosen.full,
                       (time.perf_counter() - started) * 1000)

    def _asked(self, site: m.Site) -> Callable[[], set[str]] | None:
        """What asks for the pages open in tabs during a rebuild, if anything does."""
        viewers, languages = self._viewers, site.config.languages
        return None if viewers is None else lambda: viewers(languages)[0]

    def _assemble(self, scan: dict[str, tuple[Any, ...]], problems: Problems) -> tuple[m.Site | None, GitInfo]:
        """The site of the files of `scan` (None on errors, in `problems`) and the git
        history it was made with."""
        docs = self._files_in.read(scan, problems)
        self._files_in.keys = scan
        git = self._git.read()
        sources = self._files_in.sources or ()
        static = tuple(s.rel for s in sources if s.kind == "static")
        templates = tuple(s.rel for s in sources if s.kind == "template")
        site = self._assembly.assemble(docs, problems, git, static, templates)
        if site is not None and site.reports and git.in_repo:
            # (the rounds' records from git: read again when HEAD moved, see history.Reader)
            site = self._rounds.attach(site, git, problems)
        return site, git

    def _body_edit(self, scan: dict[str, tuple[Any, ...]], changed: list[str],
                   started: float) -> Outcome | None:
        """The body-edit shortcut (body_edits.py) after a successful rebuild, its result
        written and kept; None when it does not apply (also for a site whose templates could
        show a record elsewhere, see render.deps_hold): the general path then runs."""
        site, renderer = self.site, self._last.renderer
        if not (self._edits.current and changed and site is not None and renderer is not None
                ) or not deps_hold(site, self.site_dir):
            return None
        head = self._git.head()  # git answers while the files are read and rendered
        try:
            patch = self._edits.patch(site, renderer, scan, changed, self._last.data, self._last.job_outputs)
        finally:
            git = self._git.read(head)
        if patch is None or git is not self._edits.git:
            return None
        written = self._files.write(patch.rendered)
        self._last.keep_data(patch.rendered)
        self._files_in.docs.update(patch.docs)
        self._assembly.act_memo.update(patch.memos)
        self._files_in.keys = scan
        self.site, self._last.renderer = patch.site, patch.renderer
        self.shortcut = True
        self._index_pages()
        return Outcome(True, self.warnings, changed, len(patch.rendered), written, 0, False,
                       (time.perf_counter() - started) * 1000)

    def _index_pages(self) -> None:
        """Have the search index made again when this rebuild wrote or removed a page."""
        if self._files.pages_changed:
            self._files.pages_changed = False
            self.search.changed()

    def wait_for_search(self, timeout: float | None = None) -> bool:
        """Wait until the search index shows the pages as they are (False on timeout)."""
        return self.search.wait(timeout)

    def close(self) -> None:
        """Stop the search indexing (a running indexer is ended)."""
        self.search.stop()
