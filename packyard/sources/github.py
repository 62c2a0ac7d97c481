"""GitHub: repository facts from the GraphQL API in batches, activity from the REST API.

With GraphQL on (the default), one query answers up to 50 repositories by alias: stars, forks,
description, archived, the default branch and its newest commit and commit count, plus the
query's own ``rateLimit`` cost. A repository the query cannot resolve (an error of type
``NOT_FOUND`` and a null node) is `NotFound` for that repository only. A renamed repository
resolves under its new ``nameWithOwner``. With GraphQL off (``GITHUB_GRAPHQL=0``, as some
GitHub Enterprise tokens need) every fact comes from REST: ``/repos/{owner}/{repo}`` (a 301
for a renamed repository is followed once, on the same host) and ``/commits?per_page=1`` (the
newest commit, and the total from the page number of ``rel="last"``). The query and the reading
of its answer are in `packyard.sources.github_graphql`.

Then, per repository and conditional with ETags (a 304 costs no rate units):

- ``/repos/{owner}/{repo}/stats/participation``: ``all`` holds 52 weekly counts, oldest first.
  A 202 means GitHub is still computing them: they are left None and named in ``pending``.
- ``/repos/{owner}/{repo}/contributors?per_page=100``: logins, type ``Bot`` or a ``[bot]``
  login marks a bot; ``rel="next"`` pages are followed up to ``max_contributor_pages``; an empty
  repository answers 204.

Every field read is checked; a wrong one fails that fetch or part with an `UpstreamError`
naming the field, so the stored fact is kept (never replaced by an empty value):

- ``full_name``: an ``owner/name`` path; ``stargazers_count``, ``forks_count``: counts
  (integers from 0 to 2**31 - 1); ``description``: a string, or null for "no description"
  (cut to 1,000 characters); ``archived``: a boolean; ``default_branch``: a string or null.
- The newest commit's ``commit.committer.date``: an ISO 8601 time.
- Participation ``all``: exactly 52 counts (a 202 is "still computing", not a failure).
- Contributors: a list of objects, each with a non-empty ``login``; ``type`` a string or null.
- GraphQL fields: see `packyard.sources.github_graphql`.

Upstream documentation:

- GraphQL ``Repository``: https://docs.github.com/en/graphql/reference/objects#repository
- GraphQL rate limits and ``rateLimit``:
  https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api
- GraphQL errors (``type: NOT_FOUND`` with a ``path``): https://spec.graphql.org/October2021/#sec-Errors
- REST repositories: https://docs.github.com/en/rest/repos/repos#get-a-repository
- REST commits: https://docs.github.com/en/rest/commits/commits#list-commits
- Participation (and 202): https://docs.github.com/en/rest/metrics/statistics#get-the-weekly-commit-count
- Contributors (and 204): https://docs.github.com/en/rest/repos/repos#list-repository-contributors
- Paging with ``Link``: https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
- Rate limits, conditional requests: see `packyard.sources.base` and `packyard.sources.parsing`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Self

import httpx
from django.conf import settings

from packyard.core.http import build_client
from packyard.core.repositories import Repository
from packyard.sources.base import Halt, HostClient, Parts, StillComputing
from packyard.sources.errors import RateLimited, SourceError, UpstreamError
from packyard.sources.github_graphql import (
    MAX_BATCH,
    Summary,
    batch_query,
    query_cost,
    read_batch,
)
from packyard.sources.parsing import (
    WEEKS,
    JSONBody,
    count,
    description,
    expect_list,
    expect_mapping,
    flag,
    mapping,
    objects,
    optional_text,
    quoted_path,
    repository_path,
    required_text,
    required_time,
    utc_now,
)
from packyard.sources.types import Contributor, RateBudget, RepositoryFacts, Validators

_REPOSITORY_FIELDS = (
    "full_name",
    "stargazers_count",
    "forks_count",
    "description",
    "archived",
    "default_branch",
)
REST_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


def _keep_repository(body: JSONBody) -> JSONBody:
    body = expect_mapping(body, "The repository")
    return {name: body.get(name) for name in _REPOSITORY_FIELDS}


def summary_of(body: JSONBody) -> Summary:
    """Return the summary of a ``/repos/{owner}/{repo}`` answer, checking each field's type."""
    body = expect_mapping(body, "The repository")
    return Summary(
        path=repository_path(body.get("full_name"), "GitHub's full_name"),
        stars=count(body.get("stargazers_count"), "GitHub's stargazers_count"),
        forks=count(body.get("forks_count"), "GitHub's forks_count"),
        description=description(body.get("description"), "GitHub's description"),
        archived=flag(body.get("archived"), "GitHub's archived"),
        default_branch=optional_text(body.get("default_branch"), "GitHub's default_branch"),
    )


def _keep_commits(body: JSONBody) -> JSONBody:
    commits = expect_list(body, "The commit list")
    kept = []
    for commit in commits[:1]:
        git = mapping(mapping(commit).get("commit"))
        kept.append({"date": mapping(git.get("committer")).get("date")})
    return kept


