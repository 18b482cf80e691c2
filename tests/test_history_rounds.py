"""Reporting rounds read from git history, and `sitegen diff`: real repositories in temp
folders, commits with fixed dates.

The site lives in `site/` of its repository (paths relative to a subfolder). Plan 2020;
round q1 (Jan-Mar) and q2 (Apr-Jun), report date 2020-09-30. Three commits:

- C1 2020-03-20: a-course completed (20 participants), b-workshop planned (May), c-study in
  progress, d-course planned (June), g-old planned (August); states measured 12 on 03-15.
- C2 2020-05-05: b-workshop postponed; e-meeting added, cancelled (its date in April);
  the 03-15 measurement corrected to 11, a new one: 14 on 04-30.
- C3 2020-06-25: c-study completed; d-course in progress; f-course added, completed in
  June (15 participants); g-old removed.

q1's figures are C1's (the last commit on or before 2020-03-31); q2's are the records as
they are now (nothing committed after 2020-06-30), its changes counted from C1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import build as full_build
from sitegen.incremental import Builder
from tests.sitekit import dedent, make_site, run_sitegen, snapshot

SITE: dict[str, str] = {
    "site.yaml": "title: History\nbase_url: https://example.org/h/\nas_of: 2020-09-30\n",
    ".gitignore": "/output\n/.sitegen-cache\n/.output.lock\n",
    "content/plan.yaml": dedent("""
        title: History plan
        start: 2020-01-01
        end: 2020-12-31
        activity_types: [training-course, workshop, meeting, study]
        areas:
          - id: training
            title: Training
            indicators:
              - {id: trained, title: People trained, unit: people, target: 100, sum: participants}
              - {id: states, title: States connected, unit: States, baseline: 10, target: 20,
                 source: measurements}
          - id: tools
            title: Tools
            indicators:
              - {id: workshops, title: Workshops held, unit: workshops, target: 4, where: {type: workshop}}
        """),
    "content/reports/q1.yaml": "title: First quarter\nstart: 2020-01-01\nend: 2020-03-31\n",
    "content/reports/q2.yaml": "title: Second quarter\nstart: 2020-04-01\nend: 2020-06-30\n",
}

# The records of each commit: id -> (area, status, start, end, type, participants)
Record = tuple[str, str, str, str, str, int]
C1: dict[str, Record] = {
    "a-course": ("training", "completed", "2020-02-10", "2020-02-12", "training-course", 20),
    "b-workshop": ("tools", "planned", "2020-05-10", "", "workshop", 0),
    "c-study": ("tools", "in-progress", "2020-03-01", "2020-05-31", "study", 0),
    "d-course": ("training", "planned", "2020-06-01", "2020-07-15", "training-course", 10),
    "g-old": ("tools", "planned", "2020-08-01", "", "meeting", 0),
}
C2 = {**C1, "b-workshop": ("tools", "postponed", "2020-05-10", "", "workshop", 0),
      "e-meeting": ("tools", "cancelled", "2020-04-20", "", "meeting", 0)}
C3 = {**{k: v for k, v in C2.items() if k != "g-old"},
      "c-study": ("tools", "completed", "2020-03-01", "2020-05-31", "study", 0),
      "d-course": ("training", "in-progress", "2020-06-01", "2020-07-15", "training-course", 10),
      "f-course": ("training", "completed", "2020-06-10", "2020-06-12", "training-course", 15)}
MEASURED = {
    "C1": "indicator,date,value\nstates,2020-03-15,12\n",
    "C2": "indicator,date,value\nstates,2020-03-15,11\nstates,2020-04-30,14\n",
}


def activities_yaml(records: dict[str, Record]) -> str:
    lines = []
    for rid, (area, status, start, end, typ, people) in sorted(records.items()):
        line = f"- {{id: {rid}, title: Title of {rid}, area: {area}, status: {status}, start: {start}, type: {typ}"
        line += f", end: {end}" if end else ""
        line += f", participants: {people}" if people else ""
        lines.append(line + "}")
    return "\n".join(lines) + "\n"


def git(cwd: Path, *args: str, date: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def commit(root: Path, site: Path, date: str, records: dict[str, Record], measured: str) -> str:
    for folder in ("activities", "measurements"):
        (site / "content" / folder).mkdir(parents=True, exist_ok=True)
    (site / "content/activities/all.yaml").write_text(activities_yaml(records), encoding="utf-8")
    (site / "content/measurements/states.csv").write_text(measured, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"records of {date}", date=date)
    return git(root, "rev-parse", "HEAD").strip()


def init_repo(root: Path) -> Path:
    """An empty repository with the site's plan and rounds in site/ (not committed yet)."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Editor")
    git(root, "config", "user.email", "editor@example.org")
    (root / "README.md").write_text("Monorepo\n", encoding="utf-8")
    return make_site(root / "site", SITE, base={})


