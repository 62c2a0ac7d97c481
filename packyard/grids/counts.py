"""Each grid's number of packages, kept in `Grid.package_count` by database triggers.

The grid list sorts by it and the home page shows the biggest chosen grids first, on every
request: with a stored count neither groups the memberships table, whose rows grow with the
directory. The triggers move the count in the writing transaction, whatever writes (services,
the importer, the admin, raw SQL). Like the catalogue's counts (`packyard.catalog.counts`),
they step aside while migrations run, and `migrate` installs them again and corrects every
count that is wrong.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from packyard.core.database import ChildCount, child_counts_install, triggers_drop

TRIGGER_PREFIX = "packyard_grid_count_"
GRIDS = "grids_grid"
MEMBERSHIPS = "grids_gridpackage"

GRID_PACKAGES = ChildCount(
    name=f"{TRIGGER_PREFIX}package",
    function="packyard_grid_count_packages",
    child=MEMBERSHIPS,
    key="grid_id",
    parent=GRIDS,
    column="package_count",
)


def count_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Install the count triggers and correct every count that is wrong."""
    child_counts_install(connection, [GRID_PACKAGES])


def count_triggers_uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the count triggers (before migrations, which may rebuild their tables)."""
    triggers_drop(connection, TRIGGER_PREFIX)
