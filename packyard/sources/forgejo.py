"""Forgejo and Gitea (Codeberg and self-hosted): repository facts from the API v1.

- ``GET /repos/{owner}/{repo}``: stars are ``stars_count`` (``watchers_count`` counts people
  watching for notifications, not stars), ``forks_count``, ``description``, ``archived``,
  ``archived_at`` (Forgejo sends the Unix epoch for a repository never archived: read as None),
  ``default_branch``, ``full_name`` (differs after a rename; Forgejo redirects the old name and
  the redirect, on the same host, is followed once).
- ``GET /repos/{owner}/{repo}/commits?sha=..&limit=1&stat=false&verification=false&files=false``:
  the newest commit and the total from ``X-Total-Count``. A 409 is an empty repository.
- The same list with ``since=`` and ``limit=50``, walked page by page (``X-HasMore`` /
  ``rel="next"``) back to 52 weeks ago and up to ``max_commit_pages``: the weekly counts (weeks
  ending now, as `packyard.sources.parsing.weekly_counts` reads GitHub's participation) and the
  contributors. Older servers ignore ``since``; the walk still stops at the first commit older
  than the window. A walk that would pass its bound leaves both None rather than wrong.
- Forgejo's API v1 has no contributors endpoint (its routes under ``/repos/{owner}/{repo}``
  list none), so contributors are the authors of the window's commits: the Forgejo ``login``
  when the commit is linked to an account, else the git author name, most commits first.

Every field read is checked; a wrong one fails that fetch (the repository's fields) or that part
(the commit walk) with an `UpstreamError` naming the field, and the stored fact is kept:
``full_name`` an ``owner/name`` path; ``stars_count`` and ``forks_count`` counts;
``description`` a string or null ("no description", cut to 1,000 characters); ``archived`` a
boolean; ``archived_at`` (read when archived) an ISO 8601 time or null; ``default_branch`` a
string or null; ``empty`` a boolean, or absent; each commit an object whose date
(``commit.committer.date``, else ``created``) is a time, and whose ``author.login`` and
``commit.author.name`` are strings or null.

Upstream documentation:

- API v1 (swagger): https://codeberg.org/api/swagger and https://forgejo.org/docs/latest/user/api-usage/
- Repository fields: https://codeberg.org/api/swagger#/repository/repoGet
- Commits and their paging headers: https://codeberg.org/api/swagger#/repository/repoGetAllCommits
- Paging (``page``, ``limit``, ``Link``): https://forgejo.org/docs/latest/user/api-usage/#pagination
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from packyard.core.http import build_client
from packyard.core.repositories import Repository
from packyard.sources.base import HostClient, Parts
from packyard.sources.errors import UpstreamError
from packyard.sources.parsing import (
    WEEKS,
    JSONBody,
    contributors_by_commits,
    count,
    description,
    expect_mapping,
    flag,
    looks_like_bot,
    mapping,
    objects,
    optional_text,
    optional_time,
    quoted_path,
    repository_path,
    required_time,
    since_parameter,
    utc_now,
    weekly_counts,
    window_start,
)
from packyard.sources.types import Contributor, RateBudget, RepositoryFacts, Validators

CODEBERG = "codeberg.org"

QUIET = {"stat": "false", "verification": "false", "files": "false"}


def _keep_repository(body: JSONBody) -> JSONBody:
    body = expect_mapping(body, "The repository")
    return {
        name: body.get(name)
        for name in (
            "full_name",
            "stars_count",
            "forks_count",
            "description",
            "archived",
            "archived_at",
            "default_branch",
            "empty",
        )
    }


@dataclass(frozen=True)
class Summary:
    """What ``GET /repos/{owner}/{repo}`` gives about one repository."""

    path: str
    stars: int
    forks: int
    description: str
    archived: bool
    archived_at: datetime | None
    default_branch: str
    empty: bool


def summary_of(body: JSONBody) -> Summary:
    """Return the summary of a ``/repos/{owner}/{repo}`` answer, checking each field's type."""
    body = expect_mapping(body, "Forgejo's repository")
    archived = flag(body.get("archived"), "Forgejo's archived")
    archived_at = (
        optional_time(body.get("archived_at"), "Forgejo's archived_at") if archived else None
    )
    if archived_at is not None and archived_at.year <= 1970:  # The epoch: never archived.
        archived_at = None
    branch = optional_text(body.get("default_branch"), "Forgejo's default_branch")
    return Summary(
        path=repository_path(body.get("full_name"), "Forgejo's full_name"),
        stars=count(body.get("stars_count"), "Forgejo's stars_count"),
        forks=count(body.get("forks_count"), "Forgejo's forks_count"),
        description=description(body.get("description"), "Forgejo's description"),
        archived=archived,
        archived_at=archived_at,
        default_branch=branch,
        empty=flag(body.get("empty"), "Forgejo's empty", absent=False) or not branch,
    )


def _keep_commits(body: JSONBody) -> JSONBody:
    commits = []
    for commit in objects(body, "Forgejo's commit list"):
        git = mapping(commit.get("commit"))
        committer, author = mapping(git.get("committer")), mapping(git.get("author"))
        account = mapping(commit.get("author"))
        commits.append(
            {
                "date": committer.get("date") or commit.get("created"),
                "login": account.get("login"),
                "name": author.get("name"),
            }
        )
    return commits