def make_repo(root: Path) -> tuple[Path, list[str]]:
    """The repository of the module docstring: (site folder, [C1, C2, C3])."""
    site = init_repo(root)
    return site, [commit(root, site, "2020-03-20", C1, MEASURED["C1"]),
                  commit(root, site, "2020-05-05", C2, MEASURED["C2"]),
                  commit(root, site, "2020-06-25", C3, MEASURED["C2"])]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    return make_repo(tmp_path_factory.mktemp("history") / "repo")


@pytest.fixture(scope="module")
def built(repo: tuple[Path, list[str]]) -> Path:
    site, _ = repo
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    return site / "output"


def data(out: Path, rid: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((out / "data/reports" / f"{rid}.json").read_text(encoding="utf-8"))
    return found


def listed(html: str, list_id: str, attr: str = "data-activity") -> list[str]:
    found = re.search(rf'id="{list_id}"[^>]*>(.*?)</(?:ul|table)>', html, re.DOTALL)
    return re.findall(rf'{attr}="([^"]+)"', found.group(1)) if found else []


def by_hand(records: dict[str, Record], day: str, undated: bool = False) -> dict[str, dict[str, int]]:
    """Activities per area and status on `day`, worked out from the records without sitegen:
    a record not started yet was planned; a completed one that had not ended was in progress;
    `undated` (records of a later day, which do not date a postponement or cancellation): one
    postponed or cancelled was planned until it was due."""
    out: dict[str, dict[str, int]] = {}
    for area, status, start, end, _, _ in records.values():
        if status in ("postponed", "cancelled"):
            if undated and start > day:
                status = "planned"
        else:
            if start > day:
                status = "planned"
            elif status == "completed" and (end or start) > day:
                status = "in-progress"
        counts = out.setdefault(area, dict.fromkeys(("planned", "in-progress", "completed", "postponed",
                                                     "cancelled"), 0))
        counts[status] += 1
    return out


def test_the_earlier_round_has_the_figures_of_its_commit(built: Path, repo: tuple[Path, list[str]]) -> None:
    q1 = data(built, "q1")
    counted = by_hand(C1, "2020-03-31")
    assert {a["id"]: a["activities"] for a in q1["areas"]} == counted
    values = {i["id"]: i["value"] for i in q1["indicators"]}
    assert values == {"trained": 20, "states": 12, "workshops": 0}  # 12: C1's value, corrected to 11 later
    assert q1["records"]["figures"] == {"source": "commit", "git": True, "day": "2020-03-31",
                                        "commit": repo[1][0], "committed": "2020-03-20"}
    # ... and the dashboard of the same records built apart (no git) with that report date agrees
    copy = built.parent.parent / "c1-copy"
    if copy.exists():
        shutil.rmtree(copy)
    copy.mkdir()
    archive = subprocess.run(["git", "-C", str(built.parent), "archive", repo[1][0], "."], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(copy)], input=archive, check=True)
    (copy / "site.yaml").write_text(SITE["site.yaml"].replace("2020-09-30", "2020-03-31"), encoding="utf-8")
    for name in ("q1.yaml", "q2.yaml"):
        (copy / "content/reports" / name).unlink()
    run = run_sitegen("build", copy)
    assert run.returncode == 0, run.stderr
    plan = json.loads((copy / "output/data/plan.json").read_text(encoding="utf-8"))
    for mine, theirs in zip(q1["areas"], plan["areas"]):
        assert (mine["id"], mine["activities"], mine["completion"], mine["attainment"], mine["status"]) == (
            theirs["id"], theirs["activities"], theirs["completion"], theirs["attainment"], theirs["status"])


