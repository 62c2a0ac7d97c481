"""Reads behind API v4, each list in a fixed number of queries whatever its length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db.models import F, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from packyard.catalog.models import Category, Package
from packyard.grids.models import Grid, GridPackage

SEARCH_LIMIT = 20

# What a v4 package record shows: nothing else is read.
PACKAGE_FIELDS = (
    "id",
    "title",
    "slug",
    "category",
    "last_commit_at",
    "last_fetched_at",
    "repo_url",
    "pypi_version",
    "created",
    "modified",
    "forks",
    "description",
    "pypi_url",
    "documentation_url",
    "stars",
    "commits_over_52",
    "contributors",
)
GRID_FIELDS = ("id", "title", "slug", "description", "is_locked", "header", "created", "modified")


def packages_for_api() -> QuerySet[Package]:
    """Return packages newest id first, each with its grid memberships (2 queries a page).

    A package's memberships come in the order they were made (GridPackage id), which is the
    order of the `grids` of the record an import made them from.
    """
    memberships = GridPackage.objects.only("id", "grid", "package").order_by("id")
    return (
        Package.objects.only(*PACKAGE_FIELDS)
        .prefetch_related(
            Prefetch("grid_memberships", queryset=memberships, to_attr="api_memberships")
        )
        .order_by("-id")
    )


def grids_for_api() -> QuerySet[Grid]:
    """Return grids newest id first, each with its packages' ids and titles (2 queries a page)."""
    packages = Package.objects.only("id", "title").order_by()
    return (
        Grid.objects.only(*GRID_FIELDS)
        .prefetch_related(Prefetch("packages", queryset=packages, to_attr="api_packages"))
        .order_by("-id")
    )


def categories_for_api() -> QuerySet[Category]:
    """Return categories newest id first."""
    return Category.objects.order_by("-id")


def grid_package_order(package: Package) -> tuple[str, str, int]:
    """Sort key of a grid's packages as djangopackages.org lists them: by title.

    Upstream's `Grid.packages` follows `Package.Meta.ordering = ["title"]` in PostgreSQL's
    collation; sorting here, case-insensitively and then by id, gives the same order on
    every database.
    """
    return (package.title.casefold(), package.title, package.pk)


@dataclass(frozen=True)
class SearchHit:
    """One package or grid found by a search, with what API v4's search shows of it."""

    item_type: Literal["package", "grid"]
    title: str
    slug: str
    description: str
    category: str
    absolute_url: str
    repo_watchers: int
    repo_forks: int
    participants: str
    last_committed: datetime | None
    last_released: datetime | None
    created: datetime
    modified: datetime
    weight: int
    score: int


def search_ranked(*, text: str, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Return the packages and grids whose words contain `text`, most stars first (2 queries).

    The ranking is deliberately simple: a package weighs its stars, a grid the stars of its
    most-starred package; ties go by title. The search app replaces this function.
    """
    text = text.strip()
    if not text:
        return []
    packages = (
        Package.objects.select_related("category")
        .filter(
            Q(title__icontains=text)
            | Q(slug__icontains=text)
            | Q(pypi_name__icontains=text)
            | Q(description__icontains=text)
        )
        .order_by(F("stars").desc(nulls_last=True), Lower("title"), "id")[:limit]
    )
    grids = (
        Grid.objects.filter(
            Q(title__icontains=text) | Q(slug__icontains=text) | Q(description__icontains=text)
        )
        .annotate(top_stars=Max("packages__stars"))
        .order_by(F("top_stars").desc(nulls_last=True), Lower("title"), "id")[:limit]
    )
    hits = [_package_hit(package) for package in packages]
    hits += [_grid_hit(grid, top_stars=grid.top_stars or 0) for grid in grids]
    hits.sort(key=lambda hit: (-hit.weight, hit.title.casefold(), hit.item_type, hit.slug))
    return hits[:limit]


def _package_hit(package: Package) -> SearchHit:
    stars = package.stars or 0
    return SearchHit(
        item_type="package",
        title=package.title,
        slug=package.slug,
        description=package.description,
        category=package.category.title,
        absolute_url=package.get_absolute_url(),
        repo_watchers=stars,
        repo_forks=package.forks or 0,
        participants=",".join(package.contributors or []),
        last_committed=package.last_commit_at,
        last_released=package.latest_release_at,
        created=package.created,
        modified=package.modified,
        weight=stars,
        score=stars,
    )


def _grid_hit(grid: Grid, *, top_stars: int) -> SearchHit:
    return SearchHit(
        item_type="grid",
        title=grid.title,
        slug=grid.slug,
        description=grid.description,
        category="",
        absolute_url=grid.get_absolute_url(),
        repo_watchers=0,
        repo_forks=0,
        participants="",
        last_committed=None,
        last_released=None,
        created=grid.created,
        modified=grid.modified,
        weight=top_stars,
        score=0,
    )
