"""Tests of writing scores: answers, dependencies, advisories, status, snapshots, staleness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from packyard.compatibility.models import PackageCompatibility, ReleaseCycle
from packyard.refresh.models import FetchState, FetchStatus, Source
from packyard.scoring.advisories import parse_osv
from packyard.scoring.models import Dependency, PackageScore, PackageStatus, ScoreSnapshot
from packyard.scoring.selectors import packages_needing_scores
from packyard.scoring.services import (
    advisories_import,
    package_status_set,
    scores_daily,
    scores_recompute,
    scores_snapshot,
)
from tests.factories import FetchedPackageFactory, PackageFactory, ReleaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("release_cycles")]

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MODERN = [
    "Development Status :: 5 - Production/Stable",
    "Framework :: Django :: 5.2",
    "Framework :: Django :: 6.0",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
]


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def well_kept(**fields):
    """Create a fetched package whose latest release 2.0 declares Django 5.2/6.0 and Python 3.13."""
    package = FetchedPackageFactory(
        pypi_version="2.0",
        requires_dist=["Django>=4.2"],
        documentation_url="https://docs.example.org/",
        **fields,
    )
    ReleaseFactory(
        package=package,
        version="2.0",
        upload_time=NOW - timedelta(days=20),
        classifiers=MODERN,
        requires_python=">=3.10",
    )
    return package


def answer(package, product, cycle) -> PackageCompatibility:
    return PackageCompatibility.objects.get(
        package=package, cycle__product=product, cycle__cycle=cycle
    )


def score_of(package) -> PackageScore:
    return PackageScore.objects.get(package=package)


def test_a_score_stores_dimensions_reasons_and_answers_for_supported_releases():
    """Recompute stores five dimensions with reasons, and yes/unknown for supported releases."""
    package = well_kept()

    assert scores_recompute(package_ids=[package.pk]) == 1

    score = score_of(package)
    assert score.django_support == [["6.1", "unknown"], ["6.0", "yes"], ["5.2", "yes"]]
    assert ["3.13", "yes"] in score.python_support
    assert score.latest_version == "2.0"
    for name, value, reasons in score.reason_lists:
        assert value == max(0, min(100, round(sum(reason["points"] for reason in reasons)))), name
    assert answer(package, "django", "6.0").answer == "yes"
    assert answer(package, "python", "3.13").answer == "yes"
    assert PackageCompatibility.objects.filter(package=package).count() == (
        ReleaseCycle.objects.count()
    )


def test_a_package_without_releases_is_unknown_everywhere():
    """No release on PyPI: every answer is unknown with the reason; no release points."""
    package = PackageFactory(pypi_version=None)

    scores_recompute(package_ids=[package.pk])

    row = answer(package, "django", "6.0")
    assert (row.answer, row.evidence) == ("unknown", "No release on PyPI yet.")
    score = score_of(package)
    assert score.reasons["maintenance"][0]["points"] == 0
    assert score.reasons["documentation"][-1]["text"] == "Licence: no release to read it from."
    assert score.latest_version == ""


def test_only_prereleases_answer_from_the_highest_prerelease():
    """With only pre-releases, answers read the highest pre-release and say so."""
    package = PackageFactory(pypi_version="2.0b2")
    ReleaseFactory(package=package, version="2.0b1", classifiers=[], upload_time=NOW)
    ReleaseFactory(
        package=package,
        version="2.0b2",
        upload_time=NOW,
        classifiers=["Framework :: Django :: 6.0"],
        is_prerelease=True,
    )

    scores_recompute(package_ids=[package.pk])

    row = answer(package, "django", "6.0")
    assert row.answer == "yes"
    assert row.release_version == "2.0b2"
    assert "latest pre-release (2.0b2)" in row.evidence
    assert "pre-release" in score_of(package).reasons["maintenance"][0]["text"]


def test_a_yanked_latest_release_is_skipped():
    """A yanked 2.0 is not read: the answers come from 1.0, the latest non-yanked release."""
    package = PackageFactory(pypi_version="1.0")
    ReleaseFactory(
        package=package,
        version="1.0",
        upload_time=NOW - timedelta(days=100),
        classifiers=["Framework :: Django :: 5.2"],
    )
    ReleaseFactory(
        package=package,
        version="2.0",
        upload_time=NOW,
        yanked=True,
        classifiers=["Framework :: Django :: 6.0"],
    )

    scores_recompute(package_ids=[package.pk])

    assert answer(package, "django", "5.2").answer == "yes"
    assert answer(package, "django", "6.0").answer == "unknown"
    assert answer(package, "django", "6.0").release_version == "1.0"


def test_every_release_yanked_means_nothing_to_read():
    """When every release is yanked, the answers say so."""
    package = PackageFactory(pypi_version=None)
    ReleaseFactory(package=package, version="1.0", yanked=True)

    scores_recompute(package_ids=[package.pk])

    assert answer(package, "python", "3.13").evidence == (
        "Every release on PyPI is yanked, so there is no release to read."
    )


def test_conflicting_classifier_and_requires_python_answer_no():
    """A classifier for 3.13 with Requires-Python "<3.13" is stored as no, naming the conflict."""
    package = PackageFactory(pypi_version="1.0")
    ReleaseFactory(
        package=package,
        version="1.0",
        classifiers=["Programming Language :: Python :: 3.13"],
        requires_python=">=3.9,<3.13",
    )

    scores_recompute(package_ids=[package.pk])

    row = answer(package, "python", "3.13")
    assert row.answer == "no"
    assert "although a classifier lists Python 3.13" in row.evidence


def test_unknown_licence_costs_the_documentation_points():
    """A latest release with no licence loses 10 documentation points."""
    package = well_kept(
        changelog_url="https://example.org/changes",
        description="Reusable widgets for Django forms, with accessible markup.",
    )
    package.releases.update(license="")

    scores_recompute(package_ids=[package.pk])

    score = score_of(package)
    assert score.documentation == 90
    assert "does not state one" in score.reasons["documentation"][-1]["text"]


def test_a_package_not_on_pypi_says_so():
    """No PyPI name, or PyPI answering "no such project": unknown with that reason."""
    nameless = PackageFactory(pypi_name="", pypi_version=None)
    missing = PackageFactory(pypi_name="ghost-package", pypi_version="1.0")
    ReleaseFactory(package=missing, version="1.0", classifiers=["Framework :: Django :: 6.0"])
    FetchState.objects.create(package=missing, source=Source.PYPI, status=FetchStatus.NOT_ON_PYPI)

    scores_recompute(package_ids=[nameless.pk, missing.pk])

    assert "has no PyPI name" in answer(nameless, "django", "6.0").evidence
    assert answer(missing, "django", "6.0").evidence == (
        'Not on PyPI: PyPI has no project named "ghost-package".'
    )


def test_dependencies_inside_the_directory_count_for_adoption():
    """A requirement on another package of the directory is stored; its "used by" counts it."""
    library = well_kept(title="Django Widgets", slug="django-widgets", pypi_name="Django_Widgets")
    scores_recompute(package_ids=[library.pk])
    assert score_of(library).dependents_count == 0
    before = score_of(library).adoption
    app = well_kept(title="App", slug="app")
    app.requires_dist = ["Django>=4.2", "django-widgets>=1.0", 'pytest; extra == "test"']
    app.save()
    optional_user = well_kept(title="Other", slug="other")
    optional_user.requires_dist = ['django.widgets; extra == "widgets"']
    optional_user.save()

    scores_recompute(package_ids=[app.pk, optional_user.pk])

    edges = {(row.package.slug, row.target.slug, row.optional) for row in Dependency.objects.all()}
    assert edges == {("app", "django-widgets", False), ("other", "django-widgets", True)}
    library_score = score_of(library)  # Recomputed because its dependents changed.
    assert library_score.dependents_count == 1
    assert library_score.adoption > before
    assert "Used by 1 package in this directory" in library_score.reasons["adoption"][2]["text"]

    app.requires_dist = ["Django>=4.2"]
    app.save()
    scores_recompute(package_ids=[app.pk])

    assert score_of(library).dependents_count == 0
    assert not Dependency.objects.filter(package=app).exists()


OSV_RECORD = {
    "id": "GHSA-aaaa-bbbb-cccc",
    "aliases": ["CVE-2026-0001"],
    "summary": "Stored XSS in the widget admin",
    "published": "2026-10-01T00:00:00Z",
    "modified": "2026-10-02T00:00:00Z",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "Django_Widgets"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.1"}]}],
        }
    ],
    "references": [{"type": "ADVISORY", "url": "https://github.com/advisories/GHSA-aaaa"}],
}


def test_advisories_from_pypi_and_osv_are_merged_and_cost_status_points():
    """PyPI's list and an OSV record about the same issue show once, with both ids."""
    package = well_kept(
        slug="django-widgets",
        pypi_name="django-widgets",
        vulnerabilities=[
            {
                "id": "PYSEC-2026-1",
                "aliases": ["CVE-2026-0001"],
                "summary": "XSS",
                "link": "https://osv.dev/vulnerability/PYSEC-2026-1",
                "fixed_in": ["2.1"],
                "withdrawn": None,
            },
            {"id": "PYSEC-2020-9", "aliases": [], "summary": "Old", "withdrawn": "2021-01-01"},
        ],
    )

    result = advisories_import(records=[parse_osv(OSV_RECORD)])

    assert (result.created, result.rescored) == (1, 1)
    advisories = score_of(package).advisories
    assert [advisory["id"] for advisory in advisories] == ["PYSEC-2026-1"]
    assert set(advisories[0]["aliases"]) == {"CVE-2026-0001", "GHSA-aaaa-bbbb-cccc"}
    assert advisories[0]["sources"] == ["PyPI", "OSV"]
    assert score_of(package).status == 85


