"""Catalogue pages: the package list, a category, a package."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from packyard.catalog import selectors
from packyard.catalog.models import Category
from packyard.core.paging import page_of
from packyard.core.types import HtmxHttpRequest
from packyard.grids.selectors import grids_of_package
from packyard.refresh.selectors import fetch_states_of

RELEASES_PER_PAGE = 10


def _package_list(
    request: HtmxHttpRequest, *, category: Category | None, template_title: str
) -> HttpResponse:
    text = request.GET.get("q", "")[:200]
    sort = request.GET.get("sort", selectors.DEFAULT_PACKAGE_SORT)
    if sort not in selectors.PACKAGE_SORTS:
        sort = selectors.DEFAULT_PACKAGE_SORT
    packages = selectors.packages_list(category=category, text=text, sort=sort)
    context = {
        "title": template_title,
        "category": category,
        "categories": selectors.categories_with_counts(),
        "page": page_of(request, packages, per_page=settings.PAGE_SIZE),
        "q": text,
        "sort": sort,
        "sorts": selectors.PACKAGE_SORTS,
    }
    template = "catalog/package_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


@require_safe
def package_list(request: HtmxHttpRequest) -> HttpResponse:
    """List every package, with filters and sorts."""
    category = None
    if slug := request.GET.get("category"):
        category = selectors.categories_with_counts().filter(slug=slug).first()
    return _package_list(request, category=category, template_title="Packages")


@require_safe
def category_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """List the packages of one category."""
    category = selectors.category_get(slug=slug)
    return _package_list(
        request, category=category, template_title=category.title_plural or category.title
    )


@require_safe
def package_latest(request: HtmxHttpRequest) -> HttpResponse:
    """List the packages added most recently."""
    packages = selectors.packages_list(sort="added")
    return render(
        request,
        "catalog/package_latest.html",
        {"page": page_of(request, packages, per_page=settings.PAGE_SIZE)},
    )


@require_safe
def package_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Show every fact about a package."""
    package = selectors.package_get(slug=slug)
    releases = page_of(
        request,
        selectors.package_releases(package=package),
        per_page=RELEASES_PER_PAGE,
        param="releases",
    )
    latest = selectors.latest_releases_of(packages=[package]).get(package.pk)
    context = {
        "package": package,
        "releases": releases,
        "latest_release": latest,
        "python3": selectors.python3_support(latest),
        "grids": grids_of_package(package=package),
        "fetch_states": fetch_states_of(package=package),
    }
    template = "catalog/package_detail.html"
    if request.htmx and request.htmx.target == "releases":
        template += "#releases"
    return render(request, template, context)
