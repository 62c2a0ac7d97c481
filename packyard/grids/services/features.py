"""Write a grid's rows and cells: features, their order, and what each says of each package."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from packyard.grids.models import Element, Feature, Grid, GridPackage
from packyard.grids.services.common import (
    Actor,
    changes_clean,
    element_html,
    fields_save,
    grid_change_record,
    grid_touch,
    text_clean,
)
from packyard.history.models import Action, Change
from packyard.history.services import field_values

ELEMENT_MAX_LENGTH = 2_000
FEATURE_FIELDS = ("title", "description")


@transaction.atomic
def feature_create(
    *,
    grid: Grid,
    title: str,
    description: str = "",
    actor: Actor = None,
    position: int | None = None,
    cells: Mapping[str, str] | None = None,
    reverts: Change | None = None,
) -> Feature:
    """Add a feature row at the bottom of a grid (or at `position` when one is restored).

    `cells` (package id to text) writes the row's cells back when a deletion is reverted.
    """
    title = text_clean(value=title, field="title", required=True, limit=100)
    description = text_clean(value=description, field="description", required=False, limit=2000)
    if position is None:
        last = grid.features.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    feature = Feature.objects.create(
        grid=grid, title=title, description=description, position=position
    )
    after: dict[str, Any] = {"title": title, "description": description}
    labels: dict[str, dict[str, str]] = {}
    if cells:
        memberships = {
            str(membership.package_id): membership
            for membership in grid.memberships.select_related("package")
        }
        restored = {}
        shown = []
        for package_id, text in cells.items():
            if package_id in memberships and text:
                Element.objects.create(
                    grid_package=memberships[package_id],
                    feature=feature,
                    text=text,
                    text_html=element_html(text),
                )
                restored[package_id] = text
                shown.append(f"{memberships[package_id].package.title}: {text}")
        if restored:
            after["cells"] = restored
            labels["cells"] = {"after": " · ".join(shown)}
    grid_touch(grid=grid)
    grid_change_record(
        grid=grid,
        actor=actor,
        target=feature,
        action=Action.CREATE,
        summary=f"feature {feature.title}",
        after=after,
        labels=labels,
        reverts=reverts,
    )
    return feature


@transaction.atomic
def feature_update(
    *, feature: Feature, actor: Actor, changes: Mapping[str, Any], reverts: Change | None = None
) -> Change | None:
    """Change a feature's title or description; None when nothing changed."""
    values = changes_clean(changes=changes, editable=FEATURE_FIELDS, description_limit=2000)
    before = field_values(feature, changes)
    names = fields_save(target=feature, editable=FEATURE_FIELDS, before=before, values=values)
    if not names:
        return None
    grid_touch(grid=feature.grid)
    return grid_change_record(
        grid=feature.grid,
        actor=actor,
        target=feature,
        action=Action.UPDATE,
        summary=f"feature {feature.title}",
        before={name: before[name] for name in names},
        after={name: values[name] for name in names},
        reverts=reverts,
    )


@transaction.atomic
def feature_delete(*, feature: Feature, actor: Actor, reverts: Change | None = None) -> Change:
    """Delete a feature row with its cells; the row and cells are kept in the history."""
    cells = {}
    shown = []
    for element in feature.elements.select_related("grid_package__package"):
        if element.text:
            cells[str(element.grid_package.package_id)] = element.text
            shown.append(f"{element.grid_package.package.title}: {element.text}")
    grid = feature.grid
    change = grid_change_record(
        grid=grid,
        actor=actor,
        target=feature,
        action=Action.DELETE,
        summary=f"feature {feature.title}",
        before={
            "title": feature.title,
            "description": feature.description,
            "position": feature.position,
            "cells": cells,
        },
        labels={"cells": {"before": " · ".join(shown)}},
        reverts=reverts,
    )
    feature.delete()
    grid_touch(grid=grid)
    return change


def features_in_order(*, grid: Grid) -> list[Feature]:
    """Return a grid's features in the order of their rows."""
    return list(grid.features.order_by("position", "id").defer("cells"))


