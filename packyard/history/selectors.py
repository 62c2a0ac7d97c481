"""Reads of the history, each in a fixed number of queries."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from packyard.history.models import Change, Subject


def changes_of(*, subject: Subject, subject_id: int) -> QuerySet[Change]:
    """Return a package's or grid's changes, newest first, with who made them."""
    return (
        Change.objects.of_subject(subject, subject_id)
        .with_revert_state()
        .select_related("actor", "reverts")
        .order_by("-created", "-id")
    )


def changes_by(*, user: User, limit: int) -> list[Change]:
    """Return the latest changes one person made."""
    return list(
        Change.objects.filter(actor=user)
        .with_revert_state()
        .select_related("actor")
        .order_by("-created", "-id")[:limit]
    )
