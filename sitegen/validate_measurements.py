"""Measurement files (CSV and YAML) -> measurements of the plan's `source: measurements`
indicators, with their disaggregation; part of validate.py's work (see its docstring)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from typing import Any

from . import disaggregation
from . import model as m
from .content import CONTROL, Document
from .errors import Problems
from .fields import MAX_NUMBER, Fields, day_of, did_you_mean
from .validate import where_of
from .yamlload import YDict, YList

# -- measurements ---------------------------------------------------------------------------

# Measurement rows a site may hold, all files together: far more than a plan measures, and
# few enough that a build lists each on its indicator's page in a second or two. (A 20 MB
# table holds a million rows: reading stops at the limit, in bounded time and memory.)
MAX_MEASUREMENTS = 100_000
MEASUREMENT_KEYS = ("indicator", "date", "value", "note")


def measurements(docs: list[Document], plan_: m.Plan | None, problems: Problems) -> list[m.Measurement]:
    """CSV and YAML measurement files -> measurements of known `source: measurements` indicators."""
    known = {i.id: i for i in plan_.indicators} if plan_ else None
    out: list[m.Measurement] = []
    read = 0
    for doc in docs:
        if doc.source.rel.endswith(".csv"):
            n = _csv_measurements(doc, known, problems, out, MAX_MEASUREMENTS - read)
        else:
            n = _yaml_measurements(doc, known, problems, out, MAX_MEASUREMENTS - read)
        if n < 0:
            break  # the limit: reported where it was passed
        read += n
    out.sort(key=lambda x: (x.indicator, x.date, x.loc.path, x.loc.line))
    seen: dict[tuple[str, dt.date, tuple[tuple[str, str], ...]], m.Measurement] = {}
    for x in out:
        key = (x.indicator, x.date, x.dimensions)
        before = seen.get(key)
        if before is not None:
            part = "".join(f", {name} {category}" for name, category in x.dimensions)
            problems.warning(x.loc.path, x.loc.line, 1,
                             f"'{x.indicator}'{part} is measured twice on {x.date.isoformat()} (also at "
                             f"{before.loc.path}:{before.loc.line}); this value is the one used")
        seen[key] = x
    if known is not None:
        _check_parts(out, known, problems)
    return out


def _check_parts(out: list[m.Measurement], known: dict[str, m.Indicator], problems: Problems) -> None:
    """Each total against the sum of its parts by each dimension (a warning at the total's
    row when they disagree: a complete breakdown must sum to it, an incomplete one may not
    exceed it); without a total, the complete breakdowns against each other."""
    by_day: dict[tuple[str, dt.date], list[m.Measurement]] = {}
    for x in out:
        if known.get(x.indicator) is not None and known[x.indicator].dimensions:
            by_day.setdefault((x.indicator, x.date), []).append(x)
    for (ind_id, day), found in by_day.items():
        ind, rows = known[ind_id], disaggregation.distinct(found)
        whole = next((x for x in rows if not x.dimensions), None)
        first: tuple[str, float] | None = None
        for name, _ in ind.dimensions:
            parts, used = disaggregation.margin(ind, rows, name)
            if not parts:
                continue
            added = math.fsum(parts.values())
            full = disaggregation.complete(ind, name, parts)
            where = ", ".join(sorted({f"{x.loc.path}:{x.loc.line}" for x in used}))
            if whole is not None:
                if (disaggregation.differ(added, whole.value) and full) or (
                        added > whole.value and disaggregation.differ(added, whole.value)):
                    problems.warning(whole.loc.path, whole.loc.line, 1,
                                     f"'{ind_id}' on {day.isoformat()}: the total {whole.value:g} is not the sum "
                                     f"of its parts by {name}, {added:g}"
                                     + ("" if full else " (given for some categories only)"),
                                     f"the parts are at {where}; correct the total or the parts")
            elif full and first is None:
                first = (name, added)
            elif full and first is not None and disaggregation.differ(added, first[1]):
                at = min(used, key=lambda x: (x.loc.path, x.loc.line))
                problems.warning(at.loc.path, at.loc.line, 1,
                                 f"'{ind_id}' on {day.isoformat()}: the parts by {name} sum to {added:g}, "
                                 f"those by {first[0]} to {first[1]:g}",
                                 f"the parts are at {where}; a row without dimensions would give the total")


def _too_many(rel: str, line: int, problems: Problems) -> int:
    problems.error(rel, line, 1, f"more than {MAX_MEASUREMENTS:,} measurements in the site "
                   "(this row is one too many)", "keep measurements that show progress, e.g. one "
                   "per indicator and month; summarise finer data before it goes into the site")
    return -1


def _measurement(f: Fields, known: dict[str, m.Indicator] | None, out: list[m.Measurement]) -> None:
    """One measurement record (a YAML mapping or a CSV row), checked field by field; its keys
    beyond `MEASUREMENT_KEYS` are its dimensions (an empty one: none)."""
    parts, ok = _parts(f, known)
    f = _standard_keys(f, ok)
    f.unknown_keys(MEASUREMENT_KEYS)
    ind = f.text("indicator", required=True)
    date = f.date("date", required=True)
    value = f.number("value", required=True)
    if ind and known is not None:
        if ind not in known:
            f.error("indicator", f"measurement for unknown indicator '{ind}'",
                    did_you_mean(ind, known))
        elif known[ind].source != "measurements":
            f.error("indicator", f"indicator '{ind}' has source '{known[ind].source}'; "
                    "measurements are only used with source: measurements")
    if f.ok and date:
        out.append(m.Measurement(ind, date, value, f.text("note"), m.Loc(f.rel, f.data.line), parts))


def _parts(f: Fields, known: dict[str, m.Indicator] | None) -> tuple[tuple[tuple[str, str], ...], bool]:
    """A measurement's dimensions, (name, category) in the order its indicator declares them,
    and whether they are all declared (an undeclared dimension or category is an error)."""
    extra = [key for key in f.data if key not in MEASUREMENT_KEYS]
    ind = f.data.get("indicator")
    if not extra or known is None or not isinstance(ind, str) or ind not in known:
        return (), True  # (an unknown indicator is reported once, at its key)
    declared = dict(known[ind].dimensions)
    found: dict[str, str] = {}
    ok = True
    for key in extra:
        name = str(key)
        if f.data[key] is None or f.data[key] == "":
            continue  # (a CSV column of another indicator's dimension, empty here)
        if name not in declared:
            its = f"its dimensions: {', '.join(declared)}" if declared else "it declares none"
            hint = did_you_mean(name, [*declared, *MEASUREMENT_KEYS])
            if not hint.startswith("did you mean"):
                hint = f"declare it on the indicator in content/plan.yaml: dimensions: {{{name}: [...]}}"
            f.error(key, f"'{name}' is not a dimension of indicator '{ind}' ({its})", hint)
            ok = False
            continue
        category = f.text(key)
        if category and category not in declared[name]:
            hint = did_you_mean(category, declared[name])
            if not hint.startswith("did you mean"):
                hint = f"its categories: {', '.join(declared[name])}"
            f.error(key, f"'{category}' is not a category of dimension '{name}' of indicator '{ind}'", hint)
        if category in declared[name]:
            found[name] = category
        else:
            ok = False
    order = list(declared)
    return tuple(sorted(found.items(), key=lambda kv: order.index(kv[0]))), ok


def _standard_keys(f: Fields, ok: bool) -> Fields:
    """The measurement without its dimensions, for the checks of its other keys."""
    if all(key in MEASUREMENT_KEYS for key in f.data):
        out = f
    else:
        data = YDict()
        data.line, data.column = f.data.line, f.data.column
        for key in f.data:
            if key in MEASUREMENT_KEYS:
                data[key] = f.data[key]
                if key in f.data.marks:
                    data.marks[key] = f.data.marks[key]
                if key in f.data.raw:
                    data.raw[key] = f.data.raw[key]
        out = Fields(f.rel, data, f.problems, f.what)
    out.ok = f.ok and ok
    return out


def _yaml_measurements(doc: Document, known: dict[str, m.Indicator] | None, problems: Problems,
                       out: list[m.Measurement], limit: int) -> int:
    """A YAML list of measurements into `out`: rows read, or -1 beyond `limit`."""
    if doc.data is None:
        return 0
    if not isinstance(doc.data, YList):
        line, col = where_of(doc)
        problems.error(doc.source.rel, line or 1, col or 1,
                       "a measurements file must be a YAML list of {indicator, date, value, note}")
        return 0
    for i, item in enumerate(doc.data):
        if i >= limit:
            return _too_many(doc.source.rel, doc.data.where(i)[0], problems)
        if not isinstance(item, YDict):
            line, col = doc.data.where(i)
            problems.error(doc.source.rel, line, col, "each measurement must be a mapping")
            continue
        _measurement(Fields(doc.source.rel, item, problems, "a measurement"), known, out)
    return len(doc.data)


def _csv_measurements(doc: Document, known: dict[str, m.Indicator] | None, problems: Problems,
                      out: list[m.Measurement], limit: int) -> int:
    """A CSV table of measurements into `out`: rows read, or -1 beyond `limit`.

    A row whose cells are all fine becomes a Measurement directly (a million rows must not
    cost a mapping and a Fields each); any other row takes _measurement, for the messages a
    YAML record gets, located at the cell's line and column.
    """
    rel, text = doc.source.rel, doc.data
    mine = Problems()  # kept only when the whole file is valid CSV, as before
    start = len(out)
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        n = _csv_table(rel, text, reader, known, mine, out, limit)
    except csv.Error as exc:
        del out[start:]
        problems.error(rel, reader.line_num or 1, 1, f"invalid CSV: {exc}")
        return 0
    problems.extend(mine.items)
    return n


def _csv_table(rel: str, text: str, reader: Any, known: dict[str, m.Indicator] | None,
               problems: Problems, out: list[m.Measurement], limit: int) -> int:
    first = next(reader, None)
    if first is None:
        return 0
    header = [h.strip() for h in first]
    missing = [h for h in MEASUREMENT_KEYS[:3] if h not in header]
    if missing:
        # (a spreadsheet set to a language that writes decimal commas saves "indicator;date;value")
        other = next((sep for sep in ";\t|" if len(header) == 1 and sep in header[0]), "")
        problems.error(rel, 1, 1, "CSV header must be 'indicator,date,value,note' "
                       f"(missing: {', '.join(missing)})",
                       f"the columns are separated by {'a tab' if other == chr(9) else repr(other)}: "
                       "save it as CSV with commas between the columns" if other else "")
        return 0
    plain = len(set(header)) == len(header)
    if not plain:  # (each row then takes _measurement, which reads a repeated column's last cell)
        marks = _cell_marks(text.split("\n"), 1)
        for k, name in enumerate(header):
            if name in header[:k]:
                problems.warning(rel, 1, marks[k][1] if k < len(marks) else 1,
                                 f"column '{name}' appears twice in the header; its last cell is read")
    at = {name: header.index(name) for name in MEASUREMENT_KEYS if name in header}
    # the other columns are dimensions: (name, index), and each indicator's categories of each
    dim_at = [(name, k) for k, name in enumerate(header) if name not in MEASUREMENT_KEYS]
    ok_ids = ({i for i, ind in known.items() if ind.source == "measurements"}
              if known is not None else None)
    declared = ({i: {name: (n, set(values)) for n, (name, values) in enumerate(ind.dimensions)}
                 for i, ind in known.items()} if known is not None else {})
    days: dict[str, dt.date | None] = {}
    lines: list[str] | None = None
    rows, prev = 0, reader.line_num
    for row in reader:
        line, prev = prev + 1, reader.line_num  # the record's first line (quoted cells may span lines)
        if not any(cell.strip() for cell in row):
            continue
        if rows >= limit:
            return _too_many(rel, line, problems)
        rows += 1
        if plain and len(row) == len(header):
            ind, day_text = row[at["indicator"]].strip(), row[at["date"]].strip()
            note = row[at["note"]].strip() if "note" in at else ""
            day = days[day_text] if day_text in days else days.setdefault(day_text, day_of(day_text))
            value = _csv_number(row[at["value"]].strip())
            parts = _csv_parts(row, dim_at, declared.get(ind)) if dim_at else ()
            if (day is not None and value is not None and ind and parts is not None
                    and (ind in ok_ids if ok_ids is not None else not CONTROL.search(ind))
                    and not CONTROL.search(note)):
                out.append(m.Measurement(ind, day, value, note, m.Loc(rel, line), parts))
                continue
        if lines is None:
            lines = text.split("\n")
        if len(row) != len(header):
            problems.error(rel, line, 1, f"row has {len(row)} cells, the header has {len(header)}")
            continue
        _measurement(Fields(rel, _csv_record(header, row, lines, line), problems, "a measurement"),
                     known, out)
    return rows


def _csv_parts(row: list[str], dim_at: list[tuple[str, int]],
               declared: dict[str, tuple[int, set[str]]] | None) -> tuple[tuple[str, str], ...] | None:
    """A CSV row's dimensions when each is a declared category of its indicator's (in the
    declared order), else None (the row then takes _measurement, for its messages)."""
    found = []
    for name, k in dim_at:
        cell = row[k].strip()
        if not cell:
            continue
        if declared is None or name not in declared or cell not in declared[name][1]:
            return None
        found.append((declared[name][0], name, cell))
    return tuple((name, cell) for _, name, cell in sorted(found))


def _csv_number(cell: str) -> float | None:
    """A CSV cell's number as Fields.number takes it, or None for anything it would report."""
    try:
        value = float(cell) if any(c in cell for c in ".eE") else int(cell)
    except ValueError:
        return None
    if isinstance(value, int):
        return float(value) if abs(value) <= MAX_NUMBER else None
    return value if math.isfinite(value) and abs(value) <= MAX_NUMBER else None


