"""GitHub's GraphQL batch: the query for up to 50 repositories by alias, and reading its answer.

Each repository node's fields are checked; a wrong one fails that repository alone with an
`UpstreamError` naming the field, and its stored facts are kept:

- ``nameWithOwner``: an ``owner/name`` path; ``stargazerCount``, ``forkCount``: counts;
  ``description``: a string or null ("no description"); ``isArchived``: a boolean;
  ``archivedAt``: an ISO 8601 time or null.
- ``defaultBranchRef``: null (an empty repository: no commits) or an object with a non-empty
  ``name``; its ``target``, when not null, an object with a ``committedDate`` time and
  ``history.totalCount`` a count.

Upstream documentation:

- GraphQL ``Repository``: https://docs.github.com/en/graphql/reference/objects#repository
- GraphQL rate limits and ``rateLimit``:
  https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api
- GraphQL errors (``type: NOT_FOUND`` with a ``path``): https://spec.graphql.org/October2021/#sec-Errors
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from packyard.core.repositories import Repository
from packyard.sources.base import Halt
from packyard.sources.errors import NotFound, RateLimited, SourceError, UpstreamError
from packyard.sources.parsing import (
    JSONBody,
    count,
    description,
    expect_mapping,
    flag,
    optional_time,
    parse_timestamp,
    repository_path,
    required_text,
    required_time,
)

MAX_BATCH = 50

_FACTS_FRAGMENT = """
fragment facts on Repository {
  nameWithOwner
  stargazerCount
  forkCount
  description
  isArchived
  archivedAt
  defaultBranchRef {
    name
    target {
      ... on Commit {
        committedDate
        history {
          totalCount
        }
      }
    }
  }
}
"""


def batch_query(size: int) -> str:
    """Return a GraphQL query for `size` repositories, aliased ``r0``, ``r1``, ..."""
    variables = ", ".join(f"$o{index}: String!, $n{index}: String!" for index in range(size))
    fields = "\n".join(
        f"  r{index}: repository(owner: $o{index}, name: $n{index}) {{ ...facts }}"
        for index in range(size)
    )
    return (
        f"query Packyard({variables}) {{\n{fields}\n"
        "  rateLimit { cost limit remaining resetAt }\n}\n" + _FACTS_FRAGMENT
    )


def query_cost(body: JSONBody) -> int:
    """Return the rate units a query spent, as its ``rateLimit.cost`` says."""
    return int(body["data"]["rateLimit"]["cost"])


@dataclass(frozen=True)
class Summary:
    """What the GraphQL query or ``/repos/{owner}/{repo}`` gives about one repository."""

    path: str
    stars: int
    forks: int
    description: str
    archived: bool
    default_branch: str
    archived_at: datetime | None = None
    last_commit_at: datetime | None = None
    total_commits: int | None = None
    empty: bool = False


def read_batch(
    body: JSONBody, *, batch: Sequence[Repository], halt: Halt, clock: Callable[[], datetime]
) -> dict[str, Summary | SourceError]:
    """Return each repository's summary, or its error, from a `batch_query` answer by alias.

    A ``RATE_LIMITED`` error spends `halt` for the whole batch (until ``rateLimit.resetAt``, or
    `clock`'s now when the answer does not say); a null node is `NotFound` when its error is of
    type ``NOT_FOUND`` and an `UpstreamError` otherwise.
    """
    errors_by_alias: dict[str, dict[str, Any]] = {}
    general: list[dict[str, Any]] = []
    raw_errors = body.get("errors") if isinstance(body, dict) else None
    for error in raw_errors if isinstance(raw_errors, list) else []:
        if not isinstance(error, dict):
            continue
        path = error.get("path")
        if isinstance(path, list) and path and isinstance(path[0], str):
            errors_by_alias.setdefault(path[0], error)
        else:
            general.append(error)
    data = body.get("data") if isinstance(body, dict) else None
    if any(error.get("type") == "RATE_LIMITED" for error in general):
        reset_at = _reset_at(data) or clock()
        halt.error = RateLimited("GitHub's GraphQL rate limit is spent.", reset_at=reset_at)
        return dict.fromkeys((repository.key for repository in batch), halt.error)
    if not isinstance(data, dict):
        messages = "; ".join(str(error.get("message")) for error in general) or "no data"
        failure = UpstreamError(f"GitHub's GraphQL API gave no data: {messages}")
        return dict.fromkeys((repository.key for repository in batch), failure)
    summaries: dict[str, Summary | SourceError] = {}
    for index, repository in enumerate(batch):
        alias = f"r{index}"
        node = data.get(alias)
        error = errors_by_alias.get(alias)
        if node is None:
            if error is not None and error.get("type") == "NOT_FOUND":
                summaries[repository.key] = NotFound(
                    f"GitHub has no repository {repository.path}.", status=404
                )
            else:
                detail = error.get("message") if error else "a null repository"
                summaries[repository.key] = UpstreamError(
                    f"GitHub's GraphQL API gave {detail} for {repository.path}."
                )
            continue
        try:
            summaries[repository.key] = _summary(node)
        except UpstreamError as failure:
            summaries[repository.key] = failure
    return summaries


def _reset_at(data: object) -> datetime | None:
    if isinstance(data, dict) and isinstance(data.get("rateLimit"), dict):
        return parse_timestamp(data["rateLimit"].get("resetAt"))
    return None


def _summary(node: object) -> Summary:
    node = expect_mapping(node, "A GraphQL repository")
    branch = node.get("defaultBranchRef")
    if branch is not None:
        branch = expect_mapping(branch, "GitHub's defaultBranchRef")
    target = branch.get("target") if branch is not None else None
    last_commit_at: datetime | None = None
    total: int | None = None if branch is not None else 0  # No default branch: no commits.
    if target is not None:
        target = expect_mapping(target, "GitHub's defaultBranchRef.target")
        last_commit_at = required_time(target.get("committedDate"), "GitHub's committedDate")
        history = expect_mapping(target.get("history"), "GitHub's history")
        total = count(history.get("totalCount"), "GitHub's history.totalCount")
    return Summary(
        path=repository_path(node.get("nameWithOwner"), "GitHub's nameWithOwner"),
        stars=count(node.get("stargazerCount"), "GitHub's stargazerCount"),
        forks=count(node.get("forkCount"), "GitHub's forkCount"),
        description=description(node.get("description"), "GitHub's description"),
        archived=flag(node.get("isArchived"), "GitHub's isArchived"),
        archived_at=optional_time(node.get("archivedAt"), "GitHub's archivedAt"),
        default_branch=(
            required_text(branch.get("name"), "GitHub's defaultBranchRef.name")
            if branch is not None
            else ""
        ),
        last_commit_at=last_commit_at,
        total_commits=total,
        empty=branch is None,
    )
