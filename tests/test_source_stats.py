"""What a cached build reads and writes again: only the source files whose stat changed
(cache.Store.reader, `stats.pickle`; an edit is always seen, also one that keeps the file's
size and mtime, and a file written in the moment before a build is read again by the next
one), and one or two files of each sharded cache after a record's edit (cache.Sharded)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from sitegen import cache
from sitegen.build import build
from tests.sitekit import make_site, snapshot

RECORD = "content/activities/firearms-workshop.md"
PAGE = "activities/firearms-workshop/index.html"


def _spy_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source files the cache reads from now on (their paths, in order)."""
    reads: list[str] = []
    for name in ("read_bytes", "read_bytes_stat"):
        real = getattr(cache, name)

        def spy(site_dir: Path, source: cache.Source, real=real):  # type: ignore[no-untyped-def]
            reads.append(source.rel)
            return real(site_dir, source)
        monkeypatch.setattr(cache, name, spy)
    return reads


def _rewrite_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    assert len(old) == len(new)
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8", newline="")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_a_build_reads_again_only_the_files_whose_stat_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "SETTLED_NS", 0)  # (the files were written a moment ago)
    site = make_site(tmp_path / "site")
    build(site)
    reads = _spy_reads(monkeypatch)
    build(site)
    assert reads == []  # nothing changed: nothing read
    path = site / RECORD
    path.write_text(path.read_text(encoding="utf-8").replace("Firearms tracing workshop",
                                                             "Firearms marking and tracing workshop"),
                    encoding="utf-8", newline="")
    build(site)
    # the edited record, and the plan (activities are validated against it when parsed)
    assert sorted(set(reads)) == [RECORD, "content/plan.yaml"]
    assert "Firearms marking and tracing workshop" in (site / "output" / PAGE).read_text(encoding="utf-8")
    fresh = tmp_path / "fresh"
    build(site, fresh, use_cache=False)
    assert snapshot(site / "output") == snapshot(fresh)


@pytest.mark.skipif(sys.platform == "win32", reason="Windows' ctime is the creation time")
def test_an_edit_that_keeps_the_size_and_mtime_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(Its ctime changed: no program sets that back.)"""
    monkeypatch.setattr(cache, "SETTLED_NS", 0)
    site = make_site(tmp_path / "site")
    build(site)
    build(site)
    _rewrite_keeping_size_and_mtime(site / RECORD, "Firearms tracing workshop", "Firearms marking workshop")
    build(site)
    page = (site / "output" / PAGE).read_text(encoding="utf-8")
    assert "Firearms marking workshop" in page and "Firearms tracing workshop" not in page
    # a static file too: its copy in the output is the new one
    static = site / "content/static/note.txt"
    static.parent.mkdir(parents=True, exist_ok=True)
    static.write_text("first\n", encoding="utf-8")
    build(site)
    build(site)
    _rewrite_keeping_size_and_mtime(static, "first", "again")
    build(site)
    assert (site / "output/note.txt").read_text(encoding="utf-8") == "again\n"


def test_a_file_written_in_the_moment_before_a_build_is_read_again_by_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As git does with its index: a file written in the same instant it was read could be
    written again with the same stat; its digest is kept only once it is older than
    SETTLED_NS."""
    monkeypatch.setattr(cache, "SETTLED_NS", 3_600 * 10**9)  # (every file is recent)
    site = make_site(tmp_path / "site")
    build(site)
    reads = _spy_reads(monkeypatch)
    build(site)
    assert RECORD in reads and "site.yaml" in reads
    _rewrite_keeping_size_and_mtime(site / RECORD, "Firearms tracing workshop", "Firearms marking workshop")
    build(site)
    assert "Firearms marking workshop" in (site / "output" / PAGE).read_text(encoding="utf-8")


def test_an_edit_rewrites_one_or_two_files_of_each_sharded_cache(tmp_path: Path) -> None:
    from tests.corpus import write_corpus
    site = write_corpus(60, tmp_path / "site")
    build(site)
    build(site)  # (the pieces of the site-wide files are kept from this build on)
    folder = site / ".sitegen-cache"

    def files() -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*-[0-9][0-9].pickle")}
    before = files()
    assert {n[:5] for n in before} == {"docs-", "texts"} and len(before) >= 24  # (an empty shard has no file)
    record = sorted((site / "content/activities").rglob("*.md"))[7]
    record.write_text(record.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1),
                      encoding="utf-8")
    build(site)
    after = files()
    changed = sorted(n for n in after if after[n] != before.get(n))
    # the record's parsed file (by its path), its pieces (by its page key: the old one's
    # file and the new one's)
    assert [n for n in changed if n.startswith("docs-")] and len(changed) <= 3, changed
    assert sum(n.startswith("docs-") for n in changed) == 1, changed
