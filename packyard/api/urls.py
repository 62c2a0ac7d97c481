"""The API: /api/v5/ (Packyard's own); /api/v4/ and /api/v3/ at djangopackages.org's paths.

/api/v1/ is gone.
"""

from __future__ import annotations

from django.urls import include, path, re_path

from packyard.api import views

urlpatterns = [
    path("v5/", include("packyard.api.v5.urls")),
    path("v4/", include("packyard.api.v4.urls")),
    path("v3/", include("packyard.api.v3.urls")),
    re_path(r"^v1(?:/.*)?$", views.gone, name="api-v1-gone"),
    # Unknown addresses under /api/ answer JSON too. Only paths ending in "/" match, so
    # CommonMiddleware still redirects "/api/v4/packages" to "/api/v4/packages/".
    re_path(r"^(?:.*/)?$", views.not_found, name="api-not-found"),
]
