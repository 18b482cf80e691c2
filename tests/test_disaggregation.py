"""Disaggregation (#18): measurements broken down by dimensions (CSV columns, YAML keys) and
activities' participants by sex. A plan with impact, outcome and output indicators
(tests/sitekit.py DISAGGREGATED), two of them disaggregated (a CSV with `sex` and
`country`, a YAML file with `age`) and a total that disagrees with its parts: the logframe,
the indicator pages' breakdown tables and the CSVs hold the numbers computed here from the
records, independently of sitegen; the disagreement is a located warning; an undeclared
dimension or category is a located error."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.sitekit import DISAGGREGATED, WITHOUT_RECORDS, course, dedent, make_site, run_sitegen, where

AS_OF = dt.date(2019, 12, 31)

# sex and country; on 2019-06-30 no total, only sex by country (the total: their sum); on
# 2019-12-31 a total (520) that its parts by sex (300 + 230) contradict; a value after the
# report date that no figure counts.
VICTIMS = dedent("""
    indicator,date,value,sex,country,note
    victims-assisted,2018-12-31,300,,,annual total
    victims-assisted,2018-12-31,180,female,,
    victims-assisted,2018-12-31,120,male,,
    victims-assisted,2018-12-31,100,,AT,
    victims-assisted,2018-12-31,150,,DE,
    victims-assisted,2018-12-31,50,,RS,
    victims-assisted,2019-06-30,40,female,AT,
    victims-assisted,2019-06-30,60,female,DE,
    victims-assisted,2019-06-30,30,male,AT,
    victims-assisted,2019-06-30,20,male,DE,
    victims-assisted,2019-12-31,520,,,annual total
    victims-assisted,2019-12-31,300,female,,
    victims-assisted,2019-12-31,230,male,,
    victims-assisted,2019-12-31,200,,AT,
    victims-assisted,2019-12-31,320,,DE,
    shelters,2019-12-31,4,,,
    victims-assisted,2020-06-30,900,,,after the report date
    """)

YOUTH = dedent("""
    - {indicator: youth-reached, date: 2018-12-31, value: 30, age: 15-19}
    - {indicator: youth-reached, date: 2018-12-31, value: 45, age: 20-24}
    - {indicator: youth-reached, date: 2019-12-31, value: 60, age: 15-19}
    - {indicator: youth-reached, date: 2019-12-31, value: 70, age: 20-24}
    - {indicator: youth-reached, date: 2019-12-31, value: 15, age: 25-29}
    """)


FILES: dict[str, str | None] = {
    **WITHOUT_RECORDS,
    "content/plan.yaml": DISAGGREGATED,
    "content/measurements/victims.csv": VICTIMS,
    "content/measurements/youth.yaml": YOUTH,
    "content/activities/2018-03-05-course.md": course("2018-03-05", "{total: 20, women: 8, men: 12}"),
    "content/activities/2019-05-06-course.md": course("2019-05-06", "{total: 25, women: 10, men: 15}"),
    "content/activities/2019-09-09-course.md": course("2019-09-09", "10"),
    "content/activities/2020-02-03-course.md": course("2020-02-03", "{total: 30, women: 20, men: 10}"),
    "content/activities/2020-10-01-course.md": course("2020-10-01", "{total: 40, women: 20, men: 20}", "planned"),
}


# -- the independent calculation ----------------------------------------------------------------

def read_records(site: Path) -> list[dict[str, Any]]:
    """Every measurement of the test site, read here (csv and yaml), with its line in the file."""
    rows: list[dict[str, Any]] = []
    with (site / "content/measurements/victims.csv").open(encoding="utf-8", newline="") as fh:
        for n, r in enumerate(csv.DictReader(fh), start=2):
            rows.append({"indicator": r["indicator"], "date": dt.date.fromisoformat(r["date"]),
                         "value": float(r["value"]), "line": n,
                         "dims": {k: r[k] for k in ("sex", "country") if r[k]}})
    for r in yaml.safe_load((site / "content/measurements/youth.yaml").read_text(encoding="utf-8")):
        rows.append({"indicator": r["indicator"], "date": r["date"], "value": float(r["value"]),
                     "dims": {"age": str(r["age"])}})
    return [r for r in rows if r["date"] <= AS_OF]


def expected_measured(site: Path, ind: str, dims: list[str]) -> dict[str, Any]:
    """Per date: the total (its row, else the parts by the first dimension given), and per
    dimension the parts (rows of that dimension alone, else summed over the cross rows)."""
    rows = [r for r in read_records(site) if r["indicator"] == ind]
    out: dict[str, Any] = {}
    for day in sorted({r["date"] for r in rows}):
        on = [r for r in rows if r["date"] == day]
        parts: dict[str, dict[str, float]] = {}
        for d in dims:
            alone = [r for r in on if list(r["dims"]) == [d]]
            crossed = [r for r in on if d in r["dims"] and len(r["dims"]) > 1]
            for r in alone or crossed:
                parts.setdefault(d, {})
                parts[d][r["dims"][d]] = parts[d].get(r["dims"][d], 0) + r["value"]
        whole = [r["value"] for r in on if not r["dims"]]
        total = whole[0] if whole else sum(next(iter(parts.values())).values())
        out[day.isoformat()] = {"total": total, "parts": parts}
    return out


def expected_staff(site: Path) -> dict[str, Any]:
    """The staff-trained breakdown: completed courses up to each year end and the report date."""
    acts = []
    for path in sorted((site / "content/activities").glob("*.md")):
        acts.append(yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1]))
    done = [a for a in acts if a["status"] == "completed" and a["start"] <= AS_OF]
    out: dict[str, Any] = {}
    for day in (dt.date(2018, 12, 31), AS_OF):
        upto = [a["participants"] for a in done if a["start"] <= day]
        total = 5 + sum(p["total"] if isinstance(p, dict) else p for p in upto)
        women = sum(p["women"] for p in upto if isinstance(p, dict))
        men = sum(p["men"] for p in upto if isinstance(p, dict))
        out[day.isoformat()] = {"total": total, "parts": {"sex": {"women": women, "men": men}}}
    return out


# -- reading the built site ---------------------------------------------------------------------

def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def cells(fragment: str, tag: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", fragment, re.S)]


def breakdown_tables(page: str) -> dict[str, dict[str, Any]]:
    """The page's breakdown tables: dimension section id -> {dates, rows: {label: [cells]}}."""
    out = {}
    for dim, body in re.findall(r'<section class="breakdown-dimension" id="breakdown-(\w+)".*?>(.*?)</section>',
                                page, re.S):
        table = re.search(r'<table class="breakdown-table">(.*?)</table>', body, re.S)
        assert table, dim
        head = re.search(r"<thead>(.*?)</thead>", table.group(1), re.S)
        dates = re.findall(r'<time datetime="([\d-]+)"', head.group(1)) if head else []
        rows = {}
        for tr in re.findall(r"<tr\b[^>]*>(.*?)</tr>", table.group(1).split("</thead>", 1)[1], re.S):
            label = cells(tr, "th")[0]
            rows[label] = [None if c.startswith("–") else float(c.replace(",", "")) for c in cells(tr, "td")]
        out[dim] = {"dates": dates, "rows": rows}
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("disaggregation")
    site = make_site(root / "site", {**FILES, "site.yaml": "title: T\nbase_url: https://example.org/t/\n"
                                     f"as_of: {AS_OF.isoformat()}\n"})
    run = run_sitegen("build", site, "-o", root / "out")
    assert run.returncode == 0, run.stderr
    return site, root / "out", run.stderr


