"""Reads of grids, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404

from packyard.catalog.models import Category, Package, Release
from packyard.catalog.selectors import Sort, latest_releases_of, package_link, python3_support
from packyard.core.prepared import Prepared
from packyard.core.reads import instance_of
from packyard.grids.models import Feature, Grid, GridPackage

GRID_SORTS: dict[str, Sort] = {
    "title": Sort("Title", (Lower("title").asc(), "id")),
    "packages": Sort("Most packages", ("-package_count", "title")),
    "updated": Sort("Recently changed", ("-modified", "-id")),
    "added": Sort("Date added", ("-created", "-id")),
}
DEFAULT_GRID_SORT = "title"

# Orders of a grid's columns: a key per package, missing facts last.
COLUMN_SORTS = {
    "title": "Title",
    "stars": "Stars",
    "forks": "Forks",
    "last-commit": "Last commit",
    "last-release": "Last release",
}
DEFAULT_COLUMN_SORT = "stars"
# PEP 792 project statuses under which a package counts as retired, like archived ones.
RETIRED_PYPI_STATUSES = frozenset({"archived", "deprecated", "quarantined"})


def grids_list(*, text: str = "", sort: str = DEFAULT_GRID_SORT) -> QuerySet[Grid]:
    """Return grids with their package counts, filtered by text, in the chosen order."""
    grids = Grid.objects.all()
    text = text.strip()
    if text:
        grids = grids.filter(Q(title__icontains=text) | Q(description__icontains=text))
    chosen = GRID_SORTS.get(sort, GRID_SORTS[DEFAULT_GRID_SORT])
    return grids.order_by(*chosen.order)


def header_grids(*, limit: int | None = None) -> QuerySet[Grid]:
    """Return the grids staff chose for the home page, the biggest first, with their counts."""
    grids = Grid.objects.filter(header=True).order_by("-package_count", "title")
    return grids[:limit] if limit is not None else grids


def grids_of_package(*, package: Package) -> list[Grid]:
    """Return the grids a package is in, by title, with their title and slug (one query)."""
    return _GRIDS_OF_PACKAGE.all(package_id=package.pk)


# Compiled once per process (`core.prepared`): a read on every package page.
_GRIDS_OF_PACKAGE = Prepared(
    lambda package_id: (
        Grid.objects.filter(memberships__package_id=package_id)
        .order_by("title")
        .only("title", "slug")
    ),
    package_id=int,
)


# What a grid's columns read of each package (besides its category's and its replacement's
# title and slug): a big grid has hundreds of columns, and the rest (contributors,
# requirements, vulnerabilities...) is costly to read and never shown there.
COLUMN_PACKAGE_FIELDS = (
    "title",
    "slug",
    "description",
    "stars",
    "forks",
    "commits_over_52",
    "last_commit_at",
    "archived_at",
    "deprecated_at",
    "repo_missing_since",
    "pypi_version",
    "latest_release_at",
    "pypi_project_status",
    "favourite_count",
    "use_count",
    "facts_version",
)
# What deciding who stewards a package reads (its creator, its contributors on GitHub): only
# for a signed-in reader, whose buttons depend on it.
COLUMN_STEWARD_FIELDS = ("created_by_id", "repo_host", "repo_url", "contributors")


@dataclass
class Column:
    """A package's column in a grid, with what the standard rows show."""

    package: Package
    membership_id: int
    latest_release: Release | None
    python3: bool | None
    # Filled by the layers above (scoring) for their rows; grids does not read it.
    extra: Any = None
    # The column's kept cells (GridColumn.cells) when they hold for the format asked of
    # grid_matrix; None when they must be made (then latest_release and python3 are read).
    kept: str | None = None


@dataclass
class GridMatrix:
    grid: Grid
    columns: list[Column]
    features: list[Feature]
    # Archived or deprecated packages: left out unless asked for, and counted for the toggle.
    retired_count: int = 0
    show_retired: bool = False


def is_retired(package: Package) -> bool:
    """Tell whether a package is archived or deprecated (by its host, staff or PyPI)."""
    return (
        package.archived_at is not None
        or package.deprecated_at is not None
        or package.pypi_project_status.lower() in RETIRED_PYPI_STATUSES
    )


