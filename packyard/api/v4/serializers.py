"""API v4 records, field for field and in djangopackages.org's order.

The shapes are a frozen contract (https://djangopackages.org/api/v4/): a fact Packyard has
not fetched (NULL) is served as upstream serves it, 0 or []. Richer fields go to v5.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify
from rest_framework import serializers

from packyard.api.v4.fields import DateTimeText, Link, Links
from packyard.api.v4.selectors import grid_package_order

PACKAGE_DETAIL = "apiv4:package-detail"
GRID_DETAIL = "apiv4:grid-detail"
CATEGORY_DETAIL = "apiv4:category-detail"


class PackageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    category = Link(view_name=CATEGORY_DETAIL, source="category_id")
    grids = Links(view_name=GRID_DETAIL, source="api_memberships", attribute="grid_id")
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)
    last_updated = DateTimeText(source="last_commit_at", timespec="seconds")
    last_fetched = DateTimeText(source="last_fetched_at")
    repo_url = serializers.CharField(read_only=True)
    pypi_version = serializers.CharField(read_only=True)
    created = DateTimeText()
    modified = DateTimeText()
    repo_forks = serializers.SerializerMethodField()
    repo_description = serializers.CharField(source="description", read_only=True)
    pypi_url = serializers.CharField(read_only=True)
    documentation_url = serializers.CharField(read_only=True)
    repo_watchers = serializers.SerializerMethodField()
    commits_over_52 = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()

    def get_repo_forks(self, package: Any) -> int:
        return package.forks or 0

    def get_repo_watchers(self, package: Any) -> int:
        return package.stars or 0

    def get_commits_over_52(self, package: Any) -> list[int]:
        return list(package.commits_over_52 or [])

    def get_participants(self, package: Any) -> list[str]:
        return list(package.contributors or [])


class GridSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    is_locked = serializers.BooleanField(read_only=True)
    packages = Links(view_name=PACKAGE_DETAIL, source="api_packages", order=grid_package_order)
    header = serializers.BooleanField(read_only=True)
    created = DateTimeText()
    modified = DateTimeText()


class CategorySerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    title_plural = serializers.CharField(read_only=True)
    show_pypi = serializers.BooleanField(read_only=True)
    created = DateTimeText()
    modified = DateTimeText()


class SearchV2Serializer(serializers.Serializer):  # type: ignore[type-arg]
    """A search result in the shape of upstream's SearchV2 rows, fields in their order.

    Upstream declares `description` and `title` on the serializer, so they come first, then
    the model's fields without `id`.
    """

    description = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    created = DateTimeText()
    modified = DateTimeText()
    weight = serializers.IntegerField(read_only=True)
    item_type = serializers.CharField(read_only=True)
    title_no_prefix = serializers.SerializerMethodField()
    slug = serializers.CharField(read_only=True)
    slug_no_prefix = serializers.SerializerMethodField()
    clean_title = serializers.SerializerMethodField()
    category = serializers.CharField(read_only=True)
    absolute_url = serializers.CharField(read_only=True)
    repo_watchers = serializers.IntegerField(read_only=True)
    repo_forks = serializers.IntegerField(read_only=True)
    pypi_downloads = serializers.SerializerMethodField()
    score = serializers.IntegerField(read_only=True)
    usage = serializers.SerializerMethodField()
    participants = serializers.CharField(read_only=True)
    last_committed = DateTimeText(timespec="seconds")
    last_released = DateTimeText()

    def get_title_no_prefix(self, hit: Any) -> str:
        return without_prefix(hit.title)

    def get_slug_no_prefix(self, hit: Any) -> str:
        return without_prefix(hit.slug)

    def get_clean_title(self, hit: Any) -> str:
        return clean_title(without_prefix(hit.slug))

    def get_pypi_downloads(self, hit: Any) -> int:
        # Packyard does not count downloads; upstream's default is 0.
        return 0

    def get_usage(self, hit: Any) -> int:
        # "I use this" is not recorded yet; upstream's default is 0.
        return 0


# Upstream's searchv2.utils: the "django" prefix and the separators that may follow it.
SEARCH_PREFIX = "django"
SEPARATORS = ("_", ",", ".", "-", " ", "/", "|")


def without_prefix(value: str) -> str:
    """Return the value in lower case without "django-", "django_" and the like."""
    value = value.lower()
    for separator in SEPARATORS:
        value = value.replace(f"{SEARCH_PREFIX}{separator}", "")
    return value


def clean_title(value: str) -> str:
    """Return the value slugified, without separators ("django-foo-bar" gives "foobar")."""
    value = slugify(value)
    for separator in SEPARATORS:
        value = value.replace(separator, "")
    return value
