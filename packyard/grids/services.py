"""Writes to grids: the grid, its packages, features and cells.

Every one of them records a change in the grid's history (`packyard.history`) in the same
transaction, with who made it (`actor`; None for imports) and the values before and after.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.grids.models import Element, Feature, Grid, GridPackage
from packyard.history.models import Action, Change, Subject
from packyard.history.services import (
    change_record,
    conflicting_fields,
    field_values,
    revert_check,
)

ELEMENT_MAX_LENGTH = 2_000
GRID_FIELDS = ("title", "slug", "description", "is_locked")
FEATURE_FIELDS = ("title", "description")

Actor = User | AnonymousUser | None


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _record(grid: Grid, **kwargs: Any) -> Change:
    return change_record(subject=Subject.GRID, subject_id=grid.pk, **kwargs)


def _touch(grid: Grid) -> None:
    """Mark the grid as changed now (the grid list sorts by it)."""
    grid.modified = timezone.now()
    Grid.objects.filter(pk=grid.pk).update(modified=grid.modified)


def _clean_text(value: str, *, field: str, required: bool, limit: int) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field: f"Give the {field} a value."})
    if len(value) > limit:
        raise ValidationError({field: f"Keep the {field} under {limit} characters."})
    return value


def _check_slug(slug: str, *, grid: Grid | None) -> str:
    slug = slug.strip()
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise ValidationError(
            {"slug": "Use letters, numbers, hyphens and underscores only."}
        ) from error
    taken = Grid.objects.filter(slug=slug)
    if grid is not None:
        taken = taken.exclude(pk=grid.pk)
    if taken.exists():
        raise ValidationError({"slug": f"Another grid already has the slug {slug!r}."})
    return slug


# --- Grids -----------------------------------------------------------------------------------


@transaction.atomic
def grid_create(*, actor: Actor, title: str, slug: str, description: str = "") -> Grid:
    """Create a grid; its creator becomes one of its stewards."""
    title = _clean_text(title, field="title", required=True, limit=100)
    slug = _check_slug(slug, grid=None)
    grid = Grid(
        title=title,
        slug=slug,
        description=_clean_text(description, field="description", required=False, limit=5000),
        created_by=_user(actor),
    )
    try:
        with transaction.atomic():
            grid.save()
    except IntegrityError as error:
        raise ValidationError({"slug": "That slug was taken a moment ago."}) from error
    _record(
        grid,
        actor=actor,
        target=grid,
        action=Action.CREATE,
        summary=f"grid {grid.title}",
        after=field_values(grid, GRID_FIELDS),
    )
    return grid


@transaction.atomic
def grid_update(
    *, grid: Grid, actor: Actor, changes: Mapping[str, Any], reverts: Change | None = None
) -> Change | None:
    """Change a grid's title, slug, description or lock; None when nothing changed."""
    unknown = set(changes) - set(GRID_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    locked = Grid.objects.select_for_update().get(pk=grid.pk)
    before = field_values(locked, changes)
    values = dict(changes)
    if "title" in values:
        values["title"] = _clean_text(values["title"], field="title", required=True, limit=100)
    if "description" in values:
        values["description"] = _clean_text(
            values["description"], field="description", required=False, limit=5000
        )
    if "slug" in values:
        values["slug"] = _check_slug(values["slug"], grid=locked)
    if "is_locked" in values:
        values["is_locked"] = bool(values["is_locked"])
    names = [name for name in GRID_FIELDS if name in values and values[name] != before[name]]
    if not names:
        return None
    for name in names:
        setattr(locked, name, values[name])
    locked.modified = timezone.now()
    locked.save(update_fields=[*names, "modified"])
    for name in [*names, "modified"]:
        setattr(grid, name, getattr(locked, name))
    return _record(
        locked,
        actor=actor,
        target=locked,
        action=Action.UPDATE,
        summary=f"grid {locked.title}",
        before={name: before[name] for name in names},
        after={name: values[name] for name in names},
        reverts=reverts,
    )


# --- Packages in a grid ------------------------------------------------------------------------


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
    features = {str(feature.pk): feature for feature in grid.features.all()}
    for feature_id, text in (cells or {}).items():
        if feature_id in features and text:
            Element.objects.create(grid_package=membership, feature=features[feature_id], text=text)
            restored.append(f"{features[feature_id].title}: {text}")
    _touch(grid)
    _record(
        grid,
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
    change = _record(
        grid,
        actor=actor,
        target=membership,
        action=Action.DELETE,
        summary=f"package {package.title}",
        before={"package": package.pk, "cells": cells},
        labels={"package": {"before": package.title}, "cells": {"before": shown}},
        reverts=reverts,
    )
    membership.delete()
    _touch(grid)
    return change


# --- Features ----------------------------------------------------------------------------------


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
    title = _clean_text(title, field="title", required=True, limit=100)
    description = _clean_text(description, field="description", required=False, limit=2000)
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
                    grid_package=memberships[package_id], feature=feature, text=text
                )
                restored[package_id] = text
                shown.append(f"{memberships[package_id].package.title}: {text}")
        if restored:
            after["cells"] = restored
            labels["cells"] = {"after": " · ".join(shown)}
    _touch(grid)
    _record(
        grid,
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
    unknown = set(changes) - set(FEATURE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    before = field_values(feature, changes)
    values = dict(changes)
    if "title" in values:
        values["title"] = _clean_text(values["title"], field="title", required=True, limit=100)
    if "description" in values:
        values["description"] = _clean_text(
            values["description"], field="description", required=False, limit=2000
        )
    names = [name for name in FEATURE_FIELDS if name in values and values[name] != before[name]]
    if not names:
        return None
    for name in names:
        setattr(feature, name, values[name])
    feature.modified = timezone.now()
    feature.save(update_fields=[*names, "modified"])
    _touch(feature.grid)
    return _record(
        feature.grid,
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
    change = _record(
        grid,
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
    _touch(grid)
    return change


def _order(grid: Grid) -> list[Feature]:
    return list(grid.features.order_by("position", "id"))


@transaction.atomic
def features_reorder(
    *, grid: Grid, order: Iterable[int], actor: Actor, reverts: Change | None = None
) -> Change | None:
    """Put a grid's features in the given order of ids (every feature, once each)."""
    features = _order(Grid.objects.select_for_update().get(pk=grid.pk))
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
    _touch(grid)
    return _record(
        grid,
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
    ids = [row.pk for row in _order(feature.grid)]
    index = ids.index(feature.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in {"up", "down"}:
        raise ValidationError({"direction": "Move a feature up or down."})
    if not 0 <= other < len(ids):
        return None
    ids[index], ids[other] = ids[other], ids[index]
    return features_reorder(grid=feature.grid, order=ids, actor=actor)


# --- Cells ---------------------------------------------------------------------------------------


@transaction.atomic
def element_set(
    *,
    grid_package: GridPackage,
    feature: Feature,
    text: str,
    actor: Actor = None,
    reverts: Change | None = None,
) -> Element:
    """Write a grid cell: what `feature` says about the package of `grid_package`."""
    if feature.grid_id != grid_package.grid_id:
        raise ValidationError("The feature and the package belong to different grids.")
    text = text.strip()
    if len(text) > ELEMENT_MAX_LENGTH:
        raise ValidationError({"text": f"Keep a cell under {ELEMENT_MAX_LENGTH} characters."})
    element, created = Element.objects.select_for_update().get_or_create(
        grid_package=grid_package, feature=feature, defaults={"text": text}
    )
    before = "" if created else element.text
    if not created and element.text != text:
        element.text = text
        element.modified = timezone.now()
        element.save(update_fields=["text", "modified"])
    if before != text:
        _touch(feature.grid)
        _record(
            feature.grid,
            actor=actor,
            target=element,
            action=Action.UPDATE,
            summary=f"cell {feature.title} of {grid_package.package.title}",
            before={"text": before},
            after={"text": text},
            reverts=reverts,
        )
    return element


# --- Reverting ---------------------------------------------------------------------------------


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
            current = [feature.pk for feature in _order(grid)]
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
