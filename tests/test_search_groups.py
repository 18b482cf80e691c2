"""The search index made in groups (sitegen/search_shards.py) and merged.

Pagefind indexes the pages of each group of activities, and the other pages, in runs of its
own; the merged index must be the one a single run over every page gives: the same pages
(fragments), words with the same positions and weights on the same pages, the same
filters. And a build after an edit runs Pagefind only for the groups whose pages changed,
giving the index a build from nothing gives (counted with a wrapper around the real binary).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from sitegen import search, search_shards
from sitegen.build import build
from tests.corpus import write_corpus
from tests.sitekit import example_in, other_device, snapshot


def _pagefind() -> str:
    found = search.binary()
    if found.missing:
        pytest.skip(found.missing)
    return found.path


def _absolute(files: dict[str, bytes]) -> dict[str, Any]:
    """An index as what it says, without page numbers or file names: per language, the
    pages (url -> word count and fragment), each word's (and spelling's) pages with their
    positions and weights, each filter value's pages."""
    entry = json.loads(files["pagefind/pagefind-entry.json"])
    said: dict[str, Any] = {}
    for lang, about in entry["languages"].items():
        meta = search_shards.unpack(files[f"pagefind/pagefind.{about['hash']}.pf_meta"])
        fragments = [json.loads(gzip.decompress(files[f"pagefind/fragment/{h}.pf_fragment"])[12:])
                     for h, _ in meta[1]]
        urls = [f["url"] for f in fragments]
        words: dict[str, Any] = {}
        for _, _, name in meta[2]:
            for word, postings, variants in search_shards.unpack(files[f"pagefind/index/{name}.pf_index"])[0]:
                assert word not in words

                def pages(found: list[Any]) -> dict[str, Any]:
                    page, out = 0, {}
                    for number, locs, meta_locs in found:
                        page += number
                        out[urls[page]] = (locs, meta_locs)
                    return out
                words[word] = (pages(postings), {v: pages(p) for v, p in variants})
        filters = {}
        for name, h in meta[3]:
            table = search_shards.unpack(files[f"pagefind/filter/{h}.pf_filter"])
            filters[name] = {value: sorted(urls[i] for i in at) for value, at in table[1]}
        said[lang] = {"pages": {f["url"]: (n, f) for f, (_, n) in zip(fragments, meta[1])},
                      "words": words, "filters": filters, "count": about["page_count"]}
    return said


