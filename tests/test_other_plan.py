"""Plans other than the example, in exactly the SPEC format, check and build cleanly.

tests/sites/water-plan/ is a different plan: other area ids, its own activity_types, an
area whose indicators are all measured, activities listing several areas, measurements
as CSV and YAML. A second, minimal plan (no site.yaml, default activity types) is
written inline.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.sitekit import dedent, front, make_site, run_sitegen, snapshot

WATER = Path(__file__).parent / "sites" / "water-plan"


@pytest.fixture
def water(tmp_path: Path) -> Path:
    """A copy of the water plan outside any git repository."""
    return Path(shutil.copytree(WATER, tmp_path / "water-plan"))


def test_water_plan_checks_cleanly(water: Path) -> None:
    run = run_sitegen("check", water, "--strict")
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "0 errors, 0 warnings"
    run = run_sitegen("check", water, "--format", "json")
    assert run.returncode == 0
    assert json.loads(run.stdout) == []


def test_water_plan_builds_cleanly(water: Path) -> None:
    run = run_sitegen("build", water, "--strict")
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert "0 warnings" in run.stdout
    out = water / "output"
    for rel in ("index.html", "areas/supply/index.html", "areas/sanitation/index.html",
                "areas/water-quality/index.html", "activities/index.html", "timeline/index.html",
                "activities/2021-03-01-baseline-survey/index.html", "activities/boreholes-lot-1/index.html",
                "activities/caretaker-training-2/index.html", "activities/final-survey/index.html",
                "pages/methods/index.html", "data/plan.json", "data/activities.json",
                "assets/plotly-basic.min.js"):
        assert (out / rel).is_file(), rel
    assert "Samples are tested by the district laboratory" in (
        out / "areas/water-quality/index.html").read_text()
    # Nothing of the example plan leaks into another plan's site.
    for rel, data in snapshot(out).items():
        if rel.endswith((".html", ".json", ".xml", ".csv")):
            text = data.decode("utf-8")
            assert "INTERPOL" not in text and "OSCE" not in text, rel


def test_water_plan_progress_by_hand(water: Path) -> None:
    run = run_sitegen("build", water)
    assert run.returncode == 0, run.stderr
    plan = json.loads((water / "output/data/plan.json").read_text())
    assert plan["as_of"] == "2022-06-30"
    assert [a["id"] for a in plan["areas"]] == ["supply", "sanitation", "water-quality"]
    values = {i["id"]: i["value"] for a in plan["areas"] for i in a["indicators"]}
    assert values == {
        "boreholes": 1,        # boreholes-lot-1; lot 2 is still in progress
        "caretakers": 75,      # 40 + 35 participants of the two trainings
        "latrines": 5,         # baseline 2 + 3 from lot 1 (lot 2 in progress)
        "hygiene-women": 20,   # training 2 only: training 1 is not in the sanitation area
        "safe-samples": 71,    # latest on or before 2022-06-30 (79 comes later)
        "tested-points": 132,
    }
    counts = {a["id"]: a["activities"] for a in plan["areas"]}
    assert counts["supply"] == {"planned": 1, "in-progress": 1, "completed": 4, "postponed": 1,
                                "cancelled": 0}
    assert counts["sanitation"] == {"planned": 1, "in-progress": 0, "completed": 2, "postponed": 0,
                                    "cancelled": 1}
    assert counts["water-quality"] == {"planned": 1, "in-progress": 0, "completed": 0, "postponed": 0,
                                       "cancelled": 0}
    acts = {a["id"]: a for a in json.loads((water / "output/data/activities.json").read_text())}
    assert acts["final-survey"]["area"] == ["supply", "sanitation", "water-quality"]
    assert acts["caretaker-training-1"]["participants"] == {"total": 40, "women": 22, "men": 18}


def test_water_plan_rejects_the_examples_types(water: Path) -> None:
    # activity_types is the plan's own list: the example's 'workshop' is not in it.
    path = water / "content/activities/2021/boreholes-lot-1.md"
    path.write_text(path.read_text().replace("type: construction", "type: workshop"))
    run = run_sitegen("check", water)
    assert run.returncode == 1
    assert run.lines == ["content/activities/2021/boreholes-lot-1.md:7:1: error: unknown activity type "
                         "'workshop' (known: construction, handover, survey, training)"]


MINIMAL_PLAN = dedent("""
    title: Library reading plan
    start: 2024-01-01
    end: 2024-12-31
    areas:
      - id: reading
        title: Reading clubs
        indicators:
          - {id: clubs, title: Club meetings held, target: 12}
          - {id: readers, title: Readers reached, target: 300, source: contributions}
    """)


def test_minimal_plan_without_site_yaml_uses_defaults(tmp_path: Path) -> None:
    files = {"content/plan.yaml": MINIMAL_PLAN,
             "content/activities/2024-02-01-first-club.md": front(
                 "title: First club\narea: reading\nstatus: completed\nstart: 2024-02-01\n"
                 "type: meeting\ncontributes: {readers: 25}\n"),
             "content/activities/2024-03-01-second-club.md": front(
                 "title: Second club\narea: reading\nstatus: completed\nstart: 2024-03-01\n"
                 "contributes: {readers: 30}\n")}
    site = make_site(tmp_path / "lib", files, base={})
    assert sorted(p.name for p in site.iterdir()) == ["content"]
    run = run_sitegen("check", site, "--strict")
    assert run.returncode == 0, run.stderr
    run = run_sitegen("build", site, "--strict")
    assert run.returncode == 0, run.stderr
    assert "0 warnings" in run.stdout
    plan = json.loads((site / "output/data/plan.json").read_text())
    assert plan["as_of"] == "2024-03-01"  # no as_of, no git: the newest record date
    values = {i["id"]: i["value"] for a in plan["areas"] for i in a["indicators"]}
    assert values == {"clubs": 2, "readers": 55}