def newest_commit_of(body: JSONBody) -> datetime | None:
    """Return the committer date of the first commit of a (kept) commit list, None if empty."""
    commits = objects(body, "GitHub's commit list")
    if not commits:
        return None
    return required_time(commits[0].get("date"), "GitHub's commit.committer.date")


def _keep_participation(body: JSONBody) -> JSONBody:
    return {"all": expect_mapping(body, "The participation").get("all")}


def participation_of(body: JSONBody) -> tuple[int, ...]:
    """Return the 52 weekly counts of a participation answer, or raise `UpstreamError`."""
    weeks = expect_mapping(body, "GitHub's participation").get("all")
    if not isinstance(weeks, list) or len(weeks) != WEEKS:
        raise UpstreamError("GitHub's participation is not 52 weekly counts.")
    return tuple(count(week, "A week of GitHub's participation") for week in weeks)


def _keep_contributors(body: JSONBody) -> JSONBody:
    return [
        {"login": person.get("login"), "type": person.get("type")}
        for person in objects(body, "GitHub's contributor list")
    ]


def contributors_of(body: JSONBody) -> tuple[Contributor, ...]:
    """Return the contributors of one (kept) page; each needs a login, its type a string."""
    people = []
    for person in objects(body, "GitHub's contributor list"):
        login = required_text(person.get("login"), "A GitHub contributor's login").strip()
        kind = optional_text(person.get("type"), "A GitHub contributor's type")
        people.append(
            Contributor(login=login, is_bot=kind == "Bot" or login.lower().endswith("[bot]"))
        )
    return tuple(people)


