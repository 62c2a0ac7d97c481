"""Fetch many packages at once: requests to each host run in parallel, bounded per host.

Fetching happens in worker threads (sources are pure HTTP clients); every result is applied
in the calling thread, one atomic transaction per package and source, as it arrives. A host
whose rate budget is spent puts its remaining packages off to its reset time, while the other
hosts go on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.core.repositories import InvalidRepositoryURL, Repository, parse_repository_url
from packyard.refresh.budgets import CacheRateBudget
from packyard.refresh.models import FetchState, Source
from packyard.refresh.services import (
    Change,
    package_apply_pypi,
    package_apply_repository,
    package_mark_unsupported,
    package_record_failure,
)
from packyard.sources import registry
from packyard.sources.errors import SourceError, UpstreamError
from packyard.sources.pypi import PYPI_HOST
from packyard.sources.types import PyPIProject, RepositoryFacts, Validators

logger = logging.getLogger(__name__)

GITHUB_BATCH = 50


@dataclass(frozen=True)
class Outcome:
    """What one fetch of one package from one source gave."""

    package_id: int
    source: Source
    result: RepositoryFacts | PyPIProject | SourceError
    validators: Validators
    asked: str  # The repository key or PyPI name fetched; stale if the package changed since.


@dataclass
class RefreshSummary:
    """What a refresh run did."""

    changes: list[Change] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for change in self.changes if change.error)

    @property
    def changed(self) -> int:
        return sum(1 for change in self.changes if change.fields)

    def __str__(self) -> str:
        return (
            f"{len(self.changes)} fetches: {self.changed} changed something, "
            f"{len(self.changes) - self.changed - self.failed} unchanged, {self.failed} failed"
        )


@dataclass
class _Plan:
    """Fetch jobs grouped by the host they call."""

    jobs: dict[str, list[Callable[[], list[Outcome]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    pending: int = 0


def _validators(
    states: dict[tuple[int, str], FetchState], package_id: int, source: Source
) -> Validators:
    state = states.get((package_id, source))
    return Validators(entries=dict(state.validators) if state and state.validators else {})


def _guarded(
    fetch: Callable[[], RepositoryFacts | PyPIProject],
    *,
    package_id: int,
    source: Source,
    validators: Validators,
    asked: str,
) -> Callable[[], list[Outcome]]:
    def run() -> list[Outcome]:
        result: RepositoryFacts | PyPIProject | SourceError
        try:
            result = fetch()
        except SourceError as error:
            result = error
        except Exception as error:  # A bug in a client must not stop the whole run.
            logger.exception("Fetching package %s from %s failed unexpectedly", package_id, source)
            result = UpstreamError(f"unexpected {type(error).__name__}: {error}")
        return [Outcome(package_id, source, result, validators, asked)]

    return run


def _github_batch(
    client: Any,
    batch: list[tuple[int, Repository, Validators]],
) -> Callable[[], list[Outcome]]:
    def run() -> list[Outcome]:
        repositories = [repository for _, repository, _ in batch]
        validators_by_key = {repository.key: validators for _, repository, validators in batch}
        try:
            results = client.fetch_many(repositories, validators_by_key)
        except SourceError as error:
            results = {repository.key: error for repository in repositories}
        except Exception as error:  # A bug in a client must not stop the whole run.
            logger.exception("A GitHub batch failed unexpectedly")
            failure = UpstreamError(f"unexpected {type(error).__name__}: {error}")
            results = {repository.key: failure for repository in repositories}
        return [
            Outcome(
                package_id,
                Source.REPOSITORY,
                results.get(repository.key, UpstreamError("no answer for this repository")),
                validators,
                repository.key,
            )
            for package_id, repository, validators in batch
        ]

    return run


def _plan(packages: Sequence[Package], sources: Iterable[Source], summary: RefreshSummary) -> _Plan:
    plan = _Plan()
    budget = CacheRateBudget()
    wanted = set(sources)
    states = {
        (state.package_id, state.source): state
        for state in FetchState.objects.filter(package__in=[package.pk for package in packages])
    }
    github_batches: dict[str, list[tuple[int, Repository, Validators]]] = defaultdict(list)
    now = timezone.now()
    for package in packages:
        if Source.REPOSITORY in wanted:
            repository: Repository | None
            try:
                repository = parse_repository_url(package.repo_url) if package.repo_url else None
            except InvalidRepositoryURL:
                repository = None
            if repository is None:
                summary.changes.append(
                    package_mark_unsupported(package_id=package.pk, checked_at=now)
                )
            else:
                validators = _validators(states, package.pk, Source.REPOSITORY)
                client = registry.client_for(repository, budget=budget)
                host = registry.host_key(repository)
                if hasattr(client, "fetch_many") and getattr(client, "graphql", False):
                    github_batches[host].append((package.pk, repository, validators))
                else:
                    plan.jobs[host].append(
                        _guarded(
                            partial(client.fetch, repository, validators),
                            package_id=package.pk,
                            source=Source.REPOSITORY,
                            validators=validators,
                            asked=repository.key,
                        )
                    )
                    plan.pending += 1
        if Source.PYPI in wanted and package.pypi_name:
            validators = _validators(states, package.pk, Source.PYPI)
            pypi = registry.pypi_client(budget=budget)
            plan.jobs[PYPI_HOST].append(
                _guarded(
                    partial(pypi.fetch, package.pypi_name, validators),
                    package_id=package.pk,
                    source=Source.PYPI,
                    validators=validators,
                    asked=package.pypi_name,
                )
            )
            plan.pending += 1
    for host, entries in github_batches.items():
        client = registry.client_for(entries[0][1], budget=budget)
        for start in range(0, len(entries), GITHUB_BATCH):
            batch = entries[start : start + GITHUB_BATCH]
            plan.jobs[host].append(_github_batch(client, batch))
            plan.pending += len(batch)
    return plan


def _apply(outcome: Outcome) -> Change:
    """Apply one outcome; an error while applying it is recorded, never raised."""
    now = timezone.now()
    result = outcome.result
    try:
        if isinstance(result, SourceError):
            return package_record_failure(
                package_id=outcome.package_id,
                source=outcome.source,
                error=result,
                attempted_at=now,
            )
        if isinstance(result, RepositoryFacts):
            return package_apply_repository(
                package_id=outcome.package_id,
                facts=result,
                validators=outcome.validators,
                fetched_at=now,
                asked_key=outcome.asked,
            )
        return package_apply_pypi(
            package_id=outcome.package_id,
            project=result,
            validators=outcome.validators,
            fetched_at=now,
            asked_name=outcome.asked,
        )
    except Package.DoesNotExist:
        return Change(package=str(outcome.package_id), source=outcome.source, error="deleted")
    except Exception as error:  # One package's bad data must not stop the others.
        logger.exception("Applying a fetch of package %s failed", outcome.package_id)
        failure = UpstreamError(f"could not store the answer: {type(error).__name__}: {error}")
        try:
            return package_record_failure(
                package_id=outcome.package_id,
                source=outcome.source,
                error=failure,
                attempted_at=now,
            )
        except Exception:  # The record itself failed (the database is down): report it.
            logger.exception("Recording the failure of package %s failed", outcome.package_id)
            return Change(
                package=str(outcome.package_id), source=outcome.source, error=str(failure)
            )


def packages_refresh(
    *,
    packages: Sequence[Package],
    sources: Iterable[Source] = (Source.REPOSITORY, Source.PYPI),
    on_change: Callable[[Change], None] | None = None,
    in_flight_per_host: int | None = None,
) -> RefreshSummary:
    """Fetch packages from their code hosts and PyPI and apply every result.

    Each host gets at most `in_flight_per_host` requests at a time (settings'
    REFRESH_IN_FLIGHT_PER_HOST by default).
    """
    summary = RefreshSummary()
    plan = _plan(packages, sources, summary)
    for change in summary.changes:
        if on_change:
            on_change(change)
    limit = in_flight_per_host or settings.REFRESH_IN_FLIGHT_PER_HOST
    executors = {
        host: ThreadPoolExecutor(max_workers=limit, thread_name_prefix=f"refresh-{host}")
        for host in plan.jobs
    }
    try:
        futures: list[Future[list[Outcome]]] = [
            executors[host].submit(job) for host, jobs in plan.jobs.items() for job in jobs
        ]
        for future in as_completed(futures):
            for outcome in future.result():
                change = _apply(outcome)
                summary.changes.append(change)
                if on_change:
                    on_change(change)
    finally:
        for executor in executors.values():
            executor.shutdown(wait=True, cancel_futures=True)
    return summary


def planned_fetches(packages: Sequence[Package], sources: Iterable[Source]) -> int:
    """Return how many fetches a refresh of these packages makes (for progress bars)."""
    wanted = set(sources)
    return sum(
        (Source.REPOSITORY in wanted) + (Source.PYPI in wanted and bool(package.pypi_name))
        for package in packages
    )
