"""Validation for the preview server: `loader.assemble`, memoised per input document.

An activity file is validated again only when it (or the plan) changed; on any activity
error the whole list is validated again the ordinary way, so that the messages are those of
`sitegen check`. Other record kinds are validated again when one of their documents (or
the plan they depend on) is a new object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import loader, validate, validate_measurements, validate_plan, validate_site, validate_texts
from . import model as m
from .content import Document
from .errors import Problem, Problems
from .gitinfo import GitInfo

# rel -> (document, plan, its activities, its problems, whether they hold an error)
ActivityMemo = dict[str, tuple[Document, "m.Plan | None", list[m.Activity], list[Problem], bool]]


@dataclass
class _Memo:
    keys: tuple[Any, ...]
    value: Any
    problems: list[Problem] = field(default_factory=list)


class Assembler:
    """Assembles a Site from documents, reusing what was validated from the same objects."""

    def __init__(self) -> None:
        self.memo: dict[str, _Memo] = {}
        self.act_memo: ActivityMemo = {}
        self.tr_memo: dict[str, dict[int, tuple[Any, Any, m.SiteConfig, Any, list[Problem]]]] = {}
        self._last_for: GitInfo | None = None
        self._last: tuple[tuple[str, str], ...] = ()

    def _memoised(self, name: str, keys: tuple[Any, ...], fn: Callable[[Problems], Any],
                  problems: Problems) -> Any:
        memo = self.memo.get(name)
        if memo is None or len(memo.keys) != len(keys) or any(a is not b for a, b in zip(memo.keys, keys)):
            sub = Problems()
            memo = _Memo(keys, fn(sub), list(sub.items))
            self.memo[name] = memo
        problems.extend(memo.problems)
        return memo.value

    def _activities(self, docs: list[Document], plan: m.Plan | None, problems: Problems) -> list[m.Activity]:
        """validate.activities, one document at a time, re-validating only changed documents."""
        memo: dict[str, tuple[Document, m.Plan | None, list[m.Activity], list[Problem], bool]] = {}
        old = self.act_memo
        failed = False
        for doc in docs:
            rel = doc.source.rel
            entry = old.get(rel)
            if entry is None or entry[0] is not doc or entry[1] is not plan:
                sub = Problems()
                acts = validate.activities([doc], plan, sub)
                entry = (doc, plan, acts, list(sub.items), bool(sub.errors))
            memo[rel] = entry
            failed = failed or entry[4]
        self.act_memo = memo
        if failed:  # the ordinary way, for exactly the messages of a full build
            return validate.activities(docs, plan, problems)
        out: list[m.Activity] = []
        for entry in memo.values():
            out.extend(entry[2])
            problems.extend(entry[3])
        validate._check_unique(out, problems)
        return sorted(out, key=lambda a: (a.start, a.id))

    def _translated(self, records: list[Any], found: dict[str, tuple[m.Translation, ...]],
                    config: m.SiteConfig, what: str, problems: Problems) -> list[Any]:
        """validate_texts.translate, one record at a time, again only for a record, translations
        or site config that changed (the memo keeps the objects: 10,000 records each lacking
        a translation cost 10,000 warnings a rebuild)."""
        memo = self.tr_memo.setdefault(what, {})
        fresh: dict[int, tuple[Any, Any, m.SiteConfig, Any, list[Problem]]] = {}
        out = []
        for rec in records:  # (keyed by object: a file may hold a list of activities)
            texts = found.get(rec.loc.path, ())
            hit = memo.get(id(rec))
            if hit is None or hit[0] is not rec or hit[1] is not texts or hit[2] is not config:
                sub = Problems()
                hit = (rec, texts, config, validate_texts.translate([rec], found, config, what, sub)[0], sub.items)
            fresh[id(rec)] = hit
            out.append(hit[3])
            problems.extend(hit[4])
        self.tr_memo[what] = fresh
        return out

    def assemble(self, docs: list[Document], problems: Problems, git: GitInfo,
                  static: tuple[str, ...], templates: tuple[str, ...]) -> m.Site | None:
        by_kind: dict[str, list[Document]] = {}
        for doc in docs:
            by_kind.setdefault(doc.source.kind, []).append(doc)
        site_doc = next(iter(by_kind.get("site", [])), None)
        plan_doc = next(iter(by_kind.get("plan", [])), None)
        config = self._memoised("site", (site_doc,), lambda p: validate_site.site_config(site_doc, p), problems)
        self._memoised("site-files", (config, *static),
                       lambda p: validate_site.site_files(site_doc, config, static, p), problems)
        plan = self._memoised("plan", (plan_doc,), lambda p: validate_plan.plan(plan_doc, p), problems)
        self._memoised("iati", (config, plan), lambda p: validate_site.iati_areas(config, plan, p), problems)
        act_docs = by_kind.get("activity", []) + by_kind.get("activity-list", [])
        acts = self._activities(act_docs, plan, problems)
        kinds = {k: tuple(by_kind.get(k, [])) for k in ("measurements", "area", "page", "report")}
        meas = self._memoised("measurements", (plan,) + kinds["measurements"],
                              lambda p: validate_measurements.measurements(list(kinds["measurements"]), plan, p), problems)
        texts = self._memoised("area", (plan,) + kinds["area"],
                               lambda p: validate_texts.area_texts(list(kinds["area"]), plan, p), problems)
        pages = self._memoised("page", kinds["page"],
                               lambda p: validate_texts.pages(list(kinds["page"]), p), problems)
        reports = self._memoised("report", kinds["report"],
                                 lambda p: validate_texts.reports(list(kinds["report"]), p), problems)
        tr_docs = by_kind.get("translation", [])
        found = self._memoised("translation", (config, *tr_docs),
                               lambda p: validate_texts.translations(tr_docs, config, p), problems)
        acts = self._translated(acts, found, config, "this activity", problems)
        texts = self._translated(list(texts), found, config, "this area's narrative", problems)
        pages = self._translated(list(pages), found, config, "this page", problems)
        plan_docs = tuple(by_kind.get("plan-translation", []))
        plans = self._memoised("plan-translation", (config, plan, *plan_docs),
                               lambda p: validate_texts.plan_translations(list(plan_docs), plan, config, p), problems)
        po_docs = tuple(by_kind.get("catalogue", []))
        messages = self._memoised("catalogue", (config, *po_docs),
                                  lambda p: validate_texts.catalogues(list(po_docs), config, p), problems)
        if plan is None or problems.errors:
            return None
        acts, pages, drafts = loader.published(config, list(acts), list(pages))
        loader._warn_unused(plan, acts, meas, problems)
        day, source = loader.report_date(config, plan, acts, meas, git, problems)
        if self._last_for is not git:  # sorted once per git history, not once per rebuild
            self._last = tuple(sorted((p, d.isoformat()) for p, d in git.last_changed.items()))
            self._last_for = git
        last = self._last
        return m.Site(config, plan, tuple(acts), tuple(meas), tuple(texts), tuple(pages),
                      tuple(reports), day, source, last, static, templates, git.prefix, plans, messages,
                      drafts)
