from __future__ import annotations

from django.urls import path, re_path

from packyard.pages.compatibility import views

app_name = "compatibility"

urlpatterns = [
    path("readiness/", views.readiness, name="readiness"),
    re_path(
        r"^readiness/(?P<product>django|python)/(?P<cycle>\d+\.\d+)/$",
        views.readiness_cycle,
        name="readiness_cycle",
    ),
]
