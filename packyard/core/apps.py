from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "packyard.core"
    label = "core"
    verbose_name = "Packyard core"
