"""Paging of API v4 lists: `?limit=` and `?offset=`, as djangopackages.org pages them.

https://www.django-rest-framework.org/api-guide/pagination/#limitoffsetpagination
A `limit` that is 0, negative or not a number gives the default page of 20; one above
settings.API_MAX_LIMIT is capped to it. An `offset` that is negative or not a number counts
from 0; one past the end gives an empty page with the right `count`. A view with a
`list_count()` method gives `count` from it (a stored count) instead of counting the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.views import APIView

DEFAULT_LIMIT = 20


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = DEFAULT_LIMIT

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        # Read at request time, so a changed setting applies without a restart of the module.
        self.max_limit = settings.API_MAX_LIMIT
        self.list_count = getattr(view, "list_count", None)
        return super().paginate_queryset(queryset, request, view)

    def get_count(self, queryset: QuerySet[Any] | Sequence[Any]) -> int:
        if self.list_count is not None:
            return int(self.list_count())
        return super().get_count(queryset)
