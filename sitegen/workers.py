"""Forked worker processes whose death is noticed (multiprocessing.Pool waits forever for a
task whose worker died: a segmentation fault in a native library, os._exit, the OOM killer).

A task is a list (or range) of items. When a worker dies, its task is split in halves and
each half is tried again in a fresh worker, down to single items: the items that still kill
their worker are reported, and every other item is done as usual.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

T = TypeVar("T", bound=Sequence[Any])


def _serve(conn: Connection, fn: Callable[[Any], Any], parent_ends: list[Connection]) -> None:
    """A worker's loop: run `fn` on each task received, send back its result. It ends when
    the parent says so or is gone (a killed build leaves no worker behind)."""
    for end in parent_ends:  # (held here, they would keep the pipes open after the parent's death)
        end.close()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", fn(task))
        except Exception as exc:
            reply = ("raise", exc)
        try:
            conn.send(reply)
        except OSError:  # the parent is gone
            return


class Workers:
    """`count` processes forked now (so the parent may free what only the workers need),
    running `fn` over tasks given to run(). Workers forked later, to replace a dead one,
    are forked from the parent as it is then."""

    def __init__(self, fn: Callable[[Any], Any], count: int):
        self.fn = fn
        self.context = multiprocessing.get_context("fork")
        self.idle: list[tuple[Any, Connection]] = []
        self.busy: dict[Connection, tuple[Any, Any]] = {}
        self.count = max(1, count)
        for _ in range(self.count):
            self.idle.append(self._fork())

    def _fork(self) -> tuple[Any, Connection]:
        parent, child = self.context.Pipe()
        ends = [parent] + [c for _, c in self.idle] + list(self.busy)
        process = self.context.Process(target=_serve, args=(child, self.fn, ends), daemon=True)
        process.start()
        child.close()  # (the worker holds the only other end: its death is an EOF here)
        return process, parent

    def run(self, tasks: list[T], take: Callable[[Any], None],
            meanwhile: Callable[[], None] | None = None) -> list[Any]:
        """Give every task to a worker and each result to `take` as it comes (in any order);
        returns the items (of single-item tasks) whose worker died."""
        todo = list(reversed(tasks))
        busy = self.busy
        died: list[Any] = []
        while todo or busy:
            while todo and len(busy) < self.count:
                process, conn = self.idle.pop() if self.idle else self._fork()
                task = todo.pop()
                conn.send(task)
                busy[conn] = (process, task)
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            for ready in wait(list(busy)):
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
