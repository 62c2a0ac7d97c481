"""Search pages: results, live suggestions, OpenSearch description and suggestions, JSON."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from packyard.core.types import HtmxHttpRequest
from packyard.pages.lists import render_list
from packyard.search import selectors
from packyard.search.selectors import SearchFilters, SearchPage, SearchQueryError

SUGGESTIONS = 8
SUGGESTED_GRIDS = 3
OPENSEARCH_SUGGESTIONS = 10


def _filters(request: HttpRequest) -> SearchFilters:
    return SearchFilters(
        category=request.GET.get("category", "")[:100],
        grid=request.GET.get("grid", "")[:100],
        status=request.GET.get("status", "")[:20],
        django=request.GET.get("django", "")[:20],
        python=request.GET.get("python", "")[:20],
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@require_safe
def search(request: HtmxHttpRequest) -> HttpResponse:
    """Show packages and grids for `q`, with facets, paging and the numbers behind the order."""
    text = request.GET.get("q", "")
    kind = "grids" if request.GET.get("kind") == "grids" else "packages"
    context: dict[str, Any] = {
        "q": text,
        "kind": kind,
        "filters": _filters(request),
        "blend": {
            "text_weight": settings.SEARCH_TEXT_WEIGHT,
            "quality_weight": settings.SEARCH_QUALITY_WEIGHT,
            "popularity_stars": settings.SEARCH_POPULARITY_STARS,
            "half_life": settings.SEARCH_ACTIVITY_HALF_LIFE_DAYS,
        },
    }
    if "q" in request.GET:
        try:
            context["result"] = selectors.search_page(
                text=text,
                page=_page_number(request),
                per_page=settings.PAGE_SIZE,
                filters=context["filters"],
                kind=kind,
            )
        except SearchQueryError as error:
            context["error"] = str(error)
    return render_list(request, "search/results.html", context)


@require_safe
def suggestions(request: HtmxHttpRequest) -> HttpResponse:
    """Return the suggestions under a search box (an htmx partial; empty for no text)."""
    text = request.GET.get("q", "")
    context: dict[str, Any] = {"q": text}
    if text.strip():
        try:
            context["found"] = selectors.suggestions(
                text=text, limit=SUGGESTIONS, grids=SUGGESTED_GRIDS
            )
        except SearchQueryError as error:
            context["error"] = str(error)
    return render(request, "search/suggestions.html", context)


@require_safe
def opensearch_description(request: HttpRequest) -> HttpResponse:
    """Describe the search to browsers (OpenSearch 1.1), so they can add Packyard."""
    return render(
        request,
        "search/opensearch.xml",
        {
            "results_url": request.build_absolute_uri(reverse("search:search")),
            "suggestions_url": request.build_absolute_uri(reverse("search:opensearch_suggest")),
            "self_url": request.build_absolute_uri(reverse("search:opensearch")),
            "icon_url": request.build_absolute_uri(settings.STATIC_URL + "packyard/favicon.svg"),
        },
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )


@require_safe
def opensearch_suggestions(request: HttpRequest) -> HttpResponse:
    """Answer [query, [titles], [descriptions], [URLs]], the OpenSearch suggestions format."""
    text = request.GET.get("q", "")
    titles: list[str] = []
    descriptions: list[str] = []
    urls: list[str] = []
    if text.strip():
        try:
            found = selectors.suggestions(text=text, limit=OPENSEARCH_SUGGESTIONS, grids=0)
        except SearchQueryError:
            found = None
        for hit in found.packages if found else []:
            titles.append(hit.package.title)
            descriptions.append(hit.package.description[:200])
            urls.append(request.build_absolute_uri(hit.package.get_absolute_url()))
    return JsonResponse(
        [text, titles, descriptions, urls],
        safe=False,
        content_type="application/x-suggestions+json; charset=utf-8",
    )


@require_safe
def search_api(request: HttpRequest) -> JsonResponse:
    """Answer a page of packages (and the first grids) with facets, as JSON."""
    text = request.GET.get("q", "")
    page_number = _page_number(request)
    try:
        result = selectors.search_page(
            text=text,
            page=page_number,
            per_page=settings.PAGE_SIZE,
            filters=_filters(request),
            kind="packages",
        )
    except SearchQueryError as error:
        return JsonResponse({"errors": {"q": [str(error)]}}, status=400)
    return JsonResponse(_api_answer(request, result))


def _page_link(request: HttpRequest, number: int | None) -> str | None:
    if number is None:
        return None
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _api_answer(request: HttpRequest, result: SearchPage) -> dict[str, Any]:
    page = result.package_page
    return {
        "query": result.packages.query.text,
        "corrected": result.packages.corrected or None,
        "any_word": result.packages.relaxed,
        "count": result.packages.total,
        "count_is_lower_bound": result.packages.more,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next": _page_link(request, page.next_page_number() if page.has_next() else None),
        "previous": _page_link(
            request, page.previous_page_number() if page.has_previous() else None
        ),
        "results": [
            {
                "title": hit.package.title,
                "slug": hit.package.slug,
                "url": request.build_absolute_uri(hit.package.get_absolute_url()),
                "pypi_name": hit.package.pypi_name,
                "category": hit.package.category.slug,
                "description": hit.package.description,
                "stars": hit.package.stars,
                "forks": hit.package.forks,
                "last_commit_at": hit.package.last_commit_at,
                "latest_release_at": hit.package.latest_release_at,
                "status": hit.status,
                "rank": {
                    "name_match": hit.name_match,
                    "live": hit.live,
                    "in_names_or_grids": hit.in_names,
                    "text": round(hit.text, 4),
                    "quality": round(hit.quality, 4),
                    "score": round(hit.score, 4),
                },
            }
            for hit in page.object_list
        ],
        "grids": [
            {
                "title": hit.grid.title,
                "slug": hit.grid.slug,
                "url": request.build_absolute_uri(hit.grid.get_absolute_url()),
                "packages": hit.package_count,
                "score": round(hit.score, 4),
            }
            for hit in result.grids.hits
        ],
        "grid_count": result.grids.total,
        "facets": {
            "category": [_facet(value) for value in result.facets.categories],
            "grid": [_facet(value) for value in result.facets.grids],
            "status": [_facet(value) for value in result.facets.statuses],
            "django": [_facet(value) for value in result.facets.django],
            "python": [_facet(value) for value in result.facets.python],
        },
        # The filters applied: a release cycle that is not known is left out (null).
        "filters": {
            name: getattr(result.filters, name) or None
            for name in ("category", "grid", "status", "django", "python")
        },
    }


def _facet(value: selectors.FacetValue) -> dict[str, Any]:
    return {"value": value.value, "label": value.label, "count": value.count}
