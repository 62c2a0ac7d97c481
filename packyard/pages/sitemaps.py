"""The sitemap: an index at /sitemap.xml and one section per kind of page, paged.

Split as https://www.sitemaps.org/protocol.html#index says: the index lists each section's
pages, and a page holds at most 50,000 URLs. Pages are ranges of ids (`KeyRangePaginator`): a
section's page costs an index look-up and a range scan, and the index a fixed number of index
look-ups (the lowest and highest ids and the latest `modified` per section), whatever the
catalogue's size.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Max, QuerySet
from django.urls import reverse

from packyard.catalog.models import Category, Package
from packyard.core.models import TimeStampedModel
from packyard.grids.models import Grid


class KeyRangePaginator[M: TimeStampedModel](Paginator[M]):
    """Page rows by ranges of their primary key, from the lowest: page n holds the ids in
    [lowest + (n-1)*limit, lowest + n*limit).

    Each page is an index look-up (the lowest id) and an index range scan, and the number of
    pages two look-ups (the lowest and highest ids), so the index and every page cost the same
    at any size: no COUNT, no OFFSET. A page may hold fewer rows than the limit where rows
    were deleted, never more.
    """

    def __init__(self, rows: QuerySet[M], per_page: int) -> None:
        super().__init__(rows, per_page)
        self.rows = rows

    def _end(self, order: str) -> int | None:
        end: int | None = self.rows.order_by(order).values_list("pk", flat=True).first()
        return end

    @cached_property
    def lowest(self) -> int | None:
        return self._end("pk")

    @cached_property
    def num_pages(self) -> int:
        highest = self._end("-pk")
        if self.lowest is None or highest is None:
            return 1
        return (highest - self.lowest) // self.per_page + 1

    def page(self, number: int | str) -> Page[M]:
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer.") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1.")
        if self.lowest is None:
            if number > 1:
                raise EmptyPage("That page contains no results.")
            return Page([], number, self)
        low = self.lowest + (number - 1) * self.per_page
        items = list(self.rows.filter(pk__gte=low, pk__lt=low + self.per_page).order_by("pk"))
        if not items and number > self.num_pages:
            raise EmptyPage("That page contains no results.")
        return Page(items, number, self)


class RowSitemap[M: TimeStampedModel](Sitemap[M]):
    """Rows with a slug, in primary key order, each dated by its `modified` column."""

    def items(self) -> QuerySet[M]:
        raise NotImplementedError

    def lastmod(self, item: M) -> datetime:
        return item.modified

    def get_latest_lastmod(self) -> datetime | None:
        # Django's default calls lastmod() on every item: a whole-table read for the index.
        latest: datetime | None = self.items().aggregate(latest=Max("modified"))["latest"]
        return latest

    @property
    def paginator(self) -> Paginator[M]:
        return KeyRangePaginator(self.items(), self.limit)


class PackageSitemap(RowSitemap[Package]):
    """Every package, archived and deprecated ones too: their pages still answer."""

    changefreq = "daily"
    priority = 0.8
    # Well under the protocol's 50,000, so one page stays under a megabyte.
    limit = 5000

    def items(self) -> QuerySet[Package]:
        return Package.objects.only("slug", "modified").order_by("pk")


class GridSitemap(RowSitemap[Grid]):
    changefreq = "weekly"
    priority = 0.7

    def items(self) -> QuerySet[Grid]:
        return Grid.objects.only("slug", "modified").order_by("pk")


class CategorySitemap(RowSitemap[Category]):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[Category]:
        return Category.objects.only("slug", "modified").order_by("pk")


class StaticSitemap(Sitemap[str]):
    """The home page and the lists, dated by the latest change to what they list."""

    changefreq = "daily"
    priority = 0.6

    def items(self) -> list[str]:
        return ["home", "catalog:package_list", "catalog:package_latest", "grids:grid_list"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str) -> datetime | None:
        packages, grids = self._latest_changes
        if item == "grids:grid_list":
            return grids
        if item == "home":
            return max((date for date in (packages, grids) if date is not None), default=None)
        return packages

    @cached_property
    def _latest_changes(self) -> tuple[datetime | None, datetime | None]:
        packages = Package.objects.aggregate(latest=Max("modified"))["latest"]
        grids = Grid.objects.aggregate(latest=Max("modified"))["latest"]
        return packages, grids


SITEMAPS = {
    "static": StaticSitemap,
    "packages": PackageSitemap,
    "grids": GridSitemap,
    "categories": CategorySitemap,
}


# Validators, 304s and the cache come from packyard.core.caching, as for every page; the views
# set Last-Modified from the sections' lastmod, which a conditional GET is also held against.
sitemap_index = sitemap_views.index
sitemap_section = sitemap_views.sitemap
