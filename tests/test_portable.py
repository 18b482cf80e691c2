"""Builds that do not depend on Linux: worker processes started with `spawn` (macOS,
Windows) build the same bytes as forked ones, and no platform-only date format is used."""

from __future__ import annotations

import filecmp
import gc
import multiprocessing
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen import build as build_module
from sitegen import cache, workers
from tests.corpus import write_corpus
from tests.sitekit import REPO


def _build(site: Path, out: Path, method: str) -> subprocess.CompletedProcess[str]:
    """`sitegen build` with workers started by `method`, for as few as 300 files and pages
    (with spawn, workers start only for thousands: see _LOW)."""
    low = out.with_name(f"{out.name}-low")
    low.mkdir(exist_ok=True)
    (low / "sitecustomize.py").write_text(_LOW, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(low), str(REPO)]), SITEGEN_START_METHOD=method)
    return subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out)],
                          capture_output=True, text=True, timeout=300, env=env, check=False)


# the spawned workers' thresholds lowered to the forked ones' (the command's own process)
_LOW = """
import sitegen.build, sitegen.cache
sitegen.build.PARALLEL_MIN_JOBS_SPAWNED = sitegen.build.PARALLEL_MIN_JOBS
sitegen.cache.PARSE_MIN_FILES_SPAWNED = sitegen.cache.PARSE_MIN_FILES
"""


def _low_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "PARALLEL_MIN_JOBS_SPAWNED", build_module.PARALLEL_MIN_JOBS)
    monkeypatch.setattr(cache, "PARSE_MIN_FILES_SPAWNED", cache.PARSE_MIN_FILES)


def _same_tree(a: Path, b: Path) -> list[str]:
    """Files that differ or exist on one side only (empty: the same tree, byte for byte)."""
    names_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    names_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    differ = sorted(names_a ^ names_b)
    differ += [n for n in sorted(names_a & names_b) if not filecmp.cmp(a / n, b / n, shallow=False)]
    return differ


def test_a_build_with_spawned_workers_equals_one_with_forked_workers(tmp_path: Path) -> None:
    # 400 records: enough for parsing and rendering workers (300 files, 300 pages)
    sites = {m: write_corpus(400, tmp_path / m) for m in ("fork", "spawn")}
    for site in sites.values():  # (the site's own words reach spawned workers too)
        (site / "locales").mkdir()
        (site / "locales/en.po").write_text('msgid "Dashboard"\nmsgstr "Overview"\n', encoding="utf-8")
    for method, site in sites.items():
        done = _build(site, tmp_path / f"out-{method}", method)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "built" in done.stdout + done.stderr
    assert _same_tree(tmp_path / "out-fork", tmp_path / "out-spawn") == []
    page = sorted((tmp_path / "out-spawn/activities").glob("*/index.html"))[-1]
    assert ">Overview</a>" in page.read_text(encoding="utf-8")
    # and again after an edit, from the cache each method left
    for method, site in sites.items():
        record = sorted((site / "content/activities").rglob("*.md"))[7]
        text = record.read_text(encoding="utf-8")
        record.write_text(text.replace("status: completed", "status: cancelled")
                          .replace("status: planned", "status: postponed") + "\nEdited.\n", encoding="utf-8")
        done = _build(site, tmp_path / f"out-{method}", method)
        assert done.returncode == 0, done.stderr[-2000:]
    assert _same_tree(tmp_path / "out-fork", tmp_path / "out-spawn") == []
    # what the edit's build took from the cache (the pages and pieces of records the first,
    # parallel build left) is what a build without it makes
    build_module.build(sites["fork"], tmp_path / "fresh", use_cache=False)
    assert _same_tree(tmp_path / "out-fork", tmp_path / "fresh") == []


def _spy_on_workers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The pools started from now on: (function, start method) each."""
    started: list[tuple[str, str]] = []
    real_init = workers.Workers.__init__

    def spy(self: workers.Workers, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        started.append((self.fn.__name__, self.method))

    monkeypatch.setattr(workers.Workers, "__init__", spy)
    return started


def test_spawned_workers_are_used_when_chosen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In one process, with SITEGEN_START_METHOD=spawn: both pools (parsing, rendering) start
    their workers with spawn, and the output is that of a forked build."""
    _low_thresholds(monkeypatch)
    started = _spy_on_workers(monkeypatch)
    outputs = {}
    for method in ("spawn", "fork"):
        monkeypatch.setenv("SITEGEN_START_METHOD", method)
        site = write_corpus(400, tmp_path / method)
        outputs[method] = build_module.build(site, workers=2).output
    # (where there is no fork, Windows, a choice of fork starts spawned workers)
    fork = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    assert started == [("_parse_range", "spawn"), ("_render_jobs", "spawn"),
                       ("_parse_range", fork), ("_render_jobs", fork)]
    assert _same_tree(outputs["spawn"], outputs["fork"]) == []


