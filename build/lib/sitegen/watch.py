"""Watch a site folder for changes that matter to a build (watchfiles, i.e. inotify on Linux).

Only site.yaml, content/, templates/ and locales/ count; hidden files and folders (editor temp
files, .git, .sitegen-cache), Emacs `#...#` files, editor backups (`~`, `.swp`, ...) and
output/ are ignored. Editors' atomic saves (write a temporary file, rename it over the
original) arrive as a change of the original name. Changes are grouped: a batch is
delivered once nothing changed for `step` ms (at most `debounce` ms after the first).
watchfiles looks every `step` ms and delivers when a look finds nothing new, so a save is
seen 1-2 steps after it: 10 ms steps keep that to ~15 ms on average (30 ms cost ~45 ms,
a quarter of the preview's budget), while the bursts of a save or a checkout (files
written microseconds to a few ms apart) still arrive as one batch; whatever arrives during
a rebuild is taken by the next one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .content import SOURCE_TOPS

IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".kate-swp", ".crdownload", ".part")
IGNORED_NAMES = ("4913",)  # vim's write test file
STEP_MS = 10
DEBOUNCE_MS = 400


def relevant(site_dir: Path) -> Callable[[Any, str], bool]:
    """A watchfiles filter: True for paths whose change can change the built site. A path is
    taken under the site folder as named or as resolved: macOS reports the real path of a
    folder reached through a symlink (/tmp is /private/tmp there)."""
    roots = tuple(dict.fromkeys((os.path.abspath(site_dir), os.path.realpath(site_dir))))

    def keep(_change: Any, path: str) -> bool:
        rel = next((rel for rel in (_relative(path, root) for root in roots) if not rel.startswith("../")), "")
        if rel not in ("site.yaml", *SOURCE_TOPS) and not rel.startswith(tuple(f"{top}/" for top in SOURCE_TOPS)):
            return False
        if any(part.startswith((".", "#")) for part in rel.split("/")):
            return False
        name = rel.rsplit("/", 1)[-1]
        return not (name.endswith(IGNORED_SUFFIXES) or name in IGNORED_NAMES)

    return keep


def _relative(path: str, root: str) -> str:
    """`path` relative to `root`, with "/" ("../" when not under it: on Windows, also on
    another drive)."""
    try:
        return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    except ValueError:
        return "../"


def watch(site_dir: Path, on_change: Callable[[set[str]], None], stop: threading.Event) -> None:
    """Call `on_change(paths)` for every batch of relevant changes until `stop` is set.

    `on_change` should only note the change (e.g. set an Event): the watcher must get back
    to waiting quickly so that changes made during a rebuild are not missed.
    """
    import watchfiles

    for changes in watchfiles.watch(site_dir, watch_filter=relevant(site_dir), debounce=DEBOUNCE_MS,
                                    step=STEP_MS, stop_event=stop, rust_timeout=500,
                                    yield_on_timeout=False, raise_interrupt=False,
                                    ignore_permission_denied=True):
        on_change({path for _kind, path in changes})
