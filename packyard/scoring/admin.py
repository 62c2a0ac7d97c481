from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from packyard.scoring.models import (
    Advisory,
    AffectedPackage,
    Dependency,
    PackageScore,
    PackageStatus,
    ScoreSnapshot,
)
from packyard.scoring.services import package_status_set


class ReadOnlyAdmin[T: Any](admin.ModelAdmin[T]):
    """Derived rows: shown for inspection, written only by the scoring services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PackageScore)
class PackageScoreAdmin(ReadOnlyAdmin[PackageScore]):
    list_display = [
        "package",
        "overall",
        "maintenance",
        "adoption",
        "compatibility",
        "documentation",
        "status",
        "dependents_count",
        "computed_at",
    ]
    search_fields = ["package__title", "package__slug"]
    list_select_related = ["package"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin[ScoreSnapshot]):
    list_display = ["package", "taken_on", "overall"]
    date_hierarchy = "taken_on"
    search_fields = ["package__title", "package__slug"]
    list_select_related = ["package"]


@admin.register(Dependency)
class DependencyAdmin(ReadOnlyAdmin[Dependency]):
    list_display = ["package", "target", "requirement", "optional"]
    search_fields = ["package__slug", "target__slug"]
    list_select_related = ["package", "target"]


class AffectedInline(admin.TabularInline[AffectedPackage, Advisory]):
    model = AffectedPackage
    extra = 0
    fields = ["name", "ranges", "versions"]


@admin.register(Advisory)
class AdvisoryAdmin(admin.ModelAdmin[Advisory]):
    list_display = ["advisory_id", "summary", "published", "withdrawn", "imported_at"]
    search_fields = ["advisory_id", "summary", "affected__name"]
    list_filter = [("withdrawn", admin.EmptyFieldListFilter)]
    inlines = [AffectedInline]


@admin.register(PackageStatus)
class PackageStatusAdmin(admin.ModelAdmin[PackageStatus]):
    """ "Needs a maintainer" for staff; deprecation and replacement are on the package itself."""

    list_display = ["package", "needs_maintainer", "needs_maintainer_since", "updated_by"]
    list_filter = ["needs_maintainer"]
    search_fields = ["package__title", "package__slug"]
    raw_id_fields = ["package"]
    fields = ["package", "needs_maintainer", "note"]
    list_select_related = ["package", "updated_by"]

    def save_model(self, request: HttpRequest, obj: PackageStatus, form: Any, change: bool) -> None:
        """Save through the service, so the since-date, the editor and the score follow."""
        package = obj.package
        package_status_set(
            package=package,
            deprecated=package.deprecated_at is not None,
            replaced_by=package.replaced_by,
            needs_maintainer=obj.needs_maintainer,
            note=obj.note,
            by=request.user,
        )
