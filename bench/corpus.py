#!/usr/bin/env python3
"""A deterministic generator of synthetic site folders in the SPEC format, for the benchmarks.

    python3 bench/corpus.py N DIR [--seed S] [--overwrite]

Writes a whole site folder into DIR, every record in the form of the records reference,
docs/records.md (the form `sitegen new` and hand-written records take):

* `site.yaml`: title, base_url, as_of (a fixed report date, so builds are reproducible);
* `content/plan.yaml`: a three-year plan with partners, activity types and seven areas
  (lead, colour, objectives), each with indicators of every source: a count of activities,
  a sum of participants filtered with `where`, `contributions` from activities, and
  `measurements`; some with milestones, three summing `participants.women`. Targets are
  set from the generated activities, so areas and indicators get every status;
* `content/areas/<id>.md`: a narrative per area; `content/pages/`: two free pages;
* `content/activities/YYYY/YYYY-MM-DD-<slug>.md`: N activities, front matter and a
  Markdown body of 150-600 words (headings, paragraphs, bullet and numbered lists, links,
  emphasis, quotes, some GFM tables). Most front matter is `key: value` lines and lists;
  about one record in five also has a nested mapping (`location`, `participants` as
  `{total, women, men}`, `outputs`, `contributes`), as hand-written records do;
* `content/measurements/`: quarterly values of the `measurements` indicators (CSV, and one
  YAML file); `content/reports/`: three annual reporting rounds.

Determinism: standard library only; the same N and seed give the same bytes. Record i comes
from its own random generator, seeded with (seed, i), and file-name collisions are resolved
in record order, so the activities of a corpus of N are the first N of any larger corpus
(the plan's targets, the measurements and the title of site.yaml depend on N).
Titles, partners and country codes are double-quoted (country codes must be: YAML reads a
bare NO as false); bodies hold no raw HTML and no template syntax.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import os
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

DEFAULT_SEED = 2017
PLAN_START, PLAN_END = dt.date(2017, 5, 17), dt.date(2020, 5, 16)
AS_OF = dt.date(2020, 3, 1)
BASE_URL = "https://example.org/progress/"

# id, title, lead, colour, topics of its activities, tags
AREAS: tuple[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("border-management", "Border management", "OSCE", "#0072B2",
     ("travel document checks", "risk analysis at crossing points", "passenger data",
      "green border patrols", "biometric screening", "joint border posts"),
     ("api-pnr", "biometrics", "risk-analysis", "documents")),
    ("counter-terrorism", "Counter-terrorism", "INTERPOL", "#E69F00",
     ("foreign terrorist fighters", "terrorist financing", "radicalisation in prisons",
      "protection of public spaces", "online propaganda", "battlefield evidence"),
     ("ftf", "financing", "p-cve", "soft-targets")),
    ("cybercrime", "Cybercrime", "OSCE", "#009E73",
     ("digital forensics", "cryptocurrency investigations", "ransomware response",
      "electronic evidence", "online child abuse material", "darknet markets"),
     ("e-evidence", "forensics", "crypto", "darknet")),
    ("organised-crime", "Organised crime", "INTERPOL", "#CC79A7",
     ("asset recovery", "money laundering", "witness protection", "joint investigation teams",
      "criminal intelligence analysis", "fugitive tracing"),
     ("asset-recovery", "aml", "intelligence", "fugitives")),
    ("trafficking", "Trafficking in human beings", "OSCE", "#56B4E9",
     ("victim identification", "labour exploitation", "national referral mechanisms",
      "online recruitment", "child trafficking", "financial investigations of trafficking"),
     ("victims", "nrm", "labour", "child-protection")),
    ("firearms", "Firearms and explosives", "INTERPOL", "#D55E00",
     ("firearms tracing", "stockpile security", "ballistic data exchange",
      "deactivation standards", "explosive precursors", "illicit arms trade online"),
     ("salw", "tracing", "ballistics", "precursors")),
    ("police-reform", "Police development", "OSCE", "#000000",
     ("community policing", "police ethics and integrity", "crime statistics",
      "human rights in policing", "gender mainstreaming in policing", "police training curricula"),
     ("community", "integrity", "statistics", "human-rights")),
)

TYPES = ("workshop", "training-course", "conference", "assessment", "tool", "meeting")
TYPE_WEIGHTS = (30, 26, 9, 9, 6, 20)
LABELS = {
    "workshop": ("Workshop", "Regional workshop", "National workshop", "Expert workshop"),
    "training-course": ("Training course", "Specialised training", "Train-the-trainer course",
                        "Advanced training course"),
    "conference": ("Conference", "High-level conference", "Annual meeting of experts"),
    "assessment": ("Needs assessment", "Assessment visit", "Gap analysis"),
    "tool": ("Handbook", "E-learning course", "Guidelines", "Reference manual"),
    "meeting": ("Coordination meeting", "Steering committee", "Round table", "Study visit"),
}

# City -> ISO 3166-1 alpha-2 code; NO (Norway) keeps the quoting of country codes honest.
CITIES = {
    "Vienna": "AT", "Tirana": "AL", "Sarajevo": "BA", "Podgorica": "ME", "Skopje": "MK",
    "Belgrade": "RS", "Chișinău": "MD", "Kyiv": "UA", "Tbilisi": "GE", "Yerevan": "AM",
    "Baku": "AZ", "Astana": "KZ", "Bishkek": "KG", "Dushanbe": "TJ", "Tashkent": "UZ",
    "Ulaanbaatar": "MN", "Oslo": "NO", "Lyon": "FR", "Warsaw": "PL", "Valletta": "MT",
    "Prishtinë": "XK", "Ohrid": "MK", "Almaty": "KZ", "Osh": "KG", "Lviv": "UA",
}
COUNTRIES = sorted(set(CITIES.values()) | {"DE", "IT", "ES", "SE", "FI", "RO", "BG", "HR",
                                           "SI", "SK", "CZ", "HU", "LT", "LV", "EE", "TR"})
# Beneficiary countries take part more often than the rest.
FOCUS = {"AL", "BA", "ME", "MK", "RS", "MD", "UA", "GE", "AM", "AZ", "KZ", "KG", "TJ", "UZ", "MN", "XK"}
COUNTRY_WEIGHTS = [5 if c in FOCUS else 1 for c in COUNTRIES]
REGIONS = {
    "Western Balkans": ("AL", "BA", "ME", "MK", "RS", "XK"),
    "Central Asia": ("KG", "KZ", "TJ", "UZ"),
    "Eastern Partnership": ("AM", "AZ", "GE", "MD", "UA"),
}
PARTNERS = ("UNODC", "Europol", "Frontex", "IOM", "CEPOL", "UNOCT", "SEESAC", "World Customs Organization",
            "UNDP", "ICMPD", "DCAF", "Council of Europe", "OSCE ODIHR", "European Union",
            "Ministry of Interior", "National Police Academy", "Prosecutor General's Office")
COMMON_TAGS = ("capacity-building", "gender", "cross-border", "legislation", "e-learning",
               "regional-cooperation", "human-rights", "good-practices", "youth", "data")

# Prose: who did what, to what, how.
WHO = ("Participants", "The trainers", "National experts", "Delegations", "Investigators",
       "Prosecutors", "Border officers", "Analysts", "The organisers", "Customs officers",
       "Representatives of civil society", "Heads of unit", "Officers from the regions")
DID = ("discussed", "reviewed", "analysed", "presented", "practised", "compared", "agreed on",
       "identified", "mapped", "assessed", "exchanged experience on", "drafted", "tested")
WHAT = ("national procedures", "recent cases", "the regional threat assessment", "good practices",
        "standard operating procedures", "ways to share information across borders",
        "the use of open sources", "the roles of each agency", "international standards",
        "the draft recommendations", "lessons from past operations", "gaps in legislation",
        "indicators for monitoring", "the training needs of front-line staff")
HOW = ("in working groups", "during a simulation exercise", "with international experts",
       "over two days", "in a table-top exercise", "on the basis of real cases",
       "with attention to gender", "in line with human rights standards",
       "for the next reporting period", "in the closing session", "", "", "")
LINKS = ("Moreover,", "In addition,", "As a result,", "At the same time,", "On the second day,",
         "Following the discussion,", "Finally,", "In particular,")
SECTIONS = ("Background", "Objectives", "Programme", "Participants", "Results", "Outcomes",
            "Follow-up", "Recommendations", "Lessons learned", "Next steps")


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (no quote or backslash inside: none of our texts has one)."""
    assert '"' not in text and "\\" not in text, text
    return f'"{text}"'


