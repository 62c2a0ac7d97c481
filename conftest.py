"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start each test with an empty cache, so counts and rate limits do not leak."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
