"""How long reading git history takes for a large site (target: under 1 s for 10,000 records).

    python3 bench/bench_git.py [--records 10000] [--commits 300] [--dir DIR] [--gencorpus PATH]

Generates the records with bench/corpus.py (or another generator run as `PATH N DIR`),
makes them a git repository with one initial commit and then `--commits` commits that each edit 25
records (every tenth commit also moves 10 records into another folder, so rename detection
is exercised), and prints the median of 5 runs of `gitinfo.read_history` (what a build
adds for git).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import corpus as bench_corpus  # noqa: E402  (bench/corpus.py)

from sitegen.gitinfo import read_history  # noqa: E402


def git(cwd: Path, *args: str, day: int = 0) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    stamp = f"{1577880000 + day * 86400} +0000"  # 2020-01-01 12:00 UTC plus `day` days
    env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = stamp
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def make_repo(site: Path, records: int, commits: int, gencorpus: Path | None) -> None:
    if gencorpus is not None:
        subprocess.run([sys.executable, str(gencorpus), str(records), str(site)], check=True, capture_output=True)
    else:
        bench_corpus.write_corpus(records, site)
    git(site, "init", "-q", "-b", "main")
    git(site, "config", "user.name", "Bench")
    git(site, "config", "user.email", "bench@example.org")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "all records")
    files = sorted(p for p in (site / "content/activities").rglob("*.md"))
    moved = site / "content/activities/moved"
    moved.mkdir()
    for n in range(commits):
        batch = [files[(n * 25 + k * 397) % len(files)] for k in range(25)]
        for path in batch:
            if path.exists():
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(f"\nEdit {n}.\n")
        if n % 10 == 9:
            for k in range(10):
                src = files[(n * 31 + k * 977) % len(files)]
                if src.exists():
                    dst = moved / src.name
                    if not dst.exists():
                        src.rename(dst)
        git(site, "add", "-A", "content")
        git(site, "commit", "-q", "-m", f"edit {n}", day=n + 1)
    git(site, "gc", "-q")  # as after a clone: packed objects


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--commits", type=int, default=300)
    ap.add_argument("--dir", help="reuse or create the repository here (default: a temp folder)")
    ap.add_argument("--gencorpus", type=Path, default=None,
                    help="another corpus generator, run as `PATH N DIR` (default: bench/corpus.py)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(args.dir) if args.dir else Path(tmp) / "site"
        if not (site / ".git").is_dir():
            started = time.perf_counter()
            make_repo(site, args.records, args.commits, args.gencorpus)
            print(f"made {args.records} records and {args.commits + 1} commits "
                  f"in {time.perf_counter() - started:.1f} s")
        times, cpu = [], []
        for _ in range(5):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            mine = time.process_time()
            started = time.perf_counter()
            info = read_history(site)
            times.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(time.process_time() - mine + after.ru_utime - before.ru_utime
                       + after.ru_stime - before.ru_stime)
        dated = sum(1 for p in info.last_changed if p.startswith("content/activities/"))
        print(f"read_history: median {statistics.median(times):.3f} s over 5 runs "
              f"(min {min(times):.3f}, max {max(times):.3f}); {dated} activity files dated, "
              f"latest content commit {info.latest_content}")
        print(f"CPU time (git + parsing): median {statistics.median(cpu):.3f} s; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
