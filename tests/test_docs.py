"""The docs stay true: every command, option, site.yaml key and record key the code accepts is
documented, everything the docs document is accepted, and every link leads somewhere.

The lists come from the code itself (the argparse parser of sitegen/cli.py; the keys given to
`Fields.unknown_keys` in sitegen/validate*.py), so a new option or key fails here until the
docs name it, and a key the docs name but the code refuses fails too.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from sitegen import validate, validate_measurements, validate_plan, validate_site, validate_texts
from sitegen.cli import parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
COMMANDS = DOCS / "commands.md"
RECORDS = DOCS / "records.md"

# The key tables of docs/records.md (each after a `<!-- keys: NAME -->` line) and where
# sitegen/validate*.py list the keys of that record: the function, and the Fields object on
# which it calls unknown_keys(). `where` is checked against validate.WHERE_KEYS.
TABLES = {
    "site": ("site_config", "f"),
    "plan": ("plan", "f"),
    "partner": ("plan", "pf"),
    "area": ("_area", "f"),
    "indicator": ("_indicator", "f"),
    "milestone": ("_indicator", "mf"),
    "unit": ("read_unit", "uf"),
    "activity": ("activity", "f"),
    "location": ("activity", "lf"),
    "participants": ("_participants", "pf"),
    "output": ("_outputs", "of"),
    "measurement": ("_measurement", "f"),
    "area-text": ("area_texts", "f"),
    "page": ("pages", "f"),
    "report": ("reports", "f"),
    "iati": ("_iati", "f"),
    "iati-organisation": ("_iati_org", "o"),
    "colors": ("_colors", "cf"),
}


# validate.py and the modules that validate the other kinds of record
VALIDATORS = (validate, validate_site, validate_plan, validate_measurements, validate_texts)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def markdown_files() -> list[Path]:
    return [README, ROOT / "bench" / "README.md", *sorted(DOCS.glob("*.md"))]


def without_code_blocks(markdown: str) -> str:
    """The Markdown with its fenced code blocks blanked (line numbers kept)."""
    out, fenced = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append("")
            continue
        out.append("" if fenced else line)
    return "\n".join(out)


# -- commands and options ---------------------------------------------------------------------

def subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def section(markdown: str, heading: str) -> str:
    """The text under `heading` (a `## ` line) up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"docs/commands.md has no section '## {heading}'"
    return match.group(1)


