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

