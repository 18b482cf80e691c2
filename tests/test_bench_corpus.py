"""bench/corpus.py, the benchmarks' own corpus generator: deterministic by seed, in the records'
format (the site it writes builds without a warning), and a command that never overwrites by
accident."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus.py"


def generate(n: int, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CORPUS), str(n), str(site), *args], capture_output=True,
                          text=True, timeout=120)


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("bench") / "site"
    run = generate(200, site)
    assert run.returncode == 0, run.stderr
    assert "wrote 200 activities" in run.stdout
    return site


def test_same_seed_same_bytes_other_seed_other_records(corpus: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    assert generate(200, again).returncode == 0
    assert generate(200, other, "--seed", "7").returncode == 0
    mine = files(corpus)
    assert files(again) == mine
    assert len([p for p in mine if p.startswith("content/activities/")]) == 200
    theirs = files(other)
    assert set(theirs) != set(mine)  # other dates and titles, so other file names


def test_a_small_corpus_is_the_start_of_a_larger_one(corpus: Path, tmp_path: Path) -> None:
    larger = tmp_path / "larger"
    assert generate(300, larger).returncode == 0
    small = {k: v for k, v in files(corpus).items() if k.startswith("content/activities/")}
    big = files(larger)
    assert all(big.get(path) == data for path, data in small.items())


def test_the_corpus_builds_without_a_warning(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "sitegen", "build", str(corpus), "-o", str(out), "--strict"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "from 200 activities" in run.stdout and "0 warnings" in run.stdout
    plan = json.loads((out / "data/plan.json").read_text(encoding="utf-8"))
    assert len(plan["areas"]) == 7
    indicators = [i for a in plan["areas"] for i in a["indicators"]]
    assert all(i["value"] is not None for i in indicators)  # every source has values
    assert len({i["status"] for i in indicators}) >= 3  # targets that some meet and some miss
    for page in ("reports/year-1/index.html", "pages/about/index.html", "indicators/firearms-coverage/index.html"):
        assert (out / page).is_file(), page
    activities = json.loads((out / "data/activities.json").read_text(encoding="utf-8"))
    assert len(activities) == 200
    assert any(a["location"] for a in activities) and any(a["outputs"] for a in activities)
    assert any(a["contributes"] for a in activities) and any(len(a["area"]) > 1 for a in activities
                                                             if isinstance(a["area"], list))


def test_records_look_like_hand_written_ones(corpus: Path) -> None:
    records = sorted((corpus / "content/activities").rglob("*.md"))
    texts = [p.read_text(encoding="utf-8") for p in records]
    sizes = sorted(len(t.encode()) for t in texts)
    assert 2_500 < sizes[len(sizes) // 2] < 4_500  # about 3.3 KB each
    words = [len(t.split("\n---\n", 1)[1].split()) for t in texts]
    assert min(words) >= 150 and max(words) <= 620
    assert all(t.startswith('---\ntitle: "') for t in texts)  # (the benchmarks edit titles there)
    bodies = "\n".join(texts)
    for mark in ("\n## ", "\n- ", "\n1. ", "](https://", "\n> ", "| --- |", "**"):
        assert mark in bodies, mark
    assert re.search(r'(?m)^  - "[A-Z]{2}"$', bodies)  # country codes quoted (YAML reads NO as false)
    assert not re.search(r"(?m)^countries:\n  - [A-Z]{2}$", bodies)


def test_an_existing_site_is_not_overwritten_without_asking(corpus: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert generate(20, site).returncode == 0
    before = files(site)
    refused = generate(30, site)
    assert refused.returncode == 2 and "--overwrite" in refused.stderr
    assert files(site) == before
    replaced = generate(30, site, "--overwrite")
    assert replaced.returncode == 0
    assert len([p for p in files(site) if p.startswith("content/activities/")]) == 30
