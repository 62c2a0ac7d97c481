"""GitLab (gitlab.com or self-hosted): repository facts from the REST API v4.

- ``GET /projects/:id`` with the URL-encoded full path (``group%2Fsub%2Fproject``, so nested
  groups work): ``star_count``, ``forks_count``, ``description``, ``archived``,
  ``default_branch``, ``path_with_namespace`` (differs after a move; a redirect to the same
  host is followed once). Later calls use the numeric project id.
- ``GET /projects/:id/repository/commits?ref_name=..&per_page=1``: the newest commit's
  ``committed_date``, and the total from ``X-Total`` when GitLab sends it (it leaves the header
  out past 10,000 records, and for some repositories always): otherwise the total is None.
- ``GET /projects/:id/repository/commits?ref_name=..&since=..&per_page=100``: every commit of
  the last 52 weeks, walking ``X-Next-Page`` up to ``max_commit_pages``; counted into the 52
  weeks that end now (`packyard.sources.parsing.weekly_counts`, the way GitHub's participation
  is read). A walk that would pass its bound leaves the weekly counts None rather than wrong.
- ``GET /projects/:id/repository/contributors?order_by=commits&sort=desc``: every page. GitLab
  gives each contributor's ``name`` and ``email`` only, never a username, so contributors are
  named by their git author name (entries with the same name are merged).

Every field read is checked; a wrong one fails that fetch (the project's fields) or that part
(commits, contributors) with an `UpstreamError` naming the field, and the stored fact is kept:
``id`` a positive integer; ``path_with_namespace`` a ``group/.../name`` path; ``star_count``
and ``forks_count`` counts; ``description`` a string or null ("no description", cut to 1,000
characters); ``archived`` a boolean; ``default_branch`` a string or null (an empty project);
``empty_repo`` a boolean, or absent; each commit's ``committed_date`` an ISO 8601 time; each
contributor an object whose ``name`` is a string or null (a null or blank name is skipped).

Requests are conditional where GitLab sends ETags; rate limits come from ``RateLimit-*`` and
``Retry-After`` (see `packyard.sources.parsing`).

Upstream documentation:

- Projects: https://docs.gitlab.com/api/projects/#get-a-single-project
- Path encoding of a project id: https://docs.gitlab.com/api/rest/#namespaced-paths
- Commits: https://docs.gitlab.com/api/commits/#list-repository-commits
- Contributors: https://docs.gitlab.com/api/repositories/#contributors
- Paging headers (``X-Next-Page``, ``X-Total`` and when it is left out):
  https://docs.gitlab.com/api/rest/#pagination
- Rate limits: https://docs.gitlab.com/user/gitlab_com/#rate-limits-on-gitlabcom
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

import httpx
from django.conf import settings

from packyard.core.http import build_client
from packyard.core.repositories import Repository
from packyard.sources.base import Answer, HostClient, Parts
from packyard.sources.errors import UpstreamError
from packyard.sources.parsing import (
    WEEKS,
    JSONBody,
    count,
    description,
    expect_list,
    expect_mapping,
    flag,
    looks_like_bot,
    objects,
    optional_text,
    repository_path,
    required_time,
    since_parameter,
    utc_now,
    weekly_counts,
    window_start,
)
from packyard.sources.types import Contributor, RateBudget, RepositoryFacts, Validators


class _WalkTooLong(Exception):
    """A paged walk reached its bound with pages left."""


def _keep_project(body: JSONBody) -> JSONBody:
    body = expect_mapping(body, "The project")
    return {
        name: body.get(name)
        for name in (
            "id",
            "path_with_namespace",
            "star_count",
            "forks_count",
            "description",
            "archived",
            "default_branch",
            "empty_repo",
        )
    }


def _keep_commits(body: JSONBody) -> JSONBody:
    return [
        {"committed_date": commit.get("committed_date")}
        for commit in objects(body, "GitLab's commit list")
    ]


def commit_dates_of(body: JSONBody) -> list[datetime]:
    """Return the ``committed_date`` of each commit of a (kept) page; each must be a time."""
    return [
        required_time(commit.get("committed_date"), "GitLab's committed_date")
        for commit in objects(body, "GitLab's commit list")
    ]


def _keep_contributors(body: JSONBody) -> JSONBody:
    return [{"name": person.get("name")} for person in objects(body, "GitLab's contributor list")]


def contributors_of(people: JSONBody) -> tuple[Contributor, ...]:
    """Return distinct contributors by git author name, in GitLab's order (most commits first)."""
    seen: dict[str, Contributor] = {}
    for person in objects(people, "GitLab's contributor list"):
        name = optional_text(person.get("name"), "A GitLab contributor's name").strip()
        if name and name.lower() not in seen:
            seen[name.lower()] = Contributor(login=name, is_bot=looks_like_bot(name))
    return tuple(seen.values())


@dataclass(frozen=True)
class Project:
    """What ``GET /projects/:id`` gives about one project."""

    id: int
    path: str
    stars: int
    forks: int
    description: str
    archived: bool
    default_branch: str
    empty: bool


def project_of(body: JSONBody) -> Project:
    """Return a project from a ``/projects/:id`` answer, checking each field's type."""
    body = expect_mapping(body, "GitLab's project")
    project_id = body.get("id")
    if isinstance(project_id, bool) or not isinstance(project_id, int) or project_id <= 0:
        raise UpstreamError(f"GitLab's id is not a project id: {project_id!r:.80}")
    branch = optional_text(body.get("default_branch"), "GitLab's default_branch")
    return Project(
        id=project_id,
        path=repository_path(
            body.get("path_with_namespace"), "GitLab's path_with_namespace", nested=True
        ),
        stars=count(body.get("star_count"), "GitLab's star_count"),
        forks=count(body.get("forks_count"), "GitLab's forks_count"),
        description=description(body.get("description"), "GitLab's description"),
        archived=flag(body.get("archived"), "GitLab's archived"),
        default_branch=branch,
        empty=flag(body.get("empty_repo"), "GitLab's empty_repo", absent=False) or not branch,
    )


