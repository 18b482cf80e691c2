"""`sitegen new activity` and `sitegen init`: correctly formed records and a new site folder.

These commands write files for a person at a terminal, so (unlike a build) they may read
the clock, through today() only: a new activity starts today when today lies in the plan's
period (else --start is asked for), and a new site's plan runs from the first of January of
this year for three years.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from importlib import metadata
from pathlib import Path

from . import __version__, validate, validate_plan
from . import model as m
from .content import Source, read_document
from .errors import Problems, UsageError, format_problems
from .fields import did_you_mean, slugify

BODY_HINT = "What happened, who took part and what came out of it (Markdown).\n"

# sitegen's name on the package index ("sitegen" there is an unrelated project); the import
# package and the command are `sitegen`. Must equal pyproject's [project] name (a test says so).
DISTRIBUTION = "sitegen-plan"
# Where sitegen's repository lives when the installed metadata names no real one: OWNER is
# for the user to replace (the generated README says so).
PLACEHOLDER_REPO = "https://github.com/OWNER/sitegen"


def today() -> dt.date:
    """Today's date for `init` and `new` (never for a build); SITEGEN_TODAY=YYYY-MM-DD sets it."""
    value = os.environ.get("SITEGEN_TODAY", "")
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"SITEGEN_TODAY='{value}' is not a date YYYY-MM-DD") from None


def source_repo() -> str:
    """sitegen's git repository, as the installed distribution's metadata names it (Source),
    else PLACEHOLDER_REPO."""
    try:
        urls = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return PLACEHOLDER_REPO
    for entry in map(str, urls):
        label, _, url = entry.partition(",")
        url = url.strip()
        if label.strip().lower() == "source" and url.startswith("https://") and "/OWNER/" not in url:
            return url.removesuffix("/").removesuffix(".git")
    return PLACEHOLDER_REPO


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _fail(message: str, hint: str = "") -> int:
    sys.stderr.write(f"sitegen: error: {message}" + (f" ({hint})" if hint else "") + "\n")
    return 1


def _load_plan(site_dir: Path) -> m.Plan | None:
    """The site's plan, or None after printing why it cannot be read."""
    problems = Problems()
    doc = None
    if (site_dir / "content" / "plan.yaml").is_file():
        doc = read_document(site_dir, Source("content/plan.yaml", "plan"), problems)
    plan = validate_plan.plan(doc, problems)
    if plan is None or problems.errors:
        sys.stderr.write(format_problems(problems.sorted(), "text") + "\n")
        return None
    return plan


def activity_text(title: str, area: str, start: dt.date, typ: str | None, status: str) -> str:
    """The Markdown file of a new activity: front matter with the required keys, hints for the rest."""
    lines = ["---", f"title: {_quote(title)}", f"area: {area}", f"status: {status}",
             f"start: {start.isoformat()}"]
    if typ:
        lines.append(f"type: {typ}")
    # country codes in quotes: YAML reads a bare NO (Norway) as false
    lines += ["# end: YYYY-MM-DD", '# location: {city: Oslo, country: "NO"}',
              '# countries: ["NO", "AT"]', "# participants: {total: 20, women: 9, men: 11}",
              "# partners: [Partner name]", "---", "", BODY_HINT]
    return "\n".join(lines)


