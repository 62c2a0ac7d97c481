"""Releases: which version is a package's latest, and storing what PyPI lists."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from packyard.catalog.models import Package, Release
from packyard.catalog.services import (
    ReleaseFacts,
    development_status,
    is_prerelease,
    latest_release,
    package_releases_set,
)
from tests.factories import PackageFactory, ReleaseFactory

DAY = dt.timedelta(days=1)
START = dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)


def facts(*versions, yanked=()):
    """Return release facts uploaded one day apart, in the order given."""
    return [
        ReleaseFacts(version=version, upload_time=START + index * DAY, yanked=version in yanked)
        for index, version in enumerate(versions)
    ]


def latest_version(*versions, yanked=()):
    """Return the version `latest_release` picks among some versions (None when none)."""
    latest = latest_release(facts(*versions, yanked=yanked))
    return latest.version if latest else None


# --- latest_release -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("versions", "yanked", "expected"),
    [
        (["1.9.0", "1.10.0"], (), "1.10.0"),
        (["1.10.0", "1.9.0"], (), "1.10.0"),
        (["0.9", "1.0", "1.0.1"], (), "1.0.1"),
        (["2.0", "2.0.0"], (), "2.0"),
        (["1.0", "1.0.post1"], (), "1.0.post1"),
        (["1!0.1", "2.0"], (), "1!0.1"),
        (["1.0", "2.0"], ("2.0",), "1.0"),
        (["1.0", "1.1", "1.2"], ("1.2", "1.1"), "1.0"),
        (["1.0", "2.0b1"], (), "1.0"),
        (["1.0", "2.0rc1", "2.0a1", "2.0.dev3"], (), "1.0"),
        (["1.0", "1.1.dev0"], (), "1.0"),
        (["0.1a1", "0.1b2", "0.1rc1"], (), "0.1rc1"),
        (["0.1a1", "0.1.dev5"], (), "0.1a1"),
        (["0.1a1", "0.1b2"], ("0.1b2",), "0.1a1"),
        (["1.0", "2.0b1"], ("1.0",), "2.0b1"),
        (["1.0", "2.0"], ("1.0", "2.0"), None),
        (["not-a-version", "1.0"], (), "1.0"),
        (["1.0", "2013-01-latest", "v9 final"], (), "1.0"),
        (["nightly", "banana"], (), None),
        ([], (), None),
    ],
)
def test_latest_release_is_the_highest_final_non_yanked_version(versions, yanked, expected):
    """The latest is the highest non-yanked final by PEP 440, else the highest pre-release."""
    assert latest_version(*versions, yanked=yanked) == expected


def test_latest_release_does_not_depend_on_upload_order():
    """Whichever order versions were uploaded in, the same one is latest."""
    versions = ["0.9", "1.9.0", "1.10.0", "1.10.1rc1", "1.2"]

    for order in itertools.permutations(versions):
        assert latest_version(*order) == "1.10.0"


def test_latest_release_returns_the_release_itself():
    """The latest of stored releases is one of those Release rows."""
    releases = [Release(version="1.9.0"), Release(version="1.10.0")]

    assert latest_release(releases) is releases[1]


# --- is_prerelease and development_status ------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.0", False),
        ("1.0.post2", False),
        ("2.0a1", True),
        ("2.0b3", True),
        ("2.0rc1", True),
        ("2.0.dev4", True),
        ("2.0.post1.dev1", True),
        ("not-a-version", False),
        ("", False),
    ],
)
def test_is_prerelease_follows_pep_440(version, expected):
    """Alpha, beta, release candidate and dev versions are pre-releases; others are not."""
    assert is_prerelease(version) is expected


@pytest.mark.parametrize(
    ("classifiers", "expected"),
    [
        (["Development Status :: 5 - Production/Stable"], "Production/Stable"),
        (["Framework :: Django", "Development Status :: 4 - Beta"], "Beta"),
        (["Development Status :: 7 - Inactive", "License :: OSI Approved"], "Inactive"),
        (["Framework :: Django", "Programming Language :: Python :: 3"], ""),
        ([], ""),
    ],
)
def test_development_status_reads_the_trove_classifier(classifiers, expected):
    """The words of the "Development Status" classifier are returned, "" when there is none."""
    assert development_status(classifiers) == expected


# --- package_releases_set -----------------------------------------------------------------------


def stored_rows(package):
    """Return every stored release of a package, field by field, by version."""
    return {
        row["version"]: row
        for row in Release.objects.filter(package=package).order_by("version").values()
    }


@pytest.mark.django_db
def test_package_releases_set_stores_every_release():
    """Each release PyPI lists is stored with its facts."""
    package = PackageFactory(pypi_version=None)
    classifiers = ("Development Status :: 4 - Beta", "Framework :: Django")

    package_releases_set(
        package=package,
        releases=[
            ReleaseFacts(
                version="1.0",
                upload_time=START,
                license="BSD",
                requires_python=">=3.10",
                classifiers=classifiers,
            ),
            ReleaseFacts(version="1.1b1", upload_time=START + DAY),
        ],
    )

    rows = stored_rows(package)
    assert sorted(rows) == ["1.0", "1.1b1"]
    assert rows["1.0"]["license"] == "BSD"
    assert rows["1.0"]["requires_python"] == ">=3.10"
    assert rows["1.0"]["classifiers"] == list(classifiers)
    assert rows["1.0"]["development_status"] == "Beta"
    assert rows["1.0"]["is_prerelease"] is False
    assert rows["1.1b1"]["is_prerelease"] is True


@pytest.mark.django_db
def test_package_releases_set_updates_the_latest_version():
    """The package's latest version and its date are the highest final release's."""
    package = PackageFactory(pypi_version=None)

    package_releases_set(package=package, releases=facts("1.9.0", "1.10.0", "1.11.0rc1"))

    package.refresh_from_db()
    assert package.pypi_version == "1.10.0"
    assert package.latest_release_at == START + DAY


@pytest.mark.django_db
def test_package_releases_set_twice_with_the_same_facts_writes_nothing():
    """Storing the same releases again changes no row and sends no write to the database."""
    package = PackageFactory(pypi_version=None)
    package_releases_set(package=package, releases=facts("1.0", "1.1", "2.0b1"))
    package.refresh_from_db()
    before = stored_rows(package), Package.objects.filter(pk=package.pk).values().get()

    with CaptureQueriesContext(connection) as queries:
        package_releases_set(package=package, releases=facts("1.0", "1.1", "2.0b1"))

    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert (stored_rows(package), Package.objects.filter(pk=package.pk).values().get()) == before


@pytest.mark.django_db
def test_package_releases_set_moves_latest_back_when_it_is_yanked():
    """When the latest release is yanked, the one before it becomes latest."""
    package = PackageFactory(pypi_version=None)
    package_releases_set(package=package, releases=facts("1.0", "1.1"))

    package_releases_set(package=package, releases=facts("1.0", "1.1", yanked=("1.1",)))

    package.refresh_from_db()
    assert package.pypi_version == "1.0"
    assert package.latest_release_at == START
    assert Release.objects.get(package=package, version="1.1").yanked is True


@pytest.mark.django_db
def test_package_releases_set_keeps_releases_a_source_no_longer_lists():
    """A release missing from a later listing is kept, and still counts for the latest."""
    package = PackageFactory(pypi_version=None)
    package_releases_set(package=package, releases=facts("1.0", "1.1", "2.0"))

    package_releases_set(package=package, releases=facts("1.0"))

    package.refresh_from_db()
    assert sorted(stored_rows(package)) == ["1.0", "1.1", "2.0"]
    assert package.pypi_version == "2.0"


@pytest.mark.django_db
def test_package_releases_set_updates_changed_facts_of_a_release():
    """A release whose facts changed upstream is updated in place."""
    package = PackageFactory(pypi_version=None)
    package_releases_set(package=package, releases=facts("1.0"))
    first_id = Release.objects.get(package=package).id

    package_releases_set(
        package=package,
        releases=[ReleaseFacts(version="1.0", upload_time=START, requires_python=">=3.12")],
    )

    release = Release.objects.get(package=package)
    assert release.id == first_id
    assert release.requires_python == ">=3.12"


@pytest.mark.django_db
def test_package_releases_set_with_only_yanked_releases_clears_the_latest():
    """A package whose every release is yanked has no latest version."""
    package = PackageFactory(pypi_version="0.1")

    package_releases_set(package=package, releases=facts("1.0", yanked=("1.0",)))

    package.refresh_from_db()
    assert package.pypi_version is None
    assert package.latest_release_at is None


@pytest.mark.django_db
def test_package_releases_set_leaves_other_packages_alone():
    """Releases of one package do not touch another package's releases or latest version."""
    package, other = PackageFactory(pypi_version=None), PackageFactory(pypi_version="3.0")
    ReleaseFactory(package=other, version="3.0")

    package_releases_set(package=package, releases=facts("1.0"))

    other.refresh_from_db()
    assert other.pypi_version == "3.0"
    assert list(other.releases.values_list("version", flat=True)) == ["3.0"]


@pytest.mark.django_db
def test_package_releases_set_returns_every_stored_release():
    """The service returns every release of the package, old and new."""
    package = PackageFactory(pypi_version=None)
    package_releases_set(package=package, releases=facts("1.0"))

    stored = package_releases_set(package=package, releases=facts("1.1"))

    assert sorted(release.version for release in stored) == ["1.0", "1.1"]
    assert all(isinstance(release, Release) for release in stored)
    assert Package.objects.get(pk=package.pk).pypi_version == "1.1"


def test_a_corrected_pypi_name_forgets_the_old_projects_releases(django_user_model):
    """After the PyPI name is corrected, no release of the wrong project decides the version."""
    from packyard.catalog.services import package_update

    package = PackageFactory(pypi_name="wrong-project")
    package_releases_set(package=package, releases=[ReleaseFacts(version="9.0", upload_time=START)])
    package.refresh_from_db()
    assert package.pypi_version == "9.0"
    editor = django_user_model.objects.create(username="editor", is_staff=True)

    package_update(package=package, actor=editor, changes={"pypi_name": "right-project"})

    package.refresh_from_db()
    assert package.pypi_version is None
    assert package.releases.count() == 0
