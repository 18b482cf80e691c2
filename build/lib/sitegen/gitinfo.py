"""What git knows about the site's files, read with two git invocations per build.

1. `git rev-parse --is-shallow-repository --show-prefix`: is this a git work tree, is the
   clone shallow, and where the site folder sits inside the repository (edit and history
   links need paths relative to the repository root).
2. `git log -z --name-status -M -- .`: every commit touching the site folder, newest first,
   with the files it changed.

(A site with reporting rounds reads the records as committed on the rounds' dates too:
see history.py, which runs its own git calls only then.)

Rules (also in the README):
* A file's "last changed" date is the committer date of the newest commit that changed its
  content. A pure rename (git reports 100% similarity) is not a change: the renamed file
  keeps the dates of its earlier commits under the old name, however often it was moved.
  A rename with edits counts as a change on that day.
* Uncommitted edits are not seen: a modified file shows its last commit date, a new file
  that was never committed shows none.
* In a shallow clone the oldest fetched commits have no parents, so git shows every file as
  added there. Dates that come only from such a boundary commit are dropped (the page then
  shows no date) rather than shown wrongly; build with the full history
  (`fetch-depth: 0` in GitHub Actions) to get them all.
* `latest_content` (the report date fallback) is the newest commit date touching
  `content/`, boundary commits included.
* Commit dates are set by whoever commits (`GIT_COMMITTER_DATE`, a wrong clock): a date
  outside the years that record dates may have (fields.MIN_YEAR-MAX_YEAR) is ignored, for the
  report date and for "last changed" alike, and the newest such date is kept in
  `ignored_date` so that the build can warn about it.
* Without git, outside a work tree, in a repository without commits or when git fails, the
  build gets an empty GitInfo and pages simply show no dates.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .fields import MAX_YEAR, MIN_YEAR

# Settings that would change what `git log` prints, pinned whatever the user's config says.
_CONFIG = ("core.quotepath=off", "log.showRoot=true", "log.showSignature=false",
           "diff.renames=true", "color.ui=false")
# Variables that point git at another repository or index (as set inside git hooks).
_REPO_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR",
              "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE")


@dataclass(frozen=True)
class GitInfo:
    """Last change date of each file (paths relative to the site folder) and repository facts."""

    last_changed: dict[str, dt.date] = field(default_factory=dict)
    latest_content: dt.date | None = None
    shallow: bool = False
    prefix: str = ""  # the site folder inside the repository, "" or "sub/dir/"
    in_repo: bool = False
    ignored_date: str = ""  # the newest commit date outside MIN_YEAR-MAX_YEAR, as git gave it
    head: str = ""  # the newest commit touching the site folder (history.py: a new one is a new history)


def _git(site_dir: Path, *args: str, timeout: float = 120,
         data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git in `site_dir` with a pinned, prompt-free environment (`data` on its standard
    input); raises OSError without git."""
    env = {k: v for k, v in os.environ.items() if k not in _REPO_VARS}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0",
                "LC_ALL": "C"})
    cmd = ["git", "-C", str(site_dir)]
    for item in _CONFIG:
        cmd += ["-c", item]
    if data is not None:
        return subprocess.run(cmd + list(args), capture_output=True, timeout=timeout, check=False,
                              env=env, input=data)
    return subprocess.run(cmd + list(args), capture_output=True, timeout=timeout, check=False,
                          env=env, stdin=subprocess.DEVNULL)


def _text(raw: bytes) -> str:
    # The same decoding Python uses for file names on disk, so keys match content.discover.
    return raw.decode("utf-8", "surrogateescape")


def read_history(site_dir: Path) -> GitInfo:
    """Dates of the site's files from git; an empty GitInfo without git or commits."""
    try:
        head = _git(site_dir, "rev-parse", "--is-shallow-repository", "--show-prefix", timeout=30)
        if head.returncode != 0:
            return GitInfo()
        lines = _text(head.stdout).split("\n")
        shallow = lines[0].strip() == "true"
        prefix = lines[1] if len(lines) > 1 else ""
        # At the repository root every commit is wanted: no pathspec, so git skips the
        # history simplification it would otherwise do (a tree comparison per commit).
        where = ["--relative", "--", "."] if prefix else []
        log = _git(site_dir, "log", "-z", "--date-order", "--format=@%cs %H %P", "--name-status",
                   "--no-ext-diff", "--no-color", "-M", *where)
    except (OSError, subprocess.SubprocessError):
        return GitInfo()
    if log.returncode != 0:  # e.g. no commits yet
        return GitInfo(shallow=shallow, prefix=prefix, in_repo=True)
    changed, latest, ignored, newest = parse_log(_text(log.stdout), shallow)
    return GitInfo(changed, latest, shallow, prefix, True, ignored, newest)


class History:
    """read_history(site_dir) in a background thread: git runs while the build reads files."""

    def __init__(self, site_dir: Path):
        self._info: GitInfo | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(site_dir,), daemon=True)
        self._thread.start()

    def _run(self, site_dir: Path) -> None:
        try:
            self._info = read_history(site_dir)
        except BaseException as exc:  # re-raised in the caller's thread by result()
            self._error = exc

    def result(self) -> GitInfo:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._info is not None
        return self._info


def parse_log(out: str, shallow: bool) -> tuple[dict[str, dt.date], dt.date | None, str, str]:
    """`git log -z --format=@%cs %H %P --name-status -M` output -> (last change per path, latest
    content, the newest commit date ignored as out of range, the first commit listed)."""
    changed: dict[str, dt.date] = {}
    ignored = newest = ""
    renamed: dict[str, str] = {}  # old path -> the path the file has now (newest name)
    gone: set[str] = set()  # deleted and not re-created since: older commits do not matter
    latest: dt.date | None = None
    day: dt.date | None = None
    boundary = False
    tokens = out.split("\0")
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i].lstrip("\n")
        i += 1
        if not token:
            continue
        if token.startswith("@"):
            stamp, _, rest = token[1:].partition(" ")
            commit, _, parents = rest.partition(" ")
            newest = newest or commit
            day = _commit_day(stamp)
            if day is None and not ignored:  # the first git lists: --date-order puts new ones first
                ignored = stamp
            boundary = shallow and not parents.strip()
            continue
        kind = token[0]
        if kind in "RC":
            old, new = tokens[i], tokens[i + 1] if i + 1 < n else ""
            i += 2
        else:
            old, new = "", tokens[i] if i < n else ""
            i += 1
        if day is None or not new:
            continue
        if (latest is None or day > latest) and (new.startswith("content/") or old.startswith("content/")):
            latest = day
        current = renamed.get(new, new)
        if kind == "R":
            renamed[old] = current
            if token[1:] == "100":
                continue  # a pure move: the content did not change
        if kind == "D":
            if current not in changed:
                gone.add(current)
            continue
        if boundary or current in gone:
            continue
        if current not in changed or day > changed[current]:
            changed[current] = day
    return changed, latest, ignored, newest


def _commit_day(stamp: str) -> dt.date | None:
    """The date of `%cs` text, or None when it is no date or outside MIN_YEAR-MAX_YEAR."""
    try:
        day = dt.date.fromisoformat(stamp)
    except ValueError:  # e.g. year 3170843 from a committer date of @99999999999999
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None
