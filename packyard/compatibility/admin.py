from __future__ import annotations

from django.contrib import admin

from packyard.compatibility.models import PackageCompatibility, ReleaseCycle, SupportSnapshot


@admin.register(ReleaseCycle)
class ReleaseCycleAdmin(admin.ModelAdmin[ReleaseCycle]):
    list_display = ["__str__", "release_date", "support", "eol", "lts", "latest", "modified"]
    list_filter = ["product", "lts"]
    readonly_fields = ["modified"]


@admin.register(PackageCompatibility)
class PackageCompatibilityAdmin(admin.ModelAdmin[PackageCompatibility]):
    """Answers are derived from the latest release: read them here, change the facts instead."""

    list_display = ["package", "cycle", "answer", "basis", "release_version", "computed_at"]
    list_filter = ["answer", "basis", "cycle"]
    search_fields = ["package__title", "package__slug"]
    list_select_related = ["package", "cycle"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SupportSnapshot)
class SupportSnapshotAdmin(admin.ModelAdmin[SupportSnapshot]):
    """The daily record is written by the scheduler: read it here."""

    list_display = ["day", "cycle", "yes", "no", "unknown", "packages"]
    list_filter = ["cycle__product", "cycle"]
    date_hierarchy = "day"
    list_select_related = ["cycle"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