def slugify(text: str, limit: int = 60) -> str:
    """ASCII slug of `text`, cut at a hyphen before `limit` characters."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "activity"


# -- prose ------------------------------------------------------------------------------------
def sentence(r: Random, topic: str) -> str:
    words = [r.choice(WHO), r.choice(DID), r.choice(WHAT)]
    roll = r.random()
    if roll < 0.25:
        words.append(f"on {topic}")
    elif roll < 0.35:
        words.append(f"on *{topic}*")
    elif roll < 0.40:
        words.append(f"on **{topic}**")
    how = r.choice(HOW)
    if how:
        words.append(how)
    text = " ".join(words) + "."
    if r.random() < 0.2:
        text = f"{r.choice(LINKS)} {text[0].lower()}{text[1:]}"
    return text


def paragraph(r: Random, topic: str, low: int, high: int) -> str:
    return " ".join(sentence(r, topic) for _ in range(r.randint(low, high)))


def block(r: Random, rec: Record, table: bool = False) -> str:
    """One Markdown block of a body (not a heading); a table only when `table` allows it."""
    roll = r.random()
    if roll < 0.45:
        return paragraph(r, rec.topic, 2, 5)
    if roll < 0.60:
        items = [sentence(r, rec.topic)[:-1] for _ in range(r.randint(2, 6))]
        if r.random() < 0.65:
            return "\n".join(f"- {item}" for item in items)
        return "\n".join(f"{k}. {item}" for k, item in enumerate(items, 1))
    if roll < 0.70:
        partner = r.choice(PARTNERS)
        return (f"The [{partner}](https://example.org/partners/{slugify(partner)}/) shared its "
                f"material on {rec.topic}; the [report of the {rec.label.lower()}]"
                f"(https://example.org/reports/{rec.stem}.pdf) has the details. "
                + paragraph(r, rec.topic, 1, 2))
    if roll < 0.78 and table and rec.countries and rec.participants:
        rows = ["| Country | Participants | Women |", "| --- | ---: | ---: |"]
        left = max(rec.participants, len(rec.countries))
        for k, code in enumerate(rec.countries):
            rest = len(rec.countries) - k - 1
            n = left if rest == 0 else r.randint(1, max(1, (left - rest) // 2))
            left -= n
            rows.append(f"| {code} | {n} | {r.randint(0, n)} |")
        return "\n".join(rows)
    if roll < 0.86:
        return "> " + paragraph(r, rec.topic, 1, 2)
    return (f"The `{r.choice(COMMON_TAGS)}` approach ran through the sessions. "
            + paragraph(r, rec.topic, 1, 3))


def body(r: Random, rec: Record) -> str:
    """A body of 150-600 words: an opening paragraph, then sections of one to three blocks."""
    target = r.randint(150, 560)
    place = rec.city or "the region"
    if rec.type == "tool":
        opening = f"The {rec.label.lower()} on {rec.topic} was prepared with experts from {place}. "
    else:
        people = f"{rec.participants} participants" if rec.participants else "practitioners"
        opening = f"The {rec.label.lower()} in {place} brought together {people} working on {rec.topic}. "
    blocks = [opening + paragraph(r, rec.topic, 1, 3)]
    words = len(blocks[0].split())
    sections = list(SECTIONS)
    r.shuffle(sections)
    table = r.random() < 0.2  # at most one table per body
    for heading in sections:
        if words >= target:
            break
        level = "###" if r.random() < 0.15 and len(blocks) > 2 else "##"
        new = [f"{level} {heading}"] + [block(r, rec, table) for _ in range(r.choice((1, 2, 2, 3, 3, 4)))]
        table = table and not any(b.startswith("| ") for b in new)
        size = sum(len(b.split()) for b in new)
        if words + size > 600:
            new = new[:2]
            size = sum(len(b.split()) for b in new)
            if words + size > 600:
                break
        blocks += new
        words += size
    return "\n\n".join(blocks) + "\n"


# -- activities -------------------------------------------------------------------------------
@dataclass
class Record:
    """One generated activity, before it is written."""

    title: str
    areas: list[str]
    type: str
    status: str
    start: dt.date
    end: dt.date | None
    topic: str
    label: str
    countries: list[str]
    city: str = ""
    country: str = ""
    participants: int = 0
    women: int | None = None
    planned: tuple[dt.date, dt.date | None] | None = None
    partners: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)
    contributes: dict[str, int] = field(default_factory=dict)
    stem: str = ""
    body: str = ""


def make_record(seed: int, i: int) -> Record:
    """Activity i of the corpus of `seed` (its own generator: independent of N)."""
    r = Random(f"sitegen-bench/{seed}/{i}")
    area = AREAS[r.randrange(len(AREAS))]
    typ = r.choices(TYPES, TYPE_WEIGHTS)[0]
    topic, label = r.choice(area[4]), r.choice(LABELS[typ])
    if typ in ("assessment", "tool"):
        days = r.randint(20, 200) if r.random() < 0.8 else 0
    else:
        days = r.randint(1, 4) if r.random() < 0.6 else 0
    start = PLAN_START + dt.timedelta(days=r.randint(0, (PLAN_END - PLAN_START).days - days))
    end = start + dt.timedelta(days=days) if days else None
    n = r.choices((1, 2, 3, 4, 5, 6), (35, 20, 15, 12, 10, 8))[0]
    where = ""
    if r.random() < 0.25:
        region = r.choice(sorted(REGIONS))
        countries = sorted(REGIONS[region])[:n]
        where = f" for {region}"
    else:
        countries = []
        while len(countries) < n:
            code = r.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
            if code not in countries:
                countries.append(code)
    title = f"{label} on {topic}{where}"
    if r.random() < 0.12:
        title = f"{r.choice(('Phase II', 'Pilot', 'Follow-up', 'Module ' + str(r.randint(1, 4))))}: {title}"
    last = end or start
    if start > AS_OF:
        status = r.choices(("planned", "postponed", "cancelled"), (7, 2, 1))[0]
    elif last > AS_OF:
        status = r.choices(("in-progress", "postponed"), (85, 15))[0]
    else:
        status = r.choices(("completed", "cancelled", "postponed"), (88, 6, 6))[0]
    areas = [area[0]]
    if r.random() < 0.08:
        other = AREAS[r.randrange(len(AREAS))][0]
        if other != area[0]:
            areas.append(other)
    rec = Record(title[0].upper() + title[1:], areas, typ, status, start, end, topic, label, sorted(countries))
    # Held in one of its countries' cities, or at headquarters in Vienna.
    hosts = [city for city, code in sorted(CITIES.items()) if code in countries] or ["Vienna"]
    rec.city = r.choice(hosts) if typ != "tool" else ""
    if r.random() < 0.1 and rec.city:
        rec.country = CITIES[rec.city]
    if typ != "tool":
        rec.participants = r.randint(6, 30) + 4 * (n - 1) + (r.randint(30, 140) if typ == "conference" else 0)
        if r.random() < 0.1:
            rec.women = r.randint(0, rec.participants)
    shift = r.randint(30, 150)
    if r.random() < 0.08 and start - dt.timedelta(days=shift) >= PLAN_START:
        rec.planned = (start - dt.timedelta(days=shift), end - dt.timedelta(days=shift) if end else None)
    rec.partners = sorted(r.sample(PARTNERS, r.choices((0, 1, 2, 3), (25, 40, 25, 10))[0]))
    rec.tags = sorted(set(r.sample(area[5], r.randint(1, 2)) + r.sample(COMMON_TAGS, r.randint(0, 2))))
    rec.stem = slugify(rec.title)
    if status == "completed" and r.random() < 0.1:
        rec.outputs = [(f"Report of the {label.lower()}", f"https://example.org/reports/{rec.stem}.pdf")]
        if r.random() < 0.3:
            rec.outputs.append(("Presentations", f"https://example.org/files/{rec.stem}.zip"))
    if typ in ("assessment", "tool", "meeting") and r.random() < 0.25:
        rec.contributes = {f"{area[0]}-procedures": r.randint(1, 3)}
    rec.body = body(r, rec)
    return rec


def front_matter(rec: Record) -> str:
    lines = ["---", f"title: {quoted(rec.title)}"]
    if len(rec.areas) == 1:
        lines.append(f"area: {rec.areas[0]}")
    else:
        lines += ["area:"] + [f"  - {a}" for a in rec.areas]
    lines += [f"status: {rec.status}", f"start: {rec.start}"]
    if rec.end:
        lines.append(f"end: {rec.end}")
    if rec.planned:
        lines.append(f"planned_start: {rec.planned[0]}")
        if rec.planned[1]:
            lines.append(f"planned_end: {rec.planned[1]}")
    lines.append(f"type: {rec.type}")
    if rec.country:
        lines.append(f"location: {{city: {quoted(rec.city)}, country: {quoted(rec.country)}}}")
    lines += ["countries:"] + [f"  - {quoted(c)}" for c in rec.countries]
    if rec.participants and rec.women is not None:
        lines += ["participants:", f"  total: {rec.participants}", f"  women: {rec.women}",
                  f"  men: {rec.participants - rec.women}"]
    elif rec.participants:
        lines.append(f"participants: {rec.participants}")
    if rec.partners:
        lines += ["partners:"] + [f"  - {quoted(p)}" for p in rec.partners]
    lines += ["tags:"] + [f"  - {t}" for t in rec.tags]
    if rec.outputs:
        lines.append("outputs:")
        for title, url in rec.outputs:
            lines += [f"  - title: {quoted(title)}", f"    url: {url}"]
    if rec.contributes:
        lines += ["contributes:"] + [f"  {k}: {v}" for k, v in sorted(rec.contributes.items())]
    return "\n".join(lines + ["---", ""])


# -- the plan and the other records ---------------------------------------------------------
@dataclass
class Totals:
    """What the activities of an area add up to, for targets the corpus can reach (or miss)."""

    events: int = 0
    trained: int = 0
    women: int = 0
    procedures: int = 0


def nice(value: float) -> int:
    """A round target near `value` (two significant digits), at least 2."""
    if value < 10:
        return max(2, math.ceil(value))
    step = 10 ** (len(str(int(value))) - 2)
    return int(round(value / step) * step)


# How far each area's targets lie above what its activities reach: some areas end up achieved,
# some on track, at risk or off track.
AMBITION = (0.8, 1.0, 1.15, 1.3, 1.5, 1.05, 1.8)


def plan_yaml(totals: dict[str, Totals]) -> str:
    year1, year2 = dt.date(2018, 5, 17), dt.date(2019, 5, 17)
    out = ["title: Joint action plan on regional security cooperation 2017–2020 (synthetic)",
           "summary: |",
           "  A **synthetic plan** generated by `bench/corpus.py` for sitegen's benchmarks: seven",
           "  areas of cooperation between two organisations and their national counterparts.",
           "",
           "  None of its activities, figures or measurements is real.",
           f"start: {PLAN_START}", f"end: {PLAN_END}",
           "partners:",
           "  - {name: Organisation for Cooperation, url: https://example.org/organisation}",
           "  - {name: International Police Network, url: https://example.org/network}",
           "activity_types: [" + ", ".join(TYPES) + "]",
           "areas:"]
    for k, (area_id, title, lead, color, topics, _) in enumerate(AREAS):
        t = totals[area_id]
        ambition = AMBITION[k % len(AMBITION)]
        events, trained = nice(t.events * ambition), nice(t.trained * ambition)
        out += [f"  - id: {area_id}", f"    title: {title}",
                f"    summary: Cooperation on {topics[0]}, {topics[1]} and {topics[2]}.",
                f"    lead: {lead}", f'    color: "{color}"', "    objectives:",
                f"      - Train practitioners on {topics[0]} and {topics[3]}",
                f"      - Improve regional exchange on {topics[1]}",
                "    indicators:",
                f"      - id: {area_id}-events", "        title: Activities held", "        unit: activities",
                f"        target: {events}",
                f"        milestones: [{{date: {year1}, target: {nice(events * 0.3)}}}, "
                f"{{date: {year2}, target: {nice(events * 0.62)}}}]",
                f"      - id: {area_id}-trained", "        title: Practitioners trained", "        unit: people",
                f"        target: {trained}", "        sum: participants",
                "        where: {type: [training-course, workshop]}",
                f"      - id: {area_id}-procedures", "        title: Procedures adopted with support of the plan",
                "        unit: procedures", "        source: contributions",
                f"        target: {nice(t.procedures * ambition)}",
                f"      - id: {area_id}-coverage", f"        title: Share of units applying {topics[0]}",
                "        unit: '%'", f"        baseline: {10 + 3 * k}", f"        target: {60 + 4 * k}",
                "        source: measurements",
                "        description: Reported by the national focal points each quarter."]
        if k % 2 == 0:
            out += [f"      - id: {area_id}-women", "        title: Women among practitioners trained",
                    "        unit: people", f"        target: {nice(t.women * ambition)}",
                    "        sum: participants.women", "        where: {type: training-course}"]
    return "\n".join(out) + "\n"


def quarters() -> list[dt.date]:
    """Quarter ends from the plan's start to the report date."""
    out: list[dt.date] = []
    year, month = PLAN_START.year, 6
    while True:
        day = dt.date(year, month, 30 if month in (6, 9) else 31)
        if day > AS_OF:
            return out
        if day >= PLAN_START:
            out.append(day)
        year, month = (year + 1, 3) if month == 12 else (year, month + 3)


