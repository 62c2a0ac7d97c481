from __future__ import annotations

from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "packyard.pages"
    label = "pages"
    verbose_name = "Site pages"
