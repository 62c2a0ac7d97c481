from __future__ import annotations

from django.apps import AppConfig


class CompatibilityConfig(AppConfig):
    name = "packyard.compatibility"
    label = "compatibility"
    verbose_name = "Compatibility"
