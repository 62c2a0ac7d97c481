from __future__ import annotations

from django.urls import path

from packyard.pages.grids import views

app_name = "grids"

urlpatterns = [
    path("grids/", views.grid_list, name="grid_list"),
    path("grids/add/", views.grid_add, name="grid_add"),
    path("grids/g/<slug:slug>/", views.grid_detail, name="grid"),
    path("grids/g/<slug:slug>/edit/", views.grid_edit, name="grid_edit"),
    path("grids/g/<slug:slug>/packages/add/", views.grid_package_add, name="package_add"),
    path(
        "grids/g/<slug:slug>/packages/<slug:package_slug>/remove/",
        views.grid_package_remove,
        name="package_remove",
    ),
    path("grids/g/<slug:slug>/features/add/", views.feature_add, name="feature_add"),
    path(
        "grids/g/<slug:slug>/features/<int:feature_id>/edit/",
        views.feature_edit,
        name="feature_edit",
    ),
    path(
        "grids/g/<slug:slug>/features/<int:feature_id>/move/",
        views.feature_move,
        name="feature_move",
    ),
    path(
        "grids/g/<slug:slug>/features/<int:feature_id>/delete/",
        views.feature_delete,
        name="feature_delete",
    ),
    path(
        "grids/g/<slug:slug>/cells/<int:feature_id>/<slug:package_slug>/",
        views.cell_edit,
        name="cell",
    ),
    path("grids/g/<slug:slug>/history/", views.grid_history, name="grid_history"),
    path(
        "grids/g/<slug:slug>/history/<int:change_id>/revert/",
        views.grid_revert,
        name="grid_revert",
    ),
]
