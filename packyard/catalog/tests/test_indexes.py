"""Every order of the package lists has its index, after every migration, on both databases.

Migration 0003 makes the indexes of the sorts by a fact that may be NULL with raw SQL, which
Django does not know; a later migration that rebuilds the table on SQLite drops them, and each
list page would then sort every package (4x slower at 50,000 packages, bench/web.py).
"""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

LIST_ORDERS = [
    "package_created_idx",
    "package_title_idx",
    "package_stars_idx",
    "package_forks_idx",
    "package_last_commit_idx",
    "package_latest_release_idx",
    "package_liked_idx",
]


def test_every_list_order_has_its_index_after_the_migrations():
    with connection.cursor() as cursor:
        indexes = set(connection.introspection.get_constraints(cursor, "catalog_package"))
    assert [name for name in LIST_ORDERS if name not in indexes] == []


def test_the_most_starred_page_is_read_from_its_index():
    """The query of /packages/ sorted by stars walks the index instead of sorting the table."""
    nulls = " NULLS LAST" if connection.vendor == "postgresql" else ""
    order = f'"stars" DESC{nulls}, "title", "id"'
    sql = f'SELECT "id" FROM "catalog_package" ORDER BY {order} LIMIT 25'  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "package_stars_idx" in plan
