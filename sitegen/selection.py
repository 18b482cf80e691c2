"""Which jobs the preview server renders again after a change, and in what order.

`select` compares the new Site with the last good one: a change of anything global
(GLOBAL_FIELDS, or a template) renders every job; a change of records renders the jobs
whose `Job.deps` meet what the changed records touch, plus jobs that are new or whose key or
deps changed. `viewed_first` puts the pages the browser's tabs show first. See the module
docstring of incremental.py for the whole rebuild.
"""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from . import model as m
from . import taxonomy
from .page_list import BODY_KINDS
from .render import Job, deps_hold

# Site fields whose change re-renders everything.
GLOBAL_FIELDS = ("config", "plan", "plans", "messages", "measurements", "area_texts", "pages", "reports",
                 "report_date", "report_date_source", "last_changed", "template_files", "history")

Pairs = list[tuple[m.Activity, m.Activity]]


@dataclass(frozen=True)
class Selection:
    """The jobs to render after a change, and what the rebuild may take from it."""

    jobs: list[Job]
    full: bool  # every job
    # the changed records ((old, new), by id) when no record came, went or moved in the
    # order, so that the data files made of a piece per record can be spliced; else None
    pairs: Pairs | None = None


@dataclass(frozen=True)
class Change:
    """The records a change touched, when nothing global changed (see record_change)."""

    before: dict[str, m.Activity]  # the last good site's activities, by id
    after: dict[str, m.Activity]  # the new site's
    changed: set[str]  # ids of the records that came, went or changed
    body_only: bool  # every changed record changed its body alone

    def wanted(self, plan: m.Plan, jobs_changed: bool) -> set[str]:
        """The deps (`Job.deps`) this change meets (`jobs_changed`: pages came or went)."""
        wanted = {f"activity:{i}" for i in self.changed}
        if self.changed and not self.body_only:
            wanted |= _fields_wanted(plan, self.before, self.after, self.changed, jobs_changed)
        return wanted


def record_change(old: m.Site | None, site: m.Site, templates_changed: bool, site_dir: Path) -> Change | None:
    """What changed from `old` (the last good site, None before the first build) to `site`
    in records; None when every job is to render (something global or a template changed,
    or the site's templates may show any record on any page)."""
    if old is None or templates_changed or any(getattr(site, f) != getattr(old, f)
                                               for f in GLOBAL_FIELDS):
        return None
    before = {a.id: a for a in old.activities}
    after = {a.id: a for a in site.activities}
    changed = {i for i in before.keys() | after.keys()
               if before.get(i) is not after.get(i) and before.get(i) != after.get(i)}
    if changed and not deps_hold(site, site_dir):
        return None
    body_only = bool(changed) and all(
        i in before and i in after and dataclasses.replace(before[i], body=after[i].body) == after[i]
        for i in changed)
    return Change(before, after, changed, body_only)


def select(change: Change | None, site: m.Site, jobs: list[Job], known: dict[str, Job]) -> Selection:
    """The jobs of `site` to render after `change` (record_change), the last good site's
    jobs being `known` (by output path)."""
    if change is None:
        return Selection(jobs, True)
    jobs_changed = len(jobs) != len(known) or any(j.path not in known for j in jobs)
    wanted = change.wanted(site.plan, jobs_changed)
    pairs = None
    if change.changed and not change.body_only and "order" not in wanted:
        pairs = [(change.before[i], change.after[i]) for i in sorted(change.changed)]
    out = []
    for job in jobs:
        previous = known.get(job.path)
        if ((previous is not job and previous != job) or meets(job, wanted)
                or (change.body_only and job.kind in BODY_KINDS)):
            out.append(job)
    return Selection(out, False, pairs)


def meets(job: Job, wanted: set[str]) -> bool:
    """Whether a change that meets the deps `wanted` renders `job` again. A term's pages
    after the first ("tag-page:<slug>/<n>", see Job) are rendered again with the term's
    records ("tag:<slug>"): the preview does not work out which page lists a record."""
    if job.deps & wanted:
        return True
    return job.kind in taxonomy.FOLDERS and f"{job.kind}:{job.key.partition('/')[0]}" in wanted


# Page kinds whose pages exist whenever the same records (by id) and the same plan do: an
# open tab's page of one of these kinds may be rendered before the new page list is made.
STABLE_KINDS = frozenset({"dashboard", "areas", "area", "indicator", "results", "area_results", "activity",
                          "activities", "timeline", "countries", "freepage", "reports", "report", "search"})


