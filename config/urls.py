"""Packyard's URLs, at djangopackages.org's paths so old links keep working."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from packyard.api.mcp.views import mcp_endpoint
from packyard.pages import views as pages
from packyard.pages.sitemaps import SITEMAPS, sitemap_index, sitemap_section

urlpatterns = [
    path("", pages.home, name="home"),
    path("health/", pages.health, name="health"),
    path("robots.txt", pages.robots, name="robots"),
    path(
        "sitemap.xml",
        sitemap_index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_section, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("api/", include("packyard.api.urls")),
    path("dump/", include("packyard.api.dump.urls")),
    path("mcp/", mcp_endpoint, name="mcp"),
    path("", include("packyard.pages.catalog.urls")),
    path("", include("packyard.pages.grids.urls")),
    path("", include("packyard.pages.refresh.urls")),
    path("", include("packyard.pages.compatibility.urls")),
    path("", include("packyard.pages.scoring.urls")),
    path("", include("packyard.pages.search.urls")),
    path("", include("packyard.pages.open.urls")),
    path("accounts/", include("packyard.pages.accounts.auth_urls")),
    path("", include("packyard.pages.accounts.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "packyard.pages.views.page_not_found"
handler500 = "packyard.pages.views.server_error"
