"""API v4: read-only views of packages, grids and categories, and the search.

Field shapes, order and paging follow djangopackages.org's API v4, so its clients switch by
changing the host name: https://djangopackages.org/api/v4/
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from packyard.api.v4 import selectors
from packyard.api.v4.serializers import (
    CategorySerializer,
    GridSerializer,
    PackageSerializer,
    SearchV2Serializer,
)
from packyard.catalog.models import Category, Package
from packyard.catalog.selectors import packages_count
from packyard.grids.models import Grid

# The largest id a BIGINT holds: a longer number cannot name a row (and would overflow SQL).
LARGEST_ID = 2**63 - 1

ModelT = TypeVar("ModelT", bound=Model)


class ReadOnlyByIdOrSlugViewSet(viewsets.ReadOnlyModelViewSet[ModelT]):
    """Find a record by id when the address holds only digits, otherwise by slug."""

    lookup_url_kwarg = "pk_or_slug"

    def get_object(self) -> ModelT:
        value = self.kwargs[self.lookup_url_kwarg]
        if value.isascii() and value.isdigit():
            if int(value) > LARGEST_ID:
                raise Http404
            lookup: dict[str, Any] = {"pk": int(value)}
        else:
            lookup = {"slug": value}
        row = get_object_or_404(self.get_queryset(), **lookup)
        self.check_object_permissions(self.request, row)
        return row


class PackageViewSet(ReadOnlyByIdOrSlugViewSet[Package]):
    """
    API endpoint that allows packages to be viewed or edited.
    """

    serializer_class = PackageSerializer

    def get_queryset(self) -> QuerySet[Package]:
        return selectors.packages_for_api()

    def list_count(self) -> int:
        """Return the number of packages from the stored counts (the pagination's `count`)."""
        return packages_count()


class GridViewSet(ReadOnlyByIdOrSlugViewSet[Grid]):
    """List grids newest first, or show one by id or slug."""

    serializer_class = GridSerializer

    def get_view_description(self, html: bool = False) -> str:
        # Upstream's grid view has no docstring, so its browsable page shows no description.
        return ""

    def get_queryset(self) -> QuerySet[Grid]:
        return selectors.grids_for_api()


class CategoryViewSet(ReadOnlyByIdOrSlugViewSet[Category]):
    """List categories newest first, or show one by id or slug."""

    serializer_class = CategorySerializer

    def get_view_description(self, html: bool = False) -> str:
        # As upstream's: no description on the browsable page.
        return ""

    def get_queryset(self) -> QuerySet[Category]:
        return selectors.categories_for_api()


class SearchV2ViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Package]):
    """Accepts a 'q' GET parameter. Results are currently sorted only by
    their weight.
    """

    serializer_class = SearchV2Serializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Package]:
        # The search answers from `list` alone; nothing pages over a queryset.
        return Package.objects.none()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        hits = selectors.search_ranked(text=request.query_params.get("q", ""))
        return Response(SearchV2Serializer(hits, many=True).data)
