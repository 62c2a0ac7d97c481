"""Tests of the compatibility rules: yes, no or unknown for a Django or Python release."""

from __future__ import annotations

import pytest

from packyard.compatibility.rules import (
    Answer,
    Basis,
    ReleaseEvidence,
    Target,
    django_requirement,
    django_verdict,
    python_verdict,
)

DJANGO_60 = Target("django", "6.0", "6.0.8")
DJANGO_52 = Target("django", "5.2", "5.2.12")
PYTHON_313 = Target("python", "3.13", "3.13.10")
PYTHON_27 = Target("python", "2.7", "2.7.18")


def release(**fields) -> ReleaseEvidence:
    """Return the evidence of a latest release 2.0 with the given facts."""
    return ReleaseEvidence(version="2.0", **fields)


def test_no_release_is_unknown_and_says_why():
    """A package with no release to read answers unknown, with the reason as evidence."""
    evidence = ReleaseEvidence(version=None, missing="No release on PyPI yet.")

    for verdict in (django_verdict(evidence, DJANGO_60), python_verdict(evidence, PYTHON_313)):
        assert verdict.answer == Answer.UNKNOWN
        assert verdict.basis == Basis.NO_RELEASE
        assert verdict.evidence == "No release on PyPI yet."


def test_django_classifier_says_yes():
    """A "Framework :: Django :: 6.0" classifier answers yes for Django 6.0 and names it."""
    verdict = django_verdict(release(classifiers=("Framework :: Django :: 6.0",)), DJANGO_60)

    assert verdict.answer == Answer.YES
    assert verdict.basis == Basis.CLASSIFIER
    assert '"Framework :: Django :: 6.0"' in verdict.evidence
    assert "latest release (2.0)" in verdict.evidence


def test_django_requirement_that_excludes_the_release_says_no_over_a_classifier():
    """Requires-Dist "Django<6.0" answers no for 6.0 even when a classifier lists 6.0."""
    evidence = release(
        classifiers=("Framework :: Django :: 6.0",), requires_dist=("Django<6.0,>=4.2",)
    )

    verdict = django_verdict(evidence, DJANGO_60)

    assert verdict.answer == Answer.NO
    assert verdict.basis == Basis.REQUIRES_DIST
    assert '"Django<6.0,>=4.2"' in verdict.evidence
    assert "although a classifier lists Django 6.0" in verdict.evidence


def test_django_requirement_with_an_upper_bound_that_admits_says_yes():
    """ "Django>=4.2,<6.1" admits 6.0 with a cap above it: yes, from the requirement."""
    verdict = django_verdict(release(requires_dist=("django>=4.2,<6.1",)), DJANGO_60)

    assert verdict.answer == Answer.YES
    assert verdict.basis == Basis.REQUIRES_DIST
    assert "upper bound admits Django 6.0" in verdict.evidence


def test_open_ended_django_requirement_is_unknown_with_what_was_seen():
    """ "Django>=3.2" and classifiers up to 5.2 leave 6.0 unknown, saying both facts."""
    evidence = release(
        classifiers=("Framework :: Django :: 4.2", "Framework :: Django :: 5.2"),
        requires_dist=("Django>=3.2",),
    )

    verdict = django_verdict(evidence, DJANGO_60)

    assert verdict.answer == Answer.UNKNOWN
    assert "name Django 4.2, 5.2 but not 6.0" in verdict.evidence
    assert '"Django>=3.2" allows Django 6.0 without claiming it' in verdict.evidence


def test_django_excluded_only_when_every_marker_variant_excludes_it():
    """Two Django requirements under different markers exclude 6.0 only if both do."""
    evidence = release(
        requires_dist=(
            'Django<5.0; python_version < "3.10"',
            'Django>=4.2; python_version >= "3.10"',
        )
    )

    assert django_verdict(evidence, DJANGO_60).answer == Answer.UNKNOWN
    assert django_verdict(release(requires_dist=("Django<5",)), DJANGO_60).answer == Answer.NO


