from __future__ import annotations

from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "packyard.history"
    label = "history"
    verbose_name = "History of edits"
