"""Typed reading of one YAML mapping, reporting every bad field at its own line."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from .errors import Problems
from .yamlload import YDict, YList

# Matched with fullmatch: `$` would also match before a final newline ("abc\n").
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOOL_WORDS = "YAML reads yes/no/on/off/true/false as booleans; put the value in quotes"
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10)), "index", "page", "data", "assets"}
# Letters and digits of any script (documented), '_', '-' and '.'. `\w` also takes the four
# Hangul fillers, letters by category that show as nothing: refused, as are the format
# characters `\w` never takes (zero-width space and joiners, bidirectional marks).
_ID = re.compile(r"(?![\u115f\u1160\u3164\uffa0])\w(?:(?![\u115f\u1160\u3164\uffa0])[\w.-])*")
# Numbers beyond this are refused: no plan counts that far, and sums stay exact in floats.
MAX_NUMBER = 1e15
# Dates outside these years are typos (9999-12-31, 0201-05-01); charts span the plan per quarter.
MIN_YEAR, MAX_YEAR = 1900, 2199
# Characters XML 1.0 forbids; YAML escapes ("\x01") could put them into any text value.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint, or a list of the valid choices when there are few."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if len(choices) <= 8:
        return "known: " + ", ".join(choices) if choices else ""
    return ""


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "nothing"
    return type(value).__name__


_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower-case, NFC-normalised slug of letters, digits and single hyphens."""
    if text.isascii():  # the same result, without the loop over characters
        return _NOT_ASCII_ALNUM.sub("-", text.lower()).strip("-")
    text = unicodedata.normalize("NFC", text).casefold()
    out = []
    for ch in text:
        out.append(ch if ch.isalnum() else "-")
    return re.sub(r"-{2,}", "-", "".join(out)).strip("-")


def id_problem(value: str) -> str:
    """Why `value` cannot be used as an id in a URL, or '' when it can."""
    if not value:
        return "an id cannot be empty"
    if len(value) > 120:
        return "an id is limited to 120 characters"
    if not _ID.fullmatch(value) or ".." in value:
        return ("an id may hold only letters, digits, '-', '_' and '.', "
                "and cannot start with '.' or contain '..' or '/'")
    if value.casefold() in _RESERVED:
        return f"'{value}' is a reserved name"
    return ""


