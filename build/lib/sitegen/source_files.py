"""The site folder as the preview server reads it again between rebuilds: its files (stat
keys, the sources discovery found, the parsed documents) and its git history, each read
again only when it changed (see incremental.py).
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

from .content import SOURCE_TOPS, Document, Source, discover, read_document
from .errors import Problem, Problems
from .gitinfo import GitInfo, read_history
from .preview_files import stat_key


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
        if self.sources is None or not hint:
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

    def changed(self, scan: dict[str, tuple[Any, ...]]) -> list[str]:
        """The files of `scan` that are new, gone or changed since the last scan kept in
        `keys`, sorted."""
        return sorted(r for r in scan.keys() | self.keys.keys() if scan.get(r) != self.keys.get(r))

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


class GitHistory:
    """The site's git history (gitinfo.read_history), read again only when HEAD moved."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self._key: tuple[Any, ...] | None = None  # what `git rev-parse HEAD` said last time
        self._info = GitInfo()

    def head(self) -> subprocess.Popen[str] | None:
        """Start asking git where HEAD is (the answer is taken by `read`)."""
        try:
            return subprocess.Popen(["git", "-C", str(self.site_dir), "rev-parse", "HEAD"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        except OSError:
            return None

    def read(self, head: subprocess.Popen[str] | None = None) -> GitInfo:
        """`git log` again only when HEAD moved (`head`: a `head()` started earlier); the
        same GitInfo object while it did not."""
        head = head or self.head()
        key: tuple[Any, ...] = ("no git",)
        if head is not None:
            try:
                out = head.communicate(timeout=30)[0]
                key = (head.returncode, out)
            except subprocess.SubprocessError:
                head.kill()
                head.communicate()
        if key != self._key:
            self._info = read_history(self.site_dir)
            self._key = key
        return self._info
