"""The query parameters of API v5, checked: a bad value is a 400 that names the parameter.

A slug or release cycle that names nothing is a bad value too (`?grid=nope` answers
{"grid": ["No grid has the slug \"nope\"."]}), so an empty list always means "none match".
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from packyard.api.v5 import selectors
from packyard.compatibility.models import Product

CYCLE_FORMAT = re.compile(r"\d{1,3}\.\d{1,3}")
MAX_TEXT = 200


def _cycle(product: Product, value: str) -> Any:
    if not CYCLE_FORMAT.fullmatch(value):
        raise serializers.ValidationError(
            f'Give a {product.label} release cycle as MAJOR.MINOR ("6.0", "3.13").'
        )
    cycle = selectors.cycle_by_name(product=product.value, cycle=value)
    if cycle is None:
        raise serializers.ValidationError(f"{product.label} {value} is not a known release cycle.")
    return cycle


class PackageListParams(serializers.Serializer):  # type: ignore[type-arg]
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_TEXT, help_text="Text in name or summary."
    )
    category = serializers.SlugField(required=False, help_text="A category's slug.")
    grid = serializers.SlugField(required=False, help_text="A grid's slug.")
    status = serializers.ChoiceField(choices=selectors.STATUSES, required=False)
    django = serializers.CharField(
        required=False, help_text='A Django release cycle the package supports ("6.0").'
    )
    python = serializers.CharField(
        required=False, help_text='A Python release cycle the package supports ("3.13").'
    )
    licence = serializers.CharField(
        required=False, max_length=300, help_text="The latest release's licence (any case)."
    )
    host = serializers.ChoiceField(choices=selectors.HOSTS, required=False)
    updated_since = serializers.DateTimeField(
        required=False, help_text="Packages whose record changed at or after this time."
    )
    ordering = serializers.ChoiceField(
        choices=tuple(selectors.ORDERINGS), required=False, default=selectors.DEFAULT_ORDERING
    )

    def validate_category(self, value: str) -> Any:
        category = selectors.category_by_slug(slug=value)
        if category is None:
            raise serializers.ValidationError(f'No category has the slug "{value}".')
        return category

    def validate_grid(self, value: str) -> Any:
        grid = selectors.grid_by_slug(slug=value)
        if grid is None:
            raise serializers.ValidationError(f'No grid has the slug "{value}".')
        return grid

    def validate_django(self, value: str) -> Any:
        return _cycle(Product.DJANGO, value)

    def validate_python(self, value: str) -> Any:
        return _cycle(Product.PYTHON, value)

    def filters(self) -> selectors.PackageFilters:
        data = self.validated_data
        return selectors.PackageFilters(
            text=data.get("q", "").strip(),
            category=data.get("category"),
            grid=data.get("grid"),
            status=data.get("status", ""),
            django=data.get("django"),
            python=data.get("python"),
            licence=data.get("licence", "").strip(),
            host=data.get("host", ""),
            updated_since=data.get("updated_since"),
        )


class SearchParams(serializers.Serializer):  # type: ignore[type-arg]
    q = serializers.CharField(max_length=MAX_TEXT, help_text="What to search for.")
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=10_000)
    page_size = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)
    category = serializers.SlugField(required=False, default="")
    grid = serializers.SlugField(required=False, default="")
    status = serializers.ChoiceField(
        choices=("maintained", "archived", "deprecated", "missing"),
        required=False,
        default="",
        help_text="As `packages/?status=`: `maintained` is neither archived, deprecated nor "
        "missing.",
    )
    django = serializers.RegexField(r"^\d{1,3}\.\d{1,3}$", required=False, default="")
    python = serializers.RegexField(r"^\d{1,3}\.\d{1,3}$", required=False, default="")
