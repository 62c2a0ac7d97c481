from __future__ import annotations

from django.contrib import admin

from packyard.refresh.models import FetchState


@admin.register(FetchState)
class FetchStateAdmin(admin.ModelAdmin[FetchState]):
    list_display = [
        "package",
        "source",
        "status",
        "last_success_at",
        "last_attempt_at",
        "next_due_at",
        "consecutive_failures",
    ]
    list_filter = ["source", "status"]
    search_fields = ["package__title", "package__slug", "last_error"]
    list_select_related = ["package"]
    raw_id_fields = ["package"]
    readonly_fields = ["validators"]
