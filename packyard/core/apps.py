from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def version_triggers_off(*, using: str, plan: Any = None, **kwargs: Any) -> None:
    """Drop the data version's triggers before migrations run (they may rebuild tables)."""
    from packyard.core import versions

    connection = connections[using]
    if plan and versions.VERSION_TABLE in connection.introspection.table_names():
        versions.triggers_uninstall(connection)


def version_triggers_on(*, using: str, **kwargs: Any) -> None:
    """Install the data version's triggers on every table after migrations."""
    from packyard.core import versions

    connection = connections[using]
    if versions.VERSION_TABLE in connection.introspection.table_names():
        versions.triggers_install(connection)


class CoreConfig(AppConfig):
    name = "packyard.core"
    label = "core"
    verbose_name = "Packyard core"

    def ready(self) -> None:
        from packyard.core import checks  # noqa: F401 - registers the system check.
        from packyard.core.requestlog import connect_task_signals

        connect_task_signals()

        pre_migrate.connect(version_triggers_off, sender=self)
        post_migrate.connect(version_triggers_on, sender=self)
