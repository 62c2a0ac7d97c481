"""Grid pages: the list of grids and a grid's comparison matrix."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from packyard.core.paging import page_of
from packyard.core.types import HtmxHttpRequest
from packyard.grids import selectors


@require_safe
def grid_list(request: HtmxHttpRequest) -> HttpResponse:
    """List grids, with a text filter and sorts."""
    text = request.GET.get("q", "")[:200]
    sort = request.GET.get("sort", selectors.DEFAULT_GRID_SORT)
    if sort not in selectors.GRID_SORTS:
        sort = selectors.DEFAULT_GRID_SORT
    context = {
        "page": page_of(
            request, selectors.grids_list(text=text, sort=sort), per_page=settings.PAGE_SIZE
        ),
        "q": text,
        "sort": sort,
        "sorts": selectors.GRID_SORTS,
    }
    template = "grids/grid_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


@require_safe
def grid_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Compare every package of a grid, side by side."""
    sort = request.GET.get("sort", selectors.DEFAULT_COLUMN_SORT)
    if sort not in selectors.COLUMN_SORTS:
        sort = selectors.DEFAULT_COLUMN_SORT
    matrix = selectors.grid_matrix(slug=slug, sort=sort)
    context = {
        "matrix": matrix,
        "grid": matrix.grid,
        "sort": sort,
        "column_sorts": selectors.COLUMN_SORTS,
    }
    return render(request, "grids/grid_detail.html", context)
