"""The persistent build cache: SITE/.sitegen-cache/ (safe to delete at any time).

Its files, each written atomically (temp file + rename):

* `docs-00.pickle` ... `docs-15.pickle` (`Sharded`): parsed content files (keyed by path, kind and a
  hash of the bytes) and activity files' validated activities, in shards by path (an edit
  rewrites one). Only entries used by the last build are kept.
* `trees-<output>.pickle`: for each output folder, what the last build wrote there (a digest, size
  and mtime per file, and the key of each activity page: see keys.page_globals) and the
  fingerprint of its inputs, so that a build whose inputs did not change (and whose output
  was not touched) finishes without rendering, and one that did renders only the activity
  pages whose key changed.
* `spare-*/`: the previous output tree, kept after the atomic swap instead of being deleted.
  The next build updates it in place (rewriting only files whose bytes changed) and swaps
  it in; the live output is never written to.
* `stats.pickle`: the digest of each source file's bytes with the file's stat when they were
  read (mtime, ctime, size, inode, device), so that a build reads again only the files whose
  stat changed (Store.reader).
* `texts-00.pickle` ...: each activity's list items, round lines and pieces of the data files, by
  its page key (record_memo.RecordTexts); `fields.pickle`: the digests of the records'
  fields the pages' keys are made of (keys.Keys); `search-*/`: each group's search index
  and the merged index files (search.py).

Every file is stamped with sitegen's version and a digest of its code, templates and the
versions of the libraries that shape the output; a different stamp means an empty cache.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .content import Document, Source, read_bytes, read_bytes_stat, read_document
from .errors import Problem, Problems

DIRNAME = ".sitegen-cache"
PACKAGE = Path(__file__).parent


def digest(data: bytes) -> bytes:
    """The cache's digest of some bytes (outputs, sources, keys): SHA-256 cut to 16 bytes.
    (Read back on every build, 100 MB at 10,000 records: SHA-256 runs at twice BLAKE2b's
    speed where the processor has SHA instructions, as most since 2017 have.)"""
    return hashlib.sha256(data).digest()[:16]


_STAMP: str | None = None


def stamp() -> str:
    """Version, code and theme of sitegen and the versions of its output-shaping libraries."""
    global _STAMP
    if _STAMP is None:
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{__version__} {sys.version_info[:2]}".encode())
        h.update(repr(_installed(_LIBRARIES)).encode())
        for path in sorted(PACKAGE.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(PACKAGE).as_posix().encode())
                h.update(path.read_bytes())
        _STAMP = h.hexdigest()
    return _STAMP


# Libraries whose version shapes the output (markdown-it-pyrs is optional).
_LIBRARIES = ("markdown-it-py", "markdown-it-pyrs", "mdit-py-plugins", "nh3", "PyYAML", "Jinja2",
              "MarkupSafe")


def _installed(projects: tuple[str, ...]) -> list[str]:
    """The installed distribution of each project, as its metadata folder's name (which holds
    the version, e.g. "jinja2-3.1.4.dist-info"); the first on sys.path wins, as for imports.

    (What importlib.metadata.version() finds, read without importing importlib.metadata,
    which costs a tenth of sitegen's start-up.)"""
    wanted = {p.lower().replace("-", "_"): p for p in projects}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                project = name.partition("-")[0].lower().replace(".", "_")
                if project in wanted and project not in found:
                    found[project] = name
    return [found.get(p, "missing " + p) for p in sorted(wanted)]


_KEY: bytes | None = None


def _key() -> bytes:
    """A secret kept outside every site folder (~/.cache/sitegen/key), made on first use.

    Cache files are signed with it: a `.sitegen-cache/` that arrives with the content (a
    pull request can commit one) fails the check and is never unpickled, since unpickling
    runs code. Without a writable home the key lives for this process only.
    """
    global _KEY
    if _KEY is None:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sitegen"
        path = base / "key"
        try:
            _KEY = path.read_bytes()
            if len(_KEY) < 32:
                raise OSError("short key")
        except OSError:
            _KEY = os.urandom(32)
            try:
                base.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(_KEY)
            except OSError:
                pass
    return _KEY


def template_cache() -> Any:
    """Jinja's cache of compiled templates, in ~/.cache/sitegen/templates-<stamp>/ (None
    without a writable home). Entries are keyed by template path and checked against a hash
    of the template's source, so an edited template is compiled again; the folder name
    holds sitegen's stamp, since the compiled code depends on sitegen's Jinja settings."""
    import jinja2
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sitegen"
    folder = base / f"templates-{stamp()[:16]}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # (an owner to check where there are owners: Windows has no getuid)
        owner = getattr(os, "getuid", None)
        if (owner is not None and folder.stat().st_uid != owner()) or not os.access(folder, os.W_OK):
            return None
    except OSError:
        return None

    class TemplateCache(jinja2.FileSystemBytecodeCache):
        """Each entry holds a digest of its bytes: a truncated or rotten one is a miss (and is
        compiled and written again), never a crash or a wrong page."""

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                with open(self._get_cache_filename(bucket), "rb") as fh:
                    blob = fh.read()
                check, data = blob[:16], blob[16:]
                if len(check) == 16 and digest(data) == check:
                    bucket.bytecode_from_string(data)
            except Exception:
                bucket.reset()

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            path = self._get_cache_filename(bucket)
            tmp = f"{path}.{os.getpid()}.tmp"
            try:
                data = bucket.bytecode_to_string()
                with open(tmp, "wb") as fh:
                    fh.write(digest(data) + data)
                os.replace(tmp, path)
            except Exception:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    return TemplateCache(str(folder))


def folder_problem(site_dir: Path) -> Problem | None:
    """An error when SITE/.sitegen-cache exists but is not a real folder: a file (committed
    with the content) would stop every build; a symlink would send the cache and a copy of
    the output where it points."""
    try:
        st = os.lstat(site_dir / DIRNAME)
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return None
    what = "a symlink" if stat.S_ISLNK(st.st_mode) else "a file"
    return Problem(DIRNAME, 0, 0, "error", f"{DIRNAME} is {what}, not a folder: sitegen keeps "
                   "its build cache there", "delete it; it is a local cache (list it in .gitignore)")


def make_folder(site_dir: Path) -> bool:
    """Make SITE/.sitegen-cache (a real folder: see folder_problem); False when it cannot be
    made, e.g. in a read-only site folder (the build then runs without the cache)."""
    try:
        (site_dir / DIRNAME).mkdir(exist_ok=True)
    except OSError:
        return False
    return os.access(site_dir / DIRNAME, os.W_OK) and folder_problem(site_dir) is None


def _sign(data: bytes) -> bytes:
    return hmac.new(_key(), data, hashlib.sha256).digest()


def load_pickle(path: Path) -> Any:
    """The payload of a cache file, or None when missing, corrupt, unsigned or from another stamp."""
    try:
        blob = path.read_bytes()
        mac, data = blob[:32], blob[32:]
        if len(mac) != 32 or not hmac.compare_digest(mac, _sign(data)):
            return None  # not written by this user's sitegen: never unpickle it
        head, payload = pickle.loads(data)
    except Exception:
        return None
    return payload if head == stamp() else None


def save_pickle(path: Path, payload: Any) -> None:
    """Write atomically; a cache that cannot be written is silently skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        data = pickle.dumps((stamp(), payload), protocol=pickle.HIGHEST_PROTOCOL)
        with open(tmp, "wb") as fh:
            fh.write(_sign(data) + data)
        os.replace(tmp, path)
    except OSError:
        pass


def trim_memory() -> None:
    """Give freed heap memory back to the system (glibc's malloc_trim; elsewhere nothing)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def fork_available() -> bool:
    import multiprocessing
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


# -- parsed documents ---------------------------------------------------------------------
@dataclass
class _ParseWork:
    """What the parsing workers get: the site folder, the files to parse (index, source,
    its bytes when read already) and the plan activities are validated against (None: they
    are not); a task is a range of `items`."""

    site_dir: Path
    items: list[tuple[int, Source, bytes | None]]
    plan: Any = None


Parsed = tuple[int, bytes | None, list[Problem], bytes | None]  # index, Document, problems, activities


def _parse_range(work: _ParseWork, span: range) -> list[Parsed]:
    """Parse the files at these places of `work.items` (in a worker)."""
    return _parse(work.site_dir, work.items[span.start:span.stop], work.plan)


ACTIVITY_KINDS = ("activity", "activity-list")
# Below these many files to parse, workers cost more than they save: forked ones, and
# spawned ones (macOS, Windows; see workers.worth_starting).
PARSE_MIN_FILES = 300
PARSE_MIN_FILES_SPAWNED = 5000


def _parse(site_dir: Path, items: list[tuple[int, Source, bytes | None]], plan: Any = None) -> list[Parsed]:
    """Parse some sources; pickled Documents (None on failure) and their problems, and for
    an activity file with `plan`, its activities validated against it when that found no
    problem at all (pickled; else None: the build validates the file itself). A file whose
    activities are given has no Document: a build takes its activities, or, when they are
    not cached for the plan of the day, parses the file again (Store.reader), so its
    Document would be kept in the cache for nothing (half its bytes at 10,000 records)."""
    out = []
    for i, source, raw in items:
        found = Problems()
        doc = read_document(site_dir, source, found, raw)
        acts = None
        if doc is not None and plan is not None and source.kind in ACTIVITY_KINDS and not found.items:
            from . import validate
            checked = Problems()
            valid = validate.activities([doc], plan, checked)
            if not checked.items:
                acts = pickle.dumps(valid, protocol=pickle.HIGHEST_PROTOCOL)
        blob = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL) if doc and acts is None else None
        out.append((i, blob, found.items, acts))
    return out


def _plan(site_dir: Path, todo: list[tuple[Source, tuple[str, str, bytes] | None]],
          raws: list[bytes | None]) -> tuple[Any, bytes]:
    """The site's plan, validated, and the digest of its file, when it has no problem at all
    (activity files are then validated against it as they are parsed); else (None, b"")."""
    for (source, key), raw in zip(todo, raws):
        if source.kind != "plan" or key is None:
            continue
        found = Problems()
        doc = read_document(site_dir, source, found, raw)
        if doc is None or found.items:
            return None, b""
        from . import validate_plan
        checked = Problems()
        plan = validate_plan.plan(doc, checked)
        return (plan, key[2]) if plan is not None and not checked.items else (None, b"")
    return None, b""


# A file read is taken as unchanged while its stat is, if it had not changed for this long
# before it was read (nanoseconds): more than the 2 s of FAT's mtimes, the coarsest of the
# common file systems, so that any later write gives it another mtime.
SETTLED_NS = 3_000_000_000


def _stat_key(st: os.stat_result) -> tuple[int, ...]:
    """What changes when a file is written: its mtime, its ctime (its creation time on
    Windows), its size, and (replaced by a rename) its inode and device."""
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev)