def test_a_small_site_starts_no_spawned_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawned workers each start a Python and are sent the site: at 400 records they made
    the build about twice as slow as none, so they start only for thousands of files and
    pages; forked ones, from 300."""
    started = _spy_on_workers(monkeypatch)
    outputs = {}
    for method in ("spawn", "fork"):
        monkeypatch.setenv("SITEGEN_START_METHOD", method)
        outputs[method] = build_module.build(write_corpus(400, tmp_path / method), workers=2).output
    fork = [("_parse_range", "fork"), ("_render_jobs", "fork")] if "fork" in multiprocessing.get_all_start_methods() else []
    assert started == fork
    assert _same_tree(outputs["spawn"], outputs["fork"]) == []


def test_the_start_method_can_be_chosen(monkeypatch: object) -> None:
    import pytest
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("SITEGEN_START_METHOD", "spawn")
    assert workers.start_method() == "spawn"
    monkeypatch.setenv("SITEGEN_START_METHOD", "no-such-method")
    assert workers.start_method() == ("fork" if sys.platform.startswith("linux") else "spawn")


def test_a_build_in_a_process_leaves_nothing_frozen(tmp_path: Path) -> None:
    """Builds run in one process (the preview server, tests) do not keep each other's sites:
    what is frozen for the forked workers is unfrozen after them."""
    site = write_corpus(400, tmp_path / "site")
    for _ in range(2):
        build_module.build(site, workers=2)
        assert gc.get_freeze_count() == 0


def test_no_platform_only_date_formats() -> None:
    """strftime's "%-d" (no leading zero) exists on Linux and macOS, not on Windows."""
    for path in sorted((REPO / "sitegen").rglob("*.py")):
        assert not re.search(r"%-[a-zA-Z]", path.read_text(encoding="utf-8")), path


