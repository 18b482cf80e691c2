"""The output folder, the cache folder and operating faults (issue 14, items 1, 9, 11, 12).

A committed or doctored output/ never leaks into the new one; a .sitegen-cache that is not
a folder is a located error; disk full, read-only, busy mount points and concurrent builds
end in one line and exit 1 with the previous output intact and no temporary folder left;
reused files and compiled templates are checked, not trusted.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

from sitegen import build as build_mod
from sitegen import cli
from tests.sitekit import make_site, run_sitegen, snapshot

ACT = "content/activities/firearms-workshop.md"
SECRET = "TOKEN-ghs_do_not_publish"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


def _doctored_output(site: Path) -> Path:
    """output/ as a pull request could commit it: sitegen's marker, a link to the repository's
    .git (where the checkout leaves the token) and one to /etc."""
    (site / ".git").mkdir(exist_ok=True)
    (site / ".git/config").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n")
    out = site / "output"
    out.mkdir()
    (out / ".sitegen").write_text("This folder is written by sitegen build\n")
    (out / "index.html").write_text("<p>old</p>")
    os.symlink("../.git", out / ".leak")
    os.symlink("/etc", out / ".well-known")
    os.symlink("../.git/config", out / "robots.txt")
    return out


def _assert_clean(out: Path) -> None:
    """No link anywhere in `out`, and nothing read from outside it."""
    for dirpath, dirnames, filenames in os.walk(out):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            assert not path.is_symlink(), f"{path} is a symlink"
            assert Path(os.path.realpath(path)).is_relative_to(out.resolve()), path
        for name in filenames:
            assert SECRET.encode() not in (Path(dirpath) / name).read_bytes(), name
    assert not (out / ".leak").exists() and not (out / ".well-known").exists()


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or p.name.endswith(".lock"))


# -- 1. the output folder is sitegen's own ------------------------------------------------

def test_a_tracked_output_with_links_to_git_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    _git(site, "init", "-q")
    out = _doctored_output(site)
    _git(site, "add", "-A")
    _git(site, "add", "-f", "output")
    _git(site, "commit", "-q", "-m", "a pull request")
    before = sorted(os.listdir(out))
    run = run_sitegen("build", site)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        (f"sitegen: error: output folder {out} is tracked by git (output/.leak is committed); sitegen "
         "replaces it on every build: untrack it with `git rm -r --cached output` and list it in .gitignore")]
    assert sorted(os.listdir(out)) == before and (out / ".leak").is_symlink()
    # Untracked (the fix the message gives), the same folder builds into a clean output.
    _git(site, "rm", "-r", "-q", "--cached", "output")
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    _assert_clean(out)


def test_an_untracked_output_with_links_builds_an_output_without_any(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    out = _doctored_output(site)
    os.symlink("/etc", out / "activities")  # a link where the build writes pages
    for _ in range(3):  # the second and third builds start from the old output (the spare)
        run = run_sitegen("build", site)
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        _assert_clean(out)
        assert (out / "activities/firearms-workshop/index.html").is_file()
    # A link added to a built output is gone after the next build, even one with nothing to do.
    os.symlink("../.git", out / ".leak")
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    _assert_clean(out)
    # The uncached build carries nothing over either.
    os.symlink("../.git", out / ".leak")
    build_mod.build(site, use_cache=False)
    _assert_clean(out)


def test_dot_entries_are_published_only_from_content_static(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/static/.nojekyll": "",
                                         "content/static/.well-known/security.txt": "Contact: x@example.org\n",
                                         "content/static/.DS_Store": "junk"})
    out = site / "output"
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert (out / ".nojekyll").is_file()
    assert (out / ".well-known/security.txt").read_text() == "Contact: x@example.org\n"
    assert not (out / ".DS_Store").exists()
    # What macOS Finder leaves in a folder it opened is not a user's file: dropped, no error.
    (out / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert not (out / ".DS_Store").exists()
    # A dot entry put into the output by hand is not silently dropped with the old output.
    (site / "content/static/.nojekyll").unlink()
    (out / ".env").write_text("keep me")
    before = snapshot(out)
    run = run_sitegen("build", site)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        (f"sitegen: error: output folder {out} holds .env, which this build does not write: the new "
         "output would not have it; sitegen publishes no other hidden file than .nojekyll and .well-known/ "
         "(from content/static/): move it away (a checkout to deploy from belongs outside the output)")]
    assert snapshot(out) == before
    (out / ".env").unlink()
    run = run_sitegen("build", site)  # (.nojekyll was written by the last build: it goes quietly)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".sitegen", ".well-known"]


# -- 9. the cache folder ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_a_cache_folder_that_is_not_a_folder_is_a_located_error(tmp_path: Path, kind: str) -> None:
    site = make_site(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if kind == "file":
        (site / ".sitegen-cache").write_text("committed by mistake\n")
    else:
        os.symlink(elsewhere, site / ".sitegen-cache")
    line = (f".sitegen-cache: error: .sitegen-cache is a {kind}, not a folder: sitegen keeps its build "
            "cache there (delete it; it is a local cache (list it in .gitignore))")
    for command in ("build", "check"):
        run = run_sitegen(command, site)
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr
        assert run.errors == [line]
    assert list(elsewhere.iterdir()) == []
    assert not (site / "output").exists()


def test_init_ignores_output_and_cache_as_files_too(tmp_path: Path) -> None:
    site = tmp_path / "new"
    assert run_sitegen("init", site).returncode == 0
    _git(site, "init", "-q")
    (site / "output").write_text("a file")
    (site / ".sitegen-cache").write_text("a file")
    (site / ".output.lock").write_text("1")
    (site / ".output.tmp-123").mkdir()
    (site / ".output.tmp-123/x").write_text("x")
    for name in ("output", ".sitegen-cache", ".output.lock", ".output.tmp-123/x"):
        assert subprocess.run(["git", "check-ignore", "-q", name], cwd=site, check=False).returncode == 0, name
    assert subprocess.run(["git", "check-ignore", "-q", "content/output"], cwd=site, check=False).returncode == 1


# -- 11. operating faults ---------------------------------------------------------------------

def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    """sitegen's command line, in this process; exit code and stderr lines."""
    code = cli.main(list(args))
    return code, capsys.readouterr().err.splitlines()


