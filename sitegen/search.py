"""Search: the Pagefind index of the built pages, published under pagefind/.

Pagefind (https://pagefind.app) reads every HTML page of a folder and writes a static,
chunked index: one per `<html lang>`, with that language's stemming, result excerpts and
filters. The site's search page (theme/assets/search.js) loads `pagefind/pagefind.js`,
which fetches only the chunks a query needs. Which pages are indexed is said by the
templates: Pagefind indexes the pages that have a `data-pagefind-body` element (activities,
areas, indicators, countries, reports, free pages) and skips the others.

The binary comes inside the `pagefind_bin` wheel (nothing is downloaded while building);
PAGEFIND_BINARY_PATH names another one, as for Pagefind's own Python package. Without a
binary the site is built without an index (a warning says why) and the search page says
that search is unavailable; a binary that fails stops the build (`SearchFault`).

`index(folder)` runs the binary over the pages of a built tree, in groups whose indexes
are kept (a cache folder) and merged (search_shards.py), and returns the files to publish,
normalised: the same pages give the same bytes, and the interface bundles that pagefind.js
never loads are left out. When the groups cannot be merged it runs once over the whole
tree, and then `stable_order` applies. (Pagefind keeps filters in hash maps:
the order of the values in each filter file, of the filters in each language's meta file
and of the languages in pagefind-entry.json varies from run to run, and with it the names
of the files, which are digests of their bytes. `stable_order` sorts them and names the
files it rewrote after their new bytes.) `BackgroundIndex` keeps the preview's index up to
date without delaying its rebuilds.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .search_input import LARGE, given
from .search_shards import (
    SITE,
    Group,
    Unmergeable,
    digest_name,
    groups_of,
    merge,
    owner,
    pack,
    parse,
    unpack,
)
from .write import BuildFault, remove_tree, swap, temp_path

FOLDER = "pagefind"  # the index's folder in the output
ENTRY = "pagefind-entry.json"
# What Pagefind writes that the search page does not load: its ready-made interfaces, and
# the web worker (search.js runs the search on the page: noWorker).
UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.js",
          "pagefind-worker.js")
UNUSED_FOLDERS = ("playground",)
TIMEOUT = 1800  # seconds: far beyond the ~9 s 10,000 pages take, short of forever


class SearchFault(BuildFault):
    """The indexer failed: one line naming it and why (the previous output stays)."""


@dataclass(frozen=True)
class Binary:
    """The Pagefind executable (`path`), or why there is none (`missing`)."""

    path: str = ""
    missing: str = ""

    def identity(self) -> bytes:
        """What tells this binary from another one (path, size, mtime), for the build cache."""
        try:
            st = os.stat(self.path)
        except OSError:
            return b""
        return f"{self.path}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogateescape")


def binary() -> Binary:
    """The Pagefind binary: PAGEFIND_BINARY_PATH, else the one in the pagefind_bin wheel."""
    named = os.environ.get("PAGEFIND_BINARY_PATH", "")
    if named:
        if os.path.isfile(named) and os.access(named, os.X_OK):
            return Binary(named)
        return Binary(missing=f"PAGEFIND_BINARY_PATH names {named}, which is not an executable file")
    try:
        import pagefind_bin  # the wheel of pagefind[bin]: the binary for this platform
        return Binary(str(pagefind_bin.get_executable()))
    except (ImportError, OSError) as exc:
        return Binary(missing=f"no Pagefind binary for this platform ({exc.__class__.__name__}: {exc})")


@dataclass(frozen=True)
class Index:
    """What indexing gives: the files to publish (output path -> bytes), or none and why."""

    files: dict[str, bytes] = field(default_factory=dict)
    missing: str = ""  # why there is no index ("" when there is one)

    def warning(self) -> str:
        return f"no search index: {self.missing}" if self.missing else ""


HINT = ("the search page says search is unavailable; install 'pagefind[bin]' where it has a wheel for "
        "the platform, or set PAGEFIND_BINARY_PATH")


# Groups indexed at a time by a build. Three on two cores, not two: between a group's
# Pagefind run and the next, the indexing process reads the run's files (Python, one core),
# which left a core idle: a cold build at 10,000 activities, three alternating runs, took
# 14.5 s median against 14.8 s (7 runs: 14.2-15.0 s against 14.8-15.5 s), with the same
# bytes and peak memory; an edit's build, which indexes a few groups, is the same.
RUNS = 3


def index(site: Path, found: Binary | None = None,
          running: Callable[[subprocess.Popen[bytes]], None] | None = None, work: Path | None = None,
          memo: Path | None = None, pages: dict[str, bytes] | None = None, runs: int = RUNS,
          loaded: dict[str, Any] | None = None) -> Index:
    """The Pagefind index of the HTML pages under `site`, as files under pagefind/.

    The pages are indexed in groups and the groups merged (search_shards.py); `memo`: a
    cache folder of the groups' indexes, so that only the groups whose pages changed are
    indexed again; `pages`: the HTML pages (path under `site` -> digest of the bytes), when
    the caller knows them (else they are read); `runs`: how many groups are indexed at a time;
    `loaded`: the files of `memo` (stem -> payload) when the caller has loaded them already.
    `running` is told each indexer process (so
    that a caller that stops can end it); `work`: the folder to index in (made and removed
    here; default: a new temporary folder). Raises SearchFault when the binary fails."""
    found = found or binary()
    if found.missing:
        return Index(missing=found.missing)
    if work is not None:
        work.mkdir(parents=True, exist_ok=True)
    out = work if work is not None else Path(tempfile.mkdtemp(prefix="sitegen-pagefind-"))
    try:
        listed = pages if pages is not None else _pages(site, out)
        try:
            return Index(_grouped(found, site, listed, out, running, memo, runs, loaded))
        except Unmergeable:  # (another Pagefind's layout, or sorted results: one run over every page)
            # (over the pages listed, not the folder: a build's tree may still hold pages it removes after)
            _run(found.path, _linked(site, sorted(listed), out / "whole") if pages is not None else site,
                 out / FOLDER, running)
            return Index(_collect(out / FOLDER))
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _pages(site: Path, skip: Path) -> dict[str, bytes]:
    """The HTML pages under `site` (path -> digest of the bytes), but those of the index's
    own temporary folders (`skip`, and staged indexes: .pagefind.tmp-*)."""
    from .cache import digest
    found: dict[str, bytes] = {}
    skip_abs = os.path.abspath(skip)
    for folder, dirs, names in os.walk(site):
        dirs[:] = sorted(d for d in dirs if not d.startswith(f".{FOLDER}.tmp-")
                         and os.path.abspath(os.path.join(folder, d)) != skip_abs)
        rel = os.path.relpath(folder, site).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        for name in names:
            if name.endswith(".html"):
                found[prefix + name] = digest(Path(folder, name).read_bytes())
    return found


class _Groups:
    """The groups of some pages and what the memo keeps of each: which to index again."""

    def __init__(self, found: Binary, site: Path, pages: dict[str, bytes], memo: Path | None,
                 loaded: dict[str, Any] | None, ahead: bool = False):
        from . import cache
        self.found, self.site, self.pages, self.memo, self.loaded = found, site, pages, memo, loaded
        self.members = groups_of(sorted(pages))
        self.stamp, self.identity = cache.stamp().encode(), found.identity()
        self.keys = {name: self.key(b"", rels) for name, rels in self.members.items()}
        # (the memo: a folder of one file per group, written when the group changed)
        wanted = [*self.members, *([SITE] if ahead and SITE not in self.members else [])]
        every = {name: got for name in wanted if isinstance(got := self.memo_file(name), Kept)}
        self.kept = {name: got for name, got in every.items() if name in self.members}
        stale = [name for name in sorted(self.members)
                 if not (name in self.kept and self.kept[name].key == self.keys[name])]
        # With a data-pagefind-body element on any page of the site, Pagefind indexes only the
        # pages that have one; the others are not given to it (lists, term pages: half the bytes).
        self.marked = {name: self.kept[name].marked for name in self.members if name not in stale}
        self.marked.update((name, _marked(site, self.members[name])) for name in stale)
        body = any(self.marked.values())
        if ahead and SITE in every:  # (ahead of the other pages: their group as the memo knows it)
            body = body or bool(every[SITE].marked)
        self.chosen = {name: self.marked[name] if body else self.members[name] for name in self.members}
        self.given = {name: self.key(b"%d" % body, self.chosen[name]) for name in self.members}
        # (a group is indexed again when the pages it gives Pagefind changed, not its others)
        todo = [name for name in sorted(self.members)
                if name not in self.kept or self.kept[name].given != self.given[name]]
        # the longest runs first (the other pages, then the groups of most pages), so that the
        # last to start are short and the runs end together
        self.todo = sorted(todo, key=lambda name: (name != SITE, -len(self.chosen[name]), name))

    def memo_file(self, name: str) -> Any:
        from . import cache
        if self.loaded is not None:
            return self.loaded.get(name)
        return cache.load_pickle(self.memo / f"{name}.pickle") if self.memo else None

    def key(self, head: bytes, rels: list[str]) -> bytes:
        """A digest of sitegen, the indexer, `head` and these pages (paths and bytes)."""
        from . import cache
        return cache.digest(b"\0".join([self.stamp, self.identity, head, *(
            part for rel in rels for part in (rel.encode("utf-8", "surrogateescape"), self.pages[rel]))]))

    def run(self, work: Path, running: Callable[[subprocess.Popen[bytes]], None] | None,
            runs: int) -> dict[str, Group]:
        """Index the groups to do, `runs` at a time (in folders under `work`); every group."""
        with ThreadPoolExecutor(max_workers=runs) as pool:
            made = dict(zip(self.todo, pool.map(
                lambda name: _group(self.found.path, self.site, self.chosen[name], work / name, running)
                if self.chosen[name] else Group({}, {}), self.todo)))
        return {name: made[name] if name in made else self.kept[name].group for name in self.members}

    def keep(self, groups: dict[str, Group]) -> None:
        """Save the groups that changed in the memo (and in `loaded`, for a run after)."""
        from . import cache
        for name in sorted(self.members):
            kept = self.kept.get(name)
            if kept is None or (kept.key, kept.given) != (self.keys[name], self.given[name]):
                now = Kept(self.keys[name], self.given[name], groups[name], self.marked[name])
                if self.memo is not None:
                    cache.save_pickle(self.memo / f"{name}.pickle", now)
                if self.loaded is not None:
                    self.loaded[name] = now


def _grouped(found: Binary, site: Path, pages: dict[str, bytes], work: Path,
             running: Callable[[subprocess.Popen[bytes]], None] | None, memo: Path | None,
             runs: int = RUNS, loaded: dict[str, Any] | None = None) -> dict[str, bytes]:
    """Index the groups of `pages` that changed since `memo` was written, `runs` at a time,
    and merge them with the others; the files to publish. Raises Unmergeable."""
    from . import cache
    plan = _Groups(found, site, pages, memo, loaded)
    groups = plan.run(work, running, runs)
    stored = plan.memo_file(PACKED)
    packed: dict[bytes, bytes] = stored if isinstance(stored, dict) else {}
    files = merge([groups[name] for name in sorted(plan.members)], packed)
    plan.keep(groups)
    if memo is not None:
        cache.save_pickle(memo / f"{PACKED}.pickle", packed)
        for gone in memo.glob("*.pickle"):
            if gone.stem not in plan.members and gone.stem != PACKED:
                gone.unlink(missing_ok=True)
    return _published({f"{FOLDER}/{rel}": data for rel, data in files.items()})


def ahead(site: Path, found: Binary, pages: dict[str, bytes], work: Path,
          running: Callable[[subprocess.Popen[bytes]], None] | None, memo: Path | None,
          loaded: dict[str, Any], runs: int = RUNS, other: bool = False) -> None:
    """Index, ahead of the others, the groups of activities and terms of `pages` (the final
    pages of a build that still renders its other pages) that changed since `memo` was
    written, and keep them there and in `loaded`, where index (given every page after)
    finds them: a group is taken only if the pages it gives Pagefind are the ones indexed
    here, so what is indexed ahead never changes the index. With `other`, the group of the
    other pages too (those of `pages` that are not an activity's or a term's: the indexed
    ones, final, and some of the others, which are not given to Pagefind)."""
    if found.missing:
        return
    work.mkdir(parents=True, exist_ok=True)
    try:
        plan = _Groups(found, site, pages if other else {rel: d for rel, d in pages.items() if owner(rel) is not None},
                       memo, loaded, ahead=True)
        if set(plan.members) != {SITE}:  # (a small site is one group: nothing to do ahead)
            plan.keep(plan.run(work, running, runs))
    finally:
        shutil.rmtree(work, ignore_errors=True)


@dataclass
class Kept:
    """What the memo of the groups keeps of a group: the key of its pages, the key of the
    pages it gave Pagefind, its index, its pages that name data-pagefind-body."""

    key: bytes
    given: bytes
    group: Group
    marked: list[str]


PACKED = "packed"  # (in the memo of the groups: the merged index files, compressed, see merge)
BODY = b"data-pagefind-body"


def _marked(site: Path, rels: list[str]) -> list[str]:
    """The pages of `rels` whose HTML names data-pagefind-body (Pagefind reads them to know
    whether the element is there; a page that only mentions the name costs a run, no more)."""
    return [rel for rel in rels if BODY in (site / rel).read_bytes().lower()]


def _group(exe: str, site: Path, rels: list[str], folder: Path,
           running: Callable[[subprocess.Popen[bytes]], None] | None) -> Group:
    """Index the pages `rels` of `site` (linked into `folder`: _linked)."""
    source, target = _linked(site, rels, folder), folder / FOLDER
    _run(exe, source, target, running)
    files = {}
    for here, _, names in os.walk(target):
        rel = os.path.relpath(here, target).replace(os.sep, "/")
        for name in names:
            files[name if rel == "." else f"{rel}/{name}"] = Path(here, name).read_bytes()
    shutil.rmtree(folder, ignore_errors=True)
    return parse(files)


def _linked(site: Path, rels: list[str], folder: Path) -> Path:
    """The pages `rels` of `site` in folder/pages/, as Pagefind is to read them: linked, else
    copied, a large page as search_input.given gives it (without what Pagefind ignores)."""
    source = folder / "pages"
    for rel in rels:
        path = source / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.stat(site / rel).st_size >= LARGE:
            page = (site / rel).read_bytes()
            shown = given(page)
            if shown is not page:
                path.write_bytes(shown)
                continue
        try:
            os.link(site / rel, path)
        except OSError:
            shutil.copyfile(site / rel, path)
    source.mkdir(parents=True, exist_ok=True)
    return source


def _run(exe: str, site: Path, out: Path, running: Callable[[subprocess.Popen[bytes]], None] | None) -> None:
    """Run Pagefind over `site` into `out`; SearchFault naming it when it fails."""
    command = [exe, "--site", str(site.resolve()), "--output-path", str(out.resolve()), "--silent"]
    # Pagefind also reads its settings from PAGEFIND_* variables and from a pagefind.yml (or
    # .json, .toml) in its working folder: neither may change what sitegen publishes.
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND_")}
    try:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, cwd=out.parent, env=env)
    except OSError as exc:
        raise SearchFault(f"the search indexer {exe} could not run: {exc.strerror or exc}") from None
    if running is not None:
        running(proc)
    try:
        said = proc.communicate(timeout=TIMEOUT)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise SearchFault(f"the search indexer {exe} did not finish in {TIMEOUT} s") from None
    if proc.returncode != 0 or not (out / "pagefind.js").is_file():
        lines = [ln.strip() for ln in said.decode("utf-8", "replace").splitlines() if ln.strip()]
        why = f"exit status {proc.returncode}" if proc.returncode >= 0 else f"signal {-proc.returncode}"
        if proc.returncode == 0:
            why = "it wrote no pagefind.js"
        tail = ": " + " / ".join(lines[-3:]) if lines else ""
        raise SearchFault(f"the search indexer failed ({exe}, {why}){tail}")


def _collect(root: Path) -> dict[str, bytes]:
    """The files Pagefind wrote under `root`, as published: output path -> bytes."""
    files: dict[str, bytes] = {}
    for folder, dirs, names in os.walk(root):
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        if not prefix:
            dirs[:] = [d for d in dirs if d not in UNUSED_FOLDERS]
        dirs.sort()
        for name in sorted(names):
            files[f"{FOLDER}/{prefix}{name}"] = (Path(folder) / name).read_bytes()
    return _published(stable_order(_published(files)))


def _published(files: dict[str, bytes]) -> dict[str, bytes]:
    """The index's files without those the search page never loads: Pagefind's own
    interfaces, and the language code files of languages not indexed (wasm.unknown.pagefind
    serves those without a stemmer: kept only when one is among them); the entry file with
    its keys sorted."""
    top = f"{FOLDER}/"
    files = {rel: data for rel, data in files.items()
             if not (rel.startswith(top) and "/" not in rel[len(top):] and rel[len(top):].startswith(UNUSED))}
    if f"{FOLDER}/{ENTRY}" in files:
        files[f"{FOLDER}/{ENTRY}"] = normal_entry(files[f"{FOLDER}/{ENTRY}"])
    entry = json.loads(files.get(f"{FOLDER}/{ENTRY}", b"{}"))
    used = {f"{FOLDER}/wasm.{lang.get('wasm') or 'unknown'}.pagefind" for lang in entry.get("languages", {}).values()}
    return {rel: data for rel, data in files.items()
            if rel in used or not (rel.startswith(f"{FOLDER}/wasm.") and rel.endswith(".pagefind"))}


def normal_entry(data: bytes) -> bytes:
    """pagefind-entry.json with its keys sorted (Pagefind writes the languages in the order
    its threads finish): the same content, the same bytes on every build."""
    return json.dumps(json.loads(data), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def stable_order(files: dict[str, bytes]) -> dict[str, bytes]:
    """The index with its filters in a stable order: in each language's meta file the filters
    sorted by name, in each filter file the values sorted, each rewritten file named after a
    digest of its new bytes (as Pagefind names them: <language>_<hex>) and the meta files'
    new names in pagefind-entry.json. Files of a layout this does not know (another Pagefind
    version) are returned as they are: the index works, only its bytes may vary."""
    out = dict(files)
    try:
        entry = json.loads(out[f"{FOLDER}/{ENTRY}"])
        for lang in entry["languages"].values():
            meta_path = f"{FOLDER}/pagefind.{lang['hash']}.pf_meta"
            meta = unpack(out.pop(meta_path))
            _short_fragment_names(out, meta[1])
            listed = meta[3]  # [[filter name, filter file hash], ...]
            if not all(isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in listed):
                return files
            renamed = []
            for name, old in sorted(listed):
                table = unpack(out.pop(f"{FOLDER}/filter/{old}.pf_filter"))  # [name, [[value, [pages]], ...]]
                table[1].sort(key=lambda value: str(value[0]))
                new = _name(out, f"{FOLDER}/filter/", old, pack(table), 7, ".pf_filter")
                renamed.append([name, new])
            meta[3] = renamed
            lang["hash"] = _name(out, f"{FOLDER}/pagefind.", lang["hash"], pack(meta), 10, ".pf_meta")
        out[f"{FOLDER}/{ENTRY}"] = json.dumps(entry).encode("utf-8")
    except (KeyError, IndexError, TypeError, ValueError, OSError, EOFError, gzip.BadGzipFile):
        return files
    out[f"{FOLDER}/{ENTRY}"] = normal_entry(out[f"{FOLDER}/{ENTRY}"])
    return out


def _short_fragment_names(files: dict[str, bytes], pages: list[list[Any]]) -> None:
    """Name the pages' fragment files with as few digits of a digest of their bytes as tell
    them apart (five, more on a clash) instead of Pagefind's seven: the meta file, which
    lists them all and which every search fetches, compresses to about half (70 KB at
    10,000 pages). `pages`: the meta file's [[fragment hash, word count], ...], renamed."""
    folder = f"{FOLDER}/fragment/"
    old = {name for name, _ in pages}
    data = {name: files.pop(f"{folder}{name}.pf_fragment") for name in sorted(old)}
    new = {name: _name(files, folder, name, data[name], 5, ".pf_fragment") for name in sorted(old)}
    for page in pages:
        page[0] = new[page[0]]


