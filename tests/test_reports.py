"""Reporting rounds: a small plan with two rounds (and one still running), checked against
figures worked out by hand, on the built page and in data/reports/<id>.json.

Plan 2020-01-01 .. 2021-12-31 (730 days). Round q1 ends 2020-03-31 (day 90, elapsed
90/730 = 0.123), round q2 ends 2020-06-30 (day 181, elapsed 0.248).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.sitekit import dedent, make_site, run_sitegen

SITE: dict[str, str] = {
    "site.yaml": "title: Rounds\nbase_url: https://example.org/r/\nas_of: 2020-12-31\n",
    "content/plan.yaml": dedent("""
        title: Round plan
        start: 2020-01-01
        end: 2021-12-31
        activity_types: [training-course, workshop, meeting]
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
    "content/activities/training.yaml": dedent("""
        - {id: course-a, title: Course A, area: training, status: completed, start: 2020-02-10,
           end: 2020-02-12, type: training-course, participants: 20}
        - {id: course-b, title: Course B, area: training, status: completed, start: 2020-05-04,
           end: 2020-05-08, type: training-course, participants: 30}
        - {id: course-c, title: Course C, area: training, status: completed, start: 2020-03-20,
           end: 2020-05-15, type: training-course, participants: 10}
        - {id: late-course, title: Late course, area: training, status: completed, start: 2020-06-29,
           end: 2020-07-02, type: training-course, participants: 5}
        """),
    "content/activities/tools.yaml": dedent("""
        - {id: workshop-1, title: Workshop 1, area: tools, status: completed, start: 2020-03-01,
           type: workshop}
        - {id: workshop-2, title: Workshop 2, area: tools, status: planned, start: 2020-11-01,
           type: workshop}
        - {id: cancelled-x, title: Cancelled workshop, area: tools, status: cancelled,
           start: 2020-04-01, type: workshop}
        - {id: assessment, title: Assessment, area: tools, status: in-progress, start: 2020-01-15,
           end: 2020-10-31, type: meeting}
        """),
    "content/measurements/states.csv": "indicator,date,value,note\nstates,2020-03-31,12,\nstates,2020-06-30,15,\n",
    "content/reports/q1.yaml": "title: First quarter 2020\nstart: 2020-01-01\nend: 2020-03-31\n",
    "content/reports/2020-q2.yaml": dedent("""
        id: q2
        title: Second quarter 2020
        start: 2020-04-01
        end: 2020-06-30
        narrative: |
          Training **picked up**.
        """),
    "content/reports/h2.yaml": "title: Second half-year\nstart: 2020-07-01\nend: 2021-06-30\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("rounds"), SITE, base={})
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    return site / "output"


