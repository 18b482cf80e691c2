"""Hostile and unlucky inputs, round two (issue #14): CI annotations, dates from git,
identifiers, YAML values of unexpected types, and large measurement tables."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest

from sitegen import cli, gitinfo, loader, render
from sitegen.gitinfo import GitInfo
from tests.sitekit import BASELINE, dedent, make_site, where

# -- a valid site written in block style, so that every field sits on a line of its own ------

BLOCK: dict[str, str] = {
    "site.yaml": dedent("""
        title: Test plan progress
        base_url: https://example.org/test/
        language: en
        as_of: 2019-12-31
        repo_url: https://github.com/org/plan
        repo_branch: main
        repo_kind: github
        allow_raw_html: false
        activities_per_page: 100
        """),
    "content/plan.yaml": dedent("""
        title: Test Plan
        summary: A plan.
        start: 2018-01-01
        end: 2020-12-31
        partners:
          - name: Alpha Org
            url: https://alpha.example.org
          - Beta Org
        activity_types:
          - workshop
          - training-course
        areas:
          - id: border-security
            title: Border security
            summary: Borders.
            lead: Alpha Org
            color: "#1f77b4"
            objectives:
              - Secure borders
            indicators:
              - id: bs-trained
                title: Officers trained
                unit: people
                baseline: 0
                target: 100
                source: activities
                sum: participants
                where:
                  type:
                    - training-course
                  tags: documents
                description: Trained officers.
                milestones:
                  - date: 2019-01-01
                    target: 50
              - id: bs-posts
                title: Border posts connected
                baseline: 2
                target: 10
                source: measurements
          - id: firearms
            title: Firearms
            indicators:
              - id: fa-experts
                title: Experts trained
                target: 50
                source: contributions
        """),
    "content/activities/border-course.md": "---\n" + dedent("""
        title: Border officers course
        area: border-security
        status: completed
        start: 2018-03-05
        end: 2018-03-09
        planned_start: 2018-03-01
        planned_end: 2018-03-02
        type: training-course
        location:
          city: Vienna
          country: AT
        countries:
          - AT
          - DE
        participants:
          total: 20
          women: 8
          men: 12
        partners:
          - Alpha Org
        tags:
          - documents
        outputs:
          - title: Report
            url: https://example.org/r.pdf
        contributes:
          fa-experts: 12
        id: border-course
        """) + "---\n\nOfficers practised document checks.\n",
    "content/activities/list.yaml": dedent("""
        - id: fw
          title: Firearms workshop
          area:
            - firearms
          status: in-progress
          start: 2019-04-10
          end: 2020-02-01
          type: workshop
          participants: 15
          body: A workshop.
        """),
    "content/measurements/posts.yaml": dedent("""
        - indicator: bs-posts
          date: 2019-06-30
          value: 4
          note: survey
        """),
    "content/measurements/posts.csv": "indicator,date,value,note\nbs-posts,2018-12-31,4,first survey\n",
    "content/areas/firearms.md": "---\ntitle: Firearms\n---\n\nThe narrative.\n",
    "content/pages/about.md": "---\ntitle: About\norder: 1\nslug: about\n---\n\nTest data.\n",
    "content/reports/2019.yaml": dedent("""
        id: r2019
        title: Year 2019
        start: 2019-01-01
        end: 2019-12-31
        narrative: A good year.
        """),
}

# Values of unexpected types and ranges, as YAML text that fits after `key: ` or `- `.
VALUES: dict[str, str] = {
    "list": "[a, b]", "empty-list": "[]", "mapping": "{a: 1}", "empty-mapping": "{}",
    "null": "null", "int": "42", "bool": "true", "float": "1.5", "empty": "''",
    "date-time-text": "2019-01-01 10:00:00", "timestamp": "!!timestamp 2019-01-01",
    "timestamp-time": "!!timestamp 2019-01-01T10:00:00Z", "timestamp-far": "!!timestamp 9999-12-31",
    "set": "!!set {a, b}", "binary": "!!binary aGVsbG8=", "pairs": "!!pairs [a: 1]",
    "omap": "!!omap [a: 1]", "bad-int": "!!int abc", "bad-float": "!!float abc",
    "bad-bool": "!!bool maybe", "str-tag": "!!str 1", "null-tag": "!!null x",
    "exp-text": "1e400", "float-overflow": "1.0e+400", "big-int": "9" * 41,
    "big-negative-int": "-" + "9" * 41, "too-many-digits": "9" * 5000,
    "long-hex": "0x" + "f" * 5000, "inf": ".inf", "negative-inf": "-.inf", "nan": ".nan",
    "negative-zero": "-0", "octal": "017", "octal-0o": "0o17", "hex": "0x1F",
    "sexagesimal": "1:20", "sexagesimal-float": "1:20.5", "binary-int": "0b101",
    "underscores": "1_000", "newline": '"abc\\n"', "control": '"a\\x01"',
    "undefined-alias": "*nope", "far-date": "5138-01-01", "tab": '"a\\tb"',
}
# Mapping keys of unexpected types, as YAML text put in place of a key.
KEYS: dict[str, str] = {
    "key-list": "[a, b]", "key-complex": "? [a, b]", "key-mapping": "{a: 1}", "key-null": "null",
    "key-tilde": "~", "key-int": "1", "key-bool": "true", "key-date": "2019-01-01",
    "key-float": "1.5", "key-nan": ".nan", "key-binary": "!!binary aGk=", "key-merge": "<<",
    "key-set": "? !!set {a}", "key-newline": '"a\\nb"',
}
_KEY_LINE = re.compile(r"(\s*(?:- )?)([\w.-]+):(?: (.*))?\Z")
_ITEM_LINE = re.compile(r"(\s*)- (.*)\Z")


def yaml_span(text: str) -> tuple[int, int]:
    """The lines of `text` that hold YAML: the front matter of a Markdown file, else all."""
    lines = text.split("\n")
    if lines[0] == "---":
        return 1, lines.index("---", 1)
    return 0, len(lines)


def positions(text: str) -> list[int | str]:
    """Where a hostile value can go: 'doc' (the whole document) and each key or item line."""
    lines = text.split("\n")
    first, last = yaml_span(text)
    out: list[int | str] = ["doc"]
    out += [i for i in range(first, last) if _KEY_LINE.match(lines[i]) or _ITEM_LINE.match(lines[i])]
    return out


def _block_end(lines: list[str], i: int, indent: int, last: int) -> int:
    """The line after the nested block of line i (lines indented deeper than `indent`)."""
    j = i + 1
    while j < last and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
        j += 1
    return j


def mutate(text: str, pos: int | str, value: str, as_key: bool = False) -> str | None:
    """`text` with `value` put at `pos` (as the key when `as_key`); None when it does not fit."""
    lines = text.split("\n")
    first, last = yaml_span(text)
    if pos == "doc":
        return None if as_key else "\n".join(lines[:first] + [value] + lines[last:])
    assert isinstance(pos, int)
    line = lines[pos]
    pair = _KEY_LINE.match(line)
    if pair is None:  # a list item
        if as_key:
            return None
        item = _ITEM_LINE.match(line)
        assert item is not None
        lines[pos] = f"{item.group(1)}- {value}"
        return "\n".join(lines)
    prefix, key, rest = pair.groups()
    if as_key:
        if value.startswith("? "):
            pad = " " * len(prefix)
            lines[pos:pos + 1] = [f"{prefix}{value}", f"{pad}:" + (f" {rest}" if rest else "")]
        else:
            lines[pos] = f"{prefix}{value}:" + (f" {rest}" if rest else "")
        return "\n".join(lines)
    end = _block_end(lines, pos, len(prefix), last)
    lines[pos:end] = [f"{prefix}{key}: {value}"]
    return "\n".join(lines)


# -- running `sitegen check --format json` in this process, thousands of times ---------------

class _MemoryBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory across runs."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


Check = Callable[[Path], tuple[int, str, str]]


@pytest.fixture(scope="module")
def run_check() -> Iterator[Check]:
    """`sitegen check --format json SITE` in process: (exit status, stdout, stderr or traceback)."""
    cache = _MemoryBytecode()
    original = render.environment
    made: dict[tuple[Any, ...], jinja2.Environment] = {}

    def environment(site_dir: Path | None, bytecode_cache: Any = None, words: Any = None) -> jinja2.Environment:
        # (one per site folder and words, as the preview keeps one while they stay: the sites
        # here have no templates of their own, and a renderer's fragments are its own)
        key = (site_dir, words)
        if key not in made:
            made[key] = original(site_dir, cache, words)
        return made[key]

    with pytest.MonkeyPatch.context() as patch:
        # Not what these tests are about, and thousands of runs: no git process per run, and
        # templates compiled and loaded once (the pages rendered are the same).
        patch.setattr(loader, "read_history", lambda site_dir: GitInfo())
        patch.setattr(gitinfo, "read_history", lambda site_dir: GitInfo())  # (History's thread)
        patch.setattr(render, "environment", environment)

        def run(site: Path) -> tuple[int, str, str]:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = cli.main(["check", "--format", "json", str(site)])
                except BaseException:  # noqa: BLE001 - a crash is what the tests look for
                    return -1, out.getvalue(), traceback.format_exc()
            return code, out.getvalue(), err.getvalue()

        yield run


def bad_outcome(code: int, out: str, err: str) -> str:
    """Why a `check --format json` run is not a clean outcome, or ''."""
    if code == -1 or "Traceback" in err:
        return "traceback: " + err.strip().splitlines()[-1]
    try:
        problems = json.loads(out)
    except ValueError:
        return f"no JSON on stdout: {out[:80]!r}"
    if not isinstance(problems, list) or not all(
            isinstance(p, dict) and isinstance(p.get("path"), str) and isinstance(p.get("line"), int)
            and isinstance(p.get("message"), str) for p in problems):
        return f"not a list of located problems: {out[:80]!r}"
    errors = any(p["severity"] == "error" for p in problems)
    if code != (1 if errors else 0):
        return f"exit status {code} with {len(problems)} problem(s)"
    return ""


def test_the_block_site_is_valid(make_site: Callable[..., Path], run_check: Check) -> None:
    site = make_site(base=BLOCK)
    assert run_check(site) == (0, "[]\n", "")
    assert len(positions(BLOCK["content/plan.yaml"])) > 40


@pytest.mark.parametrize("name", [*VALUES, *KEYS])
def test_unexpected_yaml_at_every_field_gives_json_not_a_traceback(
        name: str, make_site: Callable[..., Path], run_check: Check) -> None:
    value, as_key = (KEYS[name], True) if name in KEYS else (VALUES[name], False)
    site = make_site(base=BLOCK)
    failures = []
    for rel, text in BLOCK.items():
        if rel.endswith(".csv"):
            continue
        for pos in positions(text):
            changed = mutate(text, pos, value, as_key)
            if changed is None:
                continue
            (site / rel).write_text(changed, encoding="utf-8")
            why = bad_outcome(*run_check(site))
            if why:
                failures.append(f"{rel} at {pos}: {why}")
        (site / rel).write_text(text, encoding="utf-8")
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures[:8])


CELLS = ["", "abc", "1e400", "-1e400", "nan", "inf", "-0", "0x1F", "1_000", "9" * 5000, "9" * 41,
         "\uff11\uff12", "2019-02-30", "5138-01-01", "2019-01-01\n", '"', "a\x01", "=1+1", " 4 ",
         "1:20", "true", "a,b", "1\n2"]


def test_unexpected_csv_cells_give_json_not_a_traceback(make_site: Callable[..., Path],
                                                        run_check: Check) -> None:
    site = make_site(base=BLOCK)
    rel = "content/measurements/posts.csv"
    header, row = "indicator,date,value,note", ["bs-posts", "2018-12-31", "4", "first survey"]
    failures = []
    for k in range(len(row)):
        for cell in CELLS:
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow(row[:k] + [cell] + row[k + 1:])
            (site / rel).write_text(f"{header}\n{out.getvalue()}", encoding="utf-8")
            why = bad_outcome(*run_check(site))
            if why:
                failures.append(f"column {k}, {cell[:20]!r}: {why}")
    assert not failures, "\n".join(failures[:8])


@pytest.mark.parametrize("value, message", [
    ("!!int abc", "invalid YAML: 'abc' cannot be read as a whole number"),
    ("!!float abc", "invalid YAML: 'abc' cannot be read as a number"),
    ("!!bool maybe", "invalid YAML: 'maybe' cannot be read as true or false"),
    ("9" * 5000, "invalid YAML: '" + "9" * 37 + "...' cannot be read as a whole number (too many digits)"),
    ("!!timestamp 2019-01-01T10:00:00Z", "unsupported YAML tag 'tag:yaml.org,2002:timestamp'"),
    ("!!timestamp 9999-12-31", "unsupported YAML tag 'tag:yaml.org,2002:timestamp'"),
    ("!!set {a, b}", "unsupported YAML tag 'tag:yaml.org,2002:set'"),
    ("!!omap [a: 1]", "unsupported YAML tag 'tag:yaml.org,2002:omap'"),
], ids=["int", "float", "bool", "digits", "datetime", "year-9999", "set", "omap"])
def test_yaml_values_that_crashed_are_located_errors(value: str, message: str, make_site: Callable[..., Path],
                                                     run_check: Check) -> None:
    plan = BLOCK["content/plan.yaml"].replace("target: 100", f"target: {value}")
    code, out, _ = run_check(make_site({"content/plan.yaml": plan}, base=BLOCK))
    line = plan.split("\n").index(f"        target: {value}") + 1
    assert code == 1
    assert [(p["path"], p["line"], p["message"][:len(message)]) for p in json.loads(out)] == [
        ("content/plan.yaml", line, message)]


# -- item 5: `check --format github` with hostile file names ----------------------------------

def _unescape(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for escaped, char in pairs:
        text = text.replace(escaped, char)
    return text


_DATA = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
_PROPERTY = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))


def workflow_commands(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """Workflow commands as GitHub's runner reads them (ActionCommand.TryParseV2): one per line
    (\\r, \\n or \\r\\n end a line), `::name k=v,k=v::data`, values unescaped in its order."""
    found = []
    for line in re.split(r"\r\n|\r|\n", stdout):
        line = line.lstrip()
        end = line.find("::", 2)
        if not line.startswith("::") or end < 0:
            continue
        info, data = line[2:end], line[end + 2:]
        name, _, props_text = info.partition(" ")
        props = {}
        for item in props_text.strip().split(","):
            key, sep, value = item.partition("=")
            if sep and key and value:
                props[key] = _unescape(value, _PROPERTY)
        found.append((name, props, _unescape(data, _DATA)))
    return found


HOSTILE_NAMES = ["a\nb.md", "c,line=1.md", "d:e.md", "f::error::g.md", "h%0Ai.md", "j\r.md",
                 "k\n::error file=x::pwn.md", "l%25%3A.md", "m, n=o.md", "p\n::add-mask::q.md"]
BAD_RECORD = "---\ntitle: Bad\narea: nowhere\nstatus: completed\nstart: 2019-01-10\n---\n\nBody.\n"


def test_github_annotations_are_one_per_problem_whatever_the_file_names(
        make_site: Callable[..., Path], sitegen: Callable[..., Any]) -> None:
    names = {f"content/activities/{name}": BAD_RECORD for name in HOSTILE_NAMES}
    stray = "content/notes:1, "  # a file sitegen ignores (a warning without a line), ending in a space
    site = make_site({**names, stray: "x"})
    annotations = sitegen("check", "--format", "github", site)
    problems = sitegen("check", "--format", "json", site).json()
    commands = workflow_commands(annotations.stdout)
    assert annotations.returncode == 1
    assert len(annotations.stdout.splitlines()) == len(commands) == len(problems)
    for (name, props, data), problem in zip(commands, problems):
        assert name == problem["severity"]
        assert props["file"] == problem["path"]
        assert props.get("line") == (str(problem["line"]) if problem["line"] else None)
        assert data == problem["message"] + (f" ({problem['hint']})" if problem["hint"] else "")
    files = {props["file"] for _, props, _ in commands}
    assert set(names) | {stray} <= files
    unknown_area = [props["file"] for _, props, data in commands if data.startswith("unknown area")]
    assert sorted(unknown_area) == sorted(names)


def test_terminal_problems_are_one_line_each(make_site: Callable[..., Path],
                                             sitegen: Callable[..., Any]) -> None:
    site = make_site({f"content/activities/{name}": BAD_RECORD for name in HOSTILE_NAMES})
    problems = sitegen("check", "--format", "json", site).json()
    for command in ("check", "build"):
        run = sitegen(command, site)
        lines = run.stderr.splitlines()
        assert run.returncode == 1
        assert len([ln for ln in lines if ": error: " in ln]) == len(problems)
        assert not [ln for ln in lines if ln.lstrip().startswith("::")]
        assert "content/activities/k\\n::error file=x::pwn.md:3:1: error: unknown area 'nowhere'" \
            in run.stderr


# -- item 6: dates from git -------------------------------------------------------------------

def git(cwd: Path, *args: str, date: str = "") -> None:
    """git with no user configuration; `date` (any form git takes) for author and committer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "e@example.org",
                "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "e@example.org"})
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=True)


