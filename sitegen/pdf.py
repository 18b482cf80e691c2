"""`sitegen pdf`: each reporting round as a PDF, printed from its page by an installed
Chromium, Chrome or Edge.

Why a browser: the round page is the report (cover, headline figures, area-by-area progress
with charts, what changed, annex), and its charts are Plotly charts drawn by JavaScript; the
browser that draws them on screen prints them as the reader sees them, with text that stays
text. Nothing is downloaded: the browser must be installed (`find_browser`).

How: the site is built into a temporary folder; each round's page gets the paper size
(`@page`), and the browser (headless, no network, a throw-away profile) prints it from disk
with `--print-to-pdf`, without the browser's own header and footer (the page's print
stylesheet numbers the pages). The browser stamps the PDF with the clock's time, and its tags
(the structure that screen readers follow) with ids that can differ by one between runs:
the dates are rewritten to the round's report date and the ids renumbered in order, each
with as many bytes as before, so that the cross-reference offsets stay valid and two runs
give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

from .errors import UsageError
from .fields import slugify

# paper: (CSS size, width in mm)
PAPERS = {"a4": ("A4", 210.0), "letter": ("letter", 215.9)}
MARGIN_MM = (14.0, 12.0)  # top and bottom, left and right (as the theme's print stylesheet)
# Looked up on PATH, in this order, after --browser and $SITEGEN_BROWSER.
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge")
KNOWN_PATHS = (
    "/usr/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
)
INSTALL_HINT = ("install Chromium, Google Chrome or Microsoft Edge (Debian/Ubuntu: apt install chromium; "
                "macOS: brew install --cask chromium), or name it with --browser PATH or SITEGEN_BROWSER")
TIMEOUT = 180  # seconds for one round's page


class PrintFault(Exception):
    """The browser ran but did not print (a crash, a timeout): what it said."""


@dataclass(frozen=True)
class Written:
    """One PDF written: where, which round, how many pages, the address its cover gives."""

    path: Path
    round_id: str
    pages: int
    online: str = ""


def find_browser(option: str | None = None, environ: dict[str, str] | None = None) -> str:
    """The browser to print with: --browser, then $SITEGEN_BROWSER, then the usual names on
    PATH and the usual install places. A UsageError with an install hint when there is none."""
    env = os.environ if environ is None else environ
    for given, source in ((option, "--browser"), (env.get("SITEGEN_BROWSER"), "SITEGEN_BROWSER")):
        if given:
            found = shutil.which(given, path=env.get("PATH", os.defpath)) if os.sep not in given else None
            if found:
                return found
            if os.path.isfile(given) and os.access(given, os.X_OK):
                return given
            raise UsageError(f"no browser at {given} (from {source}); {INSTALL_HINT}")
    for name in NAMES:
        found = shutil.which(name, path=env.get("PATH", os.defpath))
        if found:
            return found
    for path in KNOWN_PATHS:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise UsageError(f"no Chromium, Chrome or Edge found to print the PDF; {INSTALL_HINT}")


def write_pdfs(site_dir: Path, out_dir: Path, paper: str = "a4", round_id: str | None = None,
               browser: str | None = None) -> list[Written]:
    """Build the site and print each reporting round (or the one `round_id`) to
    `out_dir/<plan-slug>-<round-id>.pdf`. Raises UsageError (no browser, an unknown round,
    no rounds), ContentError (the build's), PrintFault and OSError."""
    from .build import build

    if paper not in PAPERS:
        raise UsageError(f"unknown paper {paper!r}; use one of: {', '.join(PAPERS)}")
    exe = find_browser(browser)
    with tempfile.TemporaryDirectory(prefix="sitegen-pdf-") as tmp:
        built = Path(tmp) / "site"
        build(site_dir, built, use_cache=False)
        plan = json.loads((built / "data" / "plan.json").read_text(encoding="utf-8"))
        rounds = {p.stem: json.loads(p.read_text(encoding="utf-8"))
                  for p in sorted((built / "data" / "reports").glob("*.json"))}
        chosen = _chosen(rounds, round_id)
        home = site_address(built)

        def one(rid: str) -> bytes:
            page = built / "reports" / rid / "index.html"
            _prepare(page, paper, f"{home}reports/{rid}/")
            raw = print_page(exe, page, Path(tmp) / f"{rid}.pdf", paper, Path(tmp) / f"profile-{rid}")
            return stable_nodes(fixed_dates(raw, dt.date.fromisoformat(rounds[rid]["as_of"])))

        # (a browser each, side by side: most of the time is the browser's start and layout)
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            printed = list(pool.map(one, chosen))
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for rid, data in zip(chosen, printed):
            target = out_dir / f"{slugify(plan['title']) or 'plan'}-{rid}.pdf"
            part = target.with_name(target.name + ".part")
            part.write_bytes(data)
            os.replace(part, target)
            written.append(Written(target, rid, page_count(data), f"{home}reports/{rid}/"))
    return written


def _chosen(rounds: dict[str, object], round_id: str | None) -> list[str]:
    """The rounds to print: all, or the one asked for (an unknown one is a usage error)."""
    if not rounds:
        raise UsageError("the site has no reporting rounds (content/reports/*.yaml): nothing to print")
    if round_id is None:
        return list(rounds)
    if round_id not in rounds:
        near = get_close_matches(round_id, list(rounds), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else f"; the rounds are: {', '.join(rounds)}"
        raise UsageError(f"no reporting round {round_id!r}{hint}")
    return [round_id]


_LINK = re.compile(r'(<a\s[^>]*?\bhref=")([^"#][^"]*)"')


def _prepare(page: Path, paper: str, online: str) -> None:
    """Give the round's page (a copy, in the temporary build) its paper size, the screen
    layout of the printed page (so that the charts are drawn at the width they print at),
    and links to the published site at `online` (the page's address there) rather than to
    the temporary folder."""
    size, _ = PAPERS[paper]
    top, side = MARGIN_MM
    style = (f"<style>@page {{ size: {size}; margin: {top}mm {side}mm; }} "
             "@media screen { .wrap { padding-left: 0; padding-right: 0; } "
             ".report .chart { padding: 0; border: 0; } }</style>")
    text = page.read_text(encoding="utf-8")
    text = _LINK.sub(lambda m: f'{m.group(1)}{urllib.parse.urljoin(online, m.group(2))}"', text)
    page.write_text(text.replace("</head>", style + "</head>", 1), encoding="utf-8")


def site_address(built: Path) -> str:
    """The published site's address (its home page's), from the built sitemap."""
    text = (built / "sitemap.xml").read_text(encoding="utf-8")
    locs = [html.unescape(x) for x in re.findall(r"<loc>([^<]+)</loc>", text)]
    return min(locs, key=len) if locs else ""


def print_page(exe: str, page: Path, target: Path, paper: str, profile: Path) -> bytes:
    """The page printed to PDF by the browser `exe` (headless, offline, its own profile)."""
    _, width_mm = PAPERS[paper]
    width = round((width_mm - 2 * MARGIN_MM[1]) * 96 / 25.4)  # CSS pixels of the printed width
    args = [exe, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--hide-scrollbars", "--mute-audio", "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}", f"--window-size={width},1200", "--virtual-time-budget=15000",
            "--no-pdf-header-footer", "--print-to-pdf-no-header", f"--print-to-pdf={target}",
            page.resolve().as_uri()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # (Chromium refuses to start as root with its sandbox)
    env = {**os.environ, "TZ": "UTC"}
    try:
        run = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PrintFault(f"{exe} did not print {page.parent.name} within {TIMEOUT} s") from exc
    except OSError as exc:
        raise PrintFault(f"{exe} could not be started: {exc.strerror or exc}") from exc
    if run.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        said = " ".join(run.stderr.strip().splitlines()[-3:])
        raise PrintFault(f"{exe} failed to print {page.parent.name} (exit {run.returncode}): {said}")
    return target.read_bytes()


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) ?\((D:[^)]*)\)")


