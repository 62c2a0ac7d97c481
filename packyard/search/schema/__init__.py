"""The search index in the database: its tables, and the triggers that keep it current.

Two backends, chosen by the database in use: SQLite's FTS5 tables (sqlite.py) and
PostgreSQL's weighted tsvectors with pg_trgm (postgresql.py). What both share (table names,
facet tokens, the indexed columns) is in common.py; this module installs, checks and fills
whichever the connection needs, and is what the rest of the code imports.

Both keep `packyard_search_name`: each package's and grid's title, slug and PyPI name as a
key (ASCII lower case, without spaces, `-`, `_` and dots) for exact name matches.

The index is current in the same transaction as every write: triggers on catalog_package,
catalog_category, grids_grid, grids_gridpackage and compatibility_packagecompatibility rewrite
the rows of what changed, whichever code wrote (importer, refresh, admin, a bulk update, raw
SQL). The catalogue's code never imports search.

The triggers are not frozen in a migration: SQLite cannot rebuild a table (as Django does for
many column changes) while a trigger elsewhere names it, so `migrate` drops them before it
runs migrations and installs the current ones afterwards, rebuilding the index when
migrations ran (see apps.py). `manage.py rebuild_search` installs them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

from packyard.search.quality import QUALITY_TABLES
from packyard.search.schema import postgresql, sqlite
from packyard.search.schema.common import (
    ANSWER_TABLE,
    CATEGORY_FACET,
    GRID_FACET,
    GRID_INDEXED_COLUMNS,
    GRID_TABLE_POSTGRESQL,
    GRID_TABLES_SQLITE,
    INACTIVE_FACET,
    LIVE_FACET,
    NAME_COLUMNS,
    NAME_TABLE,
    PACKAGE_INDEXED_COLUMNS,
    PACKAGE_TABLE_POSTGRESQL,
    PACKAGE_TABLES_SQLITE,
    PACKAGES_FROM,
    STATUS_FACETS,
    SUPPORT_FACET,
    SUPPORTED_VENDORS,
    WORD_TABLE_POSTGRESQL,
    YES,
    quality_select,
    sql_name_key,
    vendor_of,
)

__all__ = [
    "ANSWER_TABLE",
    "CATEGORY_FACET",
    "GRID_FACET",
    "GRID_INDEXED_COLUMNS",
    "GRID_TABLES_SQLITE",
    "GRID_TABLE_POSTGRESQL",
    "INACTIVE_FACET",
    "LIVE_FACET",
    "NAME_COLUMNS",
    "NAME_TABLE",
    "PACKAGES_FROM",
    "PACKAGE_INDEXED_COLUMNS",
    "PACKAGE_TABLES_SQLITE",
    "PACKAGE_TABLE_POSTGRESQL",
    "STATUS_FACETS",
    "SUPPORTED_VENDORS",
    "SUPPORT_FACET",
    "WORD_TABLE_POSTGRESQL",
    "YES",
    "ProgressCallback",
    "clear",
    "create_tables",
    "drop_tables",
    "expected_trigger_names",
    "index_grids_between",
    "index_packages_between",
    "index_quality_between",
    "install_triggers",
    "missing_source_tables",
    "optimize",
    "quality_select",
    "sql_name_key",
    "tables_exist",
    "trigger_names",
    "triggers_installed",
    "triggers_paused",
    "uninstall_triggers",
    "vendor_of",
]


def create_tables(connection: BaseDatabaseWrapper) -> None:
    """Create the index tables (and pg_trgm) if they are not there."""
    statements = sqlite.TABLES if vendor_of(connection) == "sqlite" else postgresql.TABLES
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _index_tables(connection: BaseDatabaseWrapper) -> tuple[str, ...]:
    """Return the tables that hold the index's rows on this database."""
    if vendor_of(connection) == "sqlite":
        return (*PACKAGE_TABLES_SQLITE, *GRID_TABLES_SQLITE, NAME_TABLE)
    return (PACKAGE_TABLE_POSTGRESQL, GRID_TABLE_POSTGRESQL, WORD_TABLE_POSTGRESQL, NAME_TABLE)


def drop_tables(connection: BaseDatabaseWrapper) -> None:
    """Drop the index tables and their triggers."""
    uninstall_triggers(connection)
    tables = _index_tables(connection)
    with connection.cursor() as cursor:
        if vendor_of(connection) == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS packyard_search_package_vocab")
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def tables_exist(connection: BaseDatabaseWrapper) -> bool:
    """Tell whether the index tables exist (the search migration ran)."""
    return NAME_TABLE in connection.introspection.table_names()


def missing_source_tables(connection: BaseDatabaseWrapper) -> list[str]:
    """Return the tables the triggers read that do not exist (an app migrated back to zero)."""
    sources = [
        "catalog_package",
        "catalog_category",
        "grids_grid",
        "grids_gridpackage",
        ANSWER_TABLE,
        *(table for table, _column in QUALITY_TABLES),
    ]
    present = set(connection.introspection.table_names())
    return [table for table in sources if table not in present]


