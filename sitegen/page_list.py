"""The page list: every output of a site (`Job`: a page or data file, with the records it
depends on), and what the list pages show: the activities newest first, the terms (tags,
partners, types) and the filters.

A page kind's jobs are added in `PageList.of_language`; what each job renders is the
function of its kind (pages.py, datafiles.py). The preview server re-renders a job after
an edit to what its `deps` name (incremental.py), the build cache keeps it by them.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass

from . import model as m
from . import taxonomy
from .i18n import Words
from .maps import name_order
from .results import indicator_deps


@dataclass(frozen=True)
class Job:
    """One page (or data file) to write, and what it depends on."""

    path: str  # output file, e.g. "areas/firearms/index.html"
    kind: str
    key: str = ""
    # What the page shows of the activities: "activities" (any field of any of them),
    # "activity:<id>" (that record), "area:<id>" (the records of that area, or contributing
    # to its indicators), "country:<code>" (the records involving that country), "tag:<slug>",
    # "partner:<slug>" and "type:<slug>" (the records naming that term: taxonomy.py),
    # "tag-page:<slug>/<n>" and friends (the records a term's page n lists, how many the term
    # has and their first and last days: selection.select takes it as "tag:<slug>"), "order"
    # (the number of records and their order, and which country and term pages there are);
    # "plan" and "page:<slug>": no record.
    deps: frozenset[str] = frozenset({"activities"})
    lang: str = ""  # a language of the site other than its first: the page is under /<lang>/


# The kinds of output that show activities' Markdown bodies (besides each activity's page):
# an edit of a body renders these again, not the lists, areas, rounds and data files that
# show the record (keys.py, selection.select).
BODY_KINDS = frozenset({"feed", "iati"})

# the data files that do not show every field of every record
_DEPS = {"sitemap": frozenset({"order", "plan"}), "robots": frozenset({"plan"})}


# the outputs a multilingual site has once, at its root
ROOT_ONLY = frozenset({"sitemap", "robots", "card_plan", "card_area", "card_indicator", "iati"})


@functools.lru_cache(maxsize=65536)
def _activity_job(act_id: str, lang: str = "") -> Job:
    """The page job of an activity (made once per id: thousands per preview rebuild)."""
    folder = f"{lang}/" if lang else ""
    return Job(f"{folder}activities/{act_id}/index.html", "activity", act_id, frozenset({f"activity:{act_id}"}),
               lang)


class PageList:
    """The outputs of one site in one language (its pages under `prefix`, "" for the first
    language's, and its `words`), and the orders and filters of its list pages, each made on
    first use. `countries`: the codes of the countries the activities name, sorted (a page
    each)."""

    def __init__(self, site: m.Site, prefix: str, countries: list[str], words: Words):
        self.site, self.prefix, self.countries, self.words = site, prefix, countries, words

    def jobs(self) -> list[Job]:
        """Every output of the site: the first language's, then each other language's under
        its folder (the sitemap and robots.txt are the site's, at its root)."""
        out = self.of_language()
        if not self.prefix:
            first = list(out)
            for code in self.site.config.languages[1:]:
                out += [_activity_job(j.key, code) if j.kind == "activity"
                        else Job(f"{code}/{j.path}", j.kind, j.key, j.deps, code)
                        for j in first if j.kind not in ROOT_ONLY]
        return out

    def of_language(self) -> list[Job]:
        """The outputs of one language (paths relative to its folder)."""
        from . import cards, opendata  # (they import render, which imports this module)
        site = self.site
        out = [Job("index.html", "dashboard"), Job("404.html", "notfound", deps=frozenset({"plan"}))]
        out.append(Job("areas/index.html", "areas"))
        # (what a page depends on, for the preview server: see Job and selection.select)
        out += [Job(f"areas/{a.id}/index.html", "area", a.id, frozenset({f"area:{a.id}"}))
                for a in site.plan.areas]
        out += [Job(f"indicators/{i.id}/index.html", "indicator", i.id, indicator_deps(i, site.plan))
                for i in site.plan.indicators]
        # the results framework (logframe) of the plan and of each area (pages.results)
        out.append(Job("results/index.html", "results", deps=frozenset(f"area:{a.id}" for a in site.plan.areas)))
        # indicators/ (the folder of the indicators' pages): a redirect to the results framework
        out.append(Job("indicators/index.html", "redirect", "results/", frozenset({"plan"})))
        out += [Job(f"areas/{a.id}/results/index.html", "area_results", a.id, frozenset({f"area:{a.id}"}))
                for a in site.plan.areas]
        out += [_activity_job(a.id) for a in site.activities]
        per = site.config.activities_per_page
        for n in range(self.list_pages()):
            listed = frozenset(f"activity:{a.id}" for a in self.newest_first[n * per:(n + 1) * per])
            out.append(Job("activities/index.html" if n == 0 else f"activities/page/{n + 1}/index.html",
                           "activities", str(n + 1), listed | {"order"}))
        out.append(Job("timeline/index.html", "timeline"))
        out.append(Job("countries/index.html", "countries"))
        out += [Job(f"countries/{c.lower()}/index.html", "country", c, frozenset({f"country:{c}"}))
                for c in self.countries]
        out += [Job(f"pages/{p.slug}/index.html", "freepage", p.slug, frozenset({f"page:{p.slug}"}))
                for p in site.pages]
        # tags, partners and activity types: an index of each kind, a page (or pages) per term
        # (pages.term); "tag:<slug>" and friends: the records naming it (taxonomy.record_deps)
        for kind, folder in taxonomy.FOLDERS.items():
            found = self.terms[kind]
            out.append(Job(f"{folder}/index.html", folder, deps=frozenset(f"{kind}:{t.slug}" for t in found) | {"plan"}))
            for t in found:
                # (its first page counts every record of the term in a chart; each other page
                # lists its slice of the records and says how many there are, from when to when)
                out.append(Job(f"{folder}/{t.slug}/index.html", kind, t.slug, frozenset({f"{kind}:{t.slug}"})))
                out += [Job(f"{folder}/{t.slug}/page/{n}/index.html", kind, f"{t.slug}/{n}",
                            frozenset({f"{kind}-page:{t.slug}/{n}"})) for n in range(2, self.term_pages(t) + 1)]
        if site.reports:
            out.append(Job("reports/index.html", "reports"))
        out += [Job(f"reports/{r.id}/index.html", "report", r.id) for r in site.reports]
        out += [Job(f"data/reports/{r.id}.json", "report_json", r.id) for r in site.reports]
        out.append(Job("search/index.html", "search", deps=frozenset({"plan"})))
        for path, kind in (("data/plan.json", "plan_json"), ("data/activities.json", "activities_json"),
                           ("data/activities.csv", "activities_csv"),
                           ("data/activities-index.json", "activities_index"), ("feed.xml", "feed"),
                           ("sitemap.xml", "sitemap"), ("robots.txt", "robots")):
            out.append(Job(path, kind, deps=_DEPS.get(kind, Job.deps)))
        out += [Job("data/iati-activities.xml", "iati")] if site.config.iati else []  # (iati.py)
        out += cards.jobs(site)
        out += opendata.jobs(site)  # the data package, its tables and zip (opendata.py)
        return out

    def list_pages(self) -> int:
        """How many pages list all the activities (activities_per_page to a page)."""
        per = self.site.config.activities_per_page
        return max(1, -(-len(self.site.activities) // per))

    @functools.cached_property
    def terms(self) -> dict[str, tuple[taxonomy.Term, ...]]:
        """The tags, partners and activity types, each with its activities (taxonomy.py)."""
        return {kind: taxonomy.terms(self.site.plan, self.newest_first, kind) for kind in taxonomy.FOLDERS}

    @functools.cached_property
    def term_of(self) -> dict[tuple[str, str], taxonomy.Term]:
        """(kind, slug) -> the term."""
        return {(t.kind, t.slug): t for found in self.terms.values() for t in found}

    def term_pages(self, term: taxonomy.Term) -> int:
        """How many pages list a term's activities (activities_per_page to a page)."""
        return max(1, -(-len(term.activities) // self.site.config.activities_per_page))

    @functools.cached_property
    def newest_first(self) -> list[m.Activity]:
        """All activities, newest first (sorted once for all list pages; a cached property,
        not an lru_cache, which would keep every site of a long preview session alive)."""
        return sorted(self.site.activities, key=operator.attrgetter("start", "id"), reverse=True)

    @functools.cached_property
    def facets(self) -> dict[str, list[tuple[str, str]]]:
        """The filters of the activity list pages (the same on every page)."""
        names = self.words.countries
        return {
            "area": [(a.id, a.title) for a in self.site.plan.areas],
            "status": [(s, s) for s in m.STATUSES],
            "type": [(t, self.words.activity_type(t)) for t in self.site.plan.activity_types],
            # (as the countries page orders them: Géorgie before Grèce, États-Unis among the E's)
            "country": [(c, names[c]) for c in sorted(self.countries, key=lambda c: (name_order(names[c]), c))],
            "year": [(str(y), str(y)) for y in sorted({a.start.year for a in self.site.activities})],
        }

    def newest_before(self, day: dt.date, count: int) -> list[m.Activity]:
        """The `count` newest activities that started on or before `day`, newest first."""
        out = []
        for a in self.newest_first:
            if a.start <= day:
                out.append(a)
                if len(out) == count:
                    break
        return out
