"""The preview server's shortcut for the commonest edit, Markdown bodies of activity files,
in time proportional to the edit, not to the site.

When the watcher's paths are activity files whose records differ from the last good site's
only in `body` (with the same problems), the last Site gets those records swapped in at
their places, the last Renderer is patched (`Renderer.with_bodies`), and the activities'
pages and the pages of BODY_KINDS are rendered: what `selection.select` would choose.
Anything else gives None, and incremental.Builder takes its general path.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import datafiles, validate
from . import model as m
from .assembly import ActivityMemo, Assembler
from .content import Document, read_document
from .errors import Problem, Problems
from .gitinfo import GitInfo
from .page_list import BODY_KINDS
from .render import Job, Renderer, TemplateError
from .selection import Pairs
from .source_files import SourceFiles

Rendered = dict[str, list[tuple[str, bytes]]]  # job path -> its files (path, bytes)


@dataclass(frozen=True)
class Patch:
    """What a body edit changes: the builder takes all of it, or nothing."""

    site: m.Site  # the last good site with the edited records in their places
    renderer: Renderer  # the last renderer, patched for them
    docs: dict[str, tuple[tuple[Any, ...] | None, Document | None, list[Problem]]]  # SourceFiles.docs entries
    memos: ActivityMemo  # Assembler.act_memo entries
    rendered: Rendered  # the files to write


class BodyEdits:
    """The facts of the last good build that the shortcut needs (where each record sits in
    the site, its pages' jobs, the jobs of BODY_KINDS, the git history it read), and the
    shortcut itself (`patch`)."""

    def __init__(self, site_dir: Path, files_in: SourceFiles, assembly: Assembler):
        self.site_dir = site_dir
        self._files_in = files_in  # the builder's: documents as last read
        self._assembly = assembly  # the builder's: activities as last validated
        self.current = False  # whether the facts are those of the builder's site
        self.git: GitInfo | None = None  # the history the last good build read
        self._positions: dict[str, int] = {}  # activity id -> index in site.activities
        self._act_jobs: dict[str, list[Job]] = {}  # activity id -> its pages' jobs (one per language)
        self._body_jobs: list[Job] = []  # the jobs of BODY_KINDS

    def remember(self, site: m.Site, jobs: list[Job], git: GitInfo) -> None:
        """Take the facts of a build of `site` by the general path, which succeeded."""
        self.current, self.git = True, git
        self._positions = {a.id: i for i, a in enumerate(site.activities)}
        self._act_jobs = {}
        for j in jobs:
            if j.kind == "activity":
                self._act_jobs.setdefault(j.key, []).append(j)  # (one per language)
        self._body_jobs = [j for j in jobs if j.kind in BODY_KINDS]

    def patch(self, site: m.Site, renderer: Renderer, scan: dict[str, tuple[Any, ...]],
              changed: list[str], data: dict[str, bytes], job_outputs: dict[str, tuple[str, ...]]
              ) -> Patch | None:
        """The edit of the files `changed` (their stat keys in `scan`) applied to the last
        good `site` and its `renderer`, and the files to write (`data`: the spliced data
        files as last written; `job_outputs`: each job's files); None unless only bodies
        of activity records changed, and the same files come out."""
        found = self._reread(site.plan, scan, changed)
        if found is None:
            return None
        pairs, docs, memos = found
        activities = list(site.activities)
        for old, new in pairs:
            at = self._positions.get(new.id)
            if at is None or activities[at] is not old:
                return None
            activities[at] = new
        site = dataclasses.replace(site, activities=tuple(activities))
        renderer = renderer.with_bodies(site, {id(old): new for old, new in pairs})
        rendered = self._render(renderer, pairs, data, job_outputs)
        if rendered is None:
            return None
        return Patch(site, renderer, docs, memos, rendered)

    def _reread(self, plan: m.Plan, scan: dict[str, tuple[Any, ...]], changed: list[str]
                ) -> tuple[Pairs, dict[str, Any], ActivityMemo] | None:
        """The changed records ((old, new)) of the files `changed`, read and validated
        again, with their new document and activity memo entries; None unless each is an
        activity file whose records differ only in their bodies, with the same problems."""
        pairs: Pairs = []
        docs: dict[str, Any] = {}
        memos: ActivityMemo = {}
        for rel in changed:
            cached, entry = self._files_in.docs.get(rel), self._assembly.act_memo.get(rel)
            if cached is None or cached[1] is None or entry is None or entry[0] is not cached[1]:
                return None
            read = Problems()
            doc = read_document(self.site_dir, cached[1].source, read)
            if doc is None or read.items != cached[2]:
                return None
            checked = Problems()
            acts = validate.activities([doc], plan, checked)
            if entry[1] is not plan or checked.items != entry[3] or len(acts) != len(entry[2]):
                return None
            for old, new in zip(entry[2], acts):
                if dataclasses.replace(old, body=new.body) != new:
                    return None
                pairs.append((old, new))
            docs[rel] = (scan[rel], doc, cached[2])
            memos[rel] = (doc, plan, acts, entry[3], False)
        return pairs, docs, memos

    def _render(self, renderer: Renderer, pairs: Pairs, data: dict[str, bytes],
                job_outputs: dict[str, tuple[str, ...]]) -> Rendered | None:
        """The edited activities' pages and the pages of BODY_KINDS, with the data files
        spliced (left out when their bytes did not change); None when a job's files are not
        the same as before (e.g. a chart file more or less) or a template failed."""
        rendered: Rendered = {}
        try:
            for job in [j for _, new in pairs for j in self._act_jobs[new.id]] + self._body_jobs:
                if job.kind in datafiles.SPLICED and not job.lang and job.path in data:
                    spliced = datafiles.splice(renderer, job.kind, data[job.path], pairs)
                    if spliced is not None:
                        if spliced is not data[job.path]:
                            rendered[job.path] = [(job.path, spliced)]
                        continue
                outputs = renderer.render(job)
                if tuple(p for p, _ in outputs) != job_outputs[job.path]:
                    return None  # the general path sorts it out
                rendered[job.path] = outputs
        except TemplateError:
            return None
        return rendered
