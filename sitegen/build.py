"""The build: load -> validate -> model -> progress -> render -> write, in that order.

This is the only module that runs the stages; each stage is a function of the previous
one's result.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, cache, search
from .content import fs_key
from .errors import ContentError, Problem, Problems, strictly
from .gitinfo import History
from .keys import Keys
from .loader import load_site
from .search_process import Indexing, TreeIndex
from .search_shards import activity_page
from .trees import (
    OUTPUTS,
    Entry,
    Seed,
    Tree,
    TreeWriter,
    discard,
    intact_tree,
    keep_spare,
    kept_outputs,
    prune,
    same_device,
    start_tree,
    walk_files,
)
from .write import (
    _MARKER_TEXT,
    MARKER,
    check_dot_entries,
    check_output_dir,
    check_replaceable,
    check_untracked,
    output_lock,
    remove_tree,
    swap,
    temp_path,
)

if TYPE_CHECKING:
    from . import model as m
    from .render import Job, Renderer

ASSETS = ("plotly-basic.min.js", "site.css", "site.js", "search.js", "filter.js")

# The environment variables that turn a site.yaml setting on for one run (`--drafts`,
# `build --file-links`; validate_site.site_config reads them): part of the cache's input fingerprint.
RUN_SETTINGS = ("SITEGEN_DRAFTS", "SITEGEN_FILE_LINKS")


def import_stages() -> None:
    """Import the validating and rendering stages (Jinja, the model, charts, Markdown: a
    fifth of sitegen's start-up). The build calls this while its parsing workers run, which
    were forked without them; the functions below import what they use from them."""
    from . import model, progress, render, validate  # noqa: F401


@dataclass(frozen=True)
class BuildResult:
    """What a finished build reports."""

    pages: int
    files: int
    records: int
    seconds: float
    warnings: tuple[Problem, ...]
    output: Path
    rendered: int = -1  # pages rendered (the others were unchanged); -1: all


def check(site_dir: Path, strict: bool = False, workers: int | None = None) -> tuple[m.Site | None, list[Problem]]:
    """Validate everything without writing: the site (None on errors) and every problem.
    The files are parsed and the pages rendered as a build without a cache does (in worker
    processes when there are enough of them), the pages kept by path only."""
    problems = Problems()
    bad = cache.folder_problem(site_dir)  # (the build would stop on it: say so now)
    if bad is not None:
        problems.extend([bad])
    workers = default_workers() if workers is None else workers
    # (the build's cache, when there is one, is read and never written: the parsed files,
    # and the keys of the outputs the last build rendered, which need not be rendered again)
    folder = site_dir / cache.DIRNAME
    usable = bad is None and folder.is_dir()
    store = cache.Store(site_dir, enabled=usable, keep=False)
    site = load_site(site_dir, problems, git=History(site_dir),
                     reader=store.reader(workers, lambda: b"", meanwhile=import_stages),
                     validated=store.validated)
    if site is not None:
        _check_templates(site, site_dir, problems, workers, store.digests, _built_keys(folder) if usable else {},
                         folder if usable else None)
    items = problems.sorted()
    if strict:
        items = sorted(strictly(items))
    return site, items


def _check_templates(site: m.Site, site_dir: Path, problems: Problems, workers: int,
                     sources: dict[str, bytes], built: dict[str, bytes], cache_dir: Path | None) -> None:
    """Render every page once, keeping none, so that template errors, two pages writing one
    file and static files that clash with a generated file are found by `check` too. An
    output whose key (keys.py) is one in `built` (a build rendered it from the same inputs,
    without an error) is not rendered again: its files are the ones that build named.
    `sources`: source file -> digest of its bytes; `cache_dir`: the build's cache, read for
    what the records' pieces and the maps' layouts were (never written)."""
    try:
        files = _render_all(site, site_dir, workers, None, Discard(), built, sources, cache_dir=cache_dir)[0]
        static_copies(site, site_dir, files)
    except ContentError as exc:
        problems.extend(exc.problems)


def _built_keys(folder: Path) -> dict[str, bytes]:
    """The keys of the outputs the last build rendered (those of its most recently written
    record of an output folder, cache.py's trees-*.pickle), or {}."""
    try:
        found = sorted((p.stat().st_mtime_ns, p.name) for p in folder.glob("trees-*.pickle"))
    except OSError:
        return {}
    trees = cache.load_pickle(folder / found[-1][1]) if found else None
    out = trees.get("out") if isinstance(trees, dict) else None
    keys = out.get("keys") if isinstance(out, dict) else None
    return keys if isinstance(keys, dict) else {}


class Discard:
    """The writer of `check`: it keeps nothing, so that a page rendered by a worker comes
    back as its path only (10,000 pages sent back to be dropped took 0.2 GB)."""

    def put(self, rel: str, data: bytes) -> None:
        return None


def _template_path(name: str, site_dir: Path) -> str:
    path = Path(name)
    if path.is_absolute() and path.is_relative_to(site_dir.resolve()):
        return path.relative_to(site_dir.resolve()).as_posix()
    if path.is_absolute() and path.is_relative_to(site_dir):
        return path.relative_to(site_dir).as_posix()
    return name


# -- rendering, serial or over forked workers --------------------------------------------
# Below these many pages to render, workers cost more than they save: forked ones, and
# spawned ones (macOS, Windows; see workers.worth_starting).
PARALLEL_MIN_JOBS = 300
PARALLEL_MIN_JOBS_SPAWNED = 2000
# Outputs that show no record's pieces (list items, round lines, data-file pieces: see
# record_memo), which a worker may render as well as the build's own process (which makes
# and keeps those pieces for the next build): a page of one indicator, the cards, the
# timeline, the open-data tables and the small data files.
EITHER_KINDS = frozenset({"indicator", "indicator_breakdown", "indicator_values", "card_indicator", "card_area",
                          "card_plan", "timeline", "open_table", "datapackage", "sitemap", "results",
                          "area_results", "plan_json", "report_json", "countries", "areas", "tags",
                          "partners", "types", "reports", "freepage", "notfound", "robots", "search"})


@dataclass
class _Work:
    """What the render workers get: the renderer, the jobs and the writer. A forked worker
    shares the parent's; a spawned one is sent the site and makes its own renderer."""

    renderer: Renderer
    jobs: list[Job]
    writer: TreeWriter | Discard | None

    def __reduce__(self) -> tuple[Any, ...]:
        r = self.renderer
        return (_remake_work, (r.site, r.site_dir, self.jobs, self.writer))


def _remake_work(site: m.Site, site_dir: Path, jobs: list[Job], writer: TreeWriter | Discard | None) -> _Work:
    """A spawned worker's _Work: a renderer of the site made anew (its words, the site's own
    messages included, from the site, as the parent's)."""
    from .render import Renderer
    renderer = Renderer(site, site_dir, __version__, cache.template_cache(),
                        remember_html=False)
    renderer.index_by_id()
    return _Work(renderer, jobs, writer)


def _render_jobs(w: _Work, indices: list[int]) -> list[tuple[int, Any]]:
    """Render some jobs (in a worker or the parent): per job its outputs or a template error.
    Outputs are (path, bytes), or (path, manifest entry) when a TreeWriter writes them."""
    from .render import TemplateError
    out: list[tuple[int, Any]] = []
    for i in indices:
        job = w.jobs[i]
        try:
            outputs = w.renderer.render(job)
        except TemplateError as exc:
            out.append((i, ("error", exc.template, exc.line, exc.message)))
            continue
        if w.writer is not None:
            out.append((i, [(path, w.writer.put(path, data)) for path, data in outputs]))
        else:
            out.append((i, outputs))
    return out


def _render_all(site: m.Site, site_dir: Path, workers: int,
                tick: Callable[[int, int], None] | None, writer: TreeWriter | Discard | None,
                keys: dict[str, bytes] | None = None, sources: dict[str, bytes] | None = None,
                live: Tree | None = None, cache_dir: Path | None = None,
                pages_done: Callable[[dict[str, Any], str], None] | None = None,
                checked: Callable[[], set[str] | None] | None = None
                ) -> tuple[dict[str, Any], dict[str, bytes], int]:
    """Render every job; returns output path -> bytes (or manifest entry), in job order, the
    keys of the outputs that have one (keys.py) and how many pages were kept as they were.

    With Discard for a writer (`check`), the outputs are rendered and dropped: each path
    maps to None. Compiled templates come from cache.template_cache() (for `check` too: that
    per-user cache is outside the site). With a TreeWriter (the build), an output whose key
    (keys.py) is the one `keys` records for the writer's folder, and whose files there are
    intact, is not rendered again: its entries are kept. Nor is one
    whose key is the one `live` (the live output, when the writer's folder is an older
    tree) records: its files there are hard-linked instead. `checked` is called before
    anything is written in the writer's folder (the build walks it then) and gives the
    activity pages there that are intact (TreeIndex.check), or None: each is read back here.
    `sources` maps source files to the digests of their bytes. Workers are forked only when
    there are enough pages to render. The records' fields keys are kept in `cache_dir` for
    the next build (keys.Keys), and so are the pieces of each activity (its list items,
    round lines, pieces of the site-wide data files), taken from there when its page key is
    unchanged (record_memo.RecordTexts). In one process, `pages_done` is given the HTML
    files (output path -> manifest entry) when those of activities and terms are final
    ("groups"), then when the other indexed pages are ("other": search_shards.INDEXED_KINDS),
    then when all are ("all"), the pages being rendered in that order,
    then the data files (build._build indexes the pages meanwhile)."""
    from . import maps
    from .record_memo import RecordTexts, texts_store
    from .render import Renderer
    renderer = Renderer(site, site_dir, __version__, cache.template_cache(),
                        remember_html=False)
    renderer.index_by_id()
    jobs = renderer.jobs()
    results: list[Any] = [None] * len(jobs)
    new_keys: dict[str, bytes] = {}
    by_id: dict[str, bytes] = {}
    todo = list(range(len(jobs)))
    keyed: list[int] = []  # the pages other than activity pages that have a key
    fields_path = cache_dir / "fields.pickle" if cache_dir is not None else None
    maps_path = cache_dir / "maps.pickle" if cache_dir is not None else None
    known_maps = cache.load_pickle(maps_path) if maps_path is not None else None
    maps.know_layouts(known_maps)  # (before workers are forked: they know them too)
    keyer: Keys | None = None
    # (the pieces are made where the pages that show them are: in this process, also with
    # workers, which render only activity pages, so that the next build finds them all)
    texts = texts_store(cache_dir) if cache_dir is not None else None
    pieces: dict[Any, str] | None = None
    pages: dict[int, bytes] = {}  # activity pages -> their keys
    if isinstance(writer, TreeWriter) or keys:  # (decided here: a worker computing keys would copy every record)
        known = cache.load_pickle(fields_path) if fields_path is not None else None
        keyer = Keys(site, site_dir, renderer, sources or {}, known if isinstance(known, dict) else {})
        by_id = keyer.pages
        pages = {i: keyer.page(job) for i, job in enumerate(jobs) if job.kind == "activity"}
        for i, key in pages.items():
            new_keys[jobs[i].path] = key
        for i, job in enumerate(jobs):
            job_key = keyer.key(job) if job.kind != "activity" else None
            if job_key is not None:
                keyed.append(i)
                new_keys[job.path] = job_key
    if isinstance(writer, Discard) and keys:
        # `check`: an output whose key is one a build recorded renders as it did then, without
        # an error (its files are taken as that build named them)
        for i in [*pages, *keyed]:
            path = jobs[i].path
            if keys.get(path) == new_keys[path]:
                named = keys.get(path + OUTPUTS)
                results[i] = ([(rel, None) for rel in named.decode("utf-8").split("\n")] if named is not None
                              else [(path, None)] if i in pages else None)
        todo = [i for i, got in enumerate(results) if got is None]
    elif isinstance(writer, TreeWriter):
        if texts is not None:  # (loaded while the indexing process reads the tree back)
            pieces = texts.load()
        # (walked and read back meanwhile by the indexing process, when there is one; nothing
        # is written in the writer's folder before)
        held = checked() if checked is not None else None
        for i in keyed:
            results[i] = kept_outputs(writer, jobs[i].path, new_keys[jobs[i].path], keys or {}, live)
        for i, key in pages.items():
            path = jobs[i].path
            entry = None
            if keys and keys.get(path) == key:
                entry = writer.intact(path) if held is None else writer.known[path] if path in held else None
            if entry is None and live is not None and live.keys.get(path) == key:
                entry = writer.adopt(path, live)
            if entry is not None:
                results[i] = [(path, entry)]
        rest = [i for i, got in enumerate(results) if got is None]
        todo = rest  # (in job order; not todo.remove per kept page: a pass over the list each)
    done = len(jobs) - len(todo)
    # (pages kept: a kept job's HTML files, its charts' embed pages included, as `pages` counts them)
    kept = sum(1 for got in results if got is not None for rel, _ in got if rel.endswith(".html"))

    def take(rendered: list[tuple[int, Any]]) -> None:
        nonlocal done
        for i, outputs in rendered:
            results[i] = outputs
        done += len(rendered)
        if tick:
            tick(done, len(jobs))

    heavy = [i for i in todo if jobs[i].kind == "activity"]
    from .workers import Workers, start_method, worth_starting
    parallel = (workers > 1 and bool(heavy)
                and worth_starting(len(todo), PARALLEL_MIN_JOBS, PARALLEL_MIN_JOBS_SPAWNED))
    if texts is not None:
        renderer.memo.texts = RecordTexts(by_id, texts.load() if pieces is None else pieces)
        renderer.memo.records = renderer.records.by_id
    work = _Work(renderer, jobs, writer)
    if parallel:
        from .page_list import BODY_KINDS
        # (the outputs that show every record's Markdown body go to the workers too: a body
        # that crashes the Markdown renderer is then the error of its page, not the build's)
        bodies = [i for i in todo if jobs[i].kind in BODY_KINDS]
        light = [i for i in todo if jobs[i].kind != "activity" and jobs[i].kind not in BODY_KINDS]
        take(_render_jobs(work, heavy[:1]))  # compiles the activity templates once, before a fork
        heavy = heavy[1:]
        forked = start_method() == "fork"
        if forked:
            renderer.prepare()  # what the aggregate pages share, made once for every worker
        # The workers render the activity pages, in small even chunks (so both finish at
        # about the same time); this process renders the other pages and the data files
        # meanwhile, one between two results (a worker waits for its next chunk no longer
        # than a page): it makes and keeps the pieces they share (record_memo.RecordTexts),
        # which, sent back by workers, raised the cold build's peak memory by ~90 MB.
        # (Its pages render the Markdown of the site's own texts, as every build in one
        # process does; the records' bodies are rendered by the workers.)
        # The pages and files that show no record's pieces (EITHER_KINDS) go to whichever is
        # free first: after the activity pages to a worker, after this process's other work
        # to it, from the other end, so that the workers and this process end together.
        either = [i for i in light if jobs[i].kind in EITHER_KINDS]
        size = max(20, min(200, len(heavy) // (workers * 8) or 1))
        chunks = ([[i] for i in bodies] + [heavy[k:k + size] for k in range(0, len(heavy), size)]
                  + [[i] for i in either])
        mine = either + list(reversed([i for i in light if jobs[i].kind not in EITHER_KINDS]))
        taken: set[int] = set()

        def claim(i: int) -> bool:
            if i in taken:
                return False
            taken.add(i)
            return True

        def own() -> bool:
            while mine:
                i = mine.pop()
                if claim(i):
                    take(_render_jobs(work, [i]))
                    break
            return bool(mine)
        if forked:
            # Everything made so far lives until the workers are done: the collector need not
            # scan it again, and the forked workers do not touch (and so copy) its pages
            # when they collect.
            gc.freeze()
        try:
            # (a worker that dies, e.g. of a crash in a native library, is an error for the
            # page that killed it: see workers.Workers; multiprocessing.Pool would wait forever)
            with Workers(_render_jobs, work, workers) as pool:
                died = pool.run(chunks, take, own, lambda task: len(task) > 1 or claim(task[0]))
        finally:
            if forked:
                gc.unfreeze()
        if died:
            raise ContentError([_crash_problem(renderer, jobs[i]) for i in sorted(died)])
    else:
        from .search_shards import INDEXED_KINDS, owner
        html = [i for i in todo if jobs[i].path.endswith(".html")]
        other = [i for i in html if owner(jobs[i].path) is None]
        # the pages of activities and terms first: their search groups are indexed while the
        # other pages render; then the other indexed pages (their group is indexed while the
        # rest render), the rest of the pages, the data files
        for stage, part in (("groups", [i for i in html if owner(jobs[i].path) is not None]),
                            ("other", [i for i in other if jobs[i].kind in INDEXED_KINDS]),
                            ("all", [i for i in other if jobs[i].kind not in INDEXED_KINDS])):
            take(_render_jobs(work, part))
            # (none of them rendered: their groups are as they were, nothing ahead)
            if pages_done is not None and (stage == "all" or part) and not any(_failed(got) for got in results):
                pages_done({path: data for outputs in results if outputs is not None
                            for path, data in outputs if path.endswith(".html")}, stage)
        take(_render_jobs(work, [i for i in todo if not jobs[i].path.endswith(".html")]))
    for outputs in results:
        if _failed(outputs):
            _, template, line, message = outputs
            raise ContentError([Problem(_template_path(template, site_dir), line, 1, "error", message)])
    for i in keyed:  # what each keyed page writes (its page and its charts' CSV files)
        new_keys[jobs[i].path + OUTPUTS] = "\n".join(p for p, _ in results[i]).encode("utf-8")
    clash = collision(jobs, {job.path: tuple(p for p, _ in outputs) for job, outputs in zip(jobs, results)})
    if clash:
        raise ContentError([clash])
    if isinstance(writer, TreeWriter):  # (`check` reads the cache, never writes it)
        if texts is not None:
            texts.save(renderer.memo.texts.kept())
        if fields_path is not None and keyer is not None and keyer.used != keyer.known:
            cache.save_pickle(fields_path, keyer.used)
        layouts = maps.layouts_to_keep(known_maps) if maps_path is not None else None
        if maps_path is not None and layouts is not None:  # (when this build drew other maps)
            cache.save_pickle(maps_path, layouts)
    files = {path: data for outputs in results for path, data in outputs}
    return files, new_keys, kept


def _failed(outputs: Any) -> bool:
    """Whether a job's result (see _render_jobs) is a template error."""
    return isinstance(outputs, tuple) and bool(outputs) and outputs[0] == "error"


def _crash_problem(renderer: Renderer, job: Job) -> Problem:
    """The error for a page whose rendering killed its worker process, located at the
    body of the record it shows (the Markdown renderer is the native code a page runs)."""
    site = renderer.site
    records: dict[str, Any] = {
        "activity": renderer.records.by_id, "freepage": {p.slug: p for p in site.pages},
        "report": {r.id: r for r in site.reports}, "area": {t.area: t for t in site.area_texts}}
    record = records.get(job.kind, {}).get(job.key)
    message = "the Markdown renderer crashed on this record's body (deeply nested lists or quotes?)"
    if record is None:
        return Problem(job.path, 0, 0, "error", f"rendering this page crashed the renderer ({job.kind} '{job.key}')")
    return Problem(record.loc.path, getattr(record, "body_line", record.loc.line) or 1, 1, "error", message)


def collision(jobs: list[Job], job_outputs: dict[str, tuple[str, ...]]) -> Problem | None:
    """Two jobs writing one file on some common file system (names compared by
    content.fs_key); `job_outputs`: job path -> the files it writes."""
    owner: dict[str, Job] = {}
    for job in jobs:
        for path in job_outputs[job.path]:
            key = fs_key(path)
            if key in owner and owner[key] is not job:
                first = owner[key]
                return Problem(job.path, 0, 0, "error", f"two pages write {path}: {first.kind} "
                               f"'{first.key}' and {job.kind} '{job.key}'")
            owner[key] = job
    return None


def render_site(site: m.Site, site_dir: Path, workers: int = 1,
                tick: Callable[[int, int], None] | None = None) -> dict[str, bytes]:
    """Every generated file of the site: output path -> bytes (collisions are errors)."""
    return _render_all(site, site_dir, workers, tick, None)[0]


def static_copies(site: m.Site, site_dir: Path, files: dict[str, Any]) -> dict[str, Path]:
    """Theme assets and content/static/ files to copy, refusing clashes with pages (and
    with each other) on any common file system: an error names both files."""
    from .render import THEME
    copies = {f"assets/{name}": THEME / "assets" / name for name in ASSETS}
    generated = _sources_of(site)
    taken: dict[str, tuple[str, str, str]] = {}  # fs_key -> (output path or "folder/", kind, source)
    folders: set[str] = set()
    for path in [*files, *copies]:
        _take(taken, path, "generated", generated.get(path, ""), folders)
    problems = []
    for rel in site.static_files:
        out = rel[len("content/static/"):]
        clash = _clash(taken, out)
        if not clash and fs_key(out.partition("/")[0]) == fs_key(search.FOLDER):
            clash = f"static file in {search.FOLDER}/, which holds the search index"
        if clash:
            hint = ("to add CSS after the theme's, move the file out of assets/ and name it in "
                    "site.yaml: custom_css: style.css (docs/theming.md#branding)"
                    if out.lower().endswith(".css") and fs_key(out.partition("/")[0]) == "assets"
                    else "rename or move the static file")
            problems.append(Problem(rel, 0, 0, "error", clash, hint))
        else:
            _take(taken, out, "static", rel, folders)
            copies[out] = site_dir / rel
    if problems:
        raise ContentError(problems)
    return copies


def _take(taken: dict[str, tuple[str, str, str]], path: str, kind: str, source: str,
          folders: set[str]) -> None:
    """Note an output file and its folders under their file-system keys (the first to take a
    key keeps it). `folders`: the folders noted so far, with their own folders (a site's
    20,000 files are in a few thousand)."""
    new = []
    cut = path.rfind("/")
    while cut >= 0 and (spelt := path[:cut + 1]) not in folders:
        folders.add(spelt)
        new.append(spelt)
        cut = path.rfind("/", 0, cut)
    for spelt in reversed(new):  # (the outer folders first)
        taken.setdefault(fs_key(spelt.rstrip("/")), (spelt, kind, source))
    taken.setdefault(fs_key(path.rstrip("/")), (path, kind, source))


def _clash(taken: dict[str, tuple[str, str, str]], path: str) -> str:
    """What an output file (or one of its folders) would clash with ('' when nothing)."""
    parts = path.split("/")
    for i in range(len(parts), 0, -1):  # the file itself first, then its folders
        spelt = "/".join(parts[:i]) + ("/" if i < len(parts) else "")
        other, kind, source = taken.get(fs_key(spelt.rstrip("/")), ("", "", ""))
        if not other or (other == spelt and spelt.endswith("/")):
            continue
        what = f"the {kind} {other}" + (f" (from {source})" if source else "")
        if other == spelt:
            return f"static file would overwrite {what}"
        if other.rstrip("/") == spelt.rstrip("/"):
            return f"static file clashes with {what}: a file and a folder cannot share a name"
        return f"static file clashes with {what}: '{spelt}' and '{other}' are one name on Windows and macOS"
    return ""


def _sources_of(site: m.Site) -> dict[str, str]:
    """Generated pages -> the content file they come from (for messages naming both files)."""
    out = {f"activities/{a.id}/index.html": f"{a.loc.path}:{a.loc.line}" for a in site.activities}
    out.update({f"pages/{p.slug}/index.html": p.loc.path for p in site.pages})
    out.update({f"reports/{r.id}/index.html": r.loc.path for r in site.reports})
    out.update({f"data/reports/{r.id}.json": r.loc.path for r in site.reports})
    out.update({f"areas/{a.id}/index.html": "content/plan.yaml" for a in site.plan.areas})
    out.update({f"indicators/{i.id}/index.html": "content/plan.yaml" for i in site.plan.indicators})
    return out


def build(site_dir: Path, out_dir: Path | None = None, strict: bool = False,
          tick: Callable[[int, int], None] | None = None, workers: int | None = None,
          use_cache: bool = True) -> BuildResult:
    """Full build of `site_dir` into `out_dir` (default SITE/output); atomic on success.

    With `use_cache` (the default) the build reads and fills SITE/.sitegen-cache/ and
    updates the previous output tree kept there; the output is the same either way (a
    site folder where the cache cannot be made, e.g. a read-only one, builds without it).
    Operating faults raise OSError or write.BuildFault with the previous output intact.
    """
    started = time.perf_counter()
    out = out_dir if out_dir is not None else site_dir / "output"
    check_output_dir(site_dir, out)
    check_untracked(out)
    workers = default_workers() if workers is None else max(1, workers)
    if use_cache:
        bad = cache.folder_problem(site_dir)
        if bad is not None:
            raise ContentError([bad])
    check_replaceable(out)
    with output_lock(out):
        cached = use_cache and cache.make_folder(site_dir)
        cache_dir = site_dir / cache.DIRNAME if cached else None
        indexer = search.binary()  # (another one, or none, is a change: the index is made again)
        tag = cache.digest(str(out.resolve()).encode()).hex()[:12]
        # An edit's build (the last build left a record of its output): the indexing process
        # starts now, so that its start-up and the loading of its memo are done beside the
        # loading of the site, when the second core is idle (see TreeIndex).
        starter = (Indexing(cache_dir / f"search-{tag}") if cache_dir is not None and not indexer.missing
                   and (cache_dir / f"trees-{tag}.pickle").is_file() else None)
        try:
            return _build(site_dir, out, strict, tick, workers, started, cache_dir, indexer, tag, starter)
        finally:
            if starter is not None:
                starter.stop(kill=True)  # (none when the build handed it over and it ended)


def _build(site_dir: Path, out: Path, strict: bool, tick: Callable[[int, int], None] | None,
           workers: int, started: float, cache_dir: Path | None, indexer: search.Binary, tag: str,
           starter: Indexing | None) -> BuildResult:
    """The build: render into a new tree beside the output and swap it in. With a cache
    folder, the tree starts from the spare (the output before last) and only the outputs
    whose keys changed are rendered and written; without one (`build(use_cache=False)`, a
    site folder where the cache cannot be made), everything is rendered into an empty tree
    and the old output is removed after the swap."""
    out_abs = out.resolve()
    trees_path = cache_dir / f"trees-{tag}.pickle" if cache_dir else None
    spare = cache_dir / f"spare-{tag}" if cache_dir else None
    loaded = cache.load_pickle(trees_path) if trees_path else None
    trees: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
    git = History(site_dir)  # git runs while the files are read

    def extra() -> bytes:
        return repr((cache.stamp(), str(out_abs), strict, git.result(), indexer.missing, indexer.identity(),
                     [os.environ.get(name) for name in RUN_SETTINGS])).encode()

    store = cache.Store(site_dir, enabled=cache_dir is not None)

    def unchanged(fingerprint: bytes) -> bool:
        same = trees.get("fingerprint") == fingerprint and intact_tree(out_abs, trees.get("out"))
        if not same and starter is not None:
            starter.send(("load", None))  # (the site changed: the indexing process has work ahead)
        return same

    problems = Problems()
    try:
        site = load_site(site_dir, problems, git=git,
                         reader=store.reader(workers, extra, unchanged, meanwhile=import_stages),
                         validated=store.validated)
    except cache.Unchanged:
        pages, nfiles, records, warnings = trees["result"]
        return BuildResult(pages, nfiles, records, time.perf_counter() - started, warnings, out)
    items = problems.sorted()
    blocking = [p for p in (strictly(items) if strict else items) if p.severity == "error"]
    if site is None or blocking:
        raise ContentError(blocking or items)
    # The live output's manifest, when output/ is still the tree it describes.
    live: dict[str, Any] = trees.get("out") or {}
    described = bool(live) and out_abs.is_dir() and os.stat(out_abs).st_ino == live["ino"]
    ours = {rel.partition("/")[0] for rel in live["files"]} if described else set()
    check_dot_entries(out, _published_dots(site) | ours)

    # The parsed documents are saved (and dropped) now, and the memory they held returned to
    # the system before the workers are forked: each worker starts as big as this process.
    store.save()
    cache.trim_memory()
    out_abs.parent.mkdir(parents=True, exist_ok=True)
    # The new tree is written in `work` beside the output (as write.py does), but starting
    # from the spare: the output before last, kept in the cache folder after the last swap.
    work = temp_path(out_abs)
    index: TreeIndex | None = None
    seed: Seed | None = None
    if cache_dir is None or not same_device(cache_dir, out_abs.parent):
        spare = None  # (no renames between devices: no spare tree)
    try:
        known, known_keys, live_tree = start_tree(work, out_abs, spare, trees,
                                                   trees_path, live if described else {})
        # (from nothing: the next build's spare is made meanwhile, see Seed; also into an
        # output folder no record describes, after sitegen was upgraded or its cache deleted,
        # whose old output is then removed after the swap: kept as the spare, with contents
        # unknown, it had the next build link every page into it again, ~1 s at 10,000 records)
        seed_to = spare if not known and not described else None
        writer = TreeWriter(work, known)
        index = TreeIndex(writer, known_keys, live_tree, indexer, cache_dir / f"search-{tag}" if cache_dir else None,
                          temp_path(out_abs, "search-"), early=bool(known), process=starter)
        # The tree's files and folders, walked (symlinks removed: sitegen writes none, and one
        # would send writes, or the published site, elsewhere) before anything is written in
        # it, and the activity pages it may keep read back: by the indexing process while the
        # build works out its keys, else here (`walked`, called by _render_all).
        index.check([rel for rel in known if activity_page(rel)])
        before: list[str] = []
        folders: list[str] = []

        def walked() -> set[str] | None:
            got = index.checked()
            if got is None:
                before.extend(walk_files(work, drop_symlinks=True, folders=folders))
                return None
            held, files, dirs = got
            before.extend(files)
            folders.extend(dirs)
            return held
        early: dict[str, Entry] = {}  # (the static HTML files, written for the index before the rest)

        def pages_done(pages: dict[str, Entry], stage: str) -> None:
            if stage != "all":  # (the pages of activities and terms, then the other indexed
                # pages: the others may follow)
                index.ahead({path: entry[0] for path, entry in pages.items()}, other=stage == "other")
                return
            for rel in site.static_files:
                path = rel[len("content/static/"):]
                if path.endswith(".html") and path not in pages:
                    early[path] = writer.put(path, (site_dir / rel).read_bytes())
            index.start({path: entry[0] for path, entry in {**pages, **early}.items()})

        files, page_keys, kept = _render_all(
            site, site_dir, workers, tick, writer, known_keys, store.digests, live_tree, cache_dir, pages_done,
            walked)
        copies = static_copies(site, site_dir, files)
        manifest = dict(files)
        for rel, src in copies.items():
            manifest[rel] = early.get(rel) or writer.put(rel, src.read_bytes())
        seed = Seed(work, seed_to, list(manifest)) if seed_to is not None else None
        indexed, missing = index.finish(manifest, page_keys)
        prune(work, [rel for rel in before if rel not in manifest], folders, manifest)
        (work / MARKER).unlink(missing_ok=True)
        (work / MARKER).write_bytes(_MARKER_TEXT)
        if seed is not None:
            seed.finish([*manifest, MARKER])
        old_files = live["files"] if described else None
        old_keys = live.get("keys", {}) if described else {}
        had_output = out_abs.exists()
        swap(work, out_abs)
    except BaseException:
        if index is not None:
            index.stop()
        if seed is not None:
            seed.made()  # (its thread ends; the next build removes what it linked)
        discard(work, spare)
        raise
    # The old output (now at `work`) becomes the spare; failing that (e.g. a read-only old
    # output, which cannot be moved to another folder), or without a spare, it is removed:
    # the build succeeded.
    if seed is not None and had_output:
        remove_tree(work)  # (an old output no record described: the seed is the spare)
        spare_ino = None
    else:
        spare_ino = keep_spare(work, spare) if spare is not None and had_output else None
    if seed is not None and (seeded := seed.made()) is not None:
        spare_ino, old_files, old_keys = seeded, dict(manifest), dict(page_keys)
    if spare_ino is None and had_output:
        remove_tree(work)
    pages = sum(1 for p in files if p.endswith(".html"))
    result = BuildResult(pages, len(files) + len(copies) + indexed, len(site.activities),
                         time.perf_counter() - started, _with_search(items, missing), out, pages - kept)
    trees = {"fingerprint": store.fingerprint,
             "out": {"ino": os.stat(out_abs).st_ino, "files": manifest, "keys": page_keys},
             "spare": {"ino": spare_ino, "files": old_files or {}, "keys": old_keys}
             if spare_ino is not None else None,
             "result": (result.pages, result.files, result.records, result.warnings)}
    if trees_path is not None:
        cache.save_pickle(trees_path, trees)
    return result


def _published_dots(site: m.Site) -> set[str]:
    """The dot entries at the top of the output that the site publishes (content/static/)."""
    top = (rel[len("content/static/"):].partition("/")[0] for rel in site.static_files)
    return {name for name in top if name.startswith(".")}


def _with_search(items: list[Problem], missing: str) -> tuple[Problem, ...]:
    """The build's problems, and the warning of a site built without a search index."""
    if not missing:
        return tuple(items)
    warning = Problem("(search)", 0, 0, "warning", f"no search index: {missing}", search.HINT)
    return tuple(sorted({*items, warning}))


def default_workers() -> int:
    """A worker per core this process may use (up to 8): where the system does not say which
    (macOS, Windows), per core of the machine."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(8, usable))


def progress_bar(stream=sys.stderr) -> Callable[[int, int], None] | None:  # type: ignore[no-untyped-def]
    """A one-line progress bar on a terminal (None when not attached to one)."""
    if not stream.isatty():
        return None

    def tick(done: int, total: int) -> None:
        if total < 200 or (done % 50 and done != total):
            return
        width = 30
        fill = width * done // total
        stream.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} pages")
        if done == total:
            stream.write("\r" + " " * (width + 30) + "\r")
        stream.flush()

    return tick
