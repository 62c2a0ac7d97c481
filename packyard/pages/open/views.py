"""Open pages for other sites and tools: badges, social cards, llms.txt and statistics."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from packyard.grids.selectors import grid_summary
from packyard.pages.open import badges
from packyard.pages.open.stats import site_statistics
from packyard.scoring.selectors import package_summary

SVG = "image/svg+xml"


# CARDS_LATE: the cards are drawn with Pillow, 2 MB that a web worker loads only when a card is
# first asked for (crawlers ask, readers never do), so the two card views import them late.


def _svg(badge: badges.Badge) -> HttpResponse:
    # Opened as a document, the badge is held by the site's policy (script-src 'self').
    return HttpResponse(badges.badge_svg(badge), content_type=SVG)


@require_safe
def score_badge(request: HttpRequest, slug: str) -> HttpResponse:
    """Show a package's score as a badge to embed in a README."""
    return _svg(badges.score_badge(package_summary(slug=slug)))


@require_safe
def django_badge(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the supported Django releases a package works with as a badge."""
    return _svg(badges.django_badge(package_summary(slug=slug)))


@require_safe
def package_card(request: HttpRequest, slug: str) -> HttpResponse:
    """Draw a package's social card (Open Graph image): name, summary, score, stars, Django."""
    from packyard.pages.open import cards  # Imported here: see CARDS_LATE.

    summary = package_summary(slug=slug)
    package = summary.package
    image = cards.draw_card(
        kind="Django package",
        title=package.title,
        summary=package.description,
        pills=cards.package_pills(summary),
        site_name=settings.SITE_NAME,
        address=settings.SITE_URL + package.get_absolute_url(),
    )
    return HttpResponse(image, content_type="image/png")


@require_safe
def grid_card(request: HttpRequest, slug: str) -> HttpResponse:
    """Draw a grid's social card: its title, description and the packages it compares."""
    from packyard.pages.open import cards  # Imported here: see CARDS_LATE.

    summary = grid_summary(slug=slug)
    grid = summary.grid
    image = cards.draw_card(
        kind="Comparison grid",
        title=grid.title,
        summary=cards.plain(grid.description),
        pills=cards.grid_pills(summary),
        site_name=settings.SITE_NAME,
        address=settings.SITE_URL + grid.get_absolute_url(),
    )
    return HttpResponse(image, content_type="image/png")


@require_safe
def llms_txt(request: HttpRequest) -> HttpResponse:
    """Tell language models and agents what the site holds and where to read it (llmstxt.org)."""
    return render(
        request,
        "open/llms.txt",
        {"site_url": settings.SITE_URL},
        content_type="text/plain; charset=utf-8",
    )


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    """Show the directory's numbers: packages, grids, people, support, freshness, as charts."""
    numbers = site_statistics(now=timezone.now(), interval_hours=settings.REFRESH_INTERVAL_HOURS)
    return render(request, "open/statistics.html", {"statistics": numbers})