def _edited(site: Path) -> None:
    path = site / ACT
    path.write_text(path.read_text().replace("title: ", "title: Edited ", 1))


def _failing_open(err: int, after: int) -> Callable[..., int]:
    """os.open that fails with `err` when creating files in a temporary output tree (after
    `after` successes)."""
    real = os.open
    seen = [0]

    def fake(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if ".tmp-" in os.fsdecode(path) and flags & os.O_CREAT:
            seen[0] += 1
            if seen[0] > after:
                raise OSError(err, os.strerror(err), os.fsdecode(path))
        return real(path, flags, *args, **kwargs)

    return fake


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS, errno.EDQUOT])
@pytest.mark.parametrize("after", [0, 5])
def test_disk_full_and_read_only_end_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str], err: int, after: int) -> None:
    site = make_site(tmp_path / "site")
    out = site / "output"
    assert _main(capsys, "build", str(site))[0] == 0
    before = snapshot(out)
    _edited(site)
    monkeypatch.setattr(os, "open", _failing_open(err, after))
    code, lines = _main(capsys, "build", str(site))
    monkeypatch.undo()
    assert code == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"sitegen: error: {os.strerror(err)[:1].lower()}{os.strerror(err)[1:]}: {site}/.output.tmp-")
    assert lines[0].endswith("; the build stopped and the previous output was left as it was")
    assert snapshot(out) == before
    assert _temps(site) == []
    # The next build (the disk has room again) succeeds.
    assert _main(capsys, "build", str(site))[0] == 0
    assert b"Edited" in (out / "activities/firearms-workshop/index.html").read_bytes()


