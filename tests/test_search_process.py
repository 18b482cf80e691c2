"""The search index of a build is made in a process of its own (sitegen/search_process.py):
it must not outlive the build. A build killed while Pagefind runs leaves no indexing
process and no Pagefind behind, and the next build makes the same site as an unkilled one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.sitekit import run_sitegen, snapshot


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # (a zombie no one has waited for yet is gone too)
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_build_killed_while_indexing_leaves_no_indexer_running(make_site: Any, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site()
    assert run_sitegen("build", site).returncode == 0
    before = snapshot(site / "output")
    page = site / "content/activities/planned-meeting.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    pids = tmp_path / "pids"
    slow = tmp_path / "pagefind"
    slow.write_text(f"#!/bin/sh\necho $$ $PPID >> {pids}\nexec sleep 60\n")
    slow.chmod(0o755)
    env = {**os.environ, "PAGEFIND_BINARY_PATH": str(slow)}
    build = subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(site)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (pids.exists() and pids.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    indexer, helper = (int(n) for n in pids.read_text().split()[:2])
    assert helper != build.pid  # (Pagefind runs under the indexing process)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 15
    while (_alive(indexer) or _alive(helper)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper) and not _alive(indexer)
    assert snapshot(site / "output") == before  # the killed build changed nothing
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert (site / "output/pagefind/pagefind.js").is_file()
    # the same bytes as a build that was not killed
    assert run_sitegen("build", site, "--output", tmp_path / "fresh").returncode == 0
    assert snapshot(site / "output") == snapshot(tmp_path / "fresh")



def test_sorted_results_index_only_the_pages_the_build_keeps(make_site: Any) -> None:
    """A site whose pages name data-pagefind-sort is indexed in one run (its groups cannot be
    merged): over the pages the build writes, not over what its tree still holds of an older
    build (a removed record's page is removed only after the index is made)."""
    sorted_page = ('<!doctype html><html lang="en"><head><title>Sorted</title></head><body>'
                   '<main data-pagefind-body data-pagefind-sort="weight:1"><h1>Sorted</h1><p>Ordered words.</p>'
                   '</main></body></html>\n')
    record = "---\ntitle: Zorblax meeting\narea: firearms\nstatus: planned\nstart: 2020-06-02\ntype: meeting\n---\n\n" \
             "The zorblax delegation met.\n"
    site = make_site({"content/static/sorted/index.html": sorted_page, "content/activities/zorblax.md": record})
    with (site / "site.yaml").open("a", encoding="utf-8") as f:
        f.write("allow_raw_html: true\n")  # (a static HTML page is the site's own: trusted)
    assert run_sitegen("build", site).returncode == 0
    assert "zorblax" in _indexed_words(site / "output")
    (site / "content/activities/zorblax.md").unlink()
    for _ in range(2):  # (the second from the spare tree, which holds the removed page)
        run = run_sitegen("build", site)
        assert run.returncode == 0, run.stderr
        assert not (site / "output/activities/zorblax").exists()
        assert "zorblax" not in _indexed_words(site / "output")
        assert "order" in _indexed_words(site / "output")  # (the sorted page: stemmed)


def _indexed_words(out: Path) -> set[str]:
    """Every word of the (one-language) index under out/pagefind/."""
    from sitegen import search_shards
    words: set[str] = set()
    for chunk in sorted((out / "pagefind" / "index").iterdir()):
        words.update(entry[0] for entry in search_shards.unpack(chunk.read_bytes())[0])
    return words
