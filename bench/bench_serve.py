#!/usr/bin/env python3
"""Time from a file write to the live-reload event of `sitegen serve`, for one activity edit.

Usage: python3 bench/bench_serve.py [N ...] [--gencorpus PATH] [--languages en,fr,ru,ar] [--page /fr/]
(default: 1000 10000, one language)

For each N: makes a corpus with bench/corpus.py (or with another generator run as
`PATH N DIR`), kept in /tmp/sitegen-bench-serve/corpus-N between runs (delete it after
changing the generator), starts `python3 -m sitegen serve DIR --port 0`,
listens to /__sitegen/events as a tab on the dashboard would from the start (the time until
its page is shown, and until the first build is done, are printed), then 5 times appends a sentence to one activity's body and
measures the time from the write to the `reload` event (median and all values), 5 times
edits the body's first sentence (which is in the search index too), and 5 times changes its
status (a metadata edit, which re-renders the pages that list or count it). The server's own
rebuild times (from its terminal lines) are shown beside: the rest is the watcher's delay
and the event's way to the browser.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
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
WORK = Path("/tmp/sitegen-bench-serve")
sys.path.insert(0, str(HERE))

import corpus as bench_corpus  # noqa: E402  (bench/corpus.py)


def corpus(n: int, gencorpus: Path | None, languages: str = "") -> Path:
    """A fresh copy of the corpus of `n` activities (generated once, kept in WORK)."""
    base = WORK / f"corpus-{n}"
    if not (base / "site.yaml").exists():
        shutil.rmtree(base, ignore_errors=True)
        if gencorpus is not None:
            subprocess.run([sys.executable, str(gencorpus), str(n), str(base)], check=True,
                           stdout=subprocess.DEVNULL)
        else:
            bench_corpus.write_corpus(n, base)
    site = WORK / f"site-{n}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(base, site)
    if languages:  # a multilingual site: the edits are timed for the first language's pages
        text = re.sub(r"(?m)^language: .*\n", "", (site / "site.yaml").read_text(encoding="utf-8"))
        (site / "site.yaml").write_text(text + f"languages: [{languages}]\n", encoding="utf-8")
    return site


def events(port: int, out: queue.Queue[tuple[float, str, str]], page: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    # (as the live-reload script of a tab on `page`: the server knows what it shows)
    conn.request("GET", "/__sitegen/events", headers={"Host": f"127.0.0.1:{port}",
                                                      "Referer": f"http://127.0.0.1:{port}{page}"})
    resp = conn.getresponse()
    event = ""
    while True:
        line = resp.readline()
        if not line:
            return
        text = line.decode().rstrip("\n")
        if text.startswith("event:"):
            event = text[6:].strip()
        elif text.startswith("data:"):
            out.put((time.perf_counter(), event, text[5:].strip()))


def wait_event(q: queue.Queue[tuple[float, str, str]], name: str, page: str = "/", timeout: float = 600) -> float:
    deadline = time.perf_counter() + timeout
    while True:
        at, event, data = q.get(timeout=max(0.1, deadline - time.perf_counter()))
        # (a reload for the tab on `page`: "generation ready folders skip", ready naming pages,
        # or language folders, "-" the first language's; skip, pages reloaded before)
        fields = data.split(" ") + ["*", "", ""]
        ready, skip = fields[1].split(","), fields[3].split(",")
        lang = page.split("/")[1] if page.count("/") > 1 and len(page.split("/")[1]) <= 3 else "-"
        if event == name and (name != "reload" or (page not in skip and ("*" in ready or lang in ready
                                                                          or page in ready))):
            return at


def bench(n: int, gencorpus: Path | None, languages: str = "", page: str = "/") -> None:
    site = corpus(n, gencorpus, languages)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", str(site), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        port = int(first.strip().rsplit(":", 1)[1].strip("/"))
        up = time.perf_counter()
        # a tab on `page` from the start: its page is written first, and the tab reloaded
        q: queue.Queue[tuple[float, str, str]] = queue.Queue()
        threading.Thread(target=events, args=(port, q, page), daemon=True).start()
        wait_event(q, "hello")
        shown = wait_event(q, "reload", page)
        built = proc.stdout.readline()
        print(f"N={n}: serving after {up - started:.1f} s; the open tab's page {page} after "
              f"{shown - started:.1f} s; the first build done after {time.perf_counter() - started:.1f} s "
              f"({built.strip()})")
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()  # type: ignore[union-attr]

        def rebuilt(wait: float = 0.5) -> str:
            """The rebuild time(s) the server printed since the last call, waiting up to
            `wait` seconds for the first (the rest of a status edit's rebuild goes on after
            the tab's reload)."""
            found: list[str] = []
            deadline = time.monotonic() + wait
            while True:
                try:
                    line = lines.get(timeout=max(0.05, deadline - time.monotonic()) if not found else 0.5)
                except queue.Empty:
                    return "+".join(found) or "?"
                found += re.findall(r" in (\d+) ms$", line.rstrip())
        time.sleep(1.0)
        while not q.empty():  # (the first build's reloads)
            q.get()
        target = sorted((site / "content/activities").rglob("*.md"))[n // 2]
        text = target.read_text(encoding="utf-8")
        first_line = text.split("\n---\n", 1)[1].lstrip("\n").split("\n", 1)[0]
        status = re.search(r'(?m)^status: "?([\w-]+)"?$', text)
        assert status is not None
        original = status.group(0)
        other = f"status: {'cancelled' if status.group(1) != 'cancelled' else 'completed'}"

        def edited(what: str, i: int, text: str) -> str:
            """The record's text after edit `i` of the kind `what`."""
            if what == "body edit (end)":
                return text + f"\nBenchmark sentence {i}.\n"
            if what == "body edit (start)":  # (in the search index's excerpt too)
                return text.replace(first_line, f"Edit {i}. {first_line}", 1)
            # a status edit: the status changed back and forth
            return text.replace(original, other, 1) if i % 2 == 0 else text.replace(other, original, 1)

        for what in ("body edit (end)", "body edit (start)", "status edit"):
            times, own = [], []
            for i in range(5):
                time.sleep(1.0)
                rebuilt()
                text = edited(what, i, text)
                if what == "body edit (start)":
                    first_line = f"Edit {i}. {first_line}"
                t0 = time.perf_counter()
                target.write_text(text, encoding="utf-8")
                times.append((wait_event(q, "reload", page) - t0) * 1000)
                own.append(rebuilt(30))
            print(f"N={n}: {what} -> reload event of {page}: median {statistics.median(times):.0f} ms "
                  f"(all: {', '.join(f'{t:.0f}' for t in times)} ms; rebuilds: {', '.join(own)} ms)")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=180)  # removing a 10,000-page preview folder takes a while
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", type=int, nargs="*", default=[1000, 10000], help="activities (default: 1000 10000)")
    ap.add_argument("--gencorpus", type=Path, default=None,
                    help="another corpus generator, run as `PATH N DIR` (default: bench/corpus.py)")
    ap.add_argument("--languages", default="", help="a multilingual site, e.g. en,fr,ru,ar (the first is edited)")
    ap.add_argument("--page", default="/", help="the page the tab shows (default: the dashboard, /; e.g. /fr/)")
    args = ap.parse_args()
    for size in args.sizes:
        bench(size, args.gencorpus, args.languages.replace(",", ", "), args.page)
