"""API v4's addresses, registered in djangopackages.org's order."""

from __future__ import annotations

from rest_framework import routers

from packyard.api.v4 import viewsets

app_name = "apiv4"

router = routers.DefaultRouter()
router.register("packages", viewsets.PackageViewSet, basename="package")
router.register("search", viewsets.SearchV2ViewSet, basename="search")
router.register("grids", viewsets.GridViewSet, basename="grid")
router.register("categories", viewsets.CategoryViewSet, basename="category")

urlpatterns = router.urls
