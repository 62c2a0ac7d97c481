"""Reads of the catalogue, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.expressions import OrderBy
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404

from packyard.catalog.models import Category, Package, Release
from packyard.core.prepared import Prepared
from packyard.core.reads import instance_of, rows_as


@dataclass(frozen=True)
class Sort:
    label: str
    order: tuple[OrderBy | str, ...]


# Each order ends in a unique column and has an index of its own (catalog.models and migration
# 0003), so a page of any of them reads 25 rows from an index, from the start or the end.
PACKAGE_SORTS: dict[str, Sort] = {
    "stars": Sort("Stars", (F("stars").desc(nulls_last=True), "title", "id")),
    "forks": Sort("Forks", (F("forks").desc(nulls_last=True), "title", "id")),
    "last-commit": Sort("Last commit", (F("last_commit_at").desc(nulls_last=True), "title", "id")),
    "last-release": Sort(
        "Last release", (F("latest_release_at").desc(nulls_last=True), "title", "id")
    ),
    # Alphabetical for people: "django-allauth" sorts between "Celery" and "Wagtail".
    "title": Sort("Title", (Lower("title").asc(), "id")),
    "added": Sort("Date added", ("-created", "-id")),
}
DEFAULT_PACKAGE_SORT = "stars"


def categories_with_counts() -> QuerySet[Category]:
    """Return every category with the number of packages in it (a stored count)."""
    return Category.objects.order_by("title")


def packages_count(*, category: Category | None = None) -> int:
    """Return the number of packages, in a category or in all, read from the stored counts."""
    if category is not None:
        return category.package_count
    return Category.objects.aggregate(total=Sum("package_count"))["total"] or 0


def category_get(*, slug: str) -> Category:
    """Return a category by slug, or raise Http404."""
    return get_object_or_404(Category, slug=slug)


def packages_list(
    *, category: Category | None = None, text: str = "", sort: str = DEFAULT_PACKAGE_SORT
) -> QuerySet[Package]:
    """Return packages filtered by category and text, in the chosen order."""
    packages = Package.objects.for_lists()
    if category is not None:
        packages = packages.filter(category=category)
    text = text.strip()
    if text:
        packages = packages.filter(
            Q(title__icontains=text)
            | Q(slug__icontains=text)
            | Q(pypi_name__icontains=text)
            | Q(description__icontains=text)
        )
    chosen = PACKAGE_SORTS.get(sort, PACKAGE_SORTS[DEFAULT_PACKAGE_SORT])
    return packages.order_by(*chosen.order)


def packages_latest(*, limit: int) -> QuerySet[Package]:
    """Return the packages added most recently."""
    return Package.objects.for_lists().order_by("-created", "-id")[:limit]


def releases_latest(*, limit: int) -> QuerySet[Release]:
    """Return the newest releases of any package."""
    return (
        Release.objects.filter(upload_time__isnull=False, yanked=False)
        .select_related("package")
        .order_by("-upload_time", "-id")[:limit]
    )


def package_link(*, pk: int, title: str, slug: str, db: str) -> Package:
    """Return a package read as its title and slug only, what a link to it shows (the rest
    deferred): a replacement, the package at the other end of a dependency."""
    return instance_of(Package, {"id": pk, "title": title, "slug": slug}, db=db)


@cache
def _package_read(beside: tuple[str, ...]) -> Prepared[Package]:
    """Return the prepared read of a package by slug with `beside` (`core.prepared`)."""
    return Prepared(
        lambda slug: (
            Package.objects.select_related("category", *beside)
            .annotate(
                replacement_title=F("replaced_by__title"),
                replacement_slug=F("replaced_by__slug"),
            )
            .filter(slug=slug)[:1]
        ),
        slug=str,
    )


def package_get(*, slug: str, beside: tuple[str, ...] = ()) -> Package:
    """Return a package with what its page shows beside it, or raise Http404 (one query).

    `beside` names more one-to-one rows to read in the same query (the score, the status
    flags of the apps above this one). Its number of releases is stored with it
    (`release_count`, packyard.catalog.counts). Of its replacement (`replaced_by`) only the
    title and the slug are read, what pages show: a whole package is some forty columns more
    to read, and as costly to make as the package itself; the rest is deferred. The SQL is
    compiled once per process (`core.prepared`): it cost three times the read on PostgreSQL.
    """
    package = _package_read(beside).first(slug=slug)
    if package is None:
        raise Http404("No package has this slug.")
    package.replaced_by = (
        None
        if package.replaced_by_id is None
        else package_link(
            pk=package.replaced_by_id,
            title=package.replacement_title,  # type: ignore[attr-defined]
            slug=package.replacement_slug,  # type: ignore[attr-defined]
            db=package._state.db or DEFAULT_DB_ALIAS,
        )
    )
    return package


def package_releases(*, package: Package) -> QuerySet[Release]:
    """Return a package's releases, newest first."""
    return package.releases.order_by(F("upload_time").desc(nulls_last=True), "-id")


def package_releases_first(*, package: Package, count: int) -> list[Release]:
    """Return a package's `count` newest releases: the first page of `package_releases`, read
    with SQL compiled once per process (`core.prepared`)."""
    return _first_releases_read(count).all(package_id=package.pk)


@cache
def _first_releases_read(count: int) -> Prepared[Release]:
    return Prepared(
        lambda package_id: Release.objects.filter(package_id=package_id).order_by(
            F("upload_time").desc(nulls_last=True), "-id"
        )[:count],
        package_id=int,
    )


RELEASE_FIELDS = tuple(field.attname for field in Release._meta.concrete_fields)


def latest_releases_of(*, packages: list[Package]) -> dict[int, Release]:
    """Return the Release row of each package's latest version, in one query."""
    rows = Release.objects.filter(
        package__in=[package.pk for package in packages], version=F("package__pypi_version")
    ).values_list(*RELEASE_FIELDS)
    # Made into instances at once (`core.reads`): a grid reads hundreds.
    return {
        release.package_id: release
        for release in rows_as(Release, rows, RELEASE_FIELDS, db=rows.db)
    }


def python3_support(release: Release | None) -> bool | None:
    """Tell whether a release says it runs on Python 3 (None when it does not say)."""
    if release is None:
        return None
    if any(c.startswith("Programming Language :: Python :: 3") for c in release.classifiers):
        return True
    spec = release.requires_python.replace(" ", "")
    if spec:
        return not spec.startswith(("<3", "==2", "<=2"))
    if any(c.startswith("Programming Language :: Python :: 2") for c in release.classifiers):
        return False
    return None
