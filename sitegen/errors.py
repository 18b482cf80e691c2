"""Located problems in content, and how they are printed."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One error or warning, located at `path:line:column` (path relative to the site)."""

    path: str
    line: int
    column: int
    severity: str  # "error" | "warning"
    message: str
    hint: str = ""

    def text(self) -> str:
        """The `path:line:column: error: message` form used on the terminal, on one line."""
        loc = _one_line(self.path)
        if self.line:
            loc += f":{self.line}:{self.column or 1}"
        out = f"{loc}: {self.severity}: {_one_line(self.message)}"
        if self.hint:
            out += f" ({_one_line(self.hint)})"
        return out

    def github(self) -> str:
        """A GitHub Actions workflow command that annotates the pull request.

        File names, keys and values quoted in messages come from the pull request: escaped as
        the runner unescapes them (actions/toolkit core's command.ts), a newline cannot start
        a command of its own, nor a ',' or ':' in a file name end or move the annotation.
        """
        kind = "error" if self.severity == "error" else "warning"
        msg = self.message + (f" ({self.hint})" if self.hint else "")
        parts = [f"file={_escape_property(self.path)}"]
        if self.line:
            parts += [f"line={self.line}", f"col={self.column or 1}"]
        elif self.path[-1:].isspace():
            parts.append("title=sitegen")  # the runner trims the properties' trailing space
        return f"::{kind} {','.join(parts)}::{_escape_data(msg)}"

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "column": self.column,
                "severity": self.severity, "message": self.message, "hint": self.hint}


# Control characters (tab aside): a file name or YAML key holding a newline must not start a
# line of its own in the terminal or a CI log (where a line starting with `::` is a command).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def counted(n: int, noun: str) -> str:
    """"1 error", "3 errors": a count for the command line (its messages are English)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _one_line(text: str) -> str:
    """`text` with control characters shown as escapes (`\\n`, `\\x1b`)."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: {"\n": "\\n", "\r": "\\r"}.get(
        m.group(), f"\\x{ord(m.group()):02x}"), text)


def _escape_data(text: str) -> str:
    """Workflow-command data as GitHub's runner reads it back (command.ts escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow-command property value (command.ts escapeProperty)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# Part of the warning of a record, or of the plan, not translated into one of the site's
# languages (validate_texts.py): `--strict` leaves it a warning (see `strictly`).
UNTRANSLATED = "is not translated into"


def strictly(items: Iterable[Problem]) -> list[Problem]:
    """The problems as `--strict` reports them: every warning an error but a missing
    translation's, which `require_translations: true` makes an error (a multilingual site
    translates as it goes: otherwise --strict in its CI failed every pull request until
    everything was translated, and a misspelt key passed with the rest)."""
    return [Problem(p.path, p.line, p.column, "error", p.message, p.hint)
            if p.severity == "warning" and UNTRANSLATED not in p.message else p for p in items]


@dataclass
class Problems:
    """Collects every problem of a run, so that all are reported at once."""

    items: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int, column: int, message: str, hint: str = "") -> None:
        self.items.append(Problem(path, line, column, "error", message, hint))

    def warning(self, path: str, line: int, column: int, message: str, hint: str = "") -> None:
        self.items.append(Problem(path, line, column, "warning", message, hint))

    def extend(self, other: Iterable[Problem]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def sorted(self) -> list[Problem]:
        """Problems in a stable order: by file, then line."""
        return sorted(set(self.items))


class ContentError(Exception):
    """Raised when a build cannot go on; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(p.text() for p in self.problems))


class UsageError(Exception):
    """A problem with how sitegen was called (exit status 2)."""


# On the terminal, a warning that many files share (a multilingual site's records not yet
# translated: one per record) is shown for the first SHOWN files, then counted: a hundred
# alike would bury the one that differs. Errors are all listed; JSON and GitHub get all.
ALIKE, SHOWN = 11, 5


def format_problems(problems: list[Problem], fmt: str) -> str:
    """Render problems as text, GitHub annotations or JSON."""
    if fmt == "json":
        return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(p.github() for p in problems)
    alike = Counter(p.message for p in problems if p.severity == "warning")
    lines, seen = [], Counter[str]()
    for p in problems:
        many = p.severity == "warning" and alike[p.message] >= ALIKE
        if many:
            seen[p.message] += 1
            if seen[p.message] > SHOWN:
                continue
        lines.append(p.text())
        if many and seen[p.message] == SHOWN:
            lines.append(f"  ... and {alike[p.message] - SHOWN} more with this warning "
                         "(`sitegen check --format json` lists them all)")
    return "\n".join(lines)
