"""The search index of a cached build, made in a process of its own while the build goes on.

A build that renders in one process (an edit's) leaves the second core idle. An edit's
build (the last one left a record of its output) starts the process (`Indexing`) before it
loads the site, and hands it to `TreeIndex`: it loads the groups' indexes kept in the cache
while the build loads the site and works out its keys, and first walks
the new tree (removing symlinks) and reads back the activity pages the build may keep
(`TreeIndex.check`; the build writes nothing in the tree before `checked`). It is handed
the pages of activities and terms as soon as they are final (`TreeIndex.ahead`: a build in
one process renders them first) and indexes their groups that changed (search.ahead)
while the build renders the other pages; then every page, when all are final
(`TreeIndex.start`, between the pages and the data files): it runs search.index, which
takes the groups indexed ahead when they are of the same pages, and writes the index's
files into the new tree while the build renders its data files; `TreeIndex.finish` takes
their manifest entries. The index is the one search.index makes in the build's own
process, byte for byte (the same function on the same pages). The process shares no
interpreter with the build: a thread did, and slowed the rendering by as much as it saved
(docs/performance.md, session 16). It ends with its parent: when its standard input
closes, it ends its indexers and exits.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from . import search
from .trees import OUTPUTS, Entry, Tree, TreeWriter, holds, kept_outputs, walk_files
from .write import BuildFault, remove_tree

SEARCH_KEY = "\0search"  # (in the keys of a tree: the search index's key)
_PREFIX = f"{search.FOLDER}/"
# (the child's sys.path gets the folder sitegen was imported from: the same code, however the
# parent was started)
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from sitegen.search_process import main; main(sys.argv[2])"


class TreeIndex:
    """The search index step of a cached build (build._build): `check` and `checked` (the
    tree walked and read back), `ahead` with the pages of activities and terms, `start`
    with the final pages, `finish` for the index's manifest entries, `stop` when the build
    fails.

    The index the tree (or the live output) holds is kept when the pages are the ones it was
    made of (search.html_key); otherwise it is made in a process of its own (`Indexing`) with
    the groups' indexes kept in `memo`, in the folder `temp`; the process starts at once
    when `early` (or is `process`, started with the memo before the site was loaded), else
    with the pages."""

    def __init__(self, writer: TreeWriter, keys: dict[str, bytes], live: Tree | None, found: search.Binary,
                 memo: Path | None, temp: Path, early: bool = True, process: Indexing | None = None):
        self.writer, self.keys, self.live, self.found, self.memo, self.temp = writer, keys, live, found, memo, temp
        # (started now, `early`: it loads the memo while the build renders; else when the
        # pages are final: a build from nothing renders in worker processes, and an idle
        # process beside them would only add to its peak memory)
        if process is not None and (found.missing or not early):
            process.stop(kill=True)
            process = None
        self.process = process or (Indexing(memo) if not found.missing and early else None)
        self.key = b""
        self.kept: list[tuple[str, Entry]] | None = None
        self.checking = False

    def check(self, rels: list[str]) -> None:
        """Have the indexing process walk the tree (trees.walk_files, symlinks removed) and
        read back these files of it (trees.holds) while the build works out its keys: see
        `checked`. Nothing may be written in the tree before `checked` returns. The process
        then reads back the index's files in the tree too (it writes them, last: most are
        unchanged, and those it read back are not read again then)."""
        if self.process is not None:
            known = self.writer.known
            index = {rel: entry for rel, entry in known.items() if rel.startswith(_PREFIX)}
            self.process.send(("check", (self.writer.root, {rel: known[rel] for rel in rels}, index)))
            self.checking = True

    def checked(self) -> tuple[set[str], list[str], list[str]] | None:
        """The files given to `check` that are intact, and the files and folders of the tree
        (None: none were checked, or the process failed; the build walks the tree and reads
        the files back itself)."""
        if not self.checking or self.process is None:
            return None
        self.checking = False
        try:
            outcome, value = self.process.reply()
        except BuildFault:  # (it died: another one is started when the pages are ready)
            self.process = None
            return None
        return value if outcome == "ok" and isinstance(value, tuple) else None

    def start(self, pages: dict[str, bytes]) -> None:
        """Index `pages` (output path -> digest of the bytes): every HTML page of the tree.
        Called again with other pages, it starts over."""
        if self.found.missing:
            return
        key = search.html_key(list(pages.items()), self.found)
        if key == self.key:
            return
        if self.process is not None and self.process.started:
            self.stop()
            self.process = None
        self.key = key
        self.kept = kept_outputs(self.writer, SEARCH_KEY, key, self.keys, self.live)
        if self.kept is None:
            self.process = self.process or Indexing(self.memo)
            known = {rel: e for rel, e in self.writer.known.items() if rel.startswith(_PREFIX)}
            self.process.send(("all", (self.writer.root, known, self.found, self.temp, pages)))

    def ahead(self, pages: dict[str, bytes], other: bool = False) -> None:
        """Index ahead the groups of activities and terms of `pages` (the final pages so far:
        every page of those groups), with `other` the group of the other pages too (every
        indexed one is final), while the build renders its other pages (search.ahead)."""
        if self.process is not None and not self.process.started:
            self.process.send(("ahead", (self.writer.root, self.found, self.temp, pages, other)))

    def finish(self, manifest: dict[str, Any], page_keys: dict[str, bytes]) -> tuple[int, str]:
        """Index the HTML pages of `manifest` (at once when `start` was given them), add the
        index's files to it and its key to `page_keys`; (how many files, why there is no index)."""
        if self.found.missing:
            return 0, self.found.missing
        self.start({rel: e[0] for rel, e in manifest.items() if rel.endswith(".html")})
        if self.kept is not None:
            self.stop()
            entries = self.kept
        else:
            self.checked()  # (its reply comes first, if the build did not ask for it)
            assert self.process is not None
            entries = self.process.result()
        manifest.update(entries)
        page_keys[SEARCH_KEY] = self.key
        page_keys[SEARCH_KEY + OUTPUTS] = "\n".join(rel for rel, _ in entries).encode("utf-8")
        return len(entries), ""

    def stop(self) -> None:
        """End the indexing process, if any (the build failed, or needs none), and remove
        the folder it indexed in (an ended process leaves it)."""
        self.checking = False
        if self.process is not None:
            self.process.stop()
        remove_tree(self.temp)


