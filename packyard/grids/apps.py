from __future__ import annotations

from django.apps import AppConfig


class GridsConfig(AppConfig):
    name = "packyard.grids"
    label = "grids"
    verbose_name = "Grids"