def test_the_later_round_lists_the_status_changes(built: Path, repo: tuple[Path, list[str]]) -> None:
    q2 = data(built, "q2")
    assert q2["status_changes"] == [
        {"id": "c-study", "from": "in-progress", "to": "completed"},
        {"id": "b-workshop", "from": "planned", "to": "postponed"},
    ]
    assert q2["new"] == ["d-course", "f-course"]  # e-meeting (cancelled) is not new
    assert q2["completed"] == ["c-study", "f-course"]
    assert {a["id"]: a["activities"] for a in q2["areas"]} == by_hand(C3, "2020-06-30")
    assert q2["indicators_moved"] == [{"id": "trained", "from": 20, "to": 35}, {"id": "states", "from": 12, "to": 14}]
    assert q2["records"] == {
        "figures": {"source": "now", "git": True, "day": "2020-06-30", "commit": repo[1][2], "committed": "2020-06-25"},
        "changes": {"source": "commit", "git": True, "day": "2020-03-31", "commit": repo[1][0],
                    "committed": "2020-03-20"}}
    html = (built / "reports/q2/index.html").read_text(encoding="utf-8")
    assert listed(html, "report-changes") == ["c-study", "b-workshop"]
    assert re.search(r'data-activity="b-workshop"><a href="../../activities/b-workshop/">Title of b-workshop</a>: '
                     r'.*?planned.*?→.*?postponed', html)
    assert listed(html, "report-new") == ["d-course", "f-course"]
    assert "Other activities whose status changed (2)" in html
    c1 = repo[1][0][:7]
    assert ("Figures from the records as they are now: nothing was committed after "
            '<time datetime="2020-06-30">') in html
    assert (f'Changes compared with the records as committed on <time datetime="2020-03-20">20 Mar 2020</time> '
            f"(commit <code>{c1}</code>).") in html
    q1 = (built / "reports/q1/index.html").read_text(encoding="utf-8")
    assert (f'Figures from the records as committed on <time datetime="2020-03-20">20 Mar 2020</time> '
            f"(commit <code>{c1}</code>).") in q1
    assert "No copy of the records as they stood on" in q1 and "was kept, so" in q1  # (its changes count from 2019-12-31)
    # g-old, removed since, is listed by q1 (under way? no: planned) without a link to a page it no longer has
    assert "activities/g-old/" not in q1


def test_a_commit_after_the_round_fixes_its_figures(tmp_path: Path) -> None:
    """A fourth commit after q2's end: q2 now reads C3, and the later edit is not in it."""
    site, commits = make_repo(tmp_path / "repo")
    later = {**C3, "f-course": ("training", "completed", "2020-06-10", "2020-06-12", "training-course", 99)}
    c4 = commit(tmp_path / "repo", site, "2020-07-10", later, MEASURED["C2"])
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    q2 = data(site / "output", "q2")
    assert q2["records"]["figures"]["commit"] == commits[2] != c4
    assert {i["id"]: i["value"] for i in q2["indicators"]}["trained"] == 35  # not 20 + 99
    # an uncommitted edit changes nothing in either round
    fewer = {k: v for k, v in C3.items() if k not in ("f-course", "c-study")}
    (site / "content/activities/all.yaml").write_text(activities_yaml(fewer), encoding="utf-8")
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert data(site / "output", "q2") == q2


