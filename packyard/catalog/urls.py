from __future__ import annotations

from django.urls import path

from packyard.catalog import feeds, views

app_name = "catalog"

urlpatterns = [
    path("packages/", views.package_list, name="package_list"),
    path("packages/latest/", views.package_latest, name="package_latest"),
    path("packages/p/<slug:slug>/", views.package_detail, name="package"),
    path("categories/<slug:slug>/", views.category_detail, name="category"),
    path("feeds/packages/latest/rss/", feeds.LatestPackagesRss(), name="feed_rss"),
    path("feeds/packages/latest/atom/", feeds.LatestPackagesAtom(), name="feed_atom"),
]
