from __future__ import annotations

from django.urls import path

from packyard.pages.refresh import views

app_name = "refresh"

urlpatterns = [
    path("packages/p/<slug:slug>/fetch/", views.package_fetch, name="package_fetch"),
    path("webhooks/github/", views.github_webhook, name="github_webhook"),
]