def test_an_old_commit_with_errors_falls_back_with_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    site = init_repo(root)
    (site / "content/activities").mkdir(parents=True, exist_ok=True)
    (site / "content/activities/all.yaml").write_text("- {id: x, title: X, area: nowhere, start: 2020-02-01}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a broken record", date="2020-03-20")
    commit(root, site, "2020-06-25", C3, MEASURED["C2"])
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    warned = [line for line in run.stderr.splitlines() if "have errors" in line]
    assert warned and warned[0].startswith("content/reports/q1.yaml:"), run.stderr
    assert "content/activities/all.yaml:1:" in warned[0] and "use today's records and their dates" in warned[0]
    q1 = data(site / "output", "q1")
    assert q1["records"]["figures"]["source"] == "dates"
    assert {a["id"]: a["activities"] for a in q1["areas"]} == by_hand(C3, "2020-03-31", undated=True)
    html = (site / "output/reports/q1/index.html").read_text(encoding="utf-8")
    assert re.search(r"Figures and changes derived from today(&#39;|')s records by their dates: the records as "
                     r'committed on <time datetime="2020-03-20">20 Mar 2020</time> \(commit <code>[0-9a-f]{7}</code>\) '
                     r"have errors.", html)


def test_without_git_the_page_says_the_date_rule_is_used(tmp_path: Path, repo: tuple[Path, list[str]]) -> None:
    copy = tmp_path / "plain"
    shutil.copytree(repo[0], copy, ignore=shutil.ignore_patterns("output", ".sitegen-cache"))
    run = run_sitegen("build", copy)
    assert run.returncode == 0, run.stderr
    q2 = data(copy / "output", "q2")
    # (the postponement and the cancellation, undated in today's records, count from the day
    # each activity was due: in May and April)
    assert sorted(q2["status_changes"], key=lambda c: c["id"]) == [
        {"id": "b-workshop", "from": "planned", "to": "postponed"},
        {"id": "c-study", "from": "in-progress", "to": "completed"},
        {"id": "e-meeting", "from": "planned", "to": "cancelled"}]
    assert q2["records"]["figures"] == {"source": "dates", "git": False, "day": "2020-06-30"}
    html = (copy / "output/reports/q2/index.html").read_text(encoding="utf-8")
    assert "Figures and changes reconstructed from the current records by their dates (earlier versions of the " \
           "records are not available)." in html


def test_sitegen_diff_text_and_json(repo: tuple[Path, list[str]]) -> None:
    site, (c1, _, c3) = repo
    run = run_sitegen("diff", c1, c3, site)
    assert run.returncode == 0, run.stderr
    assert run.stdout == dedent(f"""
        Changes from {c1[:10]} (committed 2020-03-20, report date 2020-09-30) to {c3[:10]} (committed 2020-06-25, report date 2020-09-30)
        Activities added (2):
          + e-meeting  Title of e-meeting (cancelled)
          + f-course  Title of f-course (completed)
        Activities removed (1):
          - g-old  Title of g-old (planned)
        Status changes (3):
          b-workshop: planned -> postponed
          c-study: in-progress -> completed
          d-course: planned -> in-progress
        Indicator values moved (2):
          states: 12 -> 14
          trained: 20 -> 35
        """)
    run = run_sitegen("diff", "HEAD~2", "HEAD", site, "--format", "json")
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert got["from"] == {"revision": "HEAD~2", "commit": c1, "committed": "2020-03-20", "report_date": "2020-09-30"}
    assert got["to"]["commit"] == c3
    assert [a["id"] for a in got["added"]] == ["e-meeting", "f-course"]
    assert got["removed"] == [{"id": "g-old", "title": "Title of g-old", "status": "planned"}]
    assert got["status_changes"] == [{"id": "b-workshop", "from": "planned", "to": "postponed"},
                                     {"id": "c-study", "from": "in-progress", "to": "completed"},
                                     {"id": "d-course", "from": "planned", "to": "in-progress"}]
    assert got["indicators_moved"] == [{"id": "states", "from": 12, "to": 14}, {"id": "trained", "from": 20, "to": 35}]
    same = run_sitegen("diff", c3, "HEAD", site)
    assert same.returncode == 0 and "Status changes (0)" in same.stdout