def test_the_total_that_disagrees_with_its_parts_is_a_located_warning(built: tuple[Path, Path, str]) -> None:
    site, _, _ = built
    run = run_sitegen("check", site)
    assert run.returncode == 0, run.stderr
    text = VICTIMS
    line, _ = where(text, "victims-assisted,2019-12-31,520")
    warned = [ln for ln in run.lines if "is not the sum" in ln]
    assert warned == [f"content/measurements/victims.csv:{line}:1: warning: 'victims-assisted' on 2019-12-31: "
                      "the total 520 is not the sum of its parts by sex, 530 (the parts are at "
                      f"content/measurements/victims.csv:{line + 1}, content/measurements/victims.csv:{line + 2}; "
                      "correct the total or the parts)"], run.stderr
    # the parts by country (200 + 320) agree, the 2018 breakdowns too, and a date without a
    # total is summed without a warning
    assert len([ln for ln in run.lines if "warning" in ln]) == 1, run.stderr


def test_logframe_and_indicators_csv_hold_the_totals_computed_here(built: tuple[Path, Path, str]) -> None:
    site, out, _ = built
    victims = expected_measured(site, "victims-assisted", ["sex", "country"])
    youth = expected_measured(site, "youth-reached", ["age"])
    staff = expected_staff(site)
    want = {"victims-assisted": victims[max(victims)]["total"], "youth-reached": youth[max(youth)]["total"],
            "staff-trained": staff[AS_OF.isoformat()]["total"], "shelters": 4}
    assert want == {"victims-assisted": 520, "youth-reached": 145, "staff-trained": 60, "shelters": 4}
    page = (out / "results/index.html").read_text(encoding="utf-8")
    shown = {}
    for ind, row in re.findall(r'<tr class="rf-row[^"]*" id="rf-([\w-]+)"(.*?)</tr>', page, re.S):
        value = re.search(r'<td class="num rf-value"[^>]*>(.*?)</td>', row, re.S)
        assert value
        shown[ind] = float(cells("<x>" + value.group(1).split("<span", 1)[0] + "</x>", "x")[0].replace(",", ""))
    assert shown == want
    # the chain's order: impact, its outcome, the outcome's outputs
    assert list(shown) == ["victims-assisted", "youth-reached", "staff-trained", "shelters"]
    table = {r["id"]: float(r["value"]) for r in csv_rows(out / "data/indicators.csv")}
    assert table == want
    # the value series (the chart's and indicator-values.csv) take each date's total
    series = [(r["date"], float(r["value"])) for r in csv_rows(out / "data/indicators/victims-assisted.csv")
              if r["series"] == "actual"]
    assert series == [(day, v["total"]) for day, v in sorted(victims.items())]
    assert series[1] == ("2019-06-30", 150.0)  # (no total that day: the sum of sex by country)


