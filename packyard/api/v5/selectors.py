"""Reads behind API v5, each list and record in a fixed number of queries whatever its size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import (
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404

from packyard.catalog.models import Category, Package, Release
from packyard.compatibility.models import PackageCompatibility, ReleaseCycle
from packyard.compatibility.rules import Answer
from packyard.core.repositories import RepositoryHost
from packyard.grids.models import Element, Feature, Grid, GridPackage
from packyard.refresh.models import FetchState
from packyard.scoring.models import Dependency

# What `?status=` may ask for. "maintained" is the search's "live": neither archived nor
# deprecated, and the repository not missing.
STATUSES = ("maintained", "archived", "deprecated", "missing")
# `?host=` takes a host kind, or "codeberg" for the Forgejo host that most packages use.
CODEBERG_KEY_PREFIX = "codeberg.org/"
HOSTS = (*RepositoryHost.values, "codeberg")

# A sort by a fact that may be missing puts the packages without it last: the cursor compares
# plain values, so the missing ones take a value below any real one.
NO_NUMBER = -1
NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)

# `?ordering=` values and the annotated columns the cursor pages by (no "__" lookups: DRF's
# CursorPagination refuses them). Each ends in the id, so the order is total.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "score": ("sort_score", "id"),
    "-score": ("-sort_score", "-id"),
    "stars": ("sort_stars", "id"),
    "-stars": ("-sort_stars", "-id"),
    "last_release": ("sort_last_release", "id"),
    "-last_release": ("-sort_last_release", "-id"),
    "name": ("sort_name", "id"),
    "-name": ("-sort_name", "-id"),
    "added": ("created", "id"),
    "-added": ("-created", "-id"),
    "updated": ("modified", "id"),
    "-updated": ("-modified", "-id"),
}
DEFAULT_ORDERING = "-score"


@dataclass(frozen=True)
class PackageFilters:
    """The filters of the packages list, already checked (packyard.api.v5.params)."""

    text: str = ""
    category: Category | None = None
    grid: Grid | None = None
    status: str = ""
    django: ReleaseCycle | None = None
    python: ReleaseCycle | None = None
    licence: str = ""
    host: str = ""
    updated_since: datetime | None = None


def category_by_slug(*, slug: str) -> Category | None:
    return Category.objects.filter(slug=slug).first()


def grid_by_slug(*, slug: str) -> Grid | None:
    return Grid.objects.filter(slug=slug).first()


def cycle_by_name(*, product: str, cycle: str) -> ReleaseCycle | None:
    return ReleaseCycle.objects.filter(product=product, cycle=cycle).first()


def _latest_release() -> QuerySet[Release]:
    return Release.objects.filter(package=OuterRef("pk"), version=OuterRef("pypi_version"))


def _status_filter(status: str) -> Q:
    if status == "archived":
        return Q(archived_at__isnull=False)
    if status == "deprecated":
        return Q(deprecated_at__isnull=False)
    if status == "missing":
        return Q(repo_missing_since__isnull=False)
    return Q(archived_at__isnull=True, deprecated_at__isnull=True, repo_missing_since__isnull=True)


def _supports(cycle: ReleaseCycle) -> Exists:
    return Exists(
        PackageCompatibility.objects.filter(package=OuterRef("pk"), cycle=cycle, answer=Answer.YES)
    )


def packages_for_v5(*, filters: PackageFilters | None = None) -> QuerySet[Package]:
    """Return packages with what a list shows of each (one query a page), filtered.

    Each row carries its category, score and replacement, its latest release's licence
    (`latest_licence`) and the columns the orderings page by (`sort_*`).
    """
    filters = filters or PackageFilters()
    packages = Package.objects.select_related("category", "scoring", "replaced_by").annotate(
        latest_licence=Subquery(_latest_release().values("license")[:1]),
        sort_score=Coalesce(F("scoring__overall"), Value(NO_NUMBER), output_field=IntegerField()),
        sort_stars=Coalesce(F("stars"), Value(NO_NUMBER), output_field=IntegerField()),
        sort_last_release=Coalesce(
            F("latest_release_at"), Value(NO_TIME), output_field=DateTimeField()
        ),
        sort_name=Lower("title"),
    )
    if filters.text:
        text = filters.text
        packages = packages.filter(
            Q(title__icontains=text)
            | Q(slug__icontains=text)
            | Q(pypi_name__icontains=text)
            | Q(description__icontains=text)
        )
    if filters.category is not None:
        packages = packages.filter(category=filters.category)
    if filters.grid is not None:
        packages = packages.filter(
            Exists(GridPackage.objects.filter(grid=filters.grid, package=OuterRef("pk")))
        )
    if filters.status:
        packages = packages.filter(_status_filter(filters.status))
    if filters.django is not None:
        packages = packages.filter(_supports(filters.django))
    if filters.python is not None:
        packages = packages.filter(_supports(filters.python))
    if filters.licence:
        packages = packages.filter(
            Exists(_latest_release().filter(license__iexact=filters.licence))
        )
    if filters.host == "codeberg":
        packages = packages.filter(
            repo_host=RepositoryHost.FORGEJO, repo_key__startswith=CODEBERG_KEY_PREFIX
        )
    elif filters.host:
        packages = packages.filter(repo_host=filters.host)
    if filters.updated_since is not None:
        packages = packages.filter(modified__gte=filters.updated_since)
    return packages


def package_status(package: Package) -> str:
    """Return the package's status as `?status=` names it."""
    if package.archived_at is not None:
        return "archived"
    if package.deprecated_at is not None:
        return "deprecated"
    if package.repo_missing_since is not None:
        return "missing"
    return "maintained"


