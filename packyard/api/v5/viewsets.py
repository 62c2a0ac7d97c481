"""API v5: read-only packages, releases, grids, categories and the search.

Lists page by cursor; query parameters are checked (a bad value is a 400 naming it); an
unknown record is a 404 in JSON. Anonymous clients are rate limited (`API_V5_RATE`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from packyard.api.v5 import selectors
from packyard.api.v5.pagination import CursorPagination
from packyard.api.v5.params import PackageListParams, SearchParams
from packyard.api.v5.search import SearchPageSerializer, search_answer
from packyard.api.v5.serializers import (
    CategorySerializer,
    GridDetailSerializer,
    GridSerializer,
    PackageDetailSerializer,
    PackageSerializer,
    ReleaseSerializer,
)
from packyard.api.v5.throttling import AnonymousRateThrottle, RateLimitHeaders
from packyard.catalog.models import Category, Package, Release
from packyard.grids.models import Grid
from packyard.search.selectors import SearchQueryError

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="A JSON object saying what is wrong.")
ERRORS = {400: ERROR, 404: ERROR, 429: ERROR}
NOT_FOUND = {404: ERROR, 429: ERROR}
CURSOR = OpenApiParameter("cursor", str, description="The page, from a `next`/`previous` link.")
ModelT = TypeVar("ModelT", bound=Model)
PAGE_SIZE = OpenApiParameter("page_size", int, description="Rows a page, 1-100 (20).")


class V5ViewSet(RateLimitHeaders, viewsets.ReadOnlyModelViewSet[ModelT]):
    """What every v5 view shares: the throttle, the cursor and slugs in addresses."""

    throttle_classes = [AnonymousRateThrottle]
    pagination_class = CursorPagination
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"


class PackageViewSet(V5ViewSet[Package]):
    """Packages: filter, order and page them; one package with every fact it has."""

    serializer_class = PackageSerializer
    cursor_ordering = selectors.ORDERINGS[selectors.DEFAULT_ORDERING]

    def get_queryset(self) -> QuerySet[Package]:
        if self.action != "list":
            return Package.objects.none()
        params = PackageListParams(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        self.cursor_ordering = selectors.ORDERINGS[params.validated_data["ordering"]]
        return selectors.packages_for_v5(filters=params.filters())

    @extend_schema(
        parameters=[PackageListParams, CURSOR, PAGE_SIZE],
        responses={200: PackageSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: PackageDetailSerializer, **NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        package = selectors.package_for_v5(slug=self.kwargs["slug"])
        return Response(
            PackageDetailSerializer(package, context=self.get_serializer_context()).data
        )

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE], responses={200: ReleaseSerializer(many=True), **NOT_FOUND}
    )
    @action(detail=True, url_path="releases", url_name="releases")
    def releases(self, request: Request, slug: str) -> Response:
        """List a package's releases, newest first."""
        self.cursor_ordering = ("-sort_uploaded", "-id")
        releases: QuerySet[Release] = selectors.package_releases_for_v5(slug=slug)
        # The viewset is typed for packages; this action pages another model's rows.
        page = self.paginate_queryset(releases)  # type: ignore[arg-type]
        return self.get_paginated_response(ReleaseSerializer(page, many=True).data)


class GridViewSet(V5ViewSet[Grid]):
    """Grids: the list, and one grid with its features, packages and cells."""

    serializer_class = GridSerializer
    cursor_ordering = ("slug",)

    def get_queryset(self) -> QuerySet[Grid]:
        return selectors.grids_for_v5()

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE], responses={200: GridSerializer(many=True), **ERRORS}
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: GridDetailSerializer, **NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        table = selectors.grid_table_for_v5(slug=self.kwargs["slug"])
        return Response(GridDetailSerializer(table).data)


class CategoryViewSet(V5ViewSet[Category]):
    """Categories with how many packages each holds."""

    serializer_class = CategorySerializer
    cursor_ordering = ("slug",)

    def get_queryset(self) -> QuerySet[Category]:
        return selectors.categories_for_v5()

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE], responses={200: CategorySerializer(many=True), **ERRORS}
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: CategorySerializer, **NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)


class SearchView(RateLimitHeaders, APIView):
    """The search: packages ranked best first (with their numbers), grids, and facets.

    An APIView, not a viewset's list: its answer is one page object, not a list of records.
    """

    throttle_classes = [AnonymousRateThrottle]

    @extend_schema(parameters=[SearchParams], responses={200: SearchPageSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        params = SearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            answer = search_answer(request=request, params=dict(params.validated_data))
        except SearchQueryError as error:
            raise ValidationError({"q": [str(error) or "This text cannot be searched."]}) from error
        return Response(answer)
