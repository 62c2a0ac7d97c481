"""sitemap.xml: packages, grids, categories and the static pages."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from packyard.catalog.models import Category, Package
from packyard.grids.models import Grid


class PackageSitemap(Sitemap[Package]):
    changefreq = "daily"
    priority = 0.8
    limit = 5000

    def items(self) -> QuerySet[Package]:
        return Package.objects.only("slug", "modified").order_by("id")

    def lastmod(self, item: Package) -> datetime:
        return item.modified


class GridSitemap(Sitemap[Grid]):
    changefreq = "weekly"
    priority = 0.7

    def items(self) -> QuerySet[Grid]:
        return Grid.objects.only("slug", "modified").order_by("id")

    def lastmod(self, item: Grid) -> datetime:
        return item.modified


class CategorySitemap(Sitemap[Category]):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[Category]:
        return Category.objects.order_by("id")


class StaticSitemap(Sitemap[str]):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> list[str]:
        return ["home", "catalog:package_list", "catalog:package_latest", "grids:grid_list"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "static": StaticSitemap,
    "packages": PackageSitemap,
    "grids": GridSitemap,
    "categories": CategorySitemap,
}
