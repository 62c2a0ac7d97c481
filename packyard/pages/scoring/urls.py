from __future__ import annotations

from django.urls import path

from packyard.pages.scoring import views

app_name = "scoring"

urlpatterns = [
    path("packages/p/<slug:slug>/score/", views.package_score, name="package_score"),
    path("packages/p/<slug:slug>/status/", views.package_status, name="package_status"),
    path("upgrade/", views.upgrade, name="upgrade"),
]