def package_records_for_v5() -> QuerySet[Package]:
    """Return packages with everything a record shows (7 queries for any number of them).

    The rows with their category, score (its advisories too), replacement and status flags;
    then their fetch states, compatibility answers with their release cycles, grids, latest
    release (`latest_releases`, a list of at most one), and the directory's packages they
    require (`v5_dependencies`) and that require them (`v5_dependents`), each required before
    optional, then by title, as the package page lists them.
    """
    answers = PackageCompatibility.objects.select_related("cycle").order_by(
        "cycle__product", "-cycle__major", "-cycle__minor"
    )
    grids = Grid.objects.only("id", "slug", "title").order_by("title", "id")
    latest = Release.objects.filter(version=F("package__pypi_version"))
    dependencies = (
        Dependency.objects.select_related("target")
        .only("package_id", "target_id", "requirement", "optional", "target__slug", "target__title")
        .order_by("optional", Lower("target__title"), "target_id")
    )
    dependents = (
        Dependency.objects.select_related("package")
        .only(
            "package_id", "target_id", "requirement", "optional", "package__slug", "package__title"
        )
        .order_by("optional", Lower("package__title"), "package_id")
    )
    return Package.objects.select_related(
        "category", "scoring", "replaced_by", "status_flags"
    ).prefetch_related(
        Prefetch("fetch_states", queryset=FetchState.objects.order_by("source")),
        Prefetch("compatibility", queryset=answers, to_attr="v5_answers"),
        Prefetch("grids", queryset=grids, to_attr="v5_grids"),
        Prefetch("releases", queryset=latest, to_attr="latest_releases"),
        Prefetch("directory_requirements", queryset=dependencies, to_attr="v5_dependencies"),
        Prefetch("directory_dependents", queryset=dependents, to_attr="v5_dependents"),
    )


def package_for_v5(*, slug: str) -> Package:
    """Return a package with everything its record shows (7 queries), or raise Http404."""
    return get_object_or_404(package_records_for_v5(), slug=slug)


def package_releases_for_v5(*, slug: str) -> QuerySet[Release]:
    """Return a package's releases newest first (raise Http404 for an unknown package)."""
    package = get_object_or_404(Package.objects.only("id"), slug=slug)
    return Release.objects.filter(package=package).annotate(
        sort_uploaded=Coalesce(F("upload_time"), Value(NO_TIME), output_field=DateTimeField())
    )


def grids_for_v5() -> QuerySet[Grid]:
    """Return grids with their number of packages (one query a page)."""
    return Grid.objects.all()


@dataclass
class GridTable:
    """A grid with its features, packages (columns, in title order) and cells."""

    grid: Grid
    features: list[Feature]
    columns: list[GridPackage]
    cells: list[Element] = field(default_factory=list)


def grid_table_for_v5(*, slug: str) -> GridTable:
    """Return a grid's features, packages and cells (4 queries), or raise Http404."""
    grid = get_object_or_404(Grid, slug=slug)
    features = list(grid.features.order_by("position", "id").defer("cells"))
    columns = list(
        GridPackage.objects.filter(grid=grid)
        .select_related("package__scoring")
        .order_by(Lower("package__title"), "package_id")
    )
    cells = list(
        Element.objects.filter(feature__grid=grid)
        .select_related("grid_package__package")
        .only("id", "feature_id", "text", "text_html", "grid_package__package__slug")
        .order_by("feature_id", "grid_package_id")
    )
    return GridTable(grid=grid, features=features, columns=columns, cells=cells)


def categories_for_v5() -> QuerySet[Category]:
    """Return categories with their stored package counts."""
    return Category.objects.all()
