"""What a fake code host holds (repositories, commits) and the paging every forge fake shares."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request

from packyard.sources.parsing import utc_now
from tests.fakes.base import JSON, FakeUpstream, iso


@dataclass
class FakeCommit:
    """One commit: its time, and its author as the host knows them."""

    date: datetime
    login: str | None = None  # The author's account on the host; None when not linked.
    name: str = "Someone"
    email: str = "someone@example.com"
    bot: bool = False
    sha: str = ""


@dataclass
class FakeRepository:
    """One repository on a fake forge; commits are kept newest first."""

    path: str
    id: int = 0
    stars: int = 0
    watchers: int = 0  # Forgejo's watchers_count, which is not stars.
    forks: int = 0
    description: str = ""
    archived: bool = False
    archived_at: datetime | None = None
    default_branch: str = "main"
    commits: list[FakeCommit] = field(default_factory=list)
    stats_pending: int = 0  # GitHub: answer 202 to participation this many more times.
    status: int | None = None  # Answer every request about it with this status (410, 451).

    @property
    def owner(self) -> str:
        return self.path.rsplit("/", 1)[0]

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[1]

    @property
    def newest(self) -> FakeCommit | None:
        return self.commits[0] if self.commits else None


def make_commits(
    count: int,
    *,
    now: datetime | None = None,
    every: timedelta = timedelta(days=2),
    first_age: timedelta = timedelta(hours=1),
    authors: Iterable[tuple[str | None, str]] = (("alice", "Alice Smith"),),
) -> list[FakeCommit]:
    """Return `count` commits, newest first, one every `every`, by the authors in turn."""
    now = now or utc_now()
    people = list(authors)
    commits = []
    for index in range(count):
        login, name = people[index % len(people)]
        slug = (login or name).lower().replace(" ", ".")
        commits.append(
            FakeCommit(
                date=now - first_age - every * index,
                login=login,
                name=name,
                email=f"{slug}@example.com",
                bot=bool(login and login.endswith("[bot]")),
                sha=hashlib.sha1(f"{slug}{index}".encode(), usedforsecurity=False).hexdigest(),
            )
        )
    return commits


def git_signature(commit: FakeCommit) -> JSON:
    """Return a commit's git author (and committer): name, email and ISO 8601 date."""
    return {"name": commit.name, "email": commit.email, "date": iso(commit.date)}


class FakeForge(FakeUpstream):
    """A fake code host holding repositories by path (case-insensitive)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.repositories: dict[str, FakeRepository] = {}
        self.moved: dict[str, str] = {}
        self._ids = 1000

    def add(self, path: str, **fields: Any) -> FakeRepository:
        """Add a repository at `path` (``owner/name``, or ``group/sub/name`` on GitLab)."""
        with self._lock:
            self._ids += 1
            repository = FakeRepository(path=path, id=self._ids, **fields)
            self.repositories[path.lower()] = repository
            self.moved.pop(path.lower(), None)
            return repository

    def get(self, path: str) -> FakeRepository:
        return self.repositories[path.lower()]

    def rename(self, old: str, new: str) -> FakeRepository:
        """Move a repository to `new`; the old path redirects to it (as the hosts do)."""
        with self._lock:
            repository = self.repositories.pop(old.lower())
            repository.path = new
            self.repositories[new.lower()] = repository
            self.moved[old.lower()] = new
            return repository

    def delete(self, path: str) -> None:
        with self._lock:
            self.repositories.pop(path.lower(), None)

    def find(self, path: str) -> tuple[FakeRepository | None, bool]:
        """Return the repository at `path` and whether it was reached through a rename."""
        key = path.lower()
        if key in self.repositories:
            return self.repositories[key], False
        if key in self.moved:
            return self.repositories.get(self.moved[key].lower()), True
        return None, False

    def by_id(self, identifier: int) -> FakeRepository | None:
        return next((repo for repo in self.repositories.values() if repo.id == identifier), None)


def page_numbers(request: Request, *, size: str, default: int, most: int) -> tuple[int, int]:
    try:
        per_page = max(1, min(most, int(request.args.get(size, default))))
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        per_page, page = default, 1
    return page, per_page


def url_with(request: Request, **changes: str | int) -> str:
    query = {**request.args.to_dict(), **{name: str(value) for name, value in changes.items()}}
    return f"{request.base_url}?{urlencode(query)}"


def link_header(request: Request, page: int, pages: int) -> str:
    links = []
    if page < pages:
        links.append(f'<{url_with(request, page=page + 1)}>; rel="next"')
        links.append(f'<{url_with(request, page=pages)}>; rel="last"')
    if page > 1:
        links.append(f'<{url_with(request, page=1)}>; rel="first"')
        links.append(f'<{url_with(request, page=page - 1)}>; rel="prev"')
    return ", ".join(links)
