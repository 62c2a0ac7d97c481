"""A score computed without the code host's facts says "not enough data yet", naming them."""

from __future__ import annotations

import pytest

from packyard.scoring.gaps import missing_facts
from packyard.scoring.models import PackageScore
from packyard.scoring.services import scores_recompute
from tests.factories import FetchedPackageFactory, PackageFactory

pytestmark = pytest.mark.django_db


def test_a_package_never_fetched_is_scored_with_its_gaps_named():
    """Never fetched: stars, forks, last commit and weekly commits are the missing facts."""
    package = PackageFactory(slug="unfetched", stars=None, forks=None)

    scores_recompute(package_ids=[package.pk])

    score = PackageScore.objects.get(package=package)
    assert missing_facts(score.reasons) == ["last commit", "weekly commits", "stars", "forks"]
    # Kept beside the reasons, so badges read a short list instead of every reason.
    assert score.missing == ["last commit", "weekly commits", "stars", "forks"]


def test_a_score_saved_by_hand_keeps_its_missing_facts_from_its_reasons():
    """Admin edits and restores save one row: the missing facts follow the reasons."""
    package = PackageFactory(slug="by-hand")
    score = PackageScore(
        package=package,
        overall=40,
        maintenance=0,
        adoption=0,
        compatibility=80,
        documentation=60,
        status=100,
        reasons={
            "adoption": [{"text": "Stars unknown", "points": 0, "out_of": 10, "missing": "stars"}]
        },
    )
    score.save()

    assert PackageScore.objects.get(package=package).missing == ["stars"]
    score.reasons = {}
    score.save()
    assert PackageScore.objects.get(package=package).missing == []


def test_a_fetched_package_has_no_gaps():
    package = FetchedPackageFactory(slug="fetched", commits_over_52=[1] * 52)

    scores_recompute(package_ids=[package.pk])

    score = PackageScore.objects.get(package=package)
    assert missing_facts(score.reasons) == []
    assert score.missing == []


def test_pages_say_not_enough_data_instead_of_a_red_number(client):
    """The package page and the list show the words and what is missing, no coloured number."""
    package = PackageFactory(title="Unfetched", slug="unfetched", stars=None, forks=None)
    scores_recompute(package_ids=[package.pk])

    page = client.get("/packages/p/unfetched/").text
    listing = client.get("/packages/").text

    for text in (page, listing):
        assert '<span class="score score-unknown" title="Missing: last commit, weekly' in text
        assert "not enough data yet</span>" in text
        assert "(missing: last commit, weekly commits, stars, forks)" in text
    # On the package page: maintenance and adoption are not judged, not shown as 0.
    assert "maintenance is not judged" in page
    missing = 'title="Missing: last commit, weekly commits"'
    assert f'Maintenance <span class="score score-unknown" {missing}>' in page
    assert 'Adoption <span class="score score-unknown" title="Missing: stars, forks">' in page


@pytest.mark.parametrize("reasons", [None, {}, {"maintenance": "odd"}, {"adoption": [1, None]}])
def test_odd_stored_reasons_have_no_gaps(reasons):
    assert missing_facts(reasons) == []
