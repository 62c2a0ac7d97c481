"""Bitbucket Cloud: repository facts from the REST API 2.0.

- ``GET /repositories/{workspace}/{repo_slug}``: ``full_name``, ``description``,
  ``mainbranch.name``. Bitbucket Cloud has no archived state in this resource: ``archived`` is
  False unless the answer carries an ``archived`` flag.
- Stars: Bitbucket has no stars; its watchers are what people mark a repository with, so stars
  are the ``size`` of ``/watchers?pagelen=1``. Forks are the ``size`` of ``/forks?pagelen=1``.
  Both come from ``size``, never from counting a page; an answer without ``size`` is an
  `UpstreamError` rather than a guess.
- ``GET /repositories/{workspace}/{repo_slug}/commits/{mainbranch}``: pages (newest first,
  ``next`` links) are walked only back to 52 weeks ago, never the whole history, up to
  ``max_commit_pages``. They give the newest commit, the 52 weekly counts (weeks ending now, as
  `packyard.sources.parsing.weekly_counts` reads GitHub's participation) and the contributors:
  the authors of those commits, by their Bitbucket ``nickname`` (else ``display_name``, else the
  name in the raw ``Name <email>``), most commits first. A walk that would pass its bound leaves
  both None rather than wrong.
- The commit list has no ``size``, and walking all of it is what this client must not do, so
  ``total_commits`` is None.

Every field read is checked; a wrong one fails that fetch (the repository's fields, the sizes)
or that part (the commit walk) with an `UpstreamError` naming the field, and the stored fact is
kept: ``full_name`` a ``workspace/slug`` path; ``description`` a string or null ("no
description", cut to 1,000 characters); ``mainbranch`` null (no commits yet) or an object with
a non-empty ``name``; ``archived`` a boolean, or absent; ``size`` a count; each commit an object
with a ``date`` time and an ``author`` object (``user`` null or an object, its ``nickname`` and
``display_name`` strings or null; ``raw`` a string or null); ``next`` a URL string or absent.

Upstream documentation:

- Repositories: https://developer.atlassian.com/cloud/bitbucket/rest/api-group-repositories/#api-repositories-workspace-repo-slug-get
- Watchers and forks: https://developer.atlassian.com/cloud/bitbucket/rest/api-group-repositories/#api-repositories-workspace-repo-slug-watchers-get
- Commits: https://developer.atlassian.com/cloud/bitbucket/rest/api-group-commits/#api-repositories-workspace-repo-slug-commits-revision-get
- Paging (``pagelen``, ``size`` is optional, ``next``): https://developer.atlassian.com/cloud/bitbucket/rest/intro/#pagination
- Rate limits (429): https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import httpx
from django.conf import settings

from packyard.core.http import build_client
from packyard.core.repositories import Repository
from packyard.sources.base import HostClient, Parts
from packyard.sources.parsing import (
    WEEKS,
    JSONBody,
    contributors_by_commits,
    count,
    description,
    expect_mapping,
    flag,
    looks_like_bot,
    objects,
    optional_text,
    repository_path,
    required_text,
    required_time,
    text,
    weekly_counts,
    window_start,
)
from packyard.sources.types import Contributor, RepositoryFacts, Validators

_RAW_AUTHOR = re.compile(r"^\s*(?P<name>[^<]*?)\s*(?:<[^>]*>)?\s*$")


def _keep_repository(body: JSONBody) -> JSONBody:
    body = expect_mapping(body, "Bitbucket's repository")
    branch = body.get("mainbranch")
    if branch is not None:
        branch = expect_mapping(branch, "Bitbucket's mainbranch")
        branch = required_text(branch.get("name"), "Bitbucket's mainbranch.name")
    return {
        "full_name": body.get("full_name"),
        "description": body.get("description"),
        "mainbranch": branch,
        "archived": body.get("archived"),
    }


@dataclass(frozen=True)
class Summary:
    """What ``GET /repositories/{workspace}/{repo_slug}`` gives about one repository."""

    path: str
    description: str
    archived: bool
    default_branch: str  # "" for a repository without commits (no main branch).


def summary_of(kept: JSONBody) -> Summary:
    """Return the summary of a (kept) repository answer, checking each field's type."""
    kept = expect_mapping(kept, "Bitbucket's repository")
    return Summary(
        path=repository_path(kept.get("full_name"), "Bitbucket's full_name"),
        description=description(kept.get("description"), "Bitbucket's description"),
        archived=flag(kept.get("archived"), "Bitbucket's archived", absent=False),
        default_branch=optional_text(kept.get("mainbranch"), "Bitbucket's mainbranch.name"),
    )


def _keep_size(body: JSONBody) -> JSONBody:
    return {"size": expect_mapping(body, "A page").get("size")}


