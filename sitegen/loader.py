"""Load and validate a whole site folder into a frozen Site, with every problem found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .content import Document, Source, discover, read_document
from .errors import Problems
from .gitinfo import GitInfo, History, read_history

if TYPE_CHECKING:
    from . import model as m


def read_documents(site_dir: Path, sources: list[Source], problems: Problems) -> list[Document]:
    """Read every content file (not static files or templates) into documents."""
    docs = []
    for source in sources:
        if source.kind in ("static", "template"):
            continue
        doc = read_document(site_dir, source, problems)
        if doc is not None:
            docs.append(doc)
    return docs


def assemble(docs: list[Document], problems: Problems, git: GitInfo,
             static_files: tuple[str, ...] = (), template_files: tuple[str, ...] = ()
             ) -> m.Site | None:
    """Validated documents -> Site; None when any error was found."""
    # (imported here: a build forks its parsing workers before importing these)
    from . import model as m
    from . import progress, validate
    by_kind: dict[str, list[Document]] = {}
    for doc in docs:
        by_kind.setdefault(doc.source.kind, []).append(doc)
    config = validate.site_config(next(iter(by_kind.get("site", [])), None), problems)
    plan = validate.plan(next(iter(by_kind.get("plan", [])), None), problems)
    acts = validate.activities(by_kind.get("activity", []) + by_kind.get("activity-list", []),
                               plan, problems)
    meas = validate.measurements(by_kind.get("measurements", []), plan, problems)
    texts = validate.area_texts(by_kind.get("area", []), plan, problems)
    pages = validate.pages(by_kind.get("page", []), problems)
    reports = validate.reports(by_kind.get("report", []), problems)
    if plan is None or problems.errors:
        return None
    _warn_unused(plan, acts, meas, problems)
    day, source = progress.report_date(config, acts, meas, git.latest_content)
    _warn_stale(acts, day, problems)
    last = tuple(sorted((p, d.isoformat()) for p, d in git.last_changed.items()))
    return m.Site(config, plan, tuple(acts), tuple(meas), tuple(texts), tuple(pages),
                  tuple(reports), day, source, last, static_files, template_files, git.prefix)


def _warn_unused(plan: m.Plan, acts: list[m.Activity], meas: list[m.Measurement],
                 problems: Problems) -> None:
    measured = {x.indicator for x in meas}
    for ind in plan.indicators:
        if ind.source == "measurements" and ind.id not in measured:
            problems.warning(ind.loc.path, ind.loc.line, 1,
                             f"indicator '{ind.id}' has source: measurements but no measurement yet")


def _warn_stale(acts: list[m.Activity], day: dt.date, problems: Problems) -> None:
    """Records whose status the report date contradicts (a reminder to update them)."""
    for act in acts:
        if act.status == "in-progress" and act.end and act.end < day:
            problems.warning(act.loc.path, act.loc.line, 1,
                             f"stale record: '{act.id}' is in-progress but ended on {act.end}",
                             "set status: completed (or postponed) and update 'end'")
        elif act.status == "planned" and act.start < day:
            problems.warning(act.loc.path, act.loc.line, 1,
                             f"stale record: '{act.id}' is planned but its start {act.start} has passed",
                             "update its status or its dates")


def load_site(site_dir: Path, problems: Problems, git: GitInfo | History | None = None,
              reader: Callable[[Path, list[Source], Problems], list[Document]] | None = None
              ) -> m.Site | None:
    """site folder -> Site (None on errors, which are in `problems`).

    `reader` replaces read_documents (build.py passes the cached, parallel reader of cache.py).
    """
    sources = discover(site_dir, problems)
    docs = (reader or read_documents)(site_dir, sources, problems)
    git = git.result() if isinstance(git, History) else git if git is not None else read_history(site_dir)
    static = tuple(s.rel for s in sources if s.kind == "static")
    templates = tuple(s.rel for s in sources if s.kind == "template")
    return assemble(docs, problems, git, static, templates)
