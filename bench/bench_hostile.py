#!/usr/bin/env python3
"""Timings of hostile inputs (a benchmark, not a test; CI skips it).

    python3 bench/bench_hostile.py            # median of 5 runs each

* alias bomb: billion-laughs YAML (9 levels x 9 aliases) refused by yamlload.load;
  the issue asks for under one second.
* pathological Markdown bodies rendered (and sanitised) by sitegen.markdown.render:
  `[` x 20000, `*_` x 50000, `>` x 5000, `<` x 50000, `- ` x 5000, backticks x 20000.
* peak memory (ru_maxrss) of this process after all of them.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen import markdown, yamlload  # noqa: E402

ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
    for i in range(8))

BODIES = {
    "[ x 20000": "[" * 20000,
    "*_ x 50000": "*_" * 50000,
    "> x 5000": ">" * 5000,
    "< x 50000": "<" * 50000,
    "'- ' x 5000": "- " * 5000 + "x",
    "` x 20000": "`" * 20000,
}


def median_time(fn, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _bomb() -> None:
    try:
        yamlload.load(ALIAS_BOMB)
    except yamlload.YamlError:
        return
    raise SystemExit("alias bomb was not refused")


def main() -> int:
    print(f"alias bomb refused in {median_time(_bomb) * 1000:.1f} ms")
    for name, body in BODIES.items():
        print(f"markdown {name:<14} {median_time(lambda: markdown.render(body)) * 1000:8.1f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
