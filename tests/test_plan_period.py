"""Activities dated outside the plan's period: a warning naming the file and the date's line
(an error with --strict), from `check` and `build` alike, cached builds included.

The test site's plan runs 2018-01-01 - 2020-12-31 (tests/sitekit.py BASELINE).
"""

from __future__ import annotations

from pathlib import Path

from tests.sitekit import dedent, make_site, run_sitegen

LATE = "content/activities/late.md"
EARLY = "content/activities/early.md"
OVERRUN = "content/activities/overrun.md"
OUTSIDE = {
    LATE: dedent("""
        ---
        title: Follow-up meeting
        area: firearms
        status: planned
        start: 2026-01-05
        ---
        """),
    EARLY: dedent("""
        ---
        title: Scoping visit
        area: firearms
        status: completed
        start: 2017-06-01
        end: 2018-01-10
        ---
        """),
    OVERRUN: dedent("""
        ---
        title: Closing conference
        area: border-security
        status: planned
        start: 2020-12-20
        end: 2021-01-10
        ---
        """),
}
HINT = " (check the date, or the plan's start and end)"
WARNINGS = [
    f"{EARLY}:5:1: warning: start 2017-06-01 is before the plan's start 2018-01-01{HINT}",
    f"{LATE}:5:1: warning: start 2026-01-05 is after the plan's end 2020-12-31{HINT}",
    f"{OVERRUN}:6:1: warning: end 2021-01-10 is after the plan's end 2020-12-31{HINT}",
]


def _lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ": warning: " in ln or ": error: " in ln]


def test_check_warns_for_each_date_outside_the_plan(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", OUTSIDE)
    run = run_sitegen("check", site)
    assert run.returncode == 0
    assert _lines(run.stderr) == WARNINGS
    assert run.stderr.endswith("0 errors, 3 warnings\n")
    strict = run_sitegen("check", site, "--strict")
    assert strict.returncode == 1
    assert _lines(strict.stderr) == [w.replace(": warning: ", ": error: ") for w in WARNINGS]


def test_build_shows_the_same_warnings_and_strict_build_fails(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", OUTSIDE)
    built = run_sitegen("build", site)
    assert built.returncode == 0
    assert _lines(built.stderr) == WARNINGS
    assert "3 warnings" in built.stdout
    assert (site / "output/activities/late/index.html").is_file()
    again = run_sitegen("build", site)  # the build's cache keeps no file that had a warning quiet
    assert again.returncode == 0 and _lines(again.stderr) == WARNINGS
    (site / "output/marker.txt").write_text("previous output\n", encoding="utf-8")
    strict = run_sitegen("build", site, "--strict")
    assert strict.returncode == 1
    assert "build failed: 3 errors; the previous output was left untouched" in strict.stderr
    assert (site / "output/marker.txt").is_file()


def test_dates_on_the_plans_first_and_last_day_are_inside(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {LATE: dedent("""
        ---
        title: Whole plan
        area: firearms
        status: in-progress
        start: 2018-01-01
        end: 2020-12-31
        ---
        """)})
    run = run_sitegen("check", site, "--strict")
    assert (run.returncode, run.stderr) == (0, "0 errors, 0 warnings\n")


def test_records_of_a_list_file_are_located_by_their_own_lines(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/activities/more.yaml": dedent("""
        - title: Inside
          area: firearms
          status: completed
          start: 2019-01-01
        - title: Outside
          area: firearms
          status: planned
          start: 2022-03-01
        """)})
    run = run_sitegen("check", site)
    assert run.returncode == 0
    assert _lines(run.stderr) == [
        f"content/activities/more.yaml:8:3: warning: start 2022-03-01 is after the plan's end 2020-12-31{HINT}"]


def test_moving_the_plans_end_brings_the_warning_in_a_cached_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {LATE: OUTSIDE[LATE].replace("2026-01-05", "2020-06-05")})
    first = run_sitegen("build", site)
    assert first.returncode == 0 and _lines(first.stderr) == []
    plan = site / "content/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("end: 2020-12-31", "end: 2020-05-31"),
                    encoding="utf-8")
    second = run_sitegen("build", site)
    assert second.returncode == 0
    assert f"{LATE}:5:1: warning: start 2020-06-05 is after the plan's end 2020-05-31{HINT}" in _lines(second.stderr)


def test_the_example_site_has_no_activity_outside_its_plan() -> None:
    run = run_sitegen("check", ".")
    assert run.returncode == 0
    assert "the plan's" not in run.stderr, run.stderr
