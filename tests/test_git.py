"""Git history on pages: real repositories in temp folders, commits with known dates.

The site lives in a subfolder `site/` of the repository (as in a monorepo), so edit and
history links must carry that prefix.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.sitekit import BASELINE, make_site, run_sitegen

REPO_URL = "https://github.com/org/plan"
SITE_YAML = BASELINE["site.yaml"] + f"repo_url: {REPO_URL}\n"


def git(cwd: Path, *args: str, date: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return proc.stdout


def new_repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test Editor")
    git(root, "config", "user.email", "editor@example.org")
    return root


def commit(root: Path, date: str, message: str = "edit") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=date)


def edit(path: Path, extra: str = "\nMore text.\n") -> None:
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def build(site: Path) -> Path:
    run = run_sitegen("build", site)
    assert run.returncode == 0, run.stderr
    assert run.lines == [], run.stderr
    return site / "output"


def changed(out: Path, page: str) -> str | None:
    """The "Record last changed" date a page shows, or None."""
    html = (out / page / "index.html").read_text(encoding="utf-8")
    found = re.search(r'(?:Record|Plan) last changed on <time datetime="([0-9-]+)"', html)
    return found.group(1) if found else None


def links(out: Path, page: str) -> tuple[str, str]:
    html = (out / page / "index.html").read_text(encoding="utf-8")
    edit_link = re.search(r'<a href="([^"]+)">Edit this page</a>', html)
    history = re.search(r'<a href="([^"]+)">History</a>', html)
    assert edit_link and history, "no edit/history links"
    return edit_link.group(1), history.group(1)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose site/ folder had four commits on known days."""
    root = new_repo(tmp_path / "repo")
    site = make_site(root / "site", {"site.yaml": SITE_YAML})
    (root / "README.md").write_text("Monorepo\n", encoding="utf-8")
    # as `sitegen init` writes it: a build refuses an output folder that git tracks
    (site / ".gitignore").write_text("/output\n/.sitegen-cache\n/.output.lock\n", encoding="utf-8")
    commit(root, "2019-01-10", "initial records")
    edit(site / "content/activities/firearms-workshop.md")
    commit(root, "2019-03-05")
    edit(site / "content/areas/firearms.md")
    commit(root, "2019-04-20")
    edit(site / "content/pages/about.md")
    commit(root, "2019-06-01")
    (root / "README.md").write_text("Changed outside the site\n", encoding="utf-8")
    commit(root, "2019-09-09")
    return root


def test_last_changed_dates_on_activity_area_and_free_pages(repo: Path) -> None:
    site = repo / "site"
    out = build(site)
    assert changed(out, "activities/firearms-workshop") == "2019-03-05"
    assert changed(out, "activities/2018-03-05-border-course") == "2019-01-10"
    assert changed(out, "areas/firearms") == "2019-04-20"  # its narrative content/areas/firearms.md
    assert changed(out, "areas/border-security") == "2019-01-10"  # no narrative: content/plan.yaml
    # (a page made of the plan says so: "Plan last changed", not "Record")
    for page, kind in (("areas/border-security", "Plan"), ("", "Plan"), ("areas/firearms", "Record"),
                       ("activities/firearms-workshop", "Record")):
        assert f"{kind} last changed on <time" in (out / page / "index.html").read_text(encoding="utf-8"), page
    assert changed(out, "pages/about") == "2019-06-01"
    # Activities of a YAML list share the list file's date.
    assert changed(out, "activities/border-assessment") == "2019-01-10"


def test_edit_and_history_links_are_relative_to_the_repository_root(repo: Path) -> None:
    out = build(repo / "site")
    assert links(out, "activities/firearms-workshop") == (
        f"{REPO_URL}/edit/main/site/content/activities/firearms-workshop.md",
        f"{REPO_URL}/commits/main/site/content/activities/firearms-workshop.md")
    assert links(out, "pages/about")[0] == f"{REPO_URL}/edit/main/site/content/pages/about.md"


def test_gitlab_url_patterns(repo: Path) -> None:
    site = repo / "site"
    (site / "site.yaml").write_text(BASELINE["site.yaml"] + "repo_url: https://gitlab.example.org/org/plan.git\n"
                                    "repo_branch: release/2019\n", encoding="utf-8")
    out = build(site)
    assert links(out, "areas/firearms") == (
        "https://gitlab.example.org/org/plan/-/edit/release/2019/site/content/areas/firearms.md",
        "https://gitlab.example.org/org/plan/-/commits/release/2019/site/content/areas/firearms.md")
    # A self-hosted GitLab whose host name does not say so, and a GitHub mirror on a host
    # that does: repo_kind decides.
    for url, kind, edit_link in (("https://code.example.org/org/plan", "gitlab",
                                  "https://code.example.org/org/plan/-/edit/main/site/content/areas/firearms.md"),
                                 ("https://gitlab-mirror.example.org/org/plan", "github",
                                  "https://gitlab-mirror.example.org/org/plan/edit/main/site/content/areas/firearms.md")):
        (site / "site.yaml").write_text(BASELINE["site.yaml"] + f"repo_url: {url}\nrepo_kind: {kind}\n",
                                        encoding="utf-8")
        assert links(build(site), "areas/firearms")[0] == edit_link
    (site / "site.yaml").write_text(BASELINE["site.yaml"] + "repo_url: https://code.example.org/o/p\n"
                                    "repo_kind: gitlub\n", encoding="utf-8")
    run = run_sitegen("check", site)
    assert run.returncode == 1
    assert "site.yaml:6:1: error: 'repo_kind' must be github or gitlab, not 'gitlub' (did you mean 'gitlab'?)" \
        in run.stdout + run.stderr


