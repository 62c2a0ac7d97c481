from __future__ import annotations

from django.apps import AppConfig


class RefreshConfig(AppConfig):
    name = "packyard.refresh"
    label = "refresh"
    verbose_name = "Refresh of facts"
