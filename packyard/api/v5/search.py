"""API v5's search: a page of ranked packages with their numbers, the facets, the grids."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse
from rest_framework.utils.urls import replace_query_param

from packyard.api.v5.serializers import StatusValueField
from packyard.search.selectors import (
    SearchFacets,
    SearchFilters,
    grids_search,
    packages_search,
    search_facets,
)

GRIDS_SHOWN = 6
# Search calls a package that is neither archived, deprecated nor missing "live"; API v5 says
# "maintained" everywhere, as `packages/?status=` does.
MAINTAINED, LIVE = "maintained", "live"


def _v5_status(status: str) -> str:
    return MAINTAINED if status == LIVE else status


class FacetValueSerializer(serializers.Serializer):  # type: ignore[type-arg]
    value = serializers.CharField()
    # A field named like DRF's Field.label; the metaclass takes it off the class at run time.
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    categories = FacetValueSerializer(many=True)
    grids = FacetValueSerializer(many=True)
    statuses = FacetValueSerializer(many=True)
    django = FacetValueSerializer(many=True)
    python = FacetValueSerializer(many=True)


class SearchHitSerializer(serializers.Serializer):  # type: ignore[type-arg]
    rank = serializers.IntegerField(help_text="1 for the best match, counted across pages.")
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    status = StatusValueField()
    name_match = serializers.IntegerField(help_text="2 exact name, 1 name part, 0 text only.")
    text = serializers.FloatField(help_text="Text relevance, 0-1.")
    quality = serializers.FloatField(help_text="The package's score, 0-1.")
    score = serializers.FloatField(help_text="The blend the order follows, 0-1.")


class GridHitSerializer(serializers.Serializer):  # type: ignore[type-arg]
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    package_count = serializers.IntegerField()
    score = serializers.FloatField()


class SearchPageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    count = serializers.IntegerField()
    more = serializers.BooleanField(help_text="Counting stopped: there are more than `count`.")
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    corrected = serializers.CharField(help_text="The query as corrected, when it was.")
    relaxed = serializers.BooleanField(help_text="Any word instead of all of them.")
    results = SearchHitSerializer(many=True)
    grids = GridHitSerializer(many=True)
    facets = FacetsSerializer()


def search_answer(*, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    """Search and return one page of the answer (raises SearchQueryError)."""
    page, size = params["page"], params["page_size"]
    filters = SearchFilters(
        category=params["category"],
        grid=params["grid"],
        status=LIVE if params["status"] == MAINTAINED else params["status"],
        django=params["django"],
        python=params["python"],
    )
    found = packages_search(text=params["q"], offset=(page - 1) * size, limit=size, filters=filters)
    facets = search_facets(results=found) if found.hits else SearchFacets()
    grids = [] if filters.active else grids_search(query=found.query, limit=GRIDS_SHOWN).hits
    url = request.build_absolute_uri()
    shown_page = found.offset // size + 1
    last_page = max((found.total - 1) // size + 1, 1)

    def link(number: int) -> str:
        return replace_query_param(url, "page", number)

    return {
        "count": found.total,
        "more": found.more,
        "next": link(shown_page + 1) if shown_page < last_page else None,
        "previous": link(shown_page - 1) if shown_page > 1 else None,
        "corrected": found.corrected,
        "relaxed": found.relaxed,
        "results": [
            {
                "rank": found.offset + number,
                "slug": hit.package.slug,
                "title": hit.package.title,
                "url": reverse(
                    "apiv5:package-detail", kwargs={"slug": hit.package.slug}, request=request
                ),
                "description": hit.package.description,
                "category": hit.package.category.slug,
                "status": _v5_status(hit.status),
                "name_match": hit.name_match,
                "text": round(hit.text, 4),
                "quality": round(hit.quality, 4),
                "score": round(hit.score, 4),
            }
            for number, hit in enumerate(found.hits, start=1)
        ],
        "grids": [
            {
                "slug": hit.grid.slug,
                "title": hit.grid.title,
                "url": reverse(
                    "apiv5:grid-detail", kwargs={"slug": hit.grid.slug}, request=request
                ),
                "package_count": hit.package_count,
                "score": round(hit.score, 4),
            }
            for hit in grids
        ],
        "facets": _facets(facets),
    }


def _facets(facets: SearchFacets) -> Any:
    data = FacetsSerializer(facets).data
    for status in data["statuses"]:
        if status["value"] == LIVE:
            status["value"], status["label"] = MAINTAINED, "Maintained"
    return data
