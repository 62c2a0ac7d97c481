"""People and what they contribute besides edits: profiles, stewardships, favourites and
"I use this" marks, flags of bad data, proposals of deprecation, sites that use a package."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.core.models import TimeStampedModel
from packyard.grids.models import Grid


class Profile(TimeStampedModel):
    """A person's public page: their GitHub login and what they choose to show."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # NULL for staff who sign in with a password only: NULLs never clash in the constraint.
    github_login = models.CharField(  # noqa: DJ001
        "GitHub login", max_length=39, null=True, blank=True
    )
    github_id = models.PositiveBigIntegerField("GitHub account id", null=True, blank=True)
    github_created_at = models.DateTimeField(
        "GitHub account created", null=True, blank=True, help_text="As GitHub's API gives it."
    )
    avatar_url = models.URLField(max_length=500, blank=True)
    name = models.CharField(max_length=100, blank=True)
    bio = models.TextField(max_length=500, blank=True)
    share_favourites = models.BooleanField(
        default=False, help_text="Show the packages I favourite on my profile."
    )

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(Lower("github_login"), name="profile_github_login_unique"),
        ]

    def __str__(self) -> str:
        return self.login

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"login": self.login})

    @property
    def login(self) -> str:
        """Return the name in the profile's address: the GitHub login, else the username."""
        return self.github_login or self.user.get_username()


class Stewardship(models.Model):
    """A person trusted by staff with one package or grid.

    Stewards of a grid edit it when it is locked, delete its features and remove its
    packages; stewards of a package change its repository URL and slug. A grid's creator and
    a package's contributors (by GitHub login) are its stewards without a row here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stewardships"
    )
    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, null=True, blank=True, related_name="stewardships"
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.CASCADE, null=True, blank=True, related_name="stewardships"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(package__isnull=True) & Q(grid__isnull=False))
                | (Q(package__isnull=False) & Q(grid__isnull=True)),
                name="stewardship_of_one_thing",
            ),
            models.UniqueConstraint(fields=["user", "package"], name="stewardship_package_once"),
            models.UniqueConstraint(fields=["user", "grid"], name="stewardship_grid_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} stewards {self.package or self.grid}"


class MarkKind(models.TextChoices):
    FAVOURITE = "favourite", "favourite"
    USE = "use", "I use this"


class Mark(models.Model):
    """A person's favourite, or their "I use this", on a package."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marks"
    )
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="marks")
    kind = models.CharField(max_length=10, choices=MarkKind.choices)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "package", "kind"], name="mark_once"),
            models.CheckConstraint(condition=Q(kind__in=MarkKind.values), name="mark_kind_known"),
        ]
        indexes = [models.Index(fields=["package", "kind"], name="mark_package_kind_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.package}"


class Review(models.TextChoices):
    """Where a proposal stands: waiting for staff, accepted, or rejected."""

    PENDING = "pending", "waiting for review"
    ACCEPTED = "accepted", "accepted"
    REJECTED = "rejected", "rejected"


class Reviewed(models.Model):
    """A proposal that staff accept or reject."""

    status = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    created = models.DateTimeField(default=timezone.now, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.status == Review.PENDING


class FlagTopic(models.TextChoices):
    REPOSITORY = "repository", "repository URL"
    PYPI = "pypi", "PyPI name"
    DESCRIPTION = "description", "description"
    CATEGORY = "category", "category"
    DUPLICATE = "duplicate", "listed twice"
    SPAM = "spam", "spam or not a Django package"
    OTHER = "other", "something else"


class Flag(Reviewed):
    """A report that something about a package is wrong, with the reason."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="flags")
    topic = models.CharField("what is wrong", max_length=20, choices=FlagTopic.choices)
    reason = models.TextField(max_length=1000)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="flags"
    )

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "-created"], name="flag_status_idx")]

    def __str__(self) -> str:
        return f"{self.package}: {self.get_topic_display()}"


class DeprecationProposal(Reviewed):
    """A proposal that a package is deprecated, and which package replaces it."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="deprecation_proposals"
    )
    replaced_by = models.ForeignKey(
        Package, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(max_length=1000)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(replaced_by=models.F("package")), name="proposal_not_replaced_by_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package} deprecated" + (
            f", use {self.replaced_by}" if self.replaced_by else ""
        )


class SiteEntry(Reviewed):
    """A site that uses a package, shown on its page once staff accept it."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="site_entries")
    name = models.CharField(max_length=100)
    url = models.URLField("address", max_length=500)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "site entries"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "url"], name="site_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} uses {self.package}"
