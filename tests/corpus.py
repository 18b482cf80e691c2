"""A deterministic generator of large sites in the SPEC format, for tests that need volume.

The tests must not depend on tools outside this repository, so this is our own small
version of a corpus generator: seven areas with count and sum indicators, and N activity
records (`content/activities/YYYY/YYYY-MM-DD-slug.md`, quoted titles and country codes)
whose Markdown bodies use headings, lists, links, emphasis, quotes and tables.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

AREAS = ("border-security", "counter-terrorism", "police-data", "fugitives",
         "human-trafficking", "illicit-drugs", "firearms")
TYPES = ("workshop", "training-course", "conference", "assessment", "tool", "meeting")
COUNTRIES = ("AL", "AM", "AT", "AZ", "BA", "BY", "DE", "GE", "KG", "KZ", "MD", "ME", "MK",
             "MN", "NO", "RS", "TJ", "TM", "UA", "UZ")
TOPICS = ("travel documents", "foreign terrorist fighters", "forensic data", "red notices",
          "victim identification", "precursor chemicals", "firearms tracing", "border patrols",
          "open sources", "financial investigations", "referral mechanisms", "biometrics")
WORDS = ("participants", "discussed", "national", "experts", "procedures", "practised",
         "cooperation", "international", "information", "exchange", "analysed", "cases",
         "drafted", "recommendations", "officers", "trainers", "presented", "standards")
START, END, AS_OF = dt.date(2017, 5, 17), dt.date(2020, 5, 16), dt.date(2020, 3, 1)


def _sentence(r: random.Random) -> str:
    words = [r.choice(WORDS) for _ in range(r.randint(8, 16))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _body(r: random.Random, topic: str, n: int) -> str:
    parts = [" ".join(_sentence(r) for _ in range(r.randint(3, 6)))]
    parts.append("\n".join(f"- {_sentence(r)}" for _ in range(r.randint(2, 4))))
    parts.append(f"Read the [report on {topic}](https://example.org/reports/{n}.pdf) and "
                 f"the **{topic}** guide. {_sentence(r)}")
    parts.append("## Follow-up\n\n" + " ".join(_sentence(r) for _ in range(r.randint(2, 5))))
    if n % 4 == 0:
        parts.append("| Item | Count |\n|---|---|\n" + "\n".join(
            f"| {r.choice(WORDS)} | {r.randint(1, 40)} |" for _ in range(3)))
    if n % 3 == 0:
        parts.append("> " + _sentence(r))
    return "\n\n".join(parts) + "\n"


def _plan() -> str:
    lines = ["title: Synthetic joint action plan", "summary: Generated for tests.",
             f"start: {START}", f"end: {END}", "partners:", "  - {name: Organisation A}",
             "  - {name: Organisation B}", "activity_types: [" + ", ".join(TYPES) + "]", "areas:"]
    for area in AREAS:
        title = area.replace("-", " ").capitalize()
        lines += [f"  - id: {area}", f"    title: {title}", f"    summary: Activities on {title.lower()}.",
                  "    indicators:",
                  f"      - {{id: {area}-events, title: Events held, unit: events, target: 400}}",
                  f"      - {{id: {area}-trained, title: People trained, unit: people, target: 5000,"
                  " sum: participants, where: {type: training-course}}"]
    return "\n".join(lines) + "\n"


def write_corpus(n: int, site: Path, seed: int = 2017) -> Path:
    """Write a site folder with `n` activities into `site` (same n and seed, same bytes)."""
    (site / "content").mkdir(parents=True, exist_ok=True)
    (site / "site.yaml").write_text(
        f"title: Synthetic plan\nbase_url: https://example.org/progress/\nas_of: {AS_OF}\n", encoding="utf-8")
    (site / "content/plan.yaml").write_text(_plan(), encoding="utf-8")
    span = (END - START).days
    used: set[str] = set()
    for i in range(n):
        r = random.Random(seed * 1_000_003 + i)
        topic = r.choice(TOPICS)
        typ = r.choice(TYPES)
        start = START + dt.timedelta(days=r.randrange(span))
        end = start + dt.timedelta(days=r.randint(0, 4)) if r.random() < 0.6 else None
        last = end or start
        status = ("completed" if r.random() < 0.9 else "cancelled") if last <= AS_OF else \
            ("in-progress" if start <= AS_OF else r.choice(("planned", "postponed")))
        countries = sorted(r.sample(COUNTRIES, r.randint(1, 4)))
        title = f"{typ.replace('-', ' ').capitalize()} on {topic} {i}"
        stem = f"{start}-{typ}-{topic.replace(' ', '-')}-{i}"
        assert stem not in used
        used.add(stem)
        front = ["---", f'title: "{title}"', f"area: {r.choice(AREAS)}", f"status: {status}",
                 f"start: {start}"] + ([f"end: {end}"] if end else []) + [
                 f"type: {typ}", "countries:"] + [f'  - "{c}"' for c in countries] + [
                 f"participants: {0 if typ == 'tool' else r.randint(6, 60)}", "tags:",
                 f"  - {topic.replace(' ', '-')}", "---", ""]
        folder = site / "content/activities" / str(start.year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{stem}.md").write_text("\n".join(front) + "\n" + _body(r, topic, i), encoding="utf-8")
    return site
