"""Site-wide pages: home, health, robots.txt, error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from packyard.catalog import selectors as catalog
from packyard.core.caching import page_cache_exempt
from packyard.grids.selectors import header_grids
from packyard.pages.health import health_report
from packyard.pages.home import home_sections

# The home page's grids: the staff's header grids, the biggest first (no count of how often
# each is opened is kept, so "the grids people open most" is not known).
HOME_GRIDS = 12


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Show the search box, package cards by section, grids and categories."""
    context = {
        "sections": home_sections(),
        "grids": header_grids(limit=HOME_GRIDS),
        "categories": [c for c in catalog.categories_with_counts() if c.package_count],
    }
    return render(request, "pages/home.html", context)


@require_safe
@never_cache
@page_cache_exempt
def health(request: HttpRequest) -> JsonResponse:
    """Report the needed parts (503 when one is down), the scheduler and fresh facts."""
    healthy, report = health_report()
    return JsonResponse({"ok": healthy, **report}, status=200 if healthy else 503)


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    """Let crawlers and agents in, except to the admin and the API's browsable pages.

    No agent is named to be kept out. llms.txt (https://llmstxt.org) and the bulk dump say
    where the facts can be read whole, without crawling page by page.
    """
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "# For language models and agents: /llms.txt. The whole directory at once: /dump/.",
        "User-agent: *",
        "Allow: /llms.txt",
        "Allow: /dump/",
        "Disallow: /admin/",
        "Disallow: /api/",
        "",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render the friendly 404 page."""
    return render(request, "404.html", {"path": request.path}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Render the 500 page without touching the database."""
    return render(request, "500.html", status=500)
