"""Each package's facts version grows, in the database, whenever something a summary of it
shows changes, and only then (`packyard.catalog.facts`, `packyard.scoring.facts`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import connection

from packyard.accounts.models import Mark, MarkKind
from packyard.accounts.services import mark_toggle
from packyard.catalog import facts
from packyard.catalog.models import Category, Package, Release
from packyard.core.database import trigger_names
from packyard.scoring import facts as score_facts
from packyard.scoring.models import PackageScore
from tests.factories import CategoryFactory, FetchedPackageFactory, PackageFactory, member

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def version(package: Package) -> int:
    """Return the package's facts version as stored now."""
    return Package.objects.values_list("facts_version", flat=True).get(pk=package.pk)


def versions(*packages: Package) -> list[int]:
    return [version(package) for package in packages]


def score_of(package: Package, **fields) -> PackageScore:
    values = {
        "overall": 70,
        "maintenance": 70,
        "adoption": 70,
        "compatibility": 70,
        "documentation": 70,
        "status": 70,
    }
    return PackageScore.objects.create(package=package, **{**values, **fields})


# The package's own facts.


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Renamed"),
        ("slug", "renamed"),
        ("description", "Does something else now."),
        ("stars", 121),
        ("forks", 0),
        ("commits_over_52", [0] * 51 + [9]),
        ("archived_at", MOMENT),
        ("deprecated_at", MOMENT),
        ("repo_missing_since", MOMENT),
        ("pypi_version", "9.9"),
        ("latest_release_at", MOMENT),
        ("pypi_project_status", "quarantined"),
    ],
)
def test_saving_a_changed_fact_grows_the_version(field, value):
    package = FetchedPackageFactory(slug="alpha", pypi_version="1.0")
    other = FetchedPackageFactory(slug="other")
    before, other_before = version(package), version(other)

    setattr(package, field, value)
    package.save()

    assert version(package) == before + 1
    assert version(other) == other_before


def test_a_new_category_or_replacement_grows_the_version():
    package = PackageFactory(slug="alpha")
    replacement = PackageFactory(slug="beta")
    start = version(package)

    package.category = CategoryFactory(slug="tools", title="Tool")
    package.save()
    assert version(package) == start + 1

    package.replaced_by = replacement
    package.save()
    assert version(package) == start + 2

    package.replaced_by = None
    package.save()
    assert version(package) == start + 3


@pytest.mark.parametrize(
    ("field", "value"),
    [("stars", 5000), ("description", "Edited in bulk."), ("archived_at", MOMENT)],
)
def test_a_queryset_update_or_raw_sql_grows_the_version_too(field, value):
    package = FetchedPackageFactory(slug="alpha")
    start = version(package)

    Package.objects.filter(pk=package.pk).update(**{field: value})
    assert version(package) == start + 1

    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_package SET forks = forks + 1 WHERE id = %s", [package.pk])
    assert version(package) == start + 2


@pytest.mark.parametrize(("field", "value"), [("title", "Beta Prime"), ("slug", "beta-prime")])
def test_renaming_the_replacement_grows_the_version_of_what_it_replaces(field, value):
    replacement = PackageFactory(title="Beta", slug="beta")
    replaced = PackageFactory(slug="alpha", replaced_by=replacement)
    bystander = PackageFactory(slug="gamma")
    before = versions(replaced, replacement, bystander)

    setattr(replacement, field, value)
    replacement.save()

    assert versions(replaced, replacement, bystander) == [before[0] + 1, before[1] + 1, before[2]]


def test_a_change_of_the_replacement_it_does_not_show_keeps_the_version():
    replacement = FetchedPackageFactory(title="Beta", slug="beta")
    replaced = PackageFactory(slug="alpha", replaced_by=replacement)
    start = version(replaced)

    replacement.stars = 9999  # Its own fact, not shown on the package it replaces.
    replacement.save()

    assert version(replaced) == start


