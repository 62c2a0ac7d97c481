"""Write a grid itself: create it, change its title, slug, description or lock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from packyard.grids.models import Grid
from packyard.grids.services.common import (
    Actor,
    actor_user,
    changes_clean,
    fields_save,
    grid_change_record,
    slug_check,
    text_clean,
)
from packyard.history.models import Action, Change
from packyard.history.services import field_values

GRID_FIELDS = ("title", "slug", "description", "is_locked")


@transaction.atomic
def grid_create(*, actor: Actor, title: str, slug: str, description: str = "") -> Grid:
    """Create a grid; its creator becomes one of its stewards."""
    title = text_clean(value=title, field="title", required=True, limit=100)
    slug = slug_check(slug=slug, grid=None)
    grid = Grid(
        title=title,
        slug=slug,
        description=text_clean(value=description, field="description", required=False, limit=5000),
        created_by=actor_user(actor=actor),
    )
    try:
        with transaction.atomic():
            grid.save()
    except IntegrityError as error:
        raise ValidationError({"slug": "That slug was taken a moment ago."}) from error
    grid_change_record(
        grid=grid,
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
    values = changes_clean(changes=changes, editable=GRID_FIELDS, description_limit=5000)
    locked = Grid.objects.select_for_update().get(pk=grid.pk)
    before = field_values(locked, changes)
    if "slug" in values:
        values["slug"] = slug_check(slug=values["slug"], grid=locked)
    if "is_locked" in values:
        values["is_locked"] = bool(values["is_locked"])
    names = fields_save(target=locked, editable=GRID_FIELDS, before=before, values=values)
    if not names:
        return None
    for name in [*names, "modified"]:
        setattr(grid, name, getattr(locked, name))
    return grid_change_record(
        grid=locked,
        actor=actor,
        target=locked,
        action=Action.UPDATE,
        summary=f"grid {locked.title}",
        before={name: before[name] for name in names},
        after={name: values[name] for name in names},
        reverts=reverts,
    )
