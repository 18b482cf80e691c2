"""The cached build equals an uncached one after random sequences of edits
(tests/random_edits.py), and validates again, on every build, the records that had problems.
(Apart from test_preview_random.py so that the two files run on two test workers.)"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from sitegen.build import build
from tests.corpus import write_corpus
from tests.random_edits import edit_file, random_edits, record_files, set_field, with_breakdowns
from tests.sitekit import snapshot


@pytest.mark.parametrize("seed", [4, 5])
def test_a_cached_build_equals_an_uncached_one_after_random_edits(tmp_path: Path, seed: int) -> None:
    """The cached build keeps list, area, indicator and country pages whose key holds (the
    records they show, the order of all records, the site-wide facts): after each random
    edit its output equals an uncached build, and a record edit renders few pages."""
    rnd = random.Random(seed)
    site = write_corpus(40, tmp_path / "site", seed=seed)
    edit_file(site / "site.yaml", lambda t: t + "activities_per_page: 4\n")
    with_breakdowns(site)
    out, ref = site / "output", tmp_path / "ref"
    first = build(site)
    edits = random_edits(site, rnd)
    steps = [*edits, *rnd.choices(["status", "title", "area", "countries"], k=6)]
    rnd.shuffle(steps)
    few = 0
    for kind in steps:
        edits[kind]()
        try:
            result = build(site)
        except Exception:  # (an invalid edit: the uncached build refuses it too)
            with pytest.raises(Exception):
                build(site, ref, use_cache=False)
            continue
        if ref.exists():
            shutil.rmtree(ref)
        build(site, ref, use_cache=False)
        got, want = snapshot(out), snapshot(ref)
        differ = sorted(p for p in got.keys() | want.keys() if got.get(p) != want.get(p))
        assert not differ, f"after {kind}: the cached build differs from an uncached one in {differ[:8]}"
        if kind in ("status", "title", "participants", "type"):
            few += result.rendered < first.pages // 3
    assert few >= 2


def test_cached_builds_validate_again_what_had_problems(tmp_path: Path) -> None:
    """Activity files validated without problems are taken from the cache as activities; a
    file with a warning is validated on every build, so its warning is never lost, and a
    plan edit validates every file again (an area removed makes its records errors)."""
    from sitegen.errors import ContentError

    site = write_corpus(400, tmp_path / "site")  # (enough files for the parsing workers)
    records = record_files(site)
    edit_file(records[3], set_field("status", "planned"))  # started long ago: a stale-record warning
    first = build(site, workers=2)
    stale = [p for p in first.warnings if "stale record" in p.message and p.path.endswith(records[3].name)]
    assert stale
    edit_file(records[9], lambda t: t + "\nEdited.\n")
    again = build(site, workers=2)
    assert [p for p in again.warnings if "stale record" in p.message] == \
        [p for p in first.warnings if "stale record" in p.message]
    area = re.search(r"(?m)^area: (.*)$", records[5].read_text(encoding="utf-8"))
    assert area is not None
    edit_file(site / "content/plan.yaml", lambda t: t.replace(f"id: {area.group(1)}", "id: renamed-area", 1))
    with pytest.raises(ContentError) as failed:
        build(site, workers=2)
    assert any(records[5].name in p.path and "renamed-area" not in p.message for p in failed.value.problems)
