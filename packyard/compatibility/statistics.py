"""How many packages work with each Django and Python release, for the statistics page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count
from django.db.models.functions import TruncMonth

from packyard.catalog.statistics import month_of
from packyard.compatibility.models import (
    PackageCompatibility,
    Product,
    ReleaseCycle,
    SupportSnapshot,
    WorkingShare,
)
from packyard.compatibility.rules import Answer


@dataclass(frozen=True)
class CycleShare(WorkingShare):
    """A release cycle with how many packages answer yes, no and unknown for it."""

    cycle: ReleaseCycle
    yes: int
    no: int
    unknown: int
    packages: int


def support_by_cycle(*, packages: int) -> dict[str, list[CycleShare]]:
    """Return, for Django and Python, each release cycle, oldest first, with its answers.

    The directory keeps each package's current answer, not past ones, so the releases, in the
    order they came out, are the time line: how support spreads from old releases to new.
    `packages` (the directory's size) is the whole of each share: a package without an answer
    does not count as working. Two queries.
    """
    cycles = ReleaseCycle.objects.order_by("product", "major", "minor")
    counts: dict[tuple[int, str], int] = {}
    rows = PackageCompatibility.objects.values("cycle_id", "answer").annotate(count=Count("id"))
    for row in rows.order_by():
        counts[row["cycle_id"], row["answer"]] = row["count"]
    shares: dict[str, list[CycleShare]] = {product.value: [] for product in Product}
    for cycle in cycles:
        shares[cycle.product].append(
            CycleShare(
                cycle=cycle,
                yes=counts.get((cycle.pk, Answer.YES), 0),
                no=counts.get((cycle.pk, Answer.NO), 0),
                unknown=counts.get((cycle.pk, Answer.UNKNOWN), 0),
                packages=packages,
            )
        )
    return shares


def works_recorded_by_month(*, cycles: Sequence[ReleaseCycle]) -> dict[int, dict[date, int]]:
    """Count each cycle's current "works" answers by the month they were recorded (one query).

    An answer's time is when it last changed: an answer that went from "unknown" to "yes"
    counts in the month of the "yes". Returns {cycle id: {first day of the month: count}}.
    """
    rows = (
        PackageCompatibility.objects.filter(cycle__in=[cycle.pk for cycle in cycles])
        .filter(answer=Answer.YES)
        .annotate(month=TruncMonth("computed_at"))
        .values("cycle_id", "month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[date, int]] = {cycle.pk: {} for cycle in cycles}
    for row in rows:
        counts[row["cycle_id"]][month_of(row["month"])] = row["count"]
    return counts


# The history drawn: two years of daily rows at most, whatever the age of the directory.
HISTORY_DAYS = 730


def support_history(*, cycles: Sequence[ReleaseCycle], today: date) -> list[SupportSnapshot]:
    """Return the daily snapshots of these cycles over the last two years, oldest first.

    One query; the number of rows grows with days recorded (capped), not with packages.
    """
    since = today - timedelta(days=HISTORY_DAYS)
    return list(
        SupportSnapshot.objects.filter(cycle__in=[cycle.pk for cycle in cycles], day__gte=since)
        .order_by("day", "cycle_id")
        .only("day", "cycle_id", "yes", "packages")
    )
