"""Apply what sources fetched to the catalogue, and record every fetch.

One call applies one fetch of one package atomically and writes only what changed. A failure
of any kind (404, 410, 5xx, timeout, malformed answer, rate limit) changes no fact: it is
recorded on the package's `FetchState` with when to try again. After repeated 404s a package
is marked "repository missing" and is checked again less often; it recovers by itself when
its repository answers again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from packyard.catalog.models import Package
from packyard.catalog.services import ReleaseFacts, package_releases_set
from packyard.core.repositories import PUBLIC_HOSTS, InvalidRepositoryURL, parse_repository_url
from packyard.refresh.models import FetchState, FetchStatus, Source
from packyard.sources.errors import Gone, NotFound, RateLimited, SourceError
from packyard.sources.types import PyPIProject, RepositoryFacts, Validators

# Retry delays after failures: the first retry soon, then doubling, never more than a day.
FIRST_RETRY = timedelta(minutes=15)
LONGEST_RETRY = timedelta(hours=24)
# A missing repository is checked again after a day, then less often, at most weekly.
MISSING_RECHECK = timedelta(days=1)
LONGEST_MISSING_RECHECK = timedelta(days=7)
NOT_ON_PYPI_RECHECK = timedelta(days=7)
# Statistics a host is still computing (GitHub's 202) are asked for again soon.
PENDING_RECHECK = timedelta(minutes=5)


@dataclass
class Change:
    """What one fetch changed on a package, for the refresh command's report."""

    package: str
    source: str
    fields: list[str] = field(default_factory=list)
    error: str = ""

    def __str__(self) -> str:
        if self.error:
            return f"{self.package} ({self.source}): {self.error}"
        if not self.fields:
            return f"{self.package} ({self.source}): unchanged"
        return f"{self.package} ({self.source}): {', '.join(self.fields)} changed"


def refresh_interval() -> timedelta:
    """Return how long facts stay fresh before the scheduler fetches them again."""
    return timedelta(hours=settings.REFRESH_INTERVAL_HOURS)


def fetch_state_for(*, package: Package, source: Source) -> FetchState:
    """Return the package's fetch state for a source, creating it when first needed."""
    state, _ = FetchState.objects.get_or_create(package=package, source=source)
    return state


def _save_state(state: FetchState, **values: Any) -> None:
    for name, value in values.items():
        setattr(state, name, value)
    state.save(update_fields=list(values))


