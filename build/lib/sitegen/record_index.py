"""The records of a site indexed as the page kinds look them up: the activities by area, by
country and by id, the plan's indicators by id and their areas."""

from __future__ import annotations

import copy
import functools

from . import model as m


class RecordIndex:
    """The activities of one site by area and by country (each in the site's order) and by id
    (made on first use); the indicators of its plan by id, and the area of each."""

    def __init__(self, site: m.Site):
        self.site = site
        self.by_area: dict[str, list[m.Activity]] = {a.id: [] for a in site.plan.areas}
        self.by_country: dict[str, list[m.Activity]] = {}
        for act in site.activities:
            for area in act.areas:
                self.by_area[area].append(act)
            for code in act.all_countries:
                self.by_country.setdefault(code, []).append(act)
        self.indicator_area = {i.id: a for a in site.plan.areas for i in a.indicators}
        self.indicator_of = {i.id: i for i in site.plan.indicators}

    @functools.cached_property
    def by_id(self) -> dict[str, m.Activity]:
        return {a.id: a for a in self.site.activities}

    def for_language(self, site: m.Site) -> RecordIndex:
        """The index of `site`, another language's site whose activities are this index's
        site's (the same objects, in the same order: none has a translation into it): the
        lists are shared, the plan's maps made of its plan."""
        new = copy.copy(self)
        new.site = site
        new.indicator_area = {i.id: a for a in site.plan.areas for i in a.indicators}
        new.indicator_of = {i.id: i for i in site.plan.indicators}
        return new

    def with_bodies(self, site: m.Site, replaced: dict[int, m.Activity]) -> RecordIndex:
        """The index of `site`: this index's site with some activities replaced by records of
        the same areas, countries and id (`replaced`: id() of the old record -> the new one)."""
        new = copy.copy(self)
        new.site = site
        new.by_area, new.by_country = dict(self.by_area), dict(self.by_country)
        for act in replaced.values():
            for area in act.areas:
                new.by_area[area] = [replaced.get(id(a), a) for a in new.by_area[area]]
            for code in act.all_countries:
                new.by_country[code] = [replaced.get(id(a), a) for a in new.by_country[code]]
        if "by_id" in self.__dict__:
            new.__dict__["by_id"] = {**self.by_id, **{a.id: a for a in replaced.values()}}
        return new
