"""The translation catalogues in sitegen/locales/ (one `<language>.po` each).

Every catalogue translates every message of sitegen.pot (each plural form of the language),
keeps each message's placeholders, has no fuzzy or obsolete entries, compiles, and declares
the plural rule Babel has for its language. And a reader of the example site built in French
sees French words, French dates and `<html lang="fr">`; Russian counts take their three forms.
"""

from __future__ import annotations

import gettext
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from sitegen import i18n
from tests.sitekit import REPO, run_sitegen

EXPECTED = {"ar", "de", "es", "fr", "it", "ru"}
CATALOGUES = sorted(i18n.LOCALES.glob("*.po"))
PRESENT = {path.stem for path in CATALOGUES}

_NAMED = re.compile(r"%\((\w+)\)s")  # %(count)s
_PLOTLY = re.compile(r"%\{[^}]*\}")  # %{customdata}: filled by Plotly, not by Python
# The number of a plural message: a form may leave it out only when that form stands for
# one number alone (Arabic's zero, one and two; Italian's one): "Un'attività".
_COUNTS = {"n", "count", "num"}


def _read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=path.stem)


@pytest.fixture(scope="module")
def template() -> Catalog:
    with i18n.POT.open("rb") as fh:
        return read_po(fh)


def _ids(message: Message) -> tuple[str, ...]:
    """The English message (singular and plural for a plural message)."""
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (str(message.id),)


def _key(message: Message) -> str:
    return _ids(message)[0]


def _forms(message: Message) -> tuple[str, ...]:
    """The translation, one string a plural form."""
    string = message.string
    return tuple(string) if isinstance(string, (tuple, list)) else (string or "",)


def _single_number_forms(catalog: Catalog) -> set[int]:
    """Indexes of the plural forms that only one number (0, 1 or 2...) takes."""
    rule = gettext.c2py(catalog.plural_expr)
    numbers: dict[int, set[int]] = {}
    for n in range(0, 2000):
        numbers.setdefault(rule(n), set()).add(n)
    return {form for form, ns in numbers.items() if len(ns) == 1}


def _percent_signs(text: str) -> int:
    """Literal and placeholder percent signs outside `%%`, `%(name)s` and Plotly's `%{...}`."""
    return _PLOTLY.sub("", _NAMED.sub("", text.replace("%%", ""))).count("%")


def test_every_expected_language_has_a_catalogue() -> None:
    assert EXPECTED <= PRESENT, f"missing catalogues: {sorted(EXPECTED - PRESENT)}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.stem)
def test_every_message_is_translated_and_none_is_fuzzy_or_obsolete(path: Path, template: Catalog) -> None:
    catalog = _read(path)
    assert not catalog.fuzzy, f"{path.name}: the header is marked fuzzy"
    assert not catalog.obsolete, f"{path.name}: obsolete entries {list(catalog.obsolete)[:5]}"
    wanted = {_key(m): m for m in template if m.id}
    have = {_key(m): m for m in catalog if m.id}
    lacking, extra = sorted(wanted.keys() - have.keys()), sorted(have.keys() - wanted.keys())
    assert not lacking, f"{path.name} lacks {lacking[:10]} (regenerate it from sitegen.pot)"
    assert not extra, f"{path.name} has messages sitegen.pot lacks: {extra[:10]}"
    untranslated, fuzzy, wrong_shape = [], [], []
    for key, message in have.items():
        if message.fuzzy:
            fuzzy.append(key)
        if message.pluralizable != wanted[key].pluralizable or message.id != wanted[key].id:
            wrong_shape.append(key)
        forms = _forms(message)
        if message.pluralizable and len(forms) != catalog.num_plurals:
            wrong_shape.append(key)
        if not all(form and form.strip() for form in forms):
            untranslated.append(key)
    assert not untranslated, f"{path.name}: untranslated {untranslated[:10]}"
    assert not fuzzy, f"{path.name}: fuzzy {fuzzy[:10]}"
    assert not wrong_shape, f"{path.name}: not as in sitegen.pot (plural or not, forms) {wrong_shape[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.stem)