class GitHubClient(HostClient):
    """Fetch repository facts from GitHub.com or a GitHub Enterprise server."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        graphql: bool = True,
        graphql_url: str | None = None,
        budget: RateBudget | None = None,
        host: str | None = None,
        max_contributor_pages: int = 3,
        batch_size: int = MAX_BATCH,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(client, budget=budget, host=host, clock=clock)
        self.graphql = graphql
        self.max_contributor_pages = max(1, max_contributor_pages)
        self.batch_size = max(1, min(MAX_BATCH, batch_size))
        self.graphql_url = graphql_url or self._graphql_url(client.base_url)

    @staticmethod
    def _graphql_url(base_url: httpx.URL) -> str:
        # api.github.com/graphql; a GitHub Enterprise server's REST root is /api/v3 and its
        # GraphQL endpoint /api/graphql.
        base = str(base_url).rstrip("/")
        if base.endswith("/api/v3"):
            return base.removesuffix("/v3") + "/graphql"
        return base + "/graphql"

    @classmethod
    def build_http(cls, *, base_url: str | None = None) -> httpx.Client:
        """Return an `httpx.Client` for the GitHub API in settings (``GITHUB_API_URL``)."""
        return build_client(
            base_url=base_url or settings.GITHUB_API_URL,
            token=settings.GITHUB_TOKEN,
            headers=REST_HEADERS,
        )

    @classmethod
    def from_settings(
        cls,
        *,
        budget: RateBudget | None = None,
        base_url: str | None = None,
        host: str | None = None,
        http: httpx.Client | None = None,
    ) -> Self:
        """Return a client from ``GITHUB_API_URL``, ``GITHUB_TOKEN`` and ``GITHUB_GRAPHQL``."""
        return cls(
            http or cls.build_http(base_url=base_url),
            graphql=bool(settings.GITHUB_GRAPHQL),
            budget=budget,
            host=host,
        )

    # --- Public API -------------------------------------------------------------------------

    def fetch(
        self, repository: Repository, validators: Validators | None = None
    ) -> RepositoryFacts:
        """Return the facts of one repository, or raise a `SourceError`."""
        validators = validators if validators is not None else Validators()
        if self.graphql:
            result = self.fetch_many([repository], {repository.key: validators})[repository.key]
            if isinstance(result, SourceError):
                raise result
            return result
        summary = self._rest_summary(repository.path, validators)
        return self._facts(summary, validators, Parts(), rest=True)

    def fetch_many(
        self,
        repositories: Sequence[Repository],
        validators_by_key: Mapping[str, Validators] | None = None,
    ) -> dict[str, RepositoryFacts | SourceError]:
        """Return facts or the error for each repository, by `Repository.key`.

        Pass one `Validators` per key to keep ETags between fetches. Once GitHub says "wait"
        (a rate limit), the repositories not yet asked for get that `RateLimited` and no
        further request is made.
        """
        validators_by_key = validators_by_key or {}
        unique = list({repository.key: repository for repository in repositories}.values())
        results: dict[str, RepositoryFacts | SourceError] = {}
        halt = Halt()
        for start in range(0, len(unique), self.batch_size):
            batch = unique[start : start + self.batch_size]
            if halt.error is not None:
                results.update(dict.fromkeys((repository.key for repository in batch), halt.error))
                continue
            if self.graphql:
                summaries = self._graphql_summaries(batch, halt)
            else:
                summaries = {}
                for repository in batch:
                    try:
                        halt.check()
                        summaries[repository.key] = self._rest_summary(
                            repository.path, self._validators(validators_by_key, repository)
                        )
                    except RateLimited as error:
                        halt.error = error
                        summaries[repository.key] = error
                    except SourceError as error:
                        summaries[repository.key] = error
            for repository in batch:
                summary = summaries[repository.key]
                if isinstance(summary, SourceError):
                    results[repository.key] = summary
                    continue
                validators = self._validators(validators_by_key, repository)
                results[repository.key] = self._facts(
                    summary, validators, Parts(halt=halt), rest=not self.graphql
                )
        return results

    @staticmethod
    def _validators(by_key: Mapping[str, Validators], repository: Repository) -> Validators:
        found = by_key.get(repository.key)
        return found if found is not None else Validators()

    # --- Main facts ---------------------------------------------------------------------

    def _graphql_summaries(
        self, batch: Sequence[Repository], halt: Halt
    ) -> dict[str, Summary | SourceError]:
        variables: dict[str, str] = {}
        for index, repository in enumerate(batch):
            variables[f"o{index}"] = repository.owner
            variables[f"n{index}"] = repository.name
        try:
            halt.check()
            answer = self.session.post(
                self.graphql_url,
                json_body={"query": batch_query(len(batch)), "variables": variables},
                cost_of=query_cost,
            )
        except RateLimited as error:
            halt.error = error
            return dict.fromkeys((repository.key for repository in batch), error)
        except SourceError as error:
            return dict.fromkeys((repository.key for repository in batch), error)
        return read_batch(answer.body, batch=batch, halt=halt, clock=self.session.clock)

    def _rest_summary(self, path: str, validators: Validators) -> Summary:
        answer = self.session.get(
            f"/repos/{quoted_path(path)}", validators=validators, keep=_keep_repository
        )
        return summary_of(answer.body)

    # --- Activity -------------------------------------------------------------------------

    def _facts(
        self, summary: Summary, validators: Validators, parts: Parts, *, rest: bool
    ) -> RepositoryFacts:
        last_commit_at, total_commits, empty = (
            summary.last_commit_at,
            summary.total_commits,
            summary.empty,
        )
        if rest:
            newest = parts.run(
                "total_commits",
                lambda: self._newest_commit(summary.path, summary.default_branch, validators),
            )
            if newest is None:
                parts.give_up("last_commit_at")
            else:
                last_commit_at, total_commits = newest
                empty = total_commits == 0
        if empty:
            weekly: tuple[int, ...] | None = (0,) * WEEKS
            contributors: tuple[Contributor, ...] | None = ()
        else:
            weekly = parts.run(
                "weekly_commits", lambda: self._participation(summary.path, validators)
            )
            contributors = parts.run(
                "contributors", lambda: self._contributors(summary.path, validators)
            )
        return RepositoryFacts(
            path=summary.path,
            stars=summary.stars,
            forks=summary.forks,
            description=summary.description,
            archived=summary.archived,
            default_branch=summary.default_branch,
            archived_at=summary.archived_at,
            last_commit_at=last_commit_at,
            total_commits=total_commits,
            weekly_commits=weekly,
            contributors=contributors,
            **parts.outcome(),
        )

    def _newest_commit(
        self, path: str, branch: str, validators: Validators
    ) -> tuple[datetime | None, int]:
        params: dict[str, str | int] = {"per_page": 1}
        if branch:
            params["sha"] = branch
        answer = self.session.get(
            f"/repos/{quoted_path(path)}/commits",
            params=params,
            validators=validators,
            expect=(200, 409),
            keep=_keep_commits,
        )
        if answer.status == 409 or not answer.body:  # 409: "Git Repository is empty."
            return None, 0
        newest = newest_commit_of(answer.body)
        last = answer.links.get("last")
        if last is None:
            return newest, len(answer.body)
        page = httpx.URL(last).params.get("page")
        if page is None or not page.isdigit():
            raise UpstreamError(f"GitHub's last commit page for {path} has no page number.")
        return newest, int(page)

    def _participation(self, path: str, validators: Validators) -> tuple[int, ...]:
        answer = self.session.get(
            f"/repos/{quoted_path(path)}/stats/participation",
            validators=validators,
            expect=(200, 202, 204),
            keep=_keep_participation,
        )
        if answer.status == 202:
            raise StillComputing
        if answer.status == 204:
            return (0,) * WEEKS
        return participation_of(answer.body)

    def _contributors(self, path: str, validators: Validators) -> tuple[Contributor, ...]:
        url = f"/repos/{quoted_path(path)}/contributors"
        params: dict[str, str | int] | None = {"per_page": 100}
        people: list[Contributor] = []
        for _ in range(self.max_contributor_pages):
            answer = self.session.get(
                url,
                params=params,
                validators=validators,
                expect=(200, 204),
                keep=_keep_contributors,
            )
            if answer.status == 204:  # An empty repository.
                return ()
            people.extend(contributors_of(answer.body))
            next_page = answer.links.get("next")
            if not next_page:
                break
            url, params = next_page, None
        return tuple(people)
