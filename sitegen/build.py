"""The build: load -> validate -> model -> progress -> render -> write, in that order.

This is the only module that runs the stages; each stage is a function of the previous
one's result.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import __version__
from . import model as m
from .errors import ContentError, Problem, Problems
from .loader import load_site
from .render import THEME, Job, Renderer, TemplateError
from .write import check_output_dir, swap_into_place, write_tree

ASSETS = ("plotly-basic.min.js", "site.css", "site.js", "search.js", "filter.js")


@dataclass(frozen=True)
class BuildResult:
    """What a finished build reports."""

    pages: int
    files: int
    records: int
    seconds: float
    warnings: tuple[Problem, ...]
    output: Path


def check(site_dir: Path, strict: bool = False) -> tuple[m.Site | None, list[Problem]]:
    """Validate everything without writing: the site (None on errors) and every problem."""
    problems = Problems()
    site = load_site(site_dir, problems)
    if site is not None:
        _check_templates(site, site_dir, problems)
    items = problems.sorted()
    if strict:
        items = [Problem(p.path, p.line, p.column, "error", p.message, p.hint) for p in items]
    return site, items


def _check_templates(site: m.Site, site_dir: Path, problems: Problems) -> None:
    """Render every page once in memory, so template errors are found by `check` too."""
    renderer = Renderer(site, site_dir, __version__)
    renderer.index_by_id()
    try:
        for job in renderer.jobs():
            renderer.render(job)
    except TemplateError as exc:
        problems.error(_template_path(exc.template, site_dir), exc.line, 1, exc.message)


def _template_path(name: str, site_dir: Path) -> str:
    path = Path(name)
    if path.is_absolute() and path.is_relative_to(site_dir.resolve()):
        return path.relative_to(site_dir.resolve()).as_posix()
    if path.is_absolute() and path.is_relative_to(site_dir):
        return path.relative_to(site_dir).as_posix()
    return name


def render_site(site: m.Site, site_dir: Path, workers: int = 1,
                tick: Callable[[int, int], None] | None = None) -> dict[str, bytes]:
    """Every generated file of the site: output path -> bytes (collisions are errors)."""
    renderer = Renderer(site, site_dir, __version__)
    renderer.index_by_id()
    jobs = renderer.jobs()
    files: dict[str, bytes] = {}
    owner: dict[str, Job] = {}
    for n, job in enumerate(jobs):
        try:
            outputs = renderer.render(job)
        except TemplateError as exc:
            raise ContentError([Problem(_template_path(exc.template, site_dir), exc.line, 1,
                                        "error", exc.message)]) from exc
        for path, data in outputs:
            key = path.casefold()
            if key in owner and owner[key] is not job:
                raise ContentError([Problem(job.path, 0, 0, "error",
                                            f"two pages write {path}: {owner[key].kind} "
                                            f"'{owner[key].key}' and {job.kind} '{job.key}'")])
            owner[key] = job
            files[path] = data
        if tick:
            tick(n + 1, len(jobs))
    return files


def static_copies(site: m.Site, site_dir: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Theme assets and content/static/ files to copy, refusing clashes with pages."""
    copies = {f"assets/{name}": THEME / "assets" / name for name in ASSETS}
    taken = {p.casefold() for p in files}
    problems = []
    for rel in site.static_files:
        out = rel[len("content/static/"):]
        if out.casefold() in taken or out.casefold() in {c.casefold() for c in copies}:
            problems.append(Problem(rel, 0, 0, "error", f"static file would overwrite the generated {out}"))
        copies[out] = site_dir / rel
    if problems:
        raise ContentError(problems)
    return copies


def build(site_dir: Path, out_dir: Path | None = None, strict: bool = False,
          tick: Callable[[int, int], None] | None = None) -> BuildResult:
    """Full build of `site_dir` into `out_dir` (default SITE/output); atomic on success."""
    started = time.perf_counter()
    out = out_dir if out_dir is not None else site_dir / "output"
    check_output_dir(site_dir, out)
    problems = Problems()
    site = load_site(site_dir, problems)
    items = problems.sorted()
    blocking = [p for p in items if p.severity == "error" or strict]
    if site is None or blocking:
        raise ContentError(blocking or items)
    files = render_site(site, site_dir, tick=tick)
    copies = static_copies(site, site_dir, files)
    tmp = write_tree(out, files, copies)
    try:
        swap_into_place(tmp, out)
    except BaseException:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    pages = sum(1 for p in files if p.endswith(".html"))
    return BuildResult(pages, len(files) + len(copies), len(site.activities),
                       time.perf_counter() - started, tuple(items), out)


def default_workers() -> int:
    return max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


def progress_bar(stream=sys.stderr) -> Callable[[int, int], None] | None:  # type: ignore[no-untyped-def]
    """A one-line progress bar on a terminal (None when not attached to one)."""
    if not stream.isatty():
        return None

    def tick(done: int, total: int) -> None:
        if total < 200 or (done % 50 and done != total):
            return
        width = 30
        fill = width * done // total
        stream.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} pages")
        if done == total:
            stream.write("\r" + " " * (width + 30) + "\r")
        stream.flush()

    return tick
