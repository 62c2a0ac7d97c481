"""RSS and Atom feeds of the packages added most recently.

Feed readers read an item's title and description as HTML (RSS by custom, Atom's
`type="html"`), so the text people and code hosts write is escaped as HTML before the XML's own
escaping: `<img onerror=…>` in a description reaches a reader as those characters, never as
markup (as Django's own default `item_title` does).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from packyard.catalog.models import Package
from packyard.catalog.selectors import packages_latest

FEED_SIZE = 25


class LatestPackagesRss(Feed[Package, None]):
    title = "Packyard: latest packages"
    link = reverse_lazy("catalog:package_latest")
    description = "Django packages added to Packyard most recently."

    def items(self) -> QuerySet[Package]:
        return packages_latest(limit=FEED_SIZE)

    def item_title(self, item: Package) -> str:
        return escape(item.title)

    def item_description(self, item: Package) -> str:
        return escape(item.description)

    def item_pubdate(self, item: Package) -> datetime:
        return item.created

    def item_updateddate(self, item: Package) -> datetime:
        return item.modified

    def item_categories(self, item: Package) -> list[str]:
        return [item.category.title]


class LatestPackagesAtom(LatestPackagesRss):
    feed_type = Atom1Feed
    subtitle = LatestPackagesRss.description
