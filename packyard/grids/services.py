"""Writes to grids: features, cells and memberships."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.grids.models import Element, Feature, Grid, GridPackage

ELEMENT_MAX_LENGTH = 2_000


@transaction.atomic
def feature_create(*, grid: Grid, title: str, description: str = "") -> Feature:
    """Add a feature row at the bottom of a grid."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the feature a title."})
    last = grid.features.aggregate(last=Max("position"))["last"]
    feature = Feature.objects.create(
        grid=grid,
        title=title,
        description=description.strip(),
        position=0 if last is None else last + 1,
    )
    return feature


@transaction.atomic
def grid_add_package(*, grid: Grid, package: Package) -> GridPackage:
    """Add a package to a grid (adding it twice changes nothing)."""
    membership, _ = GridPackage.objects.get_or_create(grid=grid, package=package)
    return membership


@transaction.atomic
def element_set(*, grid_package: GridPackage, feature: Feature, text: str) -> Element:
    """Write a grid cell: what `feature` says about the package of `grid_package`."""
    if feature.grid_id != grid_package.grid_id:
        raise ValidationError("The feature and the package belong to different grids.")
    text = text.strip()
    if len(text) > ELEMENT_MAX_LENGTH:
        raise ValidationError({"text": f"Keep a cell under {ELEMENT_MAX_LENGTH} characters."})
    element, created = Element.objects.get_or_create(
        grid_package=grid_package, feature=feature, defaults={"text": text}
    )
    if not created and element.text != text:
        element.text = text
        element.modified = timezone.now()
        element.save(update_fields=["text", "modified"])
    return element
