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

Upstream documentation:

- API v1 (swagger): https://codeberg.org/api/swagger and https://forgejo.org/docs/latest/user/api-usage/
- Repository fields: https://codeberg.org/api/swagger#/repository/repoGet
- Commits and their paging headers: https://codeberg.org/api/swagger#/repository/repoGetAllCommits
- Paging (``page``, ``limit``, ``Link``): https://forgejo.org/docs/latest/user/api-usage/#pagination
"""

from __future__ import annotations

from collections.abc import Callable
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
    expect_list,
    expect_mapping,
    looks_like_bot,
    mapping,
    parse_timestamp,
    quoted_path,
    since_parameter,
    text,
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


def _keep_commits(body: JSONBody) -> JSONBody:
    commits = []
    for commit in expect_list(body, "The commit list"):
        if not isinstance(commit, dict):
            continue
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
        body = answer.body
        path = text(body.get("full_name"))
        if "/" not in path:
            raise UpstreamError(f"The answer for {repository.path} has no full_name.")
        archived = bool(body.get("archived"))
        archived_at = parse_timestamp(body.get("archived_at")) if archived else None
        if archived_at is not None and archived_at.year <= 1970:
            archived_at = None
        branch = text(body.get("default_branch"))
        parts = Parts()
        last_commit_at: datetime | None = None
        total_commits: int | None = 0
        weekly: tuple[int, ...] | None = (0,) * WEEKS
        contributors: tuple[Contributor, ...] | None = ()
        if not body.get("empty") and branch:
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
            stars=count(body.get("stars_count"), "stars_count"),
            forks=count(body.get("forks_count"), "forks_count"),
            description=text(body.get("description")),
            archived=archived,
            default_branch=branch,
            archived_at=archived_at,
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
        commits = expect_list(answer.body, "The commit list")
        newest = parse_timestamp(commits[0].get("date")) if commits else None
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
            page = [] if answer.status == 409 else expect_list(answer.body, "The commit list")
            reached_start = False
            for commit in page:
                date = parse_timestamp(commit.get("date"))
                if date is None:
                    continue
                if date <= start:
                    reached_start = True
                    continue
                dates.append(date)
                name = text(commit.get("login")) or text(commit.get("name"))
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