def _author_name(author: object) -> tuple[str, bool]:
    author = expect_mapping(author, "A Bitbucket commit's author")
    user = author.get("user")
    if user is not None:
        user = expect_mapping(user, "A Bitbucket commit's author.user")
        name = optional_text(user.get("nickname"), "A Bitbucket user's nickname") or optional_text(
            user.get("display_name"), "A Bitbucket user's display_name"
        )
        if name.strip():
            return name.strip(), user.get("type") == "app_user"
    match = _RAW_AUTHOR.match(optional_text(author.get("raw"), "A Bitbucket commit's author.raw"))
    return (match.group("name") if match else ""), False


def _keep_commits(body: JSONBody) -> JSONBody:
    body = expect_mapping(body, "A page of commits")
    commits = []
    for commit in objects(body.get("values"), "The commits of a Bitbucket page"):
        name, is_bot = _author_name(commit.get("author"))
        commits.append({"date": commit.get("date"), "author": name, "bot": is_bot})
    following = optional_text(body.get("next"), "The next page of Bitbucket's commits")
    return {"values": commits, "next": following or None}


def commits_of(kept: JSONBody) -> list[tuple[datetime, str, bool]]:
    """Return (date, author, is_bot) of each commit of a (kept) page; each date must be a time."""
    return [
        (
            required_time(commit.get("date"), "A Bitbucket commit's date"),
            text(commit.get("author")),
            commit.get("bot") is True,
        )
        for commit in objects(expect_mapping(kept, "A page").get("values"), "Bitbucket commits")
    ]


class BitbucketClient(HostClient):
    """Fetch repository facts from Bitbucket Cloud."""

    @classmethod
    def build_http(cls, *, base_url: str | None = None) -> httpx.Client:
        """Return an `httpx.Client` for ``BITBUCKET_API_URL``."""
        return build_client(base_url=base_url or settings.BITBUCKET_API_URL)

    def fetch(
        self, repository: Repository, validators: Validators | None = None
    ) -> RepositoryFacts:
        """Return the facts of one repository, or raise a `SourceError`."""
        validators = validators if validators is not None else Validators()
        base = f"/repositories/{quote(repository.owner, safe='')}/{quote(repository.name, safe='')}"
        answer = self.session.get(base, validators=validators, keep=_keep_repository)
        summary = summary_of(answer.body)
        path = summary.path
        base = "/repositories/" + "/".join(quote(part, safe="") for part in path.split("/", 1))
        stars = self._size(f"{base}/watchers", validators, "watchers")
        forks = self._size(f"{base}/forks", validators, "forks")
        branch = summary.default_branch
        parts = Parts()
        last_commit_at: datetime | None = None
        weekly: tuple[int, ...] | None = (0,) * WEEKS
        contributors: tuple[Contributor, ...] | None = ()
        if branch:
            walked = parts.run(
                "last_commit_at",
                lambda: self._recent_commits(
                    f"{base}/commits/{quote(branch, safe='')}", validators
                ),
            )
            if walked is None:
                weekly = contributors = None
                parts.give_up("weekly_commits", "contributors")
            else:
                last_commit_at, weekly, contributors, complete = walked
                if not complete:
                    parts.give_up("weekly_commits", "contributors")
        return RepositoryFacts(
            path=path,
            stars=stars,
            forks=forks,
            description=summary.description,
            archived=summary.archived,
            default_branch=branch,
            last_commit_at=last_commit_at,
            total_commits=None,
            weekly_commits=weekly,
            contributors=contributors,
            **parts.outcome(),
        )

    def _size(self, url: str, validators: Validators, what: str) -> int:
        answer = self.session.get(
            url, params={"pagelen": 1}, validators=validators, keep=_keep_size
        )
        return count(answer.body.get("size"), f"The size of {what}")

    def _recent_commits(
        self, url: str, validators: Validators
    ) -> tuple[datetime | None, tuple[int, ...] | None, tuple[Contributor, ...] | None, bool]:
        """Walk commit pages back to the window's start; say whether the walk got there."""
        now = self.clock()
        start = window_start(now)
        dates: list[datetime] = []
        authors: list[tuple[str, bool]] = []
        newest: datetime | None = None
        next_url: str | None = url
        params: dict[str, str | int] | None = {"pagelen": 100}
        complete = False
        for _ in range(self.max_commit_pages):
            if next_url is None:
                complete = True
                break
            answer = self.session.get(
                next_url, params=params, validators=validators, keep=_keep_commits
            )
            reached_start = False
            page = commits_of(answer.body)
            for date, name, is_bot in page:
                newest = newest or date
                if date <= start:
                    reached_start = True
                    continue
                dates.append(date)
                authors.append((name, is_bot or looks_like_bot(name)))
            next_page = answer.body.get("next")
            next_url = next_page if isinstance(next_page, str) and next_page else None
            params = None
            if reached_start or not page:
                complete = True
                break
        else:
            complete = next_url is None
        if not complete:
            return newest, None, None, False
        return newest, weekly_counts(dates, now=now), contributors_by_commits(authors), True