def test_translations_keep_the_placeholders(path: Path) -> None:
    catalog = _read(path)
    alone = _single_number_forms(catalog)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = _ids(message)
        names = set().union(*(_NAMED.findall(text) for text in ids))
        plotly = sorted(_PLOTLY.findall(ids[0]))
        for index, form in enumerate(_forms(message)):
            found = set(_NAMED.findall(form))
            may_omit = names & _COUNTS if message.pluralizable and index in alone else set()
            if not names - may_omit <= found <= names:
                problems.append(f"{message.id!r} form {index}: {sorted(found)} for {sorted(names)}")
            if sorted(_PLOTLY.findall(form)) != plotly:
                problems.append(f"{message.id!r} form {index}: Plotly's %{{...}} changed")
            if form.count("%%") != ids[0].count("%%") or _percent_signs(form) != _percent_signs(ids[0]):
                problems.append(f"{message.id!r} form {index}: percent signs differ (a literal % is %% "
                                "in messages with values)")
            if names:
                try:
                    form % {name: "x" for name in names}
                except (ValueError, TypeError, KeyError) as exc:
                    problems.append(f"{message.id!r} form {index}: {exc}")
            # (whitespace a message begins or ends with joins it to its neighbours: " or "; a
            # language may add some: French puts a no-break space before a colon, ": " -> " : ")
            if (ids[0][:1].isspace() and not form[:1].isspace()) or (ids[0][-1:].isspace() and not form[-1:].isspace()):
                problems.append(f"{message.id!r} form {index}: leading or trailing space lost")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.stem)
def test_catalogue_compiles_with_babels_plural_rule(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "Plural-Forms:" in text, f"{path.name} has no Plural-Forms header"
    catalog = _read(path)
    # (as Babel reads the header, which write_po may wrap over two lines)
    assert dict(catalog.mime_headers)["Plural-Forms"] == Catalog(locale=path.stem).plural_forms
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    compiled = gettext.GNUTranslations(buffer)
    message = next(m for m in catalog if m.id and m.pluralizable)
    singular, plural = _ids(message)
    assert compiled.ngettext(singular, plural, 5) == _forms(message)[gettext.c2py(catalog.plural_expr)(5)]
    assert i18n.words_for(path.stem).language == path.stem  # the site takes it (not English)


# -- what a reader sees -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's example site built with `language: fr` (its output folder)."""
    if "fr" not in PRESENT:
        pytest.skip("no French catalogue")
    site = tmp_path_factory.mktemp("fr-site")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    for folder in ("content", "templates"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, site / folder)
    config = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(re.sub(r"(?m)^language: .*$", "language: fr", config), encoding="utf-8")
    out = site / "out"
    run = run_sitegen("build", site, "-o", out)
    assert run.returncode == 0, run.stderr
    return out


def test_the_french_dashboard_speaks_french(french: Path) -> None:
    page = (french / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in page
    assert ">Tableau de bord</a>" in page and ">Domaines</a>" in page and ">Chronologie</a>" in page
    assert "<h2>Avancement par domaine</h2>" in page and "<h2>Dernières activités</h2>" in page
    assert re.search(r'<span class="status status-on-track">en bonne voie</span>', page)
    assert re.search(r'<span class="n">\d+</span> activités terminées sur \d+', page)
    # the report date as CLDR writes it in French
    assert '<time datetime="2019-12-31">31 déc. 2019</time>' in page
    # a label and its text: a no-break space before the colon, as French writes it
    assert "Cadre de résultats</a>\u00a0: chaque indicateur" in page
    for english in ("Progress by area", "Latest activities", "on track</span>", "activities completed of"):
        assert english not in page, english


def _figures(page: str) -> dict[str, Any]:
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script type="application/json" id="([^"]+)-figure">(.*?)</script>', page, re.S)}