def test_sitegen_diff_says_when_uncommitted_edits_are_left_out(tmp_path: Path) -> None:
    """Compared with HEAD, edits not yet committed are not in either revision: the output
    stays the commits' and a note on stderr names the files (none when HEAD is not compared,
    nor when nothing is uncommitted)."""
    site, (c1, c2, _) = make_repo(tmp_path / "repo")
    clean = run_sitegen("diff", c1, "HEAD", site)
    assert clean.returncode == 0 and "note" not in clean.stderr
    edited = site / "content/activities/all.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("in-progress", "completed"), encoding="utf-8")
    (site / "content/activities/zz-new.md").write_text("---\ntitle: draft\n---\n", encoding="utf-8")
    run = run_sitegen("diff", c1, "HEAD", site)
    assert run.returncode == 0, run.stderr
    assert run.stdout == clean.stdout
    assert run.stderr == ("sitegen: note: 2 uncommitted changes to the records are not compared (the comparison "
                          "reads commits; commit them to include them): site/content/activities/all.yaml, "
                          "site/content/activities/zz-new.md\n")
    assert run_sitegen("diff", c1, c2, site).stderr == ""


def test_sitegen_diff_refuses_a_bad_revision(repo: tuple[Path, list[str]], tmp_path: Path) -> None:
    site, _ = repo
    run = run_sitegen("diff", "no-such-rev", "HEAD", site)
    assert run.returncode == 2
    assert run.stderr.strip() == "sitegen: error: unknown revision: no-such-rev"
    outside = make_site(tmp_path / "plain", SITE, base={})
    run = run_sitegen("diff", "HEAD~1", "HEAD", outside)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "is not in a git repository" in run.stderr


def test_the_preview_reads_history_again_when_head_moves(tmp_path: Path) -> None:
    """The preview's round pages equal a full build's: at start, after an uncommitted edit
    (q2 follows the working tree, q1 stays C1's), and after a commit past q2's end (seen by
    the next rebuild: a commit alone changes no file the watcher sees)."""
    root = tmp_path / "repo"
    site, commits = make_repo(root)
    preview = tmp_path / "preview"
    builder = Builder(site, preview)

    def same(step: str) -> None:
        ref = tmp_path / "ref"
        if ref.exists():
            shutil.rmtree(ref)
        full_build(site, ref, use_cache=False)
        # (the search index is made in the background, its work folder inside the preview's)
        assert builder.wait_for_search(60)
        got, want = snapshot(preview), snapshot(ref)
        diff = sorted(p for p in got.keys() | want.keys()
                      if (p.startswith("reports/") or p.startswith("data/reports/")) and got.get(p) != want.get(p))
        assert not diff, f"after {step}: {diff}"

    try:
        assert builder.rebuild().ok
        same("the first build")
        records = site / "content/activities/all.yaml"
        edited = {**C3, "d-course": ("training", "postponed", "2020-06-01", "2020-07-15", "training-course", 10)}
        records.write_text(activities_yaml(edited), encoding="utf-8")
        assert builder.rebuild({str(records)}).ok
        same("an uncommitted edit")
        q2 = json.loads((preview / "data/reports/q2.json").read_text(encoding="utf-8"))
        assert {"id": "d-course", "from": "planned", "to": "postponed"} in q2["status_changes"]
        assert json.loads((preview / "data/reports/q1.json").read_text(encoding="utf-8"))["records"]["figures"][
            "commit"] == commits[0]
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "after the round", date="2020-07-10")
        records.write_text(activities_yaml(C3), encoding="utf-8")  # (and back: the next rebuild)
        assert builder.rebuild({str(records)}).ok
        same("a commit after the round's end")
        q2 = json.loads((preview / "data/reports/q2.json").read_text(encoding="utf-8"))
        assert q2["records"]["figures"]["commit"] == commits[2]
        assert {"id": "d-course", "from": "planned", "to": "postponed"} not in q2["status_changes"]
    finally:
        builder.close()  # (its background search indexing)
