"""Which packages need fetching, and what is known of past fetches."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from packyard.catalog.models import Package
from packyard.core.prepared import Prepared
from packyard.core.repositories import RepositoryHost
from packyard.refresh.models import FetchState, Source


def packages_due(*, now: datetime | None = None, limit: int) -> list[Package]:
    """Return packages to fetch now: never fetched first (newest first), then the longest due.

    A package is due when a source it has (its repository, its PyPI name) was never fetched
    or its next due time has come.
    """
    now = now or timezone.now()
    states = FetchState.objects.filter(package=OuterRef("pk"))
    never = Package.objects.filter(
        ~Exists(states.filter(source=Source.REPOSITORY))
        | (~Q(pypi_name="") & ~Exists(states.filter(source=Source.PYPI)))
    ).order_by("-created", "-id")
    chosen = list(never[:limit])
    if len(chosen) < limit:
        seen = [package.pk for package in chosen]
        due_ids = (
            FetchState.objects.filter(next_due_at__lte=now)
            .exclude(package_id__in=seen)
            .order_by("next_due_at")
            .values_list("package_id", flat=True)
        )
        wanted: list[int] = []
        for package_id in due_ids.iterator():
            if package_id not in wanted:
                wanted.append(package_id)
            if len(wanted) >= limit - len(chosen):
                break
        by_id = Package.objects.in_bulk(wanted)
        chosen.extend(by_id[package_id] for package_id in wanted if package_id in by_id)
    return chosen


def packages_stale(
    *, hours: float, host: str | None = None, now: datetime | None = None
) -> QuerySet[Package]:
    """Return packages whose code-host facts are older than `hours` (or never fetched)."""
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    packages = Package.objects.filter(
        Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lt=cutoff)
    )
    return packages_on_host(packages, host) if host else packages.order_by("id")


def packages_on_host(packages: QuerySet[Package], host: str) -> QuerySet[Package]:
    """Keep the packages on one kind of host ("github", "gitlab", ...)."""
    return packages.filter(repo_host=RepositoryHost(host)).order_by("id")


# What a package page's fetch status shows of each state.
FETCH_STATE_SHOWN_FIELDS = (
    "source",
    "status",
    "last_attempt_at",
    "last_success_at",
    "last_error",
    "next_due_at",
)


def fetch_states_of(*, package: Package) -> dict[str, dict[str, Any]]:
    """Return what a package's page shows of its fetch states, by source, each a dict of
    `FETCH_STATE_SHOWN_FIELDS` (one query)."""
    states = _FETCH_STATES.all(package_id=package.pk)
    return {state["source"]: state for state in states}


# Compiled once per process (`core.prepared`): a read on every package page.
_FETCH_STATES = Prepared(
    lambda package_id: FetchState.objects.filter(package_id=package_id).values(
        *FETCH_STATE_SHOWN_FIELDS
    ),
    package_id=int,
)


SCHEDULER_ROUND_KEY = "scheduler-last-round"
REFRESH_DUE_TASK_PATH = "packyard.refresh.tasks.refresh_due_task"


def scheduler_last_round() -> datetime | None:
    """Return when the scheduler last started a round (queued the due refresh), None if unknown.

    With Redis the scheduler notes the time in the shared cache. Without it the cache is each
    process's own, so the database backend's rows of the queued refresh are read instead.
    """
    noted = cache.get(SCHEDULER_ROUND_KEY)
    if isinstance(noted, datetime):
        return noted
    if not isinstance(task_backends["default"], DatabaseBackend):
        return None
    latest: datetime | None = DBTaskResult.objects.filter(
        task_path=REFRESH_DUE_TASK_PATH
    ).aggregate(latest=Max("enqueued_at"))["latest"]
    return latest
