"""Release cycles of Django and Python, and each package's answer for each of them."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.compatibility.rules import Answer, Basis, Target
from packyard.core.urls import reverse_kept


class Product(models.TextChoices):
    DJANGO = "django", "Django"
    PYTHON = "python", "Python"


class ReleaseCycleQuerySet(models.QuerySet["ReleaseCycle"]):
    def supported_on(self, day: date) -> ReleaseCycleQuerySet:
        """Keep the cycles released by `day` whose security support has not ended."""
        released = models.Q(release_date__isnull=True) | models.Q(release_date__lte=day)
        open_ended = models.Q(eol__isnull=True) & ~models.Q(eol_reached=True)
        return self.filter(released & (open_ended | models.Q(eol__gt=day)))


class ReleaseCycle(models.Model):
    """A feature release of Django or Python ("5.2", "3.13"), as endoflife.date lists it."""

    product = models.CharField(max_length=10, choices=Product.choices)
    cycle = models.CharField(max_length=20)
    major = models.PositiveSmallIntegerField()
    minor = models.PositiveSmallIntegerField()
    release_date = models.DateField(null=True, blank=True)
    support = models.DateField(
        "end of active support", null=True, blank=True, help_text="Bug fixes end on this day."
    )
    eol = models.DateField(
        "end of security support", null=True, blank=True, help_text="Security fixes end."
    )
    eol_reached = models.BooleanField(
        null=True, blank=True, help_text="Given instead of a date when the end has no date."
    )
    lts = models.BooleanField("long-term support", default=False)
    latest = models.CharField("latest patch release", max_length=30, blank=True)
    modified = models.DateTimeField(default=timezone.now)

    objects = ReleaseCycleQuerySet.as_manager()

    class Meta:
        ordering = ["product", "-major", "-minor"]
        constraints = [
            models.UniqueConstraint(fields=["product", "cycle"], name="release_cycle_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_product_display()} {self.cycle}"

    def get_absolute_url(self) -> str:
        return reverse_kept("compatibility:readiness_cycle", product=self.product, cycle=self.cycle)

    @property
    def target(self) -> Target:
        return Target(product=self.product, cycle=self.cycle, latest=self.latest)

    def is_released_on(self, day: date) -> bool:
        return self.release_date is None or self.release_date <= day

    def has_ended_on(self, day: date) -> bool:
        if self.eol is not None:
            return self.eol <= day
        return bool(self.eol_reached)

    def is_supported_on(self, day: date) -> bool:
        return self.is_released_on(day) and not self.has_ended_on(day)

    def phase_on(self, day: date) -> str:
        """Return "upcoming", "supported" or "end of life" on a day."""
        if not self.is_released_on(day):
            return "upcoming"
        return "end of life" if self.has_ended_on(day) else "supported"

    @property
    def phase(self) -> str:
        return self.phase_on(timezone.localdate())


class PackageCompatibility(models.Model):
    """Whether a package's latest release works with one release cycle, and why we think so."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="compatibility")
    cycle = models.ForeignKey(ReleaseCycle, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(max_length=10, choices=[(a.value, a.value) for a in Answer])
    basis = models.CharField(max_length=20, choices=[(b.value, b.value) for b in Basis])
    evidence = models.TextField()
    release_version = models.CharField(
        max_length=100, blank=True, help_text="The release the answer is about."
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cycle", "package"]
        verbose_name_plural = "package compatibility"
        constraints = [
            models.UniqueConstraint(fields=["package", "cycle"], name="package_cycle_unique"),
            models.CheckConstraint(
                condition=models.Q(answer__in=[answer.value for answer in Answer]),
                name="package_compatibility_answer_known",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "answer"], name="compatibility_answer_idx")]

    def __str__(self) -> str:
        return f"{self.package} with {self.cycle}: {self.answer}"


class WorkingShare:
    """How many of the directory's packages work with a release cycle (`yes` of `packages`),
    as a share and a whole percent: of today's answers or of a day's snapshot."""

    yes: int
    packages: int

    @property
    def share(self) -> float:
        """Return the share of every package in the directory that works with the cycle."""
        return self.yes / self.packages if self.packages else 0.0

    @property
    def percent(self) -> int:
        return round(self.share * 100)


class SupportSnapshot(WorkingShare, models.Model):
    """How many packages worked with a release cycle on one day: the history of the answers.

    Answers are recomputed as packages release, so the current ones say nothing of the past;
    the scheduler records one row per cycle each day (`support_snapshot_task`), and the
    statistics page draws the share of packages working with each release over time from them.
    """

    day = models.DateField()
    cycle = models.ForeignKey(ReleaseCycle, on_delete=models.CASCADE, related_name="snapshots")
    yes = models.PositiveIntegerField(help_text="Packages whose answer was that they work.")
    no = models.PositiveIntegerField(help_text="Packages whose answer was that they do not.")
    unknown = models.PositiveIntegerField(help_text="Packages whose answer was unknown.")
    packages = models.PositiveIntegerField(help_text="Packages in the directory that day.")

    class Meta:
        ordering = ["day", "cycle"]
        constraints = [
            models.UniqueConstraint(fields=["day", "cycle"], name="support_snapshot_day_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} on {self.day}: {self.yes} of {self.packages}"