def _name(files: dict[str, bytes], prefix: str, old: str, data: bytes, digits: int, suffix: str) -> str:
    """Store `data` under a name made as Pagefind makes them (the language, "_", the start
    of a digest of the bytes, longer on a clash); the name."""
    name = digest_name(old.rpartition("_")[0], data, digits, lambda name: f"{prefix}{name}{suffix}" in files)
    files[f"{prefix}{name}{suffix}"] = data
    return name


def html_key(pages: list[tuple[str, bytes]], found: Binary) -> bytes:
    """What the index is made of: the binary and the HTML pages ((path, digest of bytes),
    sorted); the same key, the same index."""
    from .cache import digest, stamp
    parts = [stamp().encode(), found.identity()]
    for path, page_digest in sorted(pages):
        parts += [path.encode("utf-8", "surrogateescape"), page_digest]
    return digest(b"\0".join(parts))


class BackgroundIndex:
    """The preview's index, made in a background thread after the rebuilds that changed
    pages (`changed()`): debounced (`delay` seconds without a change first), one indexing at
    a time (a change while one runs means one more afterwards), published at once
    (write.swap). `wait()` returns when the index is up to date; `stop()` ends a running
    indexer and the thread. `report` is told each new outcome: why there is no index or
    why indexing failed, or "" when it works again."""

    def __init__(self, folder: Path, delay: float = 0.3, report: Callable[[str], None] | None = None,
                 memo: Path | None = None):
        self.folder = folder
        self.memo = memo  # the cache folder of the groups' indexes (removed by stop)
        self.delay = delay
        self.report = report
        self.problem = ""  # the last outcome ("" when the index is up to date)
        self.runs = 0  # indexings finished
        self._cond = threading.Condition()
        self._pending = False
        self._due = 0.0
        self._thread: threading.Thread | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopped = False

    def changed(self) -> None:
        """Pages changed: index again, once no change came for `delay` seconds."""
        with self._cond:
            if self._stopped:
                return
            self._pending = True
            self._due = time.monotonic() + self.delay
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="sitegen-search-index", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Index now what is pending (no debounce) and wait until nothing is pending or
        running; False on timeout."""
        with self._cond:
            self._due = 0.0
            self._cond.notify_all()
            return self._cond.wait_for(lambda: self._thread is None, timeout)

    def stop(self) -> None:
        """End the running indexer (if any) and the thread; nothing is published after."""
        with self._cond:
            self._stopped = True
            self._pending = False
            proc, thread = self._proc, self._thread
            self._cond.notify_all()
        if proc is not None and proc.poll() is None:
            _kill(proc)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)
        if self.memo is not None:  # (with the temporary files of a killed indexing's save_pickle)
            remove_tree(self.memo)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._pending and not self._stopped and time.monotonic() < self._due:
                    self._cond.wait(self._due - time.monotonic())
                if self._stopped or not self._pending:
                    self._thread = None
                    self._cond.notify_all()
                    return
                self._pending = False
            problem = self._once()
            with self._cond:
                self.runs += 1
                news, self.problem = problem != self.problem, problem
            if news and self.report is not None and not self._stopped:
                self.report(problem)

    def _once(self) -> str:
        """Index the preview folder and publish the index (unless stopped meanwhile); what
        went wrong ("" when nothing did). The indexing, and the reading and writing of its
        files, run in a process of their own at a lower priority (`python -m sitegen.search`,
        see `stage`): in this one they would hold the interpreter's lock against the
        rebuilds, which slowed a rebuild at 10,000 activities in four languages from 0.4 s to 3 s."""
        target = self.folder / FOLDER
        staged = temp_path(target)
        remove_tree(staged)
        remove_tree(_work(staged))
        command = [sys.executable, "-m", "sitegen.search", str(self.folder), str(staged)]
        if self.memo is not None:
            command.append(str(self.memo))
        nice = shutil.which("nice")
        if nice:
            command = [nice, "-n", "10", *command]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(Path(__file__).resolve().parent.parent),
                                                          env.get("PYTHONPATH", ""))))
        try:
            with self._cond:
                if self._stopped:
                    return ""
                proc = self._proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                                     stderr=subprocess.STDOUT, env=env,
                                                     start_new_session=os.name == "posix")
            said = proc.communicate()[0].decode("utf-8", "replace").strip()
            if self._stopped:  # (stop() joins this thread: nothing is published after it)
                return ""
            if proc.returncode != 0:
                return f"search index not updated: {said.splitlines()[-1] if said else proc.returncode}"
            if staged.is_dir():
                swap(staged, target)
            else:
                remove_tree(target)
            return said
        except Exception as exc:  # the thread reports every failure; the preview goes on
            return f"search index not updated: {exc}"
        finally:
            remove_tree(staged)
            remove_tree(_work(staged))  # (the indexing process's, when it was killed)
            with self._cond:
                self._proc = None


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """End the indexing process and the indexer it started: on POSIX its session, on
    Windows its tree (taskkill /T; killing the process alone leaves the indexer running and
    holding the files of the folder it writes)."""
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            return
        except OSError:
            pass
    elif os.name == "nt":
        try:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, timeout=30,
                           check=False)
        except (OSError, subprocess.SubprocessError):
            pass
    proc.kill()


def _work(staged: Path) -> Path:
    """The folder the indexer of `stage` writes into: beside `staged`, in the preview folder,
    so that nothing is left in the system's temporary folder when the preview ends the
    indexing process (it cannot clean up after SIGKILL)."""
    return staged.with_name(staged.name + "-work")


def stage(folder: Path, staged: Path, memo: Path | None = None) -> str:
    """The index of the pages under `folder`, written under `staged` (nothing when the site
    has no indexer); the warning to give ("" when none). For BackgroundIndex, in a process
    of its own; raises SearchFault."""
    # (one group at a time: the preview's rebuilds share the machine with it)
    made = index(folder, work=_work(staged), memo=memo, runs=1)
    for rel, data in made.files.items():
        path = staged / rel[len(FOLDER) + 1:]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return made.warning()


def main(argv: list[str]) -> int:
    """`python -m sitegen.search FOLDER STAGED [MEMO]`: stage(); prints the warning or the fault."""
    try:
        print(stage(Path(argv[0]), Path(argv[1]), Path(argv[2]) if len(argv) > 2 else None), end="")
    except SearchFault as exc:
        print(exc)
        return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
