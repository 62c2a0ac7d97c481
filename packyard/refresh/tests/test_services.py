"""Applying fetches: only what changed is written, and no failure loses a fact."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from packyard.catalog.models import Package
from packyard.refresh.models import FetchState, FetchStatus, Source
from packyard.refresh.services import (
    package_apply_pypi,
    package_apply_repository,
    package_mark_unsupported,
    package_record_failure,
)
from packyard.sources.errors import Gone, NotFound, RateLimited, UpstreamError
from packyard.sources.types import (
    Contributor,
    PyPIProject,
    PyPIRelease,
    RepositoryFacts,
    Validators,
    Vulnerability,
)
from tests.factories import FetchedPackageFactory, PackageFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def facts(**changes):
    values = {
        "path": "owner/django-thing",
        "stars": 500,
        "forks": 40,
        "description": "Does the thing.",
        "archived": False,
        "default_branch": "main",
        "last_commit_at": NOW - timedelta(days=2),
        "total_commits": 900,
        "weekly_commits": tuple([1] * 52),
        "contributors": (Contributor("alice"), Contributor("dependabot[bot]", is_bot=True)),
    }
    values.update(changes)
    return RepositoryFacts(**values)


def fetched_package(**changes):
    return FetchedPackageFactory(
        title="django-thing",
        repo_url="https://github.com/owner/django-thing",
        repo_key="github.com/owner/django-thing",
        **changes,
    )


def apply(package, **changes):
    return package_apply_repository(
        package_id=package.pk, facts=facts(**changes), validators=Validators(), fetched_at=NOW
    )


def test_repository_facts_are_stored_and_reported():
    """A fetch stores every fact and says which ones changed."""
    package = PackageFactory(
        title="django-thing",
        repo_url="https://github.com/owner/django-thing",
        repo_key="github.com/owner/django-thing",
    )

    change = apply(package)

    package.refresh_from_db()
    assert (package.stars, package.forks, package.total_commits) == (500, 40, 900)
    assert package.commits_over_52 == [1] * 52
    assert package.contributors == ["alice", "dependabot[bot]"]
    assert package.last_fetched_at == NOW
    assert {"stars", "forks", "commits_over_52", "contributors"} <= set(change.fields)
    state = FetchState.objects.get(package=package, source=Source.REPOSITORY)
    assert state.status == FetchStatus.OK
    assert state.last_success_at == NOW


def test_same_facts_twice_change_nothing_but_the_fetch_time():
    """Fetching the same facts again reports no change and keeps `modified`."""
    package = fetched_package()
    apply(package)
    package.refresh_from_db()
    modified = package.modified

    with time_machine.travel(NOW + timedelta(hours=1)):
        change = package_apply_repository(
            package_id=package.pk,
            facts=facts(),
            validators=Validators(),
            fetched_at=NOW + timedelta(hours=1),
        )

    package.refresh_from_db()
    assert change.fields == []
    assert package.modified == modified
    assert package.last_fetched_at == NOW + timedelta(hours=1)


def test_parts_the_host_did_not_give_keep_their_values():
    """Statistics still being computed keep the stored numbers; the fetch is due again soon."""
    package = fetched_package(commits_over_52=[2] * 52, contributors=["bob"], total_commits=10)

    apply(
        package,
        weekly_commits=None,
        contributors=None,
        total_commits=None,
        pending=("weekly_commits",),
    )

    package.refresh_from_db()
    assert package.commits_over_52 == [2] * 52
    assert package.contributors == ["bob"]
    assert package.total_commits == 10
    state = FetchState.objects.get(package=package, source=Source.REPOSITORY)
    assert state.next_due_at - NOW <= timedelta(minutes=10)


def test_an_empty_description_from_the_host_does_not_blank_ours():
    """A host that returns no description never blanks the stored one."""
    package = fetched_package(description="Kept.")

    apply(package, description="")

    package.refresh_from_db()
    assert package.description == "Kept."


def test_archived_repository_is_marked_and_unarchived_again():
    """An archived repository gets an archived date; un-archiving clears it."""
    package = fetched_package()

    apply(package, archived=True, archived_at=NOW - timedelta(days=9))
    package.refresh_from_db()
    assert package.archived_at == NOW - timedelta(days=9)

    apply(package, archived=False)
    package.refresh_from_db()
    assert package.archived_at is None


def test_renamed_repository_updates_the_stored_url():
    """When the host reports the repository under a new path, the URL and key follow."""
    package = fetched_package()

    apply(package, path="new-owner/django-thing")

    package.refresh_from_db()
    assert package.repo_url == "https://github.com/new-owner/django-thing"
    assert package.repo_key == "github.com/new-owner/django-thing"


def test_rename_onto_another_packages_repository_is_not_applied():
    """A rename onto a repository another package already has keeps the old URL."""
    package = fetched_package()
    PackageFactory(repo_url="https://github.com/x/y", repo_key="github.com/x/y")

    apply(package, path="x/y")

    package.refresh_from_db()
    assert package.repo_key == "github.com/owner/django-thing"


@pytest.mark.parametrize(
    "error",
    [
        UpstreamError("502 Bad Gateway", status=502),
        UpstreamError("timed out"),
        UpstreamError("not JSON"),
        RateLimited("spent", reset_at=NOW + timedelta(minutes=30), status=403),
        NotFound("404", status=404),
        Gone("410", status=410),
    ],
    ids=["5xx", "timeout", "malformed", "rate-limited", "404", "410"],
)
def test_a_failure_changes_no_fact(error):
    """No failure zeroes, blanks or hides anything the package had."""
    package = fetched_package()
    before = Package.objects.filter(pk=package.pk).values().get()

    package_record_failure(
        package_id=package.pk, source=Source.REPOSITORY, error=error, attempted_at=NOW
    )

    after = Package.objects.filter(pk=package.pk).values().get()
    # A 410 says the repository is missing: that fact moves, and the facts version with it.
    for moved in ("repo_missing_since", "facts_version"):
        before.pop(moved), after.pop(moved)
    assert after == before
    state = FetchState.objects.get(package=package, source=Source.REPOSITORY)
    assert state.last_attempt_at == NOW
    assert state.next_due_at > NOW
    assert type(error).__name__ in state.last_error


def test_rate_limited_fetch_waits_for_the_reset():
    """A rate-limited fetch is due again at the host's reset time, not counted as a failure."""
    package = fetched_package()
    reset = NOW + timedelta(minutes=42)

    package_record_failure(
        package_id=package.pk,
        source=Source.REPOSITORY,
        error=RateLimited("spent", reset_at=reset),
        attempted_at=NOW,
    )

    state = FetchState.objects.get(package=package, source=Source.REPOSITORY)
    assert state.status == FetchStatus.RATE_LIMITED
    assert state.next_due_at == reset
    assert state.consecutive_failures == 0


