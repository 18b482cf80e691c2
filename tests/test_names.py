"""Names and folders (issue 14, items 8 and 13): symlinked top-level site folders are
refused; editor backup files are not published; names that collide on Windows or macOS
file systems, or that Windows cannot hold, are errors naming the files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.sitekit import BASELINE, run_sitegen

ACTIVITY = BASELINE["content/activities/planned-meeting.md"]
PNG = b"\x89PNG\r\n\x1a\n"


def _errors(run: Any, path: str) -> list[str]:
    """The error lines of a run that name `path` as their file."""
    return [e for e in run.errors if e.startswith(f"{path}:")]


# -- item 8: top-level site folders that are symlinks -----------------------------------------
@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the site with an activity file and a static file, as content/ holds."""
    root = tmp_path / "elsewhere"
    for rel, text in BASELINE.items():
        if rel.startswith("content/"):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
    (root / "content/activities/secret.md").write_text(
        ACTIVITY.replace("Closing meeting", "Secret meeting"), encoding="utf-8")
    (root / "content/static").mkdir(parents=True, exist_ok=True)
    (root / "content/static/secret.txt").write_text("not for the site\n", encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates/site_footer.html").write_text("<p>footer</p>\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("top", ["content", "templates", "content/static"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_symlinked_site_folder_is_refused(top: str, command: str, outside: Path,
                                          make_site: Any) -> None:
    site = make_site({rel: None for rel in BASELINE if rel.startswith("content/")} if top == "content"
                     else {})
    os.symlink(outside / top, site / top)
    run = run_sitegen(command, site)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert any(e.startswith(f"{top}: error: symlinked folders are not followed") for e in run.errors), \
        run.stderr
    assert not (site / "output").exists()


def test_symlinked_site_yaml_outside_is_refused(tmp_path: Path, make_site: Any) -> None:
    site = make_site({"site.yaml": None})
    (tmp_path / "site.yaml").write_text(BASELINE["site.yaml"] + "allow_raw_html: true\n")
    os.symlink(tmp_path / "site.yaml", site / "site.yaml")
    run = run_sitegen("build", site)
    assert run.returncode == 1
    assert any(e.startswith("site.yaml: error: symlink points outside the site folder")
               for e in run.errors), run.stderr
    assert not (site / "output").exists()


# -- item 13: editor backup and system files --------------------------------------------------
JUNK = ["logo.svg~", "#logo.svg#", ".#logo.svg", "logo.svg.orig", "logo.svg.rej", "logo.svg.swp",
        "logo.svg.bak", "logo.tmp", ".DS_Store", "Thumbs.db", "desktop.ini", "~$report.docx"]


def test_editor_backup_files_are_not_published(make_site: Any) -> None:
    site = make_site({f"content/static/{name}": "<svg><script>x()</script></svg>\n" for name in JUNK})
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    published = {p.name for p in (site / "output").iterdir()}
    assert not published & set(JUNK)
    for name in JUNK:
        warned = any(w.startswith(f"content/static/{name}: warning: file ignored: an editor backup")
                     for w in run.lines)
        assert warned == (not name.startswith(".")), (name, run.stderr)  # hidden files: silently


# -- item 13: names one file system cannot tell apart -----------------------------------------
@pytest.mark.parametrize("first,second", [
    ("logo.png", "Logo.png"),
    ("caf\u00e9.png", "cafe\u0301.png"),
    ("img/a.png", "IMG/b.png"),
    ("caf\u00e9/a.png", "cafe\u0301/b.png"),
])
def test_static_files_colliding_by_case_or_unicode_form(first: str, second: str, make_site: Any) -> None:
    site = make_site({f"content/static/{first}": PNG, f"content/static/{second}": PNG})
    run = run_sitegen("check", site)
    assert run.returncode == 1, run.stderr
    both = [e for e in run.errors if f"content/static/{first.split('/')[0]}" in e
            and f"content/static/{second.split('/')[0]}" in e]
    assert both, run.stderr


@pytest.mark.parametrize("static,generated", [
    ("ROBOTS.TXT", "robots.txt"),
    ("Data/plan.json", "data/plan.json"),
    ("PageFind/logo.png", "pagefind/, which holds the search index"),
    ("DATA/extra.csv", "data/"),
    ("pages/cafe\u0301/photo.png", "pages/caf\u00e9/ (from content/pages/caf\u00e9.md)"),
    ("robots.txt/x.png", "robots.txt"),
])
def test_static_file_colliding_with_a_generated_file(static: str, generated: str, make_site: Any) -> None:
    site = make_site({f"content/static/{static}": PNG,
                      "content/pages/caf\u00e9.md": "---\ntitle: Caf\u00e9\n---\nText.\n"})
    run = run_sitegen("build", site)
    assert run.returncode == 1, run.stderr
    hits = [e for e in _errors(run, f"content/static/{static}") if generated in e]
    assert hits, run.stderr
    assert not (site / "output").exists()


@pytest.mark.parametrize("name,why", [
    ("con", "device name"), ("CON.png", "device name"), ("nul.tar.gz", "device name"),
    ("Aux/logo.png", "device name"), ("com1.svg", "device name"), ("lpt9.txt", "device name"),
    ("prn", "device name"),
    ("a:b.png", "':'"), ("a?b.png", "'?'"), ("a*b.png", "'*'"), ("a|b.png", "'|'"),
    ('a"b.png', "'\"'"), ("a<b.png", "'<'"), ("a>b.png", "'>'"), ("a\\b.png", "'\\'"),
    ("tab\there.png", "U+0009"),
    ("logo.png.", "ends with a dot or a space"), ("logo.png ", "ends with a dot or a space"),
    ("folder./x.png", "ends with a dot or a space"),
    *[(f"lo{ch}go.png", f"U+{ord(ch):04X}") for ch in
      "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a\u202e\u2066\u2069"],
])
def test_static_names_windows_cannot_hold(name: str, why: str, make_site: Any) -> None:
    site = make_site({f"content/static/{name}": PNG})
    run = run_sitegen("check", site)
    assert run.returncode == 1, run.stderr
    hits = [e for e in _errors(run, f"content/static/{name}") if "file name refused" in e and why in e]
    assert hits, run.stderr


def _act(rel: str, act_id: str) -> dict[str, str]:
    return {rel: ACTIVITY.replace("title: Closing meeting", f"title: Closing meeting\nid: '{act_id}'")}


@pytest.mark.parametrize("act_id", ["closing.", "Con.x", "nul.meeting"])
def test_activity_ids_windows_cannot_hold(act_id: str, make_site: Any) -> None:
    site = make_site(_act("content/activities/planned-meeting.md", act_id))
    run = run_sitegen("check", site)
    assert run.returncode == 1, run.stderr
    assert _errors(run, "content/activities/planned-meeting.md"), run.stderr


def test_activity_ids_colliding_by_case_name_both_files(make_site: Any) -> None:
    site = make_site({**_act("content/activities/one.md", "Meeting"),
                      **_act("content/activities/two.md", "meeting")})
    run = run_sitegen("check", site)
    assert run.returncode == 1
    assert any("content/activities/one.md" in e for e in _errors(run, "content/activities/two.md")), \
        run.stderr


@pytest.mark.parametrize("slug,why", [("about.", "ends with a dot"), ("nul.x", "device name")])
def test_page_slugs_windows_cannot_hold(slug: str, why: str, make_site: Any) -> None:
    site = make_site({"content/pages/extra.md": f"---\ntitle: Extra\nslug: '{slug}'\n---\n"})
    run = run_sitegen("check", site)
    assert run.returncode == 1, run.stderr
    assert any(why in e for e in _errors(run, "content/pages/extra.md")), run.stderr