def trigger_names(connection: BaseDatabaseWrapper) -> set[str]:
    """Return the names of the search triggers installed now."""
    with connection.cursor() as cursor:
        if vendor_of(connection) == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'packyard_search_%%'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgname LIKE 'packyard_search_%%'"
            )
        return {row[0] for row in cursor.fetchall()}


def expected_trigger_names(connection: BaseDatabaseWrapper) -> set[str]:
    """Return the names of the triggers the index needs on this database."""
    if vendor_of(connection) == "sqlite":
        return set(sqlite.triggers(quality=""))
    return set(postgresql.triggers())


def triggers_installed(connection: BaseDatabaseWrapper) -> bool:
    """Tell whether every trigger the index needs is in place."""
    return expected_trigger_names(connection) <= trigger_names(connection)


def uninstall_triggers(connection: BaseDatabaseWrapper) -> None:
    """Drop the search triggers (and PostgreSQL functions) that exist."""
    present = trigger_names(connection)
    with connection.cursor() as cursor:
        if vendor_of(connection) == "sqlite":
            for name in sorted(present):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            return
        cursor.execute(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE 'packyard_search_%%'"
        )
        for name, table in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
        for function in postgresql.FUNCTIONS:
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
        for table, _column in QUALITY_TABLES:
            cursor.execute(f"DROP FUNCTION IF EXISTS packyard_search_quality_from_{table}()")


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """Install the current triggers, replacing any older ones."""
    uninstall_triggers(connection)
    quality = quality_select(connection)
    with connection.cursor() as cursor:
        if vendor_of(connection) == "sqlite":
            for statement in sqlite.triggers(quality).values():
                cursor.execute(statement)
            return
        for statement in postgresql.functions(quality):
            cursor.execute(statement)
        for _table, statement in postgresql.triggers().values():
            cursor.execute(statement)


def clear(connection: BaseDatabaseWrapper) -> None:
    """Remove every row of the index."""
    tables = _index_tables(connection)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")


def index_packages_between(connection: BaseDatabaseWrapper, low: int, high: int) -> None:
    """Write the index rows of the packages whose id is in [low, high]."""
    _index_between(connection, low, high, kind="package")


def index_grids_between(connection: BaseDatabaseWrapper, low: int, high: int) -> None:
    """Write the index rows of the grids whose id is in [low, high]."""
    _index_between(connection, low, high, kind="grid")


def _index_between(connection: BaseDatabaseWrapper, low: int, high: int, *, kind: str) -> None:
    table = "catalog_package" if kind == "package" else "grids_grid"
    ids = f"SELECT id FROM {table} WHERE id BETWEEN {int(low)} AND {int(high)}"
    with connection.cursor() as cursor:
        if vendor_of(connection) == "postgresql":
            function = (
                "packyard_search_index_packages"
                if kind == "package"
                else ("packyard_search_index_grids")
            )
            cursor.execute(f"SELECT {function}(ARRAY({ids}))")
            return
        statements = (
            sqlite.package_text(ids)
            + sqlite.package_names(ids)
            + sqlite.package_quality(ids, quality_select(connection))
            if kind == "package"
            else sqlite.grid_rows(ids)
        )
        for statement in statements:
            cursor.execute(statement)


def index_quality_between(connection: BaseDatabaseWrapper, low: int, high: int) -> None:
    """Store again the quality of the packages whose id is in [low, high] (activity ages)."""
    ids = f"SELECT id FROM catalog_package WHERE id BETWEEN {int(low)} AND {int(high)}"
    with connection.cursor() as cursor:
        if vendor_of(connection) == "postgresql":
            cursor.execute(f"SELECT packyard_search_index_quality(ARRAY({ids}))")
            return
        for statement in sqlite.package_quality(ids, quality_select(connection)):
            cursor.execute(statement)


def optimize(connection: BaseDatabaseWrapper) -> None:
    """Merge the index's segments (SQLite) or refresh the planner's statistics (PostgreSQL)."""
    with connection.cursor() as cursor:
        if vendor_of(connection) == "sqlite":
            for table in (*PACKAGE_TABLES_SQLITE, *GRID_TABLES_SQLITE):
                if table != "packyard_search_package_rank":
                    cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        else:
            for table in (
                PACKAGE_TABLE_POSTGRESQL,
                GRID_TABLE_POSTGRESQL,
                WORD_TABLE_POSTGRESQL,
                NAME_TABLE,
            ):
                cursor.execute(f"ANALYZE {table}")


@contextmanager
def triggers_paused(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Drop the triggers for a block (the index is rebuilt after it), then install them."""
    uninstall_triggers(connection)
    try:
        yield
    finally:
        install_triggers(connection)


ProgressCallback = Callable[[int], None]
