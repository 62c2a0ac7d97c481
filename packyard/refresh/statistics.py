"""How fresh the facts are and where fetches fail, for the statistics page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from packyard.catalog.models import Package
from packyard.core.repositories import RepositoryHost
from packyard.refresh.models import FetchState, FetchStatus, Source

# Sources with nothing to fetch (no PyPI project, an unsupported host) never go stale.
PERMANENT_ANSWERS = (FetchStatus.NOT_ON_PYPI, FetchStatus.UNSUPPORTED)
# What counts as a failure, as FetchStatus names it, in the order the page shows them.
FAILURES = (FetchStatus.FAILING, FetchStatus.RATE_LIMITED, FetchStatus.MISSING)
PYPI = "pypi"


@dataclass(frozen=True)
class Freshness:
    """How many packages have every fact fetched within the refresh interval."""

    packages: int
    fresh: int
    never: int
    interval_hours: float

    @property
    def stale(self) -> int:
        return self.packages - self.fresh - self.never

    @property
    def percent(self) -> int:
        return round(100 * self.fresh / self.packages) if self.packages else 100


@dataclass
class HostFailures:
    """The sources on one host (a kind of code host, or PyPI) whose last fetch went wrong."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def freshness(*, now: datetime, interval_hours: float) -> Freshness:
    """Count packages whose every source was fetched within `interval_hours` (one query).

    A package counts as fresh when it has been fetched at all and no source that has
    something to fetch is older than the interval; never fetched is its own number.
    """
    cutoff = now - timedelta(hours=interval_hours)
    states = FetchState.objects.filter(package=OuterRef("pk"))
    stale_states = states.exclude(status__in=PERMANENT_ANSWERS).filter(
        Q(last_success_at__isnull=True) | Q(last_success_at__lt=cutoff)
    )
    counts = Package.objects.aggregate(
        total=Count("pk"),
        fresh=Count("pk", filter=Q(Exists(states)) & ~Q(Exists(stale_states))),
        never=Count("pk", filter=~Q(Exists(states))),
    )
    return Freshness(
        packages=counts["total"],
        fresh=counts["fresh"],
        never=counts["never"],
        interval_hours=interval_hours,
    )


def failures_by_host() -> list[HostFailures]:
    """Return each code host, then PyPI, with its sources failing, rate limited or missing.

    Every supported host is listed, with zeros when nothing fails there. One query.
    """
    hosts = {
        host.value: HostFailures(label=host.label)
        for host in RepositoryHost
        if host != RepositoryHost.OTHER
    }
    hosts[PYPI] = HostFailures(label="PyPI")
    rows = (
        FetchState.objects.filter(status__in=FAILURES)
        .values("source", "package__repo_host", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        key = PYPI if row["source"] == Source.PYPI else row["package__repo_host"]
        if key not in hosts:  # A package on a host Packyard cannot fetch from (yet).
            hosts[key] = HostFailures(label=dict(RepositoryHost.choices).get(key, key))
        host = hosts[key]
        host.counts[row["status"]] = host.counts.get(row["status"], 0) + row["count"]
    return list(hosts.values())
