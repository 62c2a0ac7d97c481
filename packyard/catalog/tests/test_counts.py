"""Each category's stored package count follows every write, whatever makes it."""

from __future__ import annotations

import pytest

from packyard.catalog.models import Category, Package, Release
from packyard.catalog.selectors import packages_count
from tests.factories import CategoryFactory, PackageFactory

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return dict(Category.objects.values_list("slug", "package_count"))


def test_adding_moving_and_deleting_packages_moves_the_counts():
    """A package added, moved to another category, or deleted changes the counts at once."""
    apps = CategoryFactory(slug="apps", title="App")
    tools = CategoryFactory(slug="tools", title="Tool")
    first, second = PackageFactory(category=apps), PackageFactory(category=apps)
    assert counts() == {"apps": 2, "tools": 0}

    second.category = tools
    second.save(update_fields=["category"])
    assert counts() == {"apps": 1, "tools": 1}

    first.title = "renamed"
    first.save(update_fields=["title"])
    assert counts() == {"apps": 1, "tools": 1}

    first.delete()
    assert counts() == {"apps": 0, "tools": 1}
    assert packages_count() == 1
    assert packages_count(category=Category.objects.get(slug="tools")) == 1


def test_saving_a_category_read_before_a_package_joined_keeps_the_count():
    """A category read, then a package added to it, then the old copy saved: the count stays."""
    apps = CategoryFactory(slug="apps", title="App")
    stale = Category.objects.get(pk=apps.pk)
    PackageFactory(category=apps)
    stale.description = "Reusable apps."
    stale.save()
    assert counts() == {"apps": 1}
    assert Category.objects.get(pk=apps.pk).description == "Reusable apps."


def test_bulk_writes_move_the_counts_too():
    """Bulk inserts, updates and deletes, which skip the services, keep the counts right."""
    apps = CategoryFactory(slug="apps", title="App")
    tools = CategoryFactory(slug="tools", title="Tool")
    Package.objects.bulk_create(
        Package(title=f"p{n}", slug=f"p{n}", category=apps, repo_key=f"r/{n}") for n in range(7)
    )
    assert counts() == {"apps": 7, "tools": 0}
    Package.objects.filter(slug__in=["p1", "p2", "p3"]).update(category=tools)
    assert counts() == {"apps": 4, "tools": 3}
    Package.objects.filter(category=tools).delete()
    assert counts() == {"apps": 4, "tools": 0}
    assert packages_count() == Package.objects.count() == 4


# --- Each package's releases ---------------------------------------------------------------


def release_counts() -> dict[str, int]:
    return dict(Package.objects.values_list("slug", "release_count"))


def test_each_release_written_moves_its_package_count():
    """A release added, moved to another package or deleted, one by one or in bulk, changes its
    package's stored count at once; a package's save never puts an old count back."""
    first, second = PackageFactory(slug="first"), PackageFactory(slug="second")
    old = Package.objects.get(pk=first.pk)  # Read before any release.
    one = Release.objects.create(package=first, version="1.0")
    Release.objects.bulk_create(
        [Release(package=first, version="1.1"), Release(package=second, version="0.1")]
    )
    assert release_counts() == {"first": 2, "second": 1}

    Release.objects.filter(pk=one.pk).update(package=second)
    assert release_counts() == {"first": 1, "second": 2}

    old.title = "First, renamed"
    old.save()
    assert release_counts() == {"first": 1, "second": 2}

    Release.objects.filter(package=second).delete()
    assert release_counts() == {"first": 1, "second": 0}


def test_the_package_page_pages_its_releases_with_the_stored_count(client):
    """The package page pages its releases by the stored count (12 releases, 10 a page)."""
    package = PackageFactory(slug="many", pypi_version="1.11")
    Release.objects.bulk_create(
        Release(package=package, version=f"1.{number}") for number in range(12)
    )

    page = client.get("/packages/p/many/")

    assert page.status_code == 200
    assert Package.objects.get(pk=package.pk).release_count == 12
    assert "Page 1 of 2" in page.text
