"""Incremental rebuilds for the preview server: re-read, re-validate and re-render only
what a change touches, and write only the files whose bytes changed.

The result is always the tree a full `sitegen build` of the same content would write
(tests/test_serve.py checks this byte for byte after sequences of edits). How:

- Every rebuild stats the source files (site.yaml, content/, templates/) and re-reads only
  files whose (mtime, size, inode, ctime) changed; the others keep their parsed Document.
  When the watcher names the changed paths and they are all known files, only they are
  stat'ed. When files appear or disappear, `content.discover` runs again for the file list.
- The commonest edit, Markdown bodies of activity files, has its own path whose cost does
  not grow with the site: when the watcher's paths are activity files whose records differ
  from the last good site's only in `body` (with the same problems), the last Site gets
  those records swapped in at their places, the last Renderer is patched
  (`Renderer.with_bodies`), and the activities' pages and the feed are rendered. Anything
  else, or a site with templates of its own that could show a record elsewhere (any but a
  site_footer.html that names only site-wide facts, see `deps_hold`), takes the general
  path below.
- Validation mirrors `loader.assemble`, memoised per input document: an activity file is
  re-validated only when it (or the plan) changed. On any activity error the whole list
  is validated again the ordinary way, so messages are the same as `sitegen check`'s.
- The new Site is diffed against the last good one. site.yaml, plan, measurements, area
  texts, pages, reports, report date, git dates, the commits the reporting rounds read
  (history.py: read again when HEAD moved) or any template changed -> every job is
  rendered. Otherwise the jobs whose `Job.deps` meet the changed activities are rendered:
  `activity:<id>` (its page, the list page that holds it), `area:<id>`, `country:<code>`
  and `tag:`, `partner:` and `type:<slug>` (taxonomy.record_deps) of the old and new
  record (those pages, the area's indicators, the indexes of terms), "order" when a record
  came, went or changed its start (every list page, the sitemap), and "activities" (the
  dashboard, timeline, data files, feed, reports); plus jobs that are new or whose key or
  deps changed. With templates of the site's own that could show any record anywhere (see
  `deps_hold`), every job. When only activities' Markdown bodies changed, only the pages
  that show bodies are rendered: the activity page and the feed. The data
  files made of a piece per record are spliced (datafiles.splice) when no record moved.
- Files of pages that no longer exist are removed; unchanged bytes are not rewritten. Each
  file is written to a temporary name and renamed, so the server never serves half a file
  (preview_files.py).
- On errors nothing is written; the last good site stays on disk and in memory, and the
  next successful rebuild is diffed against it.
- The search index (pagefind/, search.py) is made from the pages in a background thread
  after the first rebuild and after each that wrote or removed a page (search.BackgroundIndex:
  debounced, one at a time, swapped in at once), so a rebuild never waits for it.
  `wait_for_search()` returns once it is up to date; `close()` stops it.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, datafiles, taxonomy, validate
from . import model as m
from .assembly import Assembler
from .build import _template_path, collision, static_copies
from .content import SOURCE_TOPS, Document, Source, discover, read_document
from .errors import ContentError, Problem, Problems
from .gitinfo import GitInfo, read_history
from .history import Reader
from .preview_files import PreviewFiles, stat_key
from .render import Job, Renderer, TemplateError, deps_hold
from .search import BackgroundIndex

# Page kinds of the default theme that show an activity's Markdown body.
BODY_KINDS = frozenset({"feed", "iati"})
_NO_JOB = Job("", "")
# Watcher batches larger than this are not trusted to name every change: the kernel drops
# events beyond its queue (16,384 by default) and watchfiles does not say so. Such a batch
# (a checkout, say) gets a full stat pass, which costs ~50 ms at 10,000 files.
QUICK_MAX = 1000
# Site fields whose change re-renders everything.
GLOBAL_FIELDS = ("config", "plan", "plans", "messages", "measurements", "area_texts", "pages", "reports",
                 "report_date", "report_date_source", "last_changed", "template_files", "history")


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

    def line(self) -> str:
        """The progress line printed in the terminal."""
        what = ", ".join(self.changed[:3]) or "nothing"
        if len(self.changed) > 3:
            what += f" and {len(self.changed) - 3} more"
        if not self.ok:
            n = sum(1 for p in self.problems if p.severity == "error")
            return f"changed {what}: {n} error(s), the browser shows them ({self.ms:.0f} ms)"
        scope = "full" if self.full else "incremental"
        return (f"changed {what}: {scope}, {self.rendered} rendered, {self.written} written, "
                f"{self.removed} removed in {self.ms:.0f} ms")




class SourceFiles:
    """The files of a site folder (site.yaml, content/, templates/) with their stat keys,
    the sources discovery found and the parsed documents, read again only when changed."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.keys: dict[str, tuple[Any, ...]] = {}  # file -> stat key, as last scanned
        self.sources: list[Source] | None = None
        self._discover_problems: list[Problem] = []
        self.docs: dict[str, tuple[tuple[Any, ...] | None, Document | None, list[Problem]]] = {}

    def scan(self) -> dict[str, tuple[Any, ...]]:
        """Every non-hidden file under site.yaml, content/, templates/ with its stat key."""
        out: dict[str, tuple[Any, ...]] = {}
        root = str(self.site_dir)
        try:
            out["site.yaml"] = stat_key(os.stat(os.path.join(root, "site.yaml")))
        except OSError:
            pass
        for top in SOURCE_TOPS:
            stack = [(os.path.join(root, top), top)]
            while stack:
                folder, rel = stack.pop()
                try:
                    entries = list(os.scandir(folder))
                except OSError:
                    continue
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    sub = f"{rel}/{entry.name}"
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append((entry.path, sub))
                        elif entry.is_symlink():
                            try:
                                out[sub] = ("link", os.readlink(entry.path)) + stat_key(os.stat(entry.path))
                            except OSError:
                                out[sub] = ("broken-link",)
                        else:
                            out[sub] = stat_key(entry.stat(follow_symlinks=False))
                    except OSError:
                        continue
        return out

    def quick_scan(self, hint: set[str]) -> tuple[dict[str, tuple[Any, ...]], list[str]] | None:
        """The previous scan updated for `hint` (changed paths from the watcher) when they are
        all known regular files, and the files whose stat changed; None (scan everything) for
        anything else: new, deleted or renamed files, folders, symlinks."""
        if self.sources is None or not hint or len(hint) > QUICK_MAX:
            return None
        root = os.path.abspath(self.site_dir)
        scan = dict(self.keys)
        changed = []
        for path in hint:
            rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
            old = scan.get(rel)
            if old is None or old[0] in ("link", "broken-link"):
                return None
            try:
                st = os.lstat(path)
            except OSError:
                return None
            if not stat.S_ISREG(st.st_mode):
                return None
            scan[rel] = stat_key(st)
            if scan[rel] != old:
                changed.append(rel)
        return scan, sorted(changed)

    def read(self, scan: dict[str, tuple[Any, ...]], problems: Problems) -> list[Document]:
        """Documents of every content file, re-reading only the changed ones."""
        # Discovery also judges static files by their bytes (static.py) and by site.yaml's
        # allow_raw_html: an edit of either is seen again, not only files coming and going.
        if self.sources is None or scan.keys() != self.keys.keys() or any(
                (k[0] in ("link", "broken-link") or r == "site.yaml" or r.startswith("content/static/"))
                and self.keys.get(r) != k for r, k in scan.items()):
            found = Problems()
            self.sources = discover(self.site_dir, found)
            self._discover_problems = list(found.items)
        problems.extend(self._discover_problems)
        docs: list[Document] = []
        live: set[str] = set()
        for source in self.sources:
            if source.kind in ("static", "template"):
                continue
            live.add(source.rel)
            key = scan.get(source.rel)
            cached = self.docs.get(source.rel)
            if cached is None or key is None or cached[0] != key:
                sub = Problems()
                doc = read_document(self.site_dir, source, sub)
                cached = (key, doc, list(sub.items))
                self.docs[source.rel] = cached
            problems.extend(cached[2])
            if cached[1] is not None:
                docs.append(cached[1])
        for rel in list(self.docs):
            if rel not in live:
                del self.docs[rel]
        return docs