def measurements(seed: int) -> dict[str, str]:
    """File name -> text: quarterly values of each area's coverage indicator (CSV for most
    areas, one YAML file for two; the last area's surveys started late, in 2019)."""
    r = Random(f"sitegen-bench/{seed}/measurements")
    files: dict[str, str] = {}
    rows: list[tuple[str, dt.date, float, str]] = []
    for k, (area_id, *_rest) in enumerate(AREAS):
        base, target = 10 + 3 * k, 60 + 4 * k
        pace = (0.6, 1.0, 0.8, 1.2, 0.5, 0.9, 0.4)[k]
        for q, day in enumerate(quarters()):
            if k == len(AREAS) - 1 and day.year < 2019:
                continue
            share = min(1.0, pace * (q + 1) / 12)
            value = round(base + (target - base) * share + r.uniform(-2, 2), 1)
            note = r.choice(("", "", "", "survey of focal points", "estimate, to be confirmed",
                             "incl. regional units, partial returns"))
            rows.append((f"{area_id}-coverage", day, value, note))
    in_yaml = ("organised-crime-", "trafficking-")
    csv_rows = [row for row in rows if not row[0].startswith(in_yaml)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("indicator", "date", "value", "note"))
    writer.writerows((ind, day.isoformat(), value, note) for ind, day, value, note in csv_rows)
    files["focal-points.csv"] = buffer.getvalue()
    lines = ["# Values reported by the national focal points (synthetic)"]
    for ind, day, value, note in rows:
        if not ind.startswith(in_yaml):
            continue
        lines += [f"- indicator: {ind}", f"  date: {day}", f"  value: {value}"]
        if note:
            lines.append(f"  note: {quoted(note)}")
    files["surveys.yaml"] = "\n".join(lines) + "\n"
    return files


