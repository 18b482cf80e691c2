"""The preview's rendering of one rebuild (incremental.Builder.rebuild): its jobs rendered in
order, with what the browser's tabs show written first and those tabs told, so that they
reload before the rest is done; stopped for a newer change once they are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .body_edits import Rendered
from .build import static_copies
from .errors import ContentError
from .preview_files import PreviewFiles
from .render import Job, Renderer
from .selection import opened_next

# During the first build, the pages the tabs show are asked for before every ASK_EVERY-th page
# (~20 ms of rendering at 10,000 activities): a page visited then is rendered next.
ASK_EVERY = 16


class Interrupted(Exception):
    """A newer change came while a rebuild rendered what no tab shows (`rendered`: the
    output paths of the jobs rendered so far, some of them written)."""

    def __init__(self, rendered: list[str]):
        super().__init__(len(rendered))
        self.rendered = rendered


class RenderPass:
    """Renders jobs with `renderer` and writes what the tabs show into `files` before the
    rest, telling `early` (URL paths of pages, or language codes) what is ready; `written`
    counts the files written so far."""

    def __init__(self, renderer: Renderer, files: PreviewFiles, site_dir: Path,
                 early: Callable[[frozenset[str]], None] | None):
        self.renderer = renderer
        self.files = files
        self.site_dir = site_dir
        self.early = early
        self.written = 0

    def ahead(self, ahead: list[tuple[Job, str]]) -> Rendered:
        """The pages of `ahead` (selection.viewed_ahead) rendered and written, and `early`
        told their URL paths."""
        rendered: Rendered = {job.path: self.renderer.render(job) for job, _ in ahead}
        if rendered and self.early is not None:
            self.written += self.files.write(rendered)
            self.early(frozenset(url for _, url in ahead))
        return rendered

    def run(self, todo: list[Job], steps: list[tuple[int, frozenset[str]]],
            splice: Callable[[Job], bytes | None], interrupted: Callable[[], bool] | None = None,
            told: bool = False, first: dict[str, tuple[Any, ...]] | None = None,
            asked: Callable[[], set[str]] | None = None, seen: frozenset[str] = frozenset()) -> Rendered:
        """The jobs of `todo` rendered, or spliced (`splice` gives the bytes of a data file
        with the changed records' pieces swapped in, or None); at each of `steps` (see
        selection.viewed_first), the jobs rendered since the last one are written and
        `early` told what is ready; once they are (or were, `told`: by `ahead`),
        Interrupted when `interrupted` says so (the rest may be left for later).

        `first`: the stat keys of the site's files in the first rebuild, whose first pages
        need the theme's assets and the static files, copied with them. `asked`: the pages
        open in tabs (URL paths), asked again during the first rebuild, but `seen` (those
        taken in `steps`): a page opened meanwhile is written next (selection.opened_next).
        """
        rendered: Rendered = {}
        unwritten: list[str] = []  # the jobs rendered since the last step, in order
        # where in `unwritten` the jobs of the pages asked for begin, while they are rendered
        # (their step is the first: only they are written then)
        asked_from: int | None = None
        pages = set(seen)  # (the pages asked for so far)
        n = 0
        while n < len(todo):
            if asked is not None and asked_from is None and n % ASK_EVERY == 0:
                coming = len(steps)
                todo, steps, ready = opened_next(todo, n, asked(), pages, steps)
                if ready:  # (rendered; those not written yet are written now)
                    waiting = set(unwritten)
                    ready = {p: url for p, url in ready.items() if p in waiting}
                if ready:
                    self._write({p: rendered[p] for p in ready}, frozenset(ready.values()), first)
                    first, unwritten = None, [p for p in unwritten if p not in ready]
                if len(steps) > coming:  # (a step for pages not rendered yet, rendered next)
                    asked_from = len(unwritten)
            while steps and n == steps[0][0]:  # what the tabs show, before the rest
                at = asked_from if asked_from is not None else 0
                self._write({p: rendered[p] for p in unwritten[at:]}, steps.pop(0)[1], first)
                first, unwritten, asked_from, told = None, unwritten[:at], None, True
            if told and interrupted is not None and interrupted():  # (before each job: some take 100 ms)
                raise Interrupted([j.path for j in todo[:n]])
            job = todo[n]
            data = splice(job)
            rendered[job.path] = [(job.path, data)] if data is not None else self.renderer.render(job)
            unwritten.append(job.path)
            n += 1
        return rendered

    def _write(self, rendered: Rendered, ready: frozenset[str], first: dict[str, tuple[Any, ...]] | None) -> None:
        """Write `rendered` before the rest and tell `early` that `ready` is. `first`: the
        stat keys of the site's files when these are the first files of the first rebuild:
        the static files are copied too, as the pages show nothing right without the theme's
        CSS and scripts (the rest is copied with the rest). Nothing is copied when a copy
        would take a page's place (the rebuild ends with that error)."""
        self.written += self.files.write(rendered)
        if first is not None:
            outputs = dict.fromkeys(p for outs in rendered.values() for p, _ in outs)
            try:
                copies = static_copies(self.renderer.site, self.site_dir, outputs)
            except ContentError:
                copies = {}
            self.written += self.files.copy(copies, first)
        if self.early is not None:
            self.early(ready)
