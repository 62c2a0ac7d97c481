from __future__ import annotations

from django.apps import AppConfig


class GridsConfig(AppConfig):
    name = "packyard.grids"
    label = "grids"
    verbose_name = "Grids"

    def ready(self) -> None:
        from packyard.core.database import triggers_follow_migrations
        from packyard.grids import counts, feature_cells

        # The package count triggers, counting afresh after every migrate.
        triggers_follow_migrations(
            self,
            needs={counts.GRIDS: ("package_count",), counts.MEMBERSHIPS: ()},
            install=counts.count_triggers_install,
            uninstall=counts.count_triggers_uninstall,
        )
        # Each feature's row of cells, made again after every migrate where it is wrong.
        triggers_follow_migrations(
            self,
            needs=feature_cells.NEEDS,
            install=feature_cells.feature_cells_install,
            uninstall=feature_cells.feature_cells_uninstall,
        )
