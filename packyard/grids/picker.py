"""The package picker of a grid: packages found by name that are not in the grid yet.

A plain selector behind the "Add a package" page; the search app's ranking may replace it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from packyard.catalog.models import Package
from packyard.grids.models import Grid

PICKER_SIZE = 20


def packages_to_pick(*, grid: Grid, text: str, limit: int = PICKER_SIZE) -> QuerySet[Package]:
    """Return up to `limit` packages matching `text` that are not in `grid`, best known first."""
    text = text.strip()
    if not text:
        return Package.objects.none()
    return (
        Package.objects.for_lists()
        .filter(Q(title__icontains=text) | Q(slug__icontains=text) | Q(pypi_name__icontains=text))
        .exclude(grid_memberships__grid=grid)
        .order_by("-stars", "title", "id")[:limit]
    )
