"""Shared abstract models."""

from __future__ import annotations

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


class DataVersion(models.Model):
    """The one row whose number every write to the directory moves on (`core.versions`).

    Database triggers bump it in the writing transaction, so a cached page or a validator
    keyed by it changes on every process as soon as the write is committed.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.version}"
