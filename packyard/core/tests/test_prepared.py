"""A prepared read returns what its queryset returns, with each call's values, compiled once."""

import threading
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Prefetch
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from packyard.catalog.models import Package, Release
from packyard.core.prepared import Prepared
from tests.factories import CategoryFactory, PackageFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def _by_slug(slug):
    return Package.objects.select_related("category", "replaced_by").filter(slug=slug)[:1]


def test_it_returns_the_querysets_instances_with_their_related_rows_in_one_query():
    """The same fields, converted as Django converts them, and the related rows cached."""
    category = CategoryFactory(title="Apps")
    old = PackageFactory(slug="old-tagging", title="Old Tagging")
    fetched = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    PackageFactory(
        slug="tagging",
        category=category,
        replaced_by=old,
        last_fetched_at=fetched,
        contributors=[{"login": "ann"}],
    )
    read = Prepared(_by_slug, slug=str)

    with CaptureQueriesContext(connection) as queries:
        package = read.first(slug="tagging")
        assert package.category.title == "Apps"
        assert package.replaced_by.title == "Old Tagging"
    assert len(queries) == 1
    expected = _by_slug("tagging")[0]
    assert {name: package.__dict__[name] for name in expected.__dict__ if name != "_state"} == {
        name: value for name, value in expected.__dict__.items() if name != "_state"
    }
    assert package.last_fetched_at == fetched
    assert package.contributors == [{"login": "ann"}]
    assert package._state.adding is False


def test_each_call_reads_with_its_own_values_from_sql_compiled_once():
    """Two slugs give two packages and an unknown one none; the SQL is compiled once."""
    PackageFactory(slug="tagging", title="Tagging")
    PackageFactory(slug="taggit", title="Taggit")
    read = Prepared(_by_slug, slug=str)

    assert read.first(slug="tagging").title == "Tagging"
    compiled = read._compiled
    assert read.first(slug="taggit").title == "Taggit"
    assert read.first(slug="missing") is None
    assert read._compiled is compiled


def test_a_value_used_twice_is_put_in_both_places():
    """An id matched on either side of an OR reaches both parameters."""
    first, second = PackageFactory(slug="one"), PackageFactory(slug="two")
    read = Prepared(
        lambda pk: Package.objects.filter(pk=pk) | Package.objects.filter(replaced_by_id=pk),
        pk=int,
    )
    assert read.all(pk=first.pk) == [first]
    second.replaced_by = first
    second.save()
    assert sorted(package.slug for package in read.all(pk=first.pk)) == ["one", "two"]
    assert read.all(pk=str(second.pk)) == [second]  # Converted to the declared kind.


def test_values_lists_and_prefetches_are_kept():
    """values(), flat values_list() and prefetch_related() read as the queryset does."""
    package = PackageFactory(slug="tagging", title="Tagging")
    ReleaseFactory(package=package, version="1.0")
    ReleaseFactory(package=package, version="2.0")
    values = Prepared(
        lambda slug: Package.objects.filter(slug=slug).values("title", "slug"), slug=str
    )
    flat = Prepared(
        lambda pk: (
            Release.objects.filter(package_id=pk)
            .order_by("version")
            .values_list("version", flat=True)
        ),
        pk=int,
    )
    prefetched = Prepared(
        lambda slug: Package.objects.filter(slug=slug).prefetch_related(
            Prefetch("releases", queryset=Release.objects.order_by("-version"))
        ),
        slug=str,
    )

    assert values.all(slug="tagging") == [{"title": "Tagging", "slug": "tagging"}]
    assert flat.all(pk=package.pk) == ["1.0", "2.0"]
    with CaptureQueriesContext(connection) as queries:
        (read,) = prefetched.all(slug="tagging")
        assert [release.version for release in read.releases.all()] == ["2.0", "1.0"]
    assert len(queries) == 2


def test_none_is_read_by_building_the_queryset():
    """`= NULL` matches nothing where `IS NULL` matches: a None value is not prepared."""
    alone = PackageFactory(slug="alone")
    PackageFactory(slug="replaced", replaced_by=alone)
    read = Prepared(lambda pk: Package.objects.filter(replaced_by_id=pk), pk=int)

    assert read.all(pk=None) == [alone]
    assert read._compiled is None


def test_a_value_changed_on_its_way_to_the_sql_is_refused():
    """A lookup that wraps the value (contains: %value%) cannot be prepared, and says so."""
    read = Prepared(lambda text: Package.objects.filter(title__contains=text), text=str)
    with pytest.raises(ImproperlyConfigured, match="'text' does not reach the SQL unchanged"):
        read.all(text="tag")


def test_wrong_names_and_kinds_are_refused():
    """A call names exactly the declared values; only int and str values are prepared."""
    read = Prepared(_by_slug, slug=str)
    with pytest.raises(TypeError, match="takes \\['slug'\\]"):
        read.all(title="x")
    with pytest.raises(ImproperlyConfigured):
        Prepared(_by_slug, slug=list)


def test_a_changed_setting_compiles_again():
    """Any setting change drops the kept SQL; the read still answers."""
    PackageFactory(slug="tagging")
    read = Prepared(_by_slug, slug=str)
    read.first(slug="tagging")
    with override_settings(TIME_ZONE="Europe/Paris"):
        assert read._compiled is None
        assert read.first(slug="tagging").slug == "tagging"


@pytest.mark.django_db(transaction=True)
def test_threads_read_their_own_values_at_once():
    """Threads share the kept SQL, each with its own connection and values."""
    for number in range(4):
        PackageFactory(slug=f"package-{number}", title=f"Package {number}")
    read = Prepared(_by_slug, slug=str)
    read.first(slug="package-0")
    found: dict[int, list[str]] = {}
    start = threading.Barrier(4)

    def reader(number):
        start.wait()
        try:
            found[number] = [read.first(slug=f"package-{number}").title for _ in range(20)]
        finally:
            connection.close()

    threads = [threading.Thread(target=reader, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == {number: [f"Package {number}"] * 20 for number in range(4)}


def test_a_read_without_values_reads_the_rows_of_the_moment():
    """A read that takes no value (a list's first page) is compiled once and read anew."""
    read = Prepared(lambda: Package.objects.order_by("slug").values_list("slug", flat=True)[:2])
    assert read.all() == []
    PackageFactory(slug="b")
    PackageFactory(slug="a")
    PackageFactory(slug="c")
    assert read.all() == ["a", "b"]
