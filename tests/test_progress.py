"""Progress (SPEC section 3): indicator values, the report date and the status rule.

The example's `data/plan.json` is checked against values counted by hand from the records
in content/. The rules are checked on tiny inline sites, loaded with the real loader
(or built with the real command where the JSON output is what matters).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from sitegen import progress
from sitegen.errors import Problems
from sitegen.i18n import whole_percent
from sitegen.loader import load_site
from tests.sitekit import BASELINE, REPO, front, make_site, run_sitegen

AS_OF = "as_of: 2019-12-31\n"

# Counted by hand from content/ at the report date 2019-12-31 (completed activities that
# ended by then, their `where` filters and `sum`, contributions, latest measurements).
EXAMPLE_VALUES = {
    "bs-officers-trained": 644, "bs-assessments": 5, "bs-bcp-connected": 33,
    "ct-workshops": 6, "ct-analysts-trained": 195, "ct-api-states": 25,
    "pd-ncb-staff-trained": 255, "pd-tools": 2, "pd-fingerprint-records": 21350,
    "fu-investigators-trained": 72, "fu-fugitives-located": 95,
    "thb-practitioners-trained": 360, "thb-workshops": 3,
    "dr-officers-trained": 114, "dr-seizure-reports": 262,
    "fa-officers-trained": 343, "fa-iarms-states": 27, "fa-events": 11,
}


def test_example_plan_json_matches_hand_calculation(tmp_path: Path) -> None:
    run = run_sitegen("build", REPO, "-o", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    plan = json.loads((tmp_path / "out/data/plan.json").read_text())
    assert plan["as_of"] == "2019-12-31"
    values = {i["id"]: i["value"] for a in plan["areas"] for i in a["indicators"]}
    assert values == EXAMPLE_VALUES
    assert len(plan["areas"]) == 7
    for area in plan["areas"]:
        assert sum(area["activities"].values()) > 0
        for ind in area["indicators"]:
            assert ind["status"] in progress.STATUS_ORDER


def test_the_dashboard_opens_with_the_plans_attainment_against_expected(tmp_path: Path) -> None:
    """The first figure: the mean attainment of the indicators with a value, each capped to
    0..1, worked out here from their values, baselines and targets; then what is expected."""
    run = run_sitegen("build", REPO, "-o", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    plan = json.loads((tmp_path / "out/data/plan.json").read_text())
    inds = [i for a in plan["areas"] for i in a["indicators"]]
    measured = [i for i in inds if i["value"] is not None]
    shares = [min(1.0, max(0.0, (i["value"] - i["baseline"]) / (i["target"] - i["baseline"]))) for i in measured]
    mean = sum(shares) / len(shares)
    expected = sum(i["expected"] for i in measured) / len(measured)
    assert abs(plan["attainment"] - mean) < 0.001 and abs(plan["expected"] - expected) < 0.002
    assert plan["status"] == progress.status(mean, expected)
    html = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    headline = html[html.index('<section class="headline"'):html.index("</section>", html.index('class="headline"'))]
    assert html.index('class="headline"') < html.index('class="lead"')  # before the plan's summary
    assert f'<span class="n">{whole_percent(mean)}%</span> mean attainment of the plan\'s targets' in headline
    assert (f'Expected by <time datetime="2019-12-31">31 Dec 2019</time>: {whole_percent(expected)}%'
            in headline)  # (a date in a <time> never breaks across two lines)
    assert f"the plan's {len(measured)} indicators with a value" in headline
    # a plan without any value says so instead of a figure
    site = make_site(tmp_path / "site")
    data = load(site)
    areas = progress.plan_progress(data)
    empty = tuple(dataclasses.replace(a, indicators=tuple(dataclasses.replace(p, value=None, attainment=None)
                                                          for p in a.indicators)) for a in areas)
    assert progress.overall(empty, 0.5) == progress.Overall(None, 0.5, "no data", 0, 5)


# -- helpers --------------------------------------------------------------------------------

def load(site: Path):  # type: ignore[no-untyped-def]
    problems = Problems()
    loaded = load_site(site, problems)
    assert not problems.errors, [p.text() for p in problems.errors]
    assert loaded is not None
    return loaded


def values_of(site: Path) -> dict[str, float | None]:
    loaded = load(site)
    return {p.indicator.id: p.value for a in progress.plan_progress(loaded) for p in a.indicators}


def act(name: str, yaml_text: str) -> dict[str, str]:
    return {f"content/activities/{name}.md": front(yaml_text)}


BASE_VALUES = {"bs-trained": 20, "bs-posts": 7, "fa-workshops": 1, "fa-experts": 12, "fa-states": 14}


def test_baseline_values(tmp_path: Path) -> None:
    assert values_of(make_site(tmp_path / "site")) == BASE_VALUES


# -- measurements ---------------------------------------------------------------------------

def test_measurement_indicator_without_value_is_null_not_zero(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/measurements/states.yaml": None})
    assert values_of(site)["fa-states"] is None
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    plan = json.loads((site / "output/data/plan.json").read_text())
    ind = next(i for a in plan["areas"] for i in a["indicators"] if i["id"] == "fa-states")
    assert ind["value"] is None
    assert ind["status"] == "no data"


def test_measurement_after_report_date_is_ignored(tmp_path: Path) -> None:
    csv_text = ("indicator,date,value,note\nbs-posts,2018-12-31,4,a\nbs-posts,2019-12-31,7,b\n"
                "bs-posts,2020-01-01,9,after the report date\n")
    text = "- indicator: fa-states\n  date: 2020-06-30\n  value: 18\n"
    site = make_site(tmp_path / "site", {"content/measurements/posts.csv": csv_text,
                                          "content/measurements/states.yaml": text})
    values = values_of(site)
    assert values["bs-posts"] == 7  # the latest on or before 2019-12-31
    assert values["fa-states"] is None  # only a future value: no value yet


def test_latest_measurement_wins_regardless_of_file_order(tmp_path: Path) -> None:
    csv_text = "indicator,date,value,note\nbs-posts,2019-12-31,7,b\nbs-posts,2018-12-31,4,a\n"
    site = make_site(tmp_path / "site", {"content/measurements/posts.csv": csv_text})
    assert values_of(site)["bs-posts"] == 7


# -- which activities count -----------------------------------------------------------------

def test_activities_after_the_report_date_never_count(tmp_path: Path) -> None:
    extra = {}
    extra |= act("late-course", """
        title: Course after the report date
        area: border-security
        status: completed
        start: 2020-01-10
        type: training-course
        participants: 30
        """)
    extra |= act("spanning-course", """
        title: Course that ends after the report date
        area: border-security
        status: completed
        start: 2019-12-20
        end: 2020-01-03
        type: training-course
        participants: 40
        """)
    extra |= act("late-workshop", """
        title: Workshop after the report date
        area: firearms
        status: completed
        start: 2020-02-01
        type: workshop
        contributes: {fa-experts: 5}
        """)
    assert values_of(make_site(tmp_path / "site", extra)) == BASE_VALUES


def test_activity_ending_on_the_report_date_counts(tmp_path: Path) -> None:
    extra = act("last-day-course", """
        title: Course ending on the report date
        area: border-security
        status: completed
        start: 2019-12-30
        end: 2019-12-31
        type: training-course
        participants: 5
        """)
    assert values_of(make_site(tmp_path / "site", extra))["bs-trained"] == 25


@pytest.mark.parametrize("status", ["planned", "in-progress", "postponed", "cancelled"])
def test_only_completed_activities_count(tmp_path: Path, status: str) -> None:
    extra = act("other-status", f"""
        title: A {status} course
        area: [border-security, firearms]
        status: {status}
        start: 2020-06-01
        type: training-course
        participants: 30
        contributes: {{fa-experts: 7}}
        """)
    extra |= act("other-status-workshop", f"""
        title: A {status} workshop
        area: firearms
        status: {status}
        start: 2020-06-01
        type: workshop
        """)
    assert values_of(make_site(tmp_path / "site", extra)) == BASE_VALUES


def test_where_filters_on_type_and_the_area_is_implied(tmp_path: Path) -> None:
    extra = act("meeting", """
        title: A meeting, not a course
        area: border-security
        status: completed
        start: 2019-05-01
        type: meeting
        participants: 50
        """)
    extra |= act("firearms-course", """
        title: A course of another area
        area: firearms
        status: completed
        start: 2019-05-01
        type: training-course
        participants: 60
        """)
    extra |= act("second-course", """
        title: A second border course
        area: [firearms, border-security]
        status: completed
        start: 2019-05-02
        type: training-course
        participants: 9
        """)
    assert values_of(make_site(tmp_path / "site", extra))["bs-trained"] == 20 + 9


def test_where_on_lists_and_sum_of_women(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"] + (
        "  - id: gender\n"
        "    title: Gender\n"
        "    indicators:\n"
        "      - {id: g-women, title: Women trained, target: 40, sum: participants.women,\n"
        "         where: {tags: [gender, women]}}\n"
        "      - {id: g-balkans, title: Balkan events, target: 4, where: {countries: [RS, BA]}}\n"
        "      - {id: g-total, title: People, target: 100, sum: participants}\n")
    extra = {"content/plan.yaml": plan}
    extra |= act("g1", """
        title: Tagged course with women
        area: gender
        status: completed
        start: 2019-03-01
        tags: [women]
        countries: [RS]
        participants: {total: 20, women: 11, men: 9}
        """)
    extra |= act("g2", """
        title: Untagged course
        area: gender
        status: completed
        start: 2019-03-02
        countries: [AT]
        participants: {total: 10, women: 4, men: 6}
        """)
    extra |= act("g3", """
        title: Tagged course, plain count
        area: gender
        status: completed
        start: 2019-03-03
        tags: [gender]
        location: {city: Sarajevo, country: BA}
        participants: 7
        """)
    values = values_of(make_site(tmp_path / "site", extra))
    assert values["g-women"] == 11  # g1 only: g2 untagged, g3 has no women figure
    assert values["g-balkans"] == 2  # g1 by countries, g3 by its location's country
    assert values["g-total"] == 20 + 10 + 7  # sum: participants uses the total of a mapping


def test_contributions_add_to_the_baseline_from_any_area(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"].replace(
        "        target: 50\n        source: contributions\n",
        "        baseline: 5\n        target: 50\n        source: contributions\n")
    extra = {"content/plan.yaml": plan}
    extra |= act("border-contribution", """
        title: Border course that also trained firearms experts
        area: border-security
        status: completed
        start: 2019-06-01
        type: meeting
        contributes: {fa-experts: 4}
        """)
    assert values_of(make_site(tmp_path / "site", extra))["fa-experts"] == 5 + 12 + 4


# -- the report date ------------------------------------------------------------------------

def _no_as_of() -> dict[str, str]:
    return {"site.yaml": BASELINE["site.yaml"].replace(AS_OF, "")}


def _git(site: Path, *args: str, date: str | None = None) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.org",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", *args], cwd=site, env=env, check=True, capture_output=True)


def test_report_date_is_as_of_when_set(tmp_path: Path) -> None:
    loaded = load(make_site(tmp_path / "site"))
    assert (loaded.report_date, loaded.report_date_source) == (dt.date(2019, 12, 31), "as_of")


def test_report_date_without_git_is_the_newest_date_the_records_report_done(tmp_path: Path) -> None:
    """The newest measurement (2019-12-31), not the end of the activity in progress (2020-02-01)
    nor the start of the planned one (2020-06-01): dates yet to come are not data's date."""
    loaded = load(make_site(tmp_path / "site", _no_as_of()))
    assert (loaded.report_date, loaded.report_date_source) == (dt.date(2019, 12, 31), "records")
    # a planned activity years ahead moves nothing, and leaves the planned one on time
    files = _no_as_of()
    files["content/activities/far.md"] = front("title: Far ahead\narea: firearms\nstatus: planned\nstart: 2030-01-01\n")
    site = make_site(tmp_path / "far", files)
    assert load(site).report_date == dt.date(2019, 12, 31)
    run = run_sitegen("check", site)
    assert run.returncode == 0 and not [ln for ln in run.lines if "stale record" in ln], run.stderr
    # without a measurement: the last day of the newest completed activity, or the start of
    # one in progress
    files["content/measurements/posts.csv"] = None
    files["content/measurements/states.yaml"] = None
    assert load(make_site(tmp_path / "acts", files)).report_date == dt.date(2019, 11, 1)
    # with nothing done yet: the plan's start
    only = {k: v for k, v in files.items() if not k.startswith("content/activities/")}
    only |= {k: None for k in BASELINE if k.startswith("content/activities/")}
    only["content/activities/far.md"] = files["content/activities/far.md"]
    assert load(make_site(tmp_path / "new", only)).report_date == dt.date(2018, 1, 1)