def test_uncommitted_and_untracked_files(repo: Path) -> None:
    site = repo / "site"
    edit(site / "content/activities/firearms-workshop.md")  # modified, not committed
    (site / "content/pages/new.md").write_text("---\ntitle: New page\n---\n\nDraft.\n", encoding="utf-8")
    out = build(site)
    assert changed(out, "activities/firearms-workshop") == "2019-03-05"  # the last commit's date
    assert changed(out, "pages/new") is None


def test_report_date_falls_back_to_the_latest_content_commit(repo: Path) -> None:
    site = repo / "site"
    (site / "site.yaml").write_text(SITE_YAML.replace("as_of: 2019-12-31\n", ""), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "no as_of", date="2019-10-01")  # site.yaml is not content
    plan = json.loads((build(site) / "data/plan.json").read_text(encoding="utf-8"))
    assert (plan["as_of"], plan["as_of_source"]) == ("2019-06-01", "git")


def test_a_renamed_file_keeps_its_history(repo: Path) -> None:
    site = repo / "site"
    acts = site / "content/activities"
    (acts / "2019").mkdir()
    git(repo, "mv", "site/content/activities/firearms-workshop.md", "site/content/activities/2019/firearms-workshop.md")
    commit(repo, "2019-07-01", "move into a year folder")
    out = build(site)
    # A pure move is not a change: the page keeps the date of the last edit, made under the old name.
    assert changed(out, "activities/firearms-workshop") == "2019-03-05"
    assert links(out, "activities/firearms-workshop")[1] == (
        f"{REPO_URL}/commits/main/site/content/activities/2019/firearms-workshop.md")
    git(repo, "mv", "site/content/activities/2019/firearms-workshop.md", "site/content/activities/2019/fa-workshop.md")
    commit(repo, "2019-07-15", "rename again")
    edit(acts / "2019/fa-workshop.md", "\nA final edit.\n")
    commit(repo, "2019-08-02")
    out = build(site)
    assert changed(out, "activities/fa-workshop") == "2019-08-02"
    # A rename with edits is a change on its day.
    git(repo, "mv", "site/content/pages/about.md", "site/content/pages/about-us.md")
    edit(site / "content/pages/about-us.md", "\nOne more line.\n")
    commit(repo, "2019-08-20")
    assert changed(build(site), "pages/about-us") == "2019-08-20"


def test_non_ascii_file_names(repo: Path) -> None:
    site = repo / "site"
    (site / "content/pages/über uns.md").write_text("---\ntitle: Über uns\n---\n\nWir.\n", encoding="utf-8")
    commit(repo, "2019-08-08")
    out = build(site)
    # (the page titled so: every page's menu names it, and folders are listed in any order)
    page = next(p.parent.relative_to(out).as_posix() for p in (out / "pages").glob("*/index.html")
                if "<title>Über uns ·" in p.read_text(encoding="utf-8"))
    assert changed(out, page) == "2019-08-08"
    assert links(out, page)[0] == f"{REPO_URL}/edit/main/site/content/pages/%C3%BCber%20uns.md"


def test_user_git_configuration_and_hook_variables_do_not_change_the_dates(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[log]\n\tshowRoot = false\n\tshowSignature = true\n\tdate = relative\n"
                      "[color]\n\tui = always\n[core]\n\tquotepath = true\n\tpager = false\n"
                      "[diff]\n\trenames = false\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_DIR", ".git")  # as inside a git hook run from another folder
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/index")
    out = build(repo / "site")
    assert changed(out, "activities/2018-03-05-border-course") == "2019-01-10"
    assert changed(out, "pages/about") == "2019-06-01"


def test_shallow_clone_builds_and_drops_dates_from_before_its_boundary(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "3", repo.as_uri(), str(clone))
    out = build(clone / "site")
    # Fetched: 2019-04-20 (boundary: no parent, so every file looks added), 2019-06-01, 2019-09-09.
    assert changed(out, "pages/about") == "2019-06-01"
    assert changed(out, "areas/firearms") is None  # its last edit is the boundary commit
    assert changed(out, "activities/2018-03-05-border-course") is None  # older than the boundary
    assert links(out, "pages/about")[0] == f"{REPO_URL}/edit/main/site/content/pages/about.md"


def test_repository_without_commits_builds(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "empty")
    site = make_site(root / "site", {"site.yaml": SITE_YAML})
    out = build(site)
    assert changed(out, "pages/about") is None
    assert links(out, "pages/about")[0] == f"{REPO_URL}/edit/main/site/content/pages/about.md"


def test_folder_without_git_builds(tmp_path: Path) -> None:
    if subprocess.run(["git", "-C", str(tmp_path), "rev-parse"], check=False, capture_output=True).returncode == 0:
        pytest.skip("the temp folder is inside a git work tree")
    site = make_site(tmp_path / "plain", {"site.yaml": SITE_YAML})
    out = build(site)
    assert changed(out, "activities/firearms-workshop") is None
    # Without git the site folder is taken as the repository root.
    assert links(out, "pages/about")[0] == f"{REPO_URL}/edit/main/content/pages/about.md"


def test_site_at_the_repository_root(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "plan")
    make_site(root, {"site.yaml": SITE_YAML})
    commit(root, "2019-02-02")
    edit(root / "content/activities/planned-meeting.md")
    commit(root, "2019-05-05")
    out = build(root)
    assert changed(out, "activities/planned-meeting") == "2019-05-05"
    assert changed(out, "activities/firearms-workshop") == "2019-02-02"
    assert links(out, "activities/planned-meeting")[0] == (
        f"{REPO_URL}/edit/main/content/activities/planned-meeting.md")
