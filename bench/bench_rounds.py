"""What reading reporting rounds from git history costs a large site (history.py).

    python3 bench/bench_rounds.py [--records 10000] [--commits 300] [--dir DIR]

Makes the repository of bench/bench_git.py (the corpus, one commit of every record, then
`--commits` daily commits from 2020-01-02 of 25 edited records each), then sets the report
date to 2020-10-31 and adds twelve monthly rounds of 2020 (uncommitted: only the records'
history matters), so that the rounds read eleven commits of that history. Prints the
median of 5 runs of:

- `load_site` without rounds and with them (what a build adds);
- `history.Reader.attach` alone with a new Reader (a build) and with the same one again
  (the preview, HEAD unchanged);
- `sitegen diff` of the first commit against HEAD (`changes.compare`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_git import git, make_repo  # noqa: E402  (bench/bench_git.py)

from sitegen.changes import compare  # noqa: E402
from sitegen.errors import Problems  # noqa: E402
from sitegen.gitinfo import read_history  # noqa: E402
from sitegen.history import Reader  # noqa: E402
from sitegen.loader import load_site  # noqa: E402


def median(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def monthly_rounds(site: Path) -> None:
    folder = site / "content/reports"
    for path in folder.glob("*.yaml"):
        path.unlink()
    for month in range(1, 13):
        start = dt.date(2020, month, 1)
        end = (dt.date(2020, month + 1, 1) if month < 12 else dt.date(2021, 1, 1)) - dt.timedelta(days=1)
        (folder / f"2020-{month:02d}.yaml").write_text(
            f"title: Month {month} of 2020\nstart: {start}\nend: {end}\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--commits", type=int, default=300)
    ap.add_argument("--dir", help="reuse or create the repository here (default: a temp folder)")
    args = ap.parse_args()
    gc.set_threshold(100_000, 50, 50)  # (as the sitegen command sets it)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(args.dir) if args.dir else Path(tmp) / "site"
        if not (site / ".git").is_dir():
            started = time.perf_counter()
            make_repo(site, args.records, args.commits, None)
            print(f"made {args.records} records and {args.commits + 1} commits "
                  f"in {time.perf_counter() - started:.1f} s")
        yaml = (site / "site.yaml").read_text(encoding="utf-8")
        (site / "site.yaml").write_text("\n".join(line for line in yaml.splitlines() if not line.startswith("as_of:"))
                                        + "\nas_of: 2020-10-31\n", encoding="utf-8")
        reports = site / "content/reports"
        kept = {p.name: p.read_text(encoding="utf-8") for p in reports.glob("*.yaml")}
        for path in reports.glob("*.yaml"):
            path.unlink()
        info = read_history(site)
        plain = median(lambda: load_site(site, Problems(), git=info))
        monthly_rounds(site)
        site_obj = load_site(site, Problems(), git=info)
        assert site_obj is not None
        rounds = median(lambda: load_site(site, Problems(), git=info))
        bare = load_site(site, Problems(), git=type(info)())  # (no git: the site without history)
        assert bare is not None
        base = bare
        cold = median(lambda: Reader(site).attach(base, info, Problems()))
        reader = Reader(site)
        reader.attach(base, info, Problems())
        warm = median(lambda: reader.attach(base, info, Problems()))
        snaps = site_obj.history
        read = sorted({s.commit for s in snaps if s.source == "commit"})
        first = git_first(site)
        diff = median(lambda: compare(site, first, "HEAD"), runs=3)
        print(f"{len(site_obj.reports)} rounds, {len(snaps)} dates: {len(read)} commits read, "
              f"{sum(1 for s in snaps if s.source == 'now')} now, {sum(1 for s in snaps if s.source == 'dates')} dates")
        print(f"load_site without rounds: median {plain:.3f} s; with the rounds: {rounds:.3f} s")
        print(f"Reader.attach: new reader (a build) median {cold:.3f} s; same reader again (the preview) {warm:.4f} s")
        print(f"sitegen diff first commit..HEAD: median {diff:.3f} s")
        for path in reports.glob("*.yaml"):
            path.unlink()
        for name, text in kept.items():
            (reports / name).write_text(text, encoding="utf-8")
        (site / "site.yaml").write_text(yaml, encoding="utf-8")


def git_first(site: Path) -> str:
    """The first commit (the one of every record)."""
    import subprocess
    out = subprocess.run(["git", "-C", str(site), "rev-list", "--max-parents=0", "HEAD"], capture_output=True,
                         text=True, check=True).stdout
    return out.split()[0]


__all__ = ["git", "main"]

if __name__ == "__main__":
    main()