def test_report_date_newest_record_includes_measurements(tmp_path: Path) -> None:
    files = _no_as_of()
    files["content/activities/planned-meeting.md"] = None
    files["content/measurements/states.yaml"] = "- {indicator: fa-states, date: 2020-03-15, value: 15}\n"
    loaded = load(make_site(tmp_path / "site", files))
    assert loaded.report_date == dt.date(2020, 3, 15)


def test_report_date_is_the_latest_content_commit(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", _no_as_of())
    _git(site, "init", "-q")
    _git(site, "add", "content")
    _git(site, "commit", "-q", "-m", "content", date="2019-06-15T12:00:00+00:00")
    _git(site, "add", "site.yaml")  # a later commit outside content/ does not move the date
    _git(site, "commit", "-q", "-m", "settings", date="2021-01-01T12:00:00+00:00")
    loaded = load(site)
    assert (loaded.report_date, loaded.report_date_source) == (dt.date(2019, 6, 15), "git")
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    plan = json.loads((site / "output/data/plan.json").read_text())
    assert plan["as_of"] == "2019-06-15"
    # as_of still wins over git
    (site / "site.yaml").write_text(BASELINE["site.yaml"])
    assert load(site).report_date == dt.date(2019, 12, 31)


def test_report_date_of_a_git_repo_without_commits_falls_back_to_records(tmp_path: Path) -> None:
    files = _no_as_of()
    files["content/activities/planned-meeting.md"] = None
    site = make_site(tmp_path / "site", files)
    _git(site, "init", "-q")
    loaded = load(site)
    assert (loaded.report_date, loaded.report_date_source) == (dt.date(2019, 12, 31), "records")


# -- the status rule (documented in sitegen/progress.py) -------------------------------------

@pytest.mark.parametrize("attainment, expected, word", [
    (None, 0.5, "no data"),
    (1.0, 0.5, "achieved"),
    (1.2, 1.0, "achieved"),
    (0.0, 0.1, "not started"),
    (0.0, 0.24, "not started"),
    (-0.1, 0.2, "not started"),
    (0.0, 0.25, "off track"),
    (0.45, 0.5, "on track"),   # ratio 0.9 exactly
    (0.449, 0.5, "at risk"),
    (0.3, 0.5, "at risk"),     # ratio 0.6 exactly
    (0.299, 0.5, "off track"),
    (0.05, 0.0, "on track"),   # before anything is expected
    (0.9, 0.8, "on track"),
])
def test_status_thresholds(attainment: float | None, expected: float, word: str) -> None:
    assert progress.status(attainment, expected) == word


def test_status_rule_is_documented() -> None:
    doc = progress.__doc__ or ""
    for phrase in ("achieved", "no data", "not started", "on track", "at risk", "off track"):
        assert phrase in doc
    assert (progress.ON_TRACK, progress.AT_RISK, progress.EARLY) == (0.9, 0.6, 0.25)


def test_expected_attainment_follows_milestones(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"].replace(
        "        target: 100\n        source: activities\n",
        "        target: 100\n        milestones: [{date: 2019-01-01, target: 60}]\n"
        "        source: activities\n")
    loaded = load(make_site(tmp_path / "site", {"content/plan.yaml": plan}))
    ind = loaded.plan.indicators[0]
    assert ind.id == "bs-trained"
    assert progress.expected(ind, loaded.plan, dt.date(2018, 1, 1)) == 0.0
    assert progress.expected(ind, loaded.plan, dt.date(2019, 1, 1)) == pytest.approx(0.6)
    # halfway (in days) between the milestone and the plan end 2020-12-31
    mid = dt.date(2019, 1, 1) + (dt.date(2020, 12, 31) - dt.date(2019, 1, 1)) / 2
    assert progress.expected(ind, loaded.plan, mid) == pytest.approx(0.8)
    assert progress.expected(ind, loaded.plan, dt.date(2022, 1, 1)) == 1.0


def test_indicator_and_area_statuses_on_the_baseline(tmp_path: Path) -> None:
    loaded = load(make_site(tmp_path / "site"))
    areas = {a.area.id: a for a in progress.plan_progress(loaded)}
    exp = progress.elapsed(loaded.plan, dt.date(2019, 12, 31))
    assert exp == pytest.approx(729 / 1095)
    statuses = {p.indicator.id: p.status for a in areas.values() for p in a.indicators}
    # bs-trained 20/100 = 0.2 against 0.666 expected (ratio 0.30): off track
    # bs-posts (7-2)/(10-2) = 0.625, ratio 0.94: on track
    # fa-workshops 1/4 = 0.25, ratio 0.375: off track; fa-experts 12/50 = 0.24: off track
    # fa-states (14-10)/(20-10) = 0.4, ratio 0.60: at risk
    assert statuses == {"bs-trained": "off track", "bs-posts": "on track", "fa-workshops": "off track",
                        "fa-experts": "off track", "fa-states": "at risk"}
    # area: mean capped attainment against the elapsed time
    assert areas["border-security"].attainment == pytest.approx((0.2 + 0.625) / 2)
    assert areas["border-security"].status == "at risk"  # ratio 0.62
    assert areas["firearms"].status == "off track"
    assert areas["firearms"].completion == pytest.approx(1 / 2)  # 1 completed of 2 not cancelled
