from __future__ import annotations

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "packyard.scoring"
    label = "scoring"
    verbose_name = "Scores, status and advisories"

    def ready(self) -> None:
        from packyard.core.database import triggers_follow_migrations
        from packyard.scoring import facts

        # A score written moves its package's facts version (packyard.catalog.facts).
        triggers_follow_migrations(
            self,
            needs=facts.NEEDS,
            install=facts.score_facts_triggers_install,
            uninstall=facts.score_facts_triggers_uninstall,
        )