def reports() -> dict[str, str]:
    """File name -> text: one reporting round per plan year (the last still running)."""
    out = {}
    for year in range(3):
        start = PLAN_START.replace(year=PLAN_START.year + year)
        end = PLAN_START.replace(year=PLAN_START.year + year + 1) - dt.timedelta(days=1)
        ordinal = ("First", "Second", "Third")[year]
        out[f"year-{year + 1}.yaml"] = (
            f"title: {ordinal} annual report\nstart: {start}\nend: {end}\nnarrative: |\n"
            f"  The {ordinal.lower()} year of the plan in brief. Training remained the largest part of\n"
            "  the work, with **regional workshops** in every area.\n\n"
            "  - Needs assessments were followed up with national action plans.\n"
            "  - Handbooks and e-learning courses were translated into three languages.\n\n"
            "  *Synthetic data generated for benchmarks.*\n")
    return out


def area_text(r: Random, area: tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]) -> str:
    area_id, title, lead, _, topics, _ = area
    rec = Record(title, [area_id], "workshop", "completed", PLAN_START, None, topics[0], "area", [])
    parts = [f"---\ntitle: {quoted(title)}\n---",
             f"{lead} leads the work on {title.lower()}. " + paragraph(r, topics[0], 2, 4),
             "## Approach", paragraph(r, topics[1], 2, 4), block(r, rec),
             "## Partners", paragraph(r, topics[2], 1, 3)]
    return "\n\n".join(parts) + "\n"


