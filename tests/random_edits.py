"""Seeded random edits of a generated site, for the tests that compare the preview and the
cached build with a full build after each (test_preview_random.py, test_cached_random.py):
bodies, statuses, titles, dates, areas, countries, participants (by sex too), measurements
broken down by sex and country, deletions, renames, new records, the plan, the settings, a
template."""

from __future__ import annotations

import os
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

AREAS = ("border-security", "counter-terrorism", "police-data", "fugitives", "human-trafficking")
COUNTRIES = ("AL", "AM", "AT", "DE", "GE", "MD", "RS", "UA")
STATUSES = ("planned", "in-progress", "completed", "postponed", "cancelled")
# Breakdowns (#18): the corpus's people-trained indicators by sex (from the participants'
# women and men), and one measured indicator by sex and country, from a CSV file.
MEASURED = ("      - {id: cases, title: Cases handled, unit: cases, target: 900, source: measurements,"
            " dimensions: {sex: [female, male], country: [AT, DE, RS]}}\n")
CASES = "content/measurements/cases.csv"


def with_breakdowns(site: Path) -> None:
    """The corpus with disaggregated indicators (a CSV of measurements by sex and country)."""
    edit_file(site / "content/plan.yaml", lambda t: t.replace(
        "where: {type: training-course}}", "where: {type: training-course}, dimensions: {sex: [women, men]}}")
        .replace("    indicators:\n", "    indicators:\n" + MEASURED, 1))
    (site / CASES).parent.mkdir(parents=True, exist_ok=True)
    (site / CASES).write_text("indicator,date,value,sex,country\ncases,2018-12-31,100,,\ncases,2018-12-31,60,female,\n"
                              "cases,2018-12-31,40,male,\ncases,2019-06-30,30,female,AT\n"
                              "cases,2019-06-30,20,male,DE\n", encoding="utf-8")


def record_files(site: Path) -> list[Path]:
    return sorted((site / "content/activities").rglob("*.md"))


def edit_file(path: Path, fn: Callable[[str], str]) -> None:
    path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")


def set_field(name: str, value: str) -> Callable[[str], str]:
    return lambda text: re.sub(rf"(?m)^{name}: .*$", f"{name}: {value}", text, count=1)


def random_edits(site: Path, rnd: random.Random) -> dict[str, Callable[[], None]]:
    """One random edit of each kind, on a random record (made when called)."""
    def record() -> Path:
        return rnd.choice(record_files(site))

    def day() -> str:
        return f"{rnd.randint(2017, 2020)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"

    def new_dates(text: str) -> str:
        start = day()
        text = re.sub(r"(?m)^end: .*\n", "", text)
        return set_field("start", start)(text)

    def countries(text: str) -> str:
        chosen = rnd.sample(COUNTRIES, rnd.randint(1, 3))
        listed = "countries:\n" + "".join(f'  - "{c}"\n' for c in chosen)
        return re.sub(r"(?m)^countries:\n(?:  - .*\n)*", listed, text, count=1)

    def rename() -> None:
        path = record()
        os.replace(path, path.with_name(f"renamed-{rnd.randint(0, 10**6)}.md"))

    def add() -> None:
        path = record()
        text = path.read_text(encoding="utf-8")
        new = path.with_name(f"new-{rnd.randint(0, 10**6)}.md")
        new.write_text(set_field("title", f'"New record {rnd.randint(0, 999)}"')(new_dates(text)), encoding="utf-8")

    def participants(text: str) -> str:
        total = rnd.randint(1, 400)
        if rnd.random() < 0.5:
            return set_field("participants", str(total))(text)
        women = rnd.randint(0, total)
        return set_field("participants", f"{{total: {total}, women: {women}, men: {rnd.randint(0, total - women)}}}")(text)

    def measurement(text: str) -> str:
        """A part's value changed, a row added (a part, or a total) or a row removed."""
        head, *rows = text.splitlines(keepends=True)
        what = rnd.choice(("value", "add", "remove") if rows else ("add",))
        if what == "add":
            sex, country = rnd.choice(("", "female", "male")), rnd.choice(("", "AT", "DE", "RS"))
            rows.insert(rnd.randint(0, len(rows)), f"cases,{day()},{rnd.randint(1, 90)},{sex},{country}\n")
        else:
            at = rnd.randrange(len(rows))
            cells = rows.pop(at).split(",")
            if what == "value":
                rows.insert(at, ",".join([*cells[:2], str(rnd.randint(1, 90)), *cells[3:]]))
        return head + "".join(rows)

    def plan(text: str) -> str:  # a title in the plan changed, or changed back
        if "title: Police data\n" in text:
            return text.replace("title: Police data", f"title: Police data {rnd.randint(0, 99)}", 1)
        return re.sub(r"title: Police data \d+", "title: Police data", text)

    def footer() -> None:
        folder = site / "templates"
        if folder.exists():
            shutil.rmtree(folder)
        else:
            folder.mkdir()
            (folder / "site_footer.html").write_text("<p>Footer of {{ config.title }}</p>\n", encoding="utf-8")

    return {
        "body": lambda: edit_file(record(), lambda t: t + f"\nMore text {rnd.randint(0, 999)}.\n"),
        "status": lambda: edit_file(record(), set_field("status", rnd.choice(STATUSES))),
        "title": lambda: edit_file(record(), set_field("title", f'"Retitled {rnd.randint(0, 999)}"')),
        "dates": lambda: edit_file(record(), new_dates),
        "area": lambda: edit_file(record(), set_field("area", rnd.choice(AREAS))),
        "countries": lambda: edit_file(record(), countries),
        "participants": lambda: edit_file(record(), participants),
        "measurement": lambda: edit_file(site / CASES, measurement),
        "type": lambda: edit_file(record(), set_field("type", rnd.choice(("workshop", "training-course", "meeting")))),
        "deletion": lambda: record().unlink(),
        "rename": rename,
        "new record": add,
        "plan": lambda: edit_file(site / "content/plan.yaml", plan),
        "settings": lambda: edit_file(site / "site.yaml", set_field("title", f"Plan {rnd.randint(0, 999)}")),
        "template": footer,
    }
