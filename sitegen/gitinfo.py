"""What git knows about the site's files, read with one `git log` per build."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class GitInfo:
    """Last commit date of each file (paths relative to the site folder)."""

    last_changed: dict[str, dt.date] = field(default_factory=dict)
    latest_content: dt.date | None = None
    shallow: bool = False


def read_history(site_dir: Path) -> GitInfo:
    """One `git log` over the site folder; an empty GitInfo without git or commits."""
    try:
        top = subprocess.run(["git", "-C", str(site_dir), "rev-parse", "--is-shallow-repository"],
                             capture_output=True, text=True, timeout=30, check=False)
        if top.returncode != 0:
            return GitInfo()
        log = subprocess.run(
            ["git", "-C", str(site_dir), "-c", "core.quotepath=off", "log", "--format=%x00%cs",
             "--name-only", "--relative", "-M", "--", "."],
            capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError):
        return GitInfo()
    if log.returncode != 0:
        return GitInfo()
    changed: dict[str, dt.date] = {}
    latest: dt.date | None = None
    day: dt.date | None = None
    for line in log.stdout.split("\n"):
        if line.startswith("\x00"):
            try:
                day = dt.date.fromisoformat(line[1:].strip())
            except ValueError:
                day = None
            continue
        path = line.strip()
        if not path or day is None:
            continue
        if path not in changed:
            changed[path] = day
        if path.startswith("content/") and (latest is None or day > latest):
            latest = day
    return GitInfo(changed, latest, top.stdout.strip() == "true")