def _counted_runs_in_four_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Pagefind behind a wrapper that logs each run's arguments (the file returned), and
    four groups of activities and four of terms, in this process and in the one that
    makes a build's index (search_process.py: Python imports a sitecustomize module found
    on its path as it starts)."""
    real = _pagefind()
    log = tmp_path / "runs.log"
    wrapper = tmp_path / "pagefind"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {real} "$@"\n', encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    monkeypatch.setattr(search_shards, "groups_for", lambda n: 4)
    monkeypatch.setattr(search_shards, "term_groups_for", lambda n: 4)
    patch = tmp_path / "patch"
    patch.mkdir()
    (patch / "sitecustomize.py").write_text("import sitegen.search_shards as s\n"
                                            "s.groups_for = s.term_groups_for = lambda n: 4\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(patch), os.environ.get("PYTHONPATH")])))
    return log


def _one_run(site: Path, work: Path) -> dict[str, bytes]:
    """The index of a single Pagefind run over every page of `site`."""
    work.mkdir()
    search._run(_pagefind(), site, work / search.FOLDER, None)
    return search._collect(work / search.FOLDER)


def test_the_merged_index_says_what_one_run_over_every_page_says(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _pagefind()
    site = example_in(tmp_path, "[en, fr]")
    write_corpus(120, tmp_path / "corpus")
    for record in sorted((tmp_path / "corpus/content/activities").rglob("*.md"))[:120]:
        target = site / "content/activities" / record.relative_to(tmp_path / "corpus/content/activities")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(record.read_bytes())
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    monkeypatch.setattr(search_shards, "groups_for", lambda n: 4)  # (a site this small is one group)
    monkeypatch.setattr(search_shards, "term_groups_for", lambda n: 4)  # (and so are its term pages)
    grouped = search.index(out, work=tmp_path / "work")
    assert not (tmp_path / "work").exists()
    members = {search_shards.shard_of(str(p.relative_to(out)).replace(os.sep, "/"), 4, 4)
               for p in out.rglob("*.html")}
    assert members == {"a00", "a01", "a02", "a03", "t00", "t01", "t02", "t03", "site"}
    whole = _one_run(out, tmp_path / "whole")
    merged, single = _absolute(grouped.files), _absolute(whole)
    assert sorted(merged) == sorted(single) == ["en", "fr"]
    for lang in merged:
        assert merged[lang]["count"] > 100
        assert merged[lang]["pages"] == single[lang]["pages"]
        assert merged[lang]["words"] == single[lang]["words"]
        assert merged[lang]["filters"] == single[lang]["filters"]
    # the index files the search page loads are all there, and nothing else of Pagefind's
    def top(files: dict[str, bytes]) -> set[str]:
        return {rel.partition("_")[0] if rel.endswith(".pf_meta") else rel for rel in files
                if "/" not in rel[len("pagefind/"):]}
    assert top(grouped.files) == top(whole)


def test_a_build_after_an_edit_indexes_only_the_groups_that_changed(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    log = _counted_runs_in_four_groups(tmp_path, monkeypatch)
    site = tmp_path / "site"
    write_corpus(200, site)
    build(site)
    first = log.read_text(encoding="utf-8").splitlines()
    marked = {search_shards.shard_of(str(p.relative_to(site / "output")).replace(os.sep, "/"), 4, 4)
              for p in (site / "output").rglob("*.html") if b"data-pagefind-body" in p.read_bytes()}
    assert len(first) == len(marked) > 5  # four groups of activities, the other pages, term pages
    record = sorted((site / "content/activities").rglob("*.md"))[7]
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("\n---\n", "\n---\n\nZanzibarian quokkas were discussed.\n", 1),
                      encoding="utf-8")
    build(site)
    again = log.read_text(encoding="utf-8").splitlines()[len(first):]
    assert len(again) == 1  # the body edit changed one activity page: its group only
    edited = snapshot(site / "output")
    # the same index as a build from nothing, byte for byte
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    fresh = tmp_path / "fresh"
    build(site, fresh, use_cache=False)
    index = {rel: data for rel, data in snapshot(fresh).items() if rel.startswith("pagefind/")}
    assert index == {rel: data for rel, data in edited.items() if rel.startswith("pagefind/")}
    found = _absolute(index)["en"]["words"]
    assert list(found["quokka"][0]) == [f"/activities/{record.stem}/"]


def test_a_status_edit_indexes_its_groups_once_those_of_activities_and_terms_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A status edit changes the record's page, its terms' pages and pages of the group
    "site" (counts, rounds): the groups of the first two are indexed while the build still
    renders the others (search.ahead), then the group "site" once its indexed pages are
    final (while the build renders the lists and data files), each changed group once (the
    one indexed ahead is taken), and the index is the one a build from nothing gives."""
    log = _counted_runs_in_four_groups(tmp_path, monkeypatch)
    site = tmp_path / "site"
    write_corpus(200, site)
    build(site)
    before = len(log.read_text(encoding="utf-8").splitlines())
    record = next(r for r in sorted((site / "content/activities").rglob("*.md"))
                  if "status: completed" in r.read_text(encoding="utf-8"))
    record.write_text(record.read_text(encoding="utf-8").replace("status: completed", "status: cancelled", 1),
                      encoding="utf-8")
    build(site)
    runs = [line.split("--site ", 1)[1].split()[0] for line in log.read_text(encoding="utf-8").splitlines()[before:]]
    groups = [Path(run).parent.name for run in runs]  # (each run reads <work>/<group>/pages)
    assert len(groups) == len(set(groups)), groups  # each group once
    assert groups[-1] == search_shards.SITE and any(g.startswith("a") for g in groups), groups
    assert any(g.startswith("t") for g in groups), groups  # the record's terms list its status
    edited = snapshot(site / "output")
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    fresh = tmp_path / "fresh"
    build(site, fresh, use_cache=False)
    assert ({rel: data for rel, data in snapshot(fresh).items() if rel.startswith("pagefind/")}
            == {rel: data for rel, data in edited.items() if rel.startswith("pagefind/")})


def test_a_killed_index_leaves_nothing_beside_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The groups are indexed in a folder beside the output that a later build removes when
    a killed build left it (as it removes the killed build's tree)."""
    _pagefind()
    site = example_in(tmp_path, "[en]")
    stale = site / f".output.tmp-search-{os.getpid() + 100000}"
    (stale / "a00/pages").mkdir(parents=True)
    build(site)
    assert not stale.exists()
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".output")) == []


