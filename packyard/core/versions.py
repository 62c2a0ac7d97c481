"""The data version: one number that every write to the directory's tables moves on.

Pages and API answers are validated (ETag) and cached by it (`packyard.core.caching`). The
bump is a database trigger on every table of Packyard's apps, so it happens whatever writes:
services, the importer, the refresh, the admin, bulk updates and raw SQL alike, and in the
writing transaction, so no process can see the new number before the new data.

On PostgreSQL the triggers are deferred constraint triggers that bump once per transaction,
at commit: concurrent writers then take the version row's lock last and briefly, so they never
wait on each other in a circle. On SQLite, which has one writer at a time, they bump at once.
Like the search index's triggers, they step aside while migrations run and are installed
again afterwards (`migrate` does both; `manage.py check` warns when they are missing).
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from packyard.core.models import DataVersion

VERSION_TABLE = DataVersion._meta.db_table
TRIGGER_PREFIX = "packyard_version_"
BUMP_FUNCTION = "packyard_version_bump"
SUPPORTED_VENDORS = ("sqlite", "postgresql")

_SQLITE_BUMP = (
    f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, 1) "
    f"ON CONFLICT (id) DO UPDATE SET version = version + 1;"
)
_POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {BUMP_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once a statement: deferred, every row's trigger runs in the COMMIT, so once a
    -- transaction. The flag is local to the transaction (and undone with a savepoint).
    IF current_setting('packyard.version_bumped', true) IS DISTINCT FROM
            statement_timestamp()::text THEN
        INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, 1)
        ON CONFLICT (id) DO UPDATE SET version = {VERSION_TABLE}.version + 1;
        PERFORM set_config('packyard.version_bumped', statement_timestamp()::text, true);
    END IF;
    RETURN NULL;
END $$;
"""


_READ_VERSION = f"SELECT version FROM {VERSION_TABLE} WHERE id = 1"


def data_version(*, using: str = "default") -> int:
    """Return the current data version (0 before the first write).

    Every page and API answer asks for it first (packyard.core.caching), so it is one plain
    statement on the connection's cursor, without building a queryset.
    """
    with connections[using].cursor() as cursor:
        cursor.execute(_READ_VERSION)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def versioned_tables(connection: BaseDatabaseWrapper) -> list[str]:
    """Return the tables of Packyard's apps that exist in the database, but the version's own
    and those of derived data (models with `DERIVED_DATA = True`), which pages write as they
    read."""
    existing = set(connection.introspection.table_names())
    tables = {
        model._meta.db_table
        for config in apps.get_app_configs()
        if config.name.startswith("packyard.")
        for model in config.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not getattr(model, "DERIVED_DATA", False)
    }
    return sorted(table for table in tables - {VERSION_TABLE} if table in existing)


def _installed(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    """Return (trigger, table) for every version trigger in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
        else:
            cursor.execute(
                "SELECT tgname, relname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
                "WHERE NOT tgisinternal AND tgname LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
        return [(name, table) for name, table in cursor.fetchall()]


def _create_statements(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    quoted = connection.ops.quote_name(table)
    name = f"{TRIGGER_PREFIX}{table}"
    if connection.vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {name}_{event.lower()} AFTER {event} ON {quoted} "
            f"BEGIN {_SQLITE_BUMP} END"
            for event in ("INSERT", "UPDATE", "DELETE")
        ]
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {quoted}",
        f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {quoted} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {BUMP_FUNCTION}()",
        f"DROP TRIGGER IF EXISTS {name}_truncate ON {quoted}",
        f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {quoted} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {BUMP_FUNCTION}()",
    ]


def triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Install the bump on every versioned table that lacks it."""
    if connection.vendor not in SUPPORTED_VENDORS:
        return
    statements = [_POSTGRESQL_FUNCTION] if connection.vendor == "postgresql" else []
    # Only where missing: replacing a trigger locks its table, which a live site would feel.
    for table in triggers_missing(connection):
        statements.extend(_create_statements(connection, table))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def deferred_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Return the names of PostgreSQL's deferred version triggers (for `SET CONSTRAINTS`)."""
    if connection.vendor != "postgresql":
        return []
    return [name for name, _table in _installed(connection) if not name.endswith("_truncate")]


def triggers_uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop every version trigger (before migrations, which may rebuild their tables)."""
    if connection.vendor not in SUPPORTED_VENDORS:
        return
    with connection.cursor() as cursor:
        for name, table in _installed(connection):
            on = "" if connection.vendor == "sqlite" else f" ON {connection.ops.quote_name(table)}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")


def triggers_missing(connection: BaseDatabaseWrapper) -> list[str]:
    """Return the versioned tables that lack a version trigger."""
    if connection.vendor not in SUPPORTED_VENDORS:
        return []
    with_trigger = {table for _name, table in _installed(connection)}
    return [table for table in versioned_tables(connection) if table not in with_trigger]
