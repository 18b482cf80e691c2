"""Breakdown labels (#16, #18): the names of an indicator's dimensions and categories as
readers see them. A site in English and French with two disaggregated indicators: one
labelled by the plan (`dimension_labels`) and translated in content/plan.fr.yaml, one
without labels of its own, which shows sitegen's words (in French, the site's own
locales/fr.po gives them here, standing in for sitegen's catalogue). The tables, the
selector and the charts (title, bars, hover) show the labels; the data files keep the
records' keys; a label of something the indicator does not declare is a located error."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.sitekit import WITHOUT_RECORDS, dedent, make_site, run_sitegen, where

PLAN = dedent("""
    title: Labels test plan
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
              country: Country of assistance
          - id: youth-reached
            title: Young people reached
            unit: people
            target: 500
            source: measurements
            dimensions:
              sex: [female, male, other]
    """)

PLAN_FR = dedent("""
    title: Plan de test des libellés
    areas:
      - id: protection
        title: Protection
        indicators:
          - id: victims-assisted
            title: Victimes assistées
            dimension_labels:
              sex: Sexe de la personne assistée
              female: Femmes et filles
          - id: youth-reached
            title: Jeunes atteints
    """)

VICTIMS = dedent("""
    indicator,date,value,sex,country,note
    victims-assisted,2019-12-31,500,,,
    victims-assisted,2019-12-31,300,female,,
    victims-assisted,2019-12-31,200,male,,
    victims-assisted,2019-12-31,180,,AT,
    victims-assisted,2019-12-31,320,,DE,
    """)

YOUTH = dedent("""
    - {indicator: youth-reached, date: 2019-12-31, value: 60, sex: female}
    - {indicator: youth-reached, date: 2019-12-31, value: 50, sex: male}
    - {indicator: youth-reached, date: 2019-12-31, value: 5, sex: other}
    """)

# sitegen's words for the usual categories, as a site's own catalogue gives them (the
# messages are sitegen's: docs/languages.md, "A site's own messages")
SITE_PO = "".join(f'msgid "{a}"\nmsgstr "{b}"\n\n' for a, b in (
    ("Female", "Féminin"), ("Male", "Masculin"), ("Other", "Autre")))

FILES: dict[str, str | None] = {
    **WITHOUT_RECORDS,
    "site.yaml": "title: T\nbase_url: https://example.org/t/\nas_of: 2019-12-31\nlanguages: [en, fr]\n",
    "content/plan.yaml": PLAN,
    "content/plan.fr.yaml": PLAN_FR,
    "content/measurements/victims.csv": VICTIMS,
    "content/measurements/youth.yaml": YOUTH,
    "content/pages/about.md": None,
    "locales/fr.po": SITE_PO,
}


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def breakdown(page: str) -> dict[str, dict[str, Any]]:
    """Each dimension's section (by its id, the dimension's key): its heading, the table's
    column header and row headers, the chart's title and its figure."""
    out = {}
    for dim, body in re.findall(r'<section class="breakdown-dimension" id="breakdown-(\w+)".*?>(.*?)</section>',
                                page, re.S):
        table = re.search(r'<table class="breakdown-table">(.*?)</table>', body, re.S)
        assert table, dim
        thead, tbody = table.group(1).split("</thead>", 1)
        figure = re.search(r'<script type="application/json" id="[\w-]+-figure">(.*?)</script>', body, re.S)
        assert figure, dim
        out[dim] = {
            "heading": text(re.search(r"<h3\b[^>]*>(.*?)</h3>", body, re.S).group(1)),  # type: ignore[union-attr]
            "column": text(re.findall(r"<th\b[^>]*>(.*?)</th>", thead, re.S)[0]),
            "rows": [text(th) for th in re.findall(r'<th scope="row">(.*?)</th>', tbody.split("<tfoot>")[0], re.S)],
            "chart": text(re.search(r'<h4 id="[\w-]+-title">(.*?)</h4>', body, re.S).group(1)),  # type: ignore[union-attr]
            "figure": json.loads(figure.group(1)),
        }
    return out


def options(page: str) -> list[str]:
    select = re.search(r'<select id="breakdown-select">(.*?)</select>', page, re.S)
    assert select
    return [text(o) for o in re.findall(r"<option\b[^>]*>(.*?)</option>", select.group(1), re.S)]