def new_activity(site_dir: Path, title: str, area: str, start: str | None, typ: str | None,
                 status: str = "planned") -> int:
    """Write content/activities/YYYY/YYYY-MM-DD-<slug>.md and print it; 1 on bad input, 2 when
    no --start is given and today is outside the plan's period."""
    if not site_dir.is_dir():
        raise UsageError(f"no such site folder: {site_dir}")
    if not title.strip():
        raise UsageError("the title cannot be empty")
    try:
        day = dt.date.fromisoformat(start) if start else None
    except ValueError:
        raise UsageError(f"--start '{start}' is not a date YYYY-MM-DD") from None
    slug = slugify(title)[:80].strip("-")
    if not slug:
        raise UsageError(f"cannot make a file name from the title '{title}': use letters or digits")
    plan = _load_plan(site_dir)
    if plan is None:
        return 1
    areas = [a.id for a in plan.areas]
    if area not in areas:
        return _fail(f"unknown area '{area}'", did_you_mean(area, areas))
    if typ and typ not in plan.activity_types:
        return _fail(f"unknown activity type '{typ}'", did_you_mean(typ, plan.activity_types))
    if status not in m.STATUSES:
        return _fail(f"unknown status '{status}'", did_you_mean(status, m.STATUSES))
    if day is None:
        day = today()
        if not plan.start <= day <= plan.end:
            raise UsageError(f"today ({day}) is outside the plan's period {plan.start} – {plan.end}: "
                             "give the activity's start with --start YYYY-MM-DD")
    name = f"{day.isoformat()}-{slug}.md"
    rel = f"content/activities/{day.year}/{name}"
    clash = _same_name(site_dir / "content" / "activities", name)
    if clash is not None:
        return _fail(f"{clash.relative_to(site_dir).as_posix()} already exists; not overwritten",
                     "choose another title or date")
    text = activity_text(title, area, day, typ, status)
    path = site_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except FileExistsError:
        return _fail(f"{rel} already exists; not overwritten")
    sys.stdout.write(f"created {rel}\n\n{text}")
    for _key, message in validate.outside_plan(plan, day, None):
        sys.stderr.write(f"sitegen: warning: {rel}: {message} (`sitegen check` will say so too)\n")
    return 0


def _same_name(folder: Path, name: str) -> Path | None:
    """An existing activity file called `name` anywhere under `folder` (same default id)."""
    if not folder.is_dir():
        return None
    for dirpath, _dirs, files in os.walk(folder):
        if name in files:
            return Path(dirpath) / name
    return None


# -- sitegen init ----------------------------------------------------------------------------

WORKFLOW = """\
# Checks every pull request with `sitegen check --strict` (problems show as annotations on
# the changed lines; a warning fails it, a missing translation aside) and publishes the
# site to GitHub Pages from the main branch.
# Enable Pages once: Settings > Pages > Source: GitHub Actions.
name: sitegen

on:
  pull_request:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: sitegen-${{ github.ref }}
  cancel-in-progress: true

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # full history: "last changed" dates and the report date come from git
          persist-credentials: false  # no token left in .git/config for later steps
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: python -m pip install -r requirements.txt  # sitegen (DISTRIBUTION), pinned there
      - run: sitegen check --format github --strict  # a warning (a misspelt key...) fails the pull request

  deploy:
    needs: check
    if: github.event_name != 'pull_request' && github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
          persist-credentials: false
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: python -m pip install -r requirements.txt  # sitegen (DISTRIBUTION), pinned there
      - run: sitegen build
      - uses: actions/upload-pages-artifact@v3
        with:
          path: output
      - id: deployment
        uses: actions/deploy-pages@v4
""".replace("DISTRIBUTION", DISTRIBUTION)


def readme(title: str) -> str:
    """The new site's README.md: how to install sitegen (also before its first release), work
    on the site and publish it."""
    repo = source_repo()
    pin = f"{DISTRIBUTION} @ git+{repo}@v{__version__}"
    where = ("\n(**Replace `OWNER`** with the account that publishes sitegen's repository.)\n"
             if repo == PLACEHOLDER_REPO else "")
    return f"""# {title}

The implementation progress of the plan, published as a static site built by
[sitegen]({repo}) from the records in `content/`.

## Install sitegen

Python 3.11 or newer; in a virtual environment:

    python -m pip install -r requirements.txt

installs sitegen {__version__} from the Python Package Index, where its name is
`{DISTRIBUTION}` (the command is `sitegen`; the index's "sitegen" is another project).

Before {DISTRIBUTION}'s first release on the index, install it from its git repository,
pinned to a tag, and put the same requirement in `requirements.txt` instead of
`{DISTRIBUTION}=={__version__}` so that CI installs it the same way:

    python -m pip install "{pin}"
{where}
## Work on the site

    sitegen serve        # preview at http://127.0.0.1:8000/, rebuilt on every save
    sitegen new activity "Title" --area first-area --start YYYY-MM-DD
    sitegen check        # every problem, with file and line (CI runs it on pull requests)
    sitegen build        # the site, in output/

Where things go (a file anywhere else in `content/` is ignored, with a warning saying
where it belongs):

    site.yaml                        settings: title, base_url, languages...
    content/plan.yaml                the plan: its period, partners, areas and indicators
    content/areas/<id>.md            an area's longer text
    content/activities/**/*.md       an activity each (or several in a .yaml list)
    content/measurements/*.csv       indicators' measured values, dated
    content/reports/*.yaml           reporting rounds
    content/pages/**/*.md            free pages: About, Methodology...
    content/static/                  files published as they are: a logo, PDFs

## Publish

`.github/workflows/sitegen.yml` checks every pull request and publishes the main branch to
GitHub Pages. Enable Pages once (Settings > Pages > Source: GitHub Actions) and set
`base_url` in `site.yaml` to the address it gives.
"""


