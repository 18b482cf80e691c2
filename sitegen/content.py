"""Find the site's source files (in sorted order) and read them safely.

Readers return plain data with positions (see yamlload); turning that data into model
objects is validate.py's job.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import yamlload
from .errors import Problems

# Files larger than this are refused: no plan record needs it, and it bounds Markdown time.
MAX_FILE_BYTES = 2_000_000
# Bulk files (YAML activity lists, measurement tables) may be larger.
MAX_DATA_BYTES = 20_000_000
# Deeper folders are refused (a pull request could nest thousands, which the output would
# copy and the standard library's recursive folder functions could not handle).
MAX_NESTING = 32
# Characters XML 1.0 forbids (tab, newline and carriage return are fine): refused anywhere.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL_BYTES = bytes(range(32)).translate(None, b"\t\n\r")


@dataclass(frozen=True)
class Source:
    """One file of the site: its path relative to the site folder and its kind."""

    rel: str
    kind: str  # site | plan | area | activity | activity-list | measurements | page | report | static | template


@dataclass(frozen=True)
class Document:
    """What a reader got from one file: YAML data (with positions) and a Markdown body."""

    source: Source
    data: Any
    body: str
    body_line: int  # line of the file where the body starts


def _kind(rel: str) -> str | None:
    parts = rel.split("/")
    suffix = os.path.splitext(rel)[1].lower()
    if rel == "site.yaml":
        return "site"
    if parts[0] == "templates" and len(parts) > 1:
        return "template"
    if parts[0] != "content" or len(parts) < 2:
        return None
    top = parts[1]
    if rel == "content/plan.yaml":
        return "plan"
    if top == "static" and len(parts) > 2:
        return "static"
    if top == "areas" and len(parts) == 3 and suffix == ".md":
        return "area"
    if top == "activities" and suffix == ".md":
        return "activity"
    if top == "activities" and suffix in (".yaml", ".yml"):
        return "activity-list"
    if top == "measurements" and len(parts) == 3 and suffix in (".yaml", ".yml", ".csv"):
        return "measurements"
    if top == "pages" and suffix == ".md":
        return "page"
    if top == "reports" and len(parts) == 3 and suffix in (".yaml", ".yml"):
        return "report"
    return None


def discover(site_dir: Path, problems: Problems) -> list[Source]:
    """Every source file of the site, sorted; symlinks leaving the site are reported."""
    root = site_dir.resolve()
    found: list[Source] = []
    candidates: list[tuple[str, bool]] = []  # (path relative to the site, is a symlink)
    if (site_dir / "site.yaml").exists():
        candidates.append(("site.yaml", (site_dir / "site.yaml").is_symlink()))
    for top in ("content", "templates"):
        if (site_dir / top).is_dir():
            _scan(str(site_dir), top, candidates, problems)
    for rel, link in candidates:
        kind = _kind(rel)
        if kind is None:
            if rel.startswith("content/"):
                problems.warning(rel, 0, 0, "file ignored: not a place sitegen reads",
                                 "see the README for the content layout")
            continue
        if link:
            target = Path(os.path.realpath(site_dir / rel))  # never raises, even on a symlink loop
            if target.is_symlink() or not target.exists():
                problems.error(rel, 0, 0, "broken symlink (missing target or a loop); refused")
                continue
            if not target.is_relative_to(root):
                problems.error(rel, 0, 0, "symlink points outside the site folder; refused")
                continue
            inside = target.relative_to(root).parts
            if any(part.startswith(".") for part in inside) or inside[:1] == ("output",):
                problems.error(rel, 0, 0, "symlink points into a hidden folder or the output; refused")
                continue
        if kind == "static":
            why = _active_static(site_dir / rel)
            if why:
                problems.error(rel, 0, 0, why, "static files are published as they are; "
                               "scripts belong in the theme (templates/), not in content")
                continue
        found.append(Source(rel, kind))
    return sorted(found, key=lambda s: s.rel)


def _scan(site: str, top: str, out: list[tuple[str, bool]], problems: Problems) -> None:
    """Files below site/top (not hidden ones), with os.walk's view of symlinks: a link to a
    folder is reported and not followed; a link to anything else is a file. (A loop, not
    recursion: a pull request may nest folders thousands deep.)"""
    stack = [top]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(os.path.join(site, rel)) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{rel}/{entry.name}"
            link = entry.is_symlink()
            try:
                folder = entry.is_dir()
            except OSError:
                folder = False
            if folder and link:
                problems.error(child, 0, 0, "symlinked folders are not followed",
                               "copy the folder into the site instead")
            elif folder and child.count("/") >= MAX_NESTING:
                problems.error(child, 0, 0, f"folders nested more than {MAX_NESTING} deep are refused",
                               "flatten the folder structure")
            elif folder:
                stack.append(child)
            else:
                out.append((child, link))


# Static files the browser would run, and markers of script inside HTML/SVG/XML files.
_ACTIVE_SUFFIXES = {".js", ".mjs", ".cjs", ".swf", ".xhtml", ".xht", ".hta", ".wasm"}
_MARKUP_SUFFIXES = {".html", ".htm", ".svg", ".svgz", ".xml", ".xsl", ".xslt", ".shtml"}
_ACTIVE_MARKUP = re.compile(
    rb"<\s*(?:script|iframe|frame|object|embed|foreignobject|handler|base|meta)\b"
    rb"|<[^>]*[\s\"'/]on[a-z]+\s*=|(?:java|vb)script\s*:|data\s*:\s*text/html"
    rb"|<\s*(?:set|animate)\b[^>]*attributename\s*=\s*[\"']?\s*(?:on|href|xlink:href)"
    rb"|<[^>]*&#", re.I)  # character references inside a tag could spell any of these


def _active_static(path: Path) -> str:
    """Why a file of content/static/ would run code in readers' browsers ('' when it would not)."""
    suffix = path.suffix.lower()
    if suffix in _ACTIVE_SUFFIXES:
        return f"static {suffix} files are refused: content cannot add scripts to the site"
    if suffix in _MARKUP_SUFFIXES:
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_DATA_BYTES)
        except OSError:
            return ""
        utf16 = b"\x00" in data or data.startswith((b"\xff\xfe", b"\xfe\xff"))
        if suffix == ".svgz" or utf16 or _ACTIVE_MARKUP.search(data):
            return (f"static {suffix} file contains script (script/iframe/object elements, "
                    "on...= handlers or javascript: URLs); refused")
    return ""