PAGES = {
    "about.md": "---\ntitle: About this site\norder: 1\n---\n\nThis site reports a **synthetic** plan made "
                "by `bench/corpus.py` to measure sitegen.\nIts records are in the format of the product "
                "specification.\n\n## Data\n\nEvery figure is generated. See the "
                "[methodology](../methodology/).\n",
    "methodology.md": "---\ntitle: Methodology\norder: 2\n---\n\nIndicators count completed activities, sum "
                      "their participants, add the contributions\nactivities declare, or take the latest "
                      "measured value.\n\n| Source | Value |\n| --- | --- |\n| activities | count or sum |\n"
                      "| contributions | sum of `contributes` |\n| measurements | latest value |\n",
}


# -- writing ----------------------------------------------------------------------------------
def multilingual(site: Path, dest: Path, languages: list[str]) -> Path:
    """`dest`: the corpus at `site` with `languages:` in its site.yaml (its records hard-linked,
    untranslated), made on first use."""
    if not (dest / "site.yaml").exists():
        shutil.copytree(site / "content", dest / "content", copy_function=os.link)
        text = (site / "site.yaml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^language: .*\n", "", text) + f"languages: [{', '.join(languages)}]\n"
        (dest / "site.yaml").write_text(text, encoding="utf-8")
    return dest