def test_french_charts_write_numbers_and_percentages_as_the_page_does(french: Path) -> None:
    """Chart text in French: percentages "80 %" on axes and in hover text (not "80%%"), values
    grouped "21 350" in summaries and on value axes (not "21350" nor "20k"), and an indicator's
    points hovered as "31 déc. 2019 : 95" (not Plotly's "(Dec 31, 2019, 95)")."""
    words = i18n.words_for("fr")
    page = (french / "index.html").read_text(encoding="utf-8")
    charts = _figures(page)
    progress = charts["dashboard-progress"]
    assert progress["layout"]["xaxis"]["ticksuffix"] == "\u00a0%"
    for trace in progress["data"]:
        # (with the French colon, as the page writes "Statut : ...": it was "%{y}: %{x}")
        assert trace["hovertemplate"] == "%{y}\u00a0: %{x}<extra>%{fullData.name}</extra>"
    records = next(f for k, f in charts.items() if k.endswith("pd-fingerprint-records"))
    assert records["layout"]["yaxis"]["tickformat"] == ",~r"
    assert f"{words.number(21350)} pour une cible" in page and "21350" not in re.sub(r"<script.*?</script>", "", page, flags=re.S)
    actual = records["data"][0]
    assert actual["hovertemplate"] == "%{customdata}<extra>%{fullData.name}</extra>"
    point = r"\d{1,2} [a-zéû.]+ \d{4}\u00a0: [\d\u202f]+"  # (a day, then a grouped number)
    assert all(re.fullmatch(point, text) for text in actual["customdata"]), actual["customdata"]


def test_french_pages_of_each_kind(french: Path) -> None:
    area = (french / "areas" / "firearms" / "index.html").read_text(encoding="utf-8")
    assert ">Activités par statut</h2>" in area and "<h2>Indicateurs</h2>" in area
    assert re.search(r"Statut\u00a0: <span class=\"status status-[a-z-]+\">", area)
    timeline = (french / "timeline" / "index.html").read_text(encoding="utf-8")
    assert "du 17 mai 2017 au 16 mai 2020" in timeline
    report = (french / "reports" / "2019" / "index.html").read_text(encoding="utf-8")
    assert "Période considérée\u00a0:" in report and "17 mai 2018" in report
    search = (french / "search" / "index.html").read_text(encoding="utf-8")
    assert "Rechercher dans le site" in search
    assert '"one":"{n} résultat pour «\u00a0{q}\u00a0».' in search  # the words the script shows


def test_russian_counts_take_their_three_forms() -> None:
    if "ru" not in PRESENT:
        pytest.skip("no Russian catalogue")
    words = i18n.words_for("ru")
    shown = {n: words.plural("%(n)s activity matches.", "%(n)s activities match.", n) for n in (1, 3, 5, 21, 22, 25)}
    assert len({shown[1], shown[3], shown[5]}) == 3, shown
    assert all(text.startswith(f"{n} ") or f" {n} " in text for n, text in shown.items()), shown
    # 21 takes the form of 1, 22 that of 3, 25 that of 5 (with their own number)
    for n, like in ((21, 1), (22, 3), (25, 5)):
        assert shown[n].replace(str(n), "#") == shown[like].replace(str(like), "#"), shown
    assert not re.search(r"[a-z]", shown[5]), shown


def test_french_filters_say_all_of_their_facet_and_one_day_is_no_range(french: Path) -> None:
    """Each filter's first option agrees with its facet ("Toutes les années", not "Année :
    Tous"); the rescheduled table writes a one-day activity's date once, not as a range from
    19 mars 2019 to 19 mars 2019."""
    listing = (french / "activities" / "index.html").read_text(encoding="utf-8")
    for option in ("Tous les domaines", "Tous les statuts", "Tous les types", "Tous les pays", "Toutes les années"):
        assert f'<option value="">{option}</option>' in listing, option
    timeline = (french / "timeline" / "index.html").read_text(encoding="utf-8")
    table = timeline.split("<h2>Activités reprogrammées", 1)[1] if "<h2>Activités reprogrammées" in timeline else timeline
    assert "<td>" in table
    assert not re.search(r"<td>([^<–]+) – \1</td>", table)


def test_french_punctuation_has_its_no_break_spaces() -> None:
    """French typography: a no-break space before ":", ";", "!", "?" and "»" and after "«" (a
    plain space let "Kirghizstan (KG)" end a line and ": 18 activités" begin the next)."""
    catalog = _read(i18n.LOCALES / "fr.po")
    plain = [(_key(message), form) for message in catalog if message.id for form in _forms(message)
             if re.search(r" [:;!?»]|« ", form)]
    assert not plain, plain
