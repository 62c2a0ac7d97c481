"""Reads behind API v4, each list in a fixed number of queries whatever its length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db.models import Prefetch, QuerySet

from packyard.catalog.models import Category, Package
from packyard.grids.models import Grid, GridPackage
from packyard.search.selectors import SearchQueryError, grids_search, packages_search

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
    """Return the packages and grids Packyard's search finds for `text`, best first (3 queries).

    Packages come in the search's order (packyard.search); each grid goes before the first
    package that ranks below it (name matches first, then the blended score). `weight` is that
    score out of 100, a package's `score` its quality out of 100. Text that cannot be searched
    (empty, too long) finds nothing, as upstream answers.
    """
    try:
        found = packages_search(text=text, limit=limit)
    except SearchQueryError:
        return []
    grids = grids_search(query=found.query, limit=limit).hits
    merged: list[SearchHit] = []
    packages = list(found.hits)
    while (packages or grids) and len(merged) < limit:
        if grids and (
            not packages
            or (grids[0].name_match, grids[0].score) > (packages[0].name_match, packages[0].score)
        ):
            grid = grids.pop(0)
            merged.append(_grid_hit(grid.grid, weight=round(grid.score * 100)))
        else:
            hit = packages.pop(0)
            merged.append(
                _package_hit(
                    hit.package, weight=round(hit.score * 100), score=round(hit.quality * 100)
                )
            )
    return merged


def _package_hit(package: Package, *, weight: int, score: int) -> SearchHit:
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
        weight=weight,
        score=score,
    )


def _grid_hit(grid: Grid, *, weight: int) -> SearchHit:
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
        weight=weight,
        score=0,
    )
