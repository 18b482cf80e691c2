#!/usr/bin/env python3
"""What the country maps (#18) add to a page: bytes, compressed as a static host serves
them, and the time to draw them.

Builds the example site and a corpus of 10,000 activities (bench/corpus.py; kept in
bench/corpora/10000-corpus/ as bench_build.py keeps it), and for the countries page, an
area page and a reporting round of each prints the page's size with and without its maps
(the `<div class="maps">`: the activities map, the participants map and their switch),
raw and gzip-compressed (level 6, as static hosts serve them), the raw size of each SVG,
and the time `maps.country_maps` takes for that page's activities (both maps; the budget:
150 KB compressed per page, for both).

Usage: python3 bench/bench_map.py [--size 10000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

import corpus as bench_corpus  # noqa: E402

from sitegen import maps, reports  # noqa: E402
from sitegen import model as m  # noqa: E402
from sitegen.build import check  # noqa: E402
from sitegen.countries import COUNTRIES  # noqa: E402
from sitegen.i18n import Words  # noqa: E402

FIGURE = re.compile(r'<div class="maps".*?</figure>\n</div>\n?', re.S)
BUDGET = 150_000


def build(site: Path, out: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out)],
                         capture_output=True, text=True, check=False)
    if run.returncode:
        raise SystemExit(run.stderr)


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 6, mtime=0))


def pages(out: Path) -> list[str]:
    """The countries page, the first area page and the last round's page."""
    area = sorted(p.parent.name for p in (out / "areas").glob("*/index.html"))[0]
    rounds = sorted(p.parent.name for p in (out / "reports").glob("*/index.html"))
    return ["countries/", f"areas/{area}/"] + ([f"reports/{rounds[-1]}/"] if rounds else [])


def draw_time(site: m.Site, path: str) -> float:
    """Seconds `maps.country_maps` takes for the activities the page maps, best of three,
    its layout cache cleared each time (a build draws each distinct set of countries once
    per process)."""
    kind, _, key = path.strip("/").partition("/")
    acts: tuple[m.Activity, ...] = site.activities
    if kind == "areas":
        acts = tuple(a for a in acts if key in a.areas)
    elif kind == "reports":
        r = reports.compute(site, next(x for x in site.reports if x.id == key))
        acts = r.completed + r.under_way
    best = float("inf")
    for _ in range(3):
        maps._layout.cache_clear()
        start = time.perf_counter()
        maps.country_maps(acts, Words(), "../", ("Activities", "Participants"), COUNTRIES)
        best = min(best, time.perf_counter() - start)
    return best


def report(name: str, site_dir: Path, out: Path) -> None:
    site, problems = check(site_dir)
    assert site is not None, problems
    print(f"\n{name}")
    print(f"  {'page':<28} {'page gz':>9} {'without maps':>12} {'maps add':>9} {'svgs raw':>15} {'countries':>9} "
          f"{'draw':>8}")
    for path in pages(out):
        data = (out / path / "index.html").read_bytes()
        text = data.decode("utf-8")
        figure = FIGURE.search(text)
        without = FIGURE.sub("", text, count=1).encode("utf-8")
        added = gz(data) - gz(without)
        svgs = re.findall(r"<svg class=\"map-svg\".*?</svg>", text, re.S)
        drawn = len(re.findall(r'data-country="[A-Z]{2}"', svgs[0])) if svgs else 0
        raw = " + ".join(f"{len(svg):,}" for svg in svgs)
        took = f"{draw_time(site, path) * 1000:.0f} ms"
        flag = "" if added <= BUDGET else "  OVER BUDGET"
        print(f"  {path:<28} {gz(data):>9,} {gz(without):>12,} {added:>9,} {raw:>15} "
              f"{drawn:>9} {took:>8}{flag}" if figure else f"  {path:<28} (no map)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=None, help="folder for the outputs (default: a temporary one)")
    args = parser.parse_args()
    print(f"cores: {len(os.sched_getaffinity(0))}; load average: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        build(REPO, work / "example")
        report("example site (content/)", REPO, work / "example")
        site = HERE / "corpora" / f"{args.size}-corpus"
        if not (site / "content").is_dir():
            site.mkdir(parents=True, exist_ok=True)
            bench_corpus.write_corpus(args.size, site)
        build(site, work / "corpus")
        report(f"corpus of {args.size:,} activities (bench/corpus.py)", site, work / "corpus")
    print(f"\nbudget: the maps add at most {BUDGET:,} bytes compressed to a page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
