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
