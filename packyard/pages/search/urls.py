from __future__ import annotations

from django.urls import path

from packyard.pages.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/suggest/", views.suggestions, name="suggest"),
    path("search/api/", views.search_api, name="api"),
    path("search/opensearch/suggest/", views.opensearch_suggestions, name="opensearch_suggest"),
    path("opensearch.xml", views.opensearch_description, name="opensearch"),
]
