"""content/plan.yaml -> Plan: areas, indicators (targets, milestones, sources, dimensions)
and the results chain; part of validate.py's work (see its docstring)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from . import model as m
from .content import Document, name_problem
from .errors import Problems
from .fields import Fields, did_you_mean, id_problem
from .validate import (
    AREA_KEYS,
    COLOR,
    INDICATOR_KEYS,
    INDICATOR_META_KEYS,
    PLAN_KEYS,
    SUM_FIELDS,
    WHERE_KEYS,
    check_url,
    country_code,
    mapping_of,
)
from .validate_measurements import MEASUREMENT_KEYS
from .yamlload import YDict

# -- plan.yaml ------------------------------------------------------------------------------

def plan(doc: Document | None, problems: Problems, unreadable: bool = False) -> m.Plan | None:
    """content/plan.yaml -> Plan, or None when it is missing or unusable (`unreadable`: it
    exists, and reading it gave errors, reported already)."""
    if doc is None:
        if not unreadable and not any(p.path == "content/plan.yaml" for p in problems.errors):
            problems.error("content/plan.yaml", 0, 0, "missing plan: create content/plan.yaml",
                           "`sitegen init DIR` writes a minimal one")
        return None
    data = mapping_of(doc, problems, "the plan")
    if data is None:
        return None
    rel = doc.source.rel
    f = Fields(rel, data, problems, "the plan")
    f.unknown_keys(PLAN_KEYS)
    start, end = f.date("start", required=True), f.date("end", required=True)
    if start and end and end < start:
        f.error("end", f"'end' ({end}) is before 'start' ({start})")
    partners = []
    raw_partners = data.get("partners") or []
    if not isinstance(raw_partners, list):
        f.error("partners", "'partners': expected a list of {name, url}")
        raw_partners = []
    for i, item in enumerate(raw_partners):
        if isinstance(item, str):
            partners.append(m.Partner(item))
            continue
        if not isinstance(item, YDict):
            line, col = f.item_where("partners", i)
            problems.error(rel, line, col, "a partner must be a name or {name, url}")
            continue
        pf = f.sub(item, "a partner")
        pf.unknown_keys({"name", "url"})
        url = pf.text("url")
        partners.append(m.Partner(pf.text("name", required=True), check_url(pf, "url", url) if url else ""))
    types = f.text_list("activity_types") or m.DEFAULT_TYPES
    areas: list[m.Area] = []
    links: list[tuple[str, str, int, int]] = []  # (indicator, the indicator it contributes to, where)
    raw_areas = data.get("areas")
    if raw_areas is None:
        f.error("areas", "missing required key 'areas' in the plan")
    elif not isinstance(raw_areas, list):
        f.error("areas", "'areas': expected a list of areas")
    else:
        seen_areas: dict[str, int] = {}
        seen_inds: dict[str, int] = {}
        for i, item in enumerate(raw_areas):
            if not isinstance(item, YDict):
                line, col = f.item_where("areas", i)
                problems.error(rel, line, col, "an area must be a mapping with id, title, ...")
                continue
            area = _area(f.sub(item, "an area"), seen_areas, seen_inds, links)
            if area is not None:
                areas.append(area)
    # A plan with errors is still returned (errors stop the build in loader.assemble), so
    # that activities and measurements are checked against the ids it declares: one typo
    # in plan.yaml must not hide every other problem of the run.
    title = f.text("title", required=True)
    if not isinstance(raw_areas, list):
        return None  # no usable areas: checking references against none would only add noise
    declared = sum(len(a["indicators"]) for a in raw_areas
                   if isinstance(a, dict) and isinstance(a.get("indicators"), list))
    if len(areas) != len(raw_areas) or len([i for a in areas for i in a.indicators]) != declared:
        return None  # an area or indicator without a usable id: references cannot be checked
    known = [i.id for a in areas for i in a.indicators]
    _check_chain(f, links, known, {i.id: i.level for a in areas for i in a.indicators})
    return m.Plan(title, f.text("summary"), start or dt.date.min, end or dt.date.max,
                  tuple(partners), tuple(types), tuple(areas), m.Loc(rel, 1), _featured(f, known))


def _check_chain(f: Fields, links: list[tuple[str, str, int, int]], known: list[str], levels: dict[str, str]
                 ) -> None:
    """Each `contributes_to` names another indicator of the plan, and following them never
    comes back to where it started (a results chain is a tree: impact <- outcome <- output);
    a link that does not go up a level is a warning."""
    ids = set(known)
    parent: dict[str, str] = {}
    where: dict[str, tuple[int, int]] = {}
    for ind, target, line, col in links:
        if target == ind:
            f.problems.error(f.rel, line, col, f"indicator '{ind}' contributes to itself",
                             "name the indicator of the level above, e.g. an outcome's impact")
        elif target not in ids:
            f.problems.error(f.rel, line, col, f"'contributes_to': no indicator '{target}' in the plan",
                             did_you_mean(target, ids))
        else:
            parent[ind], where[ind] = target, (line, col)
            mine, theirs = levels[ind], levels[target]
            if mine and theirs and m.LEVELS.index(theirs) >= m.LEVELS.index(mine):
                f.problems.warning(f.rel, line, col, f"indicator '{ind}' ({mine}) contributes to '{target}' "
                                   f"({theirs}): a results chain goes up, output → outcome → impact")
    reported: set[str] = set()
    for ind in known:  # (plan order: each cycle reported once, where its first indicator is written)
        path: list[str] = []
        node: str | None = ind
        while node is not None and node in parent and node not in path and node not in reported:
            path.append(node)
            node = parent[node]
        if node is not None and node in path:
            cycle = path[path.index(node):]
            reported.update(cycle)
            first = min(cycle, key=known.index)
            turn = cycle[cycle.index(first):] + cycle[:cycle.index(first)] + [first]
            f.problems.error(f.rel, *where[first], "'contributes_to' makes a cycle: " + " → ".join(turn),
                             "an indicator cannot contribute, even through others, to itself")
        reported.update(path)


def _featured(f: Fields, known: list[str]) -> tuple[str, ...] | None:
    """`featured`: the indicators whose charts the dashboard shows, in order (None: not given)."""
    if not f.has("featured"):
        return None
    ids = f.text_list("featured", allow_single=True)  # (items that are not text: reported there)
    raw = f.data.get("featured")
    items = list(enumerate(raw)) if isinstance(raw, list) else [(0, raw)]
    seen: set[str] = set()
    for i, ind in items:
        if not isinstance(ind, str) or not ind:
            continue
        line, col = f.item_where("featured", i)
        if ind not in known:
            f.problems.error(f.rel, line, col, f"'featured': no indicator '{ind}' in the plan", did_you_mean(ind, known))
        elif ind in seen:
            f.problems.error(f.rel, line, col, f"'featured': indicator '{ind}' is listed twice")
        seen.add(ind)
    return tuple(x for x in dict.fromkeys(ids) if x in known)


def _unique_id(f: Fields, kind: str, seen: dict[str, int]) -> str:
    """The mapping's required `id`, reported when malformed or already used in the plan."""
    value = f.text("id", required=True)
    if value:
        # (a folder's name too: areas/<id>/, indicators/<id>/ on every file system)
        why = id_problem(value) or name_problem(value)
        if why:
            f.error("id", f"{kind} id '{value}': {why}")
        elif value in seen:
            f.error("id", f"duplicate {kind} id '{value}' (first defined on line {seen[value]})")
        else:
            seen[value] = f.at("id")[0]
    return value


