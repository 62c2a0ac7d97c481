"""Paging of HTML lists: bad or too-large page numbers land on a real page, never an error."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def page_of(
    request: HttpRequest, items: QuerySet[Any] | list[Any], *, per_page: int, param: str = "page"
) -> Page[Any]:
    """Return the page a request asks for (the last page when it asks past the end)."""
    paginator = Paginator(items, per_page)
    return paginator.get_page(request.GET.get(param))
