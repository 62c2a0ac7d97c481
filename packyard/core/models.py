"""Shared abstract models."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    """A row that knows when it was created and last changed.

    `modified` is set by the services that change a row, not by `auto_now`, so an import can
    keep the times a record had upstream.
    """

    created = models.DateTimeField(default=timezone.now, editable=False)
    modified = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True


class TriggerKeptModel(models.Model):
    """A row with fields only database triggers write (`trigger_kept`): counts and versions.

    A plain save writes every other field. A row read before a trigger moved a count would
    otherwise put the old count back (and one too low breaks the next decrement, as a count
    may not go below 0).
    """

    trigger_kept: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name not in self.trigger_kept
                and field.attname not in deferred
            ]
        super().save(*args, **kwargs)


class DataVersion(models.Model):
    """The one row whose number every write to the directory moves on (`core.versions`).

    Database triggers bump it in the writing transaction, so a cached page or a validator
    keyed by it changes on every process as soon as the write is committed.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.version}"
