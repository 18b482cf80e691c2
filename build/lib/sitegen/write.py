"""Write a built site into a temporary folder and swap it into place atomically.

A failed or killed build never touches the previous output: everything is written to
`.<name>.tmp-<pid>` beside it, then the two folders are exchanged in one `renameat2`
call (Linux; elsewhere two renames). Nothing of the old output is carried over: dot
entries a site publishes (`.nojekyll`, `.well-known/`) come from `content/static/` like
any other file. An existing, non-empty output folder that sitegen did not make, one that
git tracks and one that is a mount point are refused rather than replaced. One build at a
time writes an output folder: `.<name>.lock` beside it says which.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import stat
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .content import PUBLISHED_DOTS, fs_key
from .errors import UsageError

MARKER = ".sitegen"
_MARKER_TEXT = b"This folder is written by sitegen build; it is replaced on every build.\n"


class BuildFault(Exception):
    """An operating fault that stops a build (disk, permissions, a concurrent build): one
    line for the user, exit status 1, the previous output left as it was."""


def check_output_dir(site_dir: Path, out_dir: Path) -> None:
    """Refuse output folders whose replacement would destroy sources or unrelated files."""
    site, out = site_dir.resolve(), out_dir.resolve()
    home = Path.home().resolve()
    if out in (Path("/"), home) or out == site or site.is_relative_to(out):
        raise UsageError(f"refusing to write the site into {out_dir}: it is or contains the site folder")
    for sub in ("content", "templates"):
        if out.is_relative_to(site / sub):
            raise UsageError(f"refusing to write the site into {out_dir}: it is inside {sub}/")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out_dir} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UsageError(f"output folder {out_dir} is not empty and was not made by sitegen; "
                         "empty it or choose another with -o")


def check_untracked(out_dir: Path) -> None:
    """Refuse an output folder that git tracks: its files arrive with the content (a pull
    request can commit a marker and links to .git), and every build would replace them.

    One `git ls-files` call, made only when a folder above the output holds `.git`; without
    git, or when git fails, nothing is refused (the build trusts nothing of an old output)."""
    out = out_dir.resolve()
    if not any((folder / ".git").exists() for folder in out.parents):
        return
    try:
        found = subprocess.run(
            ["git", "--literal-pathspecs", "-C", str(out.parent), "ls-files", "-z", "--", out.name],
            capture_output=True, timeout=60, check=False, stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.SubprocessError):
        return
    if found.strip(b"\0"):
        first = found.split(b"\0")[0].decode("utf-8", "replace")
        raise UsageError(f"output folder {out_dir} is tracked by git ({first} is committed); sitegen "
                         f"replaces it on every build: untrack it with `git rm -r --cached "
                         f"{out.name}` and list it in .gitignore")


# What file managers leave in a folder that is opened (macOS Finder's view settings): not a
# user's file, dropped with the old output.
LITTER = frozenset({".DS_Store"})


def check_dot_entries(out_dir: Path, ours: set[str]) -> None:
    """Refuse an old output holding a dot entry that the build does not write (`ours`: what
    it writes, or wrote last time): nothing of an old output is carried into the new one
    (a link there could publish `.git`), and a user's `.git` or `.nojekyll` put there by
    hand must not vanish with the old output. Links are not refused, nor a file manager's
    litter (LITTER): dropping one loses nothing."""
    try:
        with os.scandir(out_dir.resolve()) as it:
            names = sorted(e.name for e in it if e.name.startswith(".") and e.name != MARKER
                           and e.name not in ours and e.name not in LITTER and not e.is_symlink())
    except OSError:
        return
    if names:
        advice = ("to publish it, put it in content/static/, otherwise move it away" if names[0] in PUBLISHED_DOTS
                  else "sitegen publishes no other hidden file than .nojekyll and .well-known/ (from "
                  "content/static/): move it away (a checkout to deploy from belongs outside the output)")
        raise UsageError(f"output folder {out_dir} holds {names[0]}, which this build does not write: "
                         f"the new output would not have it; {advice}")


def check_replaceable(out_dir: Path) -> None:
    """Refuse an output folder that is a mount point: it can never be swapped whole, and
    replacing its contents file by file would break the promise that a failed or killed
    build leaves the previous output as it was."""
    out = out_dir.resolve()
    try:
        mounted = out.is_dir() and (os.path.ismount(out) or os.stat(out).st_dev != os.stat(out.parent).st_dev)
    except OSError:
        return
    if mounted:
        raise BuildFault(mount_point_message(out_dir))


def mount_point_message(out_dir: Path) -> str:
    return (f"output folder {out_dir} is a mount point and cannot be replaced; "
            "build into a folder inside it or elsewhere with -o")


def safe_join(root: Path, rel: str) -> Path:
    """root/rel, refusing absolute paths, '..' and anything that would leave root."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or "\\" in rel or "\x00" in rel or not rel:
        raise UsageError(f"refusing to write outside the output folder: {rel!r}")
    return root / pure


class Spellings:
    """Which files of a folder tree, no longer written, are still other files than those that
    are: on a file system that ignores case or normalises names (macOS, Windows), `Logo.png`
    is `logo.png`, and removing the old name would remove the new file. `written`: the paths
    written (relative, with "/")."""

    def __init__(self, root: Path, written: Iterable[str]):
        self.root, self.written = root, written
        self.keys: set[str] | None = None
        self.listed: dict[str, set[str]] = {}

    def removable(self, rel: str) -> bool:
        """Whether the old path `rel` may be removed: no path written has its file-system key,
        or its folder lists it by exactly this name (then it is a file of its own: Linux)."""
        if self.keys is None:  # (made once, when a first file is to be removed)
            self.keys = {fs_key(path) for path in self.written}
        if fs_key(rel) not in self.keys:
            return True
        folder, _, name = rel.rpartition("/")
        if folder not in self.listed:
            try:
                self.listed[folder] = set(os.listdir(self.root / folder if folder else self.root))
            except OSError:
                self.listed[folder] = set()
        return name in self.listed[folder]


