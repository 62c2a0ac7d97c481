from __future__ import annotations

from django.contrib import admin

from packyard.catalog.models import Category, Package, Release


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["title", "slug", "title_plural", "show_pypi", "modified"]
    list_filter = ["show_pypi"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}


class ReleaseInline(admin.TabularInline[Release, Package]):
    model = Release
    extra = 0
    fields = ["version", "upload_time", "yanked", "is_prerelease", "license", "requires_python"]
    show_change_link = True


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin[Package]):
    list_display = [
        "title",
        "slug",
        "category",
        "repo_host",
        "stars",
        "pypi_version",
        "last_fetched_at",
    ]
    list_filter = [
        "category",
        "repo_host",
        ("archived_at", admin.EmptyFieldListFilter),
        ("deprecated_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["title", "slug", "pypi_name", "repo_url", "description"]
    list_select_related = ["category"]
    raw_id_fields = ["replaced_by", "created_by", "last_modified_by"]
    readonly_fields = ["repo_key", "created", "modified"]
    date_hierarchy = "created"
    inlines = [ReleaseInline]


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin[Release]):
    list_display = ["package", "version", "upload_time", "yanked", "is_prerelease", "license"]
    list_filter = ["yanked", "is_prerelease", "development_status"]
    search_fields = ["package__title", "package__slug", "version"]
    list_select_related = ["package"]
    raw_id_fields = ["package"]