def _csv_record(header: list[str], row: list[str], lines: list[str], line: int) -> YDict:
    """A CSV row as the mapping a YAML record gives, each cell located at its line and column."""
    data = YDict()
    data.line, data.column = line, 1
    marks = _cell_marks(lines, line)
    for k, (name, cell) in enumerate(zip(header, row)):
        value: Any = cell.strip()
        if name == "value" and value:
            try:
                value = float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                pass
        data[name] = value if value != "" else None
        data.marks[name] = marks[k] if k < len(marks) else (line, 1)
        data.raw[name] = cell
    return data


def _cell_marks(lines: list[str], line: int) -> list[tuple[int, int]]:
    """Line and column where each cell of the CSV record starting on `line` begins, counting
    the quotes of quoted cells and following a quoted cell onto the next lines."""
    marks = [(line, 1)]
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    i, at_start, quoted = 0, True, False
    while True:
        if i >= len(text):
            if not quoted or line >= len(lines):
                return marks
            line, i, text = line + 1, 0, lines[line]  # the quoted cell goes on
            continue
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1:i + 2] == '"':
                i += 1  # an escaped quote
            elif ch == '"':
                quoted = False
        elif ch == '"' and at_start:
            quoted = True
        elif ch == ",":
            marks.append((line, i + 2))
            at_start = True
            i += 1
            continue
        at_start = False
        i += 1