def fixed_dates(pdf: bytes, day: dt.date) -> bytes:
    """The PDF with its creation and modification dates set to `day` (midnight), each the
    same number of bytes as before (the cross-reference table gives byte offsets)."""
    stamp = f"D:{day:%Y%m%d}000000".encode()

    def same_length(match: re.Match[bytes]) -> bytes:
        old = match.group(2)
        new = stamp + old[len(stamp):] if len(old) >= len(stamp) else stamp[: len(old)]
        return match.group(0).replace(old, new)

    return _PDF_DATE.sub(same_length, pdf)


_NODE = re.compile(rb"\(node(\d+)\)")


def stable_nodes(pdf: bytes) -> bytes:
    """The PDF with the ids of its structure elements (a tagged PDF's `(node00000115)`, taken
    from the browser's count of the page's nodes, which can differ by one between runs)
    numbered 1, 2, 3... in their order, each with as many digits as before."""
    found = sorted({int(n) for n in _NODE.findall(pdf)})
    rank = {n: i + 1 for i, n in enumerate(found)}

    def renumbered(match: re.Match[bytes]) -> bytes:
        width = len(match.group(1))
        new = str(rank[int(match.group(1))]).zfill(width).encode()
        return b"(node" + new + b")" if len(new) == width else match.group(0)

    return _NODE.sub(renumbered, pdf)


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