def test_breakdown_tables_hold_the_parts_and_totals_computed_here(built: tuple[Path, Path, str]) -> None:
    site, out, _ = built
    labels = {"AT": "Austria", "DE": "Germany", "RS": "Serbia", "female": "Female", "male": "Male",
              "women": "Women", "men": "Men"}  # (sitegen's words for the usual categories)
    for ind, dims, expected in (
            ("victims-assisted", {"sex": ["female", "male"], "country": ["AT", "DE", "RS"]},
             expected_measured(site, "victims-assisted", ["sex", "country"])),
            ("youth-reached", {"age": ["15-19", "20-24", "25-29"]}, expected_measured(site, "youth-reached", ["age"])),
            ("staff-trained", {"sex": ["women", "men"]}, expected_staff(site))):
        page = (out / f"indicators/{ind}/index.html").read_text(encoding="utf-8")
        tables = breakdown_tables(page)
        assert list(tables) == list(dims), ind
        for dim, categories in dims.items():
            dates = [d for d, v in sorted(expected.items()) if dim in v["parts"]]
            got = tables[dim]
            assert got["dates"] == dates, (ind, dim)
            for c in categories:
                assert got["rows"][labels.get(c, c)] == [expected[d]["parts"][dim].get(c) for d in dates], (ind, c)
            assert got["rows"]["Total"] == [expected[d]["total"] for d in dates], (ind, dim)
        # every table is in the HTML (no script needed); the select is there to show one at a time
        assert ('id="breakdown-select"' in page) == (len(dims) > 1)
    # the staff's total holds the baseline and a course without women and men: not broken down
    page = (out / "indicators/staff-trained/index.html").read_text(encoding="utf-8")
    assert breakdown_tables(page)["sex"]["rows"]["Not broken down"] == [5.0, 15.0]
    # a measured indicator without dimensions has no breakdown
    assert "breakdown-dimension" not in (out / "indicators/shelters/index.html").read_text(encoding="utf-8")