def _sort_key(sort: str) -> Callable[[Column], tuple[object, ...]]:
    def missing_last(value: int | datetime | None) -> tuple[bool, float]:
        if value is None:
            return (True, 0.0)
        number = value.timestamp() if isinstance(value, datetime) else float(value)
        return (False, -number)

    keys: dict[str, Callable[[Column], tuple[object, ...]]] = {
        "stars": lambda column: (missing_last(column.package.stars), column.package.title.lower()),
        "forks": lambda column: (missing_last(column.package.forks), column.package.title.lower()),
        "last-commit": lambda column: (
            missing_last(column.package.last_commit_at),
            column.package.title.lower(),
        ),
        "last-release": lambda column: (
            missing_last(column.package.latest_release_at),
            column.package.title.lower(),
        ),
        "title": lambda column: (column.package.title.lower(), column.package.pk),
    }
    return keys.get(sort, keys[DEFAULT_COLUMN_SORT])


# What a column reads of its package when its cells are kept (GridColumn): its head, its
# place in the order, whether it is retired, its last commit and its marks.
COLUMN_KEPT_FIELDS = (
    "title",
    "slug",
    "stars",
    "forks",
    "last_commit_at",
    "archived_at",
    "deprecated_at",
    "latest_release_at",
    "pypi_project_status",
    "favourite_count",
    "use_count",
    "facts_version",
)


def _columns_of(grid: Grid, *, for_stewards: bool, kept_format: str | None) -> list[Column]:
    """Read a grid's packages, each with its category and replacement (one query).

    With `kept_format`, each column's kept cells too, when they were made at the package's
    facts version in that format, and only what the page shows beside them; the columns
    without are read again in full (one query more, when there are some).
    """
    if kept_format is None:
        return _columns_full(grid.memberships.order_by(), for_stewards=for_stewards)
    columns = _columns_kept(grid, for_stewards=for_stewards, kept_format=kept_format)
    to_make = [column.membership_id for column in columns if column.kept is None]
    if not to_make:
        return columns
    full = {
        column.membership_id: column
        for column in _columns_full(
            grid.memberships.filter(id__in=to_make).order_by(), for_stewards=for_stewards
        )
    }
    # A package taken out of the grid in between is left out.
    return [
        column if column.kept is not None else full[column.membership_id]
        for column in columns
        if column.kept is not None or column.membership_id in full
    ]


def _columns_kept(grid: Grid, *, for_stewards: bool, kept_format: str) -> list[Column]:
    """Read a grid's packages with their kept cells; without their category, replacement or
    description, which only the kept cells show (the columns whose cells do not hold have
    `kept` None, and are read in full)."""
    fields = _kept_fields(for_stewards)
    rows = _COLUMNS_KEPT[for_stewards].all(grid_id=grid.pk)
    db = grid._state.db or DEFAULT_DB_ALIAS
    width = len(fields)
    columns = []
    for membership_id, *values in rows:
        package_values = dict(zip(fields, values[:width], strict=True))
        kept_version, kept_in, cells = values[width:]
        fresh = kept_version == package_values["facts_version"] and kept_in == kept_format
        columns.append(
            Column(
                package=instance_of(Package, package_values, db=db),
                membership_id=membership_id,
                latest_release=None,
                python3=None,
                kept=cells if fresh else None,
            )
        )
    return columns


def _kept_fields(for_stewards: bool) -> tuple[str, ...]:
    return ("id", *COLUMN_KEPT_FIELDS, *(COLUMN_STEWARD_FIELDS if for_stewards else ()))


def _columns_kept_read(for_stewards: bool) -> Prepared[Any]:
    """Return the read of a grid's packages with their kept cells, compiled once per process
    (`core.prepared`). In no order (and without the join to the grid the default order
    needs): sorted after."""
    fields = _kept_fields(for_stewards)
    return Prepared(
        lambda grid_id: (
            GridPackage.objects.filter(grid_id=grid_id)
            .order_by()
            .values_list(
                "id",
                *(f"package__{field}" for field in fields),
                "package__grid_column__facts_version",
                "package__grid_column__format",
                "package__grid_column__cells",
            )
        ),
        grid_id=int,
    )


_COLUMNS_KEPT = {for_stewards: _columns_kept_read(for_stewards) for for_stewards in (False, True)}