def write_corpus(n: int, site: Path, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write a site folder with `n` activities into `site` (which should hold no content/):
    the same n and seed give the same bytes. Returns counts: activities, bytes of the
    activity files, other files."""
    content = site / "content"
    totals = {a[0]: Totals() for a in AREAS}
    used: set[str] = set()
    size = 0
    for i in range(n):
        rec = make_record(seed, i)
        stem, k = f"{rec.start}-{rec.stem}", 2
        name = stem
        while name in used:
            name, k = f"{stem}-{k}", k + 1
        used.add(name)
        data = (front_matter(rec) + "\n" + rec.body).encode("utf-8")
        folder = content / "activities" / str(rec.start.year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.md").write_bytes(data)
        size += len(data)
        if rec.status != "cancelled":
            for area_id in rec.areas:
                t = totals[area_id]
                t.events += 1
                if rec.type in ("training-course", "workshop"):
                    t.trained += rec.participants
                if rec.type == "training-course":
                    t.women += rec.women or 0
        for ind, value in rec.contributes.items():
            if rec.status != "cancelled":
                totals[ind.rsplit("-", 1)[0]].procedures += value
    r = Random(f"sitegen-bench/{seed}/texts")
    files = {
        "site.yaml": f"title: Synthetic plan, {n:,} activities\nbase_url: {BASE_URL}\nas_of: {AS_OF}\n",
        "content/plan.yaml": plan_yaml(totals),
        **{f"content/areas/{a[0]}.md": area_text(r, a) for a in AREAS},
        **{f"content/pages/{name}": text for name, text in PAGES.items()},
        **{f"content/measurements/{name}": text for name, text in measurements(seed).items()},
        **{f"content/reports/{name}": text for name, text in reports().items()},
    }
    for rel, text in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return {"activities": n, "activity_bytes": size, "other_files": len(files)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of activities (1,000 to 100,000 are typical)")
    ap.add_argument("dir", type=Path, help="site folder to write")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
    ap.add_argument("--overwrite", action="store_true",
                    help="replace DIR/content and DIR/site.yaml when they exist")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must not be negative")
    content = args.dir / "content"
    if content.exists() or (args.dir / "site.yaml").exists():
        if not args.overwrite:
            print(f"{args.dir} already holds a site (use --overwrite to replace its content/ and site.yaml)",
                  file=sys.stderr)
            return 2
        shutil.rmtree(content, ignore_errors=True)
        (args.dir / "site.yaml").unlink(missing_ok=True)
    made = write_corpus(args.n, args.dir, args.seed)
    print(f"wrote {made['activities']:,} activities ({made['activity_bytes'] / 1e6:.1f} MB) "
          f"and {made['other_files']} other files to {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
