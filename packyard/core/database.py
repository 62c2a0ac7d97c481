"""Database upkeep: fresh statistics for the query planner, and the triggers that keep counts.

After a bulk load the planner still believes the tables are as they were (empty, often), and
picks a full scan and a sort over an index: on PostgreSQL the home page's "most starred" read
every one of 50,000 packages (40 ms) instead of six index entries (0.06 ms) until the table was
analysed. PostgreSQL's autovacuum would analyse in time, where it is on; an import does not
wait for it. https://www.postgresql.org/docs/current/sql-analyze.html,
https://sqlite.org/lang_analyze.html
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.signals import post_migrate, pre_migrate

# The databases whose triggers keep counts (catalog.counts, accounts.counts).
TRIGGER_VENDORS = ("sqlite", "postgresql")
# Imports that wrote fewer rows than this leave the statistics to autovacuum.
BULK_ROWS = 1000


def planner_statistics_refresh(*, using: str = "default") -> None:
    """Refresh the query planner's statistics of every table (ANALYZE)."""
    connection = connections[using]
    if connection.vendor in {"postgresql", "sqlite"}:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@contextlib.contextmanager
def plans_made_afresh(*, using: str = "default") -> Iterator[None]:
    """Let PostgreSQL plan each statement for its values and the tables' sizes of the moment
    while a bulk load grows them.

    Statements are prepared after five runs (`DATABASE_PREPARE_THRESHOLD`), and PostgreSQL then
    keeps one generic plan per statement, made with the sizes of that moment: an import that
    began on empty tables went on reading them by sequential scans as they grew, and its rate
    fell as they did (50,000 packages: 452 records/s in the first tenth, 175 in the last).
    Statements stay prepared (parsed once); only their plans are made per run.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    try:
        yield
    finally:
        # The setting lives as long as the connection: put it back unless that has failed.
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("RESET plan_cache_mode")


# --- Triggers that keep counts, versions and rows (catalog, accounts and grids: counts, facts) ---


def trigger_names(connection: BaseDatabaseWrapper, prefix: str) -> list[str]:
    """Return the names of the triggers in the database that start with `prefix`."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [prefix + "%"],
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
                [prefix + "%"],
            )
        return [name for (name,) in cursor.fetchall()]


def count_function(name: str, move: str) -> str:
    """Return the PL/pgSQL that makes trigger function `name`: `move` (an UPDATE with `{sign}`
    and `{row}` in it) undone for the old row (delete, update), done for the new one."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {move.format(sign="-", row="OLD")}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {move.format(sign="+", row="NEW")}
    END IF;
    RETURN NULL;
END $$;
"""


@dataclass(frozen=True)
class ChildCount:
    """`parent.column` holds how many rows of `child` name the parent row by `key`.

    Its triggers (`name` and `name_moved`, the PostgreSQL function `function`) move the count
    as child rows are inserted, deleted or moved to another parent. Every name here is a
    constant of the module that declares it, never input.
    """

    name: str
    function: str
    child: str
    key: str
    parent: str
    column: str

    @property
    def _move(self) -> str:
        return (
            f"UPDATE {self.parent} SET {self.column} = {self.column} {{sign}} 1 "  # noqa: S608
            f"WHERE id = {{row}}.{self.key};"
        )

    def sqlite(self) -> dict[str, str]:
        """Return the SQLite triggers, by name."""
        move, key = self._move, self.key
        return {
            f"{self.name}_insert": (
                f"AFTER INSERT ON {self.child} BEGIN {move.format(sign='+', row='NEW')} END"
            ),
            f"{self.name}_delete": (
                f"AFTER DELETE ON {self.child} BEGIN {move.format(sign='-', row='OLD')} END"
            ),
            f"{self.name}_update": (
                f"AFTER UPDATE OF {key} ON {self.child} WHEN OLD.{key} IS NOT NEW.{key} BEGIN "
                f"{move.format(sign='-', row='OLD')} {move.format(sign='+', row='NEW')} END"
            ),
        }

    def postgresql(self) -> list[str]:
        """Return the PostgreSQL statements that make the function and the triggers."""
        key = self.key
        return [
            count_function(self.function, self._move),
            f"DROP TRIGGER IF EXISTS {self.name} ON {self.child}",
            f"DROP TRIGGER IF EXISTS {self.name}_moved ON {self.child}",
            f"CREATE TRIGGER {self.name} AFTER INSERT OR DELETE ON {self.child} "
            f"FOR EACH ROW EXECUTE FUNCTION {self.function}()",
            f"CREATE TRIGGER {self.name}_moved AFTER UPDATE OF {key} ON {self.child} "
            f"FOR EACH ROW WHEN (OLD.{key} IS DISTINCT FROM NEW.{key}) "
            f"EXECUTE FUNCTION {self.function}()",
        ]

    def recount(self) -> str:
        """Return the statement that corrects every count that is wrong (after a migrate that
        changed nothing, none)."""
        counted = (
            f"(SELECT COUNT(*) FROM {self.child} "  # noqa: S608
            f"WHERE {self.child}.{self.key} = {self.parent}.id)"
        )
        return (
            f"UPDATE {self.parent} SET {self.column} = {counted} "  # noqa: S608
            f"WHERE {self.column} <> {counted}"
        )