def test_a_build_in_a_longer_process_leaves_the_collector_on(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`build` collects no garbage while it runs (it ends when done: cli.main); a program,
    or a test suite, that runs it in its own process collects again after it, failed or
    not (and `check`, which renders every page in memory, collects throughout)."""
    site = make_site(tmp_path / "site")
    assert gc.isenabled()
    assert _main(capsys, "build", str(site))[0] == 0
    assert gc.isenabled()
    (site / ACT).write_text("---\ntitle: [\n")
    assert _main(capsys, "check", str(site))[0] == 1
    assert _main(capsys, "build", str(site))[0] == 1
    assert gc.isenabled()


def test_a_first_build_on_a_full_disk_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path / "site")
    monkeypatch.setattr(os, "open", _failing_open(errno.ENOSPC, 3))
    code, lines = _main(capsys, "build", str(site))
    assert code == 1 and len(lines) == 1 and "no space left on device" in lines[0]
    assert not (site / "output").exists()
    assert _temps(site) == []


def test_an_old_output_that_cannot_be_moved_does_not_fail_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A read-only old output cannot be moved into the cache folder (its `..` would change):
    the new output is in place, so the build succeeds and removes the old one."""
    site = make_site(tmp_path / "site")
    assert _main(capsys, "build", str(site))[0] == 0
    _edited(site)
    real = os.rename

    def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if ".tmp-" in os.fsdecode(src) and "spare-" in os.fsdecode(dst):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(src))
        real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    code, lines = _main(capsys, "build", str(site))
    monkeypatch.undo()
    assert (code, lines) == (0, [])
    assert b"Edited" in (site / "output/activities/firearms-workshop/index.html").read_bytes()
    assert _temps(site) == []
    _edited(site)  # and the build after it starts afresh
    assert _main(capsys, "build", str(site))[0] == 0
    assert b"Edited Edited" in (site / "output/activities/firearms-workshop/index.html").read_bytes()


