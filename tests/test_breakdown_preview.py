"""Breakdowns (#18) through the cached build and the preview (#15: the preview equals a full
build byte for byte).

A small site on the plan of tests/sitekit.py DISAGGREGATED: a disaggregated indicator (CSV
measurements by `sex` and `country`), one by `age` (YAML measurements) and one fed by
participants (`sum: participants`, `sex`). Each
edit of what a breakdown is made of (a part's value, a new category row, a removed row, a
category added to the plan, an activity's women and men, the YAML file deleted, the
participants' indicator no longer broken down) is applied once, then the site is built three
ways: `build` again with its cache, the preview's incremental builder (given the watcher's
paths, as the server does), and a fresh uncached build of a copy of the sources in another
folder. The three trees must be the same bytes, and the breakdown CSV and the indicator page
must hold the number the edit made.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from sitegen.build import build
from sitegen.incremental import Builder
from tests.sitekit import DISAGGREGATED, WITHOUT_RECORDS, course, dedent, make_site, snapshot

# (the parts by country are incomplete, without RS: they may sum to less than the total)
VICTIMS = dedent("""
    indicator,date,value,sex,country,note
    victims-assisted,2018-12-31,300,,,annual total
    victims-assisted,2018-12-31,180,female,,
    victims-assisted,2018-12-31,120,male,,
    victims-assisted,2019-12-31,500,,,annual total
    victims-assisted,2019-12-31,300,female,,
    victims-assisted,2019-12-31,200,male,,
    victims-assisted,2019-12-31,200,,AT,
    victims-assisted,2019-12-31,250,,DE,
    """)

YOUTH = dedent("""
    - {indicator: youth-reached, date: 2019-12-31, value: 60, age: 15-19}
    - {indicator: youth-reached, date: 2019-12-31, value: 70, age: 20-24}
    """)


COURSE = "content/activities/2019-05-06-course.md"
FILES: dict[str, str | None] = {
    **WITHOUT_RECORDS,
    "site.yaml": "title: T\nbase_url: https://example.org/t/\nas_of: 2019-12-31\n",
    "content/plan.yaml": DISAGGREGATED,
    "content/measurements/victims.csv": VICTIMS,
    "content/measurements/youth.yaml": YOUTH,
    "content/activities/2018-03-05-course.md": course("2018-03-05", "{total: 20, women: 8, men: 12}"),
    COURSE: course("2019-05-06", "{total: 25, women: 10, men: 15}"),
}


def breakdown_csv(out: Path, ind: str) -> dict[tuple[str, str, str], float]:
    """data/breakdowns/<ind>.csv as (date, dimension, category) -> value."""
    rows = csv.DictReader(io.StringIO((out / f"data/breakdowns/{ind}.csv").read_text(encoding="utf-8")))
    return {(r["date"], r["dimension"], r["category"]): float(r["value"]) for r in rows}


def breakdown_row(out: Path, ind: str, dimension: str, label: str) -> list[str]:
    """The cells of one row (`label`) of the indicator page's table of `dimension`."""
    page = (out / f"indicators/{ind}/index.html").read_text(encoding="utf-8")
    section = re.search(rf'<section class="breakdown-dimension" id="breakdown-{dimension}".*?</section>', page, re.S)
    assert section, f"no breakdown by {dimension} on the page of {ind}"
    table = re.sub(r'<span class="visually-hidden">.*?</span>', "", section.group(0))  # ("–" with "not given")
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", table, re.S):
        head = re.search(r"<th\b[^>]*>(.*?)</th>", row, re.S)
        if head and re.sub(r"<[^>]+>", "", head.group(1)).strip().lower() == label.lower():
            return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td\b[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(f"no row {label!r} in the breakdown by {dimension} of {ind}")


def _replace(site: Path, rel: str, old: str, new: str) -> Callable[[], list[Path]]:
    def edit() -> list[Path]:
        path = site / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return [path]
    return edit


def _delete(site: Path, rel: str) -> Callable[[], list[Path]]:
    def edit() -> list[Path]:
        (site / rel).unlink()
        return [site / rel]
    return edit


def _check(out: Path, kind: str) -> None:
    """What each edit made, as the breakdown CSV and the indicator page show it."""
    victims = "victims-assisted"
    if kind == "part value":  # DE 250 -> 280
        assert breakdown_csv(out, victims)[("2019-12-31", "country", "DE")] == 280
        assert breakdown_row(out, victims, "country", "Germany") == ["280"]
    elif kind == "new category row":  # RS 20 (the parts by country now complete: 500)
        assert breakdown_csv(out, victims)[("2019-12-31", "country", "RS")] == 20
        assert breakdown_row(out, victims, "country", "Serbia") == ["20"]
    elif kind == "removed row":  # male on 2019-12-31
        table = breakdown_csv(out, victims)
        assert ("2019-12-31", "sex", "male") not in table and table[("2018-12-31", "sex", "male")] == 120
        assert breakdown_row(out, victims, "sex", "male") == ["120", "–"]
    elif kind == "plan category":  # age 30-34, no value yet
        assert breakdown_row(out, "youth-reached", "age", "30-34") == ["–"]
        assert breakdown_csv(out, "youth-reached")[("2019-12-31", "age", "15-19")] == 60
    elif kind == "participants":  # women 10 -> 17, men 15 -> 8 (with the 2018 course's 8 and 12)
        table = breakdown_csv(out, "staff-trained")
        assert (table[("2019-12-31", "sex", "women")], table[("2019-12-31", "sex", "men")]) == (25, 20)
        assert breakdown_row(out, "staff-trained", "sex", "women")[-1] == "25"
        assert breakdown_row(out, "staff-trained", "sex", "men")[-1] == "20"
    elif kind == "plan dimensions removed":  # staff-trained no longer broken down: its CSV is gone
        assert not (out / "data/breakdowns/staff-trained.csv").exists()
        assert "breakdowns/staff-trained.csv" not in (out / "data/datapackage.json").read_text(encoding="utf-8")
        page = (out / "indicators/staff-trained/index.html").read_text(encoding="utf-8")
        assert "breakdown-dimension" not in page
    elif kind == "yaml deleted":
        assert breakdown_csv(out, "youth-reached") == {}
        page = (out / "indicators/youth-reached/index.html").read_text(encoding="utf-8")
        assert "breakdown-dimension" not in page
    else:
        raise AssertionError(kind)


def _differ(got: dict[str, bytes], want: dict[str, bytes]) -> list[str]:
    return sorted(p for p in got.keys() | want.keys() if got.get(p) != want.get(p))


def test_breakdown_edits_reach_the_cached_build_and_the_preview(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", FILES)
    out, preview = site / "output", tmp_path / "preview"
    build(site)
    builder = Builder(site, preview)
    try:
        assert builder.rebuild().ok
        edits = [
            ("part value", _replace(site, "content/measurements/victims.csv", "2019-12-31,250,,DE,",
                                    "2019-12-31,280,,DE,")),
            ("new category row", _replace(site, "content/measurements/victims.csv", "2019-12-31,280,,DE,\n",
                                          "2019-12-31,280,,DE,\nvictims-assisted,2019-12-31,20,,RS,\n")),
            ("removed row", _replace(site, "content/measurements/victims.csv",
                                     "victims-assisted,2019-12-31,200,male,,\n", "")),
            ("plan category", _replace(site, "content/plan.yaml", 'age: ["15-19", "20-24", "25-29"]',
                                       'age: ["15-19", "20-24", "25-29", "30-34"]')),
            ("participants", _replace(site, COURSE, "women: 10, men: 15", "women: 17, men: 8")),
            ("yaml deleted", _delete(site, "content/measurements/youth.yaml")),
            ("plan dimensions removed", _replace(site, "content/plan.yaml",
                                                 "        dimensions: {sex: [women, men]}\n", "")),
        ]
        for n, (kind, edit) in enumerate(edits):
            before = snapshot(out)
            changed = edit()
            result = build(site)  # (cached: .sitegen-cache/ of the last build)
            assert result.rendered > 0, kind
            outcome = builder.rebuild({str(p) for p in changed})  # (as the watcher names them)
            assert outcome.ok, (kind, outcome.problems)
            assert builder.quick == (kind != "yaml deleted"), kind  # (an edit: only its file is stat'ed)
            # a fresh, uncached build of the same sources in another folder
            fresh = tmp_path / f"fresh-{n}"
            shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("output", ".sitegen-cache"))
            build(fresh, tmp_path / f"ref-{n}", use_cache=False)
            want = snapshot(tmp_path / f"ref-{n}")
            got = snapshot(out)
            assert got != before, kind
            differ = _differ(got, want)
            assert not differ, f"after '{kind}': the cached build differs from an uncached one in {differ[:8]}"
            assert builder.wait_for_search(60)  # (the preview's search index is made in the background)
            differ = _differ(snapshot(preview), want)
            assert not differ, f"after '{kind}': the preview differs from a full build in {differ[:8]}"
            _check(out, kind)
    finally:
        builder.close()
