"""Find the site's source files (in sorted order) and read them safely.

Readers return plain data with positions (see yamlload); turning that data into model
objects is validate.py's job.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import static, yamlload
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


# The folders of a site folder that sitegen reads (besides site.yaml): records, templates,
# and the site's own messages (locales/<lang>.po, over sitegen's catalogues).
SOURCE_TOPS = ("content", "templates", "locales")


def _kind(rel: str) -> str | None:
    parts = rel.split("/")
    suffix = os.path.splitext(rel)[1].lower()
    if rel == "site.yaml":
        return "site"
    if parts[0] == "templates" and len(parts) > 1:
        return "template"
    if parts[0] == "locales" and len(parts) == 2 and suffix == ".po":
        return "catalogue"
    if parts[0] != "content" or len(parts) < 2:
        return None
    top = parts[1]
    if rel == "content/plan.yaml":
        return "plan"
    if len(parts) == 2 and re.fullmatch(r"plan\.[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]+)*\.ya?ml", top):
        return "plan-translation"  # content/plan.fr.yaml: the plan's words in French
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


# where each kind of record goes (content/<folder>/), with the suffixes read there and whether
# subfolders are (docs/records.md)
_PLACES = {"activities": ((".md", ".yaml", ".yml"), True), "areas": ((".md",), False),
           "pages": ((".md",), True), "measurements": ((".csv", ".yaml", ".yml"), False),
           "reports": ((".yaml", ".yml"), False)}


def _place_hint(rel: str) -> str:
    """What to do with a file in `content/` (or `locales/`) that sitegen does not read: the
    folder meant (a misspelt `content/activity/`), the suffix it reads (`x.markdown`), no
    subfolder, or where each kind of record goes."""
    parts = rel.split("/")
    layout = ("records go in content/activities/ (.md, .yaml), content/areas/ (.md), content/pages/ (.md), "
              "content/measurements/ (.csv, .yaml), content/reports/ (.yaml), files to publish as they "
              "are in content/static/ (docs/records.md)")
    if parts[0] != "content" or len(parts) < 3:
        return "a site's own messages are locales/<language>.po" if parts[0] == "locales" else layout
    folder, name = parts[1], parts[-1]
    if folder not in _PLACES:
        close = difflib.get_close_matches(folder, [*_PLACES, "static"], n=1, cutoff=0.6)
        return f"did you mean {'/'.join(['content', close[0], *parts[2:]])}?" if close else layout
    suffixes, nested = _PLACES[folder]
    stem = name.partition(".")[0] or name
    if os.path.splitext(name)[1].lower() not in suffixes:
        return f"content/{folder}/ reads {', '.join(suffixes)} files: name it {stem}{suffixes[0]}"
    return "" if nested else f"put it in content/{folder}/ itself, not in a subfolder"


def discover(site_dir: Path, problems: Problems) -> list[Source]:
    """Every source file of the site, sorted; symlinks leaving the site are reported."""
    root = site_dir.resolve()
    found: list[Source] = []
    candidates: list[tuple[str, bool]] = []  # (path relative to the site, is a symlink)
    if (site_dir / "site.yaml").exists() or (site_dir / "site.yaml").is_symlink():
        candidates.append(("site.yaml", (site_dir / "site.yaml").is_symlink()))
    for top in SOURCE_TOPS:
        if (site_dir / top).is_symlink():
            # A link would publish (or run as templates) files from anywhere on the machine.
            problems.error(top, 0, 0, "symlinked folders are not followed",
                           f"copy the folder into the site instead of linking {top}/")
        elif (site_dir / top).is_dir():
            _scan(str(site_dir), top, candidates, problems)
    for rel, link in candidates:
        kind = _kind(rel)
        if kind is not None and is_junk(rel.rpartition("/")[2]):
            problems.warning(rel, 0, 0, "file ignored: an editor backup or system file",
                             "delete it, or keep such files out of the repository (.gitignore)")
            continue
        if kind is None:
            if rel.startswith(("content/", "locales/")):
                problems.warning(rel, 0, 0, "file ignored: not a place sitegen reads", _place_hint(rel))
            continue
        if link and not _link_ok(site_dir, root, rel, problems):
            continue
        found.append(Source(rel, kind))
    found = _translations(site_dir, found, problems)
    statics = [s for s in found if s.kind == "static"]
    refused = _static_names(statics, problems)
    refused |= _static_policy(site_dir, found, [s for s in statics if s.rel not in refused], problems)
    return sorted((s for s in found if s.rel not in refused), key=lambda s: s.rel)


_TRANSLATED_KINDS = ("activity", "area", "page")


def translated(rel: str) -> tuple[str, str] | None:
    """For a translation's path (content/activities/x.fr.md), the path of its record
    (content/activities/x.md) and the language (fr); None for any other path."""
    stem, dot, suffix = rel.rpartition(".")
    name, dot2, lang = stem.rpartition(".")
    if not (dot and dot2 and suffix.lower() == "md" and "/" not in lang and 2 <= len(lang) <= 12):
        return None
    from .i18n import is_language
    return (f"{name}.{suffix}", lang) if is_language(lang) else None


def _translations(site_dir: Path, found: list[Source], problems: Problems) -> list[Source]:
    """The Markdown files named `<name>.<language>.md` beside a `<name>.md` are the
    translations of that record (kind "translation"), not records of their own. One beside
    no such file (a misspelt name) is a record of its own, with a warning; but an activity
    file whose front matter names none of an activity's facts is a translation whose record
    is missing: one error, not the errors of a record without its facts. Both name the
    record of the folder whose name is closest, if one is close."""
    rels = {s.rel for s in found if s.kind in _TRANSLATED_KINDS}
    out = []
    for s in found:
        base = translated(s.rel) if s.kind in _TRANSLATED_KINDS else None
        if base is not None and base[0] not in rels:
            record, lang = base
            near = _nearest(record, rels)
            rename = f"name it {near[:-3]}.{lang}.md to translate {near}" if near else None
            if s.kind == "activity" and not _has_facts(site_dir, s):
                problems.error(s.rel, 1, 1, f"a translation ('{lang}') of {record}, which does not exist",
                               rename or f"name it as the record it translates, <name>.{lang}.md beside <name>.md")
                continue
            problems.warning(s.rel, 0, 0, f"named as a translation ('{lang}') of {record}, which does not "
                             "exist: read as a record of its own",
                             f"{rename or 'name it as the file it translates'}, or {record} if it is the record")
        out.append(Source(s.rel, "translation") if base is not None and base[0] in rels else s)
    return out


def _nearest(rel: str, rels: set[str]) -> str | None:
    """The record (of `rels`, not a translation) of `rel`'s folder whose file name is closest
    to its name, if one is close (a misspelt translation's record)."""
    import difflib
    folder, _, name = rel.rpartition("/")
    names = sorted(r.rpartition("/")[2] for r in rels if r.rpartition("/")[0] == folder and translated(r) is None)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
    return f"{folder}/{close[0]}" if close else None


# an activity's facts, at the top level of its front matter (validate.activity)
_FACTS = re.compile(r"^(?:status|start|end|area|type|country|countries|participants)\s*:", re.M)


def _has_facts(site_dir: Path, source: Source) -> bool:
    """Whether the file's front matter names one of an activity's facts (or cannot be read
    as front matter, or at all: the record's own checks then say what is wrong; read_text
    never waits on a named pipe)."""
    text = read_text(site_dir, source, Problems())
    if text is None:
        return True
    split = split_front_matter(text)
    return isinstance(split, str) or bool(_FACTS.search(split[0]))


def _link_ok(site_dir: Path, root: Path, rel: str, problems: Problems) -> bool:
    """Whether a symlinked file may be read: it must resolve to a visible file of the site."""
    target = Path(os.path.realpath(site_dir / rel))  # never raises, even on a symlink loop
    if target.is_symlink() or not target.exists():
        problems.error(rel, 0, 0, "broken symlink (missing target or a loop); refused")
        return False
    if not target.is_relative_to(root):
        problems.error(rel, 0, 0, "symlink points outside the site folder; refused")
        return False
    inside = target.relative_to(root).parts
    if any(part.startswith(".") for part in inside) or inside[:1] == ("output",):
        problems.error(rel, 0, 0, "symlink points into a hidden folder or the output; refused")
        return False
    return True


def _static_policy(site_dir: Path, found: list[Source], statics: list[Source],
                   problems: Problems) -> set[str]:
    """Static files that would run code in readers' browsers (see static.py), reported."""
    allow: bool | None = None
    refused = set()
    for source in statics:
        suffix = os.path.splitext(source.rel)[1].lower()
        if allow is None and suffix not in static.INERT_SUFFIXES | static.SCRIPT_SUFFIXES:
            allow = _allow_raw_html(site_dir, found)
        why = static.refusal(site_dir / source.rel, bool(allow))
        if why is not None:
            problems.error(source.rel, why.line, why.column, why.message, why.hint)
            refused.add(source.rel)
    return refused


def _allow_raw_html(site_dir: Path, found: list[Source]) -> bool:
    """Whether site.yaml sets `allow_raw_html: true` (validate_site.site_config reports a bad value;
    discovery needs the setting before the configuration is validated)."""
    site = next((s for s in found if s.kind == "site"), None)
    if site is None:
        return False
    text = read_text(site_dir, site, Problems())
    try:
        data = yamlload.load(text or "", 0)[0]
    except yamlload.YamlError:
        return False
    return isinstance(data, dict) and data.get("allow_raw_html") is True


# Hidden names at the top of content/static/ that are published (the only dot entries an
# output has besides sitegen's marker): GitHub Pages' switch and RFC 8615's folder.
PUBLISHED_DOTS = frozenset({".nojekyll", ".well-known"})


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
        except FileNotFoundError:  # (removed while the site was read)
            continue
        except OSError as exc:  # (its files would be left out of the site without a word)
            problems.error(rel, 0, 0, f"cannot read this folder: {exc.strerror or exc}",
                           "make it readable (chmod u+rx), or move it out of the site")
            continue
        for entry in entries:
            if entry.name.startswith(".") and not (rel == "content/static" and entry.name in PUBLISHED_DOTS):
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
            elif folder and child == "content/plan.yaml":  # (else "missing plan")
                problems.error(child, 0, 0, "a folder, not a file: the plan is the file content/plan.yaml",
                               "move what the folder holds elsewhere and write the plan in its place")
            elif folder:
                stack.append(child)
            elif not link and not _regular(entry):  # (reading a named pipe waits for a writer)
                problems.error(child, 0, 0, "not a regular file (a named pipe, socket or device)",
                               "remove it from the site")
            else:
                out.append((child, link))


def _regular(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return True  # (gone, or unreadable: reading it says so)


# -- names that every common file system can hold -------------------------------------------
# Files a text editor or file manager leaves behind: never published (Hugo and MkDocs skip
# them too). Hidden ones (.#foo, .DS_Store, .foo.swp) are skipped by _scan already.
_JUNK = re.compile(r"(?:.*~|#.*#|\.#.*|~\$.*|.*\.(?:orig|rej|swp|swo|swx|bak|tmp)"
                   r"|\.ds_store|thumbs\.db|ehthumbs\.db|desktop\.ini)\Z", re.IGNORECASE | re.DOTALL)
# Names Windows reserves for devices, with any extension ("con.txt" is the console too).
_DEVICES = {"con", "prn", "aux", "nul", *(f"com{d}" for d in "0123456789\u00b9\u00b2\u00b3"),
            *(f"lpt{d}" for d in "0123456789\u00b9\u00b2\u00b3"), "conin$", "conout$"}
# Characters Windows refuses in file names (control characters are refused elsewhere too).
_WINDOWS_FORBIDDEN = re.compile('[<>:"|?*\\\\\x00-\x1f]')
# Characters that show as nothing: two names differing only by them look the same to
# editors and reviewers (and macOS drops some of them from file names).
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                        "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f"
                        "\ufeff\uffa0\U000e0000-\U000e0fff]")


def is_junk(name: str) -> bool:
    """Whether a file name is an editor backup, swap or lock file, or a system's folder notes."""
    return bool(_JUNK.match(name))


def fs_key(path: str) -> str:
    """The name a path has on the least distinguishing common file system (NTFS, APFS):
    NFC, case-folded, trailing dots and spaces of each part dropped, invisible characters
    removed. Two paths with one key are one file there."""
    if path.isascii():  # (most paths: NFC changes nothing, casefold is lower, nothing invisible)
        path = path.lower()
        if not (path.endswith((".", " ")) or "./" in path or " /" in path):
            return path
    path = _INVISIBLE.sub("", unicodedata.normalize("NFC", path)).casefold()
    return "/".join(part.rstrip(". ") for part in path.split("/"))


def name_problem(name: str) -> str:
    """Why a file or folder name cannot be written on every common file system ('' if it can)."""
    bad = _WINDOWS_FORBIDDEN.search(name)
    if bad:
        return f"the name holds {_show(bad.group())}, which Windows does not allow in file names"
    bad = _INVISIBLE.search(name)
    if bad:
        return f"the name holds the invisible character {_show(bad.group())}"
    if name != name.rstrip(". "):
        return "the name ends with a dot or a space, which Windows drops"
    if name.split(".")[0].rstrip(" ").casefold() in _DEVICES:
        return f"'{name.split('.')[0]}' is a device name on Windows (with any extension)"
    return ""


def _show(ch: str) -> str:
    """A character as a reader can see it: 'x' or U+XXXX."""
    return f"'{ch}'" if ch.isprintable() and not _INVISIBLE.match(ch) else f"U+{ord(ch):04X}"


def _static_names(statics: list[Source], problems: Problems) -> set[str]:
    """Static files whose names some file system cannot hold, or holds as another's; reported."""
    refused = set()
    seen: dict[str, str] = {}  # fs_key of a file or folder below content/static/ -> its path
    for source in statics:
        parts = source.rel.split("/")[2:]
        why = next((name_problem(p) for p in parts if name_problem(p)), "")
        if why:
            problems.error(source.rel, 0, 0, f"file name refused: {why}", "rename it")
            refused.add(source.rel)
            continue
        for i in range(1, len(parts) + 1):
            spelt = "/".join(parts[:i])
            key = fs_key(spelt)
            other = seen.setdefault(key, spelt)
            if other != spelt:
                problems.error(source.rel, 0, 0, f"'content/static/{spelt}' and 'content/static/{other}' "
                               "are one name on Windows and macOS (they differ only in case or "
                               "Unicode form)", "rename one of them")
                refused.add(source.rel)
                break
    return refused


def _limit(source: Source) -> int:
    """The size limit of a source file's kind."""
    return MAX_DATA_BYTES if source.kind in ("activity-list", "measurements") else MAX_FILE_BYTES


def read_bytes(site_dir: Path, source: Source) -> bytes:
    """The first bytes of a source file: one more than its kind's size limit (OSError if unreadable)."""
    return read_bytes_stat(site_dir, source)[0]


def read_bytes_stat(site_dir: Path, source: Source) -> tuple[bytes, os.stat_result]:
    """read_bytes, and the file's stat as it was before the read."""
    limit = _limit(source)
    # (O_BINARY: Windows opens in text mode without it, and reads stop at a byte 0x1A;
    # O_NONBLOCK: opening a named pipe would wait for a writer, forever)
    fd = os.open(os.path.join(site_dir, source.rel), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise OSError(errno.EISDIR, "a folder, not a file")
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file (a named pipe or a device?)")
        parts, left = [], limit + 1
        while left > 0:
            part = os.read(fd, min(left, 1 << 20))
            if not part:
                break
            parts.append(part)
            left -= len(part)
        return (parts[0] if len(parts) == 1 else b"".join(parts)), st
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
    # (where it ends: the last of the lines that read as YAML, before a blank line or the text)
    last = 1
    while last < len(lines) and _KEY_LINE.match(lines[last]):
        last += 1
    return f"front matter is not closed: add a line '---' after line {last} (its last key), before the text"


def read_document(site_dir: Path, source: Source, problems: Problems,
                  raw: bytes | None = None) -> Document | None:
    """Read one content file into a Document, reporting any problem with its location."""
    text = read_text(site_dir, source, problems, raw)
    if text is None:
        return None
    if source.rel.lower().endswith(".md"):  # (as _kind reads it: x.MD is a record too)
        split = split_front_matter(text)
        if isinstance(split, str) and source.kind == "translation" and not text.lstrip("\n").startswith("---"):
            split = ("", text, 1)  # (a translation of the body alone keeps the record's title)
        if isinstance(split, str):
            problems.error(source.rel, 1, 1, split)
            return None
        yaml_text, body, body_line = split
        data = _load_yaml(source, yaml_text, 1, problems, front_matter=True)
        if data is _FAILED:
            return None
        if data is None:
            data = yamlload.YDict()
            data.line, data.column = 1, 1
        return Document(source, data, body, body_line)
    if source.rel.endswith((".csv", ".po")):
        return Document(source, text, "", 1)
    data = _load_yaml(source, text, 0, problems)
    if data is _FAILED:
        return None
    return Document(source, data, "", 1)


_FAILED = object()
# A line of YAML front matter: a key ("start:"), a list item, or a comment ("# ...", not a
# Markdown heading "## ...")
_KEY_LINE = re.compile(r"[ \t]*(?:-[ \t]|#(?!#)|[\w-]+:(?:[ \t]|$))")


def _unclosed_front_matter(text: str, failed: int) -> int:
    """The line (1-based in `text`) of the blank line where a front matter without its
    closing '---' seems to end: before the line `failed`, after its keys, and followed by
    a line that is not YAML (prose: "The workshop...", a heading "## Programme"); 0 if none."""
    lines = text.split("\n")
    for n in range(1, min(failed, len(lines)) - 1):
        if not lines[n].strip() and lines[n - 1].strip() and lines[n + 1].strip() \
                and not _KEY_LINE.match(lines[n + 1]):
            return n + 1
    return 0


def _load_yaml(source: Source, text: str, offset: int, problems: Problems, front_matter: bool = False) -> Any:
    try:
        data, found = yamlload.load(text, offset)
    except yamlload.YamlError as exc:
        end = _unclosed_front_matter(text, exc.line - offset) if front_matter else 0
        if end:  # (its body's text read as YAML, up to a "---" rule further down)
            problems.error(source.rel, end + offset, 1, "front matter is not closed: the line '---' that "
                           "ends it is missing here, after its last key",
                           "without it, the text below is read as YAML up to the next '---' line")
        else:
            problems.error(source.rel, exc.line, exc.column, exc.message, exc.hint)
        return _FAILED
    for p in found:
        problems.error(source.rel, p.line, p.column, p.message)
    return data