class GitLabClient(HostClient):
    """Fetch repository facts from one GitLab instance (``https://host/api/v4``)."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        budget: RateBudget | None = None,
        host: str | None = None,
        max_commit_pages: int | None = None,
        max_contributor_pages: int = 100,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(
            client, budget=budget, host=host, max_commit_pages=max_commit_pages, clock=clock
        )
        self.max_contributor_pages = max(1, max_contributor_pages)

    @classmethod
    def build_http(cls, *, base_url: str | None = None) -> httpx.Client:
        """Return an `httpx.Client` for a GitLab API (``GITLAB_TOKEN`` for ``GITLAB_URL`` only)."""
        default = f"{settings.GITLAB_URL.rstrip('/')}/api/v4"
        base_url = base_url or default
        same_site = urlsplit(base_url).netloc.lower() == urlsplit(default).netloc.lower()
        return build_client(base_url=base_url, token=settings.GITLAB_TOKEN if same_site else "")

    def fetch(
        self, repository: Repository, validators: Validators | None = None
    ) -> RepositoryFacts:
        """Return the facts of one project, or raise a `SourceError`."""
        validators = validators if validators is not None else Validators()
        project = self._project(repository.path, validators)
        parts = Parts()
        last_commit_at: datetime | None = None
        total_commits: int | None = 0
        weekly: tuple[int, ...] | None = (0,) * WEEKS
        contributors: tuple[Contributor, ...] | None = ()
        if not project.empty:
            newest = parts.run("last_commit_at", lambda: self._newest(project, validators))
            if newest is None:
                total_commits = None
                parts.give_up("total_commits")
            else:
                last_commit_at, total_commits = newest
            weekly = parts.run("weekly_commits", lambda: self._weekly(project, validators))
            contributors = parts.run(
                "contributors", lambda: self._contributors(project, validators)
            )
        return RepositoryFacts(
            path=project.path,
            stars=project.stars,
            forks=project.forks,
            description=project.description,
            archived=project.archived,
            default_branch=project.default_branch,
            last_commit_at=last_commit_at,
            total_commits=total_commits,
            weekly_commits=weekly,
            contributors=contributors,
            **parts.outcome(),
        )

    def _project(self, path: str, validators: Validators) -> Project:
        answer = self.session.get(
            f"/projects/{quote(path, safe='')}", validators=validators, keep=_keep_project
        )
        return project_of(answer.body)

    def _commits_url(self, project: Project) -> str:
        return f"/projects/{project.id}/repository/commits"

    def _newest(
        self, project: Project, validators: Validators
    ) -> tuple[datetime | None, int | None]:
        answer = self.session.get(
            self._commits_url(project),
            params={"ref_name": project.default_branch, "per_page": 1},
            validators=validators,
            keep=_keep_commits,
        )
        dates = commit_dates_of(answer.body)
        newest = dates[0] if dates else None
        total = answer.header("X-Total")
        return newest, int(total) if total is not None and total.isdigit() else None

    def _pages(
        self,
        url: str,
        params: dict[str, str | int],
        validators: Validators,
        keep: Callable[[JSONBody], JSONBody],
        limit: int,
        *,
        stop: Callable[[list[dict[str, object]]], bool] = lambda page: False,
    ) -> list[dict[str, object]]:
        """Return every item of a paged list, following ``X-Next-Page`` or ``rel="next"``."""
        items: list[dict[str, object]] = []
        next_url: str = url
        next_params: dict[str, str | int] | None = dict(params)
        for _ in range(limit):
            answer: Answer = self.session.get(
                next_url, params=next_params, validators=validators, keep=keep
            )
            page = expect_list(answer.body, "A page")
            items.extend(page)
            if not page or stop(page):
                return items
            following = answer.header("X-Next-Page")
            if following is not None and following.isdigit() and next_params is not None:
                next_params = {**next_params, "page": int(following)}
            elif answer.links.get("next"):
                next_url, next_params = answer.links["next"], None
            else:
                return items
        raise _WalkTooLong

    def _weekly(self, project: Project, validators: Validators) -> tuple[int, ...]:
        now = self.clock()
        start = window_start(now)

        def before_window(page: list[dict[str, object]]) -> bool:
            return commit_dates_of(page)[-1] <= start

        try:
            commits = self._pages(
                self._commits_url(project),
                {
                    "ref_name": project.default_branch,
                    "since": since_parameter(now),
                    "per_page": 100,
                },
                validators,
                _keep_commits,
                self.max_commit_pages,
                stop=before_window,
            )
        except _WalkTooLong as error:
            raise UpstreamError(
                f"{project.path} has more commits in a year than {self.max_commit_pages} pages."
            ) from error
        return weekly_counts(commit_dates_of(commits), now=now)

    def _contributors(self, project: Project, validators: Validators) -> tuple[Contributor, ...]:
        try:
            people = self._pages(
                f"/projects/{project.id}/repository/contributors",
                {"order_by": "commits", "sort": "desc", "per_page": 100},
                validators,
                _keep_contributors,
                self.max_contributor_pages,
            )
        except _WalkTooLong as error:
            raise UpstreamError(
                f"{project.path} has more than {self.max_contributor_pages} pages of contributors."
            ) from error
        return contributors_of(people)