# -- the temporary folders beside the output ------------------------------------------------
def temp_path(out: Path, kind: str = "") -> Path:
    """This process's temporary folder beside `out` (kind "old-": the old output during a
    two-rename swap; "search-": where the search index is made)."""
    return out.parent / f".{out.name}.tmp-{kind}{os.getpid()}"


def stale_temps(out: Path) -> list[Path]:
    """Temporary folders of killed builds beside `out`, named exactly as temp_path names them
    (matched by name, never by a glob pattern: `out[1]` must not match `.out1.tmp-...`)."""
    prefix = f".{out.name}.tmp-"
    found = []
    try:
        with os.scandir(out.parent) as it:
            for entry in it:
                if entry.name.startswith(prefix):
                    rest = entry.name[len(prefix):].removeprefix("old-").removeprefix("search-")
                    if rest.isdigit() and rest.isascii() and entry.is_dir(follow_symlinks=False):
                        found.append(Path(entry.path))
    except OSError:
        return []
    return sorted(found)


def remove_tree(path: Path) -> None:
    """Delete a folder sitegen made (a temporary or old output tree), even one whose folders
    were made read-only; a link is removed, never followed."""
    if not os.path.lexists(path):
        return
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
        return
    shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):  # read-only folders inside: make them writable, then again
        for dirpath, dirnames, _ in os.walk(path):
            for name in dirnames:
                _writable(os.path.join(dirpath, name))
        _writable(str(path))
        shutil.rmtree(path, ignore_errors=True)


def _writable(folder: str) -> None:
    try:
        st = os.lstat(folder)
        if stat.S_ISDIR(st.st_mode):
            os.chmod(folder, stat.S_IMODE(st.st_mode) | stat.S_IRWXU)
    except OSError:
        pass


# -- one build at a time --------------------------------------------------------------------
try:
    import fcntl
except ImportError:  # (Windows)
    fcntl = None  # type: ignore[assignment]


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold `.<name>.lock` beside the output folder while building into it.

    With flock (POSIX) the lock ends with its process, so a killed build never leaves a lock
    that blocks; the file is removed on release. Elsewhere the file itself is the lock."""
    out = out_dir.resolve()
    path = out.parent / f".{out.name}.lock"
    out.parent.mkdir(parents=True, exist_ok=True)
    flock = fcntl is not None
    fd = _lock_flock(path, out_dir) if flock else _lock_file(path, out_dir)
    try:
        yield
    finally:
        # With flock, removed while held: the next build locks a new file. Without, closed
        # first: Windows deletes no file that is open, and the file left would block every
        # build after.
        if not flock:
            os.close(fd)
        try:
            os.unlink(path)
        except OSError:
            pass
        if flock:
            os.close(fd)


_LOCK_OPEN = (os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
              | getattr(os, "O_BINARY", 0))


def _lock_flock(path: Path, out_dir: Path) -> int:
    """The locked file's descriptor; BuildFault when another process holds it."""
    assert fcntl is not None
    while True:
        fd = os.open(path, _LOCK_OPEN, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder(fd)
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            raise BuildFault(f"another sitegen build{holder} is writing {out_dir}; wait for it to finish") from None
        try:  # the last holder may have removed the file between our open and flock
            same = os.fstat(fd).st_ino == os.stat(path, follow_symlinks=False).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _lock_file(path: Path, out_dir: Path) -> int:
    """The lock file made exclusively (without flock); BuildFault when it exists."""
    try:
        fd = os.open(path, _LOCK_OPEN | os.O_EXCL, 0o644)
    except FileExistsError:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            holder = _holder(fd)
            os.close(fd)
        except OSError:
            holder = ""
        raise BuildFault(f"another sitegen build{holder} is writing {out_dir}; wait for it, "
                         f"or remove {path} if no build runs") from None
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _holder(fd: int) -> str:
    """' (pid N)' from a lock file's text ('' when unreadable)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip() if hasattr(os, "pread") else ""
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {text})" if text.isdigit() else ""


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False when unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return bool(fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0)


def _rename_held(src: Path, dst: Path, tries: int = 20) -> None:
    """os.rename, tried again for up to a second on Windows, where a folder cannot be moved
    while a file in it is open (a virus scanner reading the files just written)."""
    for left in range(tries - 1 if os.name == "nt" else 0, -1, -1):
        try:
            os.rename(src, dst)
            return
        except PermissionError:
            if not left:
                raise
            time.sleep(0.05)


def swap(new: Path, out: Path) -> None:
    """Make `new` the output folder; the old output ends up at `new`. On failure both stay
    where they were; a mount point (which cannot be renamed) is a BuildFault."""
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        return
    old = temp_path(out, "old-")
    try:
        _rename_held(out, old)
    except OSError as exc:
        if exc.errno in (errno.EBUSY, errno.EXDEV):
            raise BuildFault(mount_point_message(out)) from None
        if isinstance(exc, PermissionError) and os.name == "nt":
            raise BuildFault(f"output folder {out} cannot be replaced while another program uses it (a "
                             "server or a terminal in it, a file open in an editor): close it and build "
                             "again; the previous output was left as it was") from None
        raise
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(old, out)
        raise
    os.rename(old, new)