def test_every_file_sitegen_opens_by_descriptor_is_opened_binary() -> None:
    """os.open without O_BINARY is a text-mode file on Windows: "\\n" written as "\\r\\n", reads
    stopping at a byte 0x1A. Every os.open call's flags (or the module constant they name)
    include O_BINARY."""
    import ast
    missing = []
    for path in sorted((REPO / "sitegen").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {target.id: ast.unparse(node.value) for node in tree.body if isinstance(node, ast.Assign)
                     for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and ast.unparse(node.func) == "os.open" and len(node.args) >= 2):
                flags = ast.unparse(node.args[1])
                seen = flags + " ".join(constants.get(name, "") for name in re.findall(r"\w+", flags))
                seen += " ".join(constants.get(name, "") for name in re.findall(r"\w+", seen))
                if "O_BINARY" not in seen:
                    missing.append(f"{path.name}:{node.lineno}: {flags}")
    assert missing == []


def test_a_system_without_user_ids_builds_with_its_template_cache(tmp_path: Path, monkeypatch: object) -> None:
    """Windows has no os.getuid: the compiled templates' cache is used all the same."""
    import pytest

    from sitegen import cache
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delattr(os, "getuid", raising=False)
    assert cache.template_cache() is not None
    site = write_corpus(20, tmp_path / "site")
    out = build_module.build(site).output
    assert (out / "index.html").is_file()
    assert list((tmp_path / "cache/sitegen").glob("templates-*/*"))


def test_workers_default_to_the_cores_where_affinity_is_unknown(monkeypatch: object) -> None:
    """macOS and Windows have no sched_getaffinity: a worker per core, not one in all."""
    import pytest
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert build_module.default_workers() == 4
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert build_module.default_workers() == 1


def test_a_volume_without_hard_links_builds_every_time(tmp_path: Path, monkeypatch: object) -> None:
    """On exFAT, FAT32 or some network shares no hard link can be made: each build writes
    its files instead (the first after a build into a new output folder took them from
    the live output by links, and failed)."""
    import pytest

    from sitegen import trees
    assert isinstance(monkeypatch, pytest.MonkeyPatch)

    def no_link(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(trees.os, "link", no_link)
    site = write_corpus(20, tmp_path / "site")
    out = tmp_path / "out"
    build_module.build(site, out)
    record = sorted((site / "content/activities").rglob("*.md"))[3]
    record.write_text(record.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    for _ in range(2):  # (the first from the live output, the next from the spare too)
        build_module.build(site, out)
        assert _same_tree(out, build_module.build(site, tmp_path / "fresh", use_cache=False).output) == []


def test_the_watcher_sees_changes_under_the_real_path_of_the_site(tmp_path: Path) -> None:
    """macOS reports a change under the resolved folder (/private/tmp/... for /tmp/...): a
    site named through a symlink still sees its edits."""
    from sitegen.watch import relevant
    real = tmp_path / "real"
    (real / "content").mkdir(parents=True)
    try:
        (tmp_path / "named").symlink_to(real, target_is_directory=True)
    except OSError:  # (Windows without the privilege to make symlinks)
        import pytest
        pytest.skip("this account cannot make symlinks")
    keep = relevant(tmp_path / "named")
    assert keep(None, str(real / "content/plan.yaml"))
    assert keep(None, str(tmp_path / "named/content/plan.yaml"))
    assert not keep(None, str(real / "output/index.html"))
    assert not keep(None, str(tmp_path / "elsewhere/content/plan.yaml"))


def test_the_preview_replaces_a_file_a_reader_holds_on_windows(tmp_path: Path, monkeypatch: object) -> None:
    """Windows refuses to replace a file another thread has open (a request reading it): the
    preview tries again for a while; elsewhere a refusal is an error at once."""
    import pytest

    from sitegen import preview_files, write
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    real = os.replace
    calls: list[object] = []

    def busy(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) % 3:
            raise PermissionError(13, "The process cannot access the file because it is being used")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", busy)
    page = tmp_path / "page/index.html"
    monkeypatch.setattr(write, "WINDOWS", True)
    preview_files._atomic_write(page, b"new")
    monkeypatch.setattr(write, "WINDOWS", False)
    assert page.read_bytes() == b"new" and len(calls) == 3
    with pytest.raises(PermissionError):
        preview_files._atomic_write(page, b"newer")
    assert page.read_bytes() == b"new"


def _unlink_ignoring_case(monkeypatch: object) -> None:
    """Path.unlink as on a file system that ignores case (macOS, Windows): a name finds the
    file of any case."""
    import pytest
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    real = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if not os.path.lexists(self) and self.parent.is_dir():
            same = [n for n in os.listdir(self.parent) if n.casefold() == self.name.casefold()]
            if same:
                self = self.parent / same[0]
        real(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)


def test_a_file_renamed_in_case_only_stays_in_the_output(tmp_path: Path, monkeypatch: object) -> None:
    """static/Logo.png renamed static/logo.png: on a file system that ignores case the new
    file is the old one's entry, and removing the old name removed it (build and preview)."""
    from sitegen import preview_files, trees
    _unlink_ignoring_case(monkeypatch)
    for clean in ("build", "preview"):
        root = tmp_path / clean
        (root / "static").mkdir(parents=True)
        (root / "static/logo.png").write_bytes(b"png")  # (what the folder lists after the write)
        if clean == "build":
            trees.prune(root, ["static/Logo.png"], None, {"static/logo.png": None})
        else:
            site = tmp_path / "site"
            (site / "content/static").mkdir(parents=True)
            (site / "content/static/logo.png").write_bytes(b"png")
            files = preview_files.PreviewFiles(site, root)
            files.copies = {"static/Logo.png": (str(site / "content/static/Logo.png"), ())}
            assert files.sync({}, {}, {"static/logo.png": site / "content/static/logo.png"}, {}) == (1, 0)
        assert (root / "static/logo.png").read_bytes() == b"png", clean
    # where case counts (Linux), the old name is a file of its own, removed
    (tmp_path / "build/static/Logo.png").write_bytes(b"old")
    trees.prune(tmp_path / "build", ["static/Logo.png"], None, {"static/logo.png": None})
    assert os.listdir(tmp_path / "build/static") == ["logo.png"]


def test_an_output_folder_held_open_on_windows_is_a_clear_error(tmp_path: Path, monkeypatch: object) -> None:
    """Windows moves no folder while a program has a file of it open (a server or a terminal
    in it): the build tries again for a while, then says so, and the output stays."""
    import pytest

    from sitegen import write
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    site = write_corpus(20, tmp_path / "site")
    out = build_module.build(site).output
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    record = sorted((site / "content/activities").rglob("*.md"))[3]
    record.write_text(record.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    real = os.rename
    tries: list[object] = []

    def held(src: object, dst: object) -> None:
        if os.path.abspath(src) == os.path.abspath(out):  # type: ignore[arg-type]
            tries.append(src)
            raise PermissionError(13, "Access is denied", str(src))
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "_exchange", lambda a, b: False)  # (Windows has no renameat2)
    monkeypatch.setattr(os, "rename", held)
    monkeypatch.setattr(write, "WINDOWS", True)
    with pytest.raises(write.BuildFault) as got:
        build_module.build(site, out)
    assert str(got.value) == (f"output folder {out} cannot be replaced while another program uses it (a server "
                              "or a terminal in it, a file open in an editor): close it and build again; the "
                              "previous output was left as it was")
    assert len(tries) == 20
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