def test_failures_back_off():
    """Each further failure waits longer before the next try, up to a day."""
    package = fetched_package()
    delays = []
    for attempt in range(8):
        at = NOW + timedelta(days=attempt)
        package_record_failure(
            package_id=package.pk,
            source=Source.REPOSITORY,
            error=UpstreamError("500"),
            attempted_at=at,
        )
        state = FetchState.objects.get(package=package, source=Source.REPOSITORY)
        delays.append(state.next_due_at - at)
    assert delays == sorted(delays)
    assert delays[0] == timedelta(minutes=15)
    assert delays[-1] == timedelta(hours=24)


def test_repeated_404s_mark_the_repository_missing_and_success_recovers(settings):
    """After repeated 404s the package shows "repository missing"; a later success clears it."""
    settings.REFRESH_MISSING_AFTER = 3
    package = fetched_package()
    for attempt in range(2):
        package_record_failure(
            package_id=package.pk,
            source=Source.REPOSITORY,
            error=NotFound("404"),
            attempted_at=NOW + timedelta(hours=attempt),
        )
    package.refresh_from_db()
    assert package.repo_missing_since is None

    package_record_failure(
        package_id=package.pk,
        source=Source.REPOSITORY,
        error=NotFound("404"),
        attempted_at=NOW + timedelta(hours=3),
    )
    package.refresh_from_db()
    state = FetchState.objects.get(package=package, source=Source.REPOSITORY)
    assert package.repo_missing_since == NOW + timedelta(hours=3)
    assert state.status == FetchStatus.MISSING
    assert state.next_due_at - (NOW + timedelta(hours=3)) >= timedelta(days=1)
    assert package.stars == 120  # The facts stay.

    apply(package)
    package.refresh_from_db()
    assert package.repo_missing_since is None
    state.refresh_from_db()
    assert state.status == FetchStatus.OK
    assert state.consecutive_not_found == 0


