"""Categories, packages and their releases."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from packyard.core.models import TimeStampedModel, TriggerKeptModel
from packyard.core.repositories import RepositoryHost
from packyard.core.urls import reverse_kept

WEEKS_OF_ACTIVITY = 52


class Category(TriggerKeptModel, TimeStampedModel):
    title = models.CharField(max_length=50)
    slug = models.SlugField(max_length=50)
    title_plural = models.CharField(max_length=50, blank=True)
    description = models.TextField(blank=True)
    show_pypi = models.BooleanField(default=True, help_text="Show PyPI facts on this category.")
    package_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Kept by database triggers (catalog.counts)."
    )
    trigger_kept = ("package_count",)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="category_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_kept("catalog:category", slug=self.slug)


class PackageQuerySet(models.QuerySet["Package"]):
    def for_lists(self) -> PackageQuerySet:
        """Select what list pages show of each package, in a fixed number of queries."""
        return self.select_related("category")

    def live(self) -> PackageQuerySet:
        """Keep packages that are neither archived nor deprecated."""
        return self.filter(archived_at__isnull=True, deprecated_at__isnull=True)


# Package fields written only by database triggers (packyard.accounts.counts,
# packyard.catalog.counts, packyard.catalog.facts).
TRIGGER_KEPT = ("favourite_count", "use_count", "release_count", "facts_version")


class Package(TriggerKeptModel, TimeStampedModel):
    """A Django package, with facts fetched from its code host and PyPI.

    A fact that was never fetched is NULL (shown as "not fetched yet"), never 0.
    """

    # A save never writes these: an old count would come back, and an old facts version
    # would make stale HTML look fresh.
    trigger_kept = TRIGGER_KEPT

    title = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="packages")
    repo_url = models.URLField(
        "repository URL",
        max_length=500,
        blank=True,
        help_text="As it was entered or imported; its host and key are derived from it.",
    )
    repo_host = models.CharField(
        "repository host",
        max_length=20,
        choices=RepositoryHost.choices,
        default=RepositoryHost.OTHER,
    )
    # NULL, not "", when there is no repository: NULLs never clash in the unique constraint.
    repo_key = models.CharField(  # noqa: DJ001
        "repository key",
        max_length=500,
        null=True,
        blank=True,
        editable=False,
        help_text="The normalised, lower-case repository address; one package per repository.",
    )
    pypi_name = models.CharField("PyPI name", max_length=200, blank=True, db_index=True)
    pypi_url = models.CharField("PyPI URL", max_length=500, blank=True)
    # NULL means "no release on PyPI", as API v4 serves it.
    pypi_version = models.CharField(  # noqa: DJ001
        "latest PyPI version",
        max_length=100,
        null=True,
        blank=True,
        help_text="The highest final, non-yanked release by PEP 440.",
    )
    latest_release_at = models.DateTimeField(
        "latest release date", null=True, blank=True, help_text="Upload time of the latest version."
    )
    # Upstream records carry both null and "": each is served back as it came.
    documentation_url = models.URLField(max_length=500, null=True, blank=True)  # noqa: DJ001
    description = models.TextField(blank=True)

    # Facts from the code host; NULL until fetched.
    stars = models.PositiveIntegerField(null=True, blank=True)
    forks = models.PositiveIntegerField(null=True, blank=True)
    contributors = models.JSONField(
        null=True, blank=True, help_text="Logins, most commits first, as the host lists them."
    )
    commits_over_52 = models.JSONField(
        "commits over 52 weeks",
        null=True,
        blank=True,
        help_text="52 weekly commit counts, oldest first; the last is the current week.",
    )
    total_commits = models.PositiveIntegerField(null=True, blank=True)
    last_commit_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(
        null=True, blank=True, help_text="When facts last came from the code host."
    )
    repo_missing_since = models.DateTimeField(
        "repository missing since",
        null=True,
        blank=True,
        help_text="Set after repeated 404s from the host; cleared when the repository is back.",
    )

    # Facts from PyPI; empty until fetched.
    pypi_summary = models.TextField("PyPI summary", blank=True)
    pypi_keywords = models.CharField("PyPI keywords", max_length=500, blank=True)
    requires_dist = models.JSONField(
        null=True, blank=True, help_text="The latest release's requirements (PEP 508 strings)."
    )
    changelog_url = models.URLField(max_length=500, blank=True)
    vulnerabilities = models.JSONField(
        null=True, blank=True, help_text="Advisories PyPI lists for the latest release."
    )
    pypi_project_status = models.CharField(
        "PyPI project status", max_length=30, blank=True, help_text="PEP 792, when PyPI gives it."
    )

    deprecated_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # How many people favourite the package and say they use it: kept by database triggers on
    # their marks (packyard.accounts.counts), so no page counts the marks table.
    favourite_count = models.PositiveIntegerField(default=0, editable=False)
    use_count = models.PositiveIntegerField(default=0, editable=False)
    # How many releases it has: kept by database triggers on the releases
    # (packyard.catalog.counts), so its page pages them without counting them.
    release_count = models.PositiveIntegerField(default=0, editable=False)
    # A number that grows whenever something a summary of the package shows changes (its facts,
    # its latest release, its category's title, its replacement's, its score): kept by database
    # triggers (packyard.catalog.facts), so HTML made of those facts is kept with the number
    # it was made at, and is known to be stale by comparing two numbers.
    facts_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = PackageQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="package_slug_unique"),
            models.UniqueConstraint(fields=["repo_key"], name="package_repo_key_unique"),
            models.CheckConstraint(
                condition=Q(repo_host__in=RepositoryHost.values), name="package_repo_host_known"
            ),
            models.CheckConstraint(
                condition=~Q(replaced_by=F("pk")), name="package_not_replaced_by_itself"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="package_slug_not_empty"),
        ]
        # One index for each order of the lists (catalog.selectors.PACKAGE_SORTS), so a page
        # reads its rows in order from either end instead of sorting every package. The sorts
        # by a fact that may be NULL (stars, forks, last commit, last release) have theirs in
        # migration 0003, as PostgreSQL needs `DESC NULLS LAST` said, which SQLite refuses.
        indexes = [
            models.Index(F("created").desc(), F("id").desc(), name="package_created_idx"),
            models.Index(Lower("title"), "id", name="package_title_idx"),
            # The sitemap's latest change: one index look-up instead of reading every row.
            models.Index("modified", name="package_modified_idx"),
            # The most liked packages, in the list's order.
            models.Index(
                F("favourite_count").desc(),
                F("use_count").desc(),
                "title",
                "id",
                name="package_liked_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_kept("catalog:package", slug=self.slug)

    @property
    def is_host_supported(self) -> bool:
        return self.repo_host != RepositoryHost.OTHER

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_deprecated(self) -> bool:
        return self.deprecated_at is not None

    @property
    def is_repo_missing(self) -> bool:
        return self.repo_missing_since is not None

    @property
    def pypi_project_url(self) -> str:
        """Return the PyPI page to link to: the stored URL, or one made from the name."""
        if self.pypi_name:
            return f"https://pypi.org/project/{self.pypi_name}/"
        return self.pypi_url

    @property
    def repo_domain(self) -> str:
        """Return the host part of the repository URL."""
        return urlsplit(self.repo_url).netloc.lower().removeprefix("www.") if self.repo_url else ""

    @property
    def contributor_links(self) -> list[tuple[str, str, bool]]:
        """Return each contributor's name, profile URL on the code host, and whether a bot.

        GitHub and Forgejo list account logins, which are profile paths; GitLab and Bitbucket
        list author names, which are not, so those get no link ("").
        """
        logins: list[str] = self.contributors or []
        domain = self.repo_domain
        profiles = self.repo_host in {RepositoryHost.GITHUB, RepositoryHost.FORGEJO}
        links = []
        for login in logins:
            is_bot = login.endswith("[bot]")
            if not profiles or "/" in login or " " in login:
                url = ""
            elif is_bot and domain == "github.com":
                # GitHub shows an app's bot account at /apps/<name>, not at /<name>[bot].
                url = f"https://github.com/apps/{login.removesuffix('[bot]')}"
            else:
                url = f"https://{domain}/{login}"
            links.append((login, url, is_bot))
        return links

    @property
    def commits_last_year(self) -> int | None:
        """Return the commits of the last 52 weeks, or None when never fetched."""
        weeks: list[int] | None = self.commits_over_52
        return None if weeks is None else sum(weeks)


class Release(models.Model):
    """One version of a package as PyPI lists it."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=100)
    upload_time = models.DateTimeField(
        null=True, blank=True, help_text="When the first file of this version was uploaded (UTC)."
    )
    yanked = models.BooleanField(default=False)
    yanked_reason = models.TextField(blank=True)
    is_prerelease = models.BooleanField("pre-release", default=False)
    license = models.CharField("licence", max_length=300, blank=True)
    requires_python = models.CharField(max_length=200, blank=True)
    classifiers = models.JSONField(default=list, blank=True)
    development_status = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["-upload_time", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "version"], name="release_version_unique"),
            models.CheckConstraint(condition=~Q(version=""), name="release_version_not_empty"),
        ]
        indexes = [models.Index(fields=["-upload_time"], name="release_upload_time_idx")]

    def __str__(self) -> str:
        return f"{self.package} {self.version}"
