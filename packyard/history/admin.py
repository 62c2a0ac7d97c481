from __future__ import annotations

from django.contrib import admin

from packyard.history.models import Change


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin[Change]):
    """Read the history; it is written by the services, never edited by hand."""

    list_display = ["created", "actor", "action", "subject_type", "subject_id", "summary"]
    list_filter = ["subject_type", "action", "target_type"]
    search_fields = ["summary", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "created"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: Change | None = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: Change | None = None) -> bool:
        return False
