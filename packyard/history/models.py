"""The history of every edit people make to packages and grids.

A `Change` says who changed what, when, and the values before and after. The catalogue and
grid services write one explicitly for each edit (no signals), so the record is part of the
same transaction as the edit. Automatic fact updates from code hosts and PyPI are not edits:
`packyard.refresh` keeps its own record of fetches.

This app sits beside the catalogue and the grids, below them in the layers: it names what it
records by strings ("package" 12, "grids.feature" 40), never by importing their models.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class Subject(models.TextChoices):
    """The page a change belongs to: a package's or a grid's history."""

    PACKAGE = "package", "package"
    GRID = "grid", "grid"


class Action(models.TextChoices):
    CREATE = "create", "added"
    UPDATE = "update", "changed"
    DELETE = "delete", "removed"


# Rows whose creation is not undone from a history page.
NOT_REVERTABLE_CREATIONS = frozenset({"catalog.package", "grids.grid"})
# Rows whose changes are shown in a history but set again on their own page, not reverted.
NOT_REVERTABLE_TARGETS = frozenset({"scoring.packagestatus"})


class ChangeQuerySet(models.QuerySet["Change"]):
    def of_subject(self, subject: Subject, subject_id: int) -> ChangeQuerySet:
        """Keep the changes shown on one package's or grid's history page."""
        return self.filter(subject_type=subject, subject_id=subject_id)

    def with_revert_state(self) -> ChangeQuerySet:
        """Add `is_reverted` (a later change undid this one) without a query per row."""
        undone = Change.objects.filter(reverts=models.OuterRef("pk"))
        return self.annotate(is_reverted=models.Exists(undone))


class Change(models.Model):
    """One edit: who, when, what, and the changed values before and after."""

    created = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        help_text="Who made the change; empty for imports and other changes by Packyard.",
    )
    subject_type = models.CharField(max_length=20, choices=Subject.choices)
    subject_id = models.PositiveBigIntegerField()
    target_type = models.CharField(
        max_length=50, help_text='The changed row\'s model, as "app_label.model".'
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    summary = models.CharField(
        max_length=300, help_text="What changed, in words, as it was called at the time."
    )
    before = models.JSONField(
        null=True, blank=True, encoder=DjangoJSONEncoder, help_text="Changed fields before."
    )
    after = models.JSONField(
        null=True, blank=True, encoder=DjangoJSONEncoder, help_text="Changed fields after."
    )
    labels = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text='Readable values of ids, {"field": {"before": ..., "after": ...}}.',
    )
    reverts = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reverted_by",
        help_text="The change this one undid.",
    )

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            # A change is undone once; undoing the undo is a revert of the revert.
            models.UniqueConstraint(fields=["reverts"], name="change_reverted_once"),
        ]
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id", "-created"], name="change_subject_idx"
            ),
            models.Index(fields=["actor", "-created"], name="change_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.summary}"

    @property
    def is_revertable(self) -> bool:
        """Tell whether staff may undo this change (adding a package or grid is undone in
        the admin, where its removal can be weighed)."""
        if self.target_type in NOT_REVERTABLE_TARGETS:
            return False
        return not (self.action == Action.CREATE and self.target_type in NOT_REVERTABLE_CREATIONS)

    @property
    def fields(self) -> list[str]:
        """Return the names of the fields this change recorded, in their recorded order."""
        names: dict[str, None] = {}
        for values in (self.before, self.after):
            if isinstance(values, dict):
                names.update(dict.fromkeys(values))
        return list(names)

    def value(self, side: str, name: str) -> Any:
        """Return a field's recorded value on one side ("before" or "after")."""
        values = self.before if side == "before" else self.after
        return values.get(name) if isinstance(values, dict) else None
