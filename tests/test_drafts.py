"""Drafts (#17): a record marked `draft: true` is in no page, data file, feed or search index;
`--drafts` publishes it for a preview or a review build; `sitegen check` says how many
drafts there are; the preview follows a record that becomes a draft."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from sitegen.build import build
from sitegen.incremental import Builder
from tests.sitekit import BASELINE, make_site, run_sitegen, snapshot, where

DRAFT = "content/activities/2018-03-05-border-course.md"
PAGE = "content/pages/about.md"


def _drafted() -> dict[str, str]:
    return {DRAFT: BASELINE[DRAFT].replace("status: completed\n", "status: completed\ndraft: true\n"),
            PAGE: BASELINE[PAGE].replace("order: 1\n", "order: 1\ndraft: true\n")}


def _texts(out: Path) -> dict[str, str]:
    """Every file of a built site as text (the search index's compressed files unpacked)."""
    found = {}
    for rel, data in snapshot(out).items():
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        found[rel] = data.decode("utf-8", "replace")
    return found


def test_a_draft_is_in_no_page_data_file_feed_or_search_index(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", _drafted())
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    out = site / "output"
    assert not (out / "activities/2018-03-05-border-course").exists()
    assert not (out / "pages/about").exists()
    texts = _texts(out)
    assert any(rel.startswith("pagefind/") for rel in texts)  # the search index is there...
    for rel, text in texts.items():  # ...and no file names the drafts
        assert "Border officers course" not in text and "2018-03-05-border-course" not in text, rel
        assert "These records are test data" not in text, rel
    assert "Firearms tracing workshop" in texts["data/activities.json"]
    # the counts do not count it either: the border area has one activity left
    assert '"id": "2018-03-05-border-course"' not in texts["data/activities.json"]


def test_drafts_publishes_them_and_check_counts_them(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", _drafted())
    run = run_sitegen("check", site)
    assert run.returncode == 0
    assert f"2 drafts (not published; --drafts publishes them): {DRAFT}, {PAGE}" in run.stderr
    run = run_sitegen("build", site, "--drafts", "-o", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out/activities/2018-03-05-border-course/index.html").is_file()
    assert (tmp_path / "out/pages/about/index.html").is_file()
    assert "Border officers course" in (tmp_path / "out/data/activities.csv").read_text(encoding="utf-8")
    assert "published (--drafts)" in run_sitegen("check", site, "--drafts").stderr
    # the same site without drafts: as if the records were not there
    plain = make_site(tmp_path / "plain", {DRAFT: None, PAGE: None})
    assert run_sitegen("build", plain, "-o", tmp_path / "plain-out").returncode == 0
    without = run_sitegen("build", site, "-o", tmp_path / "without")
    assert without.returncode == 0
    ours, theirs = snapshot(tmp_path / "without"), snapshot(tmp_path / "plain-out")
    assert ours.keys() == theirs.keys()
    assert ours["data/activities.json"] == theirs["data/activities.json"]
    assert ours["index.html"] == theirs["index.html"]


def test_a_draft_flag_that_is_not_true_or_false_is_a_located_error(tmp_path: Path) -> None:
    text = BASELINE[DRAFT].replace("status: completed\n", "status: completed\ndraft: yes please\n")
    site = make_site(tmp_path / "site", {DRAFT: text})
    run = run_sitegen("check", site)
    assert run.returncode == 1
    line, col = where(text, "draft:")
    assert f"{DRAFT}:{line}:{col}: error: 'draft': expected true or false, not 'yes please'" in run.stderr


def test_the_preview_follows_a_record_becoming_a_draft(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    preview, ref = tmp_path / "preview", tmp_path / "ref"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    assert (preview / "activities/2018-03-05-border-course/index.html").is_file()
    for text in (_drafted()[DRAFT], BASELINE[DRAFT]):
        (site / DRAFT).write_text(text, encoding="utf-8")
        assert builder.rebuild().ok
        if ref.exists():
            shutil.rmtree(ref)
        build(site, ref, use_cache=False)
        assert builder.wait_for_search(60)
        got, want = snapshot(preview), snapshot(ref)
        assert sorted(p for p in got.keys() | want.keys() if got.get(p) != want.get(p)) == []
        assert ("draft: true" in text) != (preview / "activities/2018-03-05-border-course").exists()
