"""Undo a change in a grid's history by making the opposite change, itself recorded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction

from packyard.catalog.models import Package
from packyard.grids.models import Element, Grid
from packyard.grids.services.common import Actor
from packyard.grids.services.features import (
    element_set,
    feature_create,
    feature_delete,
    feature_update,
    features_in_order,
    features_reorder,
)
from packyard.grids.services.grids import grid_update
from packyard.grids.services.memberships import grid_add_package, grid_remove_package
from packyard.history.models import Action, Change, Subject
from packyard.history.services import conflicting_fields, field_values, revert_check


def _revert_refused(message: str) -> ValidationError:
    return ValidationError(message)


@transaction.atomic
def grid_change_revert(*, change: Change, actor: Actor) -> Change:
    """Undo a change in a grid's history; the undo is itself a recorded change.

    An update is undone only while its fields still hold what it wrote (revert later
    changes first); a removed feature or package comes back with the cells it had.
    """
    revert_check(change, subject=Subject.GRID)
    grid = Grid.objects.select_for_update().get(pk=change.subject_id)
    before: dict[str, Any] = change.before if isinstance(change.before, dict) else {}
    after: dict[str, Any] = change.after if isinstance(change.after, dict) else {}
    target, action = change.target_type, change.action
    result: Change | None = None
    try:
        if target == "grids.grid" and "feature_order" in change.fields:
            current = [feature.pk for feature in features_in_order(grid=grid)]
            if current != after.get("feature_order"):
                raise _revert_refused("The features changed since; revert the later change first.")
            result = features_reorder(
                grid=grid, order=before["feature_order"], actor=actor, reverts=change
            )
        elif target == "grids.grid" and action == Action.UPDATE:
            _refuse_conflicts(change, field_values(grid, change.fields))
            result = grid_update(grid=grid, actor=actor, changes=before, reverts=change)
        elif target == "grids.feature" and action == Action.CREATE:
            feature = grid.features.get(pk=change.target_id or 0)
            result = feature_delete(feature=feature, actor=actor, reverts=change)
        elif target == "grids.feature" and action == Action.UPDATE:
            feature = grid.features.get(pk=change.target_id or 0)
            _refuse_conflicts(change, field_values(feature, change.fields))
            result = feature_update(feature=feature, actor=actor, changes=before, reverts=change)
        elif target == "grids.feature" and action == Action.DELETE:
            feature_create(
                grid=grid,
                title=before["title"],
                description=before.get("description", ""),
                position=before.get("position"),
                cells=before.get("cells") or {},
                actor=actor,
                reverts=change,
            )
            result = Change.objects.get(reverts=change)
        elif target == "grids.gridpackage" and action == Action.CREATE:
            package = Package.objects.get(pk=after["package"])
            result = grid_remove_package(grid=grid, package=package, actor=actor, reverts=change)
        elif target == "grids.gridpackage" and action == Action.DELETE:
            package = Package.objects.get(pk=before["package"])
            if grid.memberships.filter(package=package).exists():
                raise _revert_refused(f"{package.title} is in the grid again already.")
            grid_add_package(
                grid=grid,
                package=package,
                actor=actor,
                cells=before.get("cells") or {},
                reverts=change,
            )
            result = Change.objects.get(reverts=change)
        elif target == "grids.element":
            element = Element.objects.select_related("grid_package__package", "feature__grid").get(
                pk=change.target_id or 0, feature__grid=grid
            )
            _refuse_conflicts(change, {"text": element.text})
            element_set(
                grid_package=element.grid_package,
                feature=element.feature,
                text=before.get("text", ""),
                actor=actor,
                reverts=change,
            )
            result = Change.objects.get(reverts=change)
    except ObjectDoesNotExist as error:
        raise _revert_refused("What that change was about no longer exists.") from error
    if result is None:
        raise _revert_refused("Nothing to revert: the values are already as before.")
    return result


def _refuse_conflicts(change: Change, current: Mapping[str, Any]) -> None:
    conflicts = conflicting_fields(change, current)
    if conflicts:
        raise _revert_refused(
            f"{', '.join(conflicts)} changed again since; revert the later change first."
        )
