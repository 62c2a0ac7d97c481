from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def mark_triggers_off(*, using: str, plan: Any = None, **kwargs: Any) -> None:
    """Drop the mark count triggers before migrations run (they may rebuild tables)."""
    from packyard.accounts import counts

    connection = connections[using]
    if plan and counts.MARKS in connection.introspection.table_names():
        counts.mark_triggers_uninstall(connection)


def mark_triggers_on(*, using: str, **kwargs: Any) -> None:
    """Install the mark count triggers after migrations, and count afresh."""
    from packyard.accounts import counts

    connection = connections[using]
    tables = connection.introspection.table_names()
    if counts.MARKS not in tables or counts.PACKAGES not in tables:
        return
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(cursor, counts.PACKAGES)
        }
    # Migrated back before the count columns were added: nothing to keep.
    if {"favourite_count", "use_count"} <= columns:
        counts.mark_triggers_install(connection)


class AccountsConfig(AppConfig):
    name = "packyard.accounts"
    label = "accounts"
    verbose_name = "Accounts and community"

    def ready(self) -> None:
        pre_migrate.connect(mark_triggers_off, sender=self)
        post_migrate.connect(mark_triggers_on, sender=self)