def mentions(haystack: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", haystack) is not None


def test_every_command_and_option_is_in_the_commands_page() -> None:
    doc = text(COMMANDS)
    top = [opt for a in parser()._actions for opt in a.option_strings if opt not in ("-h", "--help")]
    assert top and all(mentions(doc, opt) for opt in top), top
    for name, sub in subcommands().items():
        assert sub.description, f"sitegen {name} has no description"
        part = section(doc, f"sitegen {name}")
        assert f"`sitegen {name}" in part, name
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help, f"sitegen {name} {action.option_strings or action.dest} has no help"
            for opt in action.option_strings:
                assert mentions(part, opt), f"docs/commands.md does not document {opt} of sitegen {name}"
            for choice in action.choices or ():
                assert mentions(part, str(choice)), f"docs/commands.md does not name '{choice}' for sitegen {name}"


def shown_commands(markdown: str) -> list[tuple[str, str]]:
    """(command, arguments) of every `sitegen ...` in code spans and in shell blocks."""
    found = re.findall(r"`sitegen (\w+)([^`\n]*)`", markdown)
    fenced = False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced:
            found += re.findall(r"(?:^|&& |\$ )sitegen (\w+)(.*)$", line.split("#")[0].strip())
    return found


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_option_the_docs_show_exists(path: Path) -> None:
    known = {name: {opt for a in sub._actions for opt in a.option_strings} for name, sub in subcommands().items()}
    for command, args in shown_commands(text(path)):
        if command.isupper():
            continue  # a placeholder: `sitegen COMMAND --help`
        assert command in known, f"{path.name} shows sitegen {command}, which is no command"
        for opt in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", args):
            assert opt in known[command], f"{path.name} shows {opt} for sitegen {command}, which has no such option"


def test_help_works_for_every_command() -> None:
    for name in subcommands():
        run = subprocess.run([sys.executable, "-m", "sitegen", name, "--help"], capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 0 and "usage: sitegen" in run.stdout, name


# -- record keys ----------------------------------------------------------------------------

def _keys(node: ast.expr, where: str) -> set[str]:
    """The set of keys an unknown_keys() argument names (literals, module constants and the
    few expressions validate.py builds them with)."""
    if isinstance(node, (ast.Set, ast.Tuple, ast.List)):
        return {ast.literal_eval(e) for e in node.elts}
    if isinstance(node, ast.Name):
        module = next(mod for mod in VALIDATORS if hasattr(mod, node.id))
        return set(getattr(module, node.id))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        return _keys(node.left, where) - _keys(node.right, where)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _keys(node.left, where) | _keys(node.right, where)
    if isinstance(node, ast.IfExp):
        return _keys(node.body, where) | _keys(node.orelse, where)
    raise AssertionError(f"cannot read the keys given to unknown_keys() in {where}: {ast.unparse(node)}")


def accepted_keys() -> dict[tuple[str, str], set[str]]:
    """(function, Fields object) -> the keys validate.py and its sibling modules accept there."""
    found: dict[tuple[str, str], set[str]] = {}
    for fn in (fn for mod in VALIDATORS for fn in ast.parse(text(Path(mod.__file__ or ""))).body):
        if not isinstance(fn, ast.FunctionDef):
            continue
        for node in ast.walk(fn):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "unknown_keys"):
                place = (fn.name, ast.unparse(node.func.value))
                found.setdefault(place, set()).update(_keys(node.args[0], f"{fn.name}()"))
    return found


def documented_keys() -> dict[str, set[str]]:
    """Table name -> the keys in the first column of that table of docs/records.md."""
    tables: dict[str, set[str]] = {}
    lines = text(RECORDS).split("\n")
    for i, line in enumerate(lines):
        match = re.fullmatch(r"<!-- keys: ([\w-]+) -->", line.strip())
        if not match:
            continue
        rows = [ln for ln in lines[i + 1:i + 60] if ln.strip()]
        table = []
        for row in rows:
            if not row.startswith("|"):
                break
            table.append(row)
        assert len(table) > 2, f"no table after <!-- keys: {match.group(1)} --> in docs/records.md"
        first_cells = [row.strip("|").split("|")[0] for row in table[2:]]
        tables[match.group(1)] = {key for cell in first_cells for key in re.findall(r"`([^`]+)`", cell)}
    return tables


def test_every_place_validate_lists_keys_has_a_table() -> None:
    places = set(accepted_keys())
    unmapped = places - set(TABLES.values())
    assert not unmapped, (f"validate.py lists the keys of a record in {sorted(unmapped)}: document them "
                          "in docs/records.md (a table after <!-- keys: NAME -->) and add NAME to TABLES")
    gone = set(TABLES.values()) - places
    assert not gone, f"validate.py no longer lists keys in {sorted(gone)}: update TABLES"
    assert set(documented_keys()) == set(TABLES) | {"where"}


@pytest.mark.parametrize("table", [*TABLES, "where"])
def test_record_keys_are_documented_and_documented_keys_accepted(table: str) -> None:
    code = set(validate.WHERE_KEYS) if table == "where" else accepted_keys()[TABLES[table]]
    docs = documented_keys()[table]
    assert not code - docs, f"accepted but not documented in docs/records.md ({table}): {sorted(code - docs)}"
    assert not docs - code, f"documented in docs/records.md ({table}) but refused by the code: {sorted(docs - code)}"


def test_site_keys_are_the_settings_fields() -> None:
    """site.yaml accepts exactly the fields of SiteConfig (each documented where it is declared)."""
    from sitegen.model import SiteConfig
    assert accepted_keys()[TABLES["site"]] == set(SiteConfig.__dataclass_fields__)


# -- links and the README -------------------------------------------------------------------

def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    kept = "".join(ch for ch in heading.strip().lower() if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for line in without_code_blocks(text(path)).split("\n"):
        match = re.match(r"#{1,6} (.+)", line)
        if match:
            base = slug(match.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(path: Path) -> list[str]:
    body = without_code_blocks(text(path))
    body = re.sub(r"`[^`\n]*`", "", body)  # code spans hold no links
    return re.findall(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", body)


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file(path: Path) -> None:
    for target in links(path):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            assert target.startswith(("https://", "http://", "mailto:")), target
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        assert dest.exists(), f"{path.relative_to(ROOT)}: the link {target} leads nowhere"
        assert ROOT in dest.parents or dest == ROOT, f"{path.relative_to(ROOT)}: {target} leaves the repository"
        if anchor and dest.suffix == ".md":
            assert anchor in anchors(dest), f"{path.relative_to(ROOT)}: no heading #{anchor} in {file_part or path.name}"


def test_links_are_found() -> None:
    assert "docs/commands.md" in links(README) and "#site_footerhtml" in anchors(DOCS / "theming.md") | {
        "#" + a for a in anchors(DOCS / "theming.md")}


def test_docs_index_and_readme_map_every_page() -> None:
    index, readme = text(DOCS / "index.md"), text(README)
    for page in sorted(DOCS.glob("*.md")):
        if page.name != "index.md":
            assert f"]({page.name})" in index, f"docs/index.md does not link {page.name}"
            assert f"](docs/{page.name})" in readme, f"README.md does not link docs/{page.name}"


def test_readme_is_short_and_keeps_the_two_commands() -> None:
    readme = text(README)
    assert len(readme.splitlines()) <= 250
    # .ci/run and the tests' instructions rely on these, exactly
    for command in ("pip install -e . && sitegen build",
                    "pip install -e '.[test]' && npm ci && python3 -m pytest -q"):
        assert f"```sh\n{command}\n```" in readme, command


def test_benchmarks_need_nothing_outside_the_repository() -> None:
    for script in sorted((ROOT / "bench").glob("*.py")):
        source = text(script)
        for outside in ("/work/", "shared/tools", "REPO.parent", "tests.corpus"):
            assert outside not in source, f"{script.name} refers to {outside}"
