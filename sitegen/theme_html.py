"""The default theme's most-rendered HTML, written in Python: the activity page and the
activity list item.

A site has one page and up to five list items per record, so these are most of a build's
template work; Jinja takes four (the page) to ten (the item) times longer for them. The templates stay the source of truth:
a site with templates of its own gets them rendered by Jinja, and a test checks that these
functions and the theme's templates write the same bytes (tests/test_parallel.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from . import model as m

_CURRENT = ' aria-current="page"'


def esc(text: str) -> str:
    """Text escaped for HTML as Jinja's autoescape (markupsafe.escape) does it, without a
    Markup object per value. (Five replace calls: 3-5 times faster than str.translate.)"""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


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
    return value.strftime("%-d %b %Y") if value else ""


def theme_item(a: m.Activity, root: str, area_title: dict[str, str]) -> str:
    """What the theme's activity_item macro (templates/macros.html) renders."""
    iso = a.start.isoformat()
    out = [f'<li class="activity-item" data-area="{esc(" ".join(a.areas))}" '
           f'data-status="{esc(a.status)}" data-type="{esc(a.type)}" '
           f'data-country="{esc(" ".join(a.all_countries))}" data-year="{a.start.year}">\n'
           f'  <a href="{esc(root)}activities/{esc(a.id)}/">{esc(a.title)}</a>\n'
           f'  <span class="meta"><time datetime="{esc(iso)}">{esc(iso)}</time>']
    if a.type:
        out.append(f" · {esc(a.type)}")
    out.append(f' · <span class="status status-{esc(status_class(a.status))}">{esc(a.status)}</span>')
    if a.slipped:
        out.append(' · <span class="slipped">rescheduled</span>')
    out.append("  · " + ", ".join(esc(area_title[x]) for x in a.areas))
    if a.all_countries:
        out.append(" · " + esc(", ".join(a.all_countries)))
    out.append("</span>\n</li>\n")
    return "".join(out)


