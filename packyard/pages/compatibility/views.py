"""Readiness pages: which packages work with each Django and Python release."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from packyard.catalog.models import Package
from packyard.compatibility import selectors
from packyard.compatibility.rules import Answer
from packyard.core.paging import page_of
from packyard.core.types import HtmxHttpRequest
from packyard.grids.models import Grid
from packyard.pages.lists import render_list

FORM_ERROR = 400


def _grid_filter(
    request: HtmxHttpRequest, errors: dict[str, str]
) -> tuple[Grid | None, QuerySet[Package] | None]:
    slug = request.GET.get("grid", "").strip()[:100]
    if not slug:
        return None, None
    grid = Grid.objects.filter(slug=slug).first()
    if grid is None:
        errors["grid"] = f"No grid has the slug {slug!r}; showing every package."
        return None, None
    return grid, Package.objects.filter(grid_memberships__grid=grid)


def _grids() -> QuerySet[Grid]:
    return Grid.objects.order_by("title").only("slug", "title")


@require_safe
def readiness(request: HtmxHttpRequest) -> HttpResponse:
    """List every Django and Python release with how many packages work with it."""
    errors: dict[str, str] = {}
    grid, package_ids = _grid_filter(request, errors)
    context = {
        "overview": selectors.readiness_overview(package_ids=package_ids),
        "grid": grid,
        "grids": _grids(),
        "errors": errors,
    }
    return render(
        request, "compatibility/readiness.html", context, status=FORM_ERROR if errors else 200
    )


@require_safe
def readiness_cycle(request: HtmxHttpRequest, product: str, cycle: str) -> HttpResponse:
    """List the packages with their answer and evidence for one release, filterable by grid."""
    release = selectors.cycle_get(product=product, cycle=cycle)
    errors: dict[str, str] = {}
    grid, package_ids = _grid_filter(request, errors)
    answer = request.GET.get("answer", "")
    if answer and answer not in Answer.__members__.values():
        errors["answer"] = f"answer must be yes, no or unknown, not {answer[:20]!r}."
        answer = ""
    rows = selectors.readiness_rows(cycle=release, package_ids=package_ids, answer=answer)
    context = {
        "release": release,
        "page": page_of(request, rows, per_page=settings.PAGE_SIZE),
        "counts": selectors.readiness_counts(cycle=release, package_ids=package_ids),
        "grid": grid,
        "grids": _grids(),
        "answer": answer,
        "answers": [choice.value for choice in Answer],
        "errors": errors,
    }
    return render_list(
        request,
        "compatibility/readiness_cycle.html",
        context,
        status=FORM_ERROR if errors else 200,
    )
