"""Database constraints keep the catalogue and the grids consistent, whatever code writes."""

import pytest
from django.db import IntegrityError, transaction

from packyard.catalog.models import Category, Package, Release
from packyard.grids.models import Element, Grid, GridPackage
from tests.factories import (
    CategoryFactory,
    ElementFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db


def test_two_packages_cannot_share_a_slug():
    """A second package with the same slug is refused."""
    PackageFactory(slug="django-tagging")

    with pytest.raises(IntegrityError), transaction.atomic():
        PackageFactory(slug="django-tagging", title="Another")

    assert Package.objects.filter(slug="django-tagging").count() == 1


def test_two_packages_cannot_share_a_repository():
    """A second package with the same repository key is refused."""
    PackageFactory(slug="one", repo_key="github.com/jazzband/django-tagging")

    with pytest.raises(IntegrityError), transaction.atomic():
        PackageFactory(slug="two", repo_key="github.com/jazzband/django-tagging")


def test_many_packages_may_have_no_repository():
    """Packages without a repository key do not collide with each other."""
    PackageFactory(slug="one", repo_url="", repo_key=None)
    PackageFactory(slug="two", repo_url="", repo_key=None)

    assert Package.objects.filter(repo_key__isnull=True).count() == 2


def test_a_package_cannot_be_replaced_by_itself():
    """A package marked as replaced by itself is refused."""
    package = PackageFactory()
    package.replaced_by = package

    with pytest.raises(IntegrityError), transaction.atomic():
        package.save()


def test_a_package_may_be_replaced_by_another():
    """A package may point at another package that replaces it."""
    old, new = PackageFactory(), PackageFactory()
    old.replaced_by = new
    old.save()

    assert list(new.replaces.all()) == [old]


def test_a_package_needs_a_slug():
    """An empty slug is refused."""
    with pytest.raises(IntegrityError), transaction.atomic():
        PackageFactory(slug="")


def test_stars_cannot_be_negative():
    """A negative star count is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        PackageFactory(stars=-1)


def test_forks_cannot_be_negative():
    """A negative fork count is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        PackageFactory(forks=-3)


def test_repository_host_must_be_known():
    """A repository host outside the known list is refused."""
    with pytest.raises(IntegrityError), transaction.atomic():
        PackageFactory(repo_host="sourceforge")


def test_a_version_is_stored_once_per_package():
    """The same version twice for one package is refused."""
    package = PackageFactory()
    ReleaseFactory(package=package, version="1.0")

    with pytest.raises(IntegrityError), transaction.atomic():
        ReleaseFactory(package=package, version="1.0")


def test_two_packages_may_have_the_same_version():
    """Version 1.0 of two packages are two releases."""
    ReleaseFactory(version="1.0")
    ReleaseFactory(version="1.0")

    assert Release.objects.filter(version="1.0").count() == 2


def test_a_release_needs_a_version():
    """An empty version is refused."""
    with pytest.raises(IntegrityError), transaction.atomic():
        ReleaseFactory(version="")


def test_two_grids_cannot_share_a_slug():
    """A second grid with the same slug is refused."""
    GridFactory(slug="permissions")

    with pytest.raises(IntegrityError), transaction.atomic():
        GridFactory(slug="permissions")

    assert Grid.objects.filter(slug="permissions").count() == 1


def test_a_package_is_in_a_grid_once():
    """Adding a package to a grid twice at the database level is refused."""
    membership = GridPackageFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        GridPackage.objects.create(grid=membership.grid, package=membership.package)


def test_a_grid_has_one_cell_per_package_and_feature():
    """A second cell for the same package and feature is refused."""
    element = ElementFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Element.objects.create(
            grid_package=element.grid_package, feature=element.feature, text="No"
        )

    assert Element.objects.count() == 1


def test_two_categories_cannot_share_a_slug():
    """A second category with the same slug is refused."""
    CategoryFactory(slug="apps")

    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(title="Applications", slug="apps")


def test_a_category_in_use_cannot_be_deleted():
    """Deleting a category that still holds packages is refused."""
    from django.db.models import ProtectedError

    package = PackageFactory()

    with pytest.raises(ProtectedError):
        package.category.delete()


def test_unfetched_facts_stay_none_not_zero():
    """A package whose facts were never fetched reads None, not 0."""
    package = PackageFactory()
    package.refresh_from_db()

    assert package.stars is None
    assert package.forks is None
    assert package.commits_last_year is None
    assert package.is_host_supported is True
