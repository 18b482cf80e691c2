"""The site's records as frozen dataclasses: what validation produces and rendering reads."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from .branding import icon_type

STATUSES = ("planned", "in-progress", "completed", "postponed", "cancelled")
SOURCES = ("activities", "measurements", "contributions")
LEVELS = ("impact", "outcome", "output")  # a results chain, from the top (docs/progress.md)
# The categories of a `sex` breakdown that activities' participants feed (docs/records.md#dimensions):
# each (in any case: Women, women) names the `participants` key it takes its number from.
SEX_FROM_PARTICIPANTS = {"women": "women", "female": "women", "men": "men", "male": "men"}
DEFAULT_TYPES = ("workshop", "training-course", "conference", "assessment", "tool", "meeting")


@dataclass(frozen=True)
class Loc:
    """Where a record was written: path relative to the site folder and line."""

    path: str
    line: int = 0


@dataclass(frozen=True)
class IatiOrganisation:
    """An organisation as IATI names it: its identifier (`ref`, e.g. XM-DAC-47087), its
    OrganisationType code and, for a participating organisation, its OrganisationRole code."""

    name: str
    ref: str = ""
    type: str = ""
    role: str = ""


@dataclass(frozen=True)
class IatiSettings:
    """The `iati:` settings of site.yaml: what the IATI 2.03 export needs that the records do not
    say (see docs/iati.md)."""

    reporting_org: IatiOrganisation
    identifier: str
    """The plan's iati-identifier; a record's is `<identifier>-<record id>`."""
    organisations: tuple[IatiOrganisation, ...] = ()
    """Identifiers, types and roles of the partners the plan and the records name."""
    sectors: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(area id, its DAC 5-digit purpose codes)."""
    sector_at: tuple[tuple[str, int, int], ...] = ()
    """(area id, line, column) of each key of `sectors` in site.yaml, for errors about it."""


@dataclass(frozen=True)
class Colors:
    """The site's own colours (`colors:` of site.yaml), each "#rrggbb" or "" for the theme's."""

    primary: str = ""
    """Background of the header (its text is white), e.g. "#12355b"."""
    accent: str = ""
    """Links, buttons, the focus ring and the dashboard's headline bar, e.g. "#0b5cad"."""


@dataclass(frozen=True)
class SiteConfig:
    """Settings from site.yaml; every key is optional. The accepted keys are its fields."""

    title: str = "Plan implementation progress"
    """Site title shown in the header and the browser tab."""
    base_url: str = "http://localhost:8000/"
    """Absolute URL where the site is published; used for the feed and the sitemap."""
    language: str = "en"
    """Language of the pages (a CLDR code: en, fr, ar, pt_BR...): words, dates and numbers."""
    languages: tuple[str, ...] = ()
    """Languages of a multilingual site: the first (its `language`) at the root, each other
    under /<code>/, as a complete site. Empty: `language` alone."""
    as_of: dt.date | None = None
    """Report date; default: latest content commit in git, else the newest date the records
    report done (progress.report_date)."""
    repo_url: str = ""
    """Repository web address; enables "edit this page" and history links."""
    repo_branch: str = "main"
    """Branch that edit and history links point to."""
    repo_kind: str = ""
    """URL patterns of the links: github or gitlab; default: gitlab when the host name contains "gitlab"."""
    allow_raw_html: bool = False
    """Trust raw HTML in Markdown bodies (not sanitised). Only for sites whose every editor is trusted."""
    activities_per_page: int = 100
    """Activities per page of the /activities/ list."""
    drafts: bool = False
    """Publish the records marked `draft: true` (`--drafts` turns it on for one run; by
    default a draft is in no page, data file, feed or search index)."""
    data_license: str = ""
    """Licence of the published data, as an SPDX identifier (CC-BY-4.0, ODC-By-1.0...) or a
    URL; named in data/datapackage.json and the pages' dataset descriptions."""
    require_translations: bool = False
    """A multilingual site: a record without a translation into each language is an error
    (by default a warning; its page shows the first language's text, saying so)."""
    file_links: bool = False
    """Link pages as `.../index.html` rather than `.../`, so the output can be browsed from disk (file://)."""
    search_text: str = "lead"
    """What the search index holds of an activity's report besides its title and facts: its
    `lead` (opening paragraphs, about 60 words) or the `full` text."""
    iati: IatiSettings | None = None
    """IATI 2.03 export settings: with them, data/iati-activities.xml is published (docs/iati.md)."""
    logo: str = ""
    """The organisation's logo in the header, beside the title: a file under content/static/."""
    favicon: str = ""
    """The icon of the browsers' tabs: a file under content/static/ (.svg, .png, .ico)."""
    colors: Colors = Colors()
    """The header's colour (`primary`) and the links' (`accent`), checked for contrast (WCAG AA)."""
    custom_css: str = ""
    """A stylesheet under content/static/, linked after the theme's on every page."""

    @property
    def all_languages(self) -> tuple[str, ...]:
        """Every language of the site, the default first."""
        return self.languages or (self.language,)

    @property
    def favicon_type(self) -> str:
        """The favicon's MIME type, from its suffix ("" without one)."""
        return icon_type(self.favicon) if self.favicon else ""