def test_retitling_the_category_grows_the_version_of_its_packages():
    apps = CategoryFactory(slug="apps", title="App")
    tools = CategoryFactory(slug="tools", title="Tool")
    alpha, beta = PackageFactory(category=apps), PackageFactory(category=apps)
    gamma = PackageFactory(category=tools)
    before = versions(alpha, beta, gamma)

    apps.title = "Application"
    apps.save()
    assert versions(alpha, beta, gamma) == [before[0] + 1, before[1] + 1, before[2]]

    # Neither a save that changes nothing nor a field no summary shows.
    apps.save()
    Category.objects.filter(pk=apps.pk).update(description="Changed.")
    assert versions(alpha, beta, gamma) == [before[0] + 1, before[1] + 1, before[2]]


# Its latest release.


def test_inserting_updating_and_deleting_the_latest_release_grow_the_version():
    package = PackageFactory(slug="alpha", pypi_version="2.0")
    seen = [version(package)]

    latest = Release.objects.create(package=package, version="2.0", license="MIT")
    seen.append(version(package))
    latest.license = "Apache-2.0"
    latest.save()
    seen.append(version(package))
    Release.objects.filter(pk=latest.pk).update(classifiers=["Programming Language :: Python :: 2"])
    seen.append(version(package))
    latest.delete()
    seen.append(version(package))

    assert seen == sorted(set(seen)), f"each write grows it: {seen}"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("license", "MIT"),
        ("requires_python", ">=3.12"),
        ("development_status", "Beta"),
        ("classifiers", ["Programming Language :: Python :: 3.13"]),
    ],
)
def test_each_shown_field_of_the_latest_release_grows_the_version(field, value):
    package = PackageFactory(slug="alpha", pypi_version="2.0")
    other = PackageFactory(slug="beta", pypi_version="2.0")
    latest = Release.objects.create(package=package, version="2.0", license="BSD")
    Release.objects.create(package=other, version="2.0", license="BSD")
    start, other_start = version(package), version(other)

    setattr(latest, field, value)
    latest.save()

    assert version(package) > start
    assert version(other) == other_start


def test_a_release_renamed_to_or_from_the_latest_version_grows_the_version():
    package = PackageFactory(slug="alpha", pypi_version="2.0")
    release = Release.objects.create(package=package, version="1.9")
    start = version(package)

    release.version = "2.0"  # Now the latest.
    release.save()
    now_latest = version(package)
    assert now_latest > start

    release.version = "2.0.post1"  # No longer.
    release.save()
    assert version(package) > now_latest


def test_releases_that_are_not_the_latest_keep_the_version():
    package = PackageFactory(slug="alpha", pypi_version="2.0")
    Release.objects.create(package=package, version="2.0", license="MIT")
    start = version(package)

    older = Release.objects.create(package=package, version="1.0", license="MIT")
    older.license = "GPL-3.0"
    older.save()
    Release.objects.filter(pk=older.pk).update(development_status="Inactive")
    older.delete()
    # Nor a change of the latest release that no summary shows.
    Release.objects.filter(package=package, version="2.0").update(yanked=True, yanked_reason="Oops")

    assert version(package) == start


# Its score.


def test_writing_the_score_grows_the_version():
    package = PackageFactory(slug="alpha")
    other = PackageFactory(slug="beta")
    start, other_start = version(package), version(other)

    score = score_of(package)
    assert version(package) == start + 1

    score.dependents_count = 4
    score.save()
    assert version(package) == start + 2

    PackageScore.objects.filter(pk=package.pk).update(overall=12)
    assert version(package) == start + 3

    score.delete()
    assert version(package) == start + 4
    assert version(other) == other_start


# What keeps it.


