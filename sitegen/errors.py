"""Located problems in content, and how they are printed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable


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
        """The `path:line:column: error: message` form used on the terminal."""
        loc = self.path
        if self.line:
            loc += f":{self.line}:{self.column or 1}"
        out = f"{loc}: {self.severity}: {self.message}"
        if self.hint:
            out += f" ({self.hint})"
        return out

    def github(self) -> str:
        """A GitHub Actions workflow command that annotates the pull request."""
        kind = "error" if self.severity == "error" else "warning"
        msg = self.message + (f" ({self.hint})" if self.hint else "")
        msg = msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        parts = [f"file={self.path}"]
        if self.line:
            parts += [f"line={self.line}", f"col={self.column or 1}"]
        return f"::{kind} {','.join(parts)}::{msg}"

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "column": self.column,
                "severity": self.severity, "message": self.message, "hint": self.hint}


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


def format_problems(problems: list[Problem], fmt: str) -> str:
    """Render problems as text, GitHub annotations or JSON."""
    if fmt == "json":
        return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(p.github() for p in problems)
    return "\n".join(p.text() for p in problems)
