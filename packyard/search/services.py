"""Writes of the search app: rebuilding the index from the catalogue."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connections, transaction

from packyard.search import schema

BATCH_SIZE = 1000


def search_index_rebuild(
    *, using: str = "default", on_progress: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Rebuild the whole index from the catalogue, with the current triggers, in one transaction.

    `on_progress(kind, done, total)` is called after each batch of packages or grids. Returns
    how many packages and grids were indexed.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        # From scratch: the tables are made again, so a damaged index or an older layout
        # of them goes too.
        schema.drop_tables(connection)
        schema.create_tables(connection)
        schema.install_triggers(connection)
        counts = {}
        for kind, table, index in (
            ("packages", "catalog_package", schema.index_packages_between),
            ("grids", "grids_grid", schema.index_grids_between),
        ):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id FROM {table} ORDER BY id")
                ids = [row[0] for row in cursor.fetchall()]
            counts[kind] = len(ids)
            for start in range(0, len(ids), BATCH_SIZE):
                batch = ids[start : start + BATCH_SIZE]
                index(connection, batch[0], batch[-1])
                if on_progress:
                    on_progress(kind, start + len(batch), len(ids))
        schema.optimize(connection)
    return counts


def search_quality_refresh(*, using: str = "default") -> int:
    """Store every package's quality again (its activity part ages by the day); return how many."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM catalog_package ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        with transaction.atomic(using=using):
            schema.index_quality_between(connection, batch[0], batch[-1])
    return len(ids)
