"""`sitegen pdf`: each reporting round of the example printed to PDF by Chromium.

What a donor gets is checked with poppler's tools, not with sitegen's own code: the text
(`pdftotext`) holds the round's title, every area's title and the headline figures worked
out here from content/; every page renders with ink on it (`pdftoppm`); the paper is A4 or
Letter (`pdfinfo`); two runs give the same bytes; no browser is a clear usage error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen.i18n import whole_percent
from tests import browser_support
from tests.sitekit import REPO, run_sitegen

PLAN_SLUG = "osce-interpol-joint-action-plan-2017-2020"


def _tools_or_skip() -> None:
    if not Path(browser_support.CHROMIUM_PATH).exists():
        browser_support.skip_or_fail(f"Chromium not found at {browser_support.CHROMIUM_PATH}")
    for tool in ("pdftotext", "pdftoppm", "pdfinfo"):
        if shutil.which(tool) is None:
            browser_support.skip_or_fail(f"{tool} (poppler-utils) is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's example site."""
    _tools_or_skip()
    root = tmp_path_factory.mktemp("pdf") / "site"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "templates").is_dir():
        shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    return root


def print_rounds(site: Path, out: Path, *options: str) -> list[str]:
    run = run_sitegen("pdf", site, "--out", out, "--browser", browser_support.CHROMIUM_PATH, *options, timeout=240)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    return run.stdout.splitlines()