def _assign(package: Package, values: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in values.items():
        if getattr(package, name) != value:
            setattr(package, name, value)
            changed.append(name)
    return changed


def _renamed(package: Package, facts: RepositoryFacts) -> dict[str, Any]:
    """Return the new repository URL fields when the host reports another path."""
    try:
        repository = parse_repository_url(package.repo_url)
    except InvalidRepositoryURL:
        return {}
    if facts.path == repository.path:
        return {}
    moved = parse_repository_url(f"https://{repository.domain}/{facts.path}")
    # A self-hosted forge may serve plain http: keep the scheme the package's URL has.
    url = moved.url
    if repository.domain not in PUBLIC_HOSTS and package.repo_url.lower().startswith("http://"):
        url = "http://" + url.removeprefix("https://")
    if moved.key != repository.key:
        taken = Package.objects.filter(repo_key=moved.key).exclude(pk=package.pk).exists()
        if taken:
            return {}
        return {"repo_url": url, "repo_key": moved.key}
    # Only the case changed: keep the key, show the host's spelling.
    return {"repo_url": url} if package.repo_url != url else {}


def _description_follows_host(package: Package, state: FetchState) -> bool:
    """Tell whether the host's description may replace the stored one.

    It may when the stored one is empty or is what the host gave last time; before any fetch,
    when no person has edited the package. A description a person wrote is kept.
    """
    if not package.description.strip():
        return True
    if state.fetched_description:
        return package.description == state.fetched_description
    return package.last_modified_by_id is None


STALE = "its repository or PyPI name changed while it was being fetched; fetched again soon"


@transaction.atomic
def package_apply_repository(
    *,
    package_id: int,
    facts: RepositoryFacts,
    validators: Validators,
    fetched_at: datetime,
    asked_key: str | None = None,
) -> Change:
    """Store a successful fetch from the code host; parts the host did not give are kept.

    `asked_key` is the repository the fetch asked for: when the package's repository was
    changed meanwhile, the answer is about another repository and is dropped.
    """
    package = Package.objects.select_for_update().get(pk=package_id)
    if asked_key is not None and package.repo_key != asked_key:
        return Change(package=package.slug, source=Source.REPOSITORY, error=STALE)
    state = fetch_state_for(package=package, source=Source.REPOSITORY)
    values: dict[str, Any] = {
        "stars": facts.stars,
        "forks": facts.forks,
        "last_fetched_at": fetched_at,
        "repo_missing_since": None,
    }
    if facts.description.strip() and _description_follows_host(package, state):
        values["description"] = facts.description
    if facts.archived:
        values["archived_at"] = package.archived_at or facts.archived_at or fetched_at
    else:
        values["archived_at"] = None
    if facts.last_commit_at is not None:
        values["last_commit_at"] = facts.last_commit_at
    if facts.total_commits is not None:
        values["total_commits"] = facts.total_commits
    if facts.weekly_commits is not None and len(facts.weekly_commits) == 52:
        values["commits_over_52"] = list(facts.weekly_commits)
    if facts.contributors is not None:
        values["contributors"] = [contributor.login for contributor in facts.contributors]
    values.update(_renamed(package, facts))
    changed = _assign(package, values)
    if changed:
        if changed != ["last_fetched_at"]:
            package.modified = fetched_at
            changed.append("modified")
        package.save(update_fields=changed)
    due = fetched_at + (PENDING_RECHECK if facts.pending else refresh_interval())
    if facts.retry_at is not None:
        # A spent rate limit cut parts off: ask again at its reset, not a whole interval later.
        due = min(due, max(facts.retry_at, fetched_at + timedelta(seconds=1)))
    _save_state(
        state,
        status=FetchStatus.OK,
        last_attempt_at=fetched_at,
        last_success_at=fetched_at,
        last_error="",
        consecutive_failures=0,
        consecutive_not_found=0,
        next_due_at=due,
        validators=validators.entries,
        fetched_description=facts.description
        if facts.description.strip()
        else state.fetched_description,
    )
    reported = [name for name in changed if name not in {"last_fetched_at", "modified"}]
    return Change(package=package.slug, source=Source.REPOSITORY, fields=reported)


def _web_address(url: str) -> bool:
    """Tell whether an address from a source is http or https (links never run script)."""
    return url.strip().lower().startswith(("http://", "https://"))


def _first_line(text: str, limit: int = 300) -> str:
    return (text.strip().splitlines() or [""])[0][:limit]


@transaction.atomic
def package_apply_pypi(
    *,
    package_id: int,
    project: PyPIProject,
    validators: Validators,
    fetched_at: datetime,
    asked_name: str | None = None,
) -> Change:
    """Store a successful fetch from PyPI: every release and the latest version's facts."""
    package = Package.objects.select_for_update().get(pk=package_id)
    if asked_name is not None and package.pypi_name != asked_name:
        return Change(package=package.slug, source=Source.PYPI, error=STALE)
    before = (package.pypi_version, package.latest_release_at)
    facts = [
        ReleaseFacts(
            version=release.version,
            upload_time=release.upload_time,
            yanked=release.yanked,
            yanked_reason=release.yanked_reason,
            license=project.license if release.version == project.version else None,
            requires_python=(
                project.requires_python if release.version == project.version else None
            ),
            classifiers=project.classifiers if release.version == project.version else None,
        )
        for release in project.releases
    ]
    package_releases_set(package=package, releases=facts)
    # A release's metadata never changes on PyPI: a field that was there for this version and
    # is null now is PyPI's glitch, not news, so the stored value is kept.
    same_release = bool(project.version) and project.version == before[0]
    values: dict[str, Any] = {
        "pypi_summary": project.summary or (package.pypi_summary if same_release else ""),
        "pypi_keywords": project.keywords[:500] or (package.pypi_keywords if same_release else ""),
        "requires_dist": list(project.requires_dist)
        or (package.requires_dist if same_release else []),
        "vulnerabilities": [
            {
                "id": vulnerability.id,
                "aliases": list(vulnerability.aliases),
                "summary": vulnerability.summary,
                "link": vulnerability.link,
                "fixed_in": list(vulnerability.fixed_in),
                "withdrawn": (
                    vulnerability.withdrawn.isoformat() if vulnerability.withdrawn else None
                ),
            }
            for vulnerability in project.vulnerabilities
        ],
        "pypi_project_status": project.yanked_project_status[:30],
    }
    if _web_address(project.changelog_url):
        values["changelog_url"] = project.changelog_url[:500]
    if _web_address(project.documentation_url) and not package.documentation_url:
        values["documentation_url"] = project.documentation_url[:500]
    if not package.pypi_url:
        values["pypi_url"] = f"https://pypi.org/project/{project.name}/"
    changed = _assign(package, values)
    if changed:
        package.modified = fetched_at
        package.save(update_fields=[*changed, "modified"])
    after = (package.pypi_version, package.latest_release_at)
    if after != before:
        changed.append("pypi_version" if after[0] != before[0] else "latest_release_at")
    state = fetch_state_for(package=package, source=Source.PYPI)
    _save_state(
        state,
        status=FetchStatus.OK,
        last_attempt_at=fetched_at,
        last_success_at=fetched_at,
        last_error="",
        consecutive_failures=0,
        consecutive_not_found=0,
        next_due_at=fetched_at + refresh_interval(),
        validators=validators.entries,
    )
    return Change(package=package.slug, source=Source.PYPI, fields=changed)


def _backoff(failures: int, first: timedelta, longest: timedelta) -> timedelta:
    factor: int = 2 ** max(failures - 1, 0)
    return min(first * factor, longest)


@transaction.atomic
def package_record_failure(
    *, package_id: int, source: Source, error: SourceError, attempted_at: datetime
) -> Change:
    """Record a failed fetch; no fact changes, except the "repository missing" mark."""
    package = Package.objects.select_for_update().get(pk=package_id)
    state = fetch_state_for(package=package, source=source)
    message = f"{type(error).__name__}: {_first_line(str(error))}"
    if isinstance(error, RateLimited):
        _save_state(
            state,
            status=FetchStatus.RATE_LIMITED,
            last_attempt_at=attempted_at,
            last_error=message,
            next_due_at=max(error.reset_at, attempted_at + timedelta(seconds=1)),
        )
        return Change(package=package.slug, source=source, error=f"waiting: {message}")
    if isinstance(error, NotFound | Gone) and source == Source.PYPI:
        _save_state(
            state,
            status=FetchStatus.NOT_ON_PYPI,
            last_attempt_at=attempted_at,
            last_error="",
            consecutive_failures=0,
            next_due_at=attempted_at + NOT_ON_PYPI_RECHECK,
        )
        return Change(package=package.slug, source=source, error="not on PyPI")
    if isinstance(error, NotFound | Gone):
        not_found = state.consecutive_not_found + 1
        missing = isinstance(error, Gone) or not_found >= settings.REFRESH_MISSING_AFTER
        if missing and package.repo_missing_since is None:
            package.repo_missing_since = attempted_at
            package.save(update_fields=["repo_missing_since"])
        delay = (
            _backoff(not_found, MISSING_RECHECK, LONGEST_MISSING_RECHECK)
            if missing
            else _backoff(not_found, FIRST_RETRY, LONGEST_RETRY)
        )
        _save_state(
            state,
            status=FetchStatus.MISSING if missing else FetchStatus.FAILING,
            last_attempt_at=attempted_at,
            last_error=message,
            consecutive_not_found=not_found,
            consecutive_failures=state.consecutive_failures + 1,
            next_due_at=attempted_at + delay,
        )
        return Change(package=package.slug, source=source, error=message)
    failures = state.consecutive_failures + 1
    _save_state(
        state,
        status=FetchStatus.FAILING,
        last_attempt_at=attempted_at,
        last_error=message,
        consecutive_failures=failures,
        next_due_at=attempted_at + _backoff(failures, FIRST_RETRY, LONGEST_RETRY),
    )
    return Change(package=package.slug, source=source, error=message)


@transaction.atomic
def package_mark_unsupported(*, package_id: int, checked_at: datetime) -> Change:
    """Record that a package's repository host is not one Packyard reads."""
    package = Package.objects.get(pk=package_id)
    state = fetch_state_for(package=package, source=Source.REPOSITORY)
    if state.status != FetchStatus.UNSUPPORTED:
        _save_state(
            state,
            status=FetchStatus.UNSUPPORTED,
            last_attempt_at=checked_at,
            last_error="",
            next_due_at=checked_at + LONGEST_MISSING_RECHECK,
        )
    else:
        _save_state(state, next_due_at=checked_at + LONGEST_MISSING_RECHECK)
    return Change(package=package.slug, source=Source.REPOSITORY, error="host not supported")
