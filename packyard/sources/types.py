"""What sources return: frozen facts, and what a client remembers between fetches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Contributor:
    login: str
    is_bot: bool = False


@dataclass(frozen=True)
class RepositoryFacts:
    """Facts about one repository as its host reports them now.

    A part the host could not give this time (GitHub's statistics still being computed, a
    page that failed) is None, and the refresh keeps the value it had.
    """

    # "owner/name" (or "group/sub/name") as the host spells it now; differs after a rename.
    path: str
    stars: int
    forks: int
    description: str
    archived: bool
    default_branch: str
    archived_at: datetime | None = None
    last_commit_at: datetime | None = None
    total_commits: int | None = None
    weekly_commits: tuple[int, ...] | None = None  # 52 counts, oldest first; last = this week.
    contributors: tuple[Contributor, ...] | None = None
    pending: tuple[str, ...] = ()  # Parts the host is still computing (e.g. "weekly_commits").
    # Parts the host could not give this time: a page that failed, a walk past its bound.
    unavailable: tuple[str, ...] = ()
    # When a rate limit cut parts off: the host's reset, when they can be asked for again.
    retry_at: datetime | None = None


@dataclass(frozen=True)
class Vulnerability:
    id: str
    aliases: tuple[str, ...]
    summary: str
    link: str
    fixed_in: tuple[str, ...]
    withdrawn: datetime | None = None


@dataclass(frozen=True)
class PyPIRelease:
    version: str
    upload_time: datetime | None  # The earliest `upload_time_iso_8601` of its files, in UTC.
    yanked: bool
    yanked_reason: str
    prerelease: bool = False  # A PEP 440 pre-release or development release.


@dataclass(frozen=True)
class PyPIProject:
    """A project on PyPI with every release; licence and classifiers are the latest version's."""

    name: str
    version: str
    summary: str
    keywords: str
    license: str  # license_expression, then license, then the licence classifiers.
    requires_python: str
    classifiers: tuple[str, ...]
    requires_dist: tuple[str, ...]
    project_urls: Mapping[str, str]
    documentation_url: str
    changelog_url: str
    source_url: str
    releases: tuple[PyPIRelease, ...]
    vulnerabilities: tuple[Vulnerability, ...] = ()
    yanked_project_status: str = ""  # PEP 792 project status ("archived", "deprecated", ...).
    project_status_reason: str = ""  # PEP 792 status reason, when the index gives one.


@dataclass
class Validators:
    """ETags and the bodies they stand for, per request URL, kept between fetches.

    A client sends `If-None-Match` for a URL it has an ETag for; on 304 it reuses the stored
    body, and the paging headers stored with it (`Link`, `X-Total`, ...). A 304 does not count
    against GitHub's rate limit. Everything stored is JSON, so entries can be saved as they are.
    """

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def etag(self, url: str) -> str | None:
        entry = self.entries.get(url)
        return entry.get("etag") if entry else None

    def body(self, url: str) -> Any:
        entry = self.entries.get(url)
        return entry.get("body") if entry else None

    def headers(self, url: str) -> dict[str, str]:
        entry = self.entries.get(url)
        stored = entry.get("headers") if entry else None
        return dict(stored) if isinstance(stored, dict) else {}

    def remember(
        self, url: str, etag: str | None, body: Any, headers: Mapping[str, str] | None = None
    ) -> None:
        if etag:
            self.entries[url] = {"etag": etag, "body": body}
            if headers:
                self.entries[url]["headers"] = dict(headers)
        else:
            self.entries.pop(url, None)


@dataclass(frozen=True)
class RateReading:
    """A host's rate-limit headers from one response."""

    limit: int | None
    remaining: int | None
    reset_at: datetime | None
    retry_after: float | None
    cost: int  # Units this request spent (0 for a 304 on GitHub).


class RateBudget(Protocol):
    """Where clients ask before a request and report the limit headers after it."""

    def acquire(self, host: str) -> None:
        """Return when a request to `host` may go; raise RateLimited when its budget is spent."""

    def release(self, host: str, reading: RateReading | None) -> None:
        """Record the response's rate headers (None when the request failed before an answer)."""
