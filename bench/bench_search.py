#!/usr/bin/env python3
"""Search at scale: Pagefind's index of a generated corpus, and what a query costs a browser.

Builds the corpus of N activities (bench/corpus.py; kept in bench/corpora/N-corpus/, as
bench_build.py keeps it), times the indexing alone (sitegen.search.index over the built
pages), serves the output under /progress/ on 127.0.0.1 and, in headless Chromium (Debian's
/usr/bin/chromium), opens the search page and runs each query in a fresh browser context
(nothing cached). For each it prints the bytes transferred as a static host serves them:
text files (HTML, JavaScript, CSS, JSON) gzip-compressed (level 6), Pagefind's index files
as they are (already compressed); the page's own load (the page, its script, pagefind.js,
the language's meta file, WebAssembly and filters) and the query's (index chunks and the
first 10 results' fragments) apart. The issue's target of 150 KB is checked against what a
query fetches (the index chunks of its words and its results' excerpts): the page's own
load, Pagefind's WebAssembly and the language's page list, is fetched once per visit
(about 149 KB at 10,000 activities) and printed beside it, with the sum.

Usage: python3 bench/bench_search.py [--size 10000] [--languages en,fr,ru,ar]
                                     [--queries workshop ransomware "border officers"]
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import corpus as bench_corpus  # noqa: E402

from sitegen import search  # noqa: E402
from tests.browser_support import launch_chromium, serve_site  # noqa: E402

CORPORA = HERE / "corpora"
BASE = "/progress/"
TARGET_KB = 150
TEXT = (".html", ".js", ".css", ".json", ".xml", ".csv", ".txt")  # what hosts compress


def site_of(n: int, languages: list[str]) -> Path:
    """The corpus of `n` activities (generated on first use), in `languages` when more than one."""
    site = CORPORA / f"{n}-corpus"
    if not (site / "site.yaml").exists():
        shutil.rmtree(site / "content", ignore_errors=True)  # an interrupted generation
        bench_corpus.write_corpus(n, site)
    if len(languages) < 2:
        return site
    return bench_corpus.multilingual(site, CORPORA / f"{site.name}-{'-'.join(languages)}", languages)


def served_size(out: Path, url: str) -> tuple[int, int]:
    """(raw, as served) bytes of the file behind `url`."""
    rel = urllib.parse.unquote(urllib.parse.urlsplit(url).path)[len(BASE):]
    file = out / rel
    if rel == "" or rel.endswith("/") or file.is_dir():
        file = file / "index.html"
    data = file.read_bytes()
    served = len(gzip.compress(data, 6, mtime=0)) if file.suffix in TEXT else len(data)
    return len(data), served


def time_indexing(out: Path) -> tuple[float, float]:
    """Seconds and peak memory (MB) of indexing the pages of `out` (sitegen.search.index, in a
    process of its own: its peak is the indexer's or its own)."""
    code = f"from pathlib import Path; from sitegen import search; search.index(Path({str(out)!r}))"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"indexing failed ({proc.returncode})")
    return seconds, usage.ru_maxrss / 1024


def run_query(browser: Any, out: Path, base: str, lang: str, query: str) -> dict[str, Any]:
    """Open the search page in a fresh context, then search `query`: bytes of each phase."""
    context = browser.new_context()
    page = context.new_page()
    urls: list[str] = []
    page.on("requestfinished", lambda r: urls.append(r.url))
    page.goto(base + (f"{lang}/" if lang else "") + "search/", wait_until="networkidle")
    page.wait_for_selector("#search-filters:not([hidden])")  # Pagefind loaded, its filters shown
    opened = len(urls)
    started = time.perf_counter()
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_function("() => /\\d/.test(document.getElementById('search-status').textContent)")
    found = int(re.sub(r"\D", "", page.locator("#search-status").inner_text().split(" ")[0]) or 0)
    # the first results shown (their data fetched), and no request left unfinished
    page.wait_for_function(f"() => document.querySelectorAll('#search-results li').length === {min(found, 10)}")
    seconds = time.perf_counter() - started
    page.wait_for_timeout(300)
    status = page.locator("#search-status").inner_text()
    shown = page.locator("#search-results li").count()
    context.close()
    sizes = [served_size(out, u) for u in urls]
    return {"status": status, "shown": shown, "seconds": seconds, "files": list(zip(urls, sizes)), "opened": opened,
            "page": sum(s for _, s in sizes[:opened]), "query": sum(s for _, s in sizes[opened:]),
            "page_n": opened, "query_n": len(urls) - opened,
            "query_raw": sum(r for r, _ in sizes[opened:])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=10000, help="activities in the corpus (default 10000)")
    ap.add_argument("--languages", default="en", help="the site's languages, e.g. en,fr,ru,ar (default en)")
    ap.add_argument("--detail", action="store_true", help="also list each file a query fetched, with its size")
    ap.add_argument("--queries", nargs="+", default=["workshop", "ransomware", "border officers"],
                    help="queries to run: a common word, a rare one, two words (the default)")
    args = ap.parse_args()
    languages = [c.strip() for c in args.languages.split(",") if c.strip()]
    from playwright.sync_api import sync_playwright

    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    site = site_of(args.size, languages)
    out = CORPORA / f"out-search-{site.name}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    built = time.perf_counter() - started
    pages = sum(1 for _ in out.rglob("*.html"))
    indexing, peak = time_indexing(out)
    made = search.index(out)
    size = sum(len(d) for d in made.files.values())
    print(f"{args.size} activities in {', '.join(languages)}: {pages} pages built in {built:.1f} s (cold, "
          f"indexing included); indexing alone {indexing:.1f} s, peak RSS {peak:.0f} MB: "
          f"{len(made.files)} files, {size / 2**20:.1f} MB")
    print(f"\n{'query':<20} {'lang':<4} {'results':>8} {'page KB':>8} {'query KB':>9} {'total KB':>9} "
          f"{'requests':>9} {'time':>7}  query <= {TARGET_KB} KB")
    worst = 0.0
    with serve_site(out, BASE) as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        for lang in languages:
            for query in args.queries:
                r = run_query(browser, out, server.base_url, "" if lang == languages[0] else lang, query)
                total = (r["page"] + r["query"]) / 1024
                worst = max(worst, r["query"] / 1024)
                found = r["status"].split(" ")[0]
                print(f"{query:<20} {lang:<4} {found:>8} {r['page'] / 1024:>8.1f} {r['query'] / 1024:>9.1f} "
                      f"{total:>9.1f} {r['page_n']:>4}+{r['query_n']:<4} {r['seconds'] * 1000:>5.0f} ms"
                      f"  {'ok' if r['query'] / 1024 <= TARGET_KB else 'OVER'}")
                if args.detail:
                    for i, (url, (raw, served)) in enumerate(r["files"]):
                        phase = "page " if i < r["opened"] else "query"
                        print(f"    {phase} {served / 1024:8.1f} KB ({raw / 1024:8.1f} raw)  {url[len(server.base_url):]}")
        browser.close()
    print(f"\nlargest transfer of a query, once the search page is open: {worst:.1f} KB (target {TARGET_KB} KB)")
    shutil.rmtree(out, ignore_errors=True)
    return 0 if worst <= TARGET_KB else 1


if __name__ == "__main__":
    sys.exit(main())
