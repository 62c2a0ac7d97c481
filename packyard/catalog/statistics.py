"""Counts of the catalogue for the statistics page, each in one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from packyard.catalog.models import Category, Package
from packyard.core.repositories import RepositoryHost

# The statuses as API v5 names them (`?status=`), in the order a package earns them: an
# archived package that is also deprecated counts as archived, as its record says.
STATUS_LABELS = {
    "maintained": "Maintained",
    "archived": "Archived",
    "deprecated": "Deprecated",
    "missing": "Repository missing",
}
_ARCHIVED = Q(archived_at__isnull=False)
_DEPRECATED = Q(archived_at__isnull=True, deprecated_at__isnull=False)
_MISSING = Q(archived_at__isnull=True, deprecated_at__isnull=True, repo_missing_since__isnull=False)
_MAINTAINED = Q(
    archived_at__isnull=True, deprecated_at__isnull=True, repo_missing_since__isnull=True
)


@dataclass(frozen=True)
class Tally:
    """One labelled count, with the address of the page that lists it ("" when none)."""

    label: str
    count: int
    url: str = ""


@dataclass(frozen=True)
class MonthCount:
    month: date
    count: int


def packages_by_status() -> tuple[int, list[Tally]]:
    """Return how many packages there are, and how many have each status (one query)."""
    counts = Package.objects.aggregate(
        total=Count("pk"),
        maintained=Count("pk", filter=_MAINTAINED),
        archived=Count("pk", filter=_ARCHIVED),
        deprecated=Count("pk", filter=_DEPRECATED),
        missing=Count("pk", filter=_MISSING),
    )
    return counts["total"], [Tally(label, counts[key]) for key, label in STATUS_LABELS.items()]


def packages_by_category() -> list[Tally]:
    """Return each category with its packages, most first (one query, counted, not stored)."""
    rows = Category.objects.annotate(count=Count("packages")).order_by("-count", "title")
    return [Tally(row.title, row.count, row.get_absolute_url()) for row in rows]


def packages_by_host() -> list[Tally]:
    """Return how many packages each kind of code host holds, most first (one query)."""
    labels = dict(RepositoryHost.choices)
    rows = Package.objects.values("repo_host").annotate(count=Count("pk")).order_by()
    counts = [Tally(labels.get(row["repo_host"], row["repo_host"]), row["count"]) for row in rows]
    return sorted(counts, key=lambda item: (-item.count, item.label))


def packages_added_by_month() -> list[MonthCount]:
    """Return how many packages were added each month, oldest first, months without any
    included as 0 (one query)."""
    rows = (
        Package.objects.annotate(month=TruncMonth("created"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )
    found = {month_of(row["month"]): row["count"] for row in rows}
    if not found:
        return []
    return [
        MonthCount(month, found.get(month, 0)) for month in months_between(min(found), max(found))
    ]


def month_of(moment: date) -> date:
    """Return the first day of a date's (or an aware datetime's) calendar month."""
    return date(moment.year, moment.month, 1)


def months_between(first: date, last: date) -> list[date]:
    """Return the first day of every month from `first`'s to `last`'s, both included."""
    months = []
    month, last = month_of(first), month_of(last)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months
