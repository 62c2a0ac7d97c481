"""Fixtures shared with the scoring app's own tests."""

from __future__ import annotations

from packyard.compatibility.tests.conftest import release_cycles  # noqa: F401 (a fixture)