class Unchanged(Exception):
    """Raised by the reader when the inputs and the output are exactly as the last build left them."""


SHARDS = 16  # how many files a sharded cache is kept in


class Sharded:
    """A dict kept in SHARDS cache files (`<stem>-00.pickle` ...), each written again only
    when its keys changed (so an edit rewrites one or two files, not the whole dict). A
    key's file is given by `part(key)`, a string; its value must be fixed by the key.
    `former`: the single file earlier versions kept the dict in (removed on saving)."""

    def __init__(self, folder: Path, stem: str, part: Callable[[Any], str], former: str):
        self.folder, self.stem, self.part, self.former = folder, stem, part, former
        self.known: list[frozenset[Any]] | None = None  # each file's keys, as loaded
        self.where: dict[Any, int] = {}  # the file of each of those keys

    def path(self, n: int) -> Path:
        return self.folder / f"{self.stem}-{n:02d}.pickle"

    def load(self) -> dict[Any, Any]:
        found: dict[Any, Any] = {}
        self.known = []
        self.where = {}
        for n in range(SHARDS):
            payload = load_pickle(self.path(n))
            if isinstance(payload, dict):
                found.update(payload)
                self.where.update(dict.fromkeys(payload, n))
            self.known.append(frozenset(payload) if isinstance(payload, dict) else frozenset())
        return found

    def save(self, entries: dict[Any, Any]) -> None:
        split: list[dict[Any, Any]] = [{} for _ in range(SHARDS)]
        where = self.where  # (a key known to be in a file is not hashed again: 77,000 pieces
        # at 10,000 activities took 0.04 s)
        for key, value in entries.items():
            n = where.get(key)
            if n is None:
                n = zlib.crc32(self.part(key).encode("utf-8", "surrogateescape")) % SHARDS
            split[n][key] = value
        for n, shard in enumerate(split):
            if self.known is None or self.known[n] != shard.keys():
                save_pickle(self.path(n), shard)
        self.known = [frozenset(shard) for shard in split]
        self.where = {}
        for n, shard in enumerate(split):
            self.where.update(dict.fromkeys(shard, n))
        (self.folder / self.former).unlink(missing_ok=True)