def test_osv_advisories_fixed_before_the_latest_release_do_not_count():
    """An advisory fixed in 1.5 does not affect 2.0; one with no fix does."""
    package = well_kept(pypi_name="django-widgets")
    fixed = {**OSV_RECORD, "id": "GHSA-old", "aliases": []}
    fixed["affected"] = [
        {
            "package": {"ecosystem": "PyPI", "name": "django-widgets"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.5"}]}],
        }
    ]
    open_ended = {**OSV_RECORD, "id": "GHSA-new", "aliases": []}
    open_ended["affected"] = [
        {
            "package": {"ecosystem": "PyPI", "name": "django-widgets"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.9"}]}],
        }
    ]

    advisories_import(records=[parse_osv(fixed), parse_osv(open_ended)])

    advisories = score_of(package).advisories
    assert [advisory["id"] for advisory in advisories] == ["GHSA-new"]
    assert advisories[0]["fixed_in"] == []
    assert advisories[0]["link"] == "https://github.com/advisories/GHSA-aaaa"


def test_status_set_deprecates_names_the_replacement_and_flags_maintainer():
    """Staff deprecate with a replacement and ask for a maintainer; the score follows."""
    old = well_kept(title="Old", slug="old")
    new = well_kept(title="New", slug="new")
    scores_recompute(package_ids=[old.pk])
    before = score_of(old).status

    package_status_set(
        package=old, deprecated=True, replaced_by=new, needs_maintainer=True, note="Unmaintained."
    )

    old.refresh_from_db()
    assert old.deprecated_at == NOW
    assert old.replaced_by == new
    status = PackageStatus.objects.get(package=old)
    assert (status.needs_maintainer, status.needs_maintainer_since, status.note) == (
        True,
        NOW,
        "Unmaintained.",
    )
    score = score_of(old)
    assert score.needs_maintainer
    assert score.status == before - 70 - 25
    assert any("Replaced by New." in reason["text"] for reason in score.reasons["status"])

    package_status_set(package=old, deprecated=False, replaced_by=None, needs_maintainer=False)

    old.refresh_from_db()
    assert (old.deprecated_at, old.replaced_by) == (None, None)
    assert score_of(old).status == before


def test_status_set_refuses_a_replacement_loop():
    """A package cannot replace itself, nor be replaced by one it replaces."""
    first = well_kept(slug="first")
    second = well_kept(slug="second", replaced_by=first)

    with pytest.raises(ValidationError) as itself:
        package_status_set(
            package=first, deprecated=True, replaced_by=first, needs_maintainer=False
        )
    with pytest.raises(ValidationError) as loop:
        package_status_set(
            package=first, deprecated=True, replaced_by=second, needs_maintainer=False
        )

    assert "replaced_by" in itself.value.message_dict
    assert "is itself replaced by" in loop.value.message_dict["replaced_by"][0]
    first.refresh_from_db()
    assert first.deprecated_at is None


def test_snapshots_keep_history_and_set_the_trend(time_machine):
    """A daily snapshot; 30 days on, the trend compares with it; old ones are pruned."""
    package = well_kept()
    ancient = ScoreSnapshot.objects.create(
        package=package,
        taken_on=date(2025, 3, 5),
        overall=1,
        **dict.fromkeys(["maintenance", "adoption", "compatibility", "documentation", "status"], 1),
    )
    first_of_month = ScoreSnapshot.objects.create(
        package=package,
        taken_on=date(2025, 3, 1),
        overall=1,
        **dict.fromkeys(["maintenance", "adoption", "compatibility", "documentation", "status"], 1),
    )

    scores_daily()

    first = score_of(package)
    assert ScoreSnapshot.objects.filter(package=package, taken_on=date(2026, 11, 27)).exists()
    assert not ScoreSnapshot.objects.filter(pk=ancient.pk).exists()
    assert ScoreSnapshot.objects.filter(pk=first_of_month.pk).exists()
    assert first.trend_direction == "up"  # Compared with the monthly snapshot of 2025.

    ScoreSnapshot.objects.filter(pk=first_of_month.pk).delete()
    time_machine.move_to(NOW + timedelta(days=31), tick=False)
    package.stars = 9000
    package.save()
    scores_daily()

    later = score_of(package)
    assert later.baseline_on == date(2026, 11, 27)
    assert later.baseline_overall == first.overall
    assert later.trend == later.overall - first.overall
    assert later.trend_direction in {"up", "steady"}


def test_snapshot_twice_a_day_keeps_one_row():
    """Taking the day's snapshot again updates it instead of adding another."""
    package = well_kept()
    scores_recompute(package_ids=[package.pk])

    scores_snapshot(today=date(2026, 11, 27))
    scores_snapshot(today=date(2026, 11, 27))

    assert ScoreSnapshot.objects.filter(package=package).count() == 1


def test_packages_needing_scores_follow_changes_of_facts(time_machine):
    """Unscored packages, fetched ones, edited ones and new release cycles need a score."""
    package = well_kept()
    assert packages_needing_scores(limit=10) == [package.pk]
    scores_recompute(package_ids=[package.pk])
    assert packages_needing_scores(limit=10) == []

    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    FetchState.objects.create(package=package, source=Source.PYPI, last_attempt_at=timezone.now())
    assert packages_needing_scores(limit=10) == [package.pk]
    scores_recompute(package_ids=[package.pk])
    assert packages_needing_scores(limit=10) == []

    time_machine.move_to(NOW + timedelta(minutes=10), tick=False)
    ReleaseCycle.objects.filter(cycle="6.0").update(modified=timezone.now())
    assert packages_needing_scores(limit=10) == [package.pk]


def usage_counts_for_tests(package_ids):
    """An "I use this" counter as the accounts app provides it: 100 users each."""
    return dict.fromkeys(package_ids, 100)


def test_i_use_this_counts_come_from_the_configured_function(settings):
    """With SCORING_USAGE_COUNTS set, adoption counts "I use this" out of 15 points."""
    settings.SCORING_USAGE_COUNTS = f"{__name__}.usage_counts_for_tests"
    package = well_kept()

    scores_recompute(package_ids=[package.pk])

    reasons = score_of(package).reasons["adoption"]
    assert reasons[3] == {
        "text": '100 people said "I use this" (full marks at 100).',
        "points": 15.0,
        "out_of": 15.0,
    }


def test_needs_a_maintainer_is_recorded_in_the_package_history(django_user_model):
    """Saying a package needs a maintainer shows in its history, and is not offered to revert."""
    from packyard.history.models import Change

    package = well_kept()
    steward = django_user_model.objects.create(username="steward")

    package_status_set(
        package=package, deprecated=False, replaced_by=None, needs_maintainer=True, by=steward
    )

    change = Change.objects.get(subject_id=package.pk, target_type="scoring.packagestatus")
    assert change.after == {"needs_maintainer": True}
    assert change.actor == steward
    assert not change.is_revertable


def test_only_staff_deprecate_through_the_service(django_user_model):
    """The service refuses a deprecation by someone who is not staff, naming the field."""
    package = well_kept()
    member = django_user_model.objects.create(username="member")

    with pytest.raises(ValidationError) as raised:
        package_status_set(
            package=package, deprecated=True, replaced_by=None, needs_maintainer=False, by=member
        )

    assert "deprecated" in raised.value.message_dict
    package.refresh_from_db()
    assert package.deprecated_at is None
