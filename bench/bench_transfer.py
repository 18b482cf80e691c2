#!/usr/bin/env python3
"""Bytes a browser transfers for the dashboard and for an activity page (issue 3 targets).

Builds the example site, opens each page in headless Chromium (Debian's /usr/bin/chromium),
records every resource the page loads, and prints the sum of their sizes raw and gzip
-compressed (level 6, as static hosts typically serve them). Targets: dashboard with
plotly.js < 600 KB compressed; an activity page without charts < 60 KB compressed.

Usage: python3 bench/bench_transfer.py [SITE_DIR]
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser_support import launch_chromium, serve_directory  # noqa: E402


def measure(out: Path, base: str, path: str, browser) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    urls: list[str] = []
    page.on("requestfinished", lambda r: urls.append(r.url))
    page.goto(base + path, wait_until="networkidle")
    page.close()
    raw = packed = 0
    for url in dict.fromkeys(urls):
        rel = urllib.parse.urlsplit(url).path[len("/progress/"):]
        file = out / rel
        if file.is_dir() or rel.endswith("/") or rel == "":
            file = file / "index.html"
        data = file.read_bytes()
        raw += len(data)
        packed += len(gzip.compress(data, 6, mtime=0))
    return raw, packed, len(set(urls))


def main() -> int:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out)],
                       check=True, capture_output=True)
        activity = sorted(p.name for p in (out / "activities").iterdir() if p.is_dir() and p.name != "page")[0]
        pages = {"dashboard": "", "area": "areas/" + sorted(p.name for p in (out / "areas").iterdir())[0] + "/",
                 "timeline": "timeline/", "activity": f"activities/{activity}/"}
        with serve_directory(out, "/progress/") as base, sync_playwright() as pw:
            browser = launch_chromium(pw)
            print(f"{'page':<10} {'requests':>8} {'raw KB':>9} {'gzip KB':>9}  target")
            for name, path in pages.items():
                raw, packed, n = measure(out, base, path, browser)
                target = {"dashboard": "< 600 KB", "activity": "< 60 KB"}.get(name, "")
                print(f"{name:<10} {n:>8} {raw / 1024:>9.1f} {packed / 1024:>9.1f}  {target}")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