class Store:
    """Parsed documents of one site, loaded lazily."""

    def __init__(self, site_dir: Path, enabled: bool = True, keep: bool = True):
        self.dir = site_dir / DIRNAME
        self.enabled = enabled
        self.keep = keep  # (False: read the cache, write nothing there: `check`)
        # ("doc", document key) -> pickled Document, ("act", (document key, plan digest)) ->
        # pickled activities, in files by path
        self.shards = Sharded(self.dir, "docs", lambda key: str(key[1][0] if key[0] == "doc" else key[1][0][0]),
                              former="cache.pickle")
        self.docs: dict[tuple[str, str, bytes], bytes] = {}
        self.used_docs: set[tuple[str, str, bytes]] = set()
        self.new_docs: dict[tuple[str, str, bytes], bytes] = {}
        self.fingerprint = b""
        self.digests: dict[str, bytes] = {}  # source file -> digest of its bytes, as last read
        self.loaded = False
        # activity files validated without any problem, by (document key, plan file digest):
        # a build takes their activities as they are (validate.activities(validated=...))
        self.acts: dict[tuple[tuple[str, str, bytes], bytes], bytes] = {}
        self.used_acts: set[tuple[tuple[str, str, bytes], bytes]] = set()
        self.new_acts: dict[tuple[tuple[str, str, bytes], bytes], bytes] = {}
        self.validated: dict[str, list[Any]] = {}  # filled by read(): rel -> its activities
        self.stats_path = self.dir / "stats.pickle"

    def load(self) -> None:
        if self.loaded or not self.enabled:
            return
        self.loaded = True
        for key, value in self.shards.load().items():
            if key[0] == "doc":
                self.docs[key[1]] = value
            else:
                self.acts[key[1]] = value

    def save(self) -> None:
        """Keep the documents (and validated activities) this build used or parsed, in the
        shards whose entries changed: an edit rewrites one shard, not the whole cache."""
        if not self.enabled or not self.keep:
            return
        docs = {k: v for k, v in self.docs.items() if k in self.used_docs}
        docs.update(self.new_docs)
        acts = {k: v for k, v in self.acts.items() if k in self.used_acts}
        acts.update(self.new_acts)
        entries: dict[tuple[str, Any], bytes] = {("doc", k): v for k, v in docs.items()}
        entries.update((("act", k), v) for k, v in acts.items())
        self.shards.save(entries)
        self.docs, self.new_docs, self.acts, self.new_acts = {}, {}, {}, {}  # the build needs them no more

    def _stats(self) -> dict[str, tuple[tuple[int, ...], bytes]]:
        """stats.pickle: source file -> (its stat key, the digest of its bytes)."""
        known = load_pickle(self.stats_path) if self.enabled else None
        return known if isinstance(known, dict) else {}

    def _read(self, site_dir: Path, source: Source, known: dict[str, tuple[tuple[int, ...], bytes]],
              seen: dict[str, tuple[tuple[int, ...], bytes]], settled: int) -> tuple[bytes | None, bytes]:
        """A source file's bytes and their digest; the bytes None (not read) when the file's
        stat is the one `known` took its digest with. What is known of it is kept in `seen`,
        and so is the digest of bytes read now, when the file had not changed for SETTLED_NS
        before (as git does with its index: a file written in the moment it was read could be
        written again with the same stat)."""
        if known:
            try:
                st = os.stat(os.path.join(site_dir, source.rel))
            except OSError:
                pass  # (read_bytes says why)
            else:
                got = known.get(source.rel)
                if got is not None and stat.S_ISREG(st.st_mode) and got[0] == _stat_key(st):
                    seen[source.rel] = got
                    return None, got[1]
        raw, st = read_bytes_stat(site_dir, source)
        sha = digest(raw)
        if self.enabled and max(st.st_mtime_ns, st.st_ctime_ns) < settled:
            seen[source.rel] = (_stat_key(st), sha)
        return raw, sha

    def reader(self, workers: int, extra: Callable[[], bytes],
               unchanged: Callable[[bytes], bool] | None = None,
               meanwhile: Callable[[], None] | None = None
               ) -> Callable[[Path, list[Source], Problems], list[Document]]:
        """A loader.read_documents replacement: hashes, cache hits, parallel parsing of misses.

        `extra()` (called once the files are read) is folded into the input fingerprint; when
        `unchanged(fingerprint)` is true the reader raises Unchanged before parsing anything.
        `meanwhile()` is called while parsing workers run (the parent has nothing else to do).
        """

        def read(site_dir: Path, sources: list[Source], problems: Problems) -> list[Document]:
            fp = hashlib.blake2b(digest_size=16)
            todo: list[tuple[Source, tuple[str, str, bytes] | None]] = []
            # kept for the parser: each file is read once (None: not read, its stat being the
            # one its digest was taken with; read when it is parsed, see raw_of)
            raws: list[bytes | None] = []
            known = self._stats()
            seen: dict[str, tuple[tuple[int, ...], bytes]] = {}
            settled = time.time_ns() - SETTLED_NS
            for source in sources:
                raw: bytes | None
                try:
                    raw, sha = self._read(site_dir, source, known, seen, settled)
                    key: tuple[str, str, bytes] | None = (source.rel, source.kind, sha)
                except OSError:
                    raw = key = None
                fp.update(repr((source.rel, source.kind, key[2] if key else None)).encode())
                if key is not None:
                    self.digests[source.rel] = key[2]
                if source.kind not in ("static", "template"):
                    todo.append((source, key))
                    raws.append(raw)
            if self.enabled and self.keep and seen != known:
                save_pickle(self.stats_path, seen)

            def raw_of(i: int) -> bytes | None:
                """The bytes of todo[i], read now if they were not; a file whose bytes changed
                since their digest was taken is parsed as it is now, under its new digest."""
                source, key = todo[i]
                if raws[i] is None and key is not None:
                    try:
                        raws[i] = data = read_bytes(site_dir, source)
                    except OSError:
                        return None  # (the parser says why)
                    sha = digest(data)
                    if sha != key[2]:
                        todo[i] = (source, (source.rel, source.kind, sha))
                        self.digests[source.rel] = sha
                return raws[i]
            fp.update(extra())
            # What discovery reported (refused files are not among the sources): a build
            # with a refused file never passes for the good build before it.
            fp.update(repr(problems.sorted()).encode())
            self.fingerprint = fp.digest()
            if unchanged is not None and unchanged(self.fingerprint):
                raise Unchanged()
            self.load()
            self.validated.clear()
            for i, (source, _) in enumerate(todo):
                if source.kind == "plan":
                    raw_of(i)
            plan, plan_digest = _plan(site_dir, todo, raws)
            results: list[Any] = [None] * len(todo)
            misses = []
            for i, (source, key) in enumerate(todo):
                if plan is not None and key is not None and source.kind in ACTIVITY_KINDS:
                    # an activity file: its validated activities, else parsed and validated anew
                    # (in the workers; its document is not cached, see _parse)
                    valid = self.acts.get((key, plan_digest))
                    if valid is not None:
                        self.used_acts.add((key, plan_digest))
                        self.validated[source.rel] = pickle.loads(valid)
                        results[i] = (None, [])
                    else:
                        misses.append((i, source, raw_of(i)))
                    continue
                hit = self.docs.get(key) if key is not None else None
                if hit is not None:
                    self.used_docs.add(key)  # type: ignore[arg-type]
                    results[i] = (pickle.loads(hit), [])
                else:
                    misses.append((i, source, raw_of(i)))
            if misses:
                def take(parsed: list[Parsed]) -> None:
                    for i, blob, found, valid in parsed:
                        source, key = todo[i]
                        if blob is not None and not found and key is not None and self.enabled:
                            self.new_docs[key] = blob
                        if valid is not None:
                            self.validated[source.rel] = pickle.loads(valid)
                            if key is not None and self.enabled:
                                self.new_acts[(key, plan_digest)] = valid
                            results[i] = (None, found)
                        else:
                            results[i] = (pickle.loads(blob) if blob is not None else None, found)

                from .workers import Workers, worth_starting
                if workers > 1 and worth_starting(len(misses), PARSE_MIN_FILES, PARSE_MIN_FILES_SPAWNED):
                    size = max(50, len(misses) // (workers * 8))
                    spans = [range(k, min(k + size, len(misses))) for k in range(0, len(misses), size)]
                    with Workers(_parse_range, _ParseWork(site_dir, misses, plan), workers) as pool:
                        # The workers have their copy of the bytes: drop this one (a worker
                        # started later, to replace one that died, reads the files).
                        sources_only: list[tuple[int, Source, bytes | None]] = [
                            (i, source, None) for i, source, _ in misses]
                        pool.state = _ParseWork(site_dir, sources_only, plan)
                        misses = []
                        raws.clear()
                        trim_memory()
                        died = pool.run(spans, take, meanwhile)  # take: while the workers parse on
                    for k in died:  # a file that killed its parsing worker (none is known to)
                        i, source, _ = sources_only[k]
                        results[i] = (None, [Problem(source.rel, 1, 1, "error", "reading this file crashed the parser")])
                else:
                    take(_parse(site_dir, misses, plan))
            docs = []
            for doc, found in results:
                problems.extend(found)
                if doc is not None:
                    docs.append(doc)
            return docs

        return read
