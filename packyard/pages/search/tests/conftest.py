"""Fixtures shared with the search app's own tests."""

from __future__ import annotations

from packyard.search.tests.conftest import package, release_cycles  # noqa: F401 (fixtures)
