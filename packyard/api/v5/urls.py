"""API v5's addresses: the router's endpoints, the OpenAPI schema and its browsable docs."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers

from packyard.api.v5 import viewsets

app_name = "apiv5"

router = routers.DefaultRouter()
router.register("packages", viewsets.PackageViewSet, basename="package")
router.register("grids", viewsets.GridViewSet, basename="grid")
router.register("categories", viewsets.CategoryViewSet, basename="category")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The page loads Swagger UI from the vendored files (drf-spectacular-sidecar) and its
    # start-up script from `?script`, so the site's Content-Security-Policy needs no change.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="apiv5:schema", template_name="api/v5/swagger_ui.html"
        ),
        name="docs",
    ),
    path("search/", viewsets.SearchView.as_view(), name="search"),
    *router.urls,
]
