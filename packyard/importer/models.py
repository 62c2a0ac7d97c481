"""What an import took in, so a second run changes nothing and an interrupted run resumes."""

from __future__ import annotations

from django.db import models


class RecordKind(models.TextChoices):
    CATEGORY = "category", "category"
    GRID = "grid", "grid"
    PACKAGE = "package", "package"


class UpstreamRecord(models.Model):
    """A record imported from another directory, and the local row it became."""

    source = models.CharField(max_length=300, help_text="The API base URL or the dump's name.")
    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    upstream_id = models.PositiveBigIntegerField()
    object_id = models.PositiveBigIntegerField(help_text="The id of the local row.")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the record as last imported.")
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "upstream_id"], name="upstream_record_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.upstream_id} from {self.source}"


class ImportRun(models.Model):
    """One run of an import over a source; an unfinished run is resumed from `next_url`."""

    source = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    next_url = models.CharField(max_length=1000, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind"], name="import_run_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.source}"