def _area(f: Fields, seen: dict[str, int], seen_inds: dict[str, int],
          links: list[tuple[str, str, int, int]]) -> m.Area | None:
    f.unknown_keys(AREA_KEYS)
    area_id = _unique_id(f, "area", seen)
    color = f.text("color")
    if color and not COLOR.fullmatch(color):
        f.error("color", f"'color': expected a hex colour like \"#1f77b4\", got {color!r}")
        color = ""
    indicators = []
    for sub in _mappings(f, "indicators", "'indicators': expected a list",
                         "an indicator must be a mapping with id, title, ...", "an indicator"):
        ind = _indicator(sub, area_id, seen_inds, links)
        if ind is not None:
            indicators.append(ind)
    raw = f.data.get("indicators")
    if not raw or not isinstance(raw, list):
        f.problems.warning(f.rel, *f.at("id"), f"area '{area_id}' has no indicators")
    title = f.text("title", required=True)
    if not area_id:
        return None
    return m.Area(area_id, title, f.text("summary"), f.text("lead"), color,
                  f.text_list("objectives"), tuple(indicators), m.Loc(f.rel, f.data.line))


def _mappings(f: Fields, key: str, not_list: str, not_mapping: str, what: str,
              spoils: bool = False) -> list[Fields]:
    """The Fields of each mapping in the list under `key` (none when absent): errors for a
    value that is not a list and for items that are not mappings (which, with `spoils`,
    make `f` not ok)."""
    raw = f.data.get(key) or []
    if not isinstance(raw, list):
        f.error(key, not_list)
        return []
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, YDict):
            line, col = f.item_where(key, i)
            f.problems.error(f.rel, line, col, not_mapping)
            f.ok = f.ok and not spoils
            continue
        out.append(f.sub(item, what))
    return out


