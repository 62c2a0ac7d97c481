"""API v3 as djangopackages.org serves it: `{"meta": {...}, "objects": [...]}` lists.

https://djangopackages.org/api/v3/ . Errors are JSON in upstream's shape
(`{"error": 404, "message": ...}`). Unlike upstream, `next` and `previous` keep the
request's other parameters (`?category=`), and a `limit` that is 0, negative or above
settings.API_MAX_LIMIT gives the default page or the maximum instead of an error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt

from packyard.accounts.permissions import Action, require
from packyard.api.v3 import resources, selectors
from packyard.catalog.models import Category

DEFAULT_LIMIT = 20
SAFE_METHODS = ("GET", "HEAD")


class V3Encoder(DjangoJSONEncoder):
    """Write datetimes in UTC as upstream's JSON does ("2010-08-15T02:47:52.123Z")."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and o.tzinfo is not None:
            o = o.astimezone(UTC)
        return super().default(o)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": status, "message": message}, status=status)


def v3_view(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
    """Serve what the view returns as JSON, answering errors as upstream's JSON views do."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            response = _error(405, "HTTP method not allowed.")
            response["Allow"] = ", ".join(SAFE_METHODS)
            return response
        try:
            result = view(request, *args, **kwargs)
        except Http404 as error:
            return _error(404, str(error) or "Not found.")
        if isinstance(result, HttpResponse):
            return result
        return JsonResponse(result, encoder=V3Encoder, safe=False)

    return wrapped


def _whole_number(request: HttpRequest, name: str, default: int) -> int:
    try:
        return int(request.GET.get(name, default))
    except ValueError:
        return default


def _window(request: HttpRequest) -> tuple[int, int]:
    """Return the (limit, offset) a request asks for, kept to sane values."""
    limit = _whole_number(request, "limit", DEFAULT_LIMIT)
    if limit <= 0:
        limit = DEFAULT_LIMIT
    limit = min(limit, settings.API_MAX_LIMIT)
    offset = max(_whole_number(request, "offset", 0), 0)
    return limit, offset


def _page_uri(request: HttpRequest, *, limit: int, offset: int) -> str:
    query = QueryDict(mutable=True)
    query["limit"] = str(limit)
    query["offset"] = str(offset)
    for name, values in request.GET.lists():
        if name not in {"limit", "offset"}:
            query.setlist(name, values)
    return f"{request.path}?{query.urlencode()}"


def _page(request: HttpRequest, rows: QuerySet[Any]) -> tuple[dict[str, Any], list[Any]]:
    """Return the `meta` of one page of rows, and the page's rows."""
    limit, offset = _window(request)
    count = rows.count()
    page = list(rows[offset : offset + limit]) if offset < count else []
    meta = {
        "limit": limit,
        "next": _page_uri(request, limit=limit, offset=offset + limit)
        if count > offset + limit
        else None,
        "offset": offset,
        "previous": _page_uri(request, limit=limit, offset=max(offset - limit, 0))
        if offset > 0
        else None,
        "total_count": count,
    }
    return meta, page


@v3_view
def index(request: HttpRequest) -> dict[str, str]:
    """List API v3's resources."""
    return {
        "categories": "/api/v3/categories/",
        "grids": "/api/v3/grids/",
        "packages": "/api/v3/packages/",
        "users": "/api/v3/users/",
    }


@v3_view
def grid_list(request: HttpRequest) -> dict[str, Any]:
    """List grids by title."""
    meta, page = _page(request, selectors.grids_for_v3())
    return {"meta": meta, "objects": [resources.grid_resource(grid) for grid in page]}


@v3_view
def grid_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Show one grid by slug."""
    return resources.grid_resource(get_object_or_404(selectors.grids_for_v3(), slug=slug))


@v3_view
def grid_packages_list(request: HttpRequest, slug: str) -> dict[str, Any]:
    """List a grid's packages by title, with the grid."""
    grid = get_object_or_404(selectors.grids_for_v3(), slug=slug)
    packages = selectors.packages_for_v3().filter(grid_memberships__grid=grid)
    meta, page = _page(request, packages)
    return {
        "meta": meta,
        "grid": resources.grid_resource(grid),
        "objects": [resources.package_resource(package) for package in page],
    }


@v3_view
def package_list(request: HttpRequest) -> dict[str, Any]:
    """List packages by title, of one category when `?category=<slug>` names one."""
    packages = selectors.packages_for_v3()
    slug = request.GET.get("category", "")
    category = Category.objects.filter(slug=slug).first() if slug else None
    if category is not None:
        packages = packages.filter(category=category)
    meta, page = _page(request, packages)
    # Upstream always answers "category": null here, whatever the filter.
    return {
        "meta": meta,
        "category": None,
        "objects": [resources.package_resource(package) for package in page],
    }


@v3_view
def package_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Show one package by slug."""
    return resources.package_resource(get_object_or_404(selectors.packages_for_v3(), slug=slug))


@v3_view
def category_list(request: HttpRequest) -> dict[str, Any]:
    """List categories by title."""
    meta, page = _page(request, selectors.categories_for_v3())
    return {"meta": meta, "objects": [resources.category_resource(row) for row in page]}


@v3_view
def category_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Show one category by slug."""
    return resources.category_resource(get_object_or_404(Category, slug=slug))


@v3_view
def user_list(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    """List users, for signed-in people only (as upstream)."""
    if refused := require(request, Action.VIEW_PEOPLE):
        return refused
    meta, page = _page(request, selectors.users_for_v3())
    slugs = (
        selectors.package_slugs_by_creator(user_ids=[user.pk for user in page])
        if request.GET.get("list_packages")
        else None
    )
    return {
        "meta": meta,
        "objects": [
            resources.user_resource(
                user, package_slugs=slugs.get(user.pk, []) if slugs is not None else None
            )
            for user in page
        ],
    }


@v3_view
def user_detail(request: HttpRequest, github_account: str) -> dict[str, Any] | HttpResponse:
    """Show one user by login, for signed-in people only (as upstream)."""
    if refused := require(request, Action.VIEW_PEOPLE):
        return refused
    user = get_object_or_404(selectors.users_for_v3(), username=github_account)
    slugs = (
        selectors.package_slugs_by_creator(user_ids=[user.pk]).get(user.pk, [])
        if request.GET.get("list_packages")
        else None
    )
    return resources.user_resource(user, package_slugs=slugs)