def test_django_requirement_only_under_an_extra_is_read_and_said_so():
    """A Django requirement only under an extra still counts, marked optional."""
    evidence = release(requires_dist=('django<5.0; extra == "django"', "requests"))

    verdict = django_verdict(evidence, DJANGO_52)

    assert verdict.answer == Answer.NO
    assert "(optional, under an extra)" in verdict.evidence
    assert django_requirement(evidence.requires_dist).optional


def test_patch_level_lower_bound_does_not_exclude_the_cycle():
    """ "Django>=5.2.3" still admits a 5.2 release, so 5.2 is not excluded."""
    verdict = django_verdict(release(requires_dist=("Django>=5.2.3,<5.3",)), DJANGO_52)

    assert verdict.answer == Answer.YES


def test_no_django_facts_at_all_is_unknown():
    """A release without Django classifiers or requirement answers unknown and says so."""
    verdict = django_verdict(release(requires_dist=("requests>=2",)), DJANGO_60)

    assert verdict.answer == Answer.UNKNOWN
    assert "no classifier names a Django release" in verdict.evidence
    assert "does not declare a Django requirement" in verdict.evidence


def test_prerelease_evidence_is_named_as_such():
    """When the latest release is a pre-release, the evidence says so."""
    evidence = ReleaseEvidence(
        version="3.0b1", is_prerelease=True, classifiers=("Framework :: Django :: 6.0",)
    )

    assert "latest pre-release (3.0b1)" in django_verdict(evidence, DJANGO_60).evidence


def test_python_classifier_says_yes():
    """A "Programming Language :: Python :: 3.13" classifier answers yes for 3.13."""
    verdict = python_verdict(
        release(classifiers=("Programming Language :: Python :: 3.13",)), PYTHON_313
    )

    assert verdict.answer == Answer.YES
    assert verdict.basis == Basis.CLASSIFIER


def test_requires_python_that_excludes_wins_over_a_conflicting_classifier():
    """Requires-Python "<3.13" answers no for 3.13 though a classifier lists 3.13."""
    evidence = release(
        classifiers=("Programming Language :: Python :: 3.13",), requires_python=">=3.9,<3.13"
    )

    verdict = python_verdict(evidence, PYTHON_313)

    assert verdict.answer == Answer.NO
    assert verdict.basis == Basis.REQUIRES_PYTHON
    assert 'Requires-Python ">=3.9,<3.13"' in verdict.evidence
    assert "although a classifier lists Python 3.13" in verdict.evidence


def test_open_requires_python_is_unknown_not_yes():
    """Requires-Python ">=3.8" allows 3.13 but does not claim it: unknown, saying so."""
    verdict = python_verdict(
        release(classifiers=("Programming Language :: Python :: 3.12",), requires_python=">=3.8"),
        PYTHON_313,
    )

    assert verdict.answer == Answer.UNKNOWN
    assert "name Python 3.12 but not 3.13" in verdict.evidence
    assert '">=3.8" allows Python 3.13 without claiming it' in verdict.evidence


def test_python_3_only_rules_out_python_2():
    """ "Programming Language :: Python :: 3 :: Only" answers no for Python 2.7."""
    verdict = python_verdict(
        release(classifiers=("Programming Language :: Python :: 3 :: Only",)), PYTHON_27
    )

    assert verdict.answer == Answer.NO
    assert "3 :: Only" in verdict.evidence


def test_unreadable_requires_python_is_reported_not_fatal():
    """A Requires-Python PEP 440 cannot read gives unknown and names the bad value."""
    verdict = python_verdict(release(requires_python="python3 please"), PYTHON_313)

    assert verdict.answer == Answer.UNKNOWN
    assert '"python3 please" cannot be read' in verdict.evidence


@pytest.mark.parametrize(
    ("requires_python", "answer"),
    [(">=3.14", Answer.NO), ("<3", Answer.NO), ("~=3.13.1", Answer.UNKNOWN), ("", Answer.UNKNOWN)],
)
def test_requires_python_bounds(requires_python, answer):
    """Requires-Python excludes 3.13 only when no 3.13.x satisfies it."""
    assert python_verdict(release(requires_python=requires_python), PYTHON_313).answer == answer
