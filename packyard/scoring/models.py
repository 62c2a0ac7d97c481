"""Stored scores and their history, dependencies, advisories and the status people set.

Scores are derived data: `scores_recompute` writes them from the catalogue's facts, so lists and
grids read one row per package instead of computing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.scoring.gaps import missing_facts

DIMENSIONS = ("maintenance", "adoption", "compatibility", "documentation", "status")
# A change of this many points or more since the baseline shows as an arrow up or down.
TREND_THRESHOLD = 3


class PackageScore(models.Model):
    """A package's score: five dimensions of 0-100 with their reasons, and the blend of them."""

    package = models.OneToOneField(
        Package, on_delete=models.CASCADE, primary_key=True, related_name="scoring"
    )
    overall = models.PositiveSmallIntegerField()
    maintenance = models.PositiveSmallIntegerField()
    adoption = models.PositiveSmallIntegerField()
    compatibility = models.PositiveSmallIntegerField()
    documentation = models.PositiveSmallIntegerField()
    status = models.PositiveSmallIntegerField()
    reasons = models.JSONField(
        default=dict, help_text="Per dimension, a list of {text, points, out_of}."
    )
    missing = models.JSONField(
        default=list,
        blank=True,
        help_text="The facts its reasons could not read, in order (kept from the reasons, so "
        "a badge need not read them).",
    )
    support = models.JSONField(
        default=dict,
        help_text='Answers for the supported releases: {"django": [[cycle, answer]], ...}.',
    )
    advisories = models.JSONField(
        default=list, help_text="Known advisories affecting the latest release."
    )
    dependents_count = models.PositiveIntegerField(
        default=0, help_text="Packages in the directory whose latest release requires it."
    )
    needs_maintainer = models.BooleanField(default=False)
    latest_version = models.CharField(max_length=100, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    baseline_overall = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The overall score of the snapshot the trend compares to."
    )
    baseline_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-overall", "package"]
        indexes = [
            models.Index(fields=["-overall"], name="score_overall_idx"),
            models.Index(fields=["computed_at"], name="score_computed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(overall__lte=100), name="score_overall_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package}: {self.overall}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Writers that bulk-create (scores_recompute) set it themselves, from the same reasons.
        self.missing = missing_facts(self.reasons)
        super().save(*args, **kwargs)

    @property
    def dimensions(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in DIMENSIONS}

    @property
    def trend(self) -> int | None:
        """Return the change since the baseline snapshot, or None when there is none."""
        return None if self.baseline_overall is None else self.overall - self.baseline_overall

    @property
    def trend_direction(self) -> str:
        """Return "up", "down", "steady" or "" (no history yet)."""
        change = self.trend
        if change is None:
            return ""
        if change >= TREND_THRESHOLD:
            return "up"
        if change <= -TREND_THRESHOLD:
            return "down"
        return "steady"

    @property
    def django_support(self) -> list[list[str]]:
        return list(self.support.get("django", []))

    @property
    def python_support(self) -> list[list[str]]:
        return list(self.support.get("python", []))

    @property
    def reason_lists(self) -> list[tuple[str, int, list[dict[str, Any]]]]:
        return [(name, getattr(self, name), self.reasons.get(name, [])) for name in DIMENSIONS]


class ScoreSnapshot(models.Model):
    """A package's score on one day, for its history and the trend arrow."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="score_snapshots")
    taken_on = models.DateField()
    overall = models.PositiveSmallIntegerField()
    maintenance = models.PositiveSmallIntegerField()
    adoption = models.PositiveSmallIntegerField()
    compatibility = models.PositiveSmallIntegerField()
    documentation = models.PositiveSmallIntegerField()
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["package", "-taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["package", "taken_on"], name="score_snapshot_unique"),
        ]
        indexes = [models.Index(fields=["taken_on"], name="score_snapshot_day_idx")]

    def __str__(self) -> str:
        return f"{self.package} on {self.taken_on}: {self.overall}"


class Dependency(models.Model):
    """A package's latest release requires another package of the directory."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="directory_requirements"
    )
    target = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="directory_dependents"
    )
    requirement = models.CharField(max_length=300, help_text="As Requires-Dist writes it.")
    optional = models.BooleanField(default=False, help_text="Only under an extra.")

    class Meta:
        ordering = ["package", "target"]
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(fields=["package", "target"], name="dependency_unique"),
            models.CheckConstraint(
                condition=~models.Q(package=models.F("target")), name="dependency_not_on_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package} requires {self.target}"


class Advisory(models.Model):
    """A security advisory from an OSV export (https://ossf.github.io/osv-schema/)."""

    advisory_id = models.CharField("id", max_length=100)
    aliases = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    link = models.URLField(max_length=500, blank=True)
    published = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField(null=True, blank=True)
    withdrawn = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["advisory_id"]
        verbose_name_plural = "advisories"
        constraints = [
            models.UniqueConstraint(fields=["advisory_id"], name="advisory_id_unique"),
        ]

    def __str__(self) -> str:
        return self.advisory_id


class AffectedPackage(models.Model):
    """A PyPI project an advisory affects, with the versions and ranges OSV gives."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="affected")
    name = models.CharField(max_length=200, help_text="The PyPI name, normalised (PEP 503).")
    ranges = models.JSONField(default=list, blank=True)
    versions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="affected_name_idx")]

    def __str__(self) -> str:
        return f"{self.advisory} affects {self.name}"


class PackageStatus(models.Model):
    """Status that staff or maintainers set beside the catalogue's deprecation fields."""

    package = models.OneToOneField(
        Package, on_delete=models.CASCADE, primary_key=True, related_name="status_flags"
    )
    needs_maintainer = models.BooleanField(default=False)
    needs_maintainer_since = models.DateTimeField(null=True, blank=True)
    note = models.TextField(
        blank=True, help_text="Why it is deprecated or what help it needs; plain text."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "package statuses"

    def __str__(self) -> str:
        return f"{self.package}: {'needs a maintainer' if self.needs_maintainer else 'maintained'}"
