"""What a page tells programs about itself: its description written from its own figures,
Open Graph and Twitter share-card tags, its canonical URL, and on the plan, area and
indicator pages a schema.org `Dataset` (JSON-LD) naming the CSV files that hold its data.

`page_meta` is called once per page by `Renderer._context`; the template (base.html) writes
what it returns.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from babel.core import get_global
from markupsafe import Markup

from . import cards, datafiles
from . import model as m
from .i18n import unit_form
from .render import _script_json

if TYPE_CHECKING:
    from .charts import Chart
    from .render import Job, Renderer

def license_url(value: str) -> str:
    """The URL of a `data_license` (an SPDX identifier or a URL; opendata.LICENSES names the
    usual ones); the value itself when its URL is not known."""
    from .opendata import license_of  # (the data package's table of licences)
    found = license_of(value)
    return found.get("path", value)


@functools.lru_cache(maxsize=64)
def og_locale(code: str) -> str:
    """A CLDR code as Open Graph wants it, language_TERRITORY: fr -> fr_FR, ar -> ar_EG."""
    likely: Mapping[str, str] = get_global("likely_subtags")
    full = likely.get(code, code)
    parts = [p for p in full.split("_") if p]
    territory = next((p for p in parts[1:] if len(p) == 2 or p.isdigit()), "")
    return f"{parts[0]}_{territory}" if territory else parts[0]


def page_meta(r: Renderer, job: Job, title: str, page_charts: list[Chart], ctx: dict[str, Any],
              url: str) -> dict[str, Any]:
    """The page's description, canonical URL, share-card tags and dataset description."""
    description = describe(r, job, ctx)
    canonical = r.site.config.base_url + url
    dataset = _dataset(r, job, title, description, page_charts, ctx, canonical)
    return {**_share(r, job, title, description, canonical),
            "canonical": "" if job.kind == "notfound" else canonical,  # (the 404 page has no address of its own)
            "dataset": _script_json(dataset) if dataset else Markup("")}


def embed_meta(r: Renderer, job: Job, chart: Chart, embed_url: str) -> dict[str, Any]:
    """The tags of a chart's embed page: the chart's title and summary, its page's card, and
    its page as the canonical address (the embed page itself is not for search engines)."""
    return {**_share(r, job, chart.title, chart.summary, embed_url),
            "canonical": r.site.config.base_url + _place_url(job), "dataset": Markup("")}


def _share(r: Renderer, job: Job, title: str, text: str, url: str) -> dict[str, Any]:
    """The description and the Open Graph and Twitter tags of a page at `url` (its card: the
    one of `job`'s page, at the site's root)."""
    config = r.site.config
    card = config.base_url[: len(config.base_url) - len(r.prefix)] + cards.card_path(job)
    og = [("og:type", "website"), ("og:site_name", config.title), ("og:title", title),
          ("og:description", text), ("og:url", url), ("og:locale", og_locale(config.language)),
          ("og:image", card), ("og:image:type", "image/png"), ("og:image:width", str(cards.WIDTH)),
          ("og:image:height", str(cards.HEIGHT)), ("og:image:alt", text)]
    twitter = [("twitter:card", "summary_large_image"), ("twitter:title", title), ("twitter:description", text),
               ("twitter:image", card), ("twitter:image:alt", text)]
    return {"description": text, "og": og, "twitter": twitter}


def _place_url(job: Job) -> str:
    path = job.path[len(job.lang) + 1:] if job.lang else job.path
    return path[: -len("index.html")] if path.endswith("index.html") else path


