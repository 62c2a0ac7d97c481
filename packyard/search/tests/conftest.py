"""Helpers for the search tests: packages with given facts, and the titles a search returns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from packyard.compatibility.tests.conftest import release_cycles  # noqa: F401 (a fixture)
from packyard.search.selectors import SearchFilters, packages_search
from tests.factories import FetchedPackageFactory


def make_package(title, *, stars=100, days_since_commit=30, description="", **facts):
    """Create a fetched package with the given title, stars and last commit."""
    slug = facts.pop("slug", title.lower().replace(" ", "-").replace("_", "-"))
    return FetchedPackageFactory(
        title=title,
        slug=slug,
        stars=stars,
        forks=0,
        description=description or f"A package called {title}.",
        last_commit_at=timezone.now() - timedelta(days=days_since_commit),
        **facts,
    )


def titles(text, **options):
    """Return the titles of the packages a search returns, best first."""
    filters = options.pop("filters", None)
    found = packages_search(text=text, filters=filters or SearchFilters(), **options)
    return [hit.package.title for hit in found.hits]


@pytest.fixture
def package():
    """A factory for packages with facts that matter to ranking."""
    return make_package