def commits_of(kept: JSONBody) -> list[tuple[datetime, str]]:
    """Return (date, author) of each commit of a (kept) page; each date must be a time.

    The author is the Forgejo login when the commit is linked to an account, else the git name.
    """
    return [
        (
            required_time(commit.get("date"), "A Forgejo commit's committer.date"),
            optional_text(commit.get("login"), "A Forgejo commit's author.login").strip()
            or optional_text(commit.get("name"), "A Forgejo commit's author.name").strip(),
        )
        for commit in objects(kept, "Forgejo's commit list")
    ]


class ForgejoClient(HostClient):
    """Fetch repository facts from one Forgejo or Gitea server (``https://host/api/v1``)."""

    MAX_COMMIT_PAGES = 20

    def __init__(
        self,
        client: httpx.Client,
        *,
        budget: RateBudget | None = None,
        host: str | None = None,
        max_commit_pages: int | None = None,
        page_size: int = 50,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(
            client, budget=budget, host=host, max_commit_pages=max_commit_pages, clock=clock
        )
        # Forgejo caps pages at its MAX_RESPONSE_ITEMS, 50 by default.
        self.page_size = max(1, min(50, page_size))

    @classmethod
    def build_http(cls, *, base_url: str | None = None) -> httpx.Client:
        """Return an `httpx.Client` for a Forgejo API (Codeberg's by default)."""
        return build_client(base_url=base_url or f"https://{CODEBERG}/api/v1")

    def fetch(
        self, repository: Repository, validators: Validators | None = None
    ) -> RepositoryFacts:
        """Return the facts of one repository, or raise a `SourceError`."""
        validators = validators if validators is not None else Validators()
        answer = self.session.get(
            f"/repos/{quoted_path(repository.path)}", validators=validators, keep=_keep_repository
        )
        summary = summary_of(answer.body)
        path, branch = summary.path, summary.default_branch
        parts = Parts()
        last_commit_at: datetime | None = None
        total_commits: int | None = 0
        weekly: tuple[int, ...] | None = (0,) * WEEKS
        contributors: tuple[Contributor, ...] | None = ()
        if not summary.empty:
            commits_url = f"/repos/{quoted_path(path)}/commits"
            newest = parts.run(
                "last_commit_at", lambda: self._newest(commits_url, branch, validators)
            )
            if newest is None:
                total_commits = None
                parts.give_up("total_commits")
            else:
                last_commit_at, total_commits = newest
            if total_commits != 0:
                walked = parts.run(
                    "weekly_commits", lambda: self._recent(commits_url, branch, validators)
                )
                if walked is None:
                    weekly = contributors = None
                    parts.give_up("contributors")
                else:
                    weekly, contributors = walked
        return RepositoryFacts(
            path=path,
            stars=summary.stars,
            forks=summary.forks,
            description=summary.description,
            archived=summary.archived,
            default_branch=branch,
            archived_at=summary.archived_at,
            last_commit_at=last_commit_at,
            total_commits=total_commits,
            weekly_commits=weekly,
            contributors=contributors,
            **parts.outcome(),
        )

    def _newest(
        self, url: str, branch: str, validators: Validators
    ) -> tuple[datetime | None, int | None]:
        answer = self.session.get(
            url,
            params={"sha": branch, "limit": 1, **QUIET},
            validators=validators,
            expect=(200, 409),
            keep=_keep_commits,
        )
        if answer.status == 409:  # "Git Repository is empty."
            return None, 0
        commits = commits_of(answer.body)
        newest = commits[0][0] if commits else None
        total = answer.header("X-Total-Count") or answer.header("X-Total")
        return newest, int(total) if total is not None and total.isdigit() else None

    def _recent(
        self, url: str, branch: str, validators: Validators
    ) -> tuple[tuple[int, ...], tuple[Contributor, ...]]:
        now = self.clock()
        start = window_start(now)
        dates: list[datetime] = []
        authors: list[tuple[str, bool]] = []
        next_url = url
        params: dict[str, str | int] | None = {
            "sha": branch,
            "since": since_parameter(now),
            "limit": self.page_size,
            "page": 1,
            **QUIET,
        }
        for _ in range(self.max_commit_pages):
            answer = self.session.get(
                next_url,
                params=params,
                validators=validators,
                expect=(200, 409),
                keep=_keep_commits,
            )
            page = [] if answer.status == 409 else commits_of(answer.body)
            reached_start = False
            for date, name in page:
                if date <= start:
                    reached_start = True
                    continue
                dates.append(date)
                authors.append((name, looks_like_bot(name)))
            has_more = answer.header("X-HasMore")
            following = answer.links.get("next")
            if reached_start or not page or (has_more is not None and has_more != "true"):
                break
            if has_more == "true" and params is not None:
                params = {**params, "page": int(params["page"]) + 1}
            elif following:
                next_url, params = following, None
            else:
                break
        else:
            raise UpstreamError(
                f"More commits in a year than {self.max_commit_pages} pages at {url}."
            )
        return weekly_counts(dates, now=now), contributors_by_commits(authors)
