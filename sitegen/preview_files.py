"""The preview folder of `sitegen serve`: each file written by way of a temporary name (the
server never serves half a file) and only when its bytes changed; files of pages that no
longer exist are removed, with the folders they leave empty.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .cache import digest
from .write import _MARKER_TEXT, MARKER, Spellings, safe_join, while_held

BIG = 1 << 20


def stat_key(st: os.stat_result) -> tuple[int, ...]:
    """What tells whether a source file changed. (Not the inode on Windows: a folder scan's
    stat has 0 there, os.lstat the real number, and the same file would look changed.)"""
    return (st.st_mtime_ns, st.st_size, st.st_ino if _INODES else 0, st.st_ctime_ns)


_INODES = os.name != "nt"


def _fingerprint(data: bytes) -> bytes:
    """What tells whether a generated file changed: a digest, or for files over a megabyte
    (data/activities.json and the like at 10,000 activities) the bytes themselves, which compare
    several times faster than they hash."""
    return data if len(data) > BIG else digest(data)


class PreviewFiles:
    """What the preview folder holds: fingerprints of generated files, stamps of copies."""

    def __init__(self, site_dir: Path, out_dir: Path):
        self.site_dir = site_dir
        self.out = out_dir
        self.hashes: dict[str, bytes] = {}  # generated output path -> _fingerprint of its bytes
        self.copies: dict[str, tuple[str, tuple[Any, ...]]] = {}  # output path -> (source, stat)
        self.pages_changed = False  # whether a page (.html) was written or removed (the
        # search index is made of the pages: see incremental.Builder); reset by the reader

    def sync(self, rendered: dict[str, list[tuple[str, bytes]]], job_outputs: dict[str, tuple[str, ...]],
             copies: dict[str, Path], scan: dict[str, tuple[Any, ...]]) -> tuple[int, int]:
        """After a general rebuild: write `rendered` and `copies` (output path -> source, whose
        stat keys are in `scan`), and remove what no job outputs; (written, removed)."""
        self.out.mkdir(parents=True, exist_ok=True)
        marker = self.out / MARKER
        if not marker.exists():
            marker.write_bytes(_MARKER_TEXT)
        written = self.write(rendered) + self.copy(copies, scan)
        new_copies = {path: self.copies[path] for path in copies}
        live = {p for outs in job_outputs.values() for p in outs}
        removed = 0
        gone = [p for p in self.hashes if p not in live and p not in new_copies]
        gone += [p for p in self.copies if p not in new_copies and p not in live]
        for path in [p for p in self.hashes if p not in live]:
            del self.hashes[path]
        spellings = Spellings(self.out, [*live, *new_copies]) if gone else None
        for path in gone:
            if spellings is not None and spellings.removable(path):
                removed += _remove(self.out, path)
            self.hashes.pop(path, None)
        self.pages_changed |= any(p.endswith(".html") for p in gone)
        for path in new_copies:  # a copy that replaced a generated file of the same name
            self.hashes.pop(path, None)
        self.copies = new_copies
        return written, removed

    def copy(self, copies: dict[str, Path], scan: dict[str, tuple[Any, ...]]) -> int:
        """Copy the files of `copies` (output path -> source, whose stat keys are in `scan`)
        that are not there as they are now; how many. (Only sync removes copies.)"""
        written = 0
        for path, src in copies.items():
            rel = src.relative_to(self.site_dir).as_posix() if src.is_relative_to(self.site_dir) else ""
            key = scan.get(rel) if rel else None
            if key is None:
                key = stat_key(os.stat(src))
            stamp = (str(src), key)
            if self.copies.get(path) != stamp:
                _atomic_write(safe_join(self.out, path), src.read_bytes())
                self.copies[path] = stamp
                written += 1
                self.pages_changed |= path.endswith(".html")
        return written

    def write(self, rendered: dict[str, list[tuple[str, bytes]]]) -> int:
        """Write the rendered files whose bytes changed; how many."""
        written = 0
        for outputs in rendered.values():
            for path, data in outputs:
                digest = _fingerprint(data)
                if self.hashes.get(path) != digest:
                    _atomic_write(safe_join(self.out, path), data)
                    self.hashes[path] = digest
                    written += 1
                    self.pages_changed |= path.endswith(".html")
        return written


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.sitegen-tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    while_held(os.replace, tmp, path)  # (Windows: a request may be reading it)


def _remove(root: Path, rel: str) -> int:
    """Delete root/rel and the folders it leaves empty; 1 if a file was removed."""
    path = safe_join(root, rel)
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    parent = path.parent
    while parent != root and parent.is_relative_to(root):
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
    return 1