def day_of(text: str) -> dt.date | None:
    """The date of a YYYY-MM-DD text within MIN_YEAR-MAX_YEAR, else None (Fields.date says why)."""
    if not _DATE.fullmatch(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


_YAML_TEXT_NUMBER = re.compile(r"[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+")
_NUMBER_TEXT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # ("4", "4.5": a number in quotes)


class Fields:
    """Reads typed values out of one mapping of one file, reporting problems as it goes."""

    def __init__(self, rel: str, data: YDict, problems: Problems, what: str):
        self.rel, self.data, self.problems, self.what = rel, data, problems, what
        self.ok = True

    # -- locating and reporting ---------------------------------------------------------
    def at(self, key: str) -> tuple[int, int]:
        return self.data.where(key)

    def error(self, key: str, message: str, hint: str = "") -> None:
        line, col = self.at(key)
        self.problems.error(self.rel, line, col, message, hint)
        self.ok = False

    def _wrong_type(self, key: str, expected: str, value: Any, raw: str | None = None) -> None:
        raw = raw if raw is not None else self.data.raw.get(key)
        shown = f" {raw!r}" if raw is not None else ""
        hint = _BOOL_WORDS if isinstance(value, bool) else ""
        if expected == "text" and isinstance(value, (int, float)) and not isinstance(value, bool):
            hint = "put the value in quotes"
        elif expected == "a number" and isinstance(value, str) and _YAML_TEXT_NUMBER.fullmatch(value.strip()):
            # (YAML 1.1 reads an exponent without a point, 1e+15, as text)
            mantissa, exponent = re.split("[eE]", value.strip())
            sign = "" if exponent[0] in "+-" else "+"
            hint = f"YAML reads {value.strip()} as text: write {mantissa}.0e{sign}{exponent}"
        elif expected == "a number" and isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
            hint = "write the number without quotes: quoted, it is text"
        self.error(key, f"'{key}': expected {expected}, got {type_name(value)}{shown}", hint)

    def unknown_keys(self, known: Iterable[str]) -> None:
        known = set(known)
        for key in self.data:
            if key not in known:
                line, col = self.at(key)
                self.problems.warning(self.rel, line, col, f"unknown key '{key}' in {self.what}",
                                      did_you_mean(str(key), known))

    def _missing(self, key: str, empty: str = "") -> None:
        """Reports a required key: absent, or (given `empty`, the message for it) present without a
        value. Absent beside a key spelt like it (`stauts:`), the error is on that key's line."""
        if empty and key in self.data:
            self.error(key, empty)
            return
        typo = difflib.get_close_matches(key, [k for k in self.data if isinstance(k, str)], n=1, cutoff=0.75)
        if typo:
            self.error(typo[0], f"missing required key '{key}' in {self.what}",
                       f"is '{typo[0]}' a misspelling of '{key}'?")
        else:
            self.error(key, f"missing required key '{key}' in {self.what}")

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    # -- typed getters -------------------------------------------------------------------
    def flag(self, key: str, default: bool = False) -> bool:
        """A true/false key (an error for anything else, e.g. "yes" quoted or 1)."""
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.error(key, f"'{key}': expected true or false, not {value!r}")
            return default
        return value

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self._missing(key, f"'{key}' must not be empty")
            return default
        if not isinstance(value, str):
            self._wrong_type(key, "text", value)
            return default
        if _CONTROL.search(value):
            self.error(key, f"'{key}' contains the control character "
                       f"U+{ord(_CONTROL.search(value).group()):04X}")  # type: ignore[union-attr]
            return default
        return value

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self._missing(key, f"'{key}': date expected (YYYY-MM-DD)")
            return None
        return self.parse_date(key, value)

    def parse_date(self, key: str, value: Any, raw: str | None = None) -> dt.date | None:
        """A YYYY-MM-DD text within MIN_YEAR-MAX_YEAR as a date; any other value is reported."""
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            shown = raw if raw is not None else self.data.raw.get(key, value)
            self.error(key, f"'{key}': date expected as YYYY-MM-DD, got {shown!r}")
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.error(key, f"'{key}': {value} is not a real date")
            return None
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            self.error(key, f"'{key}': {value} is outside the years {MIN_YEAR}-{MAX_YEAR}")
            return None
        return day

    def number(self, key: str, required: bool = False, default: float = 0.0,
               minimum: float | None = None) -> float:
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return default
        return self.check_number(key, value, minimum, default)

    def check_number(self, key: str, value: Any, minimum: float | None,
                     default: float = 0.0) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._wrong_type(key, "a number", value)
            return default
        if isinstance(value, int) and abs(value) > MAX_NUMBER:
            value = math.inf if value > 0 else -math.inf  # float(value) could overflow
        if math.isnan(value) or math.isinf(value) or abs(value) > MAX_NUMBER:
            raw = self.data.raw.get(key) if isinstance(self.data, YDict) else None
            shown = raw[:24] + ("..." if len(raw) > 24 else "") if raw else f"{value:g}"
            self.error(key, f"'{key}': expected a finite number up to {MAX_NUMBER:.0e}, got {shown}")
            return default
        if minimum is not None and value < minimum:
            least = "must not be negative" if minimum == 0 else f"must be at least {minimum:g}"
            self.error(key, f"'{key}' {least}, got {value:g}")
            return default
        return float(value)

    def text_list(self, key: str, allow_single: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if allow_single and isinstance(value, str):
            return (value,)
        if not isinstance(value, list):
            self._wrong_type(key, "a list", value)
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str) and _CONTROL.search(item):
                line, col = value.where(i) if isinstance(value, YList) else self.at(key)
                self.problems.error(self.rel, line, col, f"'{key}': an item contains the control "
                                    f"character U+{ord(_CONTROL.search(item).group()):04X}")  # type: ignore[union-attr]
                self.ok = False
                continue
            if not isinstance(item, str) or not item:
                raw = value.raw[i] if isinstance(value, YList) else None
                line, col = value.where(i) if isinstance(value, YList) else self.at(key)
                shown = f" {raw!r}" if raw is not None else ""
                hint = _BOOL_WORDS if isinstance(item, bool) else (
                    "put the value in quotes" if isinstance(item, (int, float)) else "")
                self.problems.error(self.rel, line, col,
                                    f"'{key}': expected text items, got {type_name(item)}{shown}",
                                    hint)
                self.ok = False
                continue
            out.append(item)
        return tuple(out)

    def mapping(self, key: str) -> YDict | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, YDict):
            self._wrong_type(key, "a mapping", value)
            return None
        return value

    def item_where(self, key: str, index: int) -> tuple[int, int]:
        value = self.data.get(key)
        if isinstance(value, YList):
            return value.where(index)
        return self.at(key)

    def sub(self, value: YDict, what: str) -> Fields:
        return Fields(self.rel, value, self.problems, what)