@dataclass(frozen=True)
class Translation:
    """A record's text in another language: the sibling file `<name>.<lang>.md` of its
    `<name>.md`, holding only the text (title and body); every fact stays in the record."""

    lang: str
    title: str  # "" keeps the record's title
    body: str
    loc: Loc
    body_line: int = 1


@dataclass(frozen=True)
class Partner:
    name: str
    url: str = ""


@dataclass(frozen=True)
class Milestone:
    date: dt.date
    target: float


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    area: str
    unit: str
    baseline: float
    target: float
    milestones: tuple[Milestone, ...]
    source: str
    sum: str  # "" means count
    where: tuple[tuple[str, tuple[str, ...]], ...]
    description: str
    loc: Loc
    level: str = ""  # "impact", "outcome", "output" (LEVELS) or "" when not placed in a chain
    contributes_to: str = ""  # the id of the indicator (of any area) this one feeds, or ""
    # what the indicator page shows about how it is measured (definition, data_source,
    # methodology and notes are Markdown; contact and frequency one line of text)
    definition: str = ""
    data_source: str = ""
    methodology: str = ""
    contact: str = ""
    frequency: str = ""
    notes: str = ""
    # the dimensions its values are broken down by, as declared: (name, its categories), e.g.
    # (("sex", ("female", "male")), ("country", ("AT", "DE")))
    dimensions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # the site's words for its dimensions and categories, as shown (data keep the names above):
    # (name or category, label), e.g. (("sex", "Sex of participant"), ("female", "Women"))
    dimension_labels: tuple[tuple[str, str], ...] = ()
    # the unit's forms by CLDR plural category besides "other", which is `unit`: (("one",
    # "tool"),) for `unit: {one: tool, other: tools}`; chosen by i18n.unit_form
    unit_forms: tuple[tuple[str, str], ...] = ()
    # the language those forms are written in (a plan.<code>.yaml's code), for choosing one:
    # "" for the site's first language, the plan's own
    unit_lang: str = ""


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    summary: str
    lead: str
    color: str
    objectives: tuple[str, ...]
    indicators: tuple[Indicator, ...]
    loc: Loc


@dataclass(frozen=True)
class Plan:
    title: str
    summary: str
    start: dt.date
    end: dt.date
    partners: tuple[Partner, ...]
    activity_types: tuple[str, ...]
    areas: tuple[Area, ...]
    loc: Loc
    featured: tuple[str, ...] | None = None  # the dashboard's indicator charts; None: one per area

    def area(self, area_id: str) -> Area:
        return next(a for a in self.areas if a.id == area_id)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for a in self.areas for i in a.indicators)


@dataclass(frozen=True)
class Participants:
    total: int
    women: int | None = None
    men: int | None = None


@dataclass(frozen=True)
class Output:
    title: str
    url: str


