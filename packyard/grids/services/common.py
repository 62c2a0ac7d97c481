"""What the grid writes share: who acted, the change recorded in the grid's history, checks."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils import timezone

from packyard.grids.models import Grid
from packyard.history.models import Change, Subject
from packyard.history.services import change_record

Actor = User | AnonymousUser | None


def actor_user(*, actor: Actor) -> User | None:
    """Return the user who acted, or None for an anonymous visitor or an import."""
    return actor if isinstance(actor, User) else None


def grid_change_record(*, grid: Grid, **kwargs: Any) -> Change:
    """Record a change in the grid's history (`change_record` takes the rest)."""
    return change_record(subject=Subject.GRID, subject_id=grid.pk, **kwargs)


def grid_touch(*, grid: Grid) -> None:
    """Mark the grid as changed now (the grid list sorts by it)."""
    grid.modified = timezone.now()
    Grid.objects.filter(pk=grid.pk).update(modified=grid.modified)


def text_clean(*, value: str, field: str, required: bool, limit: int) -> str:
    """Return the text stripped; raise ValidationError naming `field` when empty or too long."""
    value = value.strip()
    if required and not value:
        raise ValidationError({field: f"Give the {field} a value."})
    if len(value) > limit:
        raise ValidationError({field: f"Keep the {field} under {limit} characters."})
    return value


def slug_check(*, slug: str, grid: Grid | None) -> str:
    """Return the slug stripped; raise ValidationError when malformed or another grid's."""
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
