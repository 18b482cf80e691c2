"""Small site folders written inline, and a real `python3 -m sitegen` runner.

`BASELINE` is a complete, valid site (no errors, no warnings): two areas, indicators of
every source, activities as Markdown files and as a YAML list, measurements as CSV and
YAML, an area narrative and a page. Tests override single files by path
(`make_site(tmp_path, {"content/plan.yaml": ...})`) or remove one with the value None.
`WITHOUT_RECORDS` removes its records, for a test that brings its own: `DISAGGREGATED`, a
plan of indicators broken down by sex, country and age, with `course` for its activities.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


BASELINE: dict[str, str] = {
    "site.yaml": dedent("""
        title: Test plan progress
        base_url: https://example.org/test/
        language: en
        as_of: 2019-12-31
        """),
    "content/plan.yaml": dedent("""
        title: Test Plan 2018-2020
        summary: A small plan used by the tests.
        start: 2018-01-01
        end: 2020-12-31
        partners:
          - {name: Alpha Org, url: https://alpha.example.org}
          - {name: Beta Org}
        activity_types: [workshop, training-course, meeting]
        areas:
          - id: border-security
            title: Border security
            summary: Borders and crossing points.
            indicators:
              - id: bs-trained
                title: Officers trained
                unit: people
                baseline: 0
                target: 100
                source: activities
                sum: participants
                where: {type: training-course}
              - id: bs-posts
                title: Border posts connected
                unit: posts
                baseline: 2
                target: 10
                source: measurements
          - id: firearms
            title: Firearms
            summary: Tracing of firearms.
            indicators:
              - id: fa-workshops
                title: Firearms workshops held
                unit: workshops
                target: 4
                where: {type: workshop}
              - id: fa-experts
                title: Experts trained
                unit: people
                target: 50
                source: contributions
              - id: fa-states
                title: States using the database
                unit: States
                baseline: 10
                target: 20
                source: measurements
        """),
    "content/activities/2018-03-05-border-course.md": dedent("""
        ---
        title: Border officers course
        area: border-security
        status: completed
        start: 2018-03-05
        end: 2018-03-09
        type: training-course
        location: {city: Vienna, country: AT}
        countries: [AT, DE]
        participants: {total: 20, women: 8, men: 12}
        tags: [documents]
        ---

        Officers practised document checks.
        """),
    "content/activities/firearms-workshop.md": dedent("""
        ---
        title: Firearms tracing workshop
        area: [firearms, border-security]
        status: completed
        start: 2019-04-10
        type: workshop
        countries: [RS]
        participants: 15
        contributes: {fa-experts: 12}
        outputs:
          - {title: Workshop report, url: https://example.org/report.pdf}
        ---

        A workshop on tracing.
        """),
    "content/activities/planned-meeting.md": dedent("""
        ---
        title: Closing meeting
        area: firearms
        status: planned
        start: 2020-06-01
        type: meeting
        ---
        """),
    "content/activities/list.yaml": dedent("""
        - id: border-assessment
          title: Border post assessment
          area: border-security
          status: in-progress
          start: 2019-11-01
          end: 2020-02-01
          type: meeting
          countries: [GE]
        - title: Cancelled firearms course
          area: firearms
          status: cancelled
          start: 2019-02-01
          type: training-course
          body: |
            Cancelled for lack of funds.
        """),
    "content/measurements/posts.csv": dedent("""
        indicator,date,value,note
        bs-posts,2018-12-31,4,first survey
        bs-posts,2019-12-31,7,second survey
        """),
    "content/measurements/states.yaml": dedent("""
        - indicator: fa-states
          date: 2019-06-30
          value: 14
          note: mid-year count
        """),
    "content/areas/firearms.md": dedent("""
        ---
        title: Firearms
        ---

        The long narrative of the firearms area.
        """),
    "content/pages/about.md": dedent("""
        ---
        title: About
        order: 1
        ---

        These records are test data.
        """),
}


def make_site(root: Path, files: Mapping[str, str | bytes | None] | None = None,
              base: Mapping[str, str] | None = None) -> Path:
    """Write `base` (default BASELINE) overridden by `files` into `root`; None removes a file."""
    merged: dict[str, str | bytes | None] = dict(BASELINE if base is None else base)
    merged.update(files or {})
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in sorted(merged.items()):
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
    return root


@dataclass
class Run:
    """The outcome of one `python3 -m sitegen ...` subprocess."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """stderr lines that are problems (`path:line:col: severity: ...`)."""
        return [ln for ln in self.stderr.splitlines() if ": error: " in ln or ": warning: " in ln]

    @property
    def errors(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ": error: " in ln and not ln.startswith("sitegen:")]

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_sitegen(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> Run:
    """Run the real command line in a subprocess and capture its output."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SITEGEN_AS_OF", None)
    proc = subprocess.run([sys.executable, "-m", "sitegen", *map(str, args)], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=timeout, env=env, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative posix path -> bytes), including dotfiles."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def other_device(here: Path) -> Path | None:
    """A writable folder on another file system than `here` (tmpfs /dev/shm, or /var/tmp or
    the home folder when the temporary folders are themselves on tmpfs, as .ci/run makes
    them), or None."""
    import tempfile
    for candidate in (Path("/dev/shm"), Path("/var/tmp"), Path.home()):
        try:
            if candidate.is_dir() and os.stat(candidate).st_dev != os.stat(here).st_dev:
                with tempfile.TemporaryDirectory(dir=candidate):
                    return candidate
        except OSError:
            continue
    return None


def where(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the `occurrence`-th `needle` in `text`."""
    pos = -1
    for _ in range(occurrence):
        pos = text.index(needle, pos + 1)
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def front(yaml_text: str, body: str = "Body.\n") -> str:
    """A Markdown record: `---`, the (dedented) YAML, `---`, a blank line and the body."""
    return "---\n" + dedent(yaml_text) + "---\n\n" + body


def example_in(root: Path, languages: str) -> Path:
    """A copy of the repository's example site (content, templates, settings) in root/site,
    with `languages: <languages>` (e.g. "[en, fr]") in place of its `language`."""
    import re
    import shutil
    site = root / "site"
    site.mkdir(parents=True)
    shutil.copytree(REPO / "content", site / "content")
    if (REPO / "templates").is_dir():
        shutil.copytree(REPO / "templates", site / "templates")
    text = (REPO / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(re.sub(r"(?m)^language: .*$", f"languages: {languages}", text), encoding="utf-8")
    return site


# -- a site of disaggregated indicators (#18) ---------------------------------------------

# BASELINE's records removed (its measurements, activities and area narrative): the start of
# a site whose test brings a plan and records of its own
WITHOUT_RECORDS: dict[str, str | None] = {
    rel: None for rel in BASELINE if rel.startswith(("content/measurements/", "content/activities/", "content/areas/"))}

# A plan of disaggregated indicators (#18), in a results chain: victims assisted by sex and by
# country (measurements, a CSV's columns), young people by age (measurements, YAML keys), staff
# trained by sex (the participants of training courses: `course`), and one not broken down.
DISAGGREGATED = dedent("""
    title: Disaggregation test plan
    start: 2018-01-01
    end: 2020-12-31
    activity_types: [training-course, meeting]
    areas:
      - id: protection
        title: Protection
        indicators:
          - id: victims-assisted
            title: Victims assisted
            level: impact
            unit: people
            target: 1000
            source: measurements
            dimensions:
              sex: [female, male]
              country: [AT, DE, RS]
          - id: youth-reached
            title: Young people reached
            level: outcome
            contributes_to: victims-assisted
            unit: people
            target: 500
            source: measurements
            dimensions:
              age: ["15-19", "20-24", "25-29"]
          - id: staff-trained
            title: Staff trained
            level: output
            contributes_to: youth-reached
            unit: people
            baseline: 5
            target: 200
            sum: participants
            where: {type: training-course}
            dimensions: {sex: [women, men]}
          - id: shelters
            title: Shelters open
            level: output
            contributes_to: youth-reached
            unit: shelters
            target: 10
            source: measurements
    """)


def course(day: str, participants: str, status: str = "completed") -> str:
    """A training course of DISAGGREGATED's area on `day` (YYYY-MM-DD), `participants` as YAML
    (`10`, `{total: 20, women: 8, men: 12}`)."""
    return front(f"""
        title: Course of {day}
        area: protection
        status: {status}
        start: {day}
        type: training-course
        participants: {participants}
        """)
