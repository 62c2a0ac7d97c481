from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "packyard.catalog"
    label = "catalog"
    verbose_name = "Catalogue"
