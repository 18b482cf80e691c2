"""`sitegen check`: every kind of content error, located as `path:line:col: error: message`.

Each test writes a small site (the valid baseline of tests/sitekit.py with one file
changed), runs the real command in a subprocess and asserts the exact problem lines,
the exit status and that no traceback escaped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import pytest

from tests.sitekit import BASELINE, Run, dedent, front, make_site, run_sitegen, snapshot, where

ACT = "content/activities/zz-test.md"


def check(site: Path, *args: str) -> Run:
    run = run_sitegen("check", site, *args)
    assert "Traceback" not in run.stderr, run.stderr
    assert "Traceback" not in run.stdout, run.stdout
    return run


def errors_of(tmp_path: Path, files: dict[str, str | bytes | None]) -> list[str]:
    """Write the baseline plus `files`, run check, expect exit 1; the problem lines."""
    run = check(make_site(tmp_path / "site", files))
    assert run.returncode == 1, run.stderr
    return run.lines


def activity(yaml_text: str) -> dict[str, str]:
    return {ACT: front(yaml_text)}


def test_baseline_site_is_clean(tmp_path: Path) -> None:
    run = check(make_site(tmp_path / "site"))
    assert run.returncode == 0, run.stderr
    assert run.lines == []
    assert run.stderr.strip() == "0 errors, 0 warnings"


# -- missing required keys ------------------------------------------------------------------

@pytest.mark.parametrize("key", ["title", "area", "status", "start"])
def test_missing_required_key(tmp_path: Path, key: str) -> None:
    fields = {"title": "A meeting", "area": "firearms", "status": "completed", "start": "2019-01-10"}
    del fields[key]
    text = "".join(f"{k}: {v}\n" for k, v in fields.items())
    # The problem is located at the start of the front matter mapping (line 2: after '---').
    assert errors_of(tmp_path, activity(text)) == [
        f"{ACT}:2:1: error: missing required key '{key}' in an activity"]


def test_missing_keys_reported_together(tmp_path: Path) -> None:
    assert errors_of(tmp_path, activity("area: firearms\nstart: 2019-01-01\n")) == [
        f"{ACT}:2:1: error: missing required key 'status' in an activity",
        f"{ACT}:2:1: error: missing required key 'title' in an activity",
    ]


def test_a_misspelt_required_key_is_an_error_on_its_line(tmp_path: Path) -> None:
    """`stauts:` on line 4: the missing `status` is reported there (where a pull request's
    diff shows it), naming the misspelling, not on the front matter's first line."""
    text = "title: A meeting\narea: firearms\nstauts: completed\nstart: 2019-01-10\n"
    assert errors_of(tmp_path, activity(text)) == [
        f"{ACT}:4:1: error: missing required key 'status' in an activity (is 'stauts' a misspelling of 'status'?)",
        f"{ACT}:4:1: warning: unknown key 'stauts' in an activity (did you mean 'status'?)"]


# -- wrong types ----------------------------------------------------------------------------

