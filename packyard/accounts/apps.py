from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "packyard.accounts"
    label = "accounts"
    verbose_name = "Accounts and community"

    def ready(self) -> None:
        from packyard.accounts import counts
        from packyard.core.database import triggers_follow_migrations

        # The mark count triggers, correcting any count after every migrate.
        triggers_follow_migrations(
            self,
            needs={counts.MARKS: (), counts.PACKAGES: ("favourite_count", "use_count")},
            install=counts.mark_triggers_install,
            uninstall=counts.mark_triggers_uninstall,
        )
