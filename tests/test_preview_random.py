"""The preview equals a full build after random sequences of edits.

A generated site with short list pages (so that an edit moves records between pages) gets
seeded random edits (tests/random_edits.py) — bodies, statuses, titles, dates, areas,
countries, participants (by sex too), measurements broken down by sex and country,
deletions, renames, new records, the plan, the settings, a template — and after each the
preview server's incremental rebuild must write exactly the files of a full build. (The
cached build after the same kinds of edits: test_cached_random.py.)
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.incremental import Builder
from tests.corpus import write_corpus
from tests.random_edits import edit_file, random_edits, with_breakdowns
from tests.sitekit import snapshot


@pytest.mark.parametrize("seed", [1, 2])
def test_the_preview_equals_a_full_build_after_random_edits(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    site = write_corpus(40, tmp_path / "site", seed=seed)
    edit_file(site / "site.yaml", lambda t: t + "activities_per_page: 4\n")
    with_breakdowns(site)
    preview, ref = tmp_path / "preview", tmp_path / "ref"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    edits = random_edits(site, rnd)
    # every kind once, and more record edits (the common case), in a random order
    steps = [*edits, *rnd.choices(["body", "status", "title", "dates", "area", "countries"], k=10)]
    rnd.shuffle(steps)
    done = []
    for kind in steps:
        edits[kind]()
        done.append(kind)
        outcome = builder.rebuild()
        if ref.exists():
            shutil.rmtree(ref)
        if not outcome.ok:  # (an edit may be invalid, e.g. an end before a start: both refuse it)
            with pytest.raises(Exception):
                build(site, ref)
            continue
        build(site, ref)
        assert builder.wait_for_search(60)  # (the search index is made in the background)
        got, want = snapshot(preview), snapshot(ref)
        differ = sorted(p for p in got.keys() | want.keys() if got.get(p) != want.get(p))
        assert not differ, f"after {done}: the preview differs from a full build in {differ[:8]}"
    assert set(done) == set(edits)
