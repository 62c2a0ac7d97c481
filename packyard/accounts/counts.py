"""Each package's favourites and users, kept in `Package.favourite_count` and `use_count` by
database triggers on the marks.

The package page, grids, lists and the most liked packages show these counts; read from the
package's row, they cost no query, and `/packages/liked/` reads its page from an index
instead of counting every mark (the home page's short lists still count the marks table,
whose size is the marks, not the packages). Saving a package never writes them
(`Package.save`). The triggers move a count in the writing transaction, whatever writes
(services, the importer, the admin, bulk writes and raw SQL). Like the category counts
(`packyard.catalog.counts`), they step aside while migrations run, since SQLite rebuilds tables
they name; `migrate` installs them again and corrects any count that is wrong.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from packyard.core.database import count_function, triggers_drop, triggers_install

TRIGGER_PREFIX = "packyard_marks_"
MARKS = "accounts_mark"
PACKAGES = "catalog_package"
COUNT_FUNCTION = "packyard_count_marks"

# Table names and kinds are this module's constants, never input.
_MOVE = (
    f"UPDATE {PACKAGES} SET "  # noqa: S608
    "favourite_count = favourite_count {sign} "
    "CASE WHEN {row}.kind = 'favourite' THEN 1 ELSE 0 END, "
    "use_count = use_count {sign} CASE WHEN {row}.kind = 'use' THEN 1 ELSE 0 END "
    "WHERE id = {row}.package_id;"
)
_SQLITE = {
    "insert": f"AFTER INSERT ON {MARKS} BEGIN {_MOVE.format(sign='+', row='NEW')} END",
    "delete": f"AFTER DELETE ON {MARKS} BEGIN {_MOVE.format(sign='-', row='OLD')} END",
    "update": (
        f"AFTER UPDATE OF package_id, kind ON {MARKS} BEGIN "
        f"{_MOVE.format(sign='-', row='OLD')} {_MOVE.format(sign='+', row='NEW')} END"
    ),
}
_POSTGRESQL_FUNCTION = count_function(COUNT_FUNCTION, _MOVE)
_POSTGRESQL = [
    f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}mark ON {MARKS}",
    f"CREATE TRIGGER {TRIGGER_PREFIX}mark AFTER INSERT OR DELETE OR UPDATE OF package_id, kind "
    f"ON {MARKS} FOR EACH ROW EXECUTE FUNCTION {COUNT_FUNCTION}()",
]
_COUNTED = (
    f"(SELECT COUNT(*) FROM {MARKS} "  # noqa: S608 - constants, as above.
    f"WHERE {MARKS}.package_id = {PACKAGES}.id AND {MARKS}.kind = '{{kind}}')"
)
_FAVOURITES, _USES = _COUNTED.format(kind="favourite"), _COUNTED.format(kind="use")
# Only the rows whose counts are wrong: after a migrate that changed nothing, none.
_RECOUNT = (
    f"UPDATE {PACKAGES} SET favourite_count = {_FAVOURITES}, use_count = {_USES} "  # noqa: S608
    f"WHERE favourite_count <> {_FAVOURITES} OR use_count <> {_USES}"
)


def mark_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Install the mark count triggers and correct every count that is wrong."""
    sqlite = {f"{TRIGGER_PREFIX}mark_{event}": body for event, body in _SQLITE.items()}
    postgresql = [_POSTGRESQL_FUNCTION, *_POSTGRESQL]
    triggers_install(connection, sqlite=sqlite, postgresql=postgresql, then=[_RECOUNT])


def mark_triggers_uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the mark count triggers (before migrations, which may rebuild their tables)."""
    triggers_drop(connection, TRIGGER_PREFIX)
