"""How the theme writes numbers, dates and status words (its `num`, `date` and `slug` filters)."""

from __future__ import annotations

import datetime as dt

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def status_class(word: str) -> str:
    """The CSS class suffix of a status (the theme's `slug` filter)."""
    return word.replace(" ", "-")


def fmt_num(value: float | None) -> str:
    """A number as the theme shows it (the `num` filter): thousands separated, one decimal."""
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def fmt_date(value: dt.date | None) -> str:
    """A date as the theme shows it (the `date` filter): 4 May 2017."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}" if value else ""
