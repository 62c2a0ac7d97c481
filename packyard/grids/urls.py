from __future__ import annotations

from django.urls import path

from packyard.grids import views

app_name = "grids"

urlpatterns = [
    path("grids/", views.grid_list, name="grid_list"),
    path("grids/g/<slug:slug>/", views.grid_detail, name="grid"),
]
