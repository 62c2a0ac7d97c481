from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class SearchConfig(AppConfig):
    name = "packyard.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from packyard.search import checks, signals  # noqa: F401 - registers the system check.

        pre_migrate.connect(signals.triggers_off_for_migrations, sender=self)
        post_migrate.connect(signals.triggers_on_after_migrations, sender=self)
