"""The records as they were committed on a date: reporting rounds and `sitegen diff` read
them from git history.

Rules (also in docs/git.md):
* The version of the records on a date is the last commit dated (committer date) on or
  before it on the first-parent history of HEAD (the branch as it was published: a side
  branch merged later was not there yet), among the commits touching the site folder.
* When that commit is the newest one (nothing was committed after the date), the records
  as they are now are used, uncommitted edits included ("now"): the latest round follows
  the working tree, in the preview too.
* When git has no commit on or before the date, or that commit's records cannot be read
  or have errors (a warning says so), the round falls back to today's records and their
  dates ("dates"), as a site without git does.
* Only what the figures need is read at a commit: site.yaml, the plan, the activities and
  the measurements, validated in memory by `loader.assemble` as a build would. A file whose
  blob at the commit is the one the working tree holds unmodified is not read again: the
  records the build made of it are taken.

Cost (a site without rounds, or outside git, runs none of it): one `git log --first-parent`
per history; per commit read, one `git ls-tree`; once per build, `git ls-files -s` and
`git diff --name-only` (which files the working tree holds as committed); and one
`git cat-file --batch` for all the blobs that differ. What was read is kept (per commit, per
blob) by the Reader, which the preview server keeps between rebuilds.

The parts: `CommitLog` (the first-parent history: the commit of a date, of a revision),
`CommitFiles` (the files at a commit, read and parsed once per blob) and `Reader` (what
other modules call: ties them, and validates each version of the records as a build would).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import model as m
from . import validate, validate_plan
from .content import Document, Source, _kind, is_junk, read_document, translated
from .errors import Problem, Problems
from .gitinfo import GitInfo, _commit_day, _git, _text

# The kinds of files a version of the records is made of (the others do not change figures).
READ_KINDS = frozenset({"site", "plan", "activity", "activity-list", "measurements"})
_ACTIVITY_KINDS = ("activity", "activity-list")
_PATHS = ("site.yaml", "content")
_KEEP_SITES = 32  # commits whose records a Reader keeps
_KEEP_BLOBS = 200_000  # documents a Reader keeps (by path and blob)


class HistoryError(Exception):
    """A revision that cannot be read (unknown, or the site is not in git)."""


@dataclass(frozen=True)
class Commit:
    """A commit of the first-parent history: its hash and committer date (None: out of range)."""

    hash: str
    day: dt.date | None


class CommitLog:
    """The first-parent history of the site folder (read once per GitInfo): which commit
    holds the records of a date, and which commit a revision names."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self._log_for: GitInfo | None = None
        self._commits: list[Commit] = []

    def commits(self, git: GitInfo) -> list[Commit]:
        """The first-parent history touching the site folder, newest first (read once per
        GitInfo: the preview reads git again when HEAD moves)."""
        if self._log_for is not git:
            where = ["--", "."] if git.prefix else []
            try:
                log = _git(self.site_dir, "log", "--first-parent", "--format=%H %cs", "HEAD", *where)
            except (OSError, subprocess.SubprocessError):
                log = None
            self._commits = []
            if log is not None and log.returncode == 0:
                for line in _text(log.stdout).splitlines():
                    sha, _, stamp = line.partition(" ")
                    if sha:
                        self._commits.append(Commit(sha, _commit_day(stamp)))
            self._log_for = git
        return self._commits

    def holding(self, git: GitInfo, day: dt.date) -> Commit | None:
        """The version of the records on `day`: the newest commit dated on or before it
        (None: git has none)."""
        return next((c for c in self.commits(git) if c.day is not None and c.day <= day), None)

    def revision(self, rev: str) -> tuple[Commit, dt.date | None]:
        """The commit a revision names and the date of the latest commit touching content/
        up to it (the report date's fallback); HistoryError when there is none."""
        try:
            found = _git(self.site_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        except (OSError, subprocess.SubprocessError) as exc:
            raise HistoryError(f"git is not available: {exc}") from exc
        sha = _text(found.stdout).strip()
        if found.returncode != 0 or not sha:
            inside = _git(self.site_dir, "rev-parse", "--is-inside-work-tree")
            if inside.returncode != 0:
                raise HistoryError(f"{self.site_dir} is not in a git repository")
            raise HistoryError(f"unknown revision: {rev}")
        log = _run(self.site_dir, "log", "-1", "--format=%cs", sha, "--", "content")
        stamp = _run(self.site_dir, "log", "-1", "--format=%cs", sha)
        return Commit(sha, _commit_day(_text(stamp).strip())), _commit_day(_text(log).strip())


class CommitFiles:
    """The files of the records at a commit, read from git and parsed, each (path, blob)
    once: which files a commit holds, which of them the working tree holds unchanged (whose
    records the build already made), and the documents of the others."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self._docs: dict[tuple[str, str], tuple[Document | None, list[Problem]]] = {}
        self._kinds: dict[str, str | None] = {}  # path -> its kind (content._kind)
        self._bases: dict[str, str | None] = {}  # path -> the record it translates (content.translated)
        self._fronts: dict[tuple[str, str], bytes | None] = {}  # (path, blob) -> its front matter
        self._raw: dict[str, bytes] = {}  # blobs read by same_front, until documents takes them
        self._worktree: dict[str, str] | None = None  # see unchanged
        self._now_fronts: dict[str, bytes | None] = {}  # path -> the working file's front matter

    def look_again(self) -> None:
        """Forget what was read of the working tree (read once per attach: it changes
        between the preview's rebuilds)."""
        self._worktree, self._now_fronts = None, {}

    def tree(self, commit: str) -> tuple[dict[str, tuple[str, str]], tuple[str, ...]]:
        """The files of the records at `commit`: path -> (blob, kind), and the static files."""
        out = _run(self.site_dir, "ls-tree", "-r", "-z", commit, "--", *_PATHS)
        tree: dict[str, tuple[str, str]] = {}
        static, kinds = [], self._kinds
        for entry in _text(out).split("\0"):
            meta, _, rel = entry.partition("\t")
            parts = meta.split(" ")
            if len(parts) != 3 or parts[1] != "blob" or parts[0] == "120000":
                continue  # (symbolic links and submodules are no records)
            kind = kinds.get(rel, "?")
            if kind == "?":
                kind = kinds[rel] = _kind(rel) if not is_junk(rel.rpartition("/")[2]) else None
            if kind == "static":
                static.append(rel)
            elif kind is not None:
                tree[rel] = (parts[2], kind)
        for rel, (_, kind) in list(tree.items()):
            # (a translation, content/activities/x.fr.md beside x.md, is no record of its own)
            if kind == "activity" and rel.lower().endswith(".md"):
                base = self._bases.get(rel, "?")
                if base == "?":
                    found = translated(rel)
                    base = self._bases[rel] = found[0] if found else None
                if base is not None and base in tree:
                    del tree[rel]
        kept = {rel: v for rel, v in sorted(tree.items()) if v[1] in READ_KINDS}
        return kept, tuple(sorted(static))

    def unchanged(self) -> dict[str, str]:
        """Path -> blob of the files the working tree holds as the index does, unmodified."""
        if self._worktree is None:
            staged = _run(self.site_dir, "ls-files", "-s", "-z", "--", *_PATHS)
            modified = set(_text(_run(self.site_dir, "diff", "--name-only", "--no-renames", "-z", "--relative",
                                      "--", *_PATHS)).split("\0"))
            found = {}
            for entry in _text(staged).split("\0"):
                meta, _, rel = entry.partition("\t")
                parts = meta.split(" ")
                if len(parts) == 3 and parts[2] == "0" and rel not in modified:
                    found[rel] = parts[1]
            self._worktree = found
        return self._worktree

    def same_front(self, tree: dict[str, tuple[str, str]], wanted: dict[str, str]) -> list[str]:
        """The Markdown activity files of `wanted` whose front matter at the commit is the
        working file's, byte for byte: a round needs no body, so the records the build made
        of them are taken (the commonest edit, a body's, costs no parsing)."""
        md = {rel: blob for rel, blob in wanted.items() if tree[rel][1] == "activity"}
        missing = sorted({blob for rel, blob in md.items() if (rel, blob) not in self._fronts})
        self._raw = _cat(self.site_dir, missing) if missing else {}
        same = []
        for rel, blob in md.items():
            front = self._fronts.get((rel, blob), b"?")
            if front == b"?":
                front = self._fronts[(rel, blob)] = _front(self._raw[blob])
            if front is None:
                continue
            now = self._now_fronts.get(rel, b"?")
            if now == b"?":
                try:
                    with open(os.path.join(self.site_dir, rel), "rb") as fh:
                        now = self._now_fronts[rel] = _front(fh.read())
                except OSError:
                    now = self._now_fronts[rel] = None
            if now == front:
                same.append(rel)
        return same

    def full(self, more: int) -> bool:
        """Whether keeping `more` documents would pass the memo's bound (_KEEP_BLOBS)."""
        return len(self._docs) + more > _KEEP_BLOBS

    def forget(self) -> None:
        """Empty the memo of documents and front matters."""
        self._docs.clear()
        self._fronts.clear()

    def documents(self, tree: dict[str, tuple[str, str]], wanted: dict[str, str],
                  problems: Problems) -> list[Document]:
        """The documents of the files in `wanted` (path -> blob), read with one
        `git cat-file --batch` for those not read before (nor by same_front)."""
        missing = sorted({blob for rel, blob in wanted.items() if (rel, blob) not in self._docs
                          and blob not in self._raw})
        raw = {**self._raw, **(_cat(self.site_dir, missing) if missing else {})}
        self._raw = {}
        docs = []
        for rel, blob in wanted.items():
            hit = self._docs.get((rel, blob))
            if hit is None:
                found = Problems()
                doc = read_document(self.site_dir, Source(rel, tree[rel][1]), found, raw[blob])
                hit = self._docs[(rel, blob)] = (doc, list(found.items))
            problems.extend(hit[1])
            if hit[0] is not None:
                docs.append(hit[0])
        return docs


class Reader:
    """Reads the records of a site folder at commits, keeping what it read (the preview
    server keeps it between rebuilds): its CommitLog says which commit each date looks at,
    its CommitFiles gives the documents at a commit, and it validates them as a build would,
    keeping each commit's records and each blob's plan and activities."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.log = CommitLog(site_dir)
        self.files = CommitFiles(site_dir)
        self._sites: dict[str, tuple[m.Site | None, list[Problem]]] = {}
        self._acts: dict[tuple[str, str, str], tuple[list[m.Activity], list[Problem]]] = {}
        self._plans: dict[str, m.Plan | None] = {}

    # -- reporting rounds --------------------------------------------------------------
    def attach(self, site: m.Site, git: GitInfo, problems: Problems) -> m.Site:
        """The site with `history`: a Snapshot for every date its rounds look at (none for a
        site without rounds or outside git); warnings for commits that cannot be read."""
        if not site.reports or not git.in_repo or not git.head:
            return site
        from .reports import round_dates
        commits = self.commits(git)
        if not commits:
            return site
        self.files.look_again()
        snaps = []
        for day, reports in round_dates(site).items():
            found = self.log.holding(git, day)
            if found is None:
                snaps.append(m.Snapshot(day, "dates"))
            elif found is commits[0]:
                snaps.append(m.Snapshot(day, "now", found.hash, found.day))
            else:
                got, errors = self.site_at(found.hash, site)
                if got is None:
                    _warn(problems, reports[0], day, found, errors)
                    snaps.append(m.Snapshot(day, "dates", found.hash, found.day))
                else:
                    snaps.append(m.Snapshot(day, "commit", found.hash, found.day, got.activities,
                                            got.measurements))
        self.files.look_again()
        return dataclasses.replace(site, history=tuple(snaps))

    def commits(self, git: GitInfo) -> list[Commit]:
        """The first-parent history touching the site folder, newest first (CommitLog.commits)."""
        return self.log.commits(git)

    # -- one version of the records ----------------------------------------------------
    def site_at(self, commit: str, current: m.Site | None = None,
                latest: dt.date | None = None) -> tuple[m.Site | None, list[Problem]]:
        """The records as committed in `commit` (a full hash), validated as a build would
        (None and the errors when they have any). `current`: the site built from the working
        tree, whose records are taken for the files it holds as committed; `latest`: the
        report date's fallback from git (the latest commit touching content/)."""
        key = f"{commit} {latest}"
        hit = self._sites.get(key)
        if hit is None:
            try:
                hit = self._read(commit, current, latest)
            except HistoryError as exc:  # (git failed: said in the warning, not kept)
                return None, [Problem("(git)", 0, 0, "error", str(exc))]
            if len(self._sites) >= _KEEP_SITES:
                self._sites.pop(next(iter(self._sites)))
            self._sites[key] = hit
        return hit

    def _read(self, commit: str, current: m.Site | None, latest: dt.date | None
              ) -> tuple[m.Site | None, list[Problem]]:
        """The records at `commit`, or None and their errors (see site_at)."""
        from .loader import assemble
        tree, static = self.files.tree(commit)
        same = self.files.unchanged() if current is not None else {}
        by_path: dict[str, list[m.Activity]] = {}
        for act in current.activities if current is not None else ():
            by_path.setdefault(act.loc.path, []).append(act)
        validated = {rel: by_path.get(rel, []) for rel, (blob, kind) in tree.items()
                     if kind in _ACTIVITY_KINDS and same.get(rel) == blob}
        measured = [rel for rel, (_, kind) in tree.items() if kind == "measurements"]
        keep_measurements = current is not None and all(same.get(r) == tree[r][0] for r in measured) and \
            {x.loc.path for x in current.measurements} <= set(measured)
        wanted = {rel: blob for rel, (blob, kind) in tree.items() if rel not in validated
                  and not (keep_measurements and kind == "measurements")}
        if current is not None:
            for rel in self.files.same_front(tree, wanted):  # (only their Markdown bodies differ)
                validated[rel] = by_path.get(rel, [])
                del wanted[rel]
        if self.files.full(len(wanted)):  # (the activities kept are those of the blobs kept)
            self.files.forget()
            self._acts.clear()
        problems = Problems()
        docs = self.files.documents(tree, wanted, problems)
        if problems.errors:
            return None, problems.errors
        # Activity files are validated one at a time, each once per blob and plan (a blob is
        # shared by many commits), then handed to assemble as validated (validate.activities).
        plan_blob = tree.get("content/plan.yaml", ("", ""))[0]
        plan = self._plan(plan_blob, next((d for d in docs if d.source.kind == "plan"), None))
        rest = []
        for doc in docs:
            rel = doc.source.rel
            if doc.source.kind not in _ACTIVITY_KINDS or plan is None:
                rest.append(doc)
                continue
            key = (rel, tree[rel][0], plan_blob)
            hit = self._acts.get(key)
            if hit is None:
                found = Problems()
                hit = self._acts[key] = (validate.activities([doc], plan, found), found.errors)
            if hit[1]:
                return None, hit[1]
            validated[rel] = hit[0]
        site = assemble(rest, problems, GitInfo(latest_content=latest, in_repo=True), static, (), validated)
        if site is None:
            return None, problems.errors
        if keep_measurements and current is not None:
            site = dataclasses.replace(site, measurements=current.measurements)
        return site, []

    def _plan(self, blob: str, doc: Document | None) -> m.Plan | None:
        """The plan of a blob (None when it has errors: assemble says which)."""
        if blob not in self._plans:
            found = Problems()
            plan = validate_plan.plan(doc, found)
            self._plans[blob] = None if found.errors else plan
        return self._plans[blob]

    # -- revisions (sitegen diff) ------------------------------------------------------
    def revision(self, rev: str) -> tuple[Commit, dt.date | None]:
        """The commit a revision names (CommitLog.revision)."""
        return self.log.revision(rev)


def _run(site_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """git's output (raises HistoryError when it fails)."""
    try:
        done = _git(site_dir, *args, timeout=600, data=stdin)
    except (OSError, subprocess.SubprocessError) as exc:
        raise HistoryError(f"git {args[0]}: {exc}") from exc
    if done.returncode != 0:
        raise HistoryError(f"git {args[0]}: {_text(done.stderr).strip()}")
    return done.stdout


def _cat(site_dir: Path, blobs: list[str]) -> dict[str, bytes]:
    """The bytes of `blobs` (one `git cat-file --batch`)."""
    out = _run(site_dir, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in blobs).encode())
    found, at = {}, 0
    for blob in blobs:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        if len(header) != 3 or header[1] != b"blob":
            raise HistoryError(f"git cat-file: no blob {blob}")
        size = int(header[2])
        found[blob] = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return found


def _front(raw: bytes) -> bytes | None:
    """The front matter of a Markdown file's bytes, both `---` lines included (None: none
    found, or not where a reading of it is sure to be the same)."""
    if not raw.startswith(b"---\n"):
        return None
    end = raw.find(b"\n---\n", 3)
    return raw[:end + 5] if end >= 0 and b"\r" not in raw[:end] else None


def _warn(problems: Problems, report: m.Report, day: dt.date, commit: Commit, errors: list[Problem]) -> None:
    """The warning for a version of the records that could not be used."""
    first = errors[0] if errors else None
    why = f": {first.path}:{first.line}:{first.column}: {first.message}" if first else ""
    problems.warning(report.loc.path, report.loc.line, 1,
                     f"the records as committed on {commit.day} ({commit.hash[:10]}) have errors{why}; "
                     f"the rounds looking at {day} use today's records and their dates",
                     "the round pages say so; fixing the old commit is not needed")
