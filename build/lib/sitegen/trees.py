"""The output trees of a cached build: the writer that updates a folder holding an older
build in place (unchanged files stay), the manifests that say what each tree holds, and
the spare tree (the output before last, kept in the cache folder) the next build starts
from. build._build runs them; the swap itself is write.swap.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cache
from .write import MARKER, Spellings, remove_tree, safe_join, stale_temps

Entry = tuple[bytes, int, int]  # digest, size, mtime_ns of a written file


@dataclass(frozen=True)
class Tree:
    """An output tree a build wrote: its folder, manifest and activity page keys."""

    root: str
    files: dict[str, Entry]
    keys: dict[str, bytes]


class TreeWriter:
    """Writes outputs into a folder that may hold an older build: unchanged files stay.

    A file is kept only when the manifest of that folder says it has the same digest, its
    size and mtime still match and its bytes still are what the manifest says (read back:
    bit rot or an edit that kept size and mtime must not survive); otherwise it is unlinked
    (never truncated: it may be a hard link) and written anew.
    """

    def __init__(self, root: Path, known: dict[str, Entry], held: Container[str] = ()):
        self.root = root
        self.base = str(root) + "/"
        self.known = known
        self.held = held  # files read back in this build, as the manifest says (trees.holds)
        self.made: set[str] = set()

    def put(self, rel: str, data: bytes) -> Entry:
        d = cache.digest(data)
        if not rel or rel[0] == "/" or "\\" in rel or "\x00" in rel or ".." in rel.split("/"):
            safe_join(self.root, rel)  # raises the usual error
        path = self.base + rel
        old = self.known.get(rel)
        if old is not None and old[0] == d and (rel in self.held or read_if(path, old) == data):
            return old
        self._parent(rel)
        try:  # O_EXCL: never write through an existing file (it may be a hard link)
            fd = os.open(path, _CREATE, 0o666)
        except (FileExistsError, IsADirectoryError):
            self._clear(Path(path))
            fd = os.open(path, _CREATE, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            st = os.fstat(fd)
        finally:
            os.close(fd)
        return (d, st.st_size, st.st_mtime_ns)

    def adopt(self, rel: str, tree: Tree) -> Entry | None:
        """Make `rel` a hard link to the same file of `tree` (the live output) if that file is
        still as its manifest says, bytes included; its manifest entry, or None (also where
        the volume has no hard links). (Nothing is ever written through a file, so two trees
        may share it.)"""
        entry = tree.files.get(rel)
        if entry is None:
            return None
        src = os.path.join(tree.root, rel)
        if not holds(src, entry):
            return None
        self._parent(rel)
        self._clear(Path(self.base + rel))
        try:
            os.link(src, self.base + rel, follow_symlinks=False)
        except OSError:  # (a volume without hard links, e.g. exFAT, FAT32, some network shares)
            return None  # (the output is rendered and written instead)
        return entry

    def intact(self, rel: str) -> Entry | None:
        """The manifest entry of `rel` if its file is still as the manifest says, bytes included."""
        old = self.known.get(rel)
        return old if old is not None and holds(self.base + rel, old) else None

    def _parent(self, rel: str) -> None:
        """Make the folder of `rel` (once per folder and writer)."""
        parent = rel.rpartition("/")[0]
        if parent not in self.made:
            self._folder(Path(self.base + rel).parent)
            self.made.add(parent)

    def _folder(self, parent: Path) -> None:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            probe = parent
            while probe != self.root and not probe.is_dir():
                if probe.exists() or probe.is_symlink():
                    probe.unlink()
                    break
                probe = probe.parent
            parent.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _clear(path: Path) -> None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except (IsADirectoryError, PermissionError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                raise


# (O_BINARY: without it Windows opens a file in text mode, writes "\n" as "\r\n" and stops
# reading at a byte 0x1A)
_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FLAGS
_READ = os.O_RDONLY | _FLAGS


def holds(path: str, entry: Entry) -> bool:
    """Whether the file at `path` is as the manifest entry says: size, mtime and bytes."""
    data = read_if(path, entry)
    return data is not None and cache.digest(data) == entry[0]


def read_if(path: str, entry: Entry) -> bytes | None:
    """The bytes of the regular file at `path` if its size and mtime are the manifest entry's
    (None otherwise, or when it cannot be read)."""
    try:
        fd = os.open(path, _READ)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != entry[1] or st.st_mtime_ns != entry[2]:
            return None
        parts, left = [], entry[1] + 1  # one more byte: a file that grew is not the same
        while left > 0:
            part = os.read(fd, left)
            if not part:
                break
            parts.append(part)
            left -= len(part)
        return b"".join(parts) if len(parts) != 1 else parts[0]
    except OSError:
        return None
    finally:
        os.close(fd)


def walk_files(root: Path, drop_symlinks: bool = False,
                folders: list[str] | None = None) -> dict[str, os.stat_result]:
    """Every file below root (but the top-level marker), by relative path; with
    `drop_symlinks`, symlinks found on the way are removed instead; `folders` collects the
    folders walked."""
    found: dict[str, os.stat_result] = {}
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as it:
            for entry in it:
                rel = prefix + entry.name
                if rel == MARKER:
                    continue
                if drop_symlinks and entry.is_symlink():
                    os.unlink(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((rel + "/", entry.path))
                    if folders is not None:
                        folders.append(rel)
                else:
                    found[rel] = entry.stat(follow_symlinks=False)
    return found


def prune(root: Path, stale: list[str], folders: list[str] | None = None,
           keep: dict[str, Any] | None = None) -> None:
    """Remove files of an older build that this build does not write, and emptied folders
    (and `folders` that hold none of the files in `keep`, the files it writes: a stale file
    that is one of them under another spelling is left, see write.Spellings)."""
    emptied: set[Path] = set()
    spellings = Spellings(root, keep or ())
    for rel in stale:
        path = root / rel
        if not spellings.removable(rel):
            continue
        try:
            path.unlink()
        except OSError:
            continue
        emptied.update(p for p in path.parents if p != root and root in p.parents)
    if folders:
        needed = {rel.rpartition("/")[0] for rel in keep or {}}
        for rel in list(needed):
            while rel and rel.rpartition("/")[0] not in needed:
                rel = rel.rpartition("/")[0]
                needed.add(rel)
        emptied.update(root / rel for rel in folders if rel not in needed)
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            pass


def intact_tree(out: Path, tree: dict[str, Any] | None) -> bool:
    """True when the output folder is exactly what the recorded build wrote: the same files
    (dot entries and links count), sizes and mtimes. (Bytes are not read here: a build with
    nothing to do stays quick; any build that writes reads back every file it reuses.)"""
    if not tree or not (out / MARKER).is_file():
        return False
    try:
        if os.stat(out).st_ino != tree["ino"]:
            return False
        found = walk_files(out)
    except OSError:
        return False
    files = tree["files"]
    if found.keys() != files.keys():
        return False
    return all(st.st_size == files[rel][1] and st.st_mtime_ns == files[rel][2] for rel, st in found.items())


def same_device(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


# (in the keys of a tree: after a page's path, the files its job writes, one per line)
OUTPUTS = "\0outputs"


def kept_outputs(writer: TreeWriter, path: str, key: bytes, keys: dict[str, bytes], live: Tree | None
          ) -> list[tuple[str, Entry]] | None:
    """The files of a keyed page (or of the search index: SEARCH_KEY) the writer's folder (or
    the live output) still holds as the build that recorded the same key wrote them; None
    when one is missing or changed."""
    for known, adopt in ((keys, False), (live.keys if live is not None else {}, True)):
        if known.get(path) != key or path + OUTPUTS not in known:
            continue
        out = []
        for rel in known[path + OUTPUTS].decode("utf-8").split("\n"):
            entry = writer.adopt(rel, live) if adopt and live is not None else writer.intact(rel)
            if entry is None:
                break
            out.append((rel, entry))
        else:
            return out
    return None


def start_tree(work: Path, out_abs: Path, spare: Path | None, trees: dict[str, Any], trees_path: Path | None,
                live: dict[str, Any]) -> tuple[dict[str, Entry], dict[str, bytes], Tree | None]:
    """Make `work`, starting from the spare (the output before last, when it is the one the
    signed manifest describes), else hard links to the live output's files, else a killed
    build's tree, else nothing. Returns the manifest and page keys of what `work` holds, and
    the live output (`live`: its manifest, when it is still that tree) when pages may be
    linked from it. Other temporary folders of killed builds are removed. `spare` is None
    when the cache is on another device than the output (no renames between them)."""
    known: dict[str, Entry] = {}
    known_keys: dict[str, bytes] = {}
    stale = stale_temps(out_abs)
    reuse: Path | None = None
    if spare is not None:
        old = trees.get("spare")
        trees["spare"] = None  # the spare is about to change: forget it until we succeed
        if trees_path is not None:
            cache.save_pickle(trees_path, trees)
        try:
            st = os.lstat(spare)
        except OSError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode) and old and st.st_ino == old["ino"]:
            known, known_keys, reuse = old["files"], old.get("keys", {}), spare
        elif st is not None:
            # Not the spare our signed manifest describes (e.g. committed with the content):
            # it could hold symlinks that lead writes elsewhere, so it is never reused.
            remove_tree(spare)
        if reuse is None and not live and stale:
            reuse = stale[-1]  # a killed build's tree: reusable, contents unknown
    for path in stale:
        if path != reuse:
            remove_tree(path)
    if reuse is not None and reuse != work:
        os.rename(reuse, work)
    if reuse is not None and reuse == spare:
        live_tree = Tree(str(out_abs), live["files"], live.get("keys", {})) if live else None
        return known, known_keys, live_tree  # pages rendered by the last build are linked
    if reuse is None and spare is not None and live:
        # No spare yet (the first build after a cold one): start from hard links to the
        # live output's files. Nothing is written through them (TreeWriter replaces a
        # file, never rewrites it), so the live output stays as it is.
        link_files(out_abs, work, live["files"])
        return live["files"], live.get("keys", {}), None
    if reuse is None:
        work.mkdir()
    return known, known_keys, None


def discard(work: Path, spare: Path | None) -> None:
    """After a failed build: keep `work` as the spare (reusable next time, with an unknown
    manifest) when possible, else remove it; never leave it beside the output."""
    if not os.path.lexists(work):
        return
    if spare is not None and not os.path.lexists(spare):
        try:
            os.rename(work, spare)
            return
        except OSError:
            pass
    remove_tree(work)


def keep_spare(work: Path, spare: Path) -> int | None:
    """Move the old output from `work` to the spare; its inode, or None when it had to be
    removed instead."""
    try:
        os.rename(work, spare)
        return os.stat(spare).st_ino
    except OSError:
        remove_tree(work)
        return None


def link_files(src: Path, dst: Path, files: Iterable[str], new: bool = True) -> None:
    """dst/rel as a hard link to src/rel for each rel (missing or odd files are skipped);
    `dst` is made (`new`), or exists."""
    made: set[str] = set()
    if new:
        os.mkdir(dst)
    for rel in files:
        parent = rel.rpartition("/")[0]
        if parent not in made:
            os.makedirs(os.path.join(dst, parent), exist_ok=True)
            made.add(parent)
        try:
            os.link(os.path.join(src, rel), os.path.join(dst, rel), follow_symlinks=False)
        except OSError:
            pass


class Seed:
    """The next build's spare, made by a build that starts from nothing (no spare, no output
    folder yet): hard links to its tree's files, in the spare's folder, made by a thread
    while the build waits for its search index (`rels`: every file but the index's), and
    for the index's files once they are written (`finish`). The first build after it then
    starts from the spare instead of linking the whole output itself (about 0.25 s of a
    status edit at 10,000 records). Nothing is written through the links: TreeWriter
    replaces a file, never rewrites it. A link that could not be made is a file the next
    build writes again (TreeWriter reads back what its manifest says is there)."""

    def __init__(self, work: Path, spare: Path, rels: list[str]):
        self.work, self.spare, self.first = work, spare, set(rels)
        self.failed: OSError | None = None
        self.thread = threading.Thread(target=self._link, args=(rels, True), daemon=True)
        self.thread.start()

    def _link(self, rels: Iterable[str], new: bool) -> None:
        try:
            link_files(self.work, self.spare, rels, new)
        except OSError as exc:  # (the folder: no seed, the next build links the output)
            self.failed = exc

    def finish(self, rels: Iterable[str]) -> None:
        """Link those of these files not linked yet (the index's), once the first ones are."""
        self.thread.join()
        if self.failed is None:
            self._link([rel for rel in rels if rel not in self.first], False)

    def made(self) -> int | None:
        """The spare's inode once it is complete (None: it could not be made)."""
        self.thread.join()
        if self.failed is not None:
            return None
        try:
            return os.stat(self.spare).st_ino
        except OSError:
            return None
