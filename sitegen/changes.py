"""What changed in the records between two git revisions (`sitegen diff`), as data, text or
JSON: activities added and removed, status changes, indicator values moved.

Each revision's records are read as history.py reads a round's (site.yaml, plan, activities,
measurements at that commit, validated in memory) and each indicator's value is taken on
that revision's report date (its `as_of`, else the date of its latest commit touching
content/, else the newest date its records report done), with that revision's plan. Statuses are the
recorded ones. Lists are sorted by id.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import model as m
from .errors import Problem
from .gitinfo import _git, _text
from .history import Commit, HistoryError, Reader
from .progress import area_progress
from .reports import json_number


@dataclass
class RevisionErrors(Exception):
    """The records at a revision have errors (a build of it would fail)."""

    rev: str
    problems: list[Problem]


def values(site: m.Site) -> dict[str, float | None]:
    """Each indicator's value on the site's report date."""
    return {p.indicator.id: p.value
            for a in site.plan.areas
            for p in area_progress(a, site.plan, site.activities, site.measurements, site.report_date).indicators}


def compare(site_dir: Path, rev1: str, rev2: str) -> dict[str, Any]:
    """What changed from `rev1` to `rev2` (HistoryError: a revision git does not know;
    RevisionErrors: records with errors)."""
    reader = Reader(site_dir)
    sides: list[tuple[dict[str, Any], m.Site]] = []
    for rev in (rev1, rev2):
        commit, latest = reader.revision(rev)
        site, problems = reader.site_at(commit.hash, None, latest)
        if site is None:
            raise RevisionErrors(rev, problems)
        sides.append((_side(rev, commit, site), site))
    (before, a), (after, b) = sides
    old, new = {x.id: x for x in a.activities}, {x.id: x for x in b.activities}
    then, now = values(a), values(b)
    return {
        "from": before, "to": after,
        "added": [_activity(new[i]) for i in sorted(new.keys() - old.keys())],
        "removed": [_activity(old[i]) for i in sorted(old.keys() - new.keys())],
        "status_changes": [{"id": i, "from": old[i].status, "to": new[i].status}
                           for i in sorted(old.keys() & new.keys()) if old[i].status != new[i].status],
        "indicators_moved": [{"id": i, "from": json_number(then.get(i)), "to": json_number(now.get(i))}
                             for i in sorted(then.keys() | now.keys()) if then.get(i) != now.get(i)],
    }


def uncommitted(site_dir: Path, found: dict[str, Any]) -> list[str]:
    """The record files (`site.yaml`, under `content/`) whose working copy differs from HEAD
    (edited, added, deleted, not yet tracked), when a revision compared is HEAD's commit:
    the comparison reads commits, so it does not see them. Paths as git prints them,
    relative to the repository; [] when neither revision is HEAD or git cannot tell."""
    try:
        head = _git(site_dir, "rev-parse", "--verify", "--quiet", "HEAD")
        if head.returncode != 0 or _text(head.stdout).strip() not in (found["from"]["commit"], found["to"]["commit"]):
            return []
        status = _git(site_dir, "status", "--porcelain", "-z", "--untracked-files=all", "--", "site.yaml", "content")
    except (OSError, subprocess.SubprocessError):
        return []
    if status.returncode != 0:
        return []
    paths, entries = [], iter(_text(status.stdout).split("\0"))
    for entry in entries:
        if len(entry) > 3:
            paths.append(entry[3:])
            if "R" in entry[:2] or "C" in entry[:2]:
                next(entries, None)  # the source of a rename or copy, an entry of its own
    return sorted(paths)


def _side(rev: str, commit: Commit, site: m.Site) -> dict[str, Any]:
    return {"revision": rev, "commit": commit.hash, "committed": commit.day.isoformat() if commit.day else None,
            "report_date": site.report_date.isoformat()}


def _activity(act: m.Activity) -> dict[str, str]:
    return {"id": act.id, "title": act.title, "status": act.status}


def as_json(found: dict[str, Any]) -> str:
    return json.dumps(found, ensure_ascii=False, indent=2) + "\n"


def as_text(found: dict[str, Any]) -> str:
    """The changes as lines of text (for a terminal or a pull-request comment)."""
    def side(s: dict[str, Any]) -> str:
        short = s["commit"][:10]
        facts = f"committed {s['committed']}, report date {s['report_date']}"
        return f"{short} ({facts})" if s["commit"].startswith(s["revision"]) else f"{s['revision']} ({short}, {facts})"

    def value(v: Any) -> str:
        return "no value" if v is None else str(v)

    lines = [f"Changes from {side(found['from'])} to {side(found['to'])}"]
    lines.append(f"Activities added ({len(found['added'])}):")
    lines += [f"  + {a['id']}  {a['title']} ({a['status']})" for a in found["added"]]
    lines.append(f"Activities removed ({len(found['removed'])}):")
    lines += [f"  - {a['id']}  {a['title']} ({a['status']})" for a in found["removed"]]
    lines.append(f"Status changes ({len(found['status_changes'])}):")
    lines += [f"  {c['id']}: {c['from']} -> {c['to']}" for c in found["status_changes"]]
    lines.append(f"Indicator values moved ({len(found['indicators_moved'])}):")
    lines += [f"  {c['id']}: {value(c['from'])} -> {value(c['to'])}" for c in found["indicators_moved"]]
    return "\n".join(lines) + "\n"


__all__ = ["HistoryError", "RevisionErrors", "as_json", "as_text", "compare"]
