"""The dump's addresses: /dump/, /dump/manifest.json and /dump/<file>."""

from __future__ import annotations

from django.urls import path

from packyard.api.dump import views

app_name = "dump"

urlpatterns = [
    path("", views.dump_index, name="index"),
    path("manifest.json", views.dump_manifest_json, name="manifest"),
    path("<str:name>", views.dump_file, name="file"),
]
