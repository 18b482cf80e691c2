"""`sitegen init`, `sitegen new activity` and the pre-commit hook definition."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from sitegen import __version__
from sitegen.scaffold import DISTRIBUTION
from tests.sitekit import REPO, make_site, run_sitegen, snapshot
from tests.test_git import commit, git, new_repo

NEW_FILE = """\
---
title: "Firearms: tracing course"
area: firearms
status: in-progress
start: 2019-12-02
type: workshop
# end: YYYY-MM-DD
# location: {city: Oslo, country: "NO"}
# countries: ["NO", "AT"]
# participants: {total: 20, women: 9, men: 11}
# partners: [Partner name]
---

What happened, who took part and what came out of it (Markdown).
"""


def test_init_then_build_gives_a_site_without_warnings(tmp_path: Path) -> None:
    site = tmp_path / "new-plan"
    run = run_sitegen("init", site)
    assert run.returncode == 0, run.stderr
    files = snapshot(site)
    assert {"site.yaml", "content/plan.yaml", "content/pages/about.md", ".gitignore",
            ".github/workflows/sitegen.yml"} <= files.keys()
    assert sum(1 for p in files if p.startswith("content/activities/") and p.endswith(".md")) == 1
    assert files[".gitignore"].decode().splitlines() == ["/output", "/.sitegen-cache", "/.output.lock",
                                                         "/.output.tmp-*", "/pdf"]
    built = run_sitegen("build", site)
    assert (built.returncode, built.stderr) == (0, "")
    assert "0 warnings" in built.stdout and " from 1 activity in " in built.stdout
    for page in ("index.html", "areas/first-area/index.html", "pages/about/index.html"):
        assert (site / "output" / page).is_file()
    check = run_sitegen("check", site, "--strict")
    assert (check.returncode, check.stderr) == (0, "0 errors, 0 warnings\n")


def test_new_site_in_git_builds_without_warnings(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo")  # an empty folder that is already a repository
    assert run_sitegen("init", root).returncode == 0
    commit(root, dt.date.today().isoformat(), "new site")
    built = run_sitegen("build", root)
    assert (built.returncode, built.stderr) == (0, "")
    assert (root / "output/index.html").is_file()
    assert git(root, "status", "--porcelain") == ""  # output/ and the build cache are ignored


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    run = run_sitegen("init", tmp_path)
    assert run.returncode == 2
    assert "is not empty" in run.stderr
    assert snapshot(tmp_path) == {"notes.txt": b"mine\n"}


def test_generated_workflow_checks_pull_requests_and_deploys_main_only(tmp_path: Path) -> None:
    assert run_sitegen("init", tmp_path / "s").returncode == 0
    flow = yaml.safe_load((tmp_path / "s/.github/workflows/sitegen.yml").read_text(encoding="utf-8"))
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in on and "pull_request_target" not in on
    assert on["push"]["branches"] == ["main"]
    assert set(flow["jobs"]) == {"check", "deploy"}
    check, deploy = flow["jobs"]["check"], flow["jobs"]["deploy"]
    assert "if" not in check
    assert any(s.get("run") == "sitegen check --format github --strict" for s in check["steps"])
    assert deploy["needs"] == "check"
    assert "refs/heads/main" in deploy["if"] and "pull_request" in deploy["if"]
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    uses = [s.get("uses", "").split("@")[0] for s in deploy["steps"]]
    assert uses[-2:] == ["actions/upload-pages-artifact", "actions/deploy-pages"]
    assert any(s.get("run") == "sitegen build" for s in deploy["steps"])
    upload = next(s for s in deploy["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "output"
    assert flow["permissions"] == {"contents": "read"}
    # actions/checkout otherwise leaves the job's token in .git/config, where any later
    # step (or a symlink in a published folder) can read it
    checkouts = [s for job in (check, deploy) for s in job["steps"]
                 if s.get("uses", "").startswith("actions/checkout")]
    assert len(checkouts) == 2 and all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_new_activity_writes_a_record_that_check_accepts(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    run = run_sitegen("new", "activity", "Firearms: tracing course", "--area", "firearms", "--start",
                      "2019-12-02", "--type", "workshop", "--status", "in-progress", "--site", site)
    assert run.returncode == 0, run.stderr
    rel = "content/activities/2019/2019-12-02-firearms-tracing-course.md"
    assert (site / rel).read_text(encoding="utf-8") == NEW_FILE
    assert run.stdout == f"created {rel}\n\n{NEW_FILE}"
    check = run_sitegen("check", site)
    assert (check.returncode, check.stderr) == (0, "0 errors, 0 warnings\n")
    built = run_sitegen("build", site)
    assert built.returncode == 0
    page = (site / "output/activities/2019-12-02-firearms-tracing-course/index.html").read_text(encoding="utf-8")
    assert "Firearms: tracing course" in page


def test_new_activity_refuses_unknown_area_type_and_status(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    before = snapshot(site)
    run = run_sitegen("new", "activity", "X", "--area", "firearm", "--start", "2019-01-01", "--site", site)
    assert (run.returncode, run.stderr) == (1, "sitegen: error: unknown area 'firearm' (did you mean 'firearms'?)\n")
    run = run_sitegen("new", "activity", "X", "--area", "firearms", "--type", "workshp", "--start", "2019-01-01",
                      "--site", site)
    assert (run.returncode, run.stderr) == (1, ("sitegen: error: unknown activity type 'workshp' "
                                                "(did you mean 'workshop'?)\n"))
    run = run_sitegen("new", "activity", "X", "--area", "firearms", "--status", "done", "--start", "2019-01-01",
                      "--site", site)
    assert run.returncode == 1 and "unknown status 'done'" in run.stderr
    run = run_sitegen("new", "activity", "X", "--area", "firearms", "--start", "2019-13-01", "--site", site)
    assert run.returncode == 2 and "is not a date" in run.stderr
    assert snapshot(site) == before


def test_new_activity_never_overwrites(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    args = ("new", "activity", "Same title", "--area", "firearms", "--start", "2019-05-05", "--site", site)
    assert run_sitegen(*args).returncode == 0
    path = site / "content/activities/2019/2019-05-05-same-title.md"
    path.write_text(path.read_text(encoding="utf-8") + "Edited by hand.\n", encoding="utf-8")
    again = run_sitegen(*args)
    assert again.returncode == 1
    assert "2019-05-05-same-title.md already exists; not overwritten" in again.stderr
    assert path.read_text(encoding="utf-8").endswith("Edited by hand.\n")


def test_new_activity_starts_today_when_today_is_in_the_plan(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path)  # the plan runs 2018-01-01 - 2020-12-31
    monkeypatch.setenv("SITEGEN_TODAY", "2020-12-31")
    run = run_sitegen("new", "activity", "Today", "--area", "firearms", "--site", site)
    assert (run.returncode, run.stderr) == (0, "")
    assert [p for p in snapshot(site) if p.endswith("-today.md")] == ["content/activities/2020/2020-12-31-today.md"]


def test_new_activity_asks_for_start_when_today_is_outside_the_plan(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path)
    before = snapshot(site)
    for today in ("2026-03-01", "2017-12-31"):
        monkeypatch.setenv("SITEGEN_TODAY", today)
        run = run_sitegen("new", "activity", "Late", "--area", "firearms", site)
        assert (run.returncode, run.stdout) == (2, "")
        assert run.stderr == (f"sitegen: error: today ({today}) is outside the plan's period 2018-01-01 – "
                              "2020-12-31: give the activity's start with --start YYYY-MM-DD\n")
        assert snapshot(site) == before
    # --start outside the period is taken as given, with the warning `check` repeats
    run = run_sitegen("new", "activity", "Late", "--area", "firearms", "--start", "2021-02-01", site)
    rel = "content/activities/2021/2021-02-01-late.md"
    assert run.returncode == 0 and run.stdout.startswith(f"created {rel}\n")
    assert run.stderr == (f"sitegen: warning: {rel}: start 2021-02-01 is after the plan's end 2020-12-31 "
                          "(`sitegen check` will say so too)\n")
    check = run_sitegen("check", site)
    assert check.returncode == 0 and f"{rel}:5:1: warning: start 2021-02-01 is after" in check.stderr


def test_bad_sitegen_today_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_TODAY", "yesterday")
    run = run_sitegen("new", "activity", "X", "--area", "firearms", make_site(tmp_path))
    assert (run.returncode, run.stderr) == (2, "sitegen: error: SITEGEN_TODAY='yesterday' is not a date YYYY-MM-DD\n")


def test_new_takes_the_site_folder_as_an_argument_like_the_other_commands(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    for n, args in enumerate([(site, "--area", "firearms"), ("--area", "firearms", site),
                              (site, "--site", site, "--area", "firearms"),
                              ("--site", site, "--area", "firearms")]):
        run = run_sitegen("new", "activity", f"Course {n}", *args, "--start", "2019-01-0" + str(n + 1))
        assert (run.returncode, run.stderr) == (0, ""), args
        assert (site / f"content/activities/2019/2019-01-0{n + 1}-course-{n}.md").is_file()
    other = make_site(tmp_path / "other")
    before = snapshot(tmp_path)
    run = run_sitegen("new", "activity", "Two", site, "--site", other, "--area", "firearms", "--start", "2019-02-01")
    assert (run.returncode, run.stderr) == (2, f"sitegen: error: two site folders given: {site} and --site {other}; "
                                               "give one\n")
    run = run_sitegen("new", "activity", "Two", site, "extra", "--area", "firearms", "--start", "2019-02-01")
    assert run.returncode == 2 and "unrecognized arguments: extra" in run.stderr
    assert snapshot(tmp_path) == before
    # with no folder at all, the current one
    run = run_sitegen("new", "activity", "Here", "--area", "firearms", "--start", "2019-03-01", cwd=site)
    assert run.returncode == 0 and (site / "content/activities/2019/2019-03-01-here.md").is_file()


def test_country_codes_in_the_template_stay_country_codes_when_uncommented(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    run = run_sitegen("new", "activity", "Oslo meeting", "--area", "firearms", "--start", "2019-06-01", site)
    path = site / "content/activities/2019/2019-06-01-oslo-meeting.md"
    assert run.returncode == 0
    path.write_text(re.sub(r"^# (location|countries):", r"\1:", path.read_text(encoding="utf-8"), flags=re.M),
                    encoding="utf-8")
    assert (run_sitegen("check", site).returncode, run_sitegen("build", site).returncode) == (0, 0)
    record = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert (record["location"], record["countries"]) == ({"city": "Oslo", "country": "NO"}, ["NO", "AT"])
    page = (site / "output/activities/2019-06-01-oslo-meeting/index.html").read_text(encoding="utf-8")
    assert "Norway" in page and "Austria" in page


def test_init_installs_this_project_by_its_name_on_the_index(tmp_path: Path) -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == DISTRIBUTION != "sitegen"
    assert run_sitegen("init", tmp_path / "s").returncode == 0
    requirements = (tmp_path / "s/requirements.txt").read_text(encoding="utf-8")
    assert [ln for ln in requirements.splitlines() if not ln.startswith("#")] == [f"{DISTRIBUTION}=={__version__}"]
    assert f"# {DISTRIBUTION} @ git+https://github.com/" in requirements
    readme = (tmp_path / "s/README.md").read_text(encoding="utf-8")
    install = re.search(r'python -m pip install "(sitegen-plan @ git\+https://github\.com/[^"]+)"', readme)
    assert install and install.group(1).endswith(f"@v{__version__}"), readme
    assert "python -m pip install -r requirements.txt" in readme
    flow = (tmp_path / "s/.github/workflows/sitegen.yml").read_text(encoding="utf-8")
    assert flow.count(f"python -m pip install -r requirements.txt  # sitegen ({DISTRIBUTION}), pinned there") == 2


def test_init_dates_its_first_activity_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_TODAY", "2031-07-15")
    assert run_sitegen("init", tmp_path / "s").returncode == 0
    files = snapshot(tmp_path / "s")
    assert "content/activities/2031/2031-07-15-first-workshop.md" in files
    plan = yaml.safe_load(files["content/plan.yaml"])
    assert (plan["start"], plan["end"]) == (dt.date(2031, 1, 1), dt.date(2033, 12, 31))


def test_help_documents_the_options() -> None:
    new = run_sitegen("new", "--help").stdout
    for option in ("--area", "--start", "--type", "--status", "--site", "SITE_DIR"):
        assert option in new
    assert "folder to create" in run_sitegen("init", "--help").stdout


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks == [{
        "id": "sitegen-check", "name": "sitegen check",
        "description": hooks[0]["description"], "entry": "sitegen check", "language": "python",
        "pass_filenames": False, "files": r"^(site\.yaml|content/|templates/)",
    }]
