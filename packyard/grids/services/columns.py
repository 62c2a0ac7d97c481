"""Keeping each package's grid cells (`GridColumn`): derived data, written as grids are read.

Not an edit: no history, no data version (`GridColumn.DERIVED_DATA`). Two processes making the
same column write the same row, the later one winning; a row made from facts that changed
meanwhile holds the older facts version, so the next page makes it again. A write that fails
(a busy SQLite database, say) is logged and skipped: the page has its cells already.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import DatabaseError, transaction

from packyard.catalog.models import Package
from packyard.grids.models import GridColumn

logger = logging.getLogger(__name__)


def grid_columns_keep(*, columns: Sequence[tuple[Package, str]], format: str) -> None:
    """Keep the cells made for packages (one query), at each package's facts version as read
    with it."""
    rows = [
        GridColumn(
            package_id=package.pk,
            facts_version=package.facts_version,
            format=format,
            cells=cells,
        )
        for package, cells in columns
    ]
    try:
        with transaction.atomic():
            GridColumn.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["package"],
                update_fields=["facts_version", "format", "cells"],
            )
    except DatabaseError:
        logger.warning("Could not keep the grid cells of %d packages", len(rows), exc_info=True)
