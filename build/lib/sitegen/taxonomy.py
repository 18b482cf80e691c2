"""Tags, partners and activity types as ways into the activities: the terms each kind has,
their URL slugs and their records (pure: no file access).

A term's slug is a function of its name alone (`slug`), so that an activity page can link
its tags without knowing the others, and a page's dependencies stay its own records'. Names
that slugify alike ("Data quality", "data-quality") are one term with one page, shown under
the commonest spelling; the others are listed on it ("also written").
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from . import model as m
from .fields import id_problem, slugify

# kind -> the folder of its pages (tags/<slug>/...)
FOLDERS = {"tag": "tags", "partner": "partners", "type": "types"}
# Windows' device names: refused as folder names there (a slug gets "_" after them)
_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
SLUG_LENGTH = 80


@dataclass(frozen=True)
class Term:
    """A tag, partner or activity type, and the activities that name it."""

    kind: str  # "tag", "partner" or "type" (FOLDERS)
    slug: str
    name: str  # as shown: the plan's spelling, else the commonest among the records
    names: tuple[str, ...]  # every spelling the plan and the records use, sorted
    activities: tuple[m.Activity, ...]  # newest first
    url: str = ""  # a partner's website (the plan's `partners`)
    in_plan: bool = False  # declared by the plan (its partners, its activity types)

    @property
    def others(self) -> tuple[str, ...]:
        """The spellings other than the one shown."""
        return tuple(n for n in self.names if n != self.name)


@functools.lru_cache(maxsize=65536)
@functools.lru_cache(maxsize=8192)  # (a pure function of a short text; every rebuild asks for every record's)
def slug(name: str) -> str:
    """A name's URL slug: lower-case letters, digits and hyphens (slugify), at most 80
    characters; a device name of Windows gets "_" after it, and a name without letters or
    digits ("+++") a hash of itself after "_". (Ids' reserved names, such as "page", are
    fine as folders under tags/: hence the "x" before the check.)"""
    found = slugify(name)[:SLUG_LENGTH].strip("-")
    if found in _DEVICES:
        return found + "_"
    if not found or id_problem("x" + found):
        return "_" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return found


def values(act: m.Activity, kind: str) -> tuple[str, ...]:
    """The names an activity gives to terms of `kind`."""
    if kind == "tag":
        return act.tags
    if kind == "partner":
        return act.partners
    return (act.type,) if act.type else ()


def record_deps(act: m.Activity) -> set[str]:
    """The deps (`render.Job.deps`) of the term pages that list `act`: "tag:<slug>",
    "partner:<slug>", "type:<slug>"."""
    return {f"{kind}:{slug(v)}" for kind in FOLDERS for v in values(act, kind)}


def terms(plan: m.Plan, newest_first: list[m.Activity] | tuple[m.Activity, ...], kind: str) -> tuple[Term, ...]:
    """Every term of `kind`: the plan's (partners, activity types) and those the activities
    name, each with its activities newest first (`newest_first`: all activities in that
    order), sorted by name."""
    declared: dict[str, list[tuple[str, str]]] = {}  # slug -> (name, url) as the plan gives them
    if kind == "partner":
        for p in plan.partners:
            declared.setdefault(slug(p.name), []).append((p.name, p.url))
    elif kind == "type":
        for t in plan.activity_types:
            declared.setdefault(slug(t), []).append((t, ""))
    listed: dict[str, list[m.Activity]] = {s: [] for s in declared}
    spelled: dict[str, dict[str, int]] = {s: {} for s in declared}
    for act in newest_first:
        seen = set()
        for name in values(act, kind):
            s = slug(name)
            counts = spelled.setdefault(s, {})
            counts[name] = counts.get(name, 0) + 1
            if s not in seen:  # (two spellings of one term on a record: listed once)
                seen.add(s)
                listed.setdefault(s, []).append(act)
    out = []
    for s, counts in spelled.items():
        given = declared.get(s, [])
        names = sorted({*counts, *(n for n, _ in given)})
        name = given[0][0] if given else min(counts, key=lambda n: (-counts[n], n))
        url = next((u for _, u in given if u), "")
        out.append(Term(kind, s, name, tuple(names), tuple(listed[s]), url, bool(given)))
    return tuple(sorted(out, key=lambda t: (t.name.casefold(), t.name, t.slug)))
