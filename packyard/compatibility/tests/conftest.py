"""Fixtures of the compatibility tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest


@pytest.fixture
def release_cycles(db):
    """The Django and Python release cycles shipped with Packyard, as the migration loads them."""
    from packyard.compatibility.cycles import PRODUCTS, shipped_cycles
    from packyard.compatibility.models import ReleaseCycle
    from packyard.compatibility.services import release_cycles_import

    for product in PRODUCTS:
        release_cycles_import(product=product, cycles=shipped_cycles(product))
    # Loaded "long ago", so tests that freeze the clock see no change to the cycles after it.
    ReleaseCycle.objects.update(modified=datetime(2026, 1, 1, tzinfo=UTC))
    return {(cycle.product, cycle.cycle): cycle for cycle in ReleaseCycle.objects.all()}
