"""`sitegen check` reads the build's cache (SITE/.sitegen-cache/) and never writes it: the
outputs whose key is one the last build rendered are not rendered again (that build
rendered them from the same inputs without an error), and what it reports is what a
check without the cache reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen import render
from sitegen.build import build, check
from tests.sitekit import snapshot

REPO = Path(__file__).resolve().parent.parent


def _count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    done: list[str] = []
    real = render.Renderer.render

    def counted(self: render.Renderer, job: render.Job) -> list[tuple[str, bytes]]:
        done.append(job.path)
        return real(self, job)
    monkeypatch.setattr(render.Renderer, "render", counted)
    return done


def _without_cache(site: Path, tmp_path: Path) -> list[tuple[str, int, str, str]]:
    """What check says of a copy of the site without its cache, in one process."""
    bare = tmp_path / "bare"
    shutil.rmtree(bare, ignore_errors=True)
    shutil.copytree(site, bare, ignore=shutil.ignore_patterns(".sitegen-cache", "output"))
    return [(p.path, p.line, p.severity, p.message) for p in check(bare, workers=1)[1]]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_renders_only_what_changed_since_the_last_build_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.corpus import write_corpus
    site = write_corpus(120, tmp_path / "site")
    build(site)
    before = snapshot(site / ".sitegen-cache")
    done = _count_renders(monkeypatch)
    assert check(site, workers=1)[1] == []
    assert done == []  # nothing changed: every output is one the build rendered
    record = sorted((site / "content/activities").rglob("*.md"))[5]
    _edit(record, "status: ", "status: cancelled\nx_status: ")  # (an unknown key: a warning)
    found = check(site, workers=1)[1]
    pages = [p for p in done if p.endswith(".html")]
    assert 0 < len(pages) < 60, len(pages)  # (the site has ~280 pages; a build renders as many)
    assert record.relative_to(site).as_posix() in {p.path for p in found}
    ours = [(p.path, p.line, p.severity, p.message) for p in found]
    assert ours == _without_cache(site, tmp_path)
    assert snapshot(site / ".sitegen-cache") == before  # read, never written


def test_check_with_the_cache_finds_a_template_error_a_record_edit_causes(tmp_path: Path) -> None:
    """A site template that fails for one title: built without it, then the title edited;
    check renders that record's page (its key changed) and names the template's line."""
    from tests.corpus import write_corpus
    site = write_corpus(40, tmp_path / "site")
    theme = (REPO / "sitegen/theme/templates/activity.html").read_text(encoding="utf-8")
    lines = theme.splitlines(keepends=True)
    lines.insert(5, '{% if act.title == "Boom" %}{{ 1 // 0 }}{% endif %}\n')
    (site / "templates").mkdir()
    (site / "templates/activity.html").write_text("".join(lines), encoding="utf-8")
    build(site)
    assert check(site, workers=1)[1] == []
    record = sorted((site / "content/activities").rglob("*.md"))[3]
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("title: ", 'title: "Boom"\nx_title: ', 1), encoding="utf-8")
    errors = [(p.path, p.line, p.message) for p in check(site, workers=1)[1] if p.severity == "error"]
    assert errors == [("templates/activity.html", 6, "ZeroDivisionError: integer division or modulo by zero")]