def bars(section: dict[str, Any]) -> list[str]:
    """The chart's category labels as Plotly draws them (a long one wrapped with <br>)."""
    trace = section["figure"]["data"][0]
    return [x.replace("<br>", " ") for x in trace["x"]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("labels")
    site = make_site(root / "site", FILES)
    run = run_sitegen("build", site, "-o", root / "out")
    assert run.returncode == 0, run.stderr
    assert not run.lines, run.stderr  # (no warning either: every label is known)
    return root / "out"


def page(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text(encoding="utf-8")


def test_the_english_page_shows_the_plans_labels_and_sitegens_words(built: Path) -> None:
    victims = breakdown(page(built, "indicators/victims-assisted"))
    sex, country = victims["sex"], victims["country"]
    assert sex["heading"] == sex["column"] == "Sex of the person assisted"
    assert sex["rows"] == ["Women and girls", "Male"]  # (male: no label of the plan's, sitegen's word)
    assert sex["chart"] == "Victims assisted by Sex of the person assisted"
    assert bars(sex) == ["Women and girls", "Male"]
    assert sex["figure"]["data"][0]["hovertemplate"].startswith("%{x}")  # (the hover shows the bar's label)
    assert country["heading"] == "Country of assistance" and country["rows"] == ["Austria", "Germany"]
    assert bars(country) == ["Austria", "Germany"]
    assert options(page(built, "indicators/victims-assisted")) == ["Sex of the person assisted",
                                                                   "Country of assistance"]
    youth = breakdown(page(built, "indicators/youth-reached"))["sex"]
    assert youth["heading"] == "Sex" and youth["rows"] == ["Female", "Male", "Other"]
    assert bars(youth) == ["Female", "Male", "Other"]
    # (sitegen's word for the dimension, in the sentence: "by sex", where the heading says "Sex")
    assert youth["chart"] == "Young people reached by sex"
    assert '<caption class="visually-hidden">Young people reached by sex' in page(built, "indicators/youth-reached")  # (its table's)


def test_the_french_page_shows_the_translations_labels_and_french_words(built: Path) -> None:
    victims = breakdown(page(built, "fr/indicators/victims-assisted"))
    sex, country = victims["sex"], victims["country"]
    assert sex["heading"] == sex["column"] == "Sexe de la personne assistée"
    assert sex["rows"] == ["Femmes et filles", "Masculin"]
    assert sex["chart"] == "Victimes assistées par Sexe de la personne assistée"
    assert bars(sex) == ["Femmes et filles", "Masculin"]
    # a label the translation leaves out keeps the plan's, as a title does; country names are CLDR's
    assert country["heading"] == "Country of assistance" and country["rows"] == ["Autriche", "Allemagne"]
    assert bars(country) == ["Autriche", "Allemagne"]
    youth = breakdown(page(built, "fr/indicators/youth-reached"))["sex"]
    assert youth["heading"] == youth["column"] == "Sexe"  # (sitegen's catalogue)
    assert youth["chart"].endswith(" par sexe"), youth["chart"]
    assert youth["rows"] == ["Féminin", "Masculin", "Autre"]  # (the site's catalogue)
    assert bars(youth) == ["Féminin", "Masculin", "Autre"]
    assert "female" not in json.dumps(youth["figure"]) and "Female" not in json.dumps(youth["figure"])


def test_the_data_files_keep_the_records_keys(built: Path) -> None:
    for prefix in ("", "fr/"):
        rows = list(csv.DictReader(io.StringIO(
            (built / f"{prefix}data/breakdowns/victims-assisted.csv").read_text(encoding="utf-8"))))
        assert {(r["dimension"], r["category"]) for r in rows} == {
            ("", ""), ("sex", "female"), ("sex", "male"), ("country", "AT"), ("country", "DE")}, prefix
        rows = list(csv.DictReader(io.StringIO(
            (built / f"{prefix}data/breakdowns/youth-reached.csv").read_text(encoding="utf-8"))))
        assert [r["category"] for r in rows if r["dimension"]] == ["female", "male", "other"], prefix
        package = json.loads((built / f"{prefix}data/datapackage.json").read_text(encoding="utf-8"))
        fields = {f["name"]: f for r in package["resources"] if r["path"] == "breakdowns/victims-assisted.csv"
                  for f in r["schema"]["fields"]}
        assert fields["dimension"]["constraints"]["enum"] == ["sex", "country"]
        # the chart's table holds the categories as the records write them
        chart = (built / f"{prefix}data/charts/breakdown-victims-assisted-sex.csv").read_text(encoding="utf-8")
        assert [r.split(",")[0] for r in chart.splitlines()[1:]] == ["female", "male"]


def test_a_label_of_nothing_declared_is_a_located_error(tmp_path: Path) -> None:
    plan = PLAN.replace("female: Women and girls", "femal: Women and girls").replace(
        "      dimensions:\n          sex: [female, male, other]",
        "      dimensions:\n          sex: [female, male, other]\n        dimension_labels: {gender: Gender}")
    plan += "      - id: shelters\n        title: Shelters\n        target: 5\n        source: measurements\n" \
            "        dimension_labels: {sex: Sex}\n"
    plan_fr = PLAN_FR.replace("female: Femmes et filles", "males: Hommes et garçons")
    site = make_site(tmp_path / "site", {**FILES, "content/plan.yaml": plan, "content/plan.fr.yaml": plan_fr})
    run = run_sitegen("check", site)
    assert run.returncode == 1
    line, col = where(plan, "femal:")
    assert (f"content/plan.yaml:{line}:{col}: error: 'femal' in 'dimension_labels' is neither a dimension nor "
            "a category of indicator 'victims-assisted' (did you mean 'female'?)") in run.errors, run.stderr
    line, col = where(plan, "gender:")
    assert any(e.startswith(f"content/plan.yaml:{line}:{col}: error: 'gender' in 'dimension_labels' is neither")
               for e in run.errors), run.stderr
    line, col = where(plan, "dimension_labels: {sex: Sex}")
    assert (f"content/plan.yaml:{line}:{col}: error: indicator 'shelters' has no dimensions to label "
            "(declare them first: dimensions: {name: [category, ...]})") in run.errors, run.stderr
    line, col = where(plan_fr, "males:")
    assert (f"content/plan.fr.yaml:{line}:{col}: error: 'males' in 'dimension_labels' is neither a dimension "
            "nor a category of indicator 'victims-assisted' (did you mean 'male'?)") in run.errors, run.stderr
    assert len(run.errors) == 4, run.stderr


def test_a_translation_labels_in_words_only(tmp_path: Path) -> None:
    plan_fr = PLAN_FR.replace("female: Femmes et filles", "female: [Femmes, Filles]")
    site = make_site(tmp_path / "site", {**FILES, "content/plan.fr.yaml": plan_fr})
    run = run_sitegen("check", site)
    assert run.returncode == 1
    line, col = where(plan_fr, "female:")
    assert [e for e in run.errors] == [
        f"content/plan.fr.yaml:{line}:{col}: error: 'female': expected text, got list"], run.stderr
