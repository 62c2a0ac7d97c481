"""Page search results with Django's Paginator while holding only the rows of one page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

from django.core.paginator import Page, Paginator


class _Window(Sequence[Any]):
    """The rows of one page standing in for all `total` rows, so Django's Paginator can page."""

    def __init__(self, total: int, offset: int, rows: list[Any]) -> None:
        self.total, self.offset, self.rows = total, offset, rows

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            start = (index.start or 0) - self.offset
            stop = (self.total if index.stop is None else index.stop) - self.offset
            return self.rows[max(start, 0) : max(stop, 0)]
        return self.rows[index - self.offset]


def page_of(*, total: int, offset: int, rows: list[Any], per_page: int) -> Page[Any]:
    """Return the page of `per_page` rows that starts at `offset`, holding `rows`."""
    return Paginator(_Window(total, offset, rows), per_page).get_page(offset // per_page + 1)