def _indicator(f: Fields, area_id: str, seen: dict[str, int],
               links: list[tuple[str, str, int, int]]) -> m.Indicator | None:
    f.unknown_keys(INDICATOR_KEYS)
    ind_id = _unique_id(f, "indicator", seen)
    level = f.text("level")
    if level and level not in m.LEVELS:
        f.error("level", f"unknown level '{level}': expected impact, outcome or output",
                did_you_mean(level, m.LEVELS))
        level = ""
    parent = f.text("contributes_to")
    if parent and ind_id:
        links.append((ind_id, parent, *f.at("contributes_to")))  # (checked once the plan is read)
    source = f.text("source", default="activities")
    if source not in m.SOURCES:
        f.error("source", f"unknown indicator source '{source}'", did_you_mean(source, m.SOURCES))
    total = f.text("sum")
    if total and total not in SUM_FIELDS:
        f.error("sum", f"cannot sum '{total}': not a numeric activity field", did_you_mean(total, SUM_FIELDS))
    if total and source != "activities" and source in m.SOURCES:
        f.error("sum", "'sum' applies only to indicators with source: activities")
    where: list[tuple[str, tuple[str, ...]]] = []
    cond = f.mapping("where")
    if cond is not None:
        if source != "activities" and source in m.SOURCES:  # an unknown source is reported once
            f.error("where", "'where' applies only to indicators with source: activities")
        wf = f.sub(cond, "'where'")
        for key in sorted(cond, key=str):
            if key not in WHERE_KEYS:
                wf.error(key, f"cannot filter on '{key}'", did_you_mean(str(key), WHERE_KEYS))
                continue
            values = wf.text_list(key, allow_single=True)
            where.append((key, values))
    before = len(f.problems.items)
    baseline = f.number("baseline", default=0.0)
    target = f.number("target", required=True)
    # Attainment divides by target - baseline, so they must differ, whether the baseline is
    # written or the default 0 (`target: 0` alone measures nothing either).
    if f.has("target") and len(f.problems.items) == before and target == baseline:
        given = "'baseline'" if f.has("baseline") else "the baseline (0 when not given)"
        f.error("target", f"'target' equals {given}: progress cannot be measured",
                "set the target the indicator should reach, or its own 'baseline'")
    milestones = []
    for mf in _mappings(f, "milestones", "'milestones': expected a list of {date, target}",
                        "a milestone must be {date, target}", "a milestone", spoils=True):
        mf.unknown_keys({"date", "target"})
        date = mf.date("date", required=True)
        value = mf.number("target", required=True)
        if mf.ok and date:
            milestones.append(m.Milestone(date, value))
        f.ok = f.ok and mf.ok
    title = f.text("title", required=True)
    dimensions = _dimensions(f, source, total)
    labels = dimension_labels(f, ind_id, _declared_words(f.data.get("dimensions")))
    if not ind_id:
        return None
    unit, unit_forms = read_unit(f)
    return m.Indicator(ind_id, title, area_id, unit, baseline, target,
                       tuple(sorted(milestones, key=lambda x: x.date)), source, total,
                       tuple(where), f.text("description"), m.Loc(f.rel, f.data.line),
                       level, parent, **{key: f.text(key) for key in INDICATOR_META_KEYS},
                       dimensions=dimensions, dimension_labels=labels, unit_forms=unit_forms)


PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's, as Hugo's i18n files


