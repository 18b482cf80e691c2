"""bench/bench_build.py's memory sampler: a child that still runs in its parent's memory
(made by vfork, as CPython's subprocess and posix_spawn make them, before it runs its
program) is not counted a second time. (Single samples of a 300 MB build read 600 MB when
one was taken at such a moment.)"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import bench_build  # noqa: E402  (bench/bench_build.py)

# The parent: 200 MB of its own, then a child made by posix_spawn (vfork) that, before it
# runs /bin/true, opens a named pipe no one writes to yet: it waits in the parent's memory.
PARENT = """
import os, sys
big = bytearray(200 * 1024 * 1024)
for i in range(0, len(big), 4096):
    big[i] = 1
print("ready", flush=True)
pid = os.posix_spawn("/bin/true", ["/bin/true"], dict(os.environ),
                     file_actions=[(os.POSIX_SPAWN_OPEN, 5, sys.argv[1], os.O_RDONLY, 0)])
os.waitpid(pid, 0)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or bench_build._SYS_KCMP < 0,
                    reason="kcmp(2) and /proc: Linux on x86_64 or aarch64")
def test_a_child_still_in_its_parents_memory_is_counted_once(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-c", PARENT, str(fifo)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        deadline = time.monotonic() + 30
        while not bench_build._children(proc.pid):
            assert time.monotonic() < deadline, "the child was never made"
            time.sleep(0.01)
        child = bench_build._children(proc.pid)[0]
        assert bench_build._same_memory(proc.pid, child)  # (the situation the sampler must see through)
        rss, pss = bench_build._tree_memory(proc.pid)
        assert 200 << 20 <= rss < 300 << 20, rss >> 20  # counted twice: over 400 MB
        assert pss < 300 << 20, pss >> 20
    finally:
        deadline = time.monotonic() + 30
        while True:  # the child goes on once it waits on the pipe: runs /bin/true and ends
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                break
            except OSError:  # (made but not at its open() yet, on a busy machine; or never made)
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    break
                time.sleep(0.01)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == 0
