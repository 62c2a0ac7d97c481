"""What Packyard knows about each fetch: when, what went wrong, and when to try again."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from packyard.catalog.models import Package


class Source(models.TextChoices):
    REPOSITORY = "repository", "code host"
    PYPI = "pypi", "PyPI"


class FetchStatus(models.TextChoices):
    NEVER = "never", "not fetched yet"
    OK = "ok", "fetched"
    FAILING = "failing", "last fetch failed"
    RATE_LIMITED = "rate_limited", "waiting for the host's rate limit"
    MISSING = "missing", "repository missing"
    NOT_ON_PYPI = "not_on_pypi", "not on PyPI"
    UNSUPPORTED = "unsupported", "host not supported"


class FetchState(models.Model):
    """One source of one package: the last attempt, the last success, the next due time."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="fetch_states")
    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(max_length=20, choices=FetchStatus.choices, default=FetchStatus.NEVER)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_not_found = models.PositiveIntegerField(default=0)
    next_due_at = models.DateTimeField(default=timezone.now)
    validators = models.JSONField(
        default=dict, blank=True, help_text="ETags and the bodies they stand for, per URL."
    )
    fetched_description = models.TextField(
        blank=True,
        help_text="The description the host gave last; a person's edit differs and is kept.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["package", "source"], name="fetch_state_unique"),
        ]
        indexes = [models.Index(fields=["next_due_at"], name="fetch_state_due_idx")]

    def __str__(self) -> str:
        return f"{self.package} from {self.get_source_display()}: {self.get_status_display()}"
