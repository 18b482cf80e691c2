#!/usr/bin/env python3
"""Time and peak memory of hostile inputs (a benchmark, not a test; CI skips it).

    python3 bench/bench_hostile.py            # every input; exit 1 if one is over budget
    python3 bench/bench_hostile.py headings   # only the inputs whose name contains "headings"

Each input is made and handled in a forked child process, so a crash is reported (not
fatal) and the peak memory (ru_maxrss, from wait4) is that input's alone (it includes the
~40 MB of the interpreter and sitegen's modules). Budget: 2 s and 500 MB each (issue #14).

* alias bomb: billion-laughs YAML refused by yamlload.load.
* Markdown bodies rendered and sanitised by sitegen.markdown.render: the block nesting
  that crashed markdown-it-pyrs, nested emphasis, identical headings (100 KB, 200 KB,
  2 MB: the quadratic heading ids), raw HTML without end tags, long lines, and the
  round-one inputs (`[` x 20000, `*_` x 50000...).
* measurements: `sitegen check` on a site whose measurements CSV has 1,000,000 rows
  (the whole command, start-up included).
"""

from __future__ import annotations

import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen import markdown, yamlload  # noqa: E402

BUDGET_SECONDS, BUDGET_MB = 2.0, 500

ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
    for i in range(8))

MB2 = 2_000_000  # about the size limit of a record
# name -> a function making the body (called in the child: its memory counts there)
BODIES: dict[str, Callable[[], str]] = {
    "'> - ' x 30000 (crashed)": lambda: "> - " * 30_000,
    "'1. ' x 30000 (crashed)": lambda: "1. " * 30_000,
    "'> ' x 1000000 (2 MB)": lambda: "> " * 1_000_000,
    "nested list lines 2 MB": lambda: "".join(" " * (2 * (i % 900)) + "- a\n" for i in range(2200)),
    "'*' x 250k 'a' '*' x 250k": lambda: "*" * 250_000 + "a" + "*" * 250_000,
    "'*a ' x 20000 'b' ' a*' x 20000": lambda: "*a " * 20_000 + "b" + " a*" * 20_000,
    "headings 100 KB": lambda: "## Results\n\n" * 8_500,
    "headings 200 KB": lambda: "## Results\n\n" * 17_000,
    "headings 2 MB": lambda: "## Results\n\n" * (MB2 // 12),
    "headings '## a' 2 MB": lambda: "## a\n" * (MB2 // 5),
    "'<h2>' x 20000": lambda: "<h2>" * 20_000,
    "'<div>' + '<a ' x 20000": lambda: "<div>\n" + "<a " * 20_000,
    "long line 'a' 2 MB": lambda: "a" * MB2,
    "long line of words 2 MB": lambda: "word " * (MB2 // 5),
    "long table row 400 KB": lambda: "|a" * 100_000 + "\n" + "|-" * 100_000 + "\n" + "|b" * 100_000,
    "[ x 20000": lambda: "[" * 20_000,
    "[ x 2 MB": lambda: "[" * MB2,
    "*_ x 50000": lambda: "*_" * 50_000,
    "> x 5000": lambda: ">" * 5_000,
    "< x 50000": lambda: "<" * 50_000,
    "'- ' x 5000": lambda: "- " * 5_000 + "x",
    "` x 20000": lambda: "`" * 20_000,
}


def in_child(work: Callable[[], Any]) -> tuple[str, float, float]:
    """Run `work` (which returns the seconds it measured, or those and the peak memory in
    MB of what it measured) in a forked child: how it ended, the seconds and the peak
    memory in MB (the child's, unless `work` gave one)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            seconds = work()
            os.write(write, pickle.dumps(seconds))
            code = 0
        except BaseException as exc:  # reported by the parent
            os.write(write, pickle.dumps(repr(exc)[:200]))
            code = 3
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    _, status, usage = os.wait4(pid, 0)
    megabytes = usage.ru_maxrss / 1024
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}", 0.0, megabytes
    value = pickle.loads(data)
    if isinstance(value, str):
        return f"raised {value}", 0.0, megabytes
    if isinstance(value, tuple):
        value, megabytes = value
    return "ok", value, megabytes


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _render(make: Callable[[], str]) -> Callable[[], float]:
    def work() -> float:
        text = make()
        return _timed(lambda: markdown.render(text))
    return work


def _bomb() -> float:
    def refuse() -> None:
        try:
            yamlload.load(ALIAS_BOMB)
        except yamlload.YamlError:
            return
        raise RuntimeError("alias bomb was not refused")
    return _timed(refuse)


def _measurements(rows: int) -> Callable[[], float]:
    """`sitegen check` on a small site with a measurements CSV of `rows` rows, under the 20 MB
    file limit (the issue's 19 MB table: short ids, one row per indicator and day); the check
    must stop at the row limit (validate_measurements.MAX_MEASUREMENTS), not at the file size."""
    def work() -> float:
        sys.path.insert(0, str(REPO / "tests"))
        from tests.sitekit import make_site
        from tests.test_inputs_round2 import big_measurements
        with tempfile.TemporaryDirectory() as tmp:
            site = make_site(Path(tmp) / "site", big_measurements(rows))
            env = dict(os.environ, PYTHONPATH=str(REPO))
            started = time.perf_counter()
            run = subprocess.run([sys.executable, "-m", "sitegen", "check", str(site)], env=env,
                                 capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - started
            if "measurements in the site" not in run.stderr:
                raise RuntimeError(f"not stopped at the row limit: {run.stderr[-300:]}")
        # the command's own peak memory, not this child's (which made the CSV)
        return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return work


def main(argv: list[str]) -> int:
    only = argv[0] if argv else ""
    cases: list[tuple[str, Callable[[], Any]]] = [("alias bomb", _bomb)]
    cases += [(f"markdown {name}", _render(make)) for name, make in BODIES.items()]
    cases.append(("measurements CSV 1,000,000 rows (sitegen check)", _measurements(1_000_000)))
    over = 0
    print(f"{'input':<50} {'seconds':>8} {'peak MB':>8}")
    for name, work in cases:
        if only not in name:
            continue
        ended, seconds, megabytes = in_child(work)
        flag = "" if ended == "ok" and seconds < BUDGET_SECONDS and megabytes < BUDGET_MB else "  OVER BUDGET"
        if ended != "ok":
            flag = f"  {ended}"
        over += bool(flag)
        print(f"{name:<50} {seconds:8.2f} {megabytes:8.0f}{flag}", flush=True)
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
