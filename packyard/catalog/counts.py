"""Each category's number of packages, kept in `Category.package_count` by database triggers,
and each package's number of releases, kept in `Package.release_count` the same way.

Lists show these counts on every page, and the number of packages in all is their sum (every
package has a category), so no page counts or groups the packages table. The triggers move a
count in the writing transaction, whatever writes (services, the importer, the admin, bulk
updates and raw SQL). Like the data version's triggers (`packyard.core.versions`), they step
aside while migrations run, since SQLite rebuilds tables they name; `migrate` installs them
again and counts every category afresh.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from packyard.core.database import count_function, trigger_names, triggers_drop, triggers_install

TRIGGER_PREFIX = "packyard_count_"
PACKAGES = "catalog_package"
CATEGORIES = "catalog_category"
RELEASES = "catalog_release"
COUNT_FUNCTION = "packyard_count_packages"
RELEASE_COUNT_FUNCTION = "packyard_count_releases"
SUPPORTED_VENDORS = ("sqlite", "postgresql")

# Table names are this module's constants, never input.
_MOVE = (
    f"UPDATE {CATEGORIES} SET package_count = package_count {{sign}} 1 "  # noqa: S608
    "WHERE id = {row}.category_id;"
)
_SQLITE = {
    "insert": f"AFTER INSERT ON {PACKAGES} BEGIN {_MOVE.format(sign='+', row='NEW')} END",
    "delete": f"AFTER DELETE ON {PACKAGES} BEGIN {_MOVE.format(sign='-', row='OLD')} END",
    "update": (
        f"AFTER UPDATE OF category_id ON {PACKAGES} "
        "WHEN OLD.category_id IS NOT NEW.category_id BEGIN "
        f"{_MOVE.format(sign='-', row='OLD')} {_MOVE.format(sign='+', row='NEW')} END"
    ),
}
_POSTGRESQL_FUNCTION = count_function(COUNT_FUNCTION, _MOVE)
_POSTGRESQL = [
    f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}package ON {PACKAGES}",
    f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}package_moved ON {PACKAGES}",
    f"CREATE TRIGGER {TRIGGER_PREFIX}package AFTER INSERT OR DELETE ON {PACKAGES} "
    f"FOR EACH ROW EXECUTE FUNCTION {COUNT_FUNCTION}()",
    f"CREATE TRIGGER {TRIGGER_PREFIX}package_moved AFTER UPDATE OF category_id ON {PACKAGES} "
    "FOR EACH ROW WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id) "
    f"EXECUTE FUNCTION {COUNT_FUNCTION}()",
]
_RECOUNT = (
    f"UPDATE {CATEGORIES} SET package_count = "  # noqa: S608 - constants, as above.
    f"(SELECT COUNT(*) FROM {PACKAGES} WHERE {PACKAGES}.category_id = {CATEGORIES}.id)"
)


# Each package's releases, moved as releases are written, and counted afresh where wrong.
_RELEASE_MOVE = (
    f"UPDATE {PACKAGES} SET release_count = release_count {{sign}} 1 "  # noqa: S608
    "WHERE id = {row}.package_id;"
)
_RELEASE_SQLITE = {
    "insert": f"AFTER INSERT ON {RELEASES} BEGIN {_RELEASE_MOVE.format(sign='+', row='NEW')} END",
    "delete": f"AFTER DELETE ON {RELEASES} BEGIN {_RELEASE_MOVE.format(sign='-', row='OLD')} END",
    "update": (
        f"AFTER UPDATE OF package_id ON {RELEASES} "
        "WHEN OLD.package_id IS NOT NEW.package_id BEGIN "
        f"{_RELEASE_MOVE.format(sign='-', row='OLD')} "
        f"{_RELEASE_MOVE.format(sign='+', row='NEW')} END"
    ),
}
_RELEASE_POSTGRESQL = [
    count_function(RELEASE_COUNT_FUNCTION, _RELEASE_MOVE),
    f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}release ON {RELEASES}",
    f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}release_moved ON {RELEASES}",
    f"CREATE TRIGGER {TRIGGER_PREFIX}release AFTER INSERT OR DELETE ON {RELEASES} "
    f"FOR EACH ROW EXECUTE FUNCTION {RELEASE_COUNT_FUNCTION}()",
    f"CREATE TRIGGER {TRIGGER_PREFIX}release_moved AFTER UPDATE OF package_id ON {RELEASES} "
    "FOR EACH ROW WHEN (OLD.package_id IS DISTINCT FROM NEW.package_id) "
    f"EXECUTE FUNCTION {RELEASE_COUNT_FUNCTION}()",
]
_RELEASES_COUNTED = (
    f"(SELECT COUNT(*) FROM {RELEASES} "  # noqa: S608 - constants, as above.
    f"WHERE {RELEASES}.package_id = {PACKAGES}.id)"
)
# Only the packages whose count is wrong: after a migrate that changed nothing, none.
_RELEASE_RECOUNT = (
    f"UPDATE {PACKAGES} SET release_count = {_RELEASES_COUNTED} "  # noqa: S608
    f"WHERE release_count <> {_RELEASES_COUNTED}"
)


def count_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Install the count triggers, count every category's packages afresh and correct every
    package's release count that is wrong."""
    sqlite = {
        **{f"{TRIGGER_PREFIX}package_{event}": body for event, body in _SQLITE.items()},
        **{f"{TRIGGER_PREFIX}release_{event}": body for event, body in _RELEASE_SQLITE.items()},
    }
    postgresql = [_POSTGRESQL_FUNCTION, *_POSTGRESQL, *_RELEASE_POSTGRESQL]
    triggers_install(connection, sqlite=sqlite, postgresql=postgresql, then=_RECOUNT)
    if connection.vendor in SUPPORTED_VENDORS:
        with connection.cursor() as cursor:
            cursor.execute(_RELEASE_RECOUNT)


def count_triggers_uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the count triggers (before migrations, which may rebuild their tables)."""
    triggers_drop(connection, TRIGGER_PREFIX)


def count_triggers_missing(connection: BaseDatabaseWrapper) -> bool:
    """Tell whether the count triggers are missing (for `manage.py check`)."""
    return connection.vendor in SUPPORTED_VENDORS and not trigger_names(connection, TRIGGER_PREFIX)