class ActivityPages:
    """Writes activity pages as the theme's activity.html (in base.html) does.

    Made once per renderer; the page chrome (head, header, footer) is made once per root
    and menu, as the templates' `{% cached %}` blocks do."""

    def __init__(self, site: m.Site, area_title: dict[str, str], countries: dict[str, str],
                 md: Callable[[str], str]):
        self.site = site
        self.area_title = area_title
        self.countries = countries
        self.md = md
        config, plan = site.config, site.plan
        iso = site.report_date.isoformat()
        self._title = esc(config.title)
        self._head = (f'<!DOCTYPE html>\n<html lang="{esc(config.language)}">\n<head>\n'
                      '<meta charset="utf-8">\n'
                      '<meta name="viewport" content="width=device-width, initial-scale=1">\n')
        self._description = (f'<meta name="description" content="{esc(plan.title)}: '
                             f'implementation progress as of {esc(iso)}">\n')
        self._asof = (f'<div class="asof wrap"><p>Data as of <time datetime="{esc(iso)}">'
                      f'{esc(fmt_date(site.report_date))}</time></p></div>\n')
        names = [f'<a href="{esc(p.url)}">{esc(p.name)}</a>' if p.url else esc(p.name)
                 for p in plan.partners]
        joined = "".join(name + ("" if k == len(names) - 1 else " and " if k == len(names) - 2 else ", ")
                         for k, name in enumerate(names))
        self._partners = f"    <p>{esc(plan.title)}: a plan of\n{joined}.</p>\n"
        self._chrome: dict[tuple[str, Any], tuple[str, str, tuple[str, str]]] = {}

    def chrome(self, root: str, nav: tuple[tuple[str, str, bool], ...]) -> tuple[str, str, tuple[str, str]]:
        """The parts of base.html around the title, the crumbs, the main block and the
        site's footer (templates/site_footer.html)."""
        hit = self._chrome.get((root, nav))
        if hit is not None:
            return hit
        r = esc(root)
        home = esc(root or "./")
        links = "".join(f'        <li><a href="{r}{esc(href)}"{_CURRENT if current else ""}>'
                        f"{esc(label)}</a></li>\n" for href, label, current in nav)
        head = (f'{self._description}<link rel="stylesheet" href="{r}assets/site.css">\n'
                f'<link rel="alternate" type="application/atom+xml" title="{self._title}: latest '
                f'activities" href="{r}feed.xml">\n<link rel="icon" href="data:,">\n</head>\n<body>\n'
                '<a class="skip" href="#main">Skip to content</a>\n'
                f'<header class="site-header">\n  <div class="wrap">\n'
                f'    <a class="brand" href="{home}">{self._title}</a>\n'
                f'    <nav aria-label="Main">\n      <ul>\n{links}      </ul>\n    </nav>\n'
                f"  </div>\n</header>\n{self._asof}")
        crumbs = (f'<nav class="crumbs wrap" aria-label="Breadcrumb">\n  <ol>\n'
                  f'    <li><a href="{home}">Dashboard</a></li>\n')
        partners = f'<footer class="site-footer">\n  <div class="wrap">\n{self._partners}'
        foot = (f'    <p><a href="{r}data/plan.json">plan.json</a> · <a href="{r}data/activities.json">'
                f'activities.json</a> · <a href="{r}data/activities.csv">activities.csv</a> · '
                f'<a href="{r}feed.xml">Atom feed</a></p>\n  </div>\n</footer>\n</body>\n</html>\n')
        hit = self._chrome[(root, nav)] = (head, crumbs, (partners, foot))
        return hit

    def page(self, a: m.Activity, root: str, nav: tuple[tuple[str, str, bool], ...],
             crumbs: list[tuple[str, str]], changed: str, edit: dict[str, str], footer: str = "") -> str:
        """An activity page. Raises KeyError on an area or country the theme cannot name
        (the caller then lets Jinja render the page and report the template error)."""
        head, crumbs_start, (partners, foot) = self.chrome(root, nav)
        r = esc(root)
        title = esc(a.title)
        out = [self._head, "<title>", f"{title} · " if a.title != self.site.config.title else "",
               self._title, "</title>\n", head, crumbs_start]
        out += [f'<li><a href="{r}{esc(href)}">{esc(label)}</a></li>' for href, label in crumbs]
        out.append(f'    <li aria-current="page">{title}</li>\n  </ol>\n</nav>\n'
                   f'<main id="main" class="wrap">\n<article class="activity">\n<h1>{title}</h1>\n'
                   f'<p class="activity-status"><span class="status status-{esc(status_class(a.status))}">'
                   f"{esc(a.status)}</span>")
        if a.type:
            out.append(f" · {esc(a.type)}")
        if a.slipped:
            out.append(' · <span class="slipped">rescheduled</span>')
        out.append(f'</p>\n<dl class="facts">\n  <dt>Area{"s" if len(a.areas) > 1 else ""}</dt>\n  <dd>')
        out.append(", ".join(f'<a href="{r}areas/{esc(x)}/">{esc(self.area_title[x])}</a>' for x in a.areas))
        start = a.start.isoformat()
        out.append(f'</dd>\n  <dt>Dates</dt>\n  <dd><time datetime="{esc(start)}">{esc(fmt_date(a.start))}</time>')
        if a.end and a.end != a.start:
            out.append(f' – <time datetime="{esc(a.end.isoformat())}">{esc(fmt_date(a.end))}</time>')
        out.append("</dd>\n")
        if a.planned_start or a.planned_end:
            out.append(f"  <dt>Originally planned</dt>\n  <dd>{esc(fmt_date(a.planned_start))}")
            if a.planned_end:
                out.append(f" – {esc(fmt_date(a.planned_end))}")
            out.append("</dd>\n")
        if a.city or a.country:
            out.append(f"  <dt>Location</dt><dd>{esc(a.city)}")
            if a.city and a.country:
                out.append(", ")
            if a.country:
                out.append(f'<a href="{r}countries/{esc(a.country.lower())}/">{esc(self.countries[a.country])}</a>')
            out.append("</dd>\n")
        if a.countries:
            out.append("  <dt>Countries</dt>\n  <dd>")
            out.append(", ".join(f'<a href="{r}countries/{esc(c.lower())}/">{esc(self.countries[c])}</a>'
                                 for c in a.countries))
            out.append("</dd>\n")
        p = a.participants
        if p:
            out.append(f"  <dt>Participants</dt>\n  <dd>{esc(fmt_num(p.total))}")
            if p.women is not None or p.men is not None:
                out.append(" (")
                if p.women is not None:
                    out.append(f"{esc(str(p.women))} women")
                if p.women is not None and p.men is not None:
                    out.append(", ")
                if p.men is not None:
                    out.append(f"{esc(str(p.men))} men")
                out.append(")")
            out.append("</dd>\n")
        if a.partners:
            out.append(f"<dt>Partners</dt><dd>{', '.join(esc(x) for x in a.partners)}</dd>")
        if a.tags:
            out.append(f"<dt>Tags</dt><dd>{', '.join(esc(x) for x in a.tags)}</dd>")
        if a.contributes:
            out.append("  <dt>Contributes to</dt>\n  <dd>")
            out.append("; ".join(f'<a href="{r}indicators/{esc(k)}/">{esc(k)}</a>: {esc(fmt_num(v))}'
                                 for k, v in a.contributes))
            out.append("</dd>\n")
        out.append("</dl>\n")
        if a.body:
            out.append(f'<div class="prose">{self.md(a.body)}</div>')
        if a.outputs:
            out.append("<h2>Outputs</h2>\n<ul>")
            out += [f'<li><a href="{esc(o.url)}">{esc(o.title)}</a></li>' if o.url else f"<li>{esc(o.title)}</li>"
                    for o in a.outputs]
            out.append("</ul>\n")
        out.append("</article>\n")
        if changed or edit:
            out.append('<p class="page-meta">\n')
            if changed:
                out.append(f'Record last changed on <time datetime="{esc(changed)}">{esc(changed)}</time>.')
            if edit:
                out.append(f'<a href="{esc(edit["edit"])}">Edit this page</a> · '
                           f'<a href="{esc(edit["history"])}">History</a>')
            out.append("</p>\n")
        out += ["</main>\n", partners, footer, foot]
        return "".join(out)
