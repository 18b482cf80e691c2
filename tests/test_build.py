"""`sitegen build`: the pages and data files it writes, and how it replaces output/.

Every build here is the real command line in a subprocess. The killed-build test sends
SIGKILL to a real build of a generated site at several points (fixed delays, and the
moment its temporary folder appears) and checks that output/ is always one complete tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.corpus import write_corpus
from tests.sitekit import BASELINE, REPO, front, make_site, run_sitegen, snapshot

ACTIVITY_KEYS = {"title", "area", "status", "start", "end", "type", "location", "countries",
                 "participants", "partners", "tags", "outputs", "contributes", "id", "url"}


def build(site: Path, *args: str | Path) -> Path:
    run = run_sitegen("build", site, *args)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 0, run.stderr
    return site / "output"


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """The baseline site, built once; the output folder."""
    return build(make_site(tmp_path / "site"))


# -- what a build writes --------------------------------------------------------------------

def test_build_writes_the_pages(built: Path) -> None:
    for rel in ("index.html", "areas/border-security/index.html", "areas/firearms/index.html",
                "activities/index.html", "timeline/index.html", "404.html",
                "activities/2018-03-05-border-course/index.html",
                "activities/firearms-workshop/index.html",
                "activities/border-assessment/index.html",
                "activities/cancelled-firearms-course/index.html",
                "activities/planned-meeting/index.html",
                "pages/about/index.html", "data/plan.json", "data/activities.json"):
        assert (built / rel).is_file(), rel
    page = (built / "activities/firearms-workshop/index.html").read_text()
    assert "Firearms tracing workshop" in page
    assert "A workshop on tracing." in page
    assert "The long narrative of the firearms area." in (built / "areas/firearms/index.html").read_text()
    assert "Cancelled for lack of funds." in (
        built / "activities/cancelled-firearms-course/index.html").read_text()


def test_an_area_says_its_cancelled_activities_are_not_counted(built: Path) -> None:
    """An area's "x of y activities completed" leaves its cancelled activities out; beside a
    list that has them, it says so."""
    firearms = (built / "areas/firearms/index.html").read_text(encoding="utf-8")
    note = re.search(r'<span class="figure-note">(.*?)</span>', firearms)
    assert note and note.group(1) == "1 cancelled activity is not counted.", note
    assert "figure-note" not in (built / "areas/border-security/index.html").read_text(encoding="utf-8")


def test_a_rescheduled_activity_in_a_list_says_when_it_was_first_planned(tmp_path: Path) -> None:
    """A list item of an activity that moved says "rescheduled from <its first start>";
    one whose start stayed (only its end moved) says "rescheduled"."""
    moved = BASELINE["content/activities/planned-meeting.md"].replace("type: meeting\n",
                                                                       "type: meeting\nplanned_start: 2020-03-02\n")
    longer = BASELINE["content/activities/2018-03-05-border-course.md"].replace(
        "end: 2018-03-09\n", "end: 2018-03-09\nplanned_start: 2018-03-05\nplanned_end: 2018-03-07\n")
    out = build(make_site(tmp_path / "site", {"content/activities/planned-meeting.md": moved,
                                               "content/activities/2018-03-05-border-course.md": longer}))
    listed = (out / "activities/index.html").read_text(encoding="utf-8")
    items = dict(re.findall(r'<a href="[^"]*activities/([^/"]+)/">[^<]*</a>\s*<span class="meta">(.*?)</span>\n</li>',
                            listed, re.S))
    assert '<span class="slipped">rescheduled from 2 Mar 2020</span>' in items["planned-meeting"]
    assert '<span class="slipped">rescheduled</span>' in items["2018-03-05-border-course"]
    assert "slipped" not in items["firearms-workshop"]
    # ... as its own page does, under its title (it said "rescheduled" alone)
    page = (out / "activities/planned-meeting/index.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="activity-status"[^>]*>.*<span class="slipped">rescheduled from 2 Mar 2020</span></p>', page)


def test_plan_json_shape(built: Path) -> None:
    plan = json.loads((built / "data/plan.json").read_text())
    assert plan["as_of"] == "2019-12-31"
    assert [a["id"] for a in plan["areas"]] == ["border-security", "firearms"]
    for area in plan["areas"]:
        assert {"id", "title", "status", "activities", "indicators"} <= set(area)
        assert list(area["activities"]) == ["planned", "in-progress", "completed", "postponed", "cancelled"]
        for ind in area["indicators"]:
            assert {"id", "title", "unit", "baseline", "target", "value", "status"} <= set(ind)
    border, firearms = plan["areas"]
    # The firearms workshop lists both areas: it counts in each.
    assert border["activities"] == {"planned": 0, "in-progress": 1, "completed": 2,
                                     "postponed": 0, "cancelled": 0}
    assert firearms["activities"] == {"planned": 1, "in-progress": 0, "completed": 1,
                                      "postponed": 0, "cancelled": 1}
    values = {i["id"]: i["value"] for a in plan["areas"] for i in a["indicators"]}
    assert values == {"bs-trained": 20, "bs-posts": 7, "fa-workshops": 1, "fa-experts": 12,
                      "fa-states": 14}


def test_activities_json_shape(built: Path) -> None:
    acts = json.loads((built / "data/activities.json").read_text())
    assert isinstance(acts, list)
    assert len(acts) == 5
    for act in acts:
        assert ACTIVITY_KEYS <= set(act), ACTIVITY_KEYS - set(act)
    by_id = {a["id"]: a for a in acts}
    ws = by_id["firearms-workshop"]
    assert ws["area"] == ["firearms", "border-security"]
    assert ws["contributes"] == {"fa-experts": 12}
    assert ws["outputs"] == [{"title": "Workshop report", "url": "https://example.org/report.pdf"}]
    course = by_id["2018-03-05-border-course"]
    assert course["participants"] == {"total": 20, "women": 8, "men": 12}
    assert course["location"] == {"city": "Vienna", "country": "AT"}
    assert course["countries"] == ["AT", "DE"]
    assert course["start"] == "2018-03-05" and course["end"] == "2018-03-09"
    assert course["url"].endswith("activities/2018-03-05-border-course/")


def test_plotly_is_copied_once_and_nothing_loads_from_other_hosts(built: Path) -> None:
    files = snapshot(built)
    plotly = (REPO / "sitegen/theme/assets/plotly-basic.min.js").read_bytes()
    holders = [rel for rel, data in files.items() if b"plotly.js (basic - minified)" in data]
    assert holders == ["assets/plotly-basic.min.js"]
    assert files["assets/plotly-basic.min.js"] == plotly
    ref = re.compile(r'<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)="([^"]*)"', re.I)
    pages_with_charts = 0
    for rel, data in files.items():
        if not rel.endswith(".html"):
            continue
        html = data.decode("utf-8")
        for url in ref.findall(html):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith("//"):
                assert parts.hostname == "example.org", f"{rel} loads {url}"
                assert not url.endswith(".js") and not url.endswith(".css"), f"{rel} loads {url}"
        if "plotly-basic.min.js" in html:
            pages_with_charts += 1
            assert html.count("plotly-basic.min.js") == 1, rel
    assert pages_with_charts >= 3  # dashboard and the two area pages at least
    assert "plotly-basic.min.js" in files["index.html"].decode()
    assert "plotly-basic.min.js" in files["areas/firearms/index.html"].decode()
    assert "plotly-basic.min.js" not in files["pages/about/index.html"].decode()


def test_links_are_relative(built: Path) -> None:
    html = (built / "areas/firearms/index.html").read_text()
    hrefs = re.findall(r'<a\b[^>]*\bhref="([^"]*)"', html)
    assert hrefs
    internal = [h for h in hrefs if not urlsplit(h).scheme and not h.startswith("#")]
    assert internal and all(not h.startswith("/") for h in internal), internal


# -- failed builds leave output/ alone ------------------------------------------------------

def test_build_with_an_error_leaves_previous_output_byte_identical(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    out = build(site)
    (out / ".nojekyll").write_text("")  # a user's dotfile in the output is kept too
    before = snapshot(out)
    bad = front("title: Broken\narea: border-secruity\nstatus: completed\nstart: 2019-01-10\n")
    (site / "content/activities/broken.md").write_text(bad)
    run = run_sitegen("build", site)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert ("content/activities/broken.md:3:1: error: unknown area 'border-secruity' "
            "(did you mean 'border-security'?)") in run.stderr.splitlines()
    after = snapshot(out)
    assert sorted(after) == sorted(before)
    assert all(after[rel] == before[rel] for rel in before)
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []
    assert [p.name for p in site.iterdir() if ".tmp-" in p.name] == []


def test_template_error_leaves_previous_output(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    out = build(site)
    before = snapshot(out)
    (site / "templates").mkdir()
    (site / "templates/page.html").write_text("{% extends 'base.html' %}{% block main %}{{ no_such.thing }}{% endblock %}")
    run = run_sitegen("build", site)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "templates/page.html" in run.stderr
    assert snapshot(out) == before


def test_cached_template_blocks_are_rendered_once_per_key(tmp_path: Path) -> None:
    """{% cached %} in a site template: pages with the same key share the block, others
    get their own; an edit of the template is seen by the next build."""
    site = make_site(tmp_path / "site")
    (site / "templates").mkdir()
    footer = site / "templates/site_footer.html"
    footer.write_text('{% cached "foot", root %}<p class="f">[{{ root }}|{{ title }}]</p>{% endcached %}\n')
    out = build(site)
    home = (out / "index.html").read_text()
    pages = sorted((out / "activities").glob("*/index.html"))
    assert len(pages) >= 2 and '<p class="f">[|' in home
    # Every activity page has root "../../": the first one rendered gives its title to all.
    blocks = {re.search(r'<p class="f">\[([^]]*)\]</p>', p.read_text()).group(1) for p in pages}
    assert len(blocks) == 1 and blocks.pop().startswith("../../|")
    footer.write_text('{% cached "foot", root %}<p class="f">[{{ root }}]v2</p>{% endcached %}\n')
    out = build(site)
    assert '<p class="f">[../../]v2</p>' in pages[0].read_text()


def test_rebuild_replaces_removed_pages(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/static/.nojekyll": ""})  # (published dotfile)
    out = build(site)
    assert (out / ".nojekyll").exists()
    assert (out / "activities/planned-meeting/index.html").exists()
    (site / "content/activities/planned-meeting.md").unlink()
    build(site)
    assert not (out / "activities/planned-meeting/index.html").exists()
    assert (out / ".nojekyll").exists()


def _start_build(site: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(site)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)


def test_killed_build_leaves_old_or_new_output_never_partial(tmp_path: Path) -> None:
    site = tmp_path / "big"
    write_corpus(400, site)
    old = snapshot(build(site))
    # Change one record: every completed build from now on writes the "new" tree.
    record = sorted((site / "content/activities").rglob("*.md"))[0]
    record.write_text(record.read_text().replace("title: ", "title: Changed ", 1))

    seen = []  # output/ after each killed build (compared with the new tree at the end)
    caught_writing = 0
    # Kills at fixed delays (somewhere in loading or rendering)...
    # (Each attempt starts without the build cache: a cached build of this site, or one with
    # nothing to do, can finish before the kill.)
    for delay in (0.3, 1.0):
        shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
        proc = _start_build(site)
        time.sleep(delay)
        _kill(proc)
        seen.append(snapshot(site / "output"))
    # ...and while the temporary tree is being written (poll for it, then kill).
    for min_files in (1, 300):
        shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
        proc = _start_build(site)
        tmp = site / f".output.tmp-{proc.pid}"
        while proc.poll() is None:
            if tmp.is_dir() and sum(1 for _ in tmp.rglob("*")) >= min_files:
                break
            time.sleep(0.002)
        caught_writing += proc.poll() is None
        _kill(proc)
        seen.append(snapshot(site / "output"))
    # A following build succeeds and removes the killed builds' leftovers.
    build(site)
    new = snapshot(site / "output")
    assert new != old
    # (.sitegen-cache/ is the build cache, which keeps the previous tree for reuse)
    assert sorted(p.name for p in site.iterdir() if p.name != ".sitegen-cache") == \
        ["content", "output", "site.yaml"]
    for n, tree in enumerate(seen):
        assert tree in (old, new), f"kill {n}: output/ is neither the old nor the new complete tree"
    assert caught_writing >= 1  # at least one kill landed while the new tree was being written


# -- reproducible output --------------------------------------------------------------------

def test_two_builds_of_the_example_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        run = run_sitegen("build", REPO, "-o", out)
        assert run.returncode == 0, run.stderr
        assert "0 warnings" in run.stdout
    a, b = snapshot(first), snapshot(second)
    assert len(a) > 100
    assert sorted(a) == sorted(b)
    different = [rel for rel in a if a[rel] != b[rel]]
    assert different == []


# -- output folder safety -------------------------------------------------------------------

@pytest.mark.parametrize("target", ["site", "parent", "content", "content/sub", "templates"])
def test_dangerous_output_folders_are_refused(tmp_path: Path, target: str) -> None:
    site = make_site(tmp_path / "site", {"templates/.keep": ""})
    (tmp_path / "unrelated.txt").write_text("keep me")
    out = {"site": site, "parent": tmp_path, "content": site / "content",
           "content/sub": site / "content/sub", "templates": site / "templates"}[target]
    before = snapshot(tmp_path)
    run = run_sitegen("build", site, "-o", out)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert "refusing" in run.stderr
    assert snapshot(tmp_path) == before


def test_foreign_non_empty_output_folder_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    run = run_sitegen("build", site, "-o", out)
    assert run.returncode == 2
    assert "not empty and was not made by sitegen" in run.stderr
    assert snapshot(out) == {"thesis.tex": b"years of work"}


def test_empty_or_sitegen_output_folder_is_replaced(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    out = tmp_path / "public"
    out.mkdir()
    build(site, "-o", out)
    assert (out / "index.html").is_file()
    (out / "stale.html").write_text("old page")
    build(site, "-o", out)
    assert not (out / "stale.html").exists()


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (tmp_path / "out").write_text("a file")
    run = run_sitegen("build", site, "-o", tmp_path / "out")
    assert run.returncode == 2
    assert (tmp_path / "out").read_text() == "a file"


def test_build_of_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    run = run_sitegen("build", tmp_path / "nope")
    assert run.returncode == 2
    assert not (tmp_path / "nope").exists()


def test_build_default_site_dir_is_the_current_folder(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    run = run_sitegen("build", cwd=site)
    assert run.returncode == 0, run.stderr
    assert (site / "output/index.html").is_file()


def test_strict_build_fails_on_a_warning_and_keeps_output(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    out = build(site)
    before = snapshot(out)
    path = site / "content/activities/planned-meeting.md"
    path.write_text(path.read_text().replace("type: meeting\n", "type: meeting\nvenue: Vienna\n"))
    run = run_sitegen("build", site, "--strict")
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "content/activities/planned-meeting.md:7:1: error: unknown key 'venue' in an activity",
        "build failed: 1 error; the previous output was left untouched"]
    assert snapshot(out) == before
    run = run_sitegen("build", site)  # without --strict a warning does not stop the build
    assert run.returncode == 0
    assert "content/activities/planned-meeting.md:7:1: warning: unknown key 'venue' in an activity" in run.stderr


_HEADING = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>", re.S)


def _headings(page: Path) -> list[tuple[int, str]]:
    return [(int(n), re.sub(r"<[^>]+>", "", text).strip())
            for n, text in _HEADING.findall(page.read_text(encoding="utf-8"))]


def test_an_area_narratives_heading_says_what_it_is(tmp_path: Path) -> None:
    """The narrative's heading on its area's page is its title, unless that is the area's
    own (the example's are: "Firearms" under the page's "Firearms" said nothing), then
    "Narrative"."""
    for title, heading in (("Firearms", "Narrative"), ("  firearms ", "Narrative"),
                           ("Where tracing stands", "Where tracing stands")):
        narrative = BASELINE["content/areas/firearms.md"].replace("title: Firearms", f"title: '{title}'")
        out = build(make_site(tmp_path / title.strip(), {"content/areas/firearms.md": narrative}))
        area = _headings(out / "areas/firearms/index.html")
        assert area[0] == (1, "Firearms") and (2, heading) in area, area
        assert [h for h in area if h[0] == 2 and h[1].lower() == "firearms"] == [], area


def test_headings_never_skip_a_level(tmp_path: Path) -> None:
    """A body whose first heading is `###` (under the page's h1) or that jumps from `##` to
    `####` gets headings one level deeper at most, as the W3C checker and screen readers
    expect; a narrative under the area page's h2 keeps its `###`; every page of the site
    then has an outline without gaps."""
    record = BASELINE["content/activities/2018-03-05-border-course.md"].replace(
        "Officers practised document checks.\n",
        "### Programme\n\nOfficers practised document checks.\n\n## Outcomes\n\n#### In detail\n\n"
        "Checks.\n\n## Next\n")
    narrative = BASELINE["content/areas/firearms.md"] + "\n### Background\n\nText.\n\n##### Detail\n\nMore.\n"
    out = build(make_site(tmp_path / "site", {
        "content/activities/2018-03-05-border-course.md": record, "content/areas/firearms.md": narrative}))

    page = out / "activities/2018-03-05-border-course/index.html"
    assert _headings(page)[:5] == [(1, "Border officers course"), (2, "Programme"), (2, "Outcomes"),
                                   (3, "In detail"), (2, "Next")]
    assert '<h2 id="programme">Programme</h2>' in page.read_text(encoding="utf-8")  # ids kept
    area = _headings(out / "areas/firearms/index.html")
    at = area.index((2, "Narrative"))  # (the narrative's title is the area's: not repeated)
    assert area[at + 1:at + 3] == [(3, "Background"), (4, "Detail")]

    for html in sorted(out.rglob("*.html")):
        levels = [n for n, _ in _headings(html)]
        gaps = [(a, b) for a, b in zip([0] + levels, levels) if b > a + 1]
        assert not gaps, f"{html.relative_to(out)}: heading levels {levels}"
