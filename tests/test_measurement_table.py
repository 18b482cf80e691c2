"""The indicator page's Measurements table (#18): a reader sees which part of the total each
number is. A disaggregated indicator's table has a column per dimension, named as its
breakdown table names it (the plan's labels, in French its translation's), and in each row
the category of that value, "Total" where the value is not broken down by that dimension;
an indicator without dimensions keeps its three columns."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from pathlib import Path

import pytest

from sitegen.i18n import words_for
from tests.sitekit import WITHOUT_RECORDS, dedent, make_site, run_sitegen

PLAN = dedent("""
    title: Measurements test plan
    start: 2018-01-01
    end: 2020-12-31
    areas:
      - id: protection
        title: Protection
        indicators:
          - id: victims-assisted
            title: Victims assisted
            unit: people
            target: 1000
            source: measurements
            dimensions:
              sex: [female, male]
              country: [AT, DE]
            dimension_labels:
              sex: Sex of the person assisted
              female: Women and girls
          - id: shelters
            title: Shelters opened
            target: 10
            source: measurements
    """)

PLAN_FR = dedent("""
    title: Plan de test des mesures
    areas:
      - id: protection
        title: Protection
        indicators:
          - id: victims-assisted
            title: Victimes assistées
            dimension_labels:
              sex: Sexe de la personne assistée
              female: Femmes et filles
          - id: shelters
            title: Refuges ouverts
    """)

# 300 and 220 are both parts of 2019's total; only the sex and country columns tell a
# reader which (and the 40 of 2019-06-30 is women in Austria)
VICTIMS = dedent("""
    indicator,date,value,sex,country,note
    victims-assisted,2019-06-30,40,female,AT,
    victims-assisted,2019-06-30,25,male,DE,
    victims-assisted,2019-12-31,520,,,annual total
    victims-assisted,2019-12-31,300,female,,
    victims-assisted,2019-12-31,220,male,,
    victims-assisted,2019-12-31,220,,AT,
    victims-assisted,2019-12-31,300,,DE,
    shelters,2019-12-31,4,,,
    """)

FILES: dict[str, str | None] = {
    **WITHOUT_RECORDS,
    "site.yaml": "title: T\nbase_url: https://example.org/t/\nas_of: 2019-12-31\nlanguages: [en, fr]\n",
    "content/plan.yaml": PLAN,
    "content/plan.fr.yaml": PLAN_FR,
    "content/measurements/victims.csv": VICTIMS,
    "content/pages/about.md": None,
}

# what a reader of each language should read for each key of the records
SHOWN = {
    "en": {"sex": "Sex of the person assisted", "country": "Country", "female": "Women and girls",
           "male": "Male", "AT": "Austria", "DE": "Germany", "": "Total"},
    "fr": {"sex": "Sexe de la personne assistée", "country": "Pays", "female": "Femmes et filles",
           "male": "Masculin", "AT": "Autriche", "DE": "Allemagne", "": "Total"},
}


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def measurements_table(page: str) -> tuple[list[str], list[list[str]]]:
    """The Measurements table of an indicator page: its column headers and its rows' cells."""
    found = re.search(r"<h2>[^<]*</h2>\s*<div class=\"table-scroll\"><table\b[^>]*>(.*?)</table>", page.split(
        'id="about-title"')[-1], re.S)
    assert found, "no measurements table"
    thead, tbody = found.group(1).split("</thead>", 1)
    columns = [text(th) for th in re.findall(r"<th\b[^>]*>(.*?)</th>", thead, re.S)]
    rows = [[text(td) for td in re.findall(r"<td\b[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr\b[^>]*>(.*?)</tr>", tbody, re.S)]
    return columns, rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("measurements")
    site = make_site(root / "site", FILES)
    run = run_sitegen("build", site, "-o", root / "out")
    assert run.returncode == 0, run.stderr
    return root / "out"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_measured_value_shows_the_categories_it_counts(built: Path, language: str) -> None:
    words = SHOWN[language]
    prefix = "" if language == "en" else "fr/"
    page = (built / prefix / "indicators/victims-assisted/index.html").read_text(encoding="utf-8")
    columns, rows = measurements_table(page)
    assert columns[1:3] == [words["sex"], words["country"]]
    records = [r for r in csv.DictReader(io.StringIO(VICTIMS)) if r["indicator"] == "victims-assisted"]
    assert len(rows) == len(records)
    said = words_for(language)
    for row, record in zip(rows, records):
        assert row[0] == said.date(dt.date.fromisoformat(record["date"]))  # (as the page writes dates)
        assert row[1:3] == [words[record["sex"]], words[record["country"]]], (row, record)
        assert float(row[3].replace(",", ".").replace("\u202f", "").replace("\xa0", "")) == float(record["value"])
    # the two 300s of 2019 are told apart: women and girls, and Germany
    threes = [row[1:3] for row in rows if row[0] == said.date(dt.date(2019, 12, 31)) and row[3] == "300"]
    assert threes == [[words["female"], words[""]], [words[""], words["DE"]]]


def test_the_categories_are_named_as_the_breakdown_tables_name_them(built: Path) -> None:
    page = (built / "indicators/victims-assisted/index.html").read_text(encoding="utf-8")
    _columns, rows = measurements_table(page)
    breakdown_rows = {text(th) for th in re.findall(r'<th scope="row">(.*?)</th>', page.split(
        'class="breakdown"')[1].split("</section>\n<p class=\"chart-csv\"")[0], re.S)}
    shown = {cell for row in rows for cell in row[1:3]} - {"Total"}
    assert shown and shown <= breakdown_rows, (shown, breakdown_rows)


def test_an_indicator_without_dimensions_keeps_its_three_columns(built: Path) -> None:
    page = (built / "indicators/shelters/index.html").read_text(encoding="utf-8")
    assert measurements_table(page) == (["Date", "Value", "Note"], [["31 Dec 2019", "4", ""]])
