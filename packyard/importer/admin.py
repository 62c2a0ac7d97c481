from __future__ import annotations

from django.contrib import admin

from packyard.importer.models import ImportRun, UpstreamRecord


@admin.register(UpstreamRecord)
class UpstreamRecordAdmin(admin.ModelAdmin[UpstreamRecord]):
    list_display = ["kind", "upstream_id", "object_id", "source", "imported_at"]
    list_filter = ["kind", "source"]
    search_fields = ["upstream_id", "object_id"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = ["kind", "source", "started_at", "finished_at", "next_url"]
    list_filter = ["kind", "source"]
