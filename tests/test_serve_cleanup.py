"""`sitegen serve` removes its preview folder on every way out: a port already in use, Ctrl-C,
kill (SIGTERM), a closed terminal (SIGHUP), an error or Ctrl-C during the first build.

The preview folder is made by tempfile in $TMPDIR; each test points TMPDIR (or tempfile's
folder, in-process) at a folder of its own and counts what is left in it.
"""

from __future__ import annotations

import http.client
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from sitegen import cli
from sitegen.incremental import Builder
from sitegen.serve import serve
from tests.corpus import write_corpus
from tests.sitekit import REPO, make_site


def _env(tmpdir: Path) -> dict[str, str]:
    env = dict(os.environ, TMPDIR=str(tmpdir))
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SITEGEN_AS_OF", None)
    return env


def test_a_port_in_use_leaves_no_preview_folder(tmp_path: Path) -> None:
    site, tmpdir = make_site(tmp_path / "site"), tmp_path / "tmp"
    tmpdir.mkdir()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "sitegen", "serve", str(site), "--port", str(port)],
                             capture_output=True, text=True, timeout=60, env=_env(tmpdir), cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.startswith(f"sitegen: error: cannot listen on 127.0.0.1:{port}: "), run.stderr
    assert os.listdir(tmpdir) == []


@pytest.mark.parametrize("port, said", [("99999", "a port is a number from 0 to 65535, not 99999"),
                                        ("-1", "a port is a number from 0 to 65535, not -1"),
                                        ("abc", "not a port number: 'abc'")])
def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path, port: str, said: str) -> None:
    site, tmpdir = make_site(tmp_path / "site"), tmp_path / "tmp"
    tmpdir.mkdir()
    run = subprocess.run([sys.executable, "-m", "sitegen", "serve", str(site), "--port", port],
                         capture_output=True, text=True, timeout=60, env=_env(tmpdir), cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1] == f"sitegen: error: argument --port: {said}"
    assert "Traceback" not in run.stderr
    assert os.listdir(tmpdir) == []


def _signals_as_in_a_terminal() -> None:
    """The preview's signals at their defaults, as in a terminal: the tests may run under
    nohup (SIGHUP ignored, which the preview keeps ignored on purpose) or in a background
    job (SIGINT ignored)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _preview(site: Path, tmpdir: Path) -> subprocess.Popen[str]:
    """`sitegen serve SITE --port 0` with its temporary folders in `tmpdir` (made), its
    signals as in a terminal, its output piped."""
    tmpdir.mkdir()
    return subprocess.Popen([sys.executable, "-m", "sitegen", "serve", str(site), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmpdir),
                            cwd=tmpdir.parent, preexec_fn=_signals_as_in_a_terminal)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=["ctrl-c", "sigterm", "sighup"])
def test_stopping_a_running_preview_removes_its_folder(tmp_path: Path, signum: int) -> None:
    tmpdir = tmp_path / "tmp"
    proc = _preview(make_site(tmp_path / "site"), tmpdir)
    try:
        assert proc.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        out = proc.stdout
        threading.Thread(target=lambda: [lines.put(ln) for ln in out], daemon=True).start()
        serving = lines.get(timeout=60)
        assert serving.startswith("serving http://127.0.0.1:")
        assert lines.get(timeout=60).startswith("built ")
        port = int(serving.split()[1].rsplit(":", 1)[1].strip("/"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
        folders = os.listdir(tmpdir)
        assert len(folders) == 1 and folders[0].startswith("sitegen-preview-")
        assert (tmpdir / folders[0] / "index.html").is_file()
        proc.send_signal(signum)
        # (Ctrl-C in the instant between the first build and the serving loop is "interrupted")
        assert proc.wait(timeout=30) in ((0, 130) if signum == signal.SIGINT else (0,))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert os.listdir(tmpdir) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["sigterm", "sighup"])
def test_a_stop_signal_during_the_first_build_ends_the_preview_at_once(tmp_path: Path, signum: int) -> None:
    """The server answers during its first build (a minute for a large site in several
    languages): a stop signal then ends it there, as Ctrl-C does, not once the build is done."""
    tmpdir = tmp_path / "tmp"
    proc = _preview(write_corpus(1500, tmp_path / "site"), tmpdir)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("serving http://127.0.0.1:")
        proc.send_signal(signum)  # (the build takes seconds: it is under way)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0 and err == ""
    assert "built" not in out  # stopped before the build was done
    assert os.listdir(tmpdir) == []


def test_a_stop_signal_while_the_preview_waits_for_one_ends_it(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM's or SIGHUP's handler runs in the main thread, which spends its time inside
    stop_event.wait and may hold that event's lock when the signal comes: the handler must
    not wait for the lock (Event.set() there would wait for ever)."""
    from sitegen.serve import Preview

    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    preview = Preview(make_site(tmp_path / "site"), "127.0.0.1", 0)
    ended: list[int] = []

    def main() -> None:
        with preview.stop_event._cond:  # as in stop_event.wait, where the signal comes
            preview.stop_by_signal(signal.SIGHUP, None)
        ended.append(preview.run(False))
    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    thread.join(30)
    stuck = thread.is_alive()
    if not stuck:  # (else close() would wait for that lock too)
        preview.close()
    assert not stuck, "the signal's handler waited for the lock its own thread holds"
    assert ended == [0]
    assert os.listdir(tmpdir) == []


def _failing_first_build(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> Path:
    """Point tempfile at a new folder and make the preview's builds raise `exc`."""
    tmpdir = Path(tempfile.mkdtemp(prefix="serve-cleanup-"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))

    def rebuild(self: Builder, *args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(Builder, "rebuild", rebuild)
    return tmpdir


def test_an_error_in_the_first_build_removes_the_folder_and_returns(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site")
    tmpdir = _failing_first_build(monkeypatch, RuntimeError("the disk went away"))
    term, hup = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    try:
        with pytest.raises(RuntimeError, match="the disk went away"):
            serve(site, "127.0.0.1", 0, False)
        assert os.listdir(tmpdir) == []
        assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == (term, hup)
    finally:
        os.rmdir(tmpdir)


def test_ctrl_c_during_the_first_build_removes_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path / "site")
    tmpdir = _failing_first_build(monkeypatch, KeyboardInterrupt())
    try:
        assert cli.main(["serve", str(site), "--port", "0"]) == 130
        assert capsys.readouterr().err == "sitegen: interrupted\n"
        assert os.listdir(tmpdir) == []
    finally:
        os.rmdir(tmpdir)


def test_an_indexing_ended_by_the_preview_leaves_nothing_behind(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview stops while its background search indexing runs (an indexer that takes
    its time): the indexing process is killed, and neither the system's temporary folder nor
    the preview folder keeps its work (a `sitegen-pagefind-*` folder was left in the
    temporary folder when the preview was stopped by a signal at that moment)."""
    from sitegen.search import BackgroundIndex

    folder, tmpdir = tmp_path / "preview", tmp_path / "tmp"
    folder.mkdir()
    tmpdir.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>x</title><main>Words</main>", encoding="utf-8")
    slow, running = tmp_path / "slow-pagefind", tmp_path / "running"
    slow.write_text(f"#!/bin/sh\ntouch '{running}'\nsleep 60\n", encoding="utf-8")
    slow.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow))
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    background = BackgroundIndex(folder, delay=0)
    background.changed()
    deadline = time.monotonic() + 30
    while not running.exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # until the indexer runs
    assert running.exists(), "the indexing did not start"
    background.stop()
    assert os.listdir(tmpdir) == []
    assert sorted(p.name for p in folder.iterdir()) == ["index.html"]