def describe(r: Renderer, job: Job, ctx: dict[str, Any]) -> str:
    """One or two sentences that say what the page shows, with its own figures."""
    words, site = r.words, r.site
    date = words.date(site.report_date)
    kind = job.kind
    if kind == "dashboard":
        total = len(site.activities) - ctx["totals"]["cancelled"]  # (as activity completion counts)
        done = ctx["totals"]["completed"]
        return words.plural(
            "%(plan)s, as of %(date)s: %(done)s of %(count)s activity completed; "
            "%(percent)s of the plan period elapsed.",
            "%(plan)s, as of %(date)s: %(done)s of %(count)s activities completed; "
            "%(percent)s of the plan period elapsed.",
            total, plan=site.plan.title, date=date, done=words.plain(done), count=words.plain(total),
            percent=words.percent(ctx["elapsed"]))
    if kind == "area":
        prog = ctx["prog"]
        total, done = prog.total - prog.count("cancelled"), prog.count("completed")
        text = words.plural("%(area)s, as of %(date)s: %(done)s of %(count)s activity completed.",
                            "%(area)s, as of %(date)s: %(done)s of %(count)s activities completed.",
                            total, area=ctx["area"].title, date=date, done=words.plain(done), count=words.plain(total))
        if prog.attainment is not None:
            text += " " + words("Indicator attainment: %(percent)s.", percent=words.percent(prog.attainment))
        return text
    if kind == "indicator":
        p = ctx["p"]
        ind = p.indicator
        def measure(value: float) -> str:
            return words.number(value) + (f" {unit_form(value, ind, r.languages.first)}" if ind.unit else "")
        if p.value is None:
            return words("%(indicator)s: no value yet; target %(target)s.", indicator=ind.title,
                         target=measure(ind.target))
        return words("%(indicator)s, as of %(date)s: %(value)s against a target of %(target)s.",
                     indicator=ind.title, date=date, value=measure(p.value), target=measure(ind.target))
    if kind == "activity":
        act: m.Activity = ctx["act"]
        if act.body:
            return datafiles.excerpt(act.body, 200)
        return f"{act.title} · {words.date(act.start)} · {words.status(act.status)}"
    if kind == "country":
        n = len(ctx["activities"])
        return words.plural("%(count)s activity involving %(country)s, as of %(date)s.",
                            "%(count)s activities involving %(country)s, as of %(date)s.",
                            n, count=words.plain(n), country=ctx["name"], date=date)
    if kind in ("tag", "partner", "type"):  # (the sentences of the term's page)
        n, name, plain = len(ctx["term"].activities), ctx["name"], words.plain(len(ctx["term"].activities))
        if kind == "tag":
            return words.plural("%(num)s activity is tagged %(name)s.", "%(num)s activities are tagged %(name)s.",
                                n, num=plain, name=name)
        if kind == "partner" and not n:  # (a partner of the plan that no record names)
            return words("%(name)s is a partner of the plan: it takes part in %(activities)s.", name=name,
                         activities=words("all of the plan's activities"))
        if kind == "partner":
            return words.plural("%(num)s activity names %(name)s as a partner.",
                                "%(num)s activities name %(name)s as a partner.", n, num=plain, name=name)
        return words.plural("%(num)s activity is of the type %(name)s.", "%(num)s activities are of the type %(name)s.",
                            n, num=plain, name=name)
    if kind == "freepage" and ctx["page"].body:
        return datafiles.excerpt(ctx["page"].body, 200)
    return words("%(plan)s: implementation progress as of %(date)s", plan=site.plan.title, date=date)


def _dataset(r: Renderer, job: Job, title: str, description: str, page_charts: list[Chart],
             ctx: dict[str, Any], canonical: str) -> dict[str, Any] | None:
    """The schema.org Dataset of the plan (dashboard), an area or an indicator page."""
    if job.kind not in ("dashboard", "area", "indicator"):
        return None
    site, config = r.site, r.site.config
    data_base = config.base_url
    files = [(c.title, c.csv_path) for c in page_charts]
    if job.kind == "dashboard":
        files.append((r.words("Activities"), "data/activities.csv"))
        countries = sorted(r.by_country)  # (the countries of every activity)
    elif job.kind == "area":
        countries = sorted({c for a in ctx["activities"] for c in a.all_countries})
    else:
        area = ctx["area"].id
        countries = sorted({c for a in r.by_area.get(area, ()) for c in a.all_countries})
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Dataset", "name": title,
        "description": description, "url": canonical, "inLanguage": config.language.replace("_", "-"),
        "isAccessibleForFree": True,
        "temporalCoverage": f"{site.plan.start.isoformat()}/{site.plan.end.isoformat()}",
        "dateModified": site.report_date.isoformat(),
        "isPartOf": {"@type": "Dataset", "name": site.plan.title, "url": config.base_url},
    }
    if site.plan.partners:
        data["creator"] = [{"@type": "Organization", "name": p.name, **({"url": p.url} if p.url else {})}
                           for p in site.plan.partners]
    if config.data_license:
        data["license"] = license_url(config.data_license)
    if countries:
        data["spatialCoverage"] = [{"@type": "Country", "name": r.words.country(c), "identifier": c}
                                   for c in countries]
    if job.kind == "indicator":
        ind = ctx["p"].indicator
        data["variableMeasured"] = {"@type": "PropertyValue", "name": ind.title, "identifier": ind.id,
                                    **({"unitText": ind.unit} if ind.unit else {})}
    if job.kind == "dashboard":
        del data["isPartOf"]
    data["distribution"] = [{"@type": "DataDownload", "name": name, "encodingFormat": "text/csv",
                             "contentUrl": data_base + path} for name, path in files]
    return data