class Builder:
    """Keeps the state of the last build of `site_dir` into `out_dir` and updates it."""

    def __init__(self, site_dir: Path, out_dir: Path, search_report: Callable[[str], None] | None = None):
        self.site_dir = site_dir
        self.out = out_dir
        # the search index of out_dir, made in the background (`search_report` is told why
        # there is none, or why it failed, and "" once it works again)
        self.search = BackgroundIndex(out_dir, report=search_report)
        self.site: m.Site | None = None  # the last good site (what out_dir shows)
        self.warnings: list[Problem] = []
        self._files_in = SourceFiles(site_dir)  # what the site folder holds, parsed
        self._assembly = Assembler()
        self._rounds = Reader(site_dir)  # the records at the rounds' commits, kept between rebuilds
        self._git_key: tuple[Any, ...] | None = None
        self._git = GitInfo()
        self._jobs: dict[str, Job] = {}
        self._job_outputs: dict[str, tuple[str, ...]] = {}
        self._files = PreviewFiles(site_dir, out_dir)
        self._template_keys: dict[str, tuple[Any, ...]] = {}
        self.quick = False  # whether the last rebuild stat'ed only the watcher's paths
        self.shortcut = False  # whether it took the body-edit path
        self._env: Any = None  # the Jinja environment, kept while templates/ is unchanged
        # For the body-edit path: facts of the last good build, valid while it is current.
        self._clean = False  # whether the last rebuild succeeded (the state matches self.site)
        self._site_git: GitInfo | None = None
        self._renderer: Renderer | None = None
        self._positions: dict[str, int] = {}  # activity id -> index in self.site.activities
        self._act_jobs: dict[str, list[Job]] = {}  # activity id -> its pages' jobs (one per language)
        # what the browser's tabs show, rendered first (rebuild): their pages (URL paths, as
        # the tabs name them: "/", "/fr/areas/x/"), then the rest of their languages (codes;
        # "" is the first)
        self.viewing_pages: set[str] = set()
        self.viewing: set[str] = set()
        self._body_jobs: list[Job] = []  # the jobs of BODY_KINDS
        self._data: dict[str, bytes] = {}  # the bytes of the spliced data files as last written
        self._pairs: list[tuple[m.Activity, m.Activity]] | None = None  # see _select
        # the files the last good rebuild wrote and the static files, and what to copy
        self._names: tuple[tuple[Any, ...], dict[str, Path]] | None = None

    def _head(self) -> subprocess.Popen[str] | None:
        """Start asking git where HEAD is (the answer is taken by `_history`)."""
        try:
            return subprocess.Popen(["git", "-C", str(self.site_dir), "rev-parse", "HEAD"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        except OSError:
            return None

    def _history(self, head: subprocess.Popen[str] | None = None) -> GitInfo:
        """`git log` again only when HEAD moved (`head`: a `_head()` started earlier)."""
        head = head or self._head()
        key: tuple[Any, ...] = ("no git",)
        if head is not None:
            try:
                out = head.communicate(timeout=30)[0]
                key = (head.returncode, out)
            except subprocess.SubprocessError:
                head.kill()
                head.communicate()
        if key != self._git_key:
            self._git = read_history(self.site_dir)
            self._git_key = key
        return self._git

    # -- rendering -----------------------------------------------------------------------
    def _select(self, site: m.Site, jobs: list[Job], templates_changed: bool) -> tuple[list[Job], bool]:
        """The jobs to render after the change from self.site to `site`, and whether that is
        all. `self._pairs` is set to the changed records ((old, new)) when no record came,
        went or moved in the order, so that the data files can be spliced, else to None."""
        self._pairs = None
        old = self.site
        if old is None or templates_changed or any(getattr(site, f) != getattr(old, f)
                                                   for f in GLOBAL_FIELDS):
            return jobs, True
        before = {a.id: a for a in old.activities}
        after = {a.id: a for a in site.activities}
        changed = {i for i in before.keys() | after.keys()
                   if before.get(i) is not after.get(i) and before.get(i) != after.get(i)}
        if changed and not deps_hold(site, self.site_dir):
            return jobs, True  # the site's templates may show any record on any page
        jobs_changed = len(jobs) != len(self._jobs) or any(j.path not in self._jobs for j in jobs)
        body_only = bool(changed) and all(
            i in before and i in after and dataclasses.replace(before[i], body=after[i].body) == after[i]
            for i in changed)
        wanted = {f"activity:{i}" for i in changed}
        if changed and not body_only:
            wanted.add("activities")
            if jobs_changed:
                wanted.add("order")  # (pages came or went: the sitemap lists them)
            area_of = {ind.id: ind.area for ind in site.plan.indicators}
            for i in changed:
                old_act, new_act = before.get(i), after.get(i)
                for act in (old_act, new_act):
                    if act is not None:
                        wanted.update(f"area:{x}" for x in act.areas)
                        wanted.update(f"area:{area_of[k]}" for k, _ in act.contributes if k in area_of)
                        wanted.update(f"country:{c}" for c in act.all_countries)
                        wanted.update(taxonomy.record_deps(act))  # its tags', partners' and type's pages
                if old_act is None or new_act is None or old_act.start != new_act.start:
                    wanted.add("order")  # the list pages show the count and the order
            if "order" not in wanted:
                self._pairs = [(before[i], after[i]) for i in sorted(changed)]
        out = []
        for job in jobs:
            known = self._jobs.get(job.path)
            if ((known is not job and known != job) or job.deps & wanted
                    or (body_only and job.kind in BODY_KINDS)):
                out.append(job)
        return out, False

    def rebuild(self, hint: set[str] | None = None,
                early: Callable[[frozenset[str]], None] | None = None) -> Outcome:
        """Bring out_dir up to date with the site folder; never raises ContentError.

        `hint`: paths the watcher saw change; when they are all known files, only they are
        stat'ed (instead of every file of the site). `early`: the open tabs' pages to render
        (`self.viewing_pages`) are rendered and written first, then `early` is called with
        their URL paths (the server reloads those tabs); then, on a multilingual site, the
        other pages of the languages in `self.viewing` (codes; "" for the first language),
        and `early` is called with those codes; then the rest.
        """
        started = time.perf_counter()
        quick = self._files_in.quick_scan(hint) if hint else None
        self.quick, self.shortcut = quick is not None, False
        if quick is not None:
            scan, changed = quick
            outcome = self._body_edit(scan, changed, started)
            if outcome is not None:
                return outcome
        else:
            scan = self._files_in.scan()
            changed = sorted(r for r in scan.keys() | self._files_in.keys.keys()
                             if scan.get(r) != self._files_in.keys.get(r))
        self._clean = False  # until this rebuild succeeds
        problems = Problems()
        docs = self._files_in.read(scan, problems)
        self._files_in.keys = scan
        git = self._history()
        static = tuple(s.rel for s in self._files_in.sources or () if s.kind == "static")
        templates = tuple(s.rel for s in self._files_in.sources or () if s.kind == "template")
        site = self._assembly.assemble(docs, problems, git, static, templates)
        if site is not None and site.reports and git.in_repo:
            # (the rounds' records from git: read again when HEAD moved, see history.Reader)
            site = self._rounds.attach(site, git, problems)
        if site is None:
            return self._failed(problems.sorted(), changed, started)
        template_keys = {r: k for r, k in scan.items() if r.startswith("templates/")}
        templates_changed = template_keys != self._template_keys
        renderer = Renderer(site, self.site_dir, __version__)
        if self._env is not None and not templates_changed and self._renderer is not None \
                and self._renderer.words is renderer.words:
            renderer.env = self._env  # compiled templates are reused (compiling costs ~1 s)
            if self._renderer is not None:
                renderer.reuse_items(self._renderer)  # so are unchanged records' list items
        renderer.index_by_id()
        jobs = renderer.jobs()
        todo, full = self._select(site, jobs, templates_changed)
        rendered: dict[str, list[tuple[str, bytes]]] = {}
        # (not after a template edit: a template that fails would be reported after the
        # tabs were reloaded with pages of the others)
        todo, steps = self._viewed_first(todo, site) if early is not None and not templates_changed else (todo, [])
        try:
            for n, job in enumerate(todo):
                if steps and n == steps[0][0] and early is not None:
                    self._files.write(rendered)  # what the tabs show, before the rest
                    early(steps.pop(0)[1])
                data = None
                if (self._pairs is not None and job.kind in datafiles.SPLICED and not job.lang
                        and job.path in self._data):
                    data = datafiles.splice(renderer, job.kind, self._data[job.path], self._pairs)
                rendered[job.path] = [(job.path, data)] if data is not None else renderer.render(job)
        except TemplateError as exc:
            problem = Problem(_template_path(exc.template, self.site_dir), exc.line, 1, "error", exc.message)
            return self._failed([problem], changed, started)
        job_outputs = {j.path: (tuple(p for p, _ in rendered[j.path]) if j.path in rendered
                                else self._job_outputs[j.path]) for j in jobs}
        # (names are checked again only when the files written or the static files changed)
        names = (job_outputs, site.static_files)
        if self._names is None or self._names[0] != names:
            clash = collision(jobs, job_outputs)
            if clash:
                return self._failed([clash], changed, started)
            try:
                copies = static_copies(site, self.site_dir, dict.fromkeys(
                    (p for outs in job_outputs.values() for p in outs), b""))
            except ContentError as exc:
                return self._failed(exc.problems, changed, started)
            self._names = (names, copies)
        copies = self._names[1]
        written, removed = self._files.sync(rendered, job_outputs, copies, scan)
        self.site = site
        self._jobs = {j.path: j for j in jobs}
        self._keep_data(rendered)
        self._job_outputs = job_outputs
        self._template_keys = template_keys
        self._env = renderer.env
        self.warnings = problems.sorted()
        self._clean, self._site_git, self._renderer = True, git, renderer
        self._positions = {a.id: i for i, a in enumerate(site.activities)}
        self._act_jobs = {}
        for j in jobs:
            if j.kind == "activity":
                self._act_jobs.setdefault(j.key, []).append(j)  # (one per language)
        self._body_jobs = [j for j in jobs if j.kind in BODY_KINDS]
        self._index_pages()
        return Outcome(True, self.warnings, changed, len(todo), written, removed, full,
                       (time.perf_counter() - started) * 1000)

    def _viewed_first(self, todo: list[Job], site: m.Site) -> tuple[list[Job], list[tuple[int, frozenset[str]]]]:
        """`todo` with the open tabs' pages first, then the other pages of their languages;
        and the steps at which to tell the server: (jobs done, what is ready: URL paths of
        pages, or language codes)."""
        steps: list[tuple[int, frozenset[str]]] = []
        opened: dict[str, str] = {}  # output path -> URL path
        for url in sorted(self.viewing_pages):
            path = url.lstrip("/")
            opened.setdefault(path + "index.html" if not path or path.endswith("/") else path, url)
        first = [j for j in todo if j.path in opened]
        if first and len(first) < len(todo):
            todo = first + [j for j in todo if j.path not in opened]
            steps.append((len(first), frozenset(opened[j.path] for j in first)))
        viewed = frozenset(self.viewing) & frozenset(("", *site.config.languages[1:]))
        if viewed and site.config.languages:
            done = steps[0][0] if steps else 0
            mine = [j for j in todo[done:] if j.lang in viewed]
            if mine and done + len(mine) < len(todo):
                todo = todo[:done] + mine + [j for j in todo[done:] if j.lang not in viewed]
                steps.append((done + len(mine), viewed))
        return todo, steps

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

    def _body_edit(self, scan: dict[str, tuple[Any, ...]], changed: list[str],
                   started: float) -> Outcome | None:
        """The commonest edit in time proportional to the edit, not to the site: when the
        changed files are activity files whose records differ from the last good site's only
        in their Markdown bodies (same problems too), patch that site and its renderer and
        render the activities' pages and the body kinds, as `_select` would. None for
        anything else (or a site whose templates could show a record elsewhere, see
        render.deps_hold): the general path then runs."""
        if not (self._clean and changed and self.site is not None and self._renderer is not None
                ) or not deps_hold(self.site, self.site_dir):
            return None
        head = self._head()  # git answers while the files are read and rendered
        try:
            patched = self._patch(scan, changed)
        finally:
            git = self._history(head)
        if patched is None or git is not self._site_git:
            return None
        site, renderer, docs, memos, rendered = patched
        written = self._files.write(rendered)
        self._keep_data(rendered)
        self._files_in.docs.update(docs)
        self._assembly.act_memo.update(memos)
        self._files_in.keys = scan
        self.site, self._renderer = site, renderer
        self.shortcut = True
        self._index_pages()
        return Outcome(True, self.warnings, changed, len(rendered), written, 0, False,
                       (time.perf_counter() - started) * 1000)

    def _patch(self, scan: dict[str, tuple[Any, ...]], changed: list[str]) -> tuple[Any, ...] | None:
        """For `_body_edit`: the new site, renderer, document and activity memo entries and
        rendered files; None unless only bodies of activity records changed."""
        site, renderer = self.site, self._renderer
        assert site is not None and renderer is not None
        pairs: list[tuple[m.Activity, m.Activity]] = []
        docs, memos = {}, {}
        for rel in changed:
            cached, entry = self._files_in.docs.get(rel), self._assembly.act_memo.get(rel)
            if cached is None or cached[1] is None or entry is None or entry[0] is not cached[1]:
                return None
            read = Problems()
            doc = read_document(self.site_dir, cached[1].source, read)
            if doc is None or read.items != cached[2]:
                return None
            checked = Problems()
            acts = validate.activities([doc], site.plan, checked)
            if entry[1] is not site.plan or checked.items != entry[3] or len(acts) != len(entry[2]):
                return None
            for old, new in zip(entry[2], acts):
                if dataclasses.replace(old, body=new.body) != new:
                    return None
                pairs.append((old, new))
            docs[rel] = (scan[rel], doc, cached[2])
            memos[rel] = (doc, site.plan, acts, entry[3], False)
        activities = list(site.activities)
        for old, new in pairs:
            at = self._positions.get(new.id)
            if at is None or activities[at] is not old:
                return None
            activities[at] = new
        site = dataclasses.replace(site, activities=tuple(activities))
        renderer = renderer.with_bodies(site, {id(old): new for old, new in pairs})
        rendered: dict[str, list[tuple[str, bytes]]] = {}
        try:
            for job in [j for _, new in pairs for j in self._act_jobs[new.id]] + self._body_jobs:
                if job.kind in datafiles.SPLICED and not job.lang and job.path in self._data:
                    data = datafiles.splice(renderer, job.kind, self._data[job.path], pairs)
                    if data is not None:
                        if data is not self._data[job.path]:
                            rendered[job.path] = [(job.path, data)]
                        continue
                outputs = renderer.render(job)
                if tuple(p for p, _ in outputs) != self._job_outputs[job.path]:
                    return None  # e.g. a chart file more or less: the general path sorts it out
                rendered[job.path] = outputs
        except TemplateError:
            return None
        return site, renderer, docs, memos, rendered

    def _keep_data(self, rendered: dict[str, list[tuple[str, bytes]]]) -> None:
        """Remember the bytes of the data files made of a piece per record as written (the
        next rebuild may splice them: datafiles.splice)."""
        for job_path, outputs in rendered.items():
            for path, data in outputs:
                if path == job_path and self._jobs.get(path, _NO_JOB).kind in datafiles.SPLICED:
                    self._data[path] = data

    def _failed(self, problems: list[Problem], changed: list[str], started: float) -> Outcome:
        errors = [p for p in problems if p.severity == "error"] or problems
        return Outcome(False, errors, changed, ms=(time.perf_counter() - started) * 1000)