@pytest.fixture(scope="module")
def a4(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("a4")
    said = print_rounds(site, out)
    assert len(said) == 2 and all(line.startswith("wrote ") for line in said), said
    return out


def pdftotext(pdf: Path) -> str:
    """The PDF's text, every run of white space one space."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


# -- what content/ says, worked out without sitegen -------------------------------------------

def activities() -> list[dict[str, Any]]:
    """Every activity record of the example (front matter of .md files, items of .yaml lists)."""
    found: list[dict[str, Any]] = []
    for path in sorted((REPO / "content" / "activities").rglob("*")):
        if path.suffix == ".md":
            found.append(yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1]))
        elif path.suffix in (".yaml", ".yml"):
            found += yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [a for a in found if not a.get("draft")]


def day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def headline(round_file: str) -> dict[str, Any]:
    """The headline figures of a round, from the records: its period from its file, the figures
    date its end (the example's report date is later), an activity's last day its end or start."""
    rnd = yaml.safe_load((REPO / "content" / "reports" / round_file).read_text(encoding="utf-8"))
    plan = yaml.safe_load((REPO / "content" / "plan.yaml").read_text(encoding="utf-8"))
    start, end = day(rnd["start"]), day(rnd["end"])
    acts = activities()

    def last(a: dict[str, Any]) -> dt.date:
        return day(a.get("end") or a["start"])

    done_in = [a for a in acts if a["status"] == "completed" and start <= last(a) <= end]
    people = 0
    for a in done_in:
        p = a.get("participants")
        people += (p["total"] if isinstance(p, dict) else p) or 0
    plan_start, plan_end = day(plan["start"]), day(plan["end"])
    return {
        "title": rnd["title"],
        "areas": [a["title"] for a in plan["areas"]],
        "completed": len(done_in),
        "participants": people,
        "done": sum(1 for a in acts if a["status"] == "completed" and last(a) <= end),
        # (the records do not say when an activity was cancelled: from the day it was due)
        "live": sum(1 for a in acts if a["status"] != "cancelled" or day(a.get("planned_start") or a["start"]) > end),
        "elapsed": whole_percent((end - plan_start).days / (plan_end - plan_start).days),
    }


# -- the tests ----------------------------------------------------------------------------------

def test_each_round_has_its_pdf(a4: Path) -> None:
    assert sorted(p.name for p in a4.iterdir()) == [f"{PLAN_SLUG}-2018.pdf", f"{PLAN_SLUG}-2019.pdf"]


@pytest.mark.parametrize(("rid", "round_file"), [("2018", "2018.yaml"), ("2019", "2019.yaml")])
def test_the_text_holds_title_areas_and_headline_figures(a4: Path, rid: str, round_file: str) -> None:
    pdf = a4 / f"{PLAN_SLUG}-{rid}.pdf"
    text = pdftotext(pdf)
    want = headline(round_file)
    assert want["title"] in text
    for area in want["areas"]:
        assert area in text, area
    assert "OSCE–INTERPOL Joint Action Plan 2017–2020" in text.replace("– ", "–")  # the cover (may wrap at a dash)
    n = want["completed"]
    assert f"{n} activit{'y' if n == 1 else 'ies'} completed in the period" in text
    assert f"{want['participants']:,} participants in the activities completed in the period" in text
    assert f"{want['done']} of {want['live']} activities completed since the plan started" in text
    assert f"{want['elapsed']}% of the plan period elapsed" in text
    # the indicator figures, from the round's published data (data/reports/<id>.json, via a build)
    assert re.search(r"\d+% mean indicator attainment", text)
    assert re.search(r"\d+ of \d+ indicators achieved or on track", text)
    assert "file://" not in text


def test_indicator_figures_match_the_rounds_data(site: Path, a4: Path, tmp_path: Path) -> None:
    run = run_sitegen("build", site, "-o", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    data = json.loads((tmp_path / "out/data/reports/2019.json").read_text(encoding="utf-8"))
    inds = data["indicators"]
    measured = [min(1.0, max(0.0, i["attainment"])) for i in inds if i["attainment"] is not None]
    mean = whole_percent(sum(measured) / len(measured))
    ok = sum(1 for i in inds if i["status"] in ("achieved", "on track"))
    text = pdftotext(a4 / f"{PLAN_SLUG}-2019.pdf")
    assert f"{mean}% mean indicator attainment" in text
    assert f"{ok} of {len(inds)} indicators achieved or on track" in text


def ink(pgm: bytes) -> float:
    """The share of a binary PGM (P5) image's pixels that are not near white."""
    magic, width, height, maxval, pixels = pgm.split(maxsplit=4)
    assert magic == b"P5" and int(maxval) == 255
    size = int(width) * int(height)
    return sum(1 for b in pixels[:size] if b < 200) / size


def test_every_page_renders_with_ink(a4: Path, tmp_path: Path) -> None:
    pdf = a4 / f"{PLAN_SLUG}-2019.pdf"
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.pgm"))
    assert len(pages) == int(pdfinfo(pdf)["Pages"]) >= 5  # cover, figures, areas, changes, annex
    for page in pages:
        assert ink(page.read_bytes()) > 0.005, f"{page.name} is blank"


def test_two_runs_give_the_same_bytes(site: Path, a4: Path, tmp_path: Path) -> None:
    print_rounds(site, tmp_path)
    for pdf in sorted(a4.iterdir()):
        assert (tmp_path / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name
    data = (a4 / f"{PLAN_SLUG}-2019.pdf").read_bytes()
    assert b"/CreationDate (D:20190516000000" in data  # the round's report date, not the clock's
    assert b"file:" not in data  # links go to the published site, not to a temporary folder
    assert b"https://example.org/progress/activities/" in data


def test_paper_sizes(site: Path, a4: Path, tmp_path: Path) -> None:
    assert "(A4)" in pdfinfo(a4 / f"{PLAN_SLUG}-2019.pdf")["Page size"]
    said = print_rounds(site, tmp_path, "--paper", "letter", "--round", "2019")
    assert len(said) == 1
    assert [p.name for p in tmp_path.iterdir()] == [f"{PLAN_SLUG}-2019.pdf"]
    assert "(letter)" in pdfinfo(tmp_path / f"{PLAN_SLUG}-2019.pdf")["Page size"]


def test_a_cover_linking_to_this_computer_is_warned_of(site: Path, tmp_path: Path) -> None:
    """`sitegen init` writes base_url: http://localhost:8000/ (for `serve`): a PDF made with it
    would send donors to localhost, so `pdf` says to set base_url; the example's is quiet."""
    local = tmp_path / "site"
    shutil.copytree(site, local)
    config = (local / "site.yaml").read_text(encoding="utf-8")
    (local / "site.yaml").write_text(re.sub(r"(?m)^base_url: .*$", "base_url: http://localhost:8000/", config),
                                     encoding="utf-8")
    run = run_sitegen("pdf", local, "--out", tmp_path / "pdf", "--browser", browser_support.CHROMIUM_PATH,
                      "--round", "2019", timeout=240)
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == [
        "sitegen: warning: the PDFs' covers link to http://localhost:8000/reports/2019/, on this computer: "
        "set base_url in site.yaml to the published site's address"]


def test_no_browser_is_a_clear_usage_error(site: Path, tmp_path: Path) -> None:
    run = run_sitegen("pdf", site, "--out", tmp_path, "--browser", tmp_path / "no-such-chromium")
    assert run.returncode == 2
    assert "no browser at" in run.stderr and "install Chromium" in run.stderr
    assert "Traceback" not in run.stderr
    env = {**os.environ, "SITEGEN_BROWSER": str(tmp_path / "missing"), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "sitegen", "pdf", str(site), "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode == 2 and "SITEGEN_BROWSER" in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_round_is_named(site: Path, tmp_path: Path) -> None:
    run = run_sitegen("pdf", site, "--out", tmp_path / "pdf", "--round", "2091",
                      "--browser", browser_support.CHROMIUM_PATH)
    assert run.returncode == 2
    assert "no reporting round '2091'; did you mean '2019'?" in run.stderr
