"""Fresh planner statistics after bulk writes (ANALYZE), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from packyard.core.database import planner_statistics_refresh
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db


def packages_the_planner_knows() -> float | None:
    """Return how many packages the planner's statistics say there are (None: no statistics)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalog_package'")
            [(tuples,)] = cursor.fetchall()
            return None if tuples < 0 else tuples  # -1: never analysed.
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchall():
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'catalog_package' LIMIT 1")
        row = cursor.fetchone()
        return None if row is None else float(row[0].split()[0])


def test_the_planner_learns_how_many_rows_a_bulk_load_wrote():
    """After 30 new packages, the statistics say 30: the planner's estimate is the real size."""
    PackageFactory.create_batch(30)

    planner_statistics_refresh()

    assert packages_the_planner_knows() == 30