def test_breakdown_csvs_are_tidy_with_units_and_hold_the_numbers_computed_here(
        built: tuple[Path, Path, str]) -> None:
    site, out, _ = built
    for ind, dims, expected in (
            ("victims-assisted", ["sex", "country"], expected_measured(site, "victims-assisted", ["sex", "country"])),
            ("youth-reached", ["age"], expected_measured(site, "youth-reached", ["age"])),
            ("staff-trained", ["sex"], expected_staff(site))):
        rows = csv_rows(out / f"data/breakdowns/{ind}.csv")
        assert list(rows[0]) == ["indicator", "date", "dimension", "category", "value", "unit"]
        got = {(r["date"], r["dimension"], r["category"]): float(r["value"]) for r in rows}
        want = {}
        for day, v in expected.items():
            want[(day, "", "")] = v["total"]
            for dim in dims:
                for c, n in v["parts"].get(dim, {}).items():
                    want[(day, dim, c)] = n
        assert got == want, ind
        assert len(rows) == len(got)
        assert {r["indicator"] for r in rows} == {ind} and {r["unit"] for r in rows} == {"people"}
    # each dimension's chart: the latest values by category, as a CSV beside it
    chart = csv_rows(out / "data/charts/breakdown-victims-assisted-country.csv")
    assert [(r["Country"], float(r["value"])) for r in chart] == [("AT", 200), ("DE", 320)]
    chart = csv_rows(out / "data/charts/breakdown-youth-reached-age.csv")
    assert [(r["Age"], float(r["value"])) for r in chart] == [("15-19", 60), ("20-24", 70), ("25-29", 15)]
    # measurements.csv says which part of the total each row is
    parts = {(r["date"], r["dimensions"]) for r in csv_rows(out / "data/measurements.csv")
             if r["indicator"] == "victims-assisted"}
    assert {("2019-06-30", "sex=female;country=AT"), ("2018-12-31", ""), ("2018-12-31", "country=RS")} <= parts


def test_the_data_package_describes_the_breakdowns(built: tuple[Path, Path, str]) -> None:
    import json
    _, out, _ = built
    package = json.loads((out / "data/datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"]: r for r in package["resources"]}
    published = {p.relative_to(out / "data").as_posix() for p in (out / "data").rglob("*.csv")}
    mine = {p for p in published if p.startswith(("breakdowns/", "charts/breakdown-"))}
    assert len(mine) == 3 + 4 and mine <= set(described)
    fields = {f["name"]: f for f in described["breakdowns/victims-assisted.csv"]["schema"]["fields"]}
    assert fields["value"]["unit"] == "people"
    assert fields["dimension"]["constraints"]["enum"] == ["sex", "country"]
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(out / "data/datapackage.json"))
    assert report.valid, [(t.name, e.note) for t in report.tasks for e in t.errors]