def site_files(name: str, today: dt.date) -> dict[str, str]:
    """Every file of a new site folder (relative path -> text)."""
    year = today.year
    title = name.replace("-", " ").replace("_", " ").strip().capitalize() or "Action plan"
    return {
        "site.yaml": (
            f"# Settings of the site; every key is optional (sitegen's docs/records.md lists them).\n"
            f"title: {_quote(title + ': implementation progress')}\n"
            f"# The address where the site is published, e.g. https://ORG.github.io/REPO/\n"
            f"base_url: http://localhost:8000/\n"
            f"language: en\n"
            f"# as_of: {year}-12-31  # report date; default: the date of the latest content commit\n"
            f"# repo_url: https://github.com/ORG/REPO  # adds \"Edit this page\" and \"History\" links\n"
            f"# repo_branch: main\n"),
        "content/plan.yaml": (
            f"title: {_quote(title + ' ' + str(year) + '–' + str(year + 2))}\n"
            f"summary: What the plan sets out to achieve, in a sentence or two.\n"
            f"start: {year}-01-01\n"
            f"end: {year + 2}-12-31\n"
            f"partners:\n"
            f"  - {{name: First partner organisation}}\n"
            f"activity_types: [workshop, training-course, meeting]\n"
            f"areas:\n"
            f"  - id: first-area\n"
            f"    title: First area\n"
            f"    summary: What this area of the plan works on.\n"
            f"    indicators:\n"
            f"      - id: workshops-held\n"
            f"        title: Workshops held\n"
            f"        unit: {{one: workshop, other: workshops}}  # 1 workshop, 6 workshops\n"
            f"        baseline: 0\n"
            f"        target: 6\n"
            f"        source: activities  # counts completed activities of this area\n"
            f"        where: {{type: workshop}}\n"),
        f"content/activities/{year}/{today.isoformat()}-first-workshop.md": (
            f"---\n"
            f"title: First workshop\n"
            f"area: first-area\n"
            f"status: completed\n"
            f"start: {today.isoformat()}\n"
            f"type: workshop\n"
            f"participants: 12\n"
            f"---\n\n"
            f"Replace this example with the plan's first real activity; "
            f"`sitegen new activity \"Title\" --area first-area` writes new ones.\n"),
        "content/pages/about.md": (
            "---\ntitle: About\norder: 1\n---\n\n"
            "Who runs the plan, where the figures come from and whom to contact.\n"),
        # (no trailing slash: a file of these names, committed by mistake, is ignored too)
        ".gitignore": "/output\n/.sitegen-cache\n/.output.lock\n/.output.tmp-*\n/pdf\n",
        "requirements.txt": (
            f"# What CI installs to build the site (see .github/workflows/sitegen.yml): sitegen,\n"
            f"# called {DISTRIBUTION} on the package index. Before its first release there, use\n"
            f"# its git repository pinned to a tag instead (see README.md), e.g.\n"
            f"# {DISTRIBUTION} @ git+{source_repo()}@v{__version__}\n"
            f"{DISTRIBUTION}=={__version__}\n"),
        "README.md": readme(title + ": implementation progress"),
        ".github/workflows/sitegen.yml": WORKFLOW,
    }


def init_site(directory: Path) -> int:
    """Create a new site folder; 2 when `directory` holds anything but `.git`."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} exists and is not a folder")
    if directory.is_dir() and any(p.name != ".git" for p in directory.iterdir()):
        raise UsageError(f"{directory} is not empty; sitegen init only writes into a new or empty folder "
                         "(a fresh git repository with nothing but .git counts as empty)")
    name = directory.resolve().name
    files = site_files(name, today())
    for rel, text in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    sys.stdout.write(f"created a new site in {directory}:\n")
    for rel in sorted(files):
        sys.stdout.write(f"  {rel}\n")
    sys.stdout.write(f"next: sitegen build {directory}  (or sitegen serve {directory} to preview)\n")
    return 0
