"""Fresh planner statistics after bulk writes (ANALYZE), on SQLite and PostgreSQL, and plans
made for the tables of the moment while a bulk load grows them."""

from __future__ import annotations

import pytest
from django.db import connection

from packyard.core.database import planner_statistics_refresh, plans_made_afresh
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


def test_a_bulk_load_plans_each_run_of_a_prepared_statement_for_its_values():
    """On PostgreSQL a statement run often gets one generic plan, made once with the tables'
    sizes of that moment (`$1` in its plan); during a bulk load each run is planned for its
    own values and the sizes of the moment, and afterwards the usual mode is back."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite plans every statement as it runs")

    def plan() -> str:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN EXECUTE packyard_by_slug('django-alpha')")
            return " ".join(row[0] for row in cursor.fetchall())

    with connection.cursor() as cursor:
        cursor.execute(
            "PREPARE packyard_by_slug(text) AS SELECT id FROM catalog_package WHERE slug = $1"
        )
        try:
            for _ in range(6):  # PostgreSQL weighs a generic plan after five custom ones.
                cursor.execute("EXECUTE packyard_by_slug('django-alpha')")
            assert "$1" in plan()
            with plans_made_afresh():
                assert "$1" not in plan()
                assert "'django-alpha'" in plan()
            assert "$1" in plan()
        finally:
            cursor.execute("DEALLOCATE packyard_by_slug")
