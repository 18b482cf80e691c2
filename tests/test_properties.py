"""Property-based tests (Hypothesis) over the loader and validator.

Whatever text or YAML structure an editor puts into an activity file, an activity list,
the plan or a measurements file, `loader.load_site` returns either a Site or None with
located problems: never an exception. Every problem names a file of the site and says
something; when the site is None there is at least one error.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.errors import Problems
from sitegen.gitinfo import GitInfo
from sitegen.loader import load_site
from tests.sitekit import BASELINE, make_site

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

KEYS = ["title", "area", "status", "start", "end", "type", "id", "location", "countries",
        "participants", "partners", "tags", "outputs", "contributes", "body", "indicators",
        "areas", "target", "baseline", "milestones", "date", "value", "indicator", "url",
        "name", "city", "country", "total", "women", "men", "where", "sum", "source"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["firearms", "border-security", "completed", "planned", "2019-05-01",
                     "2019-1-5", "2024-02-30", "yes", "NO", "n/a", "../x", "con", "AT",
                     "javascript:alert(1)", "https://example.org", "<script>", "=1+1"]),
    st.dates(),
    st.datetimes(),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=12), st.integers(), st.booleans())
structures = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(keys, children, max_size=6)),
    max_leaves=25,
)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def base_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("props") / "base")


def _load_with(base_site: Path, work: Path, rel: str, content: str | bytes) -> None:
    """Load a copy of the baseline site with `rel` replaced by `content`."""
    site = work / "site"
    if not site.exists():
        shutil.copytree(base_site, site)
    path = site / rel
    original = path.read_bytes() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    try:
        _check_load(site)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)


def _check_load(site: Path) -> None:
    problems = Problems()
    result = load_site(site, problems, git=GitInfo())  # must not raise
    for p in problems.items:
        assert p.path and (p.path in {"site.yaml", "content"} or p.path.startswith(("content/", "site.yaml"))), p
        assert p.message.strip(), p
        assert p.line >= 0 and p.column >= 0, p
        assert p.severity in ("error", "warning"), p
    if result is None:
        assert problems.errors, "no site and no error"
    else:
        assert not problems.errors


@SETTINGS
@given(text=st.text(max_size=400))
def test_arbitrary_front_matter_text(base_site: Path, tmp_path: Path, text: str) -> None:
    _load_with(base_site, tmp_path, "content/activities/x.md", "---\n" + text + "\n---\nBody\n")


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(KEYS), structures, max_size=8))
def test_arbitrary_front_matter_structure(base_site: Path, tmp_path: Path, data: dict) -> None:
    _load_with(base_site, tmp_path, "content/activities/x.md", "---\n" + _dump(data) + "---\nBody\n")


@SETTINGS
@given(data=structures)
def test_arbitrary_activity_list(base_site: Path, tmp_path: Path, data: Any) -> None:
    _load_with(base_site, tmp_path, "content/activities/list.yaml", _dump(data))


@SETTINGS
@given(data=structures)
def test_arbitrary_plan(base_site: Path, tmp_path: Path, data: Any) -> None:
    _load_with(base_site, tmp_path, "content/plan.yaml", _dump(data))


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(KEYS), structures, max_size=8))
def test_plan_area_with_arbitrary_fields(base_site: Path, tmp_path: Path, data: dict) -> None:
    """A third area made of arbitrary keys, inside an otherwise valid plan."""
    area = _dump([data]).replace("\n", "\n  ")
    _load_with(base_site, tmp_path, "content/plan.yaml",
               BASELINE["content/plan.yaml"] + "  " + area)


@SETTINGS
@given(data=structures)
def test_arbitrary_measurements_and_site_config(base_site: Path, tmp_path: Path, data: Any) -> None:
    _load_with(base_site, tmp_path, "content/measurements/states.yaml", _dump(data))
    _load_with(base_site, tmp_path, "site.yaml", _dump(data))


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes(base_site: Path, tmp_path: Path, raw: bytes) -> None:
    _load_with(base_site, tmp_path, "content/activities/x.md", raw)
    _load_with(base_site, tmp_path, "content/measurements/posts.csv", raw)
    _load_with(base_site, tmp_path, "content/pages/about.md", b"---\n" + raw + b"\n---\n")


@SETTINGS
@given(text=st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>'\"#%@`,? \n\tab1.")), max_size=200))
def test_yaml_punctuation_soup(base_site: Path, tmp_path: Path, text: str) -> None:
    """Random YAML syntax characters: aliases, anchors, tags, flow and block indicators."""
    _load_with(base_site, tmp_path, "content/activities/x.md", "---\n" + text + "\n---\n")
    _load_with(base_site, tmp_path, "content/activities/list.yaml", text)


optional_fields = st.fixed_dictionaries({}, optional={
    "end": st.one_of(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)),
                     scalars),
    "type": st.sampled_from(["workshop", "training-course", "meeting", "x"]),
    "location": st.fixed_dictionaries({}, optional={"city": st.text(max_size=20),
                                                    "country": st.sampled_from(["AT", "DE", "ZZ", ""])}),
    "countries": st.lists(st.sampled_from(["AT", "DE", "RS", "GE", "NO"]), max_size=4),
    "participants": st.one_of(st.integers(min_value=0, max_value=10**16),
                              st.fixed_dictionaries({"total": st.integers(0, 100)},
                                                    optional={"women": st.integers(0, 100),
                                                              "men": st.integers(0, 100)})),
    "partners": st.lists(st.text(max_size=20), max_size=3),
    "tags": st.lists(st.text(max_size=20), max_size=3),
    "outputs": st.lists(st.fixed_dictionaries({"title": st.text(min_size=1, max_size=20),
                                               "url": st.sampled_from(["https://e.org/a", "/x", "r.pdf"])}),
                        max_size=2),
    "contributes": st.dictionaries(st.sampled_from(["fa-experts"]),
                                   st.floats(min_value=0, max_value=1e9), max_size=1),
})


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)),
       status=st.sampled_from(["planned", "in-progress", "completed", "postponed", "cancelled"]),
       title=st.text(min_size=1, max_size=60).filter(str.strip),
       body=st.text(max_size=300), extra=optional_fields)
def test_valid_records_always_render(base_site: Path, tmp_path: Path, start: dt.date, status: str,
                                     title: str, body: str, extra: dict) -> None:
    """Whatever dates, numbers and text a valid record holds, every page renders."""
    from sitegen.build import render_site
    from sitegen.errors import ContentError

    data = {"title": title, "area": "firearms", "status": status, "start": start, **extra}
    site_dir = tmp_path / "site"
    if not site_dir.exists():
        shutil.copytree(base_site, site_dir)
    path = site_dir / "content/activities/x.md"
    path.write_text("---\n" + _dump(data) + "---\n" + body.replace("\r", "") + "\n", encoding="utf-8")
    problems = Problems()
    site = load_site(site_dir, problems, git=GitInfo())
    if site is None:
        assert problems.errors
        return
    try:
        files = render_site(site, site_dir)
    except ContentError as exc:  # e.g. an id colliding with a page: located, not a crash
        assert all(p.path and p.message for p in exc.problems)
        return
    assert "activities/index.html" in files
