"""Comparison grids: packages side by side, with features the community writes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.core.models import TimeStampedModel, TriggerKeptModel
from packyard.core.urls import reverse_kept


class Grid(TriggerKeptModel, TimeStampedModel):
    title = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True)
    is_locked = models.BooleanField(
        default=False, help_text="Only staff and the grid's stewards may edit a locked grid."
    )
    header = models.BooleanField(default=False, help_text="Show this grid on the home page.")
    packages = models.ManyToManyField(Package, through="GridPackage", related_name="grids")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # How many packages it compares: kept by database triggers on the memberships
    # (packyard.grids.counts), so lists and the home page sort grids without counting them.
    package_count = models.PositiveIntegerField(default=0, editable=False)
    trigger_kept = ("package_count",)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="grid_slug_unique"),
            models.CheckConstraint(condition=~models.Q(slug=""), name="grid_slug_not_empty"),
        ]
        indexes = [
            # The home page's grids, the biggest first: read in order from the index.
            models.Index(
                F("package_count").desc(),
                "title",
                name="grid_header_idx",
                condition=models.Q(header=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_kept("grids:grid", slug=self.slug)


class GridPackage(models.Model):
    """A package's column in a grid."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="memberships")
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="grid_memberships")
    created = models.DateTimeField("date added", default=timezone.now)

    class Meta:
        ordering = ["grid", "package__title"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "package"], name="grid_package_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.package} in {self.grid}"


class Feature(TriggerKeptModel, TimeStampedModel):
    """A row of a grid that the community writes."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="features")
    title = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    # Its cells' HTML with their memberships, kept by database triggers on the cells
    # (packyard.grids.feature_cells), so a grid page reads a row with its feature. The other
    # reads of features defer it: a row of 500 cells is tens of KB.
    cells = models.TextField(default="", blank=True, editable=False)
    trigger_kept = ("cells",)

    class Meta:
        ordering = ["grid", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Element(TimeStampedModel):
    """One cell of a grid: what a feature says about a package."""

    grid_package = models.ForeignKey(GridPackage, on_delete=models.CASCADE, related_name="elements")
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="elements")
    text = models.TextField(blank=True, help_text="A short text; a small Markdown subset.")
    # The text rendered and sanitised once, by the services that write it, so that showing a
    # grid of thousands of cells renders no Markdown (packyard.core.markup).
    text_html = models.TextField(
        "text as HTML", blank=True, editable=False, help_text="The text, rendered and sanitised."
    )
    # Raised by one on every save of the text, so that a save made from an older text is
    # caught (compare-and-set in `element_set`) instead of overwriting a newer one.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grid_package", "feature"], name="element_cell_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.feature}: {self.grid_package.package}"


class GridColumn(models.Model):
    """A package's cells as every grid shows them, made once and kept while they hold.

    The HTML of the standard and scoring cells of a package's column (made by
    `packyard.pages.grids`), with the package's facts version it was made at
    (`packyard.catalog.facts`) and the format of the code that made it: a grid uses it while both
    match and makes the column again otherwise. Its rows are derived data, written when a grid
    is read: they stay out of the data version (`packyard.core.versions`), as writing them
    changes nothing any page shows.
    """

    # Read by packyard.core.versions: writes to this table do not move the data version.
    DERIVED_DATA = True

    package = models.OneToOneField(
        Package, on_delete=models.CASCADE, primary_key=True, related_name="grid_column"
    )
    facts_version = models.PositiveBigIntegerField()
    format = models.CharField(max_length=100)
    cells = models.TextField()

    def __str__(self) -> str:
        return f"{self.package_id} at {self.facts_version}"
