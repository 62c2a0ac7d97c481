from __future__ import annotations

from django.urls import path

from packyard.pages.catalog import feeds, views

app_name = "catalog"

urlpatterns = [
    path("packages/", views.package_list, name="package_list"),
    path("packages/latest/", views.package_latest, name="package_latest"),
    path("packages/add/", views.package_add, name="package_add"),
    path("packages/p/<slug:slug>/", views.package_detail, name="package"),
    path("packages/p/<slug:slug>/edit/", views.package_edit, name="package_edit"),
    path("packages/p/<slug:slug>/history/", views.package_history, name="package_history"),
    path(
        "packages/p/<slug:slug>/history/<int:change_id>/revert/",
        views.package_revert,
        name="package_revert",
    ),
    path("categories/<slug:slug>/", views.category_detail, name="category"),
    path("feeds/packages/latest/rss/", feeds.LatestPackagesRss(), name="feed_rss"),
    path("feeds/packages/latest/atom/", feeds.LatestPackagesAtom(), name="feed_atom"),
]
