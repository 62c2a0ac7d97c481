"""Instances made from plain rows behave as the ORM's own: saved, deferred, related cached."""

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from packyard.catalog.models import Category, Package, Release
from packyard.core.reads import instance_of, rows_as
from packyard.scoring.models import PackageScore
from tests.factories import CategoryFactory, PackageFactory

pytestmark = pytest.mark.django_db


def test_an_instance_from_values_is_the_saved_row_with_the_rest_deferred():
    """Its fields read, the others fetched on use (as with .only()), and it saves as an update."""
    package = PackageFactory(title="Django Tagging", stars=120, forks=7)
    made = instance_of(
        Package, {"id": package.pk, "title": "Django Tagging", "stars": 120}, db="default"
    )

    assert made == package
    assert made._state.adding is False
    assert made._state.db == "default"
    assert made.get_deferred_fields() >= {"forks", "slug"}
    with CaptureQueriesContext(connection) as queries:
        assert made.stars == 120
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert made.forks == 7
    assert len(queries) == 1

    made.stars = 121
    made.save(update_fields=["stars"])
    package.refresh_from_db()
    assert (package.stars, package.forks, package.title) == (121, 7, "Django Tagging")
    assert Package.objects.count() == 1


def test_related_rows_given_are_cached_as_select_related_caches_them():
    """A category given beside it is read without a query; a missing replacement is None."""
    category = CategoryFactory(title="Apps", slug="apps")
    package = PackageFactory(category=category)
    made = instance_of(
        Package,
        {"id": package.pk, "category_id": category.pk, "replaced_by_id": None},
        db="default",
        related={
            "category": instance_of(Category, {"id": category.pk, "title": "Apps"}, db="default"),
            "replaced_by": None,
        },
    )

    with CaptureQueriesContext(connection) as queries:
        assert made.category.title == "Apps"
        assert made.replaced_by is None
    assert len(queries) == 0


def test_rows_as_pairs_each_row_with_the_fields():
    """Each row of values_list becomes one instance with those values."""
    first, second = PackageFactory(title="One"), PackageFactory(title="Two")
    rows = Package.objects.order_by("pk").values_list("id", "title")

    made = list(rows_as(Package, rows, ("id", "title"), db=rows.db))

    assert [(package.pk, package.title) for package in made] == [
        (first.pk, "One"),
        (second.pk, "Two"),
    ]


@pytest.mark.parametrize("model", [Package, Category, Release, PackageScore])
def test_no_post_init_receiver_misses_the_instances_made_from_rows(model):
    """`instance_of` sends no post_init: a receiver added for these models would miss them."""
    assert not post_init.has_listeners(model)