def read_unit(f: Fields) -> tuple[str, tuple[tuple[str, str], ...]]:
    """An indicator's `unit`: a text (`people`), or its forms by CLDR plural category
    (`{one: person, other: people}`, `other` required): (the other form, the other forms)."""
    value = f.data.get("unit")
    if isinstance(value, list):
        f._wrong_type("unit", "text, or forms by number such as {one: tool, other: tools}", value)
        return "", ()
    if not isinstance(value, YDict):
        return f.text("unit"), ()
    uf = f.sub(value, "'unit' (its forms by plural category: zero, one, two, few, many, other)")
    uf.unknown_keys(PLURAL_CATEGORIES)
    other = uf.text("other", required=True)
    forms = tuple((key, form) for key in PLURAL_CATEGORIES[:-1] if (form := uf.text(key)))
    f.ok = f.ok and uf.ok
    return other, forms if other else ()


# A dimension's name: a measurement's column or key (lower case, no hyphen: chart ids join
# an indicator id and a dimension name with one).
DIMENSION_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _dimensions(f: Fields, source: str, total: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """An indicator's `dimensions: {name: [category, ...]}`: what its values are broken down by
    (measurements' extra columns or keys; for source activities, `sex` from participants)."""
    raw = f.mapping("dimensions")
    if raw is None:
        return ()
    df = f.sub(raw, "'dimensions'")
    out: list[tuple[str, tuple[str, ...]]] = []
    for key in raw:
        name = str(key)
        if name in MEASUREMENT_KEYS or not DIMENSION_NAME.fullmatch(name):
            df.error(key, f"'{name}' cannot name a dimension",
                     "use lower-case letters, digits and _ (e.g. sex, age, country), "
                     "other than indicator, date, value and note")
            continue
        values = df.text_list(key)
        if not values and df.data.get(key) is not None and isinstance(df.data.get(key), list):
            df.error(key, f"dimension '{name}': list its categories, e.g. {name}: [a, b]")
        seen: set[str] = set()
        for i, value in enumerate(values):
            at = df.item_where(key, i)
            if value in seen:
                df.problems.error(df.rel, *at, f"dimension '{name}': category '{value}' is listed twice")
                df.ok = False
            seen.add(value)
            if name == "country":
                country_code(df, name, value, at)
        if values:
            out.append((name, tuple(dict.fromkeys(values))))
    f.ok = f.ok and df.ok
    if out and source == "contributions":
        f.error("dimensions", "contributions carry no breakdown: 'dimensions' applies to indicators "
                "with source: measurements, or source: activities with sum: participants (sex)")
        return ()
    if out and source == "activities":
        names = [name for name, _ in out]
        if names != ["sex"] or total != "participants":
            f.error("dimensions", "with source: activities, the only dimension is 'sex', fed by the "
                    "participants' women and men, with sum: participants",
                    "or give the indicator source: measurements, and its values by dimension there")
            return ()
        unfed = [c for c in out[0][1] if c.lower() not in m.SEX_FROM_PARTICIPANTS]
        if unfed:
            f.error("dimensions", f"dimension 'sex': participants give no '{unfed[0]}'",
                    "name the categories women and men (or female and male)")
            return ()
    return tuple(out)


def _declared_words(raw: Any) -> set[str]:
    """The names and categories that `dimensions` (a mapping as written, valid or not: a
    wrong dimension is reported once, there) declares: what `dimension_labels` may label."""
    if not isinstance(raw, dict):
        return set()
    out = {str(name) for name in raw}
    for values in raw.values():
        if isinstance(values, list):
            out.update(v for v in values if isinstance(v, str))
    return out


def dimension_labels(f: Fields, ind: str, known: set[str]) -> tuple[tuple[str, str], ...]:
    """An indicator's `dimension_labels: {name or category: label}` (in the plan or its
    translation): the words readers see for its dimensions and categories. A key that is
    neither is an error (a typo would leave the raw key on the page)."""
    raw = f.mapping("dimension_labels")
    if raw is None:
        return ()
    if not known:
        f.error("dimension_labels", f"indicator '{ind}' has no dimensions to label",
                "declare them first: dimensions: {name: [category, ...]}")
        return ()
    lf = f.sub(raw, "'dimension_labels'")
    out = []
    for key in raw:
        word = str(key)
        if word not in known:
            lf.error(key, f"'{word}' in 'dimension_labels' is neither a dimension nor a category of indicator "
                     f"'{ind}'", did_you_mean(word, known))
            continue
        label = lf.text(key, required=True)
        if label:
            out.append((word, label))
    f.ok = f.ok and lf.ok
    return tuple(out)
