"""Worker processes whose death is noticed (multiprocessing.Pool waits forever for a task
whose worker died: a segmentation fault in a native library, os._exit, the OOM killer).

A task is a list (or range) of items. When a worker dies, its task is split in halves and
each half is tried again in a fresh worker, down to single items: the items that still kill
their worker are reported, and every other item is done as usual.

Workers get their state explicitly (`fn(state, task)`), never through module globals, so
they run with either start method: `fork` where the system has it (Linux: the workers share
the parent's memory, nothing is pickled), `spawn` elsewhere (macOS, Windows: the state is
pickled once, and those bytes sent to each worker). SITEGEN_START_METHOD=spawn (or fork)
chooses one.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any, TypeVar

T = TypeVar("T", bound=Sequence[Any])


def start_method() -> str:
    """The start method of worker processes: SITEGEN_START_METHOD when the system has it,
    else fork on Linux, else spawn."""
    methods = multiprocessing.get_all_start_methods()
    chosen = os.environ.get("SITEGEN_START_METHOD", "")
    if chosen in methods:
        return chosen
    return "fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn"


def worth_starting(count: int, forked: int, spawned: int) -> bool:
    """Whether `count` items (files to parse, pages to render) are enough for workers to
    save more than they cost: `forked` items with fork, `spawned` with spawn, whose workers
    each start a Python, import sitegen and are sent their state (measured on Linux with
    SITEGEN_START_METHOD=spawn, docs/performance.md: at 300 activities spawned workers made
    the build 1.8 times as slow as none)."""
    return count >= (forked if start_method() == "fork" else spawned)


class _Pickled:
    """The state of spawned workers, pickled once for all of them: multiprocessing pickles a
    process's arguments for each process it spawns (0.2 s per worker of the parent's time
    for the rendering state of a 10,000-activity site, 38 MB: 1.4 s more with 8 workers)."""

    def __init__(self, state: Any):
        self.data = bytes(ForkingPickler.dumps(state, pickle.HIGHEST_PROTOCOL))


def _serve(conn: Connection, fn: Callable[[Any, Any], Any], state: Any, parent_ends: list[Connection]) -> None:
    """A worker's loop: run `fn(state, task)` on each task received, send back its result. It
    ends when the parent says so or is gone (a killed build leaves no worker behind)."""
    for end in parent_ends:  # (held here, they would keep the pipes open after the parent's death)
        end.close()
    if isinstance(state, _Pickled):
        state = pickle.loads(state.data)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", fn(state, task))
        except Exception as exc:
            reply = ("raise", exc)
        try:
            conn.send(reply)
        except OSError:  # the parent is gone
            return


class Workers:
    """`count` processes started now (so the parent may free what only the workers need),
    running `fn(state, task)` over tasks given to run(). `fn` is a module-level function and,
    for spawn, `state` can be pickled. Workers started later, to replace a dead one, get
    `state` as it is then (`self.state`: the parent may replace it)."""

    def __init__(self, fn: Callable[[Any, Any], Any], state: Any, count: int, method: str | None = None):
        self.fn = fn
        self.state = state
        self.method = method or start_method()
        self.context: Any = multiprocessing.get_context(self.method)
        self.idle: list[tuple[Any, Connection]] = []
        self.busy: dict[Connection, tuple[Any, Any]] = {}
        self.count = max(1, count)
        shared = _Pickled(state) if self.method != "fork" else None  # (once for all of them)
        for _ in range(self.count):
            self.idle.append(self._fork(shared))

    def _fork(self, pickled: _Pickled | None = None) -> tuple[Any, Connection]:
        """A worker; a spawned one is sent `pickled`, else `self.state` pickled now (one that
        replaces a worker that died)."""
        parent, child = self.context.Pipe()
        # (a forked worker inherits the parent's ends of every pipe: it closes them; a spawned
        # one inherits nothing)
        ends = [parent] + [c for _, c in self.idle] + list(self.busy) if self.method == "fork" else []
        state = self.state if self.method == "fork" else pickled or _Pickled(self.state)
        process = self.context.Process(target=_serve, args=(child, self.fn, state, ends), daemon=True)
        process.start()
        child.close()  # (the worker holds the only other end: its death is an EOF here)
        return process, parent

    def run(self, tasks: list[T], take: Callable[[Any], None],
            meanwhile: Callable[[], bool | None] | None = None,
            wanted: Callable[[T], bool] | None = None) -> list[Any]:
        """Give every task to a worker and each result to `take` as it comes (in any order);
        returns the items (of single-item tasks) whose worker died. `meanwhile`, the parent's
        own work, is called whenever no result is waiting, until it returns a false value
        (a step at a time: a worker waits for its next task while a step runs); run returns
        after that too. `wanted` is asked about each task as its turn comes: a task it
        refuses (the parent did it meanwhile) is not given."""
        todo = list(reversed(tasks))
        busy = self.busy
        died: list[Any] = []
        more = meanwhile is not None
        while todo or busy or more:
            while todo and len(busy) < self.count:
                task = todo.pop()
                if wanted is not None and not wanted(task):
                    continue
                process, conn = self.idle.pop() if self.idle else self._fork()
                conn.send(task)
                busy[conn] = (process, task)
            if not busy and not more:
                continue  # (every task left was refused: nothing to wait for)
            ready_now = wait(list(busy), 0 if more else None)
            if not ready_now and meanwhile is not None:
                more = bool(meanwhile())
                continue
            for ready in ready_now:
                assert isinstance(ready, Connection)
                conn = ready
                process, task = busy.pop(conn)
                try:
                    status, value = conn.recv()
                except (EOFError, OSError):  # the worker died with the task
                    conn.close()
                    process.join()
                    if len(task) > 1:
                        half = len(task) // 2
                        todo += [task[half:], task[:half]]  # (taken first: a stack)
                    else:
                        died += list(task)
                    continue
                self.idle.append((process, conn))
                if status == "raise":
                    raise value
                take(value)
        return died

    def close(self) -> None:
        """Stop every worker (idle ones are told to stop; busy ones, after an error, are killed)."""
        for process, _ in self.busy.values():
            process.kill()
        for conn, (process, _) in self.busy.items():
            conn.close()
            process.join()
        self.busy = {}
        for _process, conn in self.idle:
            try:
                conn.send(None)
            except OSError:
                pass
            conn.close()
        for process, _ in self.idle:
            process.join(5)
            if process.exitcode is None:
                process.kill()
                process.join()
        self.idle = []

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
