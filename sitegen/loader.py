"""Load and validate a whole site folder into a frozen Site, with every problem found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .content import Document, Source, discover, read_document
from .errors import Problems
from .fields import MAX_YEAR, MIN_YEAR
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


class Steps:
    """How `assemble` runs its validation steps: each once, directly (a build, `sitegen
    check`). The preview server's assembly.Assembler runs a step again only when the
    documents and values it is made of changed."""

    def run(self, name: str, inputs: tuple[Any, ...], step: Callable[[Problems], Any], problems: Problems) -> Any:
        """The step `name`, made of `inputs` (documents and values), its problems added."""
        return step(problems)

    def activities(self, docs: list[Document], plan: m.Plan | None, problems: Problems,
                   validated: Iterable[list[m.Activity]]) -> list[m.Activity]:
        """The activities of `docs` and `validated` (see validate.activities)."""
        from . import validate
        return validate.activities(docs, plan, problems, validated)

    def translated(self, records: list[Any], found: dict[str, tuple[m.Translation, ...]], config: m.SiteConfig,
                   what: str, problems: Problems) -> list[Any]:
        """The records with their translations (validate_texts.translate)."""
        from . import validate_texts
        return validate_texts.translate(records, found, config, what, problems)

    def last_changed(self, git: GitInfo) -> tuple[tuple[str, str], ...]:
        """Each file's last change in git, sorted."""
        return tuple(sorted((p, d.isoformat()) for p, d in git.last_changed.items()))


def assemble(docs: list[Document], problems: Problems, git: GitInfo,
             static_files: tuple[str, ...] = (), template_files: tuple[str, ...] = (),
             validated: dict[str, list[m.Activity]] | None = None, steps: Steps | None = None) -> m.Site | None:
    """Validated documents -> Site; None when any error was found. `validated`: activity
    files already validated (see validate.activities), by path; `steps`: how each
    validation step runs (default: once, directly)."""
    # (imported here: a build forks its parsing workers before importing these)
    from . import model as m
    from . import validate_measurements, validate_plan, validate_site, validate_texts
    steps = steps or Steps()
    by_kind: dict[str, list[Document]] = {}
    for doc in docs:
        by_kind.setdefault(doc.source.kind, []).append(doc)
    site_doc = next(iter(by_kind.get("site", [])), None)
    plan_doc = next(iter(by_kind.get("plan", [])), None)
    config = steps.run("site", (site_doc,), lambda p: validate_site.site_config(site_doc, p), problems)
    steps.run("site-files", (config, *static_files),
              lambda p: validate_site.site_files(site_doc, config, static_files, p), problems)
    # (a plan file that could not be read was reported so: not also as missing; told to the
    # step, whose problems the preview keeps apart)
    unread = plan_doc is None and any(p.path == "content/plan.yaml" for p in problems.errors)
    plan = steps.run("plan", (plan_doc, unread), lambda p: validate_plan.plan(plan_doc, p, unread), problems)
    steps.run("iati", (config, plan), lambda p: validate_site.iati_areas(config, plan, p), problems)
    acts = steps.activities(by_kind.get("activity", []) + by_kind.get("activity-list", []), plan, problems,
                            (validated or {}).values())
    kinds = {k: tuple(by_kind.get(k, [])) for k in ("measurements", "area", "page", "report", "translation",
                                                      "plan-translation", "catalogue")}
    meas = steps.run("measurements", (plan, *kinds["measurements"]),
                     lambda p: validate_measurements.measurements(list(kinds["measurements"]), plan, p), problems)
    texts = steps.run("area", (plan, *kinds["area"]),
                      lambda p: validate_texts.area_texts(list(kinds["area"]), plan, p), problems)
    pages = steps.run("page", kinds["page"], lambda p: validate_texts.pages(list(kinds["page"]), p), problems)
    reports = steps.run("report", kinds["report"], lambda p: validate_texts.reports(list(kinds["report"]), p),
                        problems)
    found = steps.run("translation", (config, *kinds["translation"]),
                      lambda p: validate_texts.translations(list(kinds["translation"]), config, p), problems)
    acts = steps.translated(list(acts), found, config, "this activity", problems)
    texts = steps.translated(list(texts), found, config, "this area's narrative", problems)
    pages = steps.translated(list(pages), found, config, "this page", problems)
    plans = steps.run("plan-translation", (config, plan, *kinds["plan-translation"]),
                      lambda p: validate_texts.plan_translations(list(kinds["plan-translation"]), plan, config, p),
                      problems)
    messages = steps.run("catalogue", (config, site_doc, *kinds["catalogue"]),
                         lambda p: validate_texts.catalogues(list(kinds["catalogue"]), config, p, site_doc), problems)
    if plan is None or problems.errors:
        return None
    acts, pages, drafts = published(config, acts, pages)
    _warn_unused(plan, acts, meas, problems)
    day, source = report_date(config, plan, acts, meas, git, problems)
    return m.Site(config, plan, tuple(acts), tuple(meas), tuple(texts), tuple(pages),
                  tuple(reports), day, source, steps.last_changed(git), static_files, template_files, git.prefix,
                  plans, messages, drafts)