def test_an_output_folder_that_cannot_be_renamed_is_a_mount_point_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A bind mount of the same device is seen only when the swap fails (EBUSY)."""
    site = make_site(tmp_path / "site")
    out = site / "output"
    assert _main(capsys, "build", str(site))[0] == 0
    before = snapshot(out)
    _edited(site)
    real = os.rename

    def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if os.fsdecode(src) == str(out):
            raise OSError(errno.EBUSY, "Device or resource busy", os.fsdecode(src))
        real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr("sitegen.write._exchange", lambda a, b: False)
    code, lines = _main(capsys, "build", str(site))
    monkeypatch.undo()
    assert code == 1
    assert lines == [(f"sitegen: error: output folder {out} is a mount point and cannot be replaced; "
                      "build into a folder inside it or elsewhere with -o")]
    assert snapshot(out) == before
    assert _temps(site) == []


def test_a_mounted_output_folder_is_refused_up_front(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    out = site / "output"
    out.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "none", str(out)],
                                           capture_output=True, check=False).returncode != 0:
        pytest.skip("mounting a tmpfs needs privileges this run does not have")
    try:
        run = run_sitegen("build", site)
        assert run.returncode == 1
        assert run.stderr.splitlines() == [
            (f"sitegen: error: output folder {out} is a mount point and cannot be replaced; "
             "build into a folder inside it or elsewhere with -o")]
        assert os.listdir(out) == []
        assert _temps(site) == []
        run = run_sitegen("build", site, "-o", out / "site")  # the way out the message gives
        assert run.returncode == 0, run.stderr
        assert (out / "site/index.html").is_file()
    finally:
        subprocess.run(["umount", str(out)], check=True)


def test_a_second_build_of_one_output_waits_for_none_and_says_who_holds_it(tmp_path: Path) -> None:
    import fcntl

    site = make_site(tmp_path / "site")
    out = site / "output"
    assert run_sitegen("build", site).returncode == 0
    before = snapshot(out)
    _edited(site)
    lock = site / ".output.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"4242\n")
        run = run_sitegen("build", site, timeout=60)
        assert run.returncode == 1
        assert run.stderr.splitlines() == [
            f"sitegen: error: another sitegen build (pid 4242) is writing {out}; wait for it to finish"]
        assert snapshot(out) == before
    finally:
        os.close(fd)
    # Released (as when the other build ends or is killed), the next build runs.
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert b"Edited" in (out / "activities/firearms-workshop/index.html").read_bytes()
    assert _temps(site) == []


class _WindowsFiles:
    """The os module as Windows has it for open files: one cannot be deleted while open."""

    def __init__(self) -> None:
        self.held: dict[int, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def open(self, path: Any, flags: int, mode: int = 0o777) -> int:
        fd = os.open(path, flags, mode)
        self.held[fd] = os.path.abspath(path)
        return fd

    def close(self, fd: int) -> None:
        self.held.pop(fd, None)
        os.close(fd)

    def unlink(self, path: Any) -> None:
        if os.path.abspath(path) in self.held.values():
            raise PermissionError(errno.EACCES, "the file is being used by another process", str(path))
        os.unlink(path)


def test_without_flock_each_build_leaves_no_lock_and_a_left_lock_is_named(tmp_path: Path, monkeypatch: Any) -> None:
    """Where there is no flock (Windows), the lock is the file itself: a build removes it
    (after closing it: Windows deletes no open file), so the next build runs; one left by a
    killed build stops the next with its path."""
    from sitegen import write

    monkeypatch.setattr(write, "fcntl", None)
    monkeypatch.setattr(write, "os", _WindowsFiles())
    site = make_site(tmp_path / "site")
    out = site / "output"
    lock = site / ".output.lock"
    for _ in range(2):
        build_mod.build(site, out)
        assert not lock.exists()
    _edited(site)
    lock.write_text("4242\n")  # (as a killed build leaves it)
    before = snapshot(out)
    with pytest.raises(write.BuildFault) as got:
        build_mod.build(site, out)
    assert str(got.value) == (f"another sitegen build (pid 4242) is writing {out}; wait for it, "
                              f"or remove {lock} if no build runs")
    assert snapshot(out) == before
    lock.unlink()
    build_mod.build(site, out)
    assert b"Edited" in (out / "activities/firearms-workshop/index.html").read_bytes()


def test_two_real_builds_at_once_one_waits_for_none(tmp_path: Path) -> None:
    """Two processes building one site at once: each either builds or says another is."""
    import sys

    from tests.sitekit import REPO

    site = make_site(tmp_path / "site")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(site)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        results.append((proc.returncode, err))
    assert any(code == 0 for code, _ in results)
    for code, err in results:
        assert "Traceback" not in err
        assert code == 0 or (code == 1 and "another sitegen build" in err), err
    assert _temps(site) == []
    assert (site / "output/index.html").is_file()


def test_an_output_name_with_glob_characters_leaves_its_siblings_alone(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    sibling = tmp_path / ".out1.tmp-7"  # what the glob ".out[1].tmp-*" matches
    sibling.mkdir()
    (sibling / "notes.txt").write_text("mine")
    other = tmp_path / ".out[1].tmp-notes"  # sitegen's prefix, but not a name sitegen makes
    other.mkdir()
    killed = tmp_path / ".out[1].tmp-999999"  # a killed build's folder: sitegen's own
    killed.mkdir()
    for _ in range(2):
        run = run_sitegen("build", site, "-o", tmp_path / "out[1]")
        assert run.returncode == 0, run.stderr
        assert (sibling / "notes.txt").read_text() == "mine"
        assert other.is_dir()
    assert not killed.exists()
    assert (tmp_path / "out[1]/index.html").is_file()


# -- 12. cache trust ---------------------------------------------------------------------------

def _rot(path: Path) -> None:
    """Change a byte in place, keeping size and mtime (as bit rot would)."""
    st = path.stat()
    data = bytearray(path.read_bytes())
    i = data.index(b"<main")
    data[i + 1:i + 5] = b"MAIN"
    with open(path, "r+b") as fh:  # in place: a hard link to it sees the change too
        fh.write(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _flip(path: Path) -> None:
    """Flip a bit of a file in place, keeping its size and mtime."""
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    with open(path, "r+b") as fh:
        fh.write(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_rotten_reused_files_are_rendered_again(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    out = site / "output"
    for n in range(3):  # a live output, and a spare tree in the cache
        _edited(site)
        assert run_sitegen("build", site).returncode == 0
    spare = next((site / ".sitegen-cache").glob("spare-*"))
    pages = sorted(p.relative_to(out) for p in out.glob("activities/*/index.html")
                   if "firearms-workshop" not in str(p))
    assert len(pages) >= 2
    _rot(out / pages[0])
    _rot(spare / pages[1])
    _rot(out / "areas/firearms/index.html")
    # the search index's files too: those of the tree the build starts from are read back
    # while it renders (search_process), not when the index is written
    index_files = sorted(p.relative_to(spare) for p in (spare / "pagefind").rglob("*") if p.is_file()
                         and (out / p.relative_to(spare)).is_file())
    assert len(index_files) >= 3
    for rel in index_files[::len(index_files) // 3]:
        _flip(spare / rel)
    _edited(site)
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    fresh = tmp_path / "fresh"
    build_mod.build(site, fresh, use_cache=False)
    assert snapshot(out) == snapshot(fresh)
    _edited(site)  # and the next build (from the other tree) too
    assert run_sitegen("build", site).returncode == 0
    shutil.rmtree(fresh)
    build_mod.build(site, fresh, use_cache=False)
    assert snapshot(out) == snapshot(fresh)


def test_a_truncated_compiled_template_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    site = make_site(tmp_path / "site")
    assert run_sitegen("build", site).returncode == 0
    reference = snapshot(site / "output")
    compiled = [p for p in (tmp_path / "xdg/sitegen").glob("templates-*/*") if p.is_file()]
    assert compiled
    for cut in (20, 1, 0):
        for path in compiled:
            path.write_bytes(path.read_bytes()[:cut] if cut else b"")
        shutil.rmtree(site / ".sitegen-cache")
        run = run_sitegen("build", site)
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        assert snapshot(site / "output") == reference
    # A rotten entry (a flipped byte in the compiled code) is a miss too, never a wrong page.
    for path in compiled:
        data = bytearray(path.read_bytes())
        data[-8] ^= 0x01
        path.write_bytes(bytes(data))
    shutil.rmtree(site / ".sitegen-cache")
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert snapshot(site / "output") == reference



def test_a_folder_that_cannot_be_read_is_an_error_not_a_site_without_its_records(tmp_path: Path,
                                                                              monkeypatch: Any) -> None:
    """An unreadable content/activities/ (chmod 000, or another user's folder) left its
    records out of the published site without a word; root reads it all the same, so the
    refusal is imitated."""
    site = make_site(tmp_path / "site")
    out = site / "output"
    build_mod.build(site)
    before = snapshot(out)
    real = os.scandir

    def refused(path: Any = ".") -> Any:  # (an int: a folder's descriptor, as rmtree scans)
        if not isinstance(path, int) and os.fspath(path).endswith(os.path.join("content", "activities")):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", refused)
    with pytest.raises(build_mod.ContentError) as got:
        build_mod.build(site)
    assert [(p.path, p.message, p.hint) for p in got.value.problems] == [
        ("content/activities", "cannot read this folder: Permission denied",
         "make it readable (chmod u+rx), or move it out of the site")]
    assert snapshot(out) == before