def test_an_undeclared_dimension_or_category_is_a_located_error(tmp_path: Path) -> None:
    lines = VICTIMS.replace("note\n", "note,region\n", 1).splitlines()
    lines = [ln if ln.count(",") == 6 else ln + "," for ln in lines]
    bad_csv = "\n".join(lines).replace("180,female,,,", "180,female,,,north").replace("120,male", "120,mael") + "\n"
    bad_yaml = YOUTH.replace("value: 15, age: 25-29}", "value: 15, age: 25-29, sex: female}")
    site = make_site(tmp_path / "site", {**FILES, "content/measurements/victims.csv": bad_csv,
                                         "content/measurements/youth.yaml": bad_yaml})
    run = run_sitegen("check", site)
    assert run.returncode == 1
    line, col = where(bad_csv, "north")
    assert (f"content/measurements/victims.csv:{line}:{col}: error: 'region' is not a dimension of indicator "
            "'victims-assisted' (its dimensions: sex, country) (declare it on the indicator in content/plan.yaml: "
            "dimensions: {region: [...]})") in run.errors, run.stderr
    line, col = where(bad_csv, "mael")
    assert (f"content/measurements/victims.csv:{line}:{col}: error: 'mael' is not a category of dimension 'sex' "
            "of indicator 'victims-assisted' (did you mean 'male'?)") in run.errors, run.stderr
    line, col = where(bad_yaml, "sex: female")
    assert (f"content/measurements/youth.yaml:{line}:{col}: error: 'sex' is not a dimension of indicator "
            "'youth-reached' (its dimensions: age) (declare it on the indicator in content/plan.yaml: "
            "dimensions: {sex: [...]})") in run.errors, run.stderr
    assert len(run.errors) == 3, run.stderr


def test_dimensions_are_checked_where_the_plan_declares_them(tmp_path: Path) -> None:
    plan = DISAGGREGATED.replace("dimensions: {sex: [women, men]}", "dimensions: {sex: [women, men], country: [AT]}") \
        .replace("country: [AT, DE, RS]", "country: [AT, DE, XX]")
    site = make_site(tmp_path / "site", {**FILES, "content/plan.yaml": plan,
                                         "content/measurements/victims.csv": None})
    run = run_sitegen("check", site)
    assert run.returncode == 1
    line, col = where(plan, "XX")
    assert (f"content/plan.yaml:{line}:{col}: error: 'country': unknown country code 'XX' "
            "(use ISO 3166-1 alpha-2, e.g. AT)") in run.errors, run.stderr
    line, col = where(plan, "dimensions: {sex: [women, men]")
    assert any(e.startswith(f"content/plan.yaml:{line}:{col}: error: with source: activities, the only dimension "
                            "is 'sex'") for e in run.errors), run.stderr
    assert len(run.errors) == 2, run.stderr


def test_the_example_breaks_its_officers_trained_down_by_sex(tmp_path: Path) -> None:
    """The example's breakdown: its border officers trained by sex, from the participants of the
    courses it counts, with its figures unchanged."""
    out = tmp_path / "out"
    run = run_sitegen("build", ".", "-o", out)
    assert run.returncode == 0, run.stderr
    page = (out / "indicators/bs-officers-trained/index.html").read_text(encoding="utf-8")
    tables = breakdown_tables(page)
    assert list(tables) == ["sex"]
    rows = tables["sex"]["rows"]
    total = rows["Total"][-1]
    parts = (rows["Women"][-1] or 0) + (rows["Men"][-1] or 0) + (rows.get("Not broken down", [0])[-1] or 0)
    assert parts == total
    # the chart's bars are the categories: its summary says how much of the total is in none
    rest = rows.get("Not broken down", [0])[-1] or 0
    assert rest > 0
    assert f"Total: {total:,.0f}, of which {rest:,.0f} not broken down." in page
    # ... and so do its bars: a grey one for what is in no category (without it, "Women 62,
    # Men 140" read as the whole of 644)
    from tests.test_charts_read import _figures
    figure = _figures(out / "indicators/bs-officers-trained/index.html")["breakdown-bs-officers-trained-sex"]
    bars = figure["data"][0]
    assert bars["x"] == ["Women", "Men", "Not broken down"] and sum(bars["y"]) == total
    assert bars["marker"]["color"][-1] != bars["marker"]["color"][0]
    chart_csv = csv_rows(out / "data/charts/breakdown-bs-officers-trained-sex.csv")
    assert chart_csv[-1] == {**chart_csv[-1], "value": f"{rest:g}"} and len(chart_csv) == 3, chart_csv
    value = {r["id"]: r["value"] for r in csv_rows(out / "data/indicators.csv")}["bs-officers-trained"]
    assert float(value) == total