def published(config: m.SiteConfig, acts: list[m.Activity], pages: list[m.Page]
              ) -> tuple[list[m.Activity], list[m.Page], tuple[str, ...]]:
    """The activities and pages a build publishes, and the files of the drafts (`draft:
    true`): held back, unless the site publishes drafts (`--drafts`)."""
    if not any(a.draft for a in acts) and not any(p.draft for p in pages):
        return acts, pages, ()
    drafts = tuple(sorted({a.loc.path for a in acts if a.draft} | {p.loc.path for p in pages if p.draft}))
    if config.drafts:
        return acts, pages, drafts
    return [a for a in acts if not a.draft], [p for p in pages if not p.draft], drafts


def _warn_unused(plan: m.Plan, acts: list[m.Activity], meas: list[m.Measurement],
                 problems: Problems) -> None:
    measured = {x.indicator for x in meas}
    for ind in plan.indicators:
        if ind.source == "measurements" and ind.id not in measured:
            problems.warning(ind.loc.path, ind.loc.line, 1,
                             f"indicator '{ind.id}' has source: measurements but no measurement yet")


def report_date(config: m.SiteConfig, plan: m.Plan, acts: list[m.Activity],
                meas: list[m.Measurement], git: GitInfo, problems: Problems) -> tuple[dt.date, str]:
    """The report date and where it comes from (progress.report_date), with its warnings."""
    from . import progress
    day, source = progress.report_date(config, plan.start, acts, meas, git.latest_content)
    if not config.as_of:
        _warn_commit_date(plan, acts, meas, git, day, source, problems)
    _warn_stale(acts, day, source, problems)
    return day, source


# A report date from git this far past both the newest record and the plan's end is suspect.
_GIT_DATE_SLACK = dt.timedelta(days=366)


def _warn_commit_date(plan: m.Plan, acts: list[m.Activity], meas: list[m.Measurement],
                      git: GitInfo, day: dt.date, source: str, problems: Problems) -> None:
    """Commit dates are whatever the committer's clock (or GIT_COMMITTER_DATE) said: warn when
    one was ignored or when the report date taken from git lies far from the records."""
    hint = "set as_of: YYYY-MM-DD in site.yaml to fix the report date"
    if git.ignored_date:
        problems.warning("site.yaml", 0, 0, f"a commit is dated {git.ignored_date}, outside the "
                         f"years {MIN_YEAR}-{MAX_YEAR}: its date is ignored",
                         f"check the committer's clock; {hint}")
    if source != "git":
        return
    newest = max([d for a in acts for d in (a.start, a.end) if d] + [x.date for x in meas],
                 default=plan.start)
    said = f"the report date {day} is the date of the latest commit touching content/"
    if day > max(newest, plan.end) + _GIT_DATE_SLACK:
        problems.warning("site.yaml", 0, 0, f"{said}, more than a year after the newest record "
                         f"date ({newest}) and the plan's end ({plan.end})", hint)
    elif day < plan.start:
        problems.warning("site.yaml", 0, 0, f"{said}, before the plan's start ({plan.start})", hint)


# Where the report date comes from, as the stale-record warnings say it
_DATE_SOURCES = {"as_of": "as_of in site.yaml", "git": "the latest commit touching content/",
                 "records": "the newest date the records report done"}


def _warn_stale(acts: list[m.Activity], day: dt.date, source: str, problems: Problems) -> None:
    """Records whose status the report date contradicts (a reminder to update them)."""
    report = f"the report date {day} ({_DATE_SOURCES.get(source, source)})"
    for act in acts:
        if act.status == "in-progress" and act.end and act.end < day:
            problems.warning(act.loc.path, act.loc.line, 1,
                             f"stale record: '{act.id}' is in-progress but ended on {act.end}, before {report}",
                             "set status: completed (or postponed) and update 'end'")
        elif act.status == "planned" and act.start < day:
            problems.warning(act.loc.path, act.loc.line, 1,
                             f"stale record: '{act.id}' is planned but starts on {act.start}, before {report}",
                             "update its status or its dates")


def load_site(site_dir: Path, problems: Problems, git: GitInfo | History | None = None,
              reader: Callable[[Path, list[Source], Problems], list[Document]] | None = None,
              validated: dict[str, list[m.Activity]] | None = None) -> m.Site | None:
    """site folder -> Site (None on errors, which are in `problems`).

    `reader` replaces read_documents (build.py passes the cached, parallel reader of cache.py,
    which fills `validated` with the activity files it validated, instead of their documents).
    """
    sources = discover(site_dir, problems)
    docs = (reader or read_documents)(site_dir, sources, problems)
    git = git.result() if isinstance(git, History) else git if git is not None else read_history(site_dir)
    static = tuple(s.rel for s in sources if s.kind == "static")
    templates = tuple(s.rel for s in sources if s.kind == "template")
    site = assemble(docs, problems, git, static, templates, validated)
    if site is not None and site.reports and git.in_repo:  # the rounds' records from git
        from .history import Reader
        site = Reader(site_dir).attach(site, git, problems)
    return site
