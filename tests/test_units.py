"""An indicator's unit agrees with its number: `unit: {one: workshop, other: workshops}`
writes "1 workshop" and "4 workshops" on the pages, charts and descriptions, by the plural
rules of the language the unit is written in; a unit given as one text is written as is."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from sitegen.build import build
from sitegen.i18n import unit_form
from tests.sitekit import BASELINE, make_site, run_sitegen, where

PLAN = BASELINE["content/plan.yaml"].replace(
    "unit: workshops", "unit: {one: workshop, other: workshops}")


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _page(out: Path, path: str) -> str:
    return _text((out / path / "index.html").read_text(encoding="utf-8"))


def _built(tmp_path: Path, files: dict[str, str | None]) -> Path:
    """The output of a test site with `files` changed, built from nothing."""
    out = tmp_path / "out"
    build(make_site(tmp_path / "site", files), out, use_cache=False)
    return out


def test_the_form_follows_the_number(tmp_path: Path) -> None:
    out = _built(tmp_path, {"content/plan.yaml": PLAN})
    indicator = _page(out, "indicators/fa-workshops")
    assert "1 workshop" in indicator and "1 workshops" not in indicator
    assert "1 workshop; target 4" in _page(out, "areas")  # (it said "1 of 4 workshops": 4 is the target)
    head = (out / "indicators/fa-workshops/index.html").read_text(encoding="utf-8")
    assert "1 workshop against a target of 4 workshops." in head  # (the page's description)
    # a unit given as one text is written as it is, whatever the number
    assert "7 posts" in _page(out, "indicators/bs-posts")


def test_a_translation_chooses_by_its_own_rules_and_an_untranslated_unit_by_the_plans(tmp_path: Path) -> None:
    out = _built(tmp_path, {
        "site.yaml": BASELINE["site.yaml"].replace("language: en", "languages: [en, ru, fr]"),
        "content/plan.yaml": PLAN,
        "content/plan.ru.yaml": (
            "areas:\n  - id: firearms\n    indicators:\n      - id: fa-workshops\n"
            "        unit: {one: семинар, few: семинара, many: семинаров, other: семинаров}\n"),
    })
    russian = _page(out, "ru/indicators/fa-workshops")
    assert "1 семинар" in russian and "1 семинаров" not in russian
    # (the unit follows the value: one)
    assert "1 семинар; целевое значение 4" in _page(out, "ru/areas")
    french = (out / "fr/indicators/fa-workshops/index.html").read_text(encoding="utf-8")
    # not translated: the English form, marked as English, by the English rules
    assert re.search(r'1 <span lang="en" dir="ltr">workshop</span>', french), _text(french)[:400]


def test_an_indicator_without_a_value_says_so_then_gives_its_target(tmp_path: Path) -> None:
    out = _built(tmp_path, {"content/measurements/states.yaml": None})
    areas = _page(out, "areas")
    assert "States using the database : no value yet; target 20 States" in areas  # (it said "no value yet of 20 States")
    assert "no value yet of" not in areas


@pytest.mark.parametrize(("language", "value", "form"), [
    ("en", 0, "tools"), ("en", 1, "tool"), ("en", 1.0, "tool"), ("en", 1.5, "tools"), ("en", 2, "tools"),
    ("fr", 0, "outil"), ("fr", 1.5, "outil"), ("fr", 2, "outils"),
    ("ru", 1, "инструмент"), ("ru", 3, "инструмента"), ("ru", 5, "инструментов"), ("ru", 21, "инструмент"),
    ("ar", 2, "أداتان"), ("ar", 0, "أدوات"),  # (no 'zero' form given: 'other')
])
def test_the_rules_of_the_units_language(language: str, value: float, form: str) -> None:
    forms = {
        "en": (("one", "tool"),), "fr": (("one", "outil"),),
        "ru": (("one", "инструмент"), ("few", "инструмента"), ("many", "инструментов")),
        "ar": (("one", "أداة"), ("two", "أداتان")),
    }
    other = {"en": "tools", "fr": "outils", "ru": "инструмента", "ar": "أدوات"}[language]
    indicator = SimpleNamespace(unit=other, unit_forms=forms[language], unit_lang=language)
    assert unit_form(value, indicator, "en") == form
    # "" is the site's first language: an English unit chosen by English rules on any page
    english = SimpleNamespace(unit="tools", unit_forms=forms["en"], unit_lang="")
    assert (unit_form(0, english, "en"), unit_form(0, english, "fr")) == ("tools", "tool")
    assert unit_form(None, indicator, "en") == other


@pytest.mark.parametrize(("unit", "needle", "message"), [
    ("{one: workshop}", "{one", "missing required key 'other' in 'unit'"),
    ("{one: workshop, other: workshops, plural: workshops}", "plural", "unknown key 'plural' in 'unit'"),
    ("[workshop, workshops]", "unit: [workshop", "'unit': expected text, or forms by number such as {one: tool, "
                                            "other: tools}, got list"),
    ("{one: workshop, other: [a, b]}", "other", "'other': expected text, got list"),
])
def test_bad_forms_are_located(tmp_path: Path, unit: str, needle: str, message: str) -> None:
    plan = BASELINE["content/plan.yaml"].replace("unit: workshops", f"unit: {unit}")
    site = make_site(tmp_path / "site", {"content/plan.yaml": plan})
    run = run_sitegen("check", site)
    line, col = where(plan, needle)
    found = [x for x in run.lines if message in x]
    assert found, run.stdout + run.stderr
    assert found[0].startswith(f"content/plan.yaml:{line}:"), found[0]
    assert run.returncode == (0 if "unknown key" in message else 1), run.stdout