@transaction.atomic
def features_reorder(
    *, grid: Grid, order: Iterable[int], actor: Actor, reverts: Change | None = None
) -> Change | None:
    """Put a grid's features in the given order of ids (every feature, once each)."""
    features = features_in_order(grid=Grid.objects.select_for_update().get(pk=grid.pk))
    wanted = list(order)
    by_id = {feature.pk: feature for feature in features}
    if sorted(wanted) != sorted(by_id):
        raise ValidationError("The features changed meanwhile; reload the page and try again.")
    before = [feature.pk for feature in features]
    if wanted == before:
        return None
    changed = []
    for position, feature_id in enumerate(wanted):
        feature = by_id[feature_id]
        if feature.position != position:
            feature.position = position
            changed.append(feature)
    Feature.objects.bulk_update(changed, ["position"])
    grid_touch(grid=grid)
    return grid_change_record(
        grid=grid,
        actor=actor,
        target=grid,
        action=Action.UPDATE,
        summary=f"grid {grid.title}",
        before={"feature_order": before},
        after={"feature_order": wanted},
        labels={
            "feature_order": {
                "before": ", ".join(by_id[pk].title for pk in before),
                "after": ", ".join(by_id[pk].title for pk in wanted),
            }
        },
        reverts=reverts,
    )


def feature_move(*, feature: Feature, direction: str, actor: Actor) -> Change | None:
    """Move a feature one row up or down; None at the top or bottom already."""
    ids = [row.pk for row in features_in_order(grid=feature.grid)]
    index = ids.index(feature.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in {"up", "down"}:
        raise ValidationError({"direction": "Move a feature up or down."})
    if not 0 <= other < len(ids):
        return None
    ids[index], ids[other] = ids[other], ids[index]
    return features_reorder(grid=feature.grid, order=ids, actor=actor)


# --- Cells ---------------------------------------------------------------------------------------


class CellChanged(ValidationError):
    """The cell was saved by someone else since the text being saved was opened.

    `current` is the cell as it is now; nothing was written.
    """

    def __init__(self, current: Element) -> None:
        super().__init__({"text": "This cell changed while you were editing it."})
        self.current = current


@transaction.atomic
def element_set(
    *,
    grid_package: GridPackage,
    feature: Feature,
    text: str,
    actor: Actor = None,
    reverts: Change | None = None,
    version: int | None = None,
) -> Element:
    """Write a grid cell: what `feature` says about the package of `grid_package`.

    `version` is the cell's version the writer started from (0 for a cell that did not exist):
    when the cell has been saved since with another text, CellChanged is raised and nothing is
    written. Without it (reverts, imports) the text is written whatever the cell holds.
    """
    if feature.grid_id != grid_package.grid_id:
        raise ValidationError("The feature and the package belong to different grids.")
    text = text.strip()
    if len(text) > ELEMENT_MAX_LENGTH:
        raise ValidationError({"text": f"Keep a cell under {ELEMENT_MAX_LENGTH} characters."})
    element, created = Element.objects.select_for_update().get_or_create(
        grid_package=grid_package,
        feature=feature,
        defaults={"text": text, "text_html": element_html(text)},
    )
    before = "" if created else element.text
    if not created and element.text != text:
        if version is not None and version != element.version:
            raise CellChanged(element)
        # Compare-and-set: the row is locked above, and the WHERE makes the check explicit.
        html, now = element_html(text), timezone.now()
        written = Element.objects.filter(pk=element.pk, version=element.version).update(
            text=text, text_html=html, modified=now, version=F("version") + 1
        )
        if not written:
            raise CellChanged(Element.objects.get(pk=element.pk))
        element.text, element.text_html, element.modified = text, html, now
        element.version += 1
    if before != text:
        grid_touch(grid=feature.grid)
        grid_change_record(
            grid=feature.grid,
            actor=actor,
            target=element,
            action=Action.UPDATE,
            summary=f"cell {feature.title} of {grid_package.package.title}",
            before={"text": before},
            after={"text": text},
            reverts=reverts,
        )
    return element