@dataclass(frozen=True)
class Activity:
    id: str
    title: str
    areas: tuple[str, ...]
    status: str
    start: dt.date
    end: dt.date | None
    type: str
    city: str
    country: str
    countries: tuple[str, ...]
    participants: Participants | None
    partners: tuple[str, ...]
    tags: tuple[str, ...]
    outputs: tuple[Output, ...]
    contributes: tuple[tuple[str, float], ...]
    planned_start: dt.date | None
    planned_end: dt.date | None
    body: str
    loc: Loc
    body_line: int = 1
    translations: tuple[Translation, ...] = ()
    draft: bool = False  # `draft: true`: held back unless the site publishes drafts

    @property
    def last_day(self) -> dt.date:
        return self.end or self.start

    @property
    def slipped(self) -> bool:
        """True when the activity moved from its original schedule."""
        return self.moved_from is not None or (self.planned_end is not None and self.planned_end != self.last_day)

    @property
    def moved_from(self) -> dt.date | None:
        """The first planned start of an activity whose start moved (None: it did not), as
        lists say it ("rescheduled from ...")."""
        return self.planned_start if self.planned_start is not None and self.planned_start != self.start else None

    @functools.cached_property
    def all_countries(self) -> tuple[str, ...]:
        """Countries involved: `countries` plus the location's country, sorted (computed once:
        every aggregate page asks)."""
        found = set(self.countries)
        if self.country:
            found.add(self.country)
        return tuple(sorted(found))


@dataclass(frozen=True)
class Measurement:
    indicator: str
    date: dt.date
    value: float
    note: str
    loc: Loc
    # the part of the total this value is: (dimension, category) in the order the indicator
    # declares its dimensions, e.g. (("sex", "female"),); () for the total itself
    dimensions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AreaText:
    """The optional narrative of an area from content/areas/<id>.md."""

    area: str
    title: str
    body: str
    loc: Loc
    translations: tuple[Translation, ...] = ()


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    order: int
    body: str
    loc: Loc
    translations: tuple[Translation, ...] = ()
    draft: bool = False  # `draft: true`: held back unless the site publishes drafts


@dataclass(frozen=True)
class Report:
    """A reporting round: progress at the end of its period and what changed in it."""

    id: str
    title: str
    start: dt.date
    end: dt.date
    narrative: str
    loc: Loc


@dataclass(frozen=True)
class Snapshot:
    """The records as they stood on one date a reporting round looks at (its figures date,
    or the day its changes are counted from), read from git history (history.py)."""

    day: dt.date
    # "commit": as committed in `commit` (the last one on or before `day`, dated `committed`);
    # "now": the records as they are now (nothing was committed after `day`);
    # "dates": git has no readable version from `day`: today's records by their dates
    source: str
    commit: str = ""
    committed: dt.date | None = None
    # (a commit's records are named by its hash: they take no part in comparisons or repr)
    activities: tuple[Activity, ...] = field(default=(), compare=False, repr=False)
    measurements: tuple[Measurement, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Site:
    """Everything a build renders: validated records, report date and git facts."""

    config: SiteConfig
    plan: Plan
    activities: tuple[Activity, ...]
    measurements: tuple[Measurement, ...]
    area_texts: tuple[AreaText, ...]
    pages: tuple[Page, ...]
    reports: tuple[Report, ...]
    report_date: dt.date
    report_date_source: str  # "as_of" | "git" | "records"
    last_changed: tuple[tuple[str, str], ...] = field(default=())  # (path, ISO date) from git
    static_files: tuple[str, ...] = ()
    template_files: tuple[str, ...] = ()
    repo_prefix: str = ""  # the site folder inside its git repository ("" or "sub/dir/")
    # the plan in each other language of the site whose words content/plan.<lang>.yaml gives
    plans: tuple[tuple[str, Plan], ...] = ()
    # the site's own messages by language (locales/<lang>.po): (message, translation), a
    # plural message as ((singular, plural), (form, ...))
    messages: tuple[tuple[str, tuple[tuple[Any, Any], ...]], ...] = ()
    drafts: tuple[str, ...] = ()  # the files of draft records (held back unless config.drafts), sorted
    # the records on the dates the reporting rounds look at, from git (history.py), by date;
    # () when the site is not in git or has no rounds
    history: tuple[Snapshot, ...] = ()

    def messages_in(self, language: str) -> tuple[tuple[Any, Any], ...]:
        """The site's own messages in `language` (none: sitegen's catalogue alone)."""
        return next((found for code, found in self.messages if code == language), ())