def _renumbered(files: dict[str, bytes], new: list[int]) -> dict[str, bytes]:
    """Pagefind's files of one run as they would be had it found the pages in another order
    (page `n` numbered `new[n]`): the meta file's page list, every posting and filter."""
    out = dict(files)
    entry = json.loads(files["pagefind-entry.json"])
    for about in entry["languages"].values():
        meta_path = f"pagefind.{about['hash']}.pf_meta"
        meta = search_shards.unpack(files[meta_path])
        pages: list[Any] = [None] * len(meta[1])
        for old, page in enumerate(meta[1]):
            pages[new[old]] = page
        meta[1] = pages
        out[meta_path] = search_shards.pack(meta)

        def moved(postings: list[Any]) -> list[Any]:
            page, found = 0, []
            for delta, locs, meta_locs in postings:
                page += delta
                found.append([new[page], locs, meta_locs])
            found.sort(key=lambda posting: posting[0])
            before = 0
            for posting in found:
                posting[0], before = posting[0] - before, posting[0]
            return found
        for _, _, name in meta[2]:
            words = search_shards.unpack(files[f"index/{name}.pf_index"])[0]
            for word in words:
                word[1] = moved(word[1])
                for variant in word[2]:
                    variant[1] = moved(variant[1])
            out[f"index/{name}.pf_index"] = search_shards.pack([words])
        for _, name in meta[3]:
            table = search_shards.unpack(files[f"filter/{name}.pf_filter"])
            for value in table[1]:
                value[1] = sorted(new[n] for n in value[1])
            out[f"filter/{name}.pf_filter"] = search_shards.pack(table)
    return out


def test_pages_found_in_another_order_give_the_same_group(tmp_path: Path) -> None:
    """Pagefind numbers pages in the order it finds their files, which is the order the file
    system lists a folder in (hash order on ext4, creation order on tmpfs): the same pages
    must give the same index wherever they are built."""
    site = example_in(tmp_path, "[en, fr]")
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    run = tmp_path / "run"
    search._run(_pagefind(), out, run, None)
    files = {p.relative_to(run).as_posix(): p.read_bytes() for p in run.rglob("*") if p.is_file()}
    counts = {lang["page_count"] for lang in json.loads(files["pagefind-entry.json"])["languages"].values()}
    assert len(counts) == 1  # (each page in English and in French)
    count = counts.pop()
    assert count > 100
    reverse = _renumbered(files, list(range(count - 1, -1, -1)))
    assert reverse != files
    one, other = search_shards.parse(files), search_shards.parse(reverse)
    assert one == other
    urls = [json.loads(gzip.decompress(data)[12:])["url"] for data, _, _ in one.parts["en"].pages]
    assert urls == sorted(urls)
    assert search_shards.merge([one]) == search_shards.merge([other])


def test_the_index_is_the_same_on_another_file_system(tmp_path: Path) -> None:
    """A build into a folder on another file system (tmpfs /dev/shm, or the disk when the
    temporary folders are on tmpfs) and one on the file system of the temporary folders
    publish the same bytes, the search index included."""
    _pagefind()
    elsewhere = other_device(tmp_path)
    if elsewhere is None:
        pytest.skip("no second file system here")
    site = example_in(tmp_path, "[en]")
    build(site, tmp_path / "here", use_cache=False)
    there = elsewhere / f"sitegen-test-{os.getpid()}"
    try:
        build(site, there / "out", use_cache=False)
        assert snapshot(there / "out") == snapshot(tmp_path / "here")
    finally:
        shutil.rmtree(there, ignore_errors=True)


def test_the_kinds_rendered_before_the_lists_are_those_the_theme_indexes(tmp_path: Path) -> None:
    """A build in one process renders the pages of search_shards.INDEXED_KINDS before the
    other pages that are neither an activity's nor a term's, so that their group is indexed
    while the lists render: they are the kinds of the example's pages that the theme marks
    data-pagefind-body (the example shows every kind: areas, indicators, countries, rounds,
    free pages, results framework)."""
    from sitegen.errors import Problems
    from sitegen.loader import load_site
    from sitegen.render import Renderer

    site_dir = example_in(tmp_path, "[en, fr]")
    site = load_site(site_dir, Problems())
    assert site is not None
    renderer = Renderer(site, site_dir)
    marked: dict[str, set[bool]] = {}
    for job in renderer.jobs():
        if job.path.endswith(".html") and search_shards.owner(job.path) is None:
            page = dict(renderer.render(job))[job.path]
            marked.setdefault(job.kind, set()).add(b"data-pagefind-body" in page)
    assert all(len(seen) == 1 for seen in marked.values()), marked  # (a kind is indexed or not)
    assert {kind for kind, seen in marked.items() if True in seen} == search_shards.INDEXED_KINDS