class Indexing:
    """The process that indexes: started with the memo folder (whose groups it loads with
    its first request), given its work (`start`), then asked for the manifest entries
    (`result`)."""

    def __init__(self, memo: Path | None):
        here = str(Path(__file__).resolve().parent.parent)
        self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-c", _BOOT, here, str(memo) if memo is not None else ""],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.started = False
        self.sending: threading.Thread | None = None

    def send(self, request: tuple[str, Any]) -> None:
        """Send a request: ("load", None) loads the memo, ("check", ...) reads files back,
        ("ahead", ...) indexes some groups ahead, ("all", ...) the index. It is written by a
        thread: the process may not read yet (it starts), and the build goes on meanwhile."""
        proc = self._running()
        self.started = self.started or request[0] == "all"
        data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        self._sent()
        self.sending = threading.Thread(target=_send_quietly, args=(proc.stdin, data), daemon=True)
        self.sending.start()

    def _sent(self, timeout: float | None = None) -> None:
        """Wait until the last request is written (at most `timeout` seconds)."""
        if self.sending is not None:
            self.sending.join(timeout)
            if not self.sending.is_alive():
                self.sending = None

    def reply(self) -> tuple[str, Any]:
        """The process's next reply: ("ok", value) or ("fault", exception)."""
        proc = self._running()
        assert proc.stdout is not None
        head = proc.stdout.read(8)
        data = proc.stdout.read(int.from_bytes(head, "big")) if len(head) == 8 else b""
        try:
            outcome, value = pickle.loads(data)
        except Exception:
            self.stop()
            raise BuildFault(f"the search indexing process ended without an index (exit status {proc.returncode})") from None
        return outcome, value

    def result(self) -> list[tuple[str, Entry]]:
        """The manifest entries of the index's files, or the indexer's fault raised."""
        outcome, value = self.reply()
        self.stop()
        if outcome != "ok":
            raise value
        return list(value)

    def stop(self, kill: bool = False) -> None:
        """End the process (and so its indexers) if it runs (`kill`: at once, as one that was
        given no work)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if kill:
            proc.kill()
        self._sent(10)
        if self.sending is not None:  # (a process that reads no more: the write ends with it)
            proc.kill()
            self._sent()
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _running(self) -> subprocess.Popen[bytes]:
        if self.proc is None:
            raise BuildFault("the search indexing process was stopped")
        return self.proc


def _send_quietly(stream: IO[bytes] | None, data: bytes) -> None:
    try:
        _send(stream, data)
    except (OSError, ValueError):
        pass  # (the process died, or was stopped: its reply, or none, says so)


def _send(stream: IO[bytes] | None, data: bytes) -> None:
    assert stream is not None
    stream.write(len(data).to_bytes(8, "big") + data)
    stream.flush()


def main(memo: str) -> None:
    """The indexing process: load the memo's groups (from the first request on: "load", when
    the build started it early), walk the tree and read its files back (if asked to first),
    wait for the work (groups to index ahead, then the index), index, write the files, reply
    with their manifest entries (or the fault) on standard output."""
    loaded: dict[str, Any] = {}
    folder = Path(memo) if memo else None
    loader = threading.Thread(target=_load_memo, args=(folder, loaded))
    running: list[subprocess.Popen[bytes]] = []
    inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
    threading.Thread(target=_listen, args=(inbox, running), daemon=True).start()
    held: set[str] = set()  # the index's files read back (TreeWriter)
    kind, request = inbox.get()
    # (an edit's build starts this process before it loads the site, and says "load" as soon
    # as it knows the site changed, 0.3 s at 10,000 records before it asks for the check: the
    # memo is loaded meanwhile; a build with nothing to do kills the process instead)
    loader.start()
    if kind == "load":
        kind, request = inbox.get()
    if kind == "check":  # (the tree to walk and files to read back: the build waits for them)
        root, entries, index = request
        try:
            folders: list[str] = []
            files = list(walk_files(root, drop_symlinks=True, folders=folders))
            _reply(("ok", ({rel for rel, entry in entries.items() if holds(f"{root}/{rel}", entry)}, files, folders)))
        except OSError as exc:  # (the build walks the tree itself, and says what fails)
            _reply(("fault", exc))
        # (no one else writes in the index's folder: read back now, they need not be then)
        held = {rel for rel, entry in index.items() if holds(f"{root}/{rel}", entry)}
        kind, request = inbox.get()
    loader.join()
    while kind == "ahead":
        root, found, temp, pages, other = request
        try:
            search.ahead(root, found, pages, temp, running.append, folder, loaded, other=other)
        except Exception:
            pass  # (nothing is lost: the index is made from every page next, and says what fails)
        kind, request = inbox.get()
    root, known, found, temp, pages = request
    try:
        made = search.index(root, found, running=running.append, work=temp, memo=folder, pages=pages,
                            loaded=loaded)
        writer = TreeWriter(root, known, held)
        reply: tuple[str, Any] = ("ok", [(rel, writer.put(rel, data)) for rel, data in made.files.items()])
    except Exception as exc:  # (raised again in the build's process)
        reply = ("fault", exc)
    _reply(reply)
    os._exit(0)  # (not a shutdown of the interpreter while _listen waits)


def _reply(reply: tuple[str, Any]) -> None:
    """Send a reply to the build (length first, as the requests)."""
    try:
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        data = pickle.dumps(("fault", BuildFault(f"search indexing failed: {reply[1]}")))
    try:
        _send(sys.stdout.buffer, data)
    except OSError:  # (the build stopped waiting)
        os._exit(1)


def _load_memo(memo: Path | None, loaded: dict[str, Any]) -> None:
    """The groups' indexes kept in `memo` (file stem -> payload: search._grouped's memo)."""
    from . import cache
    if memo is None or not memo.is_dir():
        return
    for path in sorted(memo.glob("*.pickle")):
        loaded[path.stem] = cache.load_pickle(path)


def _listen(inbox: queue.Queue[tuple[str, Any]], running: list[subprocess.Popen[bytes]]) -> None:
    """Put the build's requests in `inbox` as they come; when standard input closes (the
    build is done with the process, stopped or died), end the indexers and exit."""
    got = 0
    while len(head := _read(8)) == 8:
        size = int.from_bytes(head, "big")
        data = _read(size)
        if len(data) < size:
            break
        inbox.put(pickle.loads(data))
        got += 1
    for proc in running:
        try:
            proc.kill()
        except OSError:
            pass
    os._exit(1 if got else 0)  # (no request: the build kept its index, or failed)


def _read(size: int) -> bytes:
    """Up to `size` bytes of standard input (fewer at its end); the descriptor, not
    sys.stdin: no lock held at exit."""
    parts, left = [], size
    while left and (part := os.read(0, min(left, 1 << 20))):
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
