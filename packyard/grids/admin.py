from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from packyard.grids.models import Element, Feature, Grid, GridPackage
from packyard.grids.services import element_html


class GridPackageInline(admin.TabularInline[GridPackage, Grid]):
    model = GridPackage
    extra = 0
    raw_id_fields = ["package"]


class FeatureInline(admin.TabularInline[Feature, Grid]):
    model = Feature
    extra = 0
    fields = ["position", "title", "description"]


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin[Grid]):
    list_display = ["title", "slug", "is_locked", "header", "modified"]
    list_filter = ["is_locked", "header"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created", "modified"]
    raw_id_fields = ["created_by"]
    inlines = [FeatureInline, GridPackageInline]


@admin.register(GridPackage)
class GridPackageAdmin(admin.ModelAdmin[GridPackage]):
    list_display = ["grid", "package", "created"]
    list_filter = ["grid"]
    search_fields = ["grid__title", "package__title", "package__slug"]
    list_select_related = ["grid", "package"]
    raw_id_fields = ["grid", "package"]


@admin.register(Feature)
class FeatureAdmin(admin.ModelAdmin[Feature]):
    list_display = ["title", "grid", "position"]
    list_filter = ["grid"]
    search_fields = ["title", "description", "grid__title"]
    list_select_related = ["grid"]


@admin.register(Element)
class ElementAdmin(admin.ModelAdmin[Element]):
    list_display = ["feature", "grid_package", "text"]
    search_fields = ["text", "feature__title", "grid_package__package__title"]
    list_select_related = ["feature", "grid_package__package", "grid_package__grid"]
    raw_id_fields = ["grid_package", "feature"]
    # The version is the cell's edit counter (grids.services.element_set): not typed by hand.
    readonly_fields = ["version"]

    def save_model(self, request: HttpRequest, obj: Element, form: Any, change: bool) -> None:
        # The grid shows the stored HTML: render it from the text the form wrote.
        obj.text_html = element_html(obj.text)
        if change:
            # Someone with the cell open in its editor is then told that it changed meanwhile.
            obj.version += 1
        super().save_model(request, obj, form, change)
