"""Paging of HTML lists: bad or too-large page numbers land on a real page, never an error.

A page in the second half of a list is read from its end, in the reverse order, so the last
page costs what the first does: the database walks the same index backwards and skips fewer
rows than it would from the start. Give `count` when it is known without counting (a stored
count), and the list is never counted either.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def page_of(
    request: HttpRequest,
    items: QuerySet[Any] | list[Any],
    *,
    per_page: int,
    param: str = "page",
    count: int | None = None,
) -> Page[Any]:
    """Return the page a request asks for (the last page when it asks past the end)."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # Set before Django counts: `count` is a cached property.
    number = _number(request.GET.get(param), paginator)
    if not isinstance(items, QuerySet) or number <= (paginator.num_pages + 1) // 2:
        return paginator.page(number)
    bottom = (number - 1) * per_page
    top = min(bottom + per_page, paginator.count)
    rows = list(items.reverse()[paginator.count - top : paginator.count - bottom])
    rows.reverse()
    return Page(rows, number, paginator)


def _number(value: str | None, paginator: Paginator[Any]) -> int:
    """Return the page number asked for, as `Paginator.get_page` reads it."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    if number < 1 or number > paginator.num_pages:
        return paginator.num_pages  # As `get_page`: a page out of range is the last one.
    return number