def viewed_ahead(change: Change | None, site: m.Site, known: dict[str, Job], pages: set[str],
                 stale: set[str]) -> list[tuple[Job, str]]:
    """The open tabs' pages (URL paths `pages`) that a change of records, none of which came
    or went, renders again, as (job, URL path), the jobs taken from the last good rebuild's
    (`known`): rendered first, they reload before the whole page list is made (at 10,000
    activities in four languages, tens of milliseconds). Pages are taken as `select` takes
    them, counting the order as changed, and when they are `stale` (written by an
    interrupted rebuild: edits in quick succession); [] when anything else changed."""
    if change is None or change.before.keys() != change.after.keys():
        return []
    wanted = change.wanted(site.plan, True)
    out = []
    for path, url in sorted(_opened(pages).items()):
        job = known.get(path)
        if job is not None and job.kind in STABLE_KINDS and (meets(job, wanted) or path in stale):
            out.append((job, url))
    return out


def _opened(pages: set[str]) -> dict[str, str]:
    """Output path -> URL path of the open tabs' `pages` ("/", "/fr/areas/x/")."""
    opened: dict[str, str] = {}
    for url in sorted(pages):
        path = url.lstrip("/")
        opened.setdefault(path + "index.html" if not path or path.endswith("/") else path, url)
    return opened


def _fields_wanted(plan: m.Plan, before: dict[str, m.Activity], after: dict[str, m.Activity],
                   changed: set[str], jobs_changed: bool) -> set[str]:
    """The deps met by records `changed` in more than their bodies (ids; `before` and
    `after` by id): "activities", what the old and the new record show up in, and "order"
    when a record came, went or changed its start, or pages came or went."""
    wanted = {"activities"}
    if jobs_changed:
        wanted.add("order")  # (pages came or went: the sitemap lists them)
    area_of = {ind.id: ind.area for ind in plan.indicators}
    for i in changed:
        old_act, new_act = before.get(i), after.get(i)
        for act in (old_act, new_act):
            if act is not None:
                wanted.update(f"area:{x}" for x in act.areas)
                wanted.update(f"area:{area_of[k]}" for k, _ in act.contributes if k in area_of)
                wanted.update(f"country:{c}" for c in act.all_countries)
                wanted.update(taxonomy.record_deps(act))  # its tags', partners' and type's pages
        if old_act is None or new_act is None or old_act.start != new_act.start:
            wanted.add("order")  # the list pages show the count and the order
    return wanted


def viewed_first(todo: list[Job], languages: tuple[str, ...], pages: set[str], viewing: set[str]
                 ) -> tuple[list[Job], list[tuple[int, frozenset[str]]]]:
    """`todo` with the open tabs' `pages` first (URL paths, as the tabs name them: "/",
    "/fr/areas/x/"), then the other pages of the `viewing` languages (codes; "" is the
    first of the site's `languages`); and the steps at which to tell the server: (jobs
    done, what is ready: URL paths of pages, or language codes)."""
    steps: list[tuple[int, frozenset[str]]] = []
    opened = _opened(pages)
    first = [j for j in todo if j.path in opened]
    if first and len(first) < len(todo):
        todo = first + [j for j in todo if j.path not in opened]
        steps.append((len(first), frozenset(opened[j.path] for j in first)))
    viewed = frozenset(viewing) & frozenset(("", *languages[1:]))
    if viewed and languages:
        done = steps[0][0] if steps else 0
        mine = [j for j in todo[done:] if j.lang in viewed]
        if mine and done + len(mine) < len(todo):
            todo = todo[:done] + mine + [j for j in todo[done:] if j.lang not in viewed]
            steps.append((done + len(mine), viewed))
    return todo, steps


def opened_next(todo: list[Job], done: int, pages: set[str], seen: set[str],
                steps: list[tuple[int, frozenset[str]]]
                ) -> tuple[list[Job], list[tuple[int, frozenset[str]]], dict[str, str]]:
    """For the pages opened in tabs since (URL paths `pages`, but those in `seen`, which
    gets them), when the first `done` jobs of `todo` are rendered: `todo` with the jobs of
    those pages not rendered yet moved to position `done`; `steps` (viewed_first's, those
    still to come) with the step at which they are written first, the others' positions
    moved on by the jobs moved before them; and those pages rendered already (output path
    -> URL path). A page visited during the preview's first build is written next, not at
    the end, nor after the rest of its language."""
    new = {path: url for path, url in _opened(pages).items() if url not in seen}
    if not new:
        return todo, steps, {}
    seen.update(new.values())
    rendered = {j.path: new[j.path] for j in todo[:done] if j.path in new}
    moved = [i for i in range(done, len(todo)) if todo[i].path in new]
    if not moved:
        return todo, steps, rendered
    picked = [todo[i] for i in moved]
    rest = [j for j in todo[done:] if j.path not in new]
    later = [(at + len(moved) - bisect.bisect_left(moved, at), ready) for at, ready in steps]
    return (todo[:done] + picked + rest, [(done + len(picked), frozenset(new[j.path] for j in picked)), *later],
            rendered)
