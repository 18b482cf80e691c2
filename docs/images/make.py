#!/usr/bin/env python3
"""Make the README's screenshots: the example site's dashboard and an area page, at 1280 px,
the first screen of each (PNG in docs/images/).

Usage: python3 docs/images/make.py     (needs Chromium at /usr/bin/chromium and playwright,
as the browser tests do: `pip install -e '.[test]'`, `apt-get install chromium`)

The example is built into a temporary folder and served from 127.0.0.1, as a reader would
see it; nothing leaves the machine.
"""

from __future__ import annotations

import functools
import http.server
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from sitegen.build import build  # noqa: E402

SHOTS = {"dashboard.png": "", "area.png": "areas/border-security/"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        build(REPO, out, use_cache=False)
        handler = functools.partial(_Quiet, directory=str(out))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                for name, path in SHOTS.items():
                    page.goto(base + path, wait_until="networkidle")
                    page.wait_for_timeout(500)  # (the charts' first drawing)
                    page.screenshot(path=str(HERE / name))
                    print(f"wrote {HERE / name}")
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