def test_a_save_that_changes_nothing_keeps_the_version():
    package = FetchedPackageFactory(slug="alpha", pypi_version="1.0", archived_at=MOMENT)
    start = version(package)

    package.save()
    Package.objects.get(pk=package.pk).save()
    Package.objects.filter(pk=package.pk).update(
        stars=package.stars, description=package.description
    )

    assert version(package) == start


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_commits", 4000),
        ("last_fetched_at", MOMENT),
        ("last_commit_at", MOMENT),
        ("contributors", ["someone-new"]),
        ("pypi_summary", "Another summary."),
        ("requires_dist", ["django>=5"]),
    ],
)
def test_a_change_of_a_fact_no_summary_keeps_shows_keeps_the_version(field, value):
    package = FetchedPackageFactory(slug="alpha")
    start = version(package)

    setattr(package, field, value)
    package.save()
    Package.objects.filter(pk=package.pk).update(**{field: value})

    assert getattr(Package.objects.get(pk=package.pk), field) == value
    assert version(package) == start


def test_marks_move_the_counts_but_keep_the_version():
    package = PackageFactory(slug="alpha")
    start = version(package)

    mark_toggle(user=member("ada"), package=package, kind=MarkKind.FAVOURITE)
    Mark.objects.create(user=member("bob"), package=package, kind=MarkKind.USE)

    package.refresh_from_db()
    assert (package.favourite_count, package.use_count) == (1, 1)
    assert package.facts_version == start


def test_saving_a_package_read_before_a_bump_keeps_the_new_version():
    """An edit saved from a package read before its facts changed (the admin, the importer)
    never puts the old facts version back: stale kept HTML would look fresh again."""
    package = FetchedPackageFactory(slug="alpha", pypi_version="1.0")
    read_before = Package.objects.get(pk=package.pk)
    start = read_before.facts_version
    latest = Release.objects.create(package=package, version="1.0", license="MIT")
    Release.objects.filter(pk=latest.pk).update(license="Apache-2.0")
    bumped = version(package)
    assert bumped > start

    # Every field written back as read, none of them a changed fact: no bump of its own.
    read_before.total_commits = 1
    read_before.save()
    assert version(package) == bumped

    read_before.description = "Edited"
    read_before.save()
    assert version(package) == bumped + 1
    assert Package.objects.get(pk=package.pk).description == "Edited"


# The triggers themselves.

FACTS_TRIGGERS = {
    "sqlite": {
        "packyard_facts_package",
        "packyard_facts_replacement",
        "packyard_facts_category",
        "packyard_facts_release_insert",
        "packyard_facts_release_delete",
        "packyard_facts_release_update",
    },
    "postgresql": {
        "packyard_facts_package",
        "packyard_facts_category",
        "packyard_facts_release_written",
        "packyard_facts_release_changed",
    },
}
SCORE_FACTS_TRIGGERS = {
    "sqlite": {
        "packyard_scorefacts_insert",
        "packyard_scorefacts_delete",
        "packyard_scorefacts_update",
    },
    "postgresql": {"packyard_scorefacts_score"},
}


def installed() -> tuple[set[str], set[str]]:
    return (
        set(trigger_names(connection, facts.TRIGGER_PREFIX)),
        set(trigger_names(connection, score_facts.TRIGGER_PREFIX)),
    )


def test_migrate_installs_the_triggers_again():
    """The triggers are there after migrate, and migrate puts back any that went missing."""
    expected = (FACTS_TRIGGERS[connection.vendor], SCORE_FACTS_TRIGGERS[connection.vendor])
    assert installed() == expected

    facts.facts_triggers_uninstall(connection)
    score_facts.score_facts_triggers_uninstall(connection)
    assert installed() == (set(), set())
    package = PackageFactory(slug="alpha")
    start = version(package)
    Package.objects.filter(pk=package.pk).update(stars=3)
    assert version(package) == start  # Nothing keeps it while they are gone.

    call_command("migrate", verbosity=0)

    assert installed() == expected
    Package.objects.filter(pk=package.pk).update(stars=4)
    score_of(package)
    assert version(package) == start + 2
