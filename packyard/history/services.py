"""Writes to the history: record a change, called by the services that make it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model

from packyard.history.models import Action, Change, Subject


def field_values(instance: Model, names: Iterable[str]) -> dict[str, Any]:
    """Return the stored values of some fields of a row (a foreign key as its id)."""
    fields = {field.name: field for field in instance._meta.concrete_fields}
    return {name: fields[name].value_from_object(instance) for name in names}


def change_record(
    *,
    actor: User | AnonymousUser | None,
    subject: Subject,
    subject_id: int,
    target: Model,
    action: Action,
    summary: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    reverts: Change | None = None,
) -> Change:
    """Record one change; call it inside the transaction that makes the change."""
    return Change.objects.create(
        actor=actor if isinstance(actor, User) else None,
        subject_type=subject,
        subject_id=subject_id,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        action=action,
        summary=summary[:300],
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        labels={name: dict(sides) for name, sides in (labels or {}).items()},
        reverts=reverts,
    )


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Return the names whose values differ between two snapshots of the same fields."""
    return [name for name in after if before.get(name) != after[name]]


def as_recorded(value: Any) -> Any:
    """Return a value as the history stores it (JSON: dates as text, ids as numbers)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def conflicting_fields(change: Change, current: Mapping[str, Any]) -> list[str]:
    """Return the fields of an update whose values are no longer what the change made them."""
    after = change.after if isinstance(change.after, dict) else {}
    # A change just made still holds Python values; one read back holds JSON: compare as JSON.
    return [name for name in after if as_recorded(current.get(name)) != as_recorded(after[name])]


def revert_check(change: Change, *, subject: Subject) -> None:
    """Refuse to revert a change of another page, one already undone, or one that cannot be."""
    if change.subject_type != subject:
        raise ValidationError(f"That change is not in this {subject}'s history.")
    if not change.is_revertable:
        raise ValidationError(
            "Adding a package or a grid cannot be reverted here: staff remove it in the admin."
        )
    if Change.objects.filter(reverts=change).exists():
        raise ValidationError("That change was already reverted.")