def _limit(source: Source) -> int:
    """The size limit of a source file's kind."""
    return MAX_DATA_BYTES if source.kind in ("activity-list", "measurements") else MAX_FILE_BYTES


def read_bytes(site_dir: Path, source: Source) -> bytes:
    """The first bytes of a source file: one more than its kind's size limit (OSError if unreadable)."""
    limit = _limit(source)
    fd = os.open(os.path.join(site_dir, source.rel), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        parts, left = [], limit + 1
        while left > 0:
            part = os.read(fd, min(left, 1 << 20))
            if not part:
                break
            parts.append(part)
            left -= len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        os.close(fd)


def read_text(site_dir: Path, source: Source, problems: Problems, raw: bytes | None = None) -> str | None:
    """The file's text (BOM removed, newlines normalised), or None after reporting why not.

    `raw` is the file's bytes when the caller has read them already (with read_bytes)."""
    limit = _limit(source)
    if raw is None:
        try:
            raw = read_bytes(site_dir, source)
        except OSError as exc:
            problems.error(source.rel, 0, 0, f"cannot read file: {exc.strerror or exc}")
            return None
    if len(raw) > limit:
        problems.error(source.rel, 0, 0, f"file is larger than the {limit // 1_000_000} MB limit")
        return None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.error(source.rel, 1, 1, "file is UTF-16, not UTF-8", "save the file as UTF-8")
        return None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        problems.error(source.rel, line, 0, "file contains NUL bytes (a binary file?)")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.error(source.rel, line, col,
                       f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                       "save the file as UTF-8")
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # (In UTF-8 these characters are the bytes below; finding none is ten times faster.)
    bad = CONTROL.search(text) if len(raw.translate(None, _CONTROL_BYTES)) != len(raw) or \
        b"\xef\xbf\xbe" in raw or b"\xef\xbf\xbf" in raw else None
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        problems.error(source.rel, line, col,
                       f"file contains the control character U+{ord(bad.group()):04X}",
                       "delete it; it would make the feed and other XML invalid")
        return None
    return text


def split_front_matter(text: str) -> tuple[str, str, int] | str:
    """Split `---` front matter from the body: (yaml, body, body_line) or an error message."""
    if not text.startswith("---"):
        first = text.lstrip("\n")
        if first.startswith("---"):
            return "front matter must start on the first line (remove the blank lines above ---)"
        if text.startswith(("+++", ";;;", "{")):
            return "front matter must be YAML between --- lines"
        return "missing front matter: the file must start with a line '---'"
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return "front matter must be YAML between --- lines (found '" + lines[0][:20] + "')"
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]) + "\n", "\n".join(lines[i + 1:]), i + 2
    return "front matter is not closed: add a line '---' after it"


def read_document(site_dir: Path, source: Source, problems: Problems,
                  raw: bytes | None = None) -> Document | None:
    """Read one content file into a Document, reporting any problem with its location."""
    text = read_text(site_dir, source, problems, raw)
    if text is None:
        return None
    if source.rel.endswith(".md"):
        split = split_front_matter(text)
        if isinstance(split, str):
            problems.error(source.rel, 1, 1, split)
            return None
        yaml_text, body, body_line = split
        data = _load_yaml(source, yaml_text, 1, problems)
        if data is _FAILED:
            return None
        if data is None:
            data = yamlload.YDict()
            data.line, data.column = 1, 1
        return Document(source, data, body, body_line)
    if source.rel.endswith(".csv"):
        return Document(source, text, "", 1)
    data = _load_yaml(source, text, 0, problems)
    if data is _FAILED:
        return None
    return Document(source, data, "", 1)


_FAILED = object()


def _load_yaml(source: Source, text: str, offset: int, problems: Problems) -> Any:
    try:
        data, found = yamlload.load(text, offset)
    except yamlload.YamlError as exc:
        problems.error(source.rel, exc.line, exc.column, exc.message)
        return _FAILED
    for p in found:
        problems.error(source.rel, p.line, p.column, p.message)
    return data
