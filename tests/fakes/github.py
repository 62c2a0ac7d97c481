"""A fake GitHub: REST and the GraphQL batch, shaped as `packyard.sources.github` links."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from werkzeug.wrappers import Request

from packyard.sources.parsing import weekly_counts
from tests.fakes.base import JSON, Reply, iso
from tests.fakes.forge import FakeForge, FakeRepository, git_signature, link_header, page_numbers


class FakeGitHub(FakeForge):
    """GitHub's REST API and the GraphQL queries Packyard sends."""

    def __init__(self, *, rate_limit: int | None = 5000, **options: Any) -> None:
        super().__init__(rate_limit=rate_limit, **options)

    def resource_for(self, request: Request) -> str:
        return "graphql" if request.path.endswith("/graphql") else "core"

    def route(self, request: Request, path: str) -> Reply:
        if request.method == "POST" and path.endswith("/graphql"):
            return self.graphql(request)
        if match := re.fullmatch(r"/repositories/(\d+)(/.*)?", path):
            repository = self.by_id(int(match.group(1)))
            return self.rest(request, repository, match.group(2) or "")
        if match := re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path):
            repository, renamed = self.find(f"{match.group(1)}/{match.group(2)}")
            rest = match.group(3) or ""
            if repository is not None and renamed:
                query = request.query_string.decode()
                location = f"{request.host_url}repositories/{repository.id}{rest}"
                return Reply(
                    301,
                    {"message": "Moved Permanently", "url": location},
                    {"Location": location + (f"?{query}" if query else "")},
                )
            return self.rest(request, repository, rest)
        return _github_not_found()

    def rest(self, request: Request, repository: FakeRepository | None, rest: str) -> Reply:
        if repository is None:
            return _github_not_found()
        if repository.status is not None:
            return Reply(repository.status, {"message": "Repository access blocked"})
        if rest == "":
            return Reply(200, self.repository_json(repository))
        if rest == "/stats/participation":
            if repository.stats_pending > 0:
                repository.stats_pending -= 1
                return Reply(202, {})
            dates = [commit.date for commit in repository.commits]
            owner = [c.date for c in repository.commits if c.login == repository.owner]
            return Reply(
                200,
                {
                    "all": list(weekly_counts(dates, now=self.clock())),
                    "owner": list(weekly_counts(owner, now=self.clock())),
                },
            )
        if rest == "/contributors":
            return self.contributors(request, repository)
        if rest == "/commits":
            return self.commits(request, repository)
        return _github_not_found()

    @staticmethod
    def repository_json(repository: FakeRepository) -> JSON:
        return {
            "id": repository.id,
            "name": repository.name,
            "full_name": repository.path,
            "owner": {"login": repository.owner, "type": "User"},
            "private": False,
            "description": repository.description or None,
            "fork": False,
            "stargazers_count": repository.stars,
            "watchers_count": repository.stars,
            "subscribers_count": repository.watchers,
            "forks_count": repository.forks,
            "archived": repository.archived,
            "default_branch": repository.default_branch,
        }

    def contributors(self, request: Request, repository: FakeRepository) -> Reply:
        if not repository.commits:
            return Reply(204, None)
        counts: Counter[str] = Counter()
        bots: dict[str, bool] = {}
        for commit in repository.commits:
            if commit.login:
                counts[commit.login] += 1
                bots[commit.login] = commit.bot
        people = [
            {
                "login": login,
                "id": index + 1,
                "type": "Bot" if bots[login] else "User",
                "contributions": contributions,
            }
            for index, (login, contributions) in enumerate(counts.most_common())
        ]
        page, per_page = page_numbers(request, size="per_page", default=30, most=100)
        pages = max(1, math.ceil(len(people) / per_page))
        headers = {"Link": link_header(request, page, pages)} if pages > 1 else {}
        return Reply(200, people[(page - 1) * per_page : page * per_page], headers)

    def commits(self, request: Request, repository: FakeRepository) -> Reply:
        if not repository.commits:
            return Reply(409, {"message": "Git Repository is empty."})
        page, per_page = page_numbers(request, size="per_page", default=30, most=100)
        pages = max(1, math.ceil(len(repository.commits) / per_page))
        chosen = repository.commits[(page - 1) * per_page : page * per_page]
        body = [
            {
                "sha": commit.sha,
                "commit": {
                    "author": git_signature(commit),
                    "committer": git_signature(commit),
                    "message": "A change",
                },
                "author": {"login": commit.login} if commit.login else None,
                "committer": {"login": commit.login} if commit.login else None,
            }
            for commit in chosen
        ]
        headers = {"Link": link_header(request, page, pages)} if pages > 1 else {}
        return Reply(200, body, headers)

    def graphql(self, request: Request) -> Reply:
        payload = request.get_json(silent=True) or {}
        query = str(payload.get("query", ""))
        variables = payload.get("variables") or {}

        def value(token: str) -> str:
            return str(variables.get(token[1:], "")) if token.startswith("$") else token.strip('"')

        data: dict[str, JSON] = {}
        errors: list[JSON] = []
        fields = re.finditer(
            r'(\w+)\s*:\s*repository\(\s*owner:\s*(\$\w+|"[^"]*")\s*,\s*name:\s*(\$\w+|"[^"]*")\s*\)',
            query,
        )
        for match in fields:
            alias, owner, name = match.group(1), value(match.group(2)), value(match.group(3))
            repository, _ = self.find(f"{owner}/{name}")
            if repository is None or repository.status == 410:
                data[alias] = None
                errors.append(
                    {
                        "type": "NOT_FOUND",
                        "path": [alias],
                        "locations": [{"line": 1, "column": 1}],
                        "message": (
                            f"Could not resolve to a Repository with the name '{owner}/{name}'."
                        ),
                    }
                )
                continue
            if repository.status is not None:
                data[alias] = None
                errors.append(
                    {"type": "FORBIDDEN", "path": [alias], "message": "Repository access blocked"}
                )
                continue
            newest = repository.newest
            data[alias] = {
                "nameWithOwner": repository.path,
                "stargazerCount": repository.stars,
                "forkCount": repository.forks,
                "description": repository.description or None,
                "isArchived": repository.archived,
                "archivedAt": iso(repository.archived_at) if repository.archived_at else None,
                "defaultBranchRef": (
                    {
                        "name": repository.default_branch,
                        "target": {
                            "committedDate": iso(newest.date),
                            "history": {"totalCount": len(repository.commits)},
                        },
                    }
                    if newest
                    else None
                ),
            }
        if "rateLimit" in query:
            limit = self.rate_limit if self.rate_limit is not None else 5000
            data["rateLimit"] = {
                "cost": 1,
                "limit": limit,
                "remaining": max(0, limit - self.used["graphql"] - 1),
                "resetAt": iso(self.reset_at),
            }
        body: dict[str, JSON] = {"data": data}
        if errors:
            body["errors"] = errors
        return Reply(200, body, cost=1)


def _github_not_found() -> Reply:
    return Reply(
        404,
        {
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository",
            "status": "404",
        },
    )