def triggers_install(
    connection: BaseDatabaseWrapper,
    *,
    sqlite: Mapping[str, str],
    postgresql: Sequence[str],
    then: Sequence[str] = (),
) -> None:
    """Make the triggers (on SQLite `sqlite`'s, by name: what follows CREATE TRIGGER name; on
    PostgreSQL the `postgresql` statements), then run the statements of `then` (recounts)."""
    if connection.vendor not in TRIGGER_VENDORS:
        return
    statements = (
        [f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in sqlite.items()]
        if connection.vendor == "sqlite"
        else postgresql
    )
    with connection.cursor() as cursor:
        for statement in [*statements, *then]:
            cursor.execute(statement)


def child_counts_install(connection: BaseDatabaseWrapper, counts: Sequence[ChildCount]) -> None:
    """Install the triggers of `counts`, then correct every count that is wrong."""
    triggers_install(
        connection,
        sqlite={name: body for count in counts for name, body in count.sqlite().items()},
        postgresql=[statement for count in counts for statement in count.postgresql()],
        then=[count.recount() for count in counts],
    )


def triggers_drop(connection: BaseDatabaseWrapper, prefix: str) -> None:
    """Drop the triggers whose names start with `prefix`, on whatever tables they are."""
    if connection.vendor not in TRIGGER_VENDORS:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in trigger_names(connection, prefix):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            return
        cursor.execute(
            "SELECT tgname, relname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
            "WHERE NOT tgisinternal AND tgname LIKE %s",
            [prefix + "%"],
        )
        for name, table in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")


def triggers_follow_migrations(
    app: AppConfig,
    *,
    needs: Mapping[str, Collection[str]],
    install: Callable[[BaseDatabaseWrapper], None],
    uninstall: Callable[[BaseDatabaseWrapper], None],
) -> None:
    """Drop an app's triggers before its migrations run (SQLite rebuilds the tables they name)
    and install them after, once every table of `needs` exists with its columns (a database
    migrated back before them has nothing to keep)."""

    def off(*, using: str, plan: Any = None, **kwargs: Any) -> None:
        connection = connections[using]
        if plan and set(needs) & set(connection.introspection.table_names()):
            uninstall(connection)

    def on(*, using: str, **kwargs: Any) -> None:
        connection = connections[using]
        if not set(needs) <= set(connection.introspection.table_names()):
            return
        with connection.cursor() as cursor:
            for table, columns in needs.items():
                description = connection.introspection.get_table_description(cursor, table)
                if not set(columns) <= {column.name for column in description}:
                    return
        install(connection)

    pre_migrate.connect(off, sender=app, weak=False)
    post_migrate.connect(on, sender=app, weak=False)
