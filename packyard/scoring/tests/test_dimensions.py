"""Tests of the score dimensions: every point has a reason, missing facts earn nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from packyard.scoring import dimensions
from packyard.scoring.dimensions import ReleaseFact, ScoreInputs, blend

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def inputs(**fields) -> ScoreInputs:
    """Return score inputs at NOW with the given facts."""
    return ScoreInputs(now=NOW, **fields)


def points(dimension) -> float:
    return sum(reason.points for reason in dimension.reasons)


@pytest.mark.parametrize("name", list(dimensions.DEFAULT_WEIGHTS))
def test_every_dimension_explains_every_point(name):
    """For any facts, the reasons' points add up to the score, within 0-100."""
    rich = inputs(
        latest=ReleaseFact("2.0", NOW - timedelta(days=400)),
        releases=[ReleaseFact("2.0", NOW - timedelta(days=400))],
        last_commit_at=NOW - timedelta(days=90),
        commits_over_52=[0] * 40 + [1] * 12,
        stars=321,
        forks=12,
        dependents=2,
        support=[("django", "6.0", "yes", "classifier"), ("python", "3.13", "unknown", "none")],
        archived_at=NOW,
        deprecated_at=NOW,
        advisories=["PYSEC-1", "GHSA-2", "GHSA-3", "GHSA-4"],
    )
    dimension = dimensions.all_dimensions(rich)[name]

    assert 0 <= dimension.score <= 100
    assert dimension.score == max(0, min(100, round(points(dimension))))
    assert all(reason.text for reason in dimension.reasons)


def test_maintenance_of_a_package_with_no_release_earns_nothing_for_releases():
    """No release: no release points, and the reason says why."""
    score = dimensions.maintenance(inputs(missing_release="Not on PyPI."))

    first = score.reasons[0]
    assert first.points == 0
    assert first.out_of == 40
    assert "Not on PyPI." in first.text


def test_maintenance_decays_from_six_months_to_two_years():
    """A release within 6 months earns 40; after 2 years 0; at 15 months about half."""

    def release_points(days: int) -> float:
        fact = ReleaseFact("1.0", NOW - timedelta(days=days))
        return dimensions.maintenance(inputs(latest=fact)).reasons[0].points

    assert release_points(10) == 40
    assert release_points(800) == 0
    assert 18 < release_points(456) < 22


def test_maintenance_gives_half_marks_when_only_prereleases_exist():
    """A latest pre-release earns half the release points and says so."""
    fact = ReleaseFact("2.0b1", NOW - timedelta(days=10), is_prerelease=True)

    reason = dimensions.maintenance(inputs(latest=fact)).reasons[0]

    assert reason.points == 20
    assert "pre-release" in reason.text


def test_maintenance_counts_releases_of_the_last_year_without_yanked_ones():
    """Three releases in a year earn the cadence's 20 points; yanked ones do not count."""
    releases = [
        ReleaseFact("1.0", NOW - timedelta(days=30)),
        ReleaseFact("1.1", NOW - timedelta(days=60)),
        ReleaseFact("1.2", NOW - timedelta(days=90), yanked=True),
        ReleaseFact("0.9", NOW - timedelta(days=500)),
    ]

    cadence = dimensions.maintenance(inputs(releases=releases)).reasons[2]

    assert cadence.points == 15
    assert cadence.text.startswith("2 releases in the last 12 months")


def test_maintenance_never_reads_unfetched_facts_as_inactivity():
    """Commits never fetched say "not known" rather than "0 commits"."""
    reasons = dimensions.maintenance(inputs()).reasons

    assert "not known" in reasons[1].text
    assert "not known" in reasons[3].text


def test_adoption_is_logarithmic_so_small_packages_are_not_crushed():
    """100 stars earn half the stars' points of 10,000; 10,000 earn all of them."""

    def star_points(stars: int) -> float:
        return dimensions.adoption(inputs(stars=stars, forks=0)).reasons[0].points

    assert star_points(10_000) == pytest.approx(45 * 100 / 85)
    assert star_points(100) == pytest.approx(star_points(10_000) / 2, rel=0.01)
    assert star_points(0) == 0


def test_adoption_counts_dependents_and_i_use_this_when_available():
    """Dependents in the directory earn points; "I use this" joins when counts exist."""
    without = dimensions.adoption(inputs(stars=50, forks=5, dependents=20))
    with_usage = dimensions.adoption(inputs(stars=50, forks=5, dependents=20, usage=100))

    assert without.reasons[2].points == pytest.approx(25 * 100 / 85)
    assert "scaled to 100" in without.reasons[-1].text
    assert with_usage.reasons[3].text.startswith('100 people said "I use this"')
    assert with_usage.reasons[3].points == 15
    assert sum(reason.out_of for reason in with_usage.reasons) == pytest.approx(100)


def test_compatibility_shares_points_among_supported_releases():
    """Django 60 and Python 40 are shared; unknown earns a quarter, no earns nothing."""
    support = [
        ("django", "6.0", "yes", "classifier"),
        ("django", "5.2", "no", "requires_dist"),
        ("python", "3.13", "unknown", "none"),
    ]

    score = dimensions.compatibility(inputs(support=support))

    assert [reason.points for reason in score.reasons] == [30, 0, 10]
    assert score.score == 40
    assert "Django 5.2 (supported): no (requires-dist), nothing." in score.reasons[1].text


def test_documentation_with_unknown_licence():
    """A release that states no licence loses the licence's 10 points and says so."""
    score = dimensions.documentation(
        inputs(
            latest=ReleaseFact("1.0", NOW),
            licence="UNKNOWN",
            documentation_url="https://docs.example.org/",
            description="A reusable app that does one thing very well, for Django.",
            changelog_url="https://example.org/changes",
        )
    )

    assert score.score == 90
    assert "does not state one" in score.reasons[-1].text


def test_status_takes_points_off_and_never_goes_below_zero():
    """Archived, deprecated and advisories take points off; the floor is explained."""
    score = dimensions.status(
        inputs(
            archived_at=NOW,
            deprecated_at=NOW,
            replaced_by="django-newthing",
            advisories=["PYSEC-1", "GHSA-2", "GHSA-3", "GHSA-4"],
        )
    )

    texts = [reason.text for reason in score.reasons]
    assert score.score == 0
    assert any("Replaced by django-newthing." in text for text in texts)
    assert any("(15 each, at most 45)" in text for text in texts)
    assert texts[-1] == "A score never goes below 0."
    assert points(score) == 0


def test_status_from_pypi_project_status_and_maintainer_flag():
    """PyPI's "deprecated" status and "needs a maintainer" take their points off."""
    score = dimensions.status(inputs(pypi_project_status="deprecated", needs_maintainer=True))

    assert score.score == 100 - 70 - 25


def test_status_of_a_healthy_package_is_100_with_a_reason():
    """Nothing to take off: 100, and the page says why."""
    score = dimensions.status(inputs())

    assert score.score == 100
    assert "Nothing takes points off" in score.reasons[1].text


def test_blend_uses_the_documented_weights_and_reader_weights():
    """The overall score is the weighted mean; all-zero weights fall back to the defaults."""
    scores = {
        "maintenance": 100,
        "adoption": 0,
        "compatibility": 0,
        "documentation": 0,
        "status": 0,
    }

    assert blend(scores) == 30
    assert blend(scores, {"maintenance": 1, "adoption": 1}) == 50
    assert blend(scores, dict.fromkeys(scores, 0)) == 30
