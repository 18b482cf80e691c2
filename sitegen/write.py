"""Write a built site into a temporary folder and swap it into place atomically.

A failed or killed build never touches the previous output: everything is written to
`.<name>.tmp-<pid>` beside it, then the two folders are exchanged in one `renameat2`
call (Linux; elsewhere two renames). Top-level dotfiles of the old output (`.git`,
`.nojekyll`, ...) are carried over by hard links. An existing, non-empty output folder
that sitegen did not make is refused rather than deleted.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path, PurePosixPath

from .errors import UsageError

MARKER = ".sitegen"
_MARKER_TEXT = b"This folder is written by sitegen build; it is replaced on every build.\n"


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


def safe_join(root: Path, rel: str) -> Path:
    """root/rel, refusing absolute paths, '..' and anything that would leave root."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or "\\" in rel or "\x00" in rel or not rel:
        raise UsageError(f"refusing to write outside the output folder: {rel!r}")
    return root / pure


def _cleanup_stale(out: Path) -> None:
    """Remove temporary folders left by killed builds (they never held the live site)."""
    for path in out.parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(path, ignore_errors=True)


def write_tree(out_dir: Path, files: dict[str, bytes], copies: dict[str, Path]) -> Path:
    """Write `files` and copy `copies` (output path -> source file) into a new temp folder."""
    out = out_dir.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _cleanup_stale(out)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    made: set[Path] = set()
    for rel in sorted(files):
        path = safe_join(tmp, rel)
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        with open(path, "wb") as fh:
            fh.write(files[rel])
    for rel in sorted(copies):
        path = safe_join(tmp, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(copies[rel], path)
    (tmp / MARKER).write_bytes(_MARKER_TEXT)
    if out.is_dir():
        for entry in sorted(out.iterdir()):
            if entry.name.startswith(".") and entry.name != MARKER and not (tmp / entry.name).exists():
                _link_copy(entry, tmp / entry.name)
    return tmp


def _link_copy(src: Path, dst: Path) -> None:
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(str(src), str(dst))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False when unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_into_place(tmp: Path, out_dir: Path) -> None:
    """Make `tmp` the output folder; the old output is removed only after the swap."""
    out = out_dir.resolve()
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = out.parent / f".{out.name}.tmp-old-{os.getpid()}"
    os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