def test_wrong_type_participants_text(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: completed
        start: 2019-01-10
        participants: many
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:1: error: 'participants': expected a number, got text 'many'"]


def test_wrong_type_title_boolean_has_quoting_hint(tmp_path: Path) -> None:
    files = activity("""
        title: yes
        area: firearms
        status: completed
        start: 2019-01-10
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:2:1: error: 'title': expected text, got boolean 'yes' "
        "(YAML reads yes/no/on/off/true/false as booleans; put the value in quotes)"]


def test_a_number_with_an_exponent_but_no_point_has_a_hint(tmp_path: Path) -> None:
    """YAML 1.1 reads 1e+3 (and 2E6) as text: the error says how to write it."""
    files = activity("""
        title: A workshop
        area: firearms
        status: completed
        start: 2019-01-10
        contributes: {fa-experts: 1e3}
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:15: error: 'fa-experts': expected a number, got text '1e3' (YAML reads 1e3 as text: write 1.0e+3)"]


def test_country_no_read_as_boolean_has_hint(tmp_path: Path) -> None:
    files = activity("""
        title: Oslo meeting
        area: firearms
        status: completed
        start: 2019-01-10
        countries: [SE, NO]
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:17: error: 'countries': expected text items, got boolean 'NO' "
        "(YAML reads yes/no/on/off/true/false as booleans; put the value in quotes)"]


# -- unknown references and enum values -----------------------------------------------------

def test_unknown_area_did_you_mean(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: border-secruity
        status: completed
        start: 2019-01-10
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:3:1: error: unknown area 'border-secruity' (did you mean 'border-security'?)"]


def test_unknown_area_in_list_is_located_at_the_item(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area:
          - firearms
          - firarms
        status: completed
        start: 2019-01-10
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:5:5: error: unknown area 'firarms' (did you mean 'firearms'?)"]


def test_unknown_indicator_in_contributes(tmp_path: Path) -> None:
    files = activity("""
        title: A workshop
        area: firearms
        status: completed
        start: 2019-01-10
        contributes: {fa-expert: 3}
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:15: error: unknown indicator 'fa-expert' (did you mean 'fa-experts'?)"]


def test_contributes_to_indicator_of_another_source(tmp_path: Path) -> None:
    files = activity("""
        title: A workshop
        area: firearms
        status: completed
        start: 2019-01-10
        contributes:
          bs-trained: 3
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:7:3: error: indicator 'bs-trained' has source 'activities', not 'contributions'"]


def test_unknown_type_lists_the_plans_types(tmp_path: Path) -> None:
    files = activity("""
        title: A seminar
        area: firearms
        status: completed
        start: 2019-01-10
        type: seminar
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:1: error: unknown activity type 'seminar' (known: meeting, training-course, workshop)"]


def test_unknown_type_near_miss(tmp_path: Path) -> None:
    files = activity("""
        title: A workshop
        area: firearms
        status: completed
        start: 2019-01-10
        type: worksop
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:1: error: unknown activity type 'worksop' (did you mean 'workshop'?)"]


def test_unknown_status_did_you_mean(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: complete
        start: 2019-01-10
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:4:1: error: unknown status 'complete' (did you mean 'completed'?)"]


# -- dates ----------------------------------------------------------------------------------

def test_invalid_date(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: completed
        start: 2019-02-30
        """)
    assert errors_of(tmp_path, files) == [f"{ACT}:5:1: error: 'start': 2019-02-30 is not a real date"]


def test_unpadded_date(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: completed
        start: 2019-01-01
        end: 2019-1-5
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:1: error: 'end': date expected as YYYY-MM-DD, got '2019-1-5'"]


def test_end_before_start(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: completed
        start: 2019-02-10
        end: 2019-02-01
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:1: error: 'end' (2019-02-01) is before 'start' (2019-02-10)"]


def test_plan_end_before_start(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"].replace("end: 2020-12-31", "end: 2017-12-31")
    line, _ = where(plan, "end: 2017")
    assert errors_of(tmp_path, {"content/plan.yaml": plan}) == [
        f"content/plan.yaml:{line}:1: error: 'end' (2017-12-31) is before 'start' (2018-01-01)"]


# -- countries and counts -------------------------------------------------------------------

def test_invalid_country_code(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: completed
        start: 2019-02-10
        location: {city: Nowhere, country: XX}
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:27: error: 'country': unknown country code 'XX' (use ISO 3166-1 alpha-2, e.g. AT)"]


def test_lower_case_country_code_hints_upper_case(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: completed
        start: 2019-02-10
        countries: [DE, at]
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:17: error: 'countries': unknown country code 'at' (did you mean 'AT'?)"]


def test_a_country_name_or_the_eus_code_hints_the_iso_code(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: completed
        start: 2019-02-10
        countries: [Germany, UK, EL, Atlantis]
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:13: error: 'countries': unknown country code 'Germany' (did you mean 'DE'?)",
        f"{ACT}:6:22: error: 'countries': unknown country code 'UK' (did you mean 'GB'?)",
        f"{ACT}:6:26: error: 'countries': unknown country code 'EL' (did you mean 'GR'?)",
        f"{ACT}:6:30: error: 'countries': unknown country code 'Atlantis' (use ISO 3166-1 alpha-2, e.g. AT)"]


def test_a_number_in_quotes_hints_to_remove_them(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"].replace("target: 4", 'target: "4"', 1)
    line, col = where(plan, '"4"')
    assert errors_of(tmp_path, {"content/plan.yaml": plan}) == [
        f"content/plan.yaml:{line}:{col - len('target: ')}: error: 'target': expected a number, got text '4' "
        "(write the number without quotes: quoted, it is text)"]


def test_negative_participants(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: completed
        start: 2019-02-10
        participants: -3
        """)
    assert errors_of(tmp_path, files) == [f"{ACT}:6:1: error: 'participants' must not be negative, got -3"]


def test_negative_women_in_participants(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: completed
        start: 2019-02-10
        participants:
          total: 10
          women: -1
        """)
    assert errors_of(tmp_path, files) == [f"{ACT}:8:3: error: 'women' must not be negative, got -1"]


# -- duplicates -----------------------------------------------------------------------------

def test_duplicate_activity_ids_name_both_files(tmp_path: Path) -> None:
    other = "content/activities/2019/firearms-workshop.md"
    files = {other: front("title: Another\narea: firearms\nstatus: completed\nstart: 2019-02-10\n")}
    assert errors_of(tmp_path, files) == [
        "content/activities/firearms-workshop.md:2:1: error: duplicate activity id 'firearms-workshop': "
        f"also used by {other}:2 (set a unique 'id:' in one of them)"]


def test_duplicate_id_between_markdown_and_yaml_list(tmp_path: Path) -> None:
    listing = BASELINE["content/activities/list.yaml"] + dedent("""
        - id: firearms-workshop
          title: Same id as a Markdown record
          area: firearms
          status: completed
          start: 2019-03-01
        """)
    line, col = where(listing, "id: firearms-workshop")
    lines = errors_of(tmp_path, {"content/activities/list.yaml": listing})
    assert len(lines) == 1
    assert lines[0].startswith("content/activities/list.yaml:")
    assert "duplicate activity id 'firearms-workshop'" in lines[0]
    assert "content/activities/firearms-workshop.md:2" in lines[0]


def test_duplicate_yaml_key_is_reported_at_the_second_key(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: completed
        start: 2019-02-10
        status: planned
        """)
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:1: error: duplicate key 'status' (first defined on line 4)"]


def test_duplicate_key_in_plan_yaml(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"].replace(
        "        unit: posts\n", "        unit: posts\n        unit: crossing points\n")
    line, col = where(plan, "unit: crossing points")
    first, _ = where(plan, "unit: posts")
    assert errors_of(tmp_path, {"content/plan.yaml": plan}) == [
        f"content/plan.yaml:{line}:{col}: error: duplicate key 'unit' (first defined on line {first})"]


def test_duplicate_area_id(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"] + (
        "  - id: firearms\n"
        "    title: Firearms again\n"
        "    indicators:\n"
        "      - {id: fa-other, title: Other, target: 3}\n")
    first, _ = where(plan, "- id: firearms")
    line, col = where(plan, "id: firearms", 2)
    assert errors_of(tmp_path, {"content/plan.yaml": plan}) == [
        f"content/plan.yaml:{line}:{col}: error: duplicate area id 'firearms' (first defined on line {first})"]


# -- measurements ---------------------------------------------------------------------------

def test_measurement_for_unknown_indicator_csv_row_line(tmp_path: Path) -> None:
    csv_text = "indicator,date,value,note\nbs-posts,2018-12-31,4,x\nbs-post,2019-12-31,7,y\n"
    assert errors_of(tmp_path, {"content/measurements/posts.csv": csv_text}) == [
        "content/measurements/posts.csv:3:1: error: measurement for unknown indicator 'bs-post' "
        "(did you mean 'bs-posts'?)"]


def test_measurement_csv_row_after_multiline_note(tmp_path: Path) -> None:
    csv_text = ('indicator,date,value,note\nbs-posts,2018-12-31,4,"a note\nover two lines"\n'
                "bs-pots,2019-12-31,7,y\n")
    assert errors_of(tmp_path, {"content/measurements/posts.csv": csv_text}) == [
        "content/measurements/posts.csv:4:1: error: measurement for unknown indicator 'bs-pots' "
        "(did you mean 'bs-posts'?)"]


def test_measurement_for_unknown_indicator_yaml(tmp_path: Path) -> None:
    text = dedent("""
        - indicator: fa-states
          date: 2019-06-30
          value: 14
        - indicator: fa-state
          date: 2019-07-30
          value: 15
        """)
    assert errors_of(tmp_path, {"content/measurements/states.yaml": text}) == [
        "content/measurements/states.yaml:4:3: error: measurement for unknown indicator 'fa-state' "
        "(did you mean 'fa-states'?)"]


def test_measurement_for_activities_sourced_indicator(tmp_path: Path) -> None:
    csv_text = "indicator,date,value,note\nbs-trained,2018-12-31,4,x\n"
    assert errors_of(tmp_path, {"content/measurements/posts.csv": csv_text}) == [
        "content/measurements/posts.csv:2:1: error: indicator 'bs-trained' has source 'activities'; "
        "measurements are only used with source: measurements"]


def test_measurement_bad_value_and_date_in_csv(tmp_path: Path) -> None:
    csv_text = "indicator,date,value,note\nbs-posts,2018-13-01,4,x\nbs-posts,2019-12-31,seven,y\n"
    assert errors_of(tmp_path, {"content/measurements/posts.csv": csv_text}) == [
        "content/measurements/posts.csv:2:10: error: 'date': 2018-13-01 is not a real date",
        "content/measurements/posts.csv:3:21: error: 'value': expected a number, got text 'seven'",
    ]


def test_a_csv_saved_with_semicolons_says_so(tmp_path: Path) -> None:
    """A spreadsheet set to a language that writes decimal commas saves "a;b;c"."""
    csv_text = "indicator;date;value;note\nbs-posts;2018-12-31;4;x\n"
    assert errors_of(tmp_path, {"content/measurements/posts.csv": csv_text}) == [
        "content/measurements/posts.csv:1:1: error: CSV header must be 'indicator,date,value,note' (missing: "
        "indicator, date, value) (the columns are separated by ';': save it as CSV with commas between the columns)"]


def test_measurement_csv_columns_count_quotes(tmp_path: Path) -> None:
    # Quoted cells (with a comma or an escaped quote in them) are longer in the file than
    # their values: each problem still points at its cell.
    csv_text = ('indicator,date,value,note\n"bs-posts","2018-13-01",4,x\n'
                '"bs-posts",2019-12-31,"sev,en",y\n"a ""quoted"" note",bs-posts,2020-01-01,3\n'
                'bs-posts,2020-02-01,"multi\nline",9,\n')
    lines = errors_of(tmp_path, {"content/measurements/posts.csv": csv_text})
    assert lines[:3] == [
        "content/measurements/posts.csv:2:12: error: 'date': 2018-13-01 is not a real date",
        "content/measurements/posts.csv:3:23: error: 'value': expected a number, got text 'sev,en'",
        "content/measurements/posts.csv:4:1: error: measurement for unknown indicator "
        "'a \"quoted\" note' (known: bs-posts, bs-trained, fa-experts, fa-states, fa-workshops)",
    ]
    # after the escaped quotes: the date cell starts at column 21, the value at 30
    assert lines[3:] == [
        "content/measurements/posts.csv:4:21: error: 'date': date expected as YYYY-MM-DD, got 'bs-posts'",
        "content/measurements/posts.csv:4:30: error: 'value': expected a number, got text '2020-01-01'",
        "content/measurements/posts.csv:5:1: error: row has 5 cells, the header has 4",
    ]


def test_two_measurements_on_one_date_warn(tmp_path: Path) -> None:
    # Across files too: the value used (the later in path and line order) is the one warned.
    files = {"content/measurements/posts.csv": "indicator,date,value,note\nbs-posts,2018-12-31,4,a\n"
             "bs-posts,2019-12-31,7,b\n",
             "content/measurements/z-more.csv": "indicator,date,value\nbs-posts,2019-12-31,9\n"}
    run = check(make_site(tmp_path / "site", files))
    assert run.returncode == 0, run.stderr
    assert run.lines == [
        "content/measurements/z-more.csv:2:1: warning: 'bs-posts' is measured twice on 2019-12-31 "
        "(also at content/measurements/posts.csv:3); this value is the one used"]
    strict = check(tmp_path / "site", "--strict")
    assert strict.returncode == 1


# -- files that cannot be read --------------------------------------------------------------

def test_non_utf8_file(tmp_path: Path) -> None:
    raw = b"---\ntitle: Caf\xe9 meeting\narea: firearms\nstatus: completed\nstart: 2019-01-01\n---\n"
    assert errors_of(tmp_path, {ACT: raw}) == [
        f"{ACT}:2:11: error: file is not UTF-8 (byte 0xe9 at offset 14) (save the file as UTF-8)"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    path = site / "content/activities/planned-meeting.md"
    path.chmod(0)
    try:
        run = check(site)
    finally:
        path.chmod(0o644)
    assert run.returncode == 1
    assert run.lines == ["content/activities/planned-meeting.md: error: cannot read file: Permission denied"]


def test_dangling_symlink_is_an_unreadable_file(tmp_path: Path) -> None:
    # Runs as root too (where chmod 000 does not stop reading): a link to nothing.
    site = make_site(tmp_path / "site")
    (site / "content/activities/gone.md").symlink_to("no-such-file.md")
    run = check(site)
    assert run.returncode == 1
    assert len(run.lines) == 1
    assert run.lines[0].startswith("content/activities/gone.md: error: ")


def test_invalid_yaml_is_located(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: [firearms
        status: completed
        start: 2019-01-01
        """)
    lines = errors_of(tmp_path, files)
    assert len(lines) == 1
    assert lines[0].startswith(f"{ACT}:")
    assert ": error: invalid YAML: " in lines[0]


# -- unknown keys, --strict, formats --------------------------------------------------------

UNKNOWN_KEY = activity("""
    title: A meeting
    area: firearms
    status: planned
    start: 2020-02-10
    venue: Vienna
    """)


def test_unknown_key_is_a_warning(tmp_path: Path) -> None:
    run = check(make_site(tmp_path / "site", UNKNOWN_KEY))
    assert run.returncode == 0, run.stderr
    assert run.lines == [f"{ACT}:6:1: warning: unknown key 'venue' in an activity"]
    assert run.stderr.splitlines()[-1] == "0 errors, 1 warning"


def test_unknown_key_near_miss_hint(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: firearms
        status: planned
        start: 2020-02-10
        partcipants: 12
        """)
    run = check(make_site(tmp_path / "site", files))
    assert run.returncode == 0
    assert run.lines == [
        f"{ACT}:6:1: warning: unknown key 'partcipants' in an activity (did you mean 'participants'?)"]


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    run = check(make_site(tmp_path / "site", UNKNOWN_KEY), "--strict")
    assert run.returncode == 1
    assert run.lines == [f"{ACT}:6:1: error: unknown key 'venue' in an activity"]


def test_format_github(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: border-secruity
        status: completed
        start: 2019-01-10
        """)
    run = check(make_site(tmp_path / "site", files), "--format", "github")
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        f"::error file={ACT},line=3,col=1::unknown area 'border-secruity' (did you mean 'border-security'?)"]


def test_format_github_warning(tmp_path: Path) -> None:
    run = check(make_site(tmp_path / "site", UNKNOWN_KEY), "--format", "github")
    assert run.returncode == 0
    assert run.stdout.splitlines() == [f"::warning file={ACT},line=6,col=1::unknown key 'venue' in an activity"]


def test_format_json(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: border-secruity
        status: complete
        start: 2019-01-10
        """)
    run = check(make_site(tmp_path / "site", files), "--format", "json")
    assert run.returncode == 1
    assert run.json() == [
        {"path": ACT, "line": 3, "column": 1, "severity": "error",
         "message": "unknown area 'border-secruity'", "hint": "did you mean 'border-security'?"},
        {"path": ACT, "line": 4, "column": 1, "severity": "error",
         "message": "unknown status 'complete'", "hint": "did you mean 'completed'?"},
    ]


def test_any_script_is_written_whatever_the_encoding_of_the_pipe(tmp_path: Path) -> None:
    """A pipe on Windows is cp1252 (as PYTHONIOENCODING=cp1252 makes it here): JSON and
    GitHub annotations go out in UTF-8, the text report with escapes, never a traceback."""
    import subprocess
    import sys

    from tests.sitekit import REPO
    site = make_site(tmp_path / "site", activity("""
        title: Встреча
        area: граница
        status: completed
        start: 2019-01-10
        """))
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONIOENCODING="cp1252")
    runs = {form: subprocess.run([sys.executable, "-m", "sitegen", "check", str(site), "--format", form],
                                 capture_output=True, env=env, timeout=120, check=False)
            for form in ("json", "github", "text")}
    for form, done in runs.items():
        assert done.returncode == 1, (form, done.stderr)
        assert b"Traceback" not in done.stderr, done.stderr
    assert json.loads(runs["json"].stdout.decode("utf-8"))[0]["message"] == "unknown area 'граница'"
    assert "unknown area 'граница'" in runs["github"].stdout.decode("utf-8")
    assert "unknown area '\\u0433\\u0440" in runs["text"].stderr.decode("ascii")


@pytest.mark.parametrize("title, line, hint", [
    ("Workshop: first steps", "mapping values are not allowed in this context",
     'put the whole value in quotes: title: "Workshop: first steps"'),
    ("[draft] First workshop", "did not find expected key",
     'put the whole value in quotes: title: "[draft] First workshop"'),
    ('"Border" management course', "did not find expected key",
     "put the whole value in quotes: title: '\"Border\" management course'"),
])
def test_the_commonest_yaml_slips_say_what_to_write(tmp_path: Path, title: str, line: str, hint: str) -> None:
    files = activity(f"""
        title: {title}
        area: border-security
        status: completed
        start: 2019-01-10
        """)
    run = check(make_site(tmp_path / "site", files), "--format", "json")
    assert run.returncode == 1
    assert [(p["line"], p["message"], p["hint"]) for p in run.json()] == [(2, f"invalid YAML: {line}", hint)]


@pytest.mark.parametrize("slip, line, column, message, hint", [
    # (YAML fails on the next line, the next item's or key's, and quoting that line is no cure)
    ("countries: [AT, DE\nparticipants: {total: 34, women: 10}", 6, 12,
     "the '[' opened here is not closed on its line (YAML reads on into line 7 and fails there)",
     "end the list with ']' on this line"),
    ("participants: {total: 34, women: 10\ncountries: [AT, DE]", 6, 15,
     "the '{' opened here is not closed on its line (YAML reads on into line 7 and fails there)",
     "end the mapping with '}' on this line"),
    ("status:completed", 4, 7, "no space after 'status:': YAML reads 'status:completed' as one word",
     "write a space after the colon: status: completed"),
])
def test_a_slip_yaml_notices_a_line_below_is_placed_where_it_is(
        tmp_path: Path, slip: str, line: int, column: int, message: str, hint: str) -> None:
    keys = ["title: Workshop", "area: border-security", "status: completed", "start: 2019-01-10"]
    if slip.startswith("status"):
        keys[2] = slip
    else:
        keys.append(slip)
    files = activity("\n".join(keys) + "\n")
    run = check(make_site(tmp_path / "site", files), "--format", "json")
    assert run.returncode == 1
    assert [(p["line"], p["column"], p["message"], p["hint"]) for p in run.json()] == [
        (line, column, f"invalid YAML: {message}", hint)]


def test_a_key_indented_too_far_is_said_to_be(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"]
    at = plan.index("\n", plan.index("  - id: border-security")) + 1
    run = check(make_site(tmp_path / "site", {"content/plan.yaml": plan[:at] + "  " + plan[at:]}), "--format", "json")
    assert run.returncode == 1
    got = run.json()
    assert len(got) == 1 and got[0]["message"] == "invalid YAML: mapping values are not allowed in this context"
    assert got[0]["hint"] == "indent each key as the other keys of its mapping, and quote a value holding ': '"


def test_format_json_clean_site_is_an_empty_list(tmp_path: Path) -> None:
    run = check(make_site(tmp_path / "site"), "--format", "json")
    assert run.returncode == 0
    assert json.loads(run.stdout) == []


# -- usage errors: exit 2 -------------------------------------------------------------------

def test_nonexistent_folder_is_a_usage_error(tmp_path: Path) -> None:
    run = check(tmp_path / "nope")
    assert run.returncode == 2
    assert "no such site folder" in run.stderr


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    run = check(make_site(tmp_path / "site"), "--bogus")
    assert run.returncode == 2
    assert "unrecognized arguments: --bogus" in run.stderr


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    run = check(make_site(tmp_path / "site"), "--format", "xml")
    assert run.returncode == 2


def test_missing_plan(tmp_path: Path) -> None:
    run = check(make_site(tmp_path / "site", {"content/plan.yaml": None}))
    assert run.returncode == 1
    assert "content/plan.yaml: error: missing plan: create content/plan.yaml" in run.lines[0]


# -- encodings and line endings -------------------------------------------------------------

def _variant(transform: Callable[[str], bytes]) -> dict[str, bytes]:
    return {rel: transform(text) for rel, text in BASELINE.items()}


def test_an_upper_case_md_suffix_is_a_record_as_any(tmp_path: Path) -> None:
    """x.MD (as some editors and Windows tools save it) is read as x.md: its front matter was
    read as plain YAML, "found another document"."""
    rel = "content/activities/firearms-workshop.md"
    lower = make_site(tmp_path / "lower")
    upper = make_site(tmp_path / "upper", {rel: None, rel[:-3] + ".MD": BASELINE[rel]})
    for site in (lower, upper):
        run = check(site)
        assert (run.returncode, run.lines) == (0, []), run.stderr
        assert run_sitegen("build", site).returncode == 0
    a, b = snapshot(lower / "output"), snapshot(upper / "output")
    assert "activities/firearms-workshop/index.html" in b
    assert a.keys() == b.keys()
    assert b["activities/firearms-workshop/index.html"] == a["activities/firearms-workshop/index.html"].replace(
        b"firearms-workshop.md", b"firearms-workshop.MD")


def test_bom_and_crlf_are_accepted_and_build_identically(tmp_path: Path) -> None:
    lf = make_site(tmp_path / "lf")
    crlf = make_site(tmp_path / "crlf", _variant(
        lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode("utf-8")))
    for site in (lf, crlf):
        run = check(site)
        assert run.returncode == 0, run.stderr
        assert run.lines == []
        build = run_sitegen("build", site)
        assert build.returncode == 0, build.stderr
    a, b = snapshot(lf / "output"), snapshot(crlf / "output")
    assert sorted(a) == sorted(b)
    for rel in a:
        assert a[rel] == b[rel], rel


def test_crlf_errors_have_the_same_lines(tmp_path: Path) -> None:
    text = front("title: A meeting\narea: border-secruity\nstatus: completed\nstart: 2019-01-10\n")
    crlf = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    assert errors_of(tmp_path, {ACT: crlf}) == [
        f"{ACT}:3:1: error: unknown area 'border-secruity' (did you mean 'border-security'?)"]


# -- YAML is data, not code -----------------------------------------------------------------

def test_python_tag_is_refused_and_not_run(tmp_path: Path) -> None:
    files = activity("""
        title: !!python/object/apply:os.system ["touch PWNED"]
        area: firearms
        status: completed
        start: 2019-01-10
        """)
    site = make_site(tmp_path / "site", files)
    run = run_sitegen("check", site, cwd=tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.lines == [
        f"{ACT}:2:8: error: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' "
        "(content is data, not code)"]
    build = run_sitegen("build", site, cwd=site)
    assert build.returncode == 1
    assert not (tmp_path / "PWNED").exists()
    assert not (site / "PWNED").exists()
    assert not (site / "output").exists()


# -- THE acceptance test: ten mistakes in five files, one run ----------------------------------

def test_ten_mistakes_in_five_files_give_ten_located_errors(tmp_path: Path) -> None:
    plan = (BASELINE["content/plan.yaml"]
            .replace("        where: {type: workshop}\n",
                     "        where: {type: workshop}\n        source: activitys\n")
            .replace("    summary: Borders and crossing points.\n",
                     "    summary: Borders and crossing points.\n    color: blue\n"))
    a = front("""
        title: A meeting
        area: border-secruity
        status: completed
        start: 2019-02-30
        """)
    b = front("""
        title: Another meeting
        area: firearms
        status: complete
        start: 2019-03-01
        countries: [DE, at]
        """)
    listing = dedent("""
        - id: no-title
          area: firearms
          status: completed
          start: 2019-05-01
        - id: negative
          title: Negative count
          area: firearms
          status: completed
          start: 2019-05-02
          participants: -5
        """)
    csv_text = dedent("""
        indicator,date,value,note
        bs-post,2019-06-30,5,typo in the indicator
        bs-posts,2019-13-01,6,no such month
        """)
    files = {"content/plan.yaml": plan, "content/activities/a.md": a, "content/activities/b.md": b,
             "content/activities/list.yaml": listing, "content/measurements/posts.csv": csv_text}
    run = check(make_site(tmp_path / "site", files))
    assert run.returncode == 1
    src, color = where(plan, "source: activitys"), where(plan, "color: blue")
    assert run.lines == [
        "content/activities/a.md:3:1: error: unknown area 'border-secruity' (did you mean 'border-security'?)",
        "content/activities/a.md:5:1: error: 'start': 2019-02-30 is not a real date",
        "content/activities/b.md:4:1: error: unknown status 'complete' (did you mean 'completed'?)",
        "content/activities/b.md:6:17: error: 'countries': unknown country code 'at' (did you mean 'AT'?)",
        "content/activities/list.yaml:1:3: error: missing required key 'title' in an activity",
        "content/activities/list.yaml:10:3: error: 'participants' must not be negative, got -5",
        "content/measurements/posts.csv:2:1: error: measurement for unknown indicator 'bs-post' "
        "(did you mean 'bs-posts'?)",
        "content/measurements/posts.csv:3:10: error: 'date': 2019-13-01 is not a real date",
        f"content/plan.yaml:{color[0]}:{color[1]}: error: 'color': expected a hex colour like "
        "\"#1f77b4\", got 'blue'",
        f"content/plan.yaml:{src[0]}:{src[1]}: error: unknown indicator source 'activitys' "
        "(did you mean 'activities'?)",
    ]
    assert run.stderr.splitlines()[-1] == "10 errors, 0 warnings"


# -- one mistake, one error (no cascades) ---------------------------------------------------

def test_list_item_without_id_or_title_gives_one_error(tmp_path: Path) -> None:
    listing = "- area: firearms\n  status: completed\n  start: 2019-01-01\n"
    assert errors_of(tmp_path, {"content/activities/list.yaml": listing}) == [
        "content/activities/list.yaml:1:3: error: missing required key 'title' in an activity"]


def test_area_without_id_does_not_make_every_reference_unknown(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"].replace("  - id: firearms\n", "  - idd: firearms\n")
    line, col = where(plan, "idd: firearms")
    run = check(make_site(tmp_path / "site", {"content/plan.yaml": plan}))
    assert run.returncode == 1
    assert run.lines == [
        f"content/plan.yaml:{line}:{col}: error: missing required key 'id' in an area (is 'idd' a misspelling of 'id'?)",
        f"content/plan.yaml:{line}:{col}: warning: unknown key 'idd' in an area (did you mean 'id'?)",
    ]


def test_plan_error_does_not_hide_errors_in_activities(tmp_path: Path) -> None:
    plan = BASELINE["content/plan.yaml"].replace('summary: Tracing of firearms.\n',
                                                 'summary: Tracing of firearms.\n    color: red\n')
    line, col = where(plan, "color: red")
    files = {"content/plan.yaml": plan, **activity("""
        title: A workshop
        area: firearms
        status: completed
        start: 2019-01-10
        type: seminar
        contributes: {fa-expert: 3}
        """)}
    assert errors_of(tmp_path, files) == [
        f"{ACT}:6:1: error: unknown activity type 'seminar' (known: meeting, training-course, workshop)",
        f"{ACT}:7:15: error: unknown indicator 'fa-expert' (did you mean 'fa-experts'?)",
        f"content/plan.yaml:{line}:{col}: error: 'color': expected a hex colour like \"#1f77b4\", got 'red'",
    ]


def test_empty_area_list_is_an_error(tmp_path: Path) -> None:
    files = activity("""
        title: A meeting
        area: []
        status: completed
        start: 2019-01-10
        """)
    assert errors_of(tmp_path, files) == [f"{ACT}:3:1: error: 'area' must name at least one area of the plan"]


def test_a_folder_inside_a_site_is_a_usage_error_naming_the_site(tmp_path: Path) -> None:
    """Run from content/ (where plan.yaml is), check said "missing plan: create
    content/plan.yaml"; it names the site folder instead."""
    site = make_site(tmp_path / "site")
    for inside in (site / "content", site / "content/activities"):
        run = run_sitegen("check", cwd=inside)
        assert run.returncode == 2
        assert run.stderr.splitlines() == [
            f"sitegen: error: . is a folder inside the site {site.resolve()} (the folder that holds site.yaml "
            "and content/): run sitegen there, or give that folder"]
    assert run_sitegen("check", cwd=site).returncode == 0


def test_a_folder_that_is_no_site_is_a_usage_error_naming_the_sites_below(tmp_path: Path) -> None:
    """Run from the folder above a site, check said "missing plan: create content/plan.yaml";
    it says the folder is no site, and names the sites below it."""
    run = run_sitegen("check", cwd=tmp_path)
    assert (run.returncode, run.stderr.splitlines()) == (2, [
        "sitegen: error: . is not a site folder: it holds no site.yaml and no content/ (`sitegen init DIR` makes one)"])
    make_site(tmp_path / "mysite")
    run = run_sitegen("build", cwd=tmp_path)
    assert (run.returncode, run.stderr.splitlines()) == (2, [
        "sitegen: error: . is not a site folder: it holds no site.yaml and no content/ (the site below it: mysite)"])


def test_a_repo_url_that_is_not_a_web_address_is_refused(tmp_path: Path) -> None:
    """repo_url starts every page's edit and history links: a javascript: address would run
    in the reader's browser on a click."""
    lines = BASELINE["site.yaml"].count("\n")
    site = make_site(tmp_path / "site", {
        "site.yaml": BASELINE["site.yaml"] + 'repo_url: "javascript:alert(document.domain)//"\n'})
    run = check(site, "--format", "json")
    assert run.returncode == 1
    assert [(p["path"], p["line"], p["message"], p["hint"]) for p in run.json()] == [
        ("site.yaml", lines + 1, "'repo_url' must be the repository's web address, starting with https://, "
         "not 'javascript:alert(document.domain)'", "e.g. https://github.com/OWNER/REPOSITORY")]
    good = make_site(tmp_path / "good", {"site.yaml": BASELINE["site.yaml"] + "repo_url: https://github.com/o/r/\n"})
    assert check(good).returncode == 0


@pytest.mark.parametrize("msgstr", ["Data: %s", "Data: %(date)d", "%(date)s: 100% of it", "Data %"])
def test_a_translation_whose_percent_signs_would_not_format_is_an_error(tmp_path: Path, msgstr: str) -> None:
    """A msgid with %(name)s placeholders is formatted with its values: any other '%' in the
    translation ("%s", "%(date)d", a bare percent sign) crashed the build or showed the
    values' dictionary on every page."""
    po = f'msgid "Dashboard"\nmsgstr "Overview"\n\nmsgid "Data as of %(date)s"\nmsgstr "{msgstr}"\n'
    site = make_site(tmp_path / "site", {"locales/en.po": po})
    run = check(site, "--format", "json")
    assert run.returncode == 1
    assert [(p["path"], p["line"], p["message"], p["hint"]) for p in run.json()] == [
        ("locales/en.po", 4, "the translation has a '%' that is neither a %(name)s placeholder nor '%%'",
         "write a percent sign as %%, as its msgid does")]
    assert "Traceback" not in run_sitegen("build", site).stderr


def test_a_po_header_naming_another_charset_is_a_warning_and_the_text_is_read_as_utf8(tmp_path: Path) -> None:
    """Babel decodes a catalogue by its header's charset: the UTF-8 "Menü" showed as "MenÃ¼"."""
    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n\n'
          'msgid "Menu"\nmsgstr "Menü"\n')
    site = make_site(tmp_path / "site", {"locales/en.po": po})
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert ("locales/en.po:3:1: warning: the header says charset=ISO-8859-1, but sitegen reads every site file "
            "as UTF-8 (as this one is) (write charset=UTF-8)") in run.stderr
    assert "Menü</button>" in (site / "output/index.html").read_text(encoding="utf-8")


def test_a_percent_sign_in_a_message_without_values_is_shown_as_written(tmp_path: Path) -> None:
    po = ('msgid "Dashboard"\nmsgstr "100% Home"\n\nmsgid "Timeline"\nmsgstr "Time %%"\n\n'
          'msgid "Data as of %(date)s"\nmsgstr "%(date)s: 100%% of the data"\n')
    site = make_site(tmp_path / "site", {"locales/en.po": po})
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    page = (site / "output/index.html").read_text(encoding="utf-8")
    assert ">100% Home</a>" in page and ">Time %</a>" in page and "</time>: 100% of the data" in page


@pytest.mark.parametrize("name, text, line, message", [
    ("templates/site_footer.html", "<p>Footer</p>\n<p>{{ 1 // 0 }}</p>\n", 2, "ZeroDivisionError: integer division or modulo by zero"),
    ("templates/site_footer.html", "<p>Footer</p>\n{% include 'nope.html' %}\n", 2, "no template named 'nope.html'"),
    ("templates/feed.xml", "<feed>\n{{ no_such_value.x }}\n</feed>\n", 2, "'no_such_value' is undefined"),
    # (a failure inside one of sitegen's filters also says where: it may be sitegen's fault)
    ("templates/site_footer.html", "<p>\n{{ 'many'|num }}\n</p>\n", 2,
     "ValueError: could not convert string to float: 'many' (raised in sitegen/i18n.py:"),
])
def test_a_failure_in_a_sites_template_is_located_not_a_traceback(tmp_path: Path, name: str, text: str, line: int,
                                                                  message: str) -> None:
    site = make_site(tmp_path / "site", {name: text})
    for command in ("check", "build"):
        run = run_sitegen(command, site)
        assert run.returncode == 1, (command, run.stderr)
        assert "Traceback" not in run.stderr
        assert f"{name}:{line}:1: error: {message}" in run.stderr, (command, run.stderr)


@pytest.mark.parametrize("name", ["templates/activity.html", "templates/site_footer.html"])
def test_a_template_that_is_not_utf8_is_located_not_a_traceback(tmp_path: Path, name: str) -> None:
    site = make_site(tmp_path / "site")
    (site / "templates").mkdir(exist_ok=True)
    (site / name).write_bytes('{# Légende #}\n<p>\n{{ title }} – Ré'.encode("cp1252"))
    for command in ("check", "build"):
        run = run_sitegen(command, site)
        assert run.returncode == 1 and "Traceback" not in run.stderr, (command, run.stderr)
        assert f"{name}:1:1: error: not UTF-8 text (byte 0xe9): save the file as UTF-8" in run.stderr, run.stderr


@pytest.mark.parametrize("text, line, message", [
    ("title: Plan\nareas: 5\n", 2, "'areas' must be a list, each item an area's translation with its id"),
    ("areas:\n  - id: border-security\n    indicators: true\n", 3,
     "'indicators' must be a list, each item an indicator's translation with its id"),
])
def test_a_plan_translation_of_the_wrong_shape_is_located(tmp_path: Path, text: str, line: int, message: str) -> None:
    site = make_site(tmp_path / "site", {
        "site.yaml": BASELINE["site.yaml"].replace("language: en", "languages: [en, fr]"),
        "content/plan.fr.yaml": text})
    run = run_sitegen("check", site)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert f"content/plan.fr.yaml:{line}:" in run.stderr and message in run.stderr, run.stderr


@pytest.mark.parametrize("name, message", [
    ("content/plan.yaml", "content/plan.yaml: error: a folder, not a file: the plan is the file content/plan.yaml"),
    ("site.yaml", "site.yaml: error: cannot read file: a folder, not a file"),
])
def test_a_folder_where_a_settings_file_belongs_is_named(tmp_path: Path, name: str, message: str) -> None:
    """A folder named plan.yaml was reported as a missing plan."""
    site = make_site(tmp_path / "site")
    (site / name).unlink()
    (site / name).mkdir()
    run = run_sitegen("check", site)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert message in run.stderr and "missing plan" not in run.stderr, run.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipes_in_content_and_templates_are_refused_not_waited_for(tmp_path: Path) -> None:
    """Opening a named pipe waits for a writer: check and build hung on one."""
    site = make_site(tmp_path / "site")
    (site / "templates").mkdir(exist_ok=True)
    os.mkfifo(site / "content/activities/pipe.md")
    os.mkfifo(site / "templates/site_footer.html")
    # named as a translation of a record that does not exist (discovery reads such a file
    # to tell a misspelt translation from a record: content._has_facts)
    (site / "content/activities/piped.fr.md").symlink_to("pipe.md")
    for command in ("check", "build"):
        run = run_sitegen(command, site, timeout=60)
        assert run.returncode == 1, run.stderr
        for path in ("content/activities/pipe.md", "templates/site_footer.html"):
            assert f"{path}: error: not a regular file (a named pipe, socket or device)" in run.stderr
        assert "content/activities/piped.fr.md: error: cannot read file: not a regular file" in run.stderr


@pytest.mark.parametrize("value, message", [
    ("2.5", "'activities_per_page' must be a whole number, not 2.5"),
    ("0", "'activities_per_page' must be at least 1, got 0"),
])
def test_activities_per_page_is_a_whole_number_from_one(tmp_path: Path, value: str, message: str) -> None:
    site = make_site(tmp_path / "site", {"site.yaml": BASELINE["site.yaml"] + f"activities_per_page: {value}\n"})
    run = check(site, "--format", "json")
    assert run.returncode == 1
    assert [(p["path"], p["message"]) for p in run.json()] == [("site.yaml", message)]


@pytest.mark.parametrize("rel, hint", [
    ("content/activity/2026/x.md", "did you mean content/activities/2026/x.md?"),
    ("content/activities/x.markdown", "content/activities/ reads .md, .yaml, .yml files: name it x.md"),
    ("content/areas/firearms/x.md", "put it in content/areas/ itself, not in a subfolder"),
    ("content/notes/x.md", "records go in content/activities/ (.md, .yaml), content/areas/ (.md), content/pages/ "
     "(.md), content/measurements/ (.csv, .yaml), content/reports/ (.yaml), files to publish as they are in "
     "content/static/ (docs/records.md)"),
])
def test_a_file_sitegen_does_not_read_is_said_where_it_goes(tmp_path: Path, rel: str, hint: str) -> None:
    record = BASELINE["content/activities/firearms-workshop.md"]
    run = check(make_site(tmp_path / "site", {rel: record}), "--format", "json")
    assert run.returncode == 0
    assert [(p["path"], p["message"], p["hint"]) for p in run.json()] == [
        (rel, "file ignored: not a place sitegen reads", hint)]


def test_a_copied_record_is_a_warning_naming_the_original(tmp_path: Path) -> None:
    """A record copied to start the next one and saved unchanged was counted twice, without
    a word; one that differs in its dates (the next session of a course) is no copy."""
    record = BASELINE["content/activities/firearms-workshop.md"]
    site = make_site(tmp_path / "site", {"content/activities/copy-of-workshop.md": record,
                                         "content/activities/next-workshop.md": record.replace("2019-04-10", "2019-05-10")})
    run = check(site, "--format", "json")
    assert run.returncode == 0
    assert [(p["path"], p["line"], p["message"], p["hint"]) for p in run.json()] == [
        ("content/activities/firearms-workshop.md", 2, "the same title, dates, place and participants as "
         "content/activities/copy-of-workshop.md:2: a copy of it? (counted twice)",
         "delete one of them, or tell them apart by their titles")]


def test_an_activity_saved_among_the_pages_is_an_error_saying_where_it_goes(tmp_path: Path) -> None:
    """It was published as a page in the site's menu, with ten 'unknown key' warnings, and
    missing from the activities and their counts."""
    record = BASELINE["content/activities/firearms-workshop.md"]
    site = make_site(tmp_path / "site", {"content/activities/firearms-workshop.md": None,
                                         "content/pages/firearms-workshop.md": record})
    run = check(site, "--format", "json")
    assert run.returncode == 1
    assert [(p["path"], p["line"], p["message"], p["hint"]) for p in run.json()] == [
        ("content/pages/firearms-workshop.md", 4, "an activity's record among the pages (it has a status and a "
         "start or area)", "move it to content/activities/firearms-workshop.md; a page has only title, slug, "
         "order and draft")]


def test_a_translation_beside_no_record_is_a_warning(tmp_path: Path) -> None:
    """content/pages/methodolgy.fr.md (misspelt) was published in every language as a page
    of its own, "methodolgy-fr", without a word."""
    site = make_site(tmp_path / "site", {"content/pages/about.md": "---\ntitle: About\n---\n\nText.\n",
                                         "content/pages/abuot.fr.md": "---\ntitle: À propos\n---\n\nTexte.\n"})
    run = check(site, "--format", "json")
    assert run.returncode == 0
    assert [(p["path"], p["severity"], p["message"], p["hint"]) for p in run.json()] == [
        ("content/pages/abuot.fr.md", "warning", "named as a translation ('fr') of content/pages/abuot.md, "
         "which does not exist: read as a record of its own", "name it content/pages/about.fr.md to translate "
         "content/pages/about.md, or content/pages/abuot.md if it is the record")]


def test_an_activity_translation_beside_no_record_is_one_error_naming_the_record_meant(tmp_path: Path) -> None:
    """x.fr.md (misspelt) holding a title and a text, as translations do, was read as a
    record of its own: a warning and three errors, one per fact it lacks (area, start,
    status). It is one error, which names the record whose name is closest; a misspelt
    file that holds an activity's facts is still a record of its own, with a warning."""
    site = make_site(tmp_path / "site", {
        "site.yaml": BASELINE["site.yaml"] + "languages: [en, fr]\n",
        "content/activities/firearms-worksop.fr.md": "\ufeff---\r\ntitle: Atelier\r\n---\r\n\r\nTexte.\r\n"})
    run = check(site, "--format", "json")
    assert run.returncode == 1
    errors = [(p["path"], p["line"], p["message"], p["hint"]) for p in run.json() if p["severity"] == "error"]
    assert errors == [("content/activities/firearms-worksop.fr.md", 1, "a translation ('fr') of "
                       "content/activities/firearms-worksop.md, which does not exist",
                       "name it content/activities/firearms-workshop.fr.md to translate "
                       "content/activities/firearms-workshop.md")]
    assert not [p for p in run.json() if p["path"] == "content/activities/firearms-worksop.fr.md"
                and p["severity"] == "warning"]
    # with an activity's facts, a record of its own (and no record of that name is close)
    (site / "content/activities/firearms-worksop.fr.md").unlink()
    (site / "content/activities/budget-talks.de.md").write_text(
        "---\ntitle: Budget talks\nstatus: planned\nstart: 2019-05-01\narea: firearms\n---\n\nText.\n")
    run = check(site, "--format", "json")
    mine = [(p["severity"], p["message"], p["hint"]) for p in run.json()
            if p["path"] == "content/activities/budget-talks.de.md"]
    assert mine[0] == ("warning", "named as a translation ('de') of content/activities/budget-talks.md, which "
                       "does not exist: read as a record of its own", "name it as the file it translates, or "
                       "content/activities/budget-talks.md if it is the record")
    assert [m for m in mine if m[0] == "error"] == []


def test_a_site_translation_with_an_unclosed_quote_is_an_error(tmp_path: Path) -> None:
    """Babel reads `msgstr "Accueil` (no closing quote) as "Accuei": every page said so."""
    po = 'msgid "Timeline"\nmsgstr "Calendar"\n\nmsgid "Dashboard"\nmsgstr "Accueil\n'
    run = check(make_site(tmp_path / "site", {"locales/en.po": po}), "--format", "json")
    assert run.returncode == 1
    assert [(p["path"], p["line"], p["message"]) for p in run.json()] == [
        ("locales/en.po", 5, "a string that does not end with a closing quote")]
