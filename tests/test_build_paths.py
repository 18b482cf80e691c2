"""One build pipeline (build._build), with and without a cache folder.

The uncached build is the cached build's pipeline without `.sitegen-cache/`: it gives the
same bytes, replaces the old output, and leaves nothing beside it; nor does a cached build
whose cache folder is on another device than the output (no spare tree can be kept there:
the old output used to stay beside the new one until the next build).
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from sitegen.build import build
from tests.sitekit import example_in, other_device, snapshot


def _beside(out: Path) -> list[str]:
    """What sits beside the output folder, but the output."""
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def test_the_uncached_build_replaces_the_output_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    site = example_in(tmp_path, "[en, fr]")
    out = tmp_path / "built" / "site"
    first = build(site, out, use_cache=False)
    assert first.pages > 20 and not (site / ".sitegen-cache").exists()
    (out / "stray.txt").write_text("left by hand\n", encoding="utf-8")
    again = build(site, out, use_cache=False)
    assert again.pages == first.pages
    assert not (out / "stray.txt").exists()
    assert _beside(out) == []
    cached = tmp_path / "cached"
    build(site, cached)
    assert snapshot(cached) == snapshot(out)


def test_a_cache_on_another_device_leaves_no_old_output_beside_the_new(tmp_path: Path) -> None:
    elsewhere = other_device(tmp_path)
    if elsewhere is None:
        pytest.skip("needs a folder on another device than the temporary folder")
    site = example_in(tmp_path, "[en]")
    parent = elsewhere / f"sitegen-test-{uuid.uuid4().hex}"
    try:
        out = parent / "site"
        build(site, out)
        record = sorted((site / "content/activities").rglob("*.md"))[0]
        record.write_text(record.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1),
                          encoding="utf-8")
        build(site, out)
        assert _beside(out) == []
        assert b"Edited" in b"".join(snapshot(out).values())
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def test_a_build_into_an_output_no_record_describes_leaves_the_next_one_its_own_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After sitegen was upgraded or its cache deleted, the build keeps no old output of
    unknown contents as the spare (the next build linked every page into it again): the
    spare is its own files, hard-linked, and the old output is removed."""
    from sitegen import trees
    from tests.corpus import write_corpus
    site = write_corpus(60, tmp_path / "site")
    out = tmp_path / "built" / "site"
    build(site, out)
    old_page = next((out / "activities").glob("*/index.html"))
    old_inode = old_page.stat().st_ino
    shutil.rmtree(site / ".sitegen-cache")
    build(site, out)
    spare = next((site / ".sitegen-cache").glob("spare-*"))
    page = old_page.relative_to(out)
    assert (spare / page).stat().st_ino == (out / page).stat().st_ino != old_inode
    assert snapshot(spare) == snapshot(out)
    assert _beside(out) == []
    adopted: list[str] = []
    real = trees.TreeWriter.adopt

    def counted(self: trees.TreeWriter, rel: str, live: trees.Tree) -> trees.Entry | None:
        adopted.append(rel)
        return real(self, rel, live)
    monkeypatch.setattr(trees.TreeWriter, "adopt", counted)
    record = sorted((site / "content/activities").rglob("*.md"))[4]
    record.write_text(record.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1),
                      encoding="utf-8")
    build(site, out)
    assert adopted == []  # (every unchanged file was already in the tree the build started from)
    fresh = tmp_path / "fresh"
    build(site, fresh, use_cache=False)
    assert snapshot(out) == snapshot(fresh)
