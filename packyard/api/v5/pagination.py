"""Paging of API v5 lists by cursor: `next` and `previous` links, stable under inserts.

https://www.django-rest-framework.org/api-guide/pagination/#cursorpagination
The order comes from the view (`cursor_ordering`), after `?ordering=` is checked.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.views import APIView

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class CursorPagination(pagination.CursorPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("id",)

    def get_ordering(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> tuple[str, ...]:
        return tuple(getattr(view, "cursor_ordering", self.ordering))

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Describe a page in OpenAPI 3.1: a missing link is `null` (3.0's `nullable` is gone)."""
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }
