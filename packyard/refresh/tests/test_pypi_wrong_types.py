"""A PyPI answer with fields of the wrong type, or null where a value was, never blanks a fact."""

from __future__ import annotations

import pytest

from packyard.refresh.models import FetchStatus, Source
from packyard.refresh.services import FIRST_RETRY

from .conftest import NOW
from .test_runner import facts_of, refresh, state_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen"), pytest.mark.attack]

REQUIREMENTS = ["django>=4.2", "httpx"]


def fetched(upstreams, **info):
    """A package fetched once from PyPI with a summary and requirements."""
    upstreams.pypi.add(
        "django-fetch", version="1.0", summary="Fetches things", requires_dist=REQUIREMENTS, **info
    )
    package = upstreams.package("github", "owner/django-fetch", pypi_name="django-fetch")
    refresh(package, sources=[Source.PYPI])
    package.refresh_from_db()
    assert (package.pypi_summary, package.requires_dist) == ("Fetches things", REQUIREMENTS)
    return package


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("summary", 12),
        ("summary", ["a"]),
        ("requires_dist", "django>=4.2"),
        ("requires_dist", [1, 2]),
        ("requires_dist", {"django": ">=4.2"}),
        ("classifiers", "Framework :: Django"),
        ("project_urls", ["https://example.com"]),
        ("version", 1.0),
        ("requires_python", True),
    ],
)
def test_a_field_of_the_wrong_type_fails_the_fetch_and_keeps_every_fact(upstreams, field, value):
    """As GitHub's wrong-typed counts do: the fetch fails, is shown and retried, facts stay."""
    package = fetched(upstreams)
    before = facts_of(package)
    upstreams.pypi.projects["django-fetch"]["info"][field] = value

    summary = refresh(package, sources=[Source.PYPI])

    assert summary.failed == 1
    assert facts_of(package) == before
    state = state_of(package, Source.PYPI)
    assert (state.status, state.next_due_at) == (FetchStatus.FAILING, NOW + FIRST_RETRY)
    assert f"info.{field}" in state.last_error


def test_null_summary_and_requirements_for_the_same_release_keep_the_stored_ones(upstreams):
    """The release's metadata cannot change on PyPI: nulls for the same version are a glitch."""
    package = fetched(upstreams)
    info = upstreams.pypi.projects["django-fetch"]["info"]
    info.update(summary=None, requires_dist=None, keywords=None)

    summary = refresh(package, sources=[Source.PYPI])

    package.refresh_from_db()
    assert summary.failed == 0
    assert package.pypi_summary == "Fetches things"
    assert package.requires_dist == REQUIREMENTS
    assert state_of(package, Source.PYPI).status == FetchStatus.OK


def test_a_new_release_without_requirements_is_believed(upstreams):
    """A new version that declares no requirements and no summary replaces the old facts."""
    package = fetched(upstreams)
    upstreams.pypi.add("django-fetch", version="2.0", summary=None, requires_dist=None)

    refresh(package, sources=[Source.PYPI])

    package.refresh_from_db()
    assert (package.pypi_version, package.pypi_summary, package.requires_dist) == ("2.0", "", [])


def test_nul_characters_and_huge_summaries_are_stored_safely(upstreams):
    """NUL characters (PostgreSQL refuses them) are dropped; a summary is cut to 1,000."""
    package = fetched(upstreams)
    upstreams.pypi.add("django-fetch", version="2.0", summary="a\x00b" + "x" * 5000)

    summary = refresh(package, sources=[Source.PYPI])

    package.refresh_from_db()
    assert summary.failed == 0
    assert package.pypi_summary.startswith("abx")
    assert len(package.pypi_summary) == 1000
