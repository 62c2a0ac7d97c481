"""Each category's number of packages, kept in `Category.package_count` by database triggers,
and each package's number of releases, kept in `Package.release_count` the same way.

Lists show these counts on every page, and the number of packages in all is their sum (every
package has a category), so no page counts or groups the packages table. The triggers move a
count in the writing transaction, whatever writes (services, the importer, the admin, bulk
updates and raw SQL). Like the data version's triggers (`packyard.core.versions`), they step
aside while migrations run, since SQLite rebuilds tables they name; `migrate` installs them
again and corrects every count that is wrong.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from packyard.core.database import ChildCount, child_counts_install, trigger_names, triggers_drop

TRIGGER_PREFIX = "packyard_count_"
PACKAGES = "catalog_package"
CATEGORIES = "catalog_category"
RELEASES = "catalog_release"
SUPPORTED_VENDORS = ("sqlite", "postgresql")

# The names of the triggers and functions are those they have had since each count was made.
CATEGORY_PACKAGES = ChildCount(
    name=f"{TRIGGER_PREFIX}package",
    function="packyard_count_packages",
    child=PACKAGES,
    key="category_id",
    parent=CATEGORIES,
    column="package_count",
)
PACKAGE_RELEASES = ChildCount(
    name=f"{TRIGGER_PREFIX}release",
    function="packyard_count_releases",
    child=RELEASES,
    key="package_id",
    parent=PACKAGES,
    column="release_count",
)
COUNTS = (CATEGORY_PACKAGES, PACKAGE_RELEASES)


def count_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Install the count triggers and correct every count that is wrong."""
    child_counts_install(connection, COUNTS)


def count_triggers_uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the count triggers (before migrations, which may rebuild their tables)."""
    triggers_drop(connection, TRIGGER_PREFIX)


def count_triggers_missing(connection: BaseDatabaseWrapper) -> bool:
    """Tell whether the count triggers are missing (for `manage.py check`)."""
    return connection.vendor in SUPPORTED_VENDORS and not trigger_names(connection, TRIGGER_PREFIX)