def data(out: Path, rid: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((out / "data/reports" / f"{rid}.json").read_text(encoding="utf-8"))
    return result


def listed(html: str, list_id: str, attr: str = "data-activity") -> list[str]:
    """The ids in one list or table of the page, in order ([] when the page says None)."""
    found = re.search(rf'id="{list_id}"[^>]*>(.*?)</(?:ul|table)>', html, re.DOTALL)
    return re.findall(rf'{attr}="([^"]+)"', found.group(1)) if found else []


def test_first_round_figures(built: Path) -> None:
    q1 = data(built, "q1")
    assert (q1["as_of"], q1["previous"], q1["since"], q1["ongoing"]) == ("2020-03-31", None, "2019-12-31", False)
    training, tools = q1["areas"]
    assert training["activities"] == {"planned": 2, "in-progress": 1, "completed": 1, "postponed": 0, "cancelled": 0}
    assert (training["completion"], training["attainment"], training["status"]) == (0.25, 0.2, "on track")
    # cancelled-x, due on 2020-04-01, was still planned on 2020-03-31 (the records, not in git,
    # do not say when it was cancelled: from the day it was due)
    assert tools["activities"] == {"planned": 2, "in-progress": 1, "completed": 1, "postponed": 0, "cancelled": 0}
    assert (tools["completion"], tools["attainment"], tools["status"]) == (0.25, 0.25, "on track")
    assert (training["previous_status"], tools["previous_status"]) == ("not started", "not started")
    values = {i["id"]: (i["value"], i["status"]) for i in q1["indicators"]}
    assert values == {"trained": (20, "on track"), "states": (12, "on track"), "workshops": (1, "on track")}
    assert q1["completed"] == ["course-a", "workshop-1"]
    assert q1["new"] == ["assessment", "course-a", "workshop-1", "course-c"]
    assert q1["status_changes"] == []
    assert q1["indicators_moved"] == [{"id": "trained", "from": 0, "to": 20}, {"id": "states", "from": None, "to": 12},
                                      {"id": "workshops", "from": 0, "to": 1}]


def test_the_first_round_page_compares_with_no_earlier_status(built: Path) -> None:
    """The first round has no previous one: its table of areas has no column of their status
    the day before the plan's start ("not started" in every row, a day the plan did not yet
    exist); the second has the first round's."""
    html = (built / "reports/q1/index.html").read_text(encoding="utf-8")
    heads = re.sub(r"</?time[^>]*>", "", html)  # (a heading's date is a <time>, kept on one line)
    assert '<th scope="col">Status on 31 Mar 2020</th><th scope="col">Activities completed</th>' in heads
    assert "Status on 31 Dec 2019" not in html
    assert re.search(r'data-area="training">.*?on track.*?1 of 4 \(25%\)', html)
    # the banner under the header gives the round's day first (it said "Data as of" the site's
    # report date, which read as the date of the round's figures); a running round's is the same
    assert re.search(r'<div class="asof wrap"><p>Figures as of <time datetime="2020-03-31">31 Mar 2020</time> '
                     r'\(data as of <time datetime="2020-12-31">31 Dec 2020</time>\)</p></div>', html)
    running = (built / "reports/h2/index.html").read_text(encoding="utf-8")
    assert '<div class="asof wrap"><p>Data as of <time datetime="2020-12-31">31 Dec 2020</time></p></div>' in running


def test_second_round_figures_and_changes(built: Path) -> None:
    q2 = data(built, "q2")
    assert (q2["as_of"], q2["previous"], q2["since"]) == ("2020-06-30", "q1", "2020-03-31")
    training, tools = q2["areas"]
    # late-course started on 2020-06-29 and ends on 2020-07-02: in progress on the round's end.
    assert training["activities"] == {"planned": 0, "in-progress": 1, "completed": 3, "postponed": 0, "cancelled": 0}
    assert (training["completion"], training["attainment"], training["status"]) == (0.75, 0.55, "on track")
    assert (tools["completion"], tools["attainment"], tools["status"]) == (0.3333, 0.25, "on track")
    assert (training["previous_status"], tools["previous_status"]) == ("on track", "on track")
    values = {i["id"]: i["value"] for i in q2["indicators"]}
    assert values == {"trained": 60, "states": 15, "workshops": 1}
    assert q2["completed"] == ["course-c", "course-b"]
    assert q2["new"] == ["course-b", "late-course"]  # (cancelled-x was never started: not new)
    assert q2["status_changes"] == [{"id": "course-c", "from": "in-progress", "to": "completed"},
                                    {"id": "cancelled-x", "from": "planned", "to": "cancelled"}]
    assert q2["indicators_moved"] == [{"id": "trained", "from": 20, "to": 60}, {"id": "states", "from": 12, "to": 15}]


def test_second_round_page_shows_the_same(built: Path) -> None:
    html = (built / "reports/q2/index.html").read_text(encoding="utf-8")
    assert "<strong>picked up</strong>" in html
    assert 'Previous round: <a href="../../reports/q1/">First quarter 2020</a>' in html
    assert re.search(r'data-area="training">.*?on track.*?3 of 4 \(75%\).*?55%', html)
    # each status column says which day its status is of: the previous round's end, then this
    # one's (as the area lines' arrows read, "at risk → on track"; the newer came first)
    assert ('<th scope="col">Status on 31 Mar 2020</th><th scope="col">Status on 30 Jun 2020</th>'
            in re.sub(r"</?time[^>]*>", "", html)
            and 'data-label="Status on 31 Mar 2020: "' in html)
    assert re.search(r'data-indicator="trained">.*?<td[^>]*>60 people</td>', html)
    # an area whose status did not change says so, not "on track → on track"
    lines = [re.sub(r"<[^>]+>", "", line) for line in re.findall(r'<p class="area-line">(.*?)</p>', html)]
    assert [line.split("\u00a0· ")[0] for line in lines] == ["on track (unchanged)"] * 2
    assert all(line.count("\u00a0· ") == 3 and " · " not in line for line in lines)  # (a dot never begins a line)
    first = (built / "reports/q1/index.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="area-line"><span class="status[^"]*">not started</span> → <span', first)
    assert listed(html, "report-completed") == ["course-c", "course-b"]
    assert listed(html, "report-new") == ["course-b", "late-course"]
    assert listed(html, "report-changes") == ["course-c", "cancelled-x"]
    assert re.search(r'data-activity="course-c">.*?in-progress.*?→.*?completed', html)
    assert listed(html, "report-moved", "data-indicator") == ["trained", "states"]
    assert "Other activities whose status changed (2)" in html and "Indicators that moved (2)" in html
    assert "Activities started in the period (2)" in html  # (they were "New activities")
    assert ('What changed since the previous round, First quarter 2020 (<time datetime="2020-03-31">31 Mar 2020</time>)'
            '</h2>') in html  # (a date in a <time> never breaks across two lines: "(16" / "mai 2018)")
    # on a phone a started activity's line never begins with a dot nor splits its date
    assert re.search(r'<li data-activity="course-b">.*?</a>\u00a0· <time datetime="2020-\d\d-\d\d">[^<]+</time>\u00a0· ', html)
    # the headline says what "of N" leaves out; no activity is in two areas, so no note says so
    assert "1 cancelled activity is not counted." in html and 'class="table-note"' not in html
    # not in git: the page and the data file say the figures come from the records' dates
    assert re.search(r'id="report-source" data-source="dates">Figures and changes reconstructed from the current '
                     r"records by their dates \(earlier versions of the records are not available\).</p>", html)
    assert data(built, "q2")["records"] == {
        "figures": {"source": "dates", "git": False, "day": "2020-06-30"},
        "changes": {"source": "dates", "git": False, "day": "2020-03-31"}}


def test_running_round_uses_the_site_report_date_and_matches_the_dashboard(built: Path) -> None:
    h2 = data(built, "h2")
    assert (h2["as_of"], h2["ongoing"], h2["previous"]) == ("2020-12-31", True, "q2")
    plan = json.loads((built / "data/plan.json").read_text(encoding="utf-8"))
    for mine, dash in zip(h2["areas"], plan["areas"]):
        assert (mine["id"], mine["status"], mine["completion"], mine["attainment"], mine["activities"]) == (
            dash["id"], dash["status"], dash["completion"], dash["attainment"], dash["activities"])
    html = (built / "reports/h2/index.html").read_text(encoding="utf-8")
    assert "The period has not ended" in html
    dashboard = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="reports/h2/"' in dashboard  # the dashboard links the latest round
    # both count the activities completed of those not cancelled (the dashboard said "of" all,
    # cancelled ones too, beside areas' and rounds' figures that leave them out)
    mine = re.search(r'<span class="n">(\d+)</span> of (\d+) activit(?:y|ies) completed since the plan started', html)
    dash = re.search(r'<span class="n">(\d+)</span> activit(?:y|ies) completed of (\d+)', dashboard)
    assert mine and dash and mine.groups() == dash.groups(), (mine, dash)
    assert "cancelled activity is not counted." in dashboard or "cancelled activities are not counted." in dashboard


def test_check_warns_about_stale_records(tmp_path: Path) -> None:
    site = make_site(tmp_path, SITE, base={})
    run = run_sitegen("check", site)
    assert run.returncode == 0, run.stderr
    assert run.lines == [
        ("content/activities/tools.yaml:3:1: warning: stale record: 'workshop-2' is planned but starts on "
         "2020-11-01, before the report date 2020-12-31 (as_of in site.yaml) (update its status or its dates)"),
        ("content/activities/tools.yaml:7:1: warning: stale record: 'assessment' is in-progress but ended "
         "on 2020-10-31, before the report date 2020-12-31 (as_of in site.yaml) "
         "(set status: completed (or postponed) and update 'end')"),
    ]


def test_a_round_counts_contributions_from_records_of_other_areas(tmp_path: Path) -> None:
    """An indicator summing contributions counts, on each round's end, the completed records
    that name it, whatever their area (here a training course contributing to a tools
    indicator), as the dashboard does."""
    files = dict(SITE)
    files["content/plan.yaml"] = SITE["content/plan.yaml"].replace(
        "- {id: workshops, title: Workshops held, unit: workshops, target: 4, where: {type: workshop}}",
        "- {id: workshops, title: Workshops held, unit: workshops, target: 4, where: {type: workshop}}\n"
        "      - {id: reached, title: Officers reached, unit: officers, target: 50, source: contributions}")
    files["content/activities/training.yaml"] = SITE["content/activities/training.yaml"].replace(
        "end: 2020-05-08, type: training-course, participants: 30}",
        "end: 2020-05-08, type: training-course, participants: 30, contributes: {reached: 7}}")
    files["content/activities/tools.yaml"] = SITE["content/activities/tools.yaml"].replace(
        "start: 2020-03-01,\n   type: workshop}", "start: 2020-03-01,\n   type: workshop, contributes: {reached: 3}}")
    assert files["content/activities/tools.yaml"] != SITE["content/activities/tools.yaml"]
    site = make_site(tmp_path, files, base={})
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    out = site / "output"
    q1, q2 = data(out, "q1"), data(out, "q2")
    assert {i["id"]: i["value"] for i in q1["indicators"]}["reached"] == 3  # (course-b ends in q2)
    assert {i["id"]: i["value"] for i in q2["indicators"]}["reached"] == 10
    assert {"id": "reached", "from": 3, "to": 10} in q2["indicators_moved"]
    plan = json.loads((out / "data/plan.json").read_text(encoding="utf-8"))
    found = {i["id"]: i["value"] for a in plan["areas"] for i in a["indicators"]}
    assert found["reached"] == 10  # (the dashboard, as of 2020-12-31)
