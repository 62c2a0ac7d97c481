"""API v3 records, key for key as djangopackages.org's apiv3 builds them.

Links are relative URIs (`/api/v3/packages/<slug>/`); `commits_over_52` and
`participants` are comma-joined strings. Facts Packyard has not fetched are served as
upstream serves them: 52 zero weeks, no participants, 0 stars.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

from packyard.api.v4.selectors import grid_package_order
from packyard.catalog.models import WEEKS_OF_ACTIVITY, Category, Package
from packyard.grids.models import Grid

# Upstream computes the weeks from commits it stored: none gives 52 zeros.
NOT_FETCHED_WEEKS = ",".join(["0"] * WEEKS_OF_ACTIVITY)


def _base(row: Category | Grid | Package) -> dict[str, Any]:
    return {
        "absolute_url": row.get_absolute_url(),
        "created": row.created,
        "modified": row.modified,
        "slug": row.slug,
        "title": row.title,
    }


def category_resource(category: Category) -> dict[str, Any]:
    """Return a category as API v3 shows it."""
    return {
        **_base(category),
        "description": category.description,
        "resource_uri": reverse("apiv3:category_detail", kwargs={"slug": category.slug}),
        "show_pypi": category.show_pypi,
        "title_plural": category.title_plural,
    }


def grid_resource(grid: Grid) -> dict[str, Any]:
    """Return a grid as API v3 shows it (its packages prefetched as `api_packages`)."""
    packages: list[Package] = sorted(getattr(grid, "api_packages", []), key=grid_package_order)
    return {
        **_base(grid),
        "description": grid.description,
        "is_locked": grid.is_locked,
        "resource_uri": reverse("apiv3:grid_detail", kwargs={"slug": grid.slug}),
        "header": grid.header,
        "packages": [
            reverse("apiv3:package_detail", kwargs={"slug": package.slug}) for package in packages
        ],
    }


def package_resource(package: Package) -> dict[str, Any]:
    """Return a package as API v3 shows it (its memberships prefetched as `api_memberships`)."""
    weeks: list[int] | None = package.commits_over_52
    contributors: list[str] = package.contributors or []
    creator = package.created_by
    modifier = package.last_modified_by
    return {
        **_base(package),
        "category": reverse("apiv3:category_detail", kwargs={"slug": package.category.slug}),
        "commit_list": str(weeks) if weeks else "",
        "commits_over_52": ",".join(map(str, weeks)) if weeks else NOT_FETCHED_WEEKS,
        "created_by": _user_uri(creator) if creator is not None else None,
        "documentation_url": package.documentation_url,
        "grids": [
            reverse("apiv3:grid_detail", kwargs={"slug": membership.grid.slug})
            for membership in getattr(package, "api_memberships", [])
        ],
        "last_fetched": package.last_fetched_at,
        "last_modified_by": modifier.get_username() if modifier is not None else None,
        "participants": ",".join(contributors),
        "pypi_url": package.pypi_url,
        "pypi_version": package.pypi_version,
        "repo_description": package.description,
        "repo_forks": package.forks or 0,
        "repo_url": package.repo_url,
        "repo_watchers": package.stars or 0,
        "resource_uri": reverse("apiv3:package_detail", kwargs={"slug": package.slug}),
        # "I use this" is not recorded yet.
        "usage_count": 0,
    }


def _user_uri(user: AbstractBaseUser) -> str:
    return reverse("apiv3:user_detail", kwargs={"github_account": user.get_username()})


def user_resource(user: Any, *, package_slugs: list[str] | None = None) -> dict[str, Any]:
    """Return a user as API v3 shows a profile; the login stands in for the GitHub account.

    `package_slugs`, when given, lists the packages the user added (`?list_packages=1`).
    """
    login = user.get_username()
    data: dict[str, Any] = {
        # djangopackages.org's profile address, kept so old links keep working.
        "absolute_url": f"/profiles/{login}/",
        "resource_uri": reverse("apiv3:user_detail", kwargs={"github_account": login}),
        "created": user.date_joined,
        "modified": user.last_login or user.date_joined,
        "github_account": login,
        "username": login,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "bitbucket_url": "",
        "google_code_url": "",
    }
    if package_slugs is not None:
        data["packages"] = [
            reverse("apiv3:package_detail", kwargs={"slug": slug}) for slug in package_slugs
        ]
    return data