def test_gone_marks_the_repository_missing_at_once():
    """A 410 marks the repository missing on the first answer."""
    package = fetched_package()

    package_record_failure(
        package_id=package.pk, source=Source.REPOSITORY, error=Gone("410"), attempted_at=NOW
    )

    package.refresh_from_db()
    assert package.repo_missing_since == NOW


def test_unsupported_host_is_recorded_and_facts_stay_empty():
    """A package on a host Packyard does not read is marked so, with its facts left empty."""
    package = PackageFactory(
        repo_url="http://code.google.com/p/x/", repo_host="other", repo_key="code.google.com/p/x"
    )

    package_mark_unsupported(package_id=package.pk, checked_at=NOW)

    package.refresh_from_db()
    assert package.stars is None
    state = FetchState.objects.get(package=package, source=Source.REPOSITORY)
    assert state.status == FetchStatus.UNSUPPORTED


def project(**changes):
    values = {
        "name": "django-thing",
        "version": "2.0.0",
        "summary": "Does the thing.",
        "keywords": "django thing",
        "license": "MIT",
        "requires_python": ">=3.10",
        "classifiers": (
            "Development Status :: 5 - Production/Stable",
            "Framework :: Django :: 5.2",
        ),
        "requires_dist": ("Django>=4.2",),
        "project_urls": {"Changelog": "https://example.org/changes"},
        "documentation_url": "https://docs.example.org/",
        "changelog_url": "https://example.org/changes",
        "source_url": "https://github.com/owner/django-thing",
        "releases": (
            PyPIRelease("1.0.0", NOW - timedelta(days=400), yanked=False, yanked_reason=""),
            PyPIRelease("2.0.0", NOW - timedelta(days=10), yanked=False, yanked_reason=""),
            PyPIRelease("2.1.0rc1", NOW - timedelta(days=1), yanked=False, yanked_reason=""),
        ),
        "vulnerabilities": (
            Vulnerability(
                id="PYSEC-2026-1",
                aliases=("CVE-2026-0001",),
                summary="XSS",
                link="https://osv.dev/vulnerability/PYSEC-2026-1",
                fixed_in=("2.0.1",),
            ),
        ),
    }
    values.update(changes)
    return PyPIProject(**values)


def test_pypi_project_is_stored_with_its_releases():
    """Every release is stored; the latest final version and the latest version's facts show."""
    package = fetched_package(documentation_url=None)

    change = package_apply_pypi(
        package_id=package.pk, project=project(), validators=Validators(), fetched_at=NOW
    )

    package.refresh_from_db()
    assert package.pypi_version == "2.0.0"
    assert package.latest_release_at == NOW - timedelta(days=10)
    assert package.releases.count() == 3
    latest = package.releases.get(version="2.0.0")
    assert (latest.license, latest.requires_python, latest.development_status) == (
        "MIT",
        ">=3.10",
        "Production/Stable",
    )
    assert package.releases.get(version="2.1.0rc1").is_prerelease
    assert package.documentation_url == "https://docs.example.org/"
    assert package.changelog_url == "https://example.org/changes"
    assert package.vulnerabilities[0]["id"] == "PYSEC-2026-1"
    assert "pypi_version" in change.fields
    assert FetchState.objects.get(package=package, source=Source.PYPI).status == FetchStatus.OK


