"""Each package's stored favourite and user counts follow every write to the marks."""

from __future__ import annotations

import pytest
from django.db import connection

from packyard.accounts import counts as mark_counts
from packyard.accounts.models import Mark, MarkKind
from packyard.accounts.selectors import marks_of, packages_most_liked
from packyard.accounts.services import mark_toggle
from packyard.catalog.models import Package
from tests.factories import PackageFactory, member

pytestmark = pytest.mark.django_db


def counts() -> dict[str, tuple[int, int]]:
    """Return each package's (favourites, users) as stored on it."""
    rows = Package.objects.values_list("slug", "favourite_count", "use_count")
    return {slug: (favourites, users) for slug, favourites, users in rows}


def test_marking_and_unmarking_moves_the_counts_at_once():
    alpha, beta = PackageFactory(slug="alpha"), PackageFactory(slug="beta")
    ada, bob = member("ada"), member("bob")
    mark_toggle(user=ada, package=alpha, kind=MarkKind.FAVOURITE)
    mark_toggle(user=bob, package=alpha, kind=MarkKind.FAVOURITE)
    mark_toggle(user=ada, package=alpha, kind=MarkKind.USE)
    mark_toggle(user=bob, package=beta, kind=MarkKind.USE)
    assert counts() == {"alpha": (2, 1), "beta": (0, 1)}

    mark_toggle(user=bob, package=alpha, kind=MarkKind.FAVOURITE)  # Taken back.
    assert counts() == {"alpha": (1, 1), "beta": (0, 1)}
    alpha.refresh_from_db()
    assert marks_of(packages=[alpha], user=ada)[alpha.pk].favourites == 1


def test_bulk_writes_raw_sql_and_deleted_people_move_the_counts_too():
    """Writes that skip the services (bulk, an UPDATE, raw SQL, a person's account deleted
    with their marks) keep the counts right."""
    alpha, beta = PackageFactory(slug="alpha"), PackageFactory(slug="beta")
    people = [member(f"person{n}") for n in range(5)]
    Mark.objects.bulk_create(
        Mark(user=person, package=alpha, kind=MarkKind.FAVOURITE) for person in people
    )
    assert counts() == {"alpha": (5, 0), "beta": (0, 0)}
    Mark.objects.filter(user__in=people[:2]).update(kind=MarkKind.USE)
    Mark.objects.filter(user=people[2]).update(package=beta)
    assert counts() == {"alpha": (2, 2), "beta": (1, 0)}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_mark WHERE user_id = %s", [people[3].pk])
    assert counts() == {"alpha": (1, 2), "beta": (1, 0)}
    people[0].delete()
    assert counts() == {"alpha": (1, 1), "beta": (1, 0)}


def test_installing_the_triggers_counts_every_package_afresh():
    """Counts left wrong (written while the triggers were off) are right once installed."""
    alpha = PackageFactory(slug="alpha")
    mark_toggle(user=member("ada"), package=alpha, kind=MarkKind.USE)
    Package.objects.filter(pk=alpha.pk).update(favourite_count=7, use_count=0)
    assert counts() == {"alpha": (7, 0)}
    mark_counts.mark_triggers_install(connection)
    assert counts() == {"alpha": (0, 1)}


def test_the_most_liked_are_read_in_order_of_their_counts():
    alpha, beta, gamma = (PackageFactory(slug=slug, title=slug) for slug in ("a", "b", "c"))
    PackageFactory(slug="unliked")
    ada, bob = member("ada"), member("bob")
    for person in (ada, bob):
        mark_toggle(user=person, package=beta, kind=MarkKind.FAVOURITE)
    mark_toggle(user=ada, package=gamma, kind=MarkKind.FAVOURITE)
    mark_toggle(user=ada, package=gamma, kind=MarkKind.USE)
    mark_toggle(user=bob, package=alpha, kind=MarkKind.FAVOURITE)
    liked = list(packages_most_liked())
    assert [(p.slug, p.favourite_count, p.use_count) for p in liked] == [
        ("b", 2, 0),
        ("c", 1, 1),
        ("a", 1, 0),
    ]


def test_saving_a_package_read_before_a_mark_keeps_the_mark_counted():
    """An edit saved from a package read before someone marked it (the admin, the importer,
    a service) leaves the counts as the triggers set them, and unmarking still works."""
    alpha = PackageFactory(slug="alpha")
    read_before = Package.objects.get(pk=alpha.pk)
    ada = member("ada")
    mark_toggle(user=ada, package=alpha, kind=MarkKind.FAVOURITE)

    read_before.description = "Edited"
    read_before.save()
    assert counts() == {"alpha": (1, 0)}
    assert Package.objects.get(pk=alpha.pk).description == "Edited"

    mark_toggle(user=ada, package=alpha, kind=MarkKind.FAVOURITE)  # Taken back: no error.
    assert counts() == {"alpha": (0, 0)}