# -- in Chromium: the selector, and every table without JavaScript ------------------------------

VISIBLE = """() => Array.from(document.querySelectorAll('.breakdown-dimension'))
    .filter(s => s.offsetParent !== null && s.querySelector('table.breakdown-table').offsetHeight > 0)
    .map(s => s.id)"""


def test_the_selector_shows_one_dimension_and_without_javascript_every_table_shows(
        built: tuple[Path, Path, str], open_browser_page: Any) -> None:
    from tests import browser_support as bs
    _, out, _ = built
    with bs.serve_directory(out, "/t/") as base:
        url = f"{base}indicators/victims-assisted/"
        with open_browser_page(url) as session:
            page = session.page
            assert page.is_visible("#breakdown-select")
            assert page.evaluate(VISIBLE) == ["breakdown-sex"]
            total, drawn = bs.plotly_charts_drawn(page)
            assert total == drawn == 3  # (the value chart and one per dimension)
            page.select_option("#breakdown-select", "breakdown-country")
            assert page.evaluate(VISIBLE) == ["breakdown-country"]
            # the chart of the dimension shown spans its section (resized as it is shown)
            width = page.evaluate("() => document.querySelector('#breakdown-country .plot .main-svg').clientWidth")
            assert width > 300
            page.select_option("#breakdown-select", "breakdown-sex")
            assert page.evaluate(VISIBLE) == ["breakdown-sex"]
            assert not session.page_errors, session.page_errors
        with open_browser_page(url, java_script_enabled=False) as session:
            page = session.page
            assert not page.is_visible("#breakdown-select")
            assert page.evaluate(VISIBLE) == ["breakdown-sex", "breakdown-country"]
            rows = page.locator("#breakdown-country table.breakdown-table tbody tr").all_inner_texts()
            assert [r.split("\t")[0] for r in rows] == ["Austria", "Germany", "Serbia"]


def test_the_iati_export_gives_the_parts_as_actuals_by_dimension(tmp_path: Path) -> None:
    """IATI 2.03: each part of a period's value is an `actual` with its `dimension`."""
    import xml.etree.ElementTree as ET
    settings = dedent("""
        title: T
        base_url: https://example.org/t/
        as_of: 2019-12-31
        iati:
          reporting_org: {ref: XI-IATI-EX1, name: Example Org, type: 21}
          identifier: XI-IATI-EX1-TP
        """)
    site = make_site(tmp_path / "site", {**FILES, "site.yaml": settings})
    run = run_sitegen("build", site, "-o", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    root = ET.parse(tmp_path / "out/data/iati-activities.xml").getroot()
    victims = expected_measured(site, "victims-assisted", ["sex", "country"])["2019-12-31"]
    for result in root.iter("result"):
        if result.find("indicator/reference").get("code") != "victims-assisted":
            continue
        period = result.find("indicator/period")  # (no milestones: one period, the plan's)
        got = [(tuple((d.get("name"), d.get("value")) for d in a.findall("dimension")), float(a.get("value")))
               for a in period.findall("actual")]
        want = [((), victims["total"])]
        want += [(((dim, c),), n) for dim in ("sex", "country") for c, n in victims["parts"][dim].items()]
        assert got == want
        break
    else:
        raise AssertionError("no result for victims-assisted")