def test_pypi_does_not_replace_a_documentation_link_people_set():
    """A documentation URL already on the package is kept over PyPI's."""
    package = fetched_package(documentation_url="https://mine.example.org/")

    package_apply_pypi(
        package_id=package.pk, project=project(), validators=Validators(), fetched_at=NOW
    )

    package.refresh_from_db()
    assert package.documentation_url == "https://mine.example.org/"


def test_not_on_pypi_is_a_fact_not_a_failure():
    """A 404 from PyPI says "not on PyPI", keeps the releases, and is checked weekly."""
    package = fetched_package(pypi_version="1.0")

    package_record_failure(
        package_id=package.pk, source=Source.PYPI, error=NotFound("404"), attempted_at=NOW
    )

    package.refresh_from_db()
    state = FetchState.objects.get(package=package, source=Source.PYPI)
    assert state.status == FetchStatus.NOT_ON_PYPI
    assert state.consecutive_failures == 0
    assert state.next_due_at == NOW + timedelta(days=7)
    assert package.pypi_version == "1.0"


def test_a_description_a_person_wrote_is_kept_while_host_descriptions_follow_the_host(
    django_user_model,
):
    """The host's description replaces its own earlier text, never a person's edit."""
    package = fetched_package(description="Old host text.")
    apply(package, description="New host text.")
    package.refresh_from_db()
    assert package.description == "New host text."

    person = django_user_model.objects.create(username="editor")
    Package.objects.filter(pk=package.pk).update(
        description="Written by a person.", last_modified_by=person
    )
    apply(package, description="Newer host text.")

    package.refresh_from_db()
    assert package.description == "Written by a person."


def test_before_any_fetch_a_person_edited_description_is_kept(django_user_model):
    """A package edited by a person before its first fetch keeps its description."""
    person = django_user_model.objects.create(username="editor")
    package = fetched_package(description="Mine.", last_modified_by=person)

    apply(package, description="The host's.")

    package.refresh_from_db()
    assert package.description == "Mine."


def test_an_answer_about_a_repository_the_package_no_longer_has_is_dropped():
    """A fetch that asked for the old repository cannot undo a change made meanwhile."""
    package = fetched_package()
    Package.objects.filter(pk=package.pk).update(
        repo_url="https://github.com/neworg/django-thing", repo_key="github.com/neworg/django-thing"
    )

    change = package_apply_repository(
        package_id=package.pk,
        facts=facts(stars=1),
        validators=Validators(),
        fetched_at=NOW,
        asked_key="github.com/owner/django-thing",
    )

    package.refresh_from_db()
    assert package.repo_url == "https://github.com/neworg/django-thing"
    assert package.stars == 120
    assert "changed while it was being fetched" in change.error


def test_an_answer_about_a_pypi_name_the_package_no_longer_has_is_dropped():
    """A PyPI answer for the old name is not stored after the name was corrected."""
    package = fetched_package(pypi_name="right-name")

    change = package_apply_pypi(
        package_id=package.pk,
        project=project(),
        validators=Validators(),
        fetched_at=NOW,
        asked_name="wrong-name",
    )

    assert change.error
    assert package.releases.count() == 0


def test_a_version_too_long_to_store_is_skipped():
    """An over-long version string from a source is left out instead of failing the fetch."""
    package = fetched_package()
    releases = (
        *project().releases,
        PyPIRelease("1." + "9" * 200, NOW, yanked=False, yanked_reason=""),
    )

    package_apply_pypi(
        package_id=package.pk,
        project=project(releases=releases),
        validators=Validators(),
        fetched_at=NOW,
    )

    assert package.releases.count() == 3
