"""Validation for the preview server: the steps of `loader.assemble`, memoised per input
document (the same assembly as a build's, with other `loader.Steps`).

An activity file is validated again only when it (or the plan) changed; on any activity
error the whole list is validated again the ordinary way, so that the messages are those of
`sitegen check`. Other record kinds are validated again when one of their documents (or
the plan they depend on) is a new object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import loader, validate, validate_texts
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


class Assembler(loader.Steps):
    """The steps of loader.assemble, each run again only when the documents and values it is
    made of are new objects (a preview rebuild keeps unchanged files' documents)."""

    def __init__(self) -> None:
        self.memo: dict[str, _Memo] = {}
        self.act_memo: ActivityMemo = {}
        self.tr_memo: dict[str, dict[int, tuple[Any, Any, m.SiteConfig, Any, list[Problem]]]] = {}
        self._last_for: GitInfo | None = None
        self._last: tuple[tuple[str, str], ...] = ()

    def assemble(self, docs: list[Document], problems: Problems, git: GitInfo,
                 static: tuple[str, ...], templates: tuple[str, ...]) -> m.Site | None:
        """loader.assemble with these steps."""
        return loader.assemble(docs, problems, git, static, templates, steps=self)

    def run(self, name: str, inputs: tuple[Any, ...], step: Callable[[Problems], Any], problems: Problems) -> Any:
        memo = self.memo.get(name)
        if memo is None or len(memo.keys) != len(inputs) or any(a is not b for a, b in zip(memo.keys, inputs)):
            sub = Problems()
            memo = _Memo(inputs, step(sub), list(sub.items))
            self.memo[name] = memo
        problems.extend(memo.problems)
        return memo.value

    def activities(self, docs: list[Document], plan: m.Plan | None, problems: Problems,
                   validated: Iterable[list[m.Activity]] = ()) -> list[m.Activity]:
        """validate.activities, one document at a time, re-validating only changed documents
        (the preview validates every file itself: `validated` is for a build's cache)."""
        given = list(validated)
        if given:
            return super().activities(docs, plan, problems, given)
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

    def translated(self, records: list[Any], found: dict[str, tuple[m.Translation, ...]],
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

    def last_changed(self, git: GitInfo) -> tuple[tuple[str, str], ...]:
        if self._last_for is not git:  # sorted once per git history, not once per rebuild
            self._last = super().last_changed(git)
            self._last_for = git
        return self._last