def _columns_full(memberships: QuerySet[GridPackage], *, for_stewards: bool) -> list[Column]:
    """Read the packages of some memberships, each with its category and replacement, in one
    query.

    Read as values and made into instances at once (`core.reads`): a big grid has hundreds.
    """
    fields = (
        "id",
        "category_id",
        "replaced_by_id",
        *COLUMN_PACKAGE_FIELDS,
        *(COLUMN_STEWARD_FIELDS if for_stewards else ()),
    )
    rows = memberships.values_list(
        "id",
        *(f"package__{field}" for field in fields),
        "package__category__title",
        "package__category__slug",
        "package__replaced_by__title",
        "package__replaced_by__slug",
    )
    db = rows.db
    categories: dict[int, Category] = {}
    columns = []
    width = len(fields)
    for membership_id, *values in rows:
        package_values = dict(zip(fields, values[:width], strict=True))
        category_title, category_slug, replacement_title, replacement_slug = values[width:]
        category_id = package_values["category_id"]
        category = categories.get(category_id)
        if category is None:
            category = categories[category_id] = instance_of(
                Category, {"id": category_id, "title": category_title, "slug": category_slug}, db=db
            )
        replacement_id = package_values["replaced_by_id"]
        replacement = (
            None
            if replacement_id is None
            else package_link(
                pk=replacement_id, title=replacement_title, slug=replacement_slug, db=db
            )
        )
        package = instance_of(
            Package,
            package_values,
            db=db,
            related={"category": category, "replaced_by": replacement},
        )
        columns.append(
            Column(package=package, membership_id=membership_id, latest_release=None, python3=None)
        )
    return columns


def grid_matrix(
    *,
    slug: str,
    sort: str = DEFAULT_COLUMN_SORT,
    show_retired: bool = False,
    for_stewards: bool = False,
    kept_format: str | None = None,
) -> GridMatrix:
    """Return a grid with every package as a column and every feature as a row, with its
    cells (4 queries; 3 when every column's kept cells hold).

    Archived and deprecated packages are left out (and counted) unless `show_retired`. Each
    package has only what the grid shows, and with `for_stewards` what tells its stewards.
    With `kept_format`, the columns whose kept cells hold in that format have them, and only
    the others have their latest release read.
    """
    grid = _GRID.first(slug=slug)
    if grid is None:
        raise Http404("No grid has this slug.")
    columns = _columns_of(grid, for_stewards=for_stewards, kept_format=kept_format)
    retired_count = sum(1 for column in columns if is_retired(column.package))
    if not show_retired:
        columns = [column for column in columns if not is_retired(column.package)]
    to_make = [column for column in columns if column.kept is None]
    if to_make:
        latest = latest_releases_of(packages=[column.package for column in to_make])
        for column in to_make:
            column.latest_release = latest.get(column.package.pk)
            column.python3 = python3_support(column.latest_release)
    # In the grid's order, which the default order gives with a join to the grid's title. Each
    # with its row of cells (`Feature.cells`, `feature_cells.row_cells`): the HTML stored when
    # each cell was written (marks drawn, Markdown rendered, sanitised), kept by triggers.
    features = _FEATURES.all(grid_id=grid.pk)
    columns.sort(key=_sort_key(sort))
    return GridMatrix(
        grid=grid,
        columns=columns,
        features=features,
        retired_count=retired_count,
        show_retired=show_retired,
    )


# The grid page's other reads, compiled once per process (`core.prepared`).
_GRID = Prepared(lambda slug: Grid.objects.filter(slug=slug)[:1], slug=str)
_FEATURES = Prepared(
    lambda grid_id: Feature.objects.filter(grid_id=grid_id).order_by("position", "id"),
    grid_id=int,
)


@dataclass(frozen=True)
class GridSummary:
    """A grid with how many packages it compares and the most starred of them."""

    grid: Grid
    package_count: int
    leading: list[str]


def grid_summary(*, slug: str, leading: int = 5) -> GridSummary:
    """Return a grid, its package count and its most starred packages' titles (2 queries)."""
    grid = get_object_or_404(Grid, slug=slug)
    titles = (
        Package.objects.filter(grid_memberships__grid=grid)
        .order_by(F("stars").desc(nulls_last=True), Lower("title"))
        .values_list("title", flat=True)[:leading]
    )
    return GridSummary(
        grid=grid,
        package_count=grid.package_count,
        leading=list(titles),
    )


def grids_count() -> int:
    """Return how many grids there are (one query)."""
    return Grid.objects.count()
