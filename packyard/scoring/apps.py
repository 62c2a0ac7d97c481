from __future__ import annotations

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "packyard.scoring"
    label = "scoring"
    verbose_name = "Scores, status and advisories"
