"""What the grid writes share: who acted, the change recorded in the grid's history, checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils import timezone

from packyard.core.markup import render_cell
from packyard.grids.models import Feature, Grid
from packyard.history.models import Change, Subject
from packyard.history.services import change_record

Actor = User | AnonymousUser | None


def actor_user(*, actor: Actor) -> User | None:
    """Return the user who acted, or None for an anonymous visitor or an import."""
    return actor if isinstance(actor, User) else None


def element_html(text: str) -> str:
    """Return a cell's text as the sanitised HTML the grid shows (stored when it is written):
    a tick, cross or question mark for `+`/`yes`/`-`/`no`/`?`, else its Markdown."""
    return render_cell(text)


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


def changes_clean(
    *, changes: Mapping[str, Any], editable: Sequence[str], description_limit: int
) -> dict[str, Any]:
    """Refuse fields that are not `editable`; return the changes, title and description cleaned."""
    unknown = set(changes) - set(editable)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    values = dict(changes)
    if "title" in values:
        values["title"] = text_clean(value=values["title"], field="title", required=True, limit=100)
    if "description" in values:
        values["description"] = text_clean(
            value=values["description"],
            field="description",
            required=False,
            limit=description_limit,
        )
    return values


def fields_save(
    *,
    target: Grid | Feature,
    editable: Sequence[str],
    before: Mapping[str, Any],
    values: Mapping[str, Any],
) -> list[str]:
    """Save the fields whose value changes, with the time; return their names (maybe none)."""
    names = [name for name in editable if name in values and values[name] != before[name]]
    if names:
        for name in names:
            setattr(target, name, values[name])
        target.modified = timezone.now()
        target.save(update_fields=[*names, "modified"])
    return names
