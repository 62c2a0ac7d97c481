"""Each grid's stored package count follows every write, whatever makes it."""

from __future__ import annotations

import pytest
from django.db import connection

from packyard.catalog.models import Package
from packyard.grids.counts import count_triggers_install
from packyard.grids.models import Grid, GridPackage
from packyard.grids.selectors import grid_summary, grids_list, header_grids
from packyard.grids.services import grid_add_package, grid_remove_package
from tests.factories import GridFactory, PackageFactory, member

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return dict(Grid.objects.values_list("slug", "package_count"))


def test_adding_moving_and_removing_packages_moves_the_counts():
    """Packages added and taken out by the services, a membership moved to another grid, and
    a package deleted with its memberships each change the counts at once."""
    forms, auth = GridFactory(slug="forms"), GridFactory(slug="auth")
    first, second, third = PackageFactory(), PackageFactory(), PackageFactory()
    editor = member()
    for package in (first, second, third):
        grid_add_package(grid=forms, package=package, actor=editor)
    assert counts() == {"forms": 3, "auth": 0}

    grid_remove_package(grid=forms, package=second, actor=editor)
    assert counts() == {"forms": 2, "auth": 0}

    GridPackage.objects.filter(grid=forms, package=third).update(grid=auth)
    assert counts() == {"forms": 1, "auth": 1}

    third.delete()
    assert counts() == {"forms": 1, "auth": 0}
    assert grid_summary(slug="forms").package_count == 1


def test_bulk_writes_move_the_counts_too():
    """Bulk inserts and deletes, which skip the services, keep the counts right."""
    forms = GridFactory(slug="forms")
    packages = [PackageFactory() for _ in range(5)]
    GridPackage.objects.bulk_create(GridPackage(grid=forms, package=p) for p in packages)
    assert counts() == {"forms": 5}
    Package.objects.filter(pk__in=[p.pk for p in packages[:2]]).delete()
    assert counts() == {"forms": 3}
    GridPackage.objects.all().delete()
    assert counts() == {"forms": 0}


def test_saving_a_grid_read_before_a_package_joined_keeps_the_count():
    """A grid read, then a package added elsewhere, then the old copy saved: the count stays."""
    forms = GridFactory(slug="forms")
    stale = Grid.objects.get(pk=forms.pk)
    grid_add_package(grid=forms, package=PackageFactory(), actor=member())
    stale.title = "Forms, renamed"
    stale.save()
    assert counts() == {"forms": 1}
    assert Grid.objects.get(pk=forms.pk).title == "Forms, renamed"


def test_installing_the_triggers_corrects_every_wrong_count():
    """`migrate` installs the triggers again and counts afresh: a count gone wrong (a restore
    from a dump, a trigger once missing) is put right."""
    forms, auth = GridFactory(slug="forms"), GridFactory(slug="auth")
    GridPackage.objects.create(grid=forms, package=PackageFactory())
    Grid.objects.filter(pk=forms.pk).update(package_count=7)
    Grid.objects.filter(pk=auth.pk).update(package_count=2)
    count_triggers_install(connection)
    assert counts() == {"forms": 1, "auth": 0}


def test_lists_sort_by_the_stored_count_without_counting(django_assert_num_queries):
    """The home page's grids and the list's "Most packages" read the count, in one query,
    the biggest first and by title among equals."""
    small = GridFactory(slug="small", title="Small", header=True)
    big = GridFactory(slug="big", title="Big", header=True)
    GridFactory(slug="hidden", title="Hidden", header=False)
    also_small = GridFactory(slug="also-small", title="Also small", header=True)
    packages = [PackageFactory() for _ in range(3)]
    GridPackage.objects.bulk_create(
        [GridPackage(grid=big, package=p) for p in packages]
        + [GridPackage(grid=small, package=packages[0])]
        + [GridPackage(grid=also_small, package=packages[1])]
    )
    with django_assert_num_queries(1) as captured:
        shown = [(g.slug, g.package_count) for g in header_grids(limit=10)]
    assert shown == [("big", 3), ("also-small", 1), ("small", 1)]
    assert "gridpackage" not in captured.captured_queries[0]["sql"]
    listed = [g.slug for g in grids_list(sort="packages")]
    assert listed == ["big", "also-small", "small", "hidden"]


def test_the_home_pages_grids_are_read_from_their_index():
    """The biggest chosen grids come from the partial index, not from sorting every grid."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = header_grids(limit=10).explain()
    assert "grid_header_idx" in plan