def epoch(year: int, month: int = 6, day: int = 1) -> str:
    """A date as git's raw `@seconds +0000` form (its ISO parser stops at 2099)."""
    stamp = dt.datetime(year, month, day, 12, tzinfo=dt.UTC).timestamp()
    return f"@{int(stamp)} +0000"


UNDATED = BASELINE["site.yaml"].replace("as_of: 2019-12-31\n", "")
RECORD = "content/activities/firearms-workshop.md"


def dated_repo(root: Path, last: str, site_yaml: str = UNDATED,
               first: str = "2019-12-31T12:00:00+00:00") -> Path:
    """A site in git: everything committed on `first`, then a record edited in a commit
    dated `last`."""
    site = make_site(root, {"site.yaml": site_yaml, ".gitignore": "output/\n"})
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "records", date=first)
    path = site / RECORD
    path.write_text(path.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    git(site, "commit", "-q", "-am", "edit", date=last)
    return site


def test_a_commit_dated_in_year_5138_dates_nothing(tmp_path: Path, sitegen: Callable[..., Any]) -> None:
    site = dated_repo(tmp_path / "site", epoch(5138, 11, 16))
    run = sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert ("site.yaml: warning: a commit is dated 5138-11-16, outside the years 1900-2199: its "
            "date is ignored (check the committer's clock; set as_of: YYYY-MM-DD in site.yaml to "
            "fix the report date)") in run.lines
    dashboard = (site / "output/index.html").read_text(encoding="utf-8")
    assert 'Data as of <time datetime="2019-12-31">' in dashboard
    page = (site / "output/activities/firearms-workshop/index.html").read_text(encoding="utf-8")
    assert 'Record last changed on <time datetime="2019-12-31">31 Dec 2019</time>' in page
    leaked = [p.name for p in (site / "output").rglob("*") if p.is_file() and b"5138" in p.read_bytes()]
    assert leaked == []


@pytest.mark.parametrize("last, warning", [
    (epoch(2150), ("site.yaml: warning: the report date 2150-06-01 is the date of the latest commit "
                   "touching content/, more than a year after the newest record date (2020-06-01) "
                   "and the plan's end (2020-12-31) (set as_of: YYYY-MM-DD in site.yaml to fix the "
                   "report date)")),
    ("1990-01-01T12:00:00+00:00", ("site.yaml: warning: the report date 1990-01-01 is the date of "
                                   "the latest commit touching content/, before the plan's start "
                                   "(2018-01-01) (set as_of: YYYY-MM-DD in site.yaml to fix the "
                                   "report date)")),
], ids=["future", "past"])
def test_a_report_date_from_git_far_from_the_records_warns(
        last: str, warning: str, tmp_path: Path, sitegen: Callable[..., Any]) -> None:
    first = min(last, "2019-12-31T12:00:00+00:00")  # git's newest date is the report date
    site = dated_repo(tmp_path / "site", last, first=first)
    run = sitegen("check", site)
    assert run.returncode == 0
    assert warning in run.lines
    assert sitegen("check", "--strict", site).returncode == 1
    pinned = dated_repo(tmp_path / "pinned", last, BASELINE["site.yaml"], first)
    assert sitegen("check", pinned).lines == []


def test_a_report_date_from_git_near_the_records_is_quiet(tmp_path: Path,
                                                          sitegen: Callable[..., Any]) -> None:
    # 11 months after the plan's end: the records are stale (warned), the date is not suspect
    run = sitegen("check", dated_repo(tmp_path / "site", "2021-12-01T12:00:00+00:00"))
    assert run.lines and all("stale record" in ln for ln in run.lines), run.lines


# -- item 7: identifiers ----------------------------------------------------------------------

def problems_of(run_check: Check, site: Path) -> list[tuple[str, int, str]]:
    code, out, err = run_check(site)
    assert not bad_outcome(code, out, err)
    return [(p["path"], p["line"], p["message"]) for p in json.loads(out) if p["severity"] == "error"]


ACT = "content/activities/border-course.md"
ID_MESSAGE = ("an id may hold only letters, digits, '-', '_' and '.', and cannot start with '.' "
              "or contain '..' or '/'")


@pytest.mark.parametrize("value, shown", [
    ('"abc\\n"', "abc\n"), ('"a\\u3164b"', "a\u3164b"), ('"\\uffa0"', "\uffa0"), ('"ab\\u200bc"', "ab\u200bc"),
], ids=["final-newline", "hangul-filler", "halfwidth-filler", "zero-width-space"])
def test_ids_with_newlines_or_invisible_letters_are_located_errors(
        value: str, shown: str, make_site: Callable[..., Path], run_check: Check) -> None:
    record = BLOCK[ACT].replace("id: border-course", f"id: {value}")
    plan = BLOCK["content/plan.yaml"].replace("id: bs-posts", f"id: {value}")
    page = BLOCK["content/pages/about.md"].replace("slug: about", f"slug: {value}")
    site = make_site({ACT: record, "content/plan.yaml": plan, "content/pages/about.md": page}, base=BLOCK)
    errors = problems_of(run_check, site)
    assert (ACT, where(record, f"id: {value}")[0], f"activity id '{shown}': {ID_MESSAGE}") in errors
    assert ("content/plan.yaml", where(plan, f"id: {value}")[0],
            f"indicator id '{shown}': {ID_MESSAGE}") in errors
    assert ("content/pages/about.md", 4, f"page address '{shown}': {ID_MESSAGE}") in errors


def test_ids_of_letters_of_any_script_stay_valid(make_site: Callable[..., Path], run_check: Check) -> None:
    record = BLOCK[ACT].replace("id: border-course", "id: Überblick-日本-2019")
    assert problems_of(run_check, make_site({ACT: record}, base=BLOCK)) == []


@pytest.mark.parametrize("key, value", [("color", '"#1f77b4\\n"'), ("start", '"2018-01-01\\n"')])
def test_other_patterns_do_not_pass_a_final_newline(key: str, value: str, make_site: Callable[..., Path],
                                                   run_check: Check) -> None:
    plan = re.sub(rf"(?m)^(\s*{key}): .*$", lambda m: f"{m.group(1)}: {value}",
                  BLOCK["content/plan.yaml"], count=1)
    assert f"{key}: {value}\n" in plan
    errors = problems_of(run_check, make_site({"content/plan.yaml": plan}, base=BLOCK))
    assert [e[2][:len(key) + 2] for e in errors] == [f"'{key}'"]


# -- item 13: a target equal to the default baseline; a million measurement rows ---------------

def test_a_target_of_zero_without_baseline_is_an_error(make_site: Callable[..., Path],
                                                       run_check: Check) -> None:
    plan = BLOCK["content/plan.yaml"].replace("        target: 50\n        source: contributions",
                                              "        target: 0\n        source: contributions")
    errors = problems_of(run_check, make_site({"content/plan.yaml": plan}, base=BLOCK))
    assert errors == [("content/plan.yaml", plan.split("\n").index("        target: 0") + 1,
                       "'target' equals the baseline (0 when not given): progress cannot be measured")]
    below = plan.replace("        target: 0\n", "        baseline: 10\n        target: 0\n")
    assert problems_of(run_check, make_site({"content/plan.yaml": below}, base=BLOCK, name="b")) == []


def big_measurements(rows: int) -> dict[str, str]:
    """Ten measured indicators and a table of `rows` rows for them, one per indicator and day."""
    plan = BASELINE["content/plan.yaml"] + "".join(
        f"  - id: m{i}\n    title: M{i}\n    indicators:\n"
        f"      - {{id: m{i}, title: M{i}, target: 100, source: measurements}}\n" for i in range(10))
    first = dt.date(1900, 1, 1).toordinal()
    days = [dt.date.fromordinal(first + k).isoformat() for k in range(rows // 10 + 1)]
    table = "".join(f"m{k % 10},{days[k // 10]},{k % 97}\n" for k in range(rows))
    return {"content/plan.yaml": plan, "content/measurements/big.csv": "indicator,date,value\n" + table}


def test_a_million_measurement_rows_stop_at_the_limit(make_site: Callable[..., Path],
                                                      run_check: Check) -> None:
    files = big_measurements(1_000_000)
    assert 15_000_000 < len(files["content/measurements/big.csv"]) < 20_000_000
    site = make_site(files)
    started = time.perf_counter()
    errors = problems_of(run_check, site)
    assert time.perf_counter() - started < 10  # 0.7 s when measured; was 45 s and 1.8 GB
    # the baseline's 3 measurements come first (posts.csv sorts after big.csv, states.yaml last)
    assert errors == [("content/measurements/big.csv", 100_002,
                       "more than 100,000 measurements in the site (this row is one too many)")]


def test_a_large_table_reads_as_a_small_one(make_site: Callable[..., Path]) -> None:
    """Well-formed rows take a shortcut; the model is the one the checked road gives."""
    from sitegen.errors import Problems
    files = big_measurements(2_000)
    fast = loader.load_site(make_site(files, name="fast"), Problems(), git=GitInfo())
    # a repeated column sends every row the long way (with a warning for the header; an extra
    # column would be a dimension, #18)
    slow_files = dict(files)
    header, *rows = files["content/measurements/big.csv"].splitlines()
    slow_files["content/measurements/big.csv"] = header + ",other,other\n" + "".join(f"{row},,\n" for row in rows)
    problems = Problems()
    slow = loader.load_site(make_site(slow_files, name="slow"), problems, git=GitInfo())
    assert fast is not None and slow is not None
    assert [p.message for p in problems.warnings] == ["column 'other' appears twice in the header; its last cell is read"]
    assert fast.measurements == slow.measurements
