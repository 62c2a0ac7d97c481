"""Each category's stored package count follows every write, whatever makes it."""

from __future__ import annotations

import pytest

from packyard.catalog.models import Category, Package
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
