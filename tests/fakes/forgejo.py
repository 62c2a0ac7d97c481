"""A fake Forgejo or Codeberg: API v1, shaped as the docs `packyard.sources.forgejo` links."""

from __future__ import annotations

import math
import re
from typing import Any

from werkzeug.wrappers import Request

from packyard.sources.parsing import parse_timestamp
from tests.fakes.base import JSON, Reply, iso
from tests.fakes.forge import FakeForge, FakeRepository, git_signature, link_header, page_numbers


class FakeForgejo(FakeForge):
    """Forgejo's API v1: repositories and commits (Codeberg and self-hosted)."""

    prefix = "/api/v1"

    def __init__(self, *, supports_since: bool = True, **options: Any) -> None:
        super().__init__(**options)
        self.supports_since = supports_since

    def route(self, request: Request, path: str) -> Reply:
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if not match:
            return _forgejo_not_found()
        repository, renamed = self.find(f"{match.group(1)}/{match.group(2)}")
        sub = match.group(3) or ""
        if repository is None:
            return _forgejo_not_found()
        if renamed:
            query = request.query_string.decode()
            location = f"{request.host_url.rstrip('/')}{self.prefix}/repos/{repository.path}{sub}"
            return Reply(301, None, {"Location": location + (f"?{query}" if query else "")})
        if repository.status is not None:
            return Reply(repository.status, {"message": "Gone"})
        if sub == "":
            return Reply(200, self.repository_json(repository))
        if sub == "/commits":
            return self.commits(request, repository)
        return _forgejo_not_found()

    @staticmethod
    def repository_json(repository: FakeRepository) -> JSON:
        return {
            "id": repository.id,
            "owner": {"login": repository.owner},
            "name": repository.name,
            "full_name": repository.path,
            "description": repository.description,
            "empty": not repository.commits,
            "archived": repository.archived,
            "archived_at": (
                iso(repository.archived_at) if repository.archived_at else "1970-01-01T00:00:00Z"
            ),
            "default_branch": repository.default_branch,
            "stars_count": repository.stars,
            "forks_count": repository.forks,
            "watchers_count": repository.watchers,
            "open_issues_count": 0,
        }

    def commits(self, request: Request, repository: FakeRepository) -> Reply:
        if not repository.commits:
            return Reply(409, {"message": "Git Repository is empty.", "url": ""})
        since = parse_timestamp(request.args.get("since")) if self.supports_since else None
        chosen = [c for c in repository.commits if since is None or c.date >= since]
        page, per_page = page_numbers(request, size="limit", default=30, most=50)
        pages = max(1, math.ceil(len(chosen) / per_page))
        body = [
            {
                "sha": commit.sha,
                "created": iso(commit.date),
                "commit": {
                    "message": "A change",
                    "author": git_signature(commit),
                    "committer": git_signature(commit),
                },
                "author": {"login": commit.login, "id": 1} if commit.login else None,
                "committer": {"login": commit.login, "id": 1} if commit.login else None,
            }
            for commit in chosen[(page - 1) * per_page : page * per_page]
        ]
        headers = {
            "X-Total-Count": str(len(chosen)),
            "X-Total": str(len(chosen)),
            "X-Page": str(page),
            "X-PerPage": str(per_page),
            "X-PageCount": str(pages),
            "X-HasMore": "true" if page < pages else "false",
        }
        link = link_header(request, page, pages)
        if link:
            headers["Link"] = link
        return Reply(200, body, headers)


def _forgejo_not_found() -> Reply:
    return Reply(404, {"errors": [], "message": "The target couldn't be found.", "url": ""})
