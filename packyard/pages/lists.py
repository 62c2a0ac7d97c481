"""What the list pages share: the text filter, the sort, and answering htmx with the results."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from packyard.core.types import HtmxHttpRequest

TEXT_FILTER_LENGTH = 200


def list_text(request: HtmxHttpRequest) -> str:
    """Return the list's text filter (`?q=`), cut to a length a list filter needs."""
    return request.GET.get("q", "")[:TEXT_FILTER_LENGTH]


def list_sort(request: HtmxHttpRequest, *, sorts: Collection[str], default: str) -> str:
    """Return the sort asked for (`?sort=`) when it is one of `sorts`, else `default`."""
    sort = request.GET.get("sort", default)
    return sort if sort in sorts else default


def render_list(
    request: HtmxHttpRequest, template: str, context: Mapping[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render the page, or only its `results` part when htmx (not a boosted link) asks."""
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context, status=status)
