"""Reads behind API v3, each list in a fixed number of queries whatever its length.

Upstream's v3 lists follow its models' default order, by title; here ties go by id so that
pages never overlap.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower

from packyard.catalog.models import Category, Package
from packyard.grids.models import Grid, GridPackage

TITLE_ORDER = (Lower("title"), "title", "id")


def packages_for_v3() -> QuerySet[Package]:
    """Return packages by title, with their category, people and grids (2 queries a page)."""
    memberships = GridPackage.objects.select_related("grid").order_by("id")
    return (
        Package.objects.select_related("category", "created_by", "last_modified_by")
        .prefetch_related(
            Prefetch("grid_memberships", queryset=memberships, to_attr="api_memberships")
        )
        .order_by(*TITLE_ORDER)
    )


def grids_for_v3() -> QuerySet[Grid]:
    """Return grids by title, each with its packages' slugs (2 queries a page)."""
    packages = Package.objects.only("id", "title", "slug").order_by()
    return Grid.objects.prefetch_related(
        Prefetch("packages", queryset=packages, to_attr="api_packages")
    ).order_by(*TITLE_ORDER)


def categories_for_v3() -> QuerySet[Category]:
    """Return categories by title."""
    return Category.objects.order_by(*TITLE_ORDER)


def users_for_v3() -> QuerySet[AbstractBaseUser]:
    """Return active users, oldest account first."""
    return get_user_model()._default_manager.filter(is_active=True).order_by("pk")


def package_slugs_by_creator(*, user_ids: list[int]) -> dict[int, list[str]]:
    """Return the slugs of the packages each user added, by title (1 query)."""
    slugs: dict[int, list[str]] = defaultdict(list)
    rows = (
        Package.objects.filter(created_by__in=user_ids)
        .order_by(*TITLE_ORDER)
        .values_list("created_by_id", "slug")
    )
    for user_id, slug in rows:
        slugs[user_id].append(slug)
    return slugs
