from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "packyard.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from packyard.catalog import counts, facts
        from packyard.core.database import triggers_follow_migrations

        # The package and release count triggers, counting afresh after every migrate.
        triggers_follow_migrations(
            self,
            needs={
                counts.PACKAGES: ("release_count",),
                counts.CATEGORIES: ("package_count",),
                counts.RELEASES: (),
            },
            install=counts.count_triggers_install,
            uninstall=counts.count_triggers_uninstall,
        )
        # The facts version triggers (stored HTML of a package is fresh while it holds).
        triggers_follow_migrations(
            self,
            needs=facts.NEEDS,
            install=facts.facts_triggers_install,
            uninstall=facts.facts_triggers_uninstall,
        )
