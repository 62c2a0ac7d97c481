"""Write which packages a grid compares: add a package's column, take it out."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from packyard.catalog.models import Package
from packyard.grids.models import Element, Grid, GridPackage
from packyard.grids.services.common import (
    Actor,
    element_html,
    grid_change_record,
    grid_touch,
)
from packyard.history.models import Action, Change


def _cells_of_membership(membership: GridPackage) -> tuple[dict[str, str], str]:
    """Return a column's written cells by feature id, and a readable summary of them."""
    cells = {}
    shown = []
    for element in membership.elements.select_related("feature").order_by("feature__position"):
        if element.text:
            cells[str(element.feature_id)] = element.text
            shown.append(f"{element.feature.title}: {element.text}")
    return cells, " · ".join(shown)


@transaction.atomic
def grid_add_package(
    *,
    grid: Grid,
    package: Package,
    actor: Actor = None,
    cells: Mapping[str, str] | None = None,
    reverts: Change | None = None,
) -> GridPackage:
    """Add a package to a grid (adding it twice changes nothing).

    `cells` (feature id to text) writes the column's cells back when a removal is reverted.
    """
    membership, created = GridPackage.objects.get_or_create(grid=grid, package=package)
    if not created:
        return membership
    restored = []
    features = {str(feature.pk): feature for feature in grid.features.defer("cells")}
    for feature_id, text in (cells or {}).items():
        if feature_id in features and text:
            Element.objects.create(
                grid_package=membership,
                feature=features[feature_id],
                text=text,
                text_html=element_html(text),
            )
            restored.append(f"{features[feature_id].title}: {text}")
    grid_touch(grid=grid)
    grid_change_record(
        grid=grid,
        actor=actor,
        target=membership,
        action=Action.CREATE,
        summary=f"package {package.title}",
        after={"package": package.pk, **({"cells": dict(cells or {})} if restored else {})},
        labels={
            "package": {"after": package.title},
            **({"cells": {"after": " · ".join(restored)}} if restored else {}),
        },
        reverts=reverts,
    )
    return membership


@transaction.atomic
def grid_remove_package(
    *, grid: Grid, package: Package, actor: Actor, reverts: Change | None = None
) -> Change:
    """Take a package out of a grid with its cells; the cells are kept in the history."""
    membership = GridPackage.objects.filter(grid=grid, package=package).first()
    if membership is None:
        raise ValidationError(f"{package.title} is not in this grid.")
    cells, shown = _cells_of_membership(membership)
    change = grid_change_record(
        grid=grid,
        actor=actor,
        target=membership,
        action=Action.DELETE,
        summary=f"package {package.title}",
        before={"package": package.pk, "cells": cells},
        labels={"package": {"before": package.title}, "cells": {"before": shown}},
        reverts=reverts,
    )
    membership.delete()
    grid_touch(grid=grid)
    return change
