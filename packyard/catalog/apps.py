from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def count_triggers_off(*, using: str, plan: Any = None, **kwargs: Any) -> None:
    """Drop the package count triggers before migrations run (they may rebuild tables)."""
    from packyard.catalog import counts

    connection = connections[using]
    if plan and counts.PACKAGES in connection.introspection.table_names():
        counts.count_triggers_uninstall(connection)


def count_triggers_on(*, using: str, **kwargs: Any) -> None:
    """Install the package count triggers after migrations, and count afresh."""
    from packyard.catalog import counts

    connection = connections[using]
    tables = connection.introspection.table_names()
    if counts.PACKAGES not in tables or counts.CATEGORIES not in tables:
        return
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(cursor, counts.CATEGORIES)
        }
    # Migrated back before the count column was added: nothing to keep.
    if "package_count" in columns:
        counts.count_triggers_install(connection)


class CatalogConfig(AppConfig):
    name = "packyard.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        pre_migrate.connect(count_triggers_off, sender=self)
        post_migrate.connect(count_triggers_on, sender=self)
