"""A fake GitLab: API v4 projects, commits, contributors, as `packyard.sources.gitlab` links."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request

from packyard.sources.parsing import parse_timestamp
from tests.fakes.base import JSON, Reply
from tests.fakes.forge import FakeForge, FakeRepository, link_header, page_numbers


def _gitlab_paging(
    request: Request, page: int, per_page: int, total: int, *, totals: bool
) -> dict[str, str]:
    pages = max(1, math.ceil(total / per_page))
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
    }
    if totals:
        headers["X-Total"] = str(total)
        headers["X-Total-Pages"] = str(pages)
    link = link_header(request, page, pages)
    if link:
        headers["Link"] = link
    return headers


class FakeGitLab(FakeForge):
    """GitLab's REST API v4: projects by encoded path or id, commits, contributors."""

    prefix = "/api/v4"
    rate_style = "gitlab"

    def __init__(self, *, send_totals: bool = True, **options: Any) -> None:
        super().__init__(**options)
        self.send_totals = send_totals

    def route(self, request: Request, path: str) -> Reply:
        # The WSGI path arrives decoded: "/projects/group/sub/name/repository/commits".
        if not path.startswith("/projects/"):
            return _gitlab_not_found()
        rest = path.removeprefix("/projects/")
        if match := re.fullmatch(r"(\d+)(/.*)?", rest):
            return self.project(request, self.by_id(int(match.group(1))), match.group(2) or "")
        known = sorted([*self.repositories, *self.moved], key=len, reverse=True)
        for candidate in known:
            if rest.lower() == candidate or rest.lower().startswith(candidate + "/"):
                repository, renamed = self.find(candidate)
                sub = rest[len(candidate) :]
                if repository is not None and renamed:
                    query = request.query_string.decode()
                    location = (
                        f"{request.host_url.rstrip('/')}{self.prefix}/projects/"
                        f"{quote(repository.path, safe='')}{sub}"
                    )
                    return Reply(301, None, {"Location": location + (f"?{query}" if query else "")})
                return self.project(request, repository, sub)
        return _gitlab_not_found()

    def project(self, request: Request, repository: FakeRepository | None, sub: str) -> Reply:
        if repository is None:
            return _gitlab_not_found()
        if repository.status is not None:
            return Reply(repository.status, {"message": f"{repository.status} Gone"})
        if sub == "":
            return Reply(200, self.project_json(repository))
        if sub == "/repository/commits":
            return self.commits(request, repository)
        if sub == "/repository/contributors":
            return self.contributors(request, repository)
        return _gitlab_not_found()

    @staticmethod
    def project_json(repository: FakeRepository) -> JSON:
        return {
            "id": repository.id,
            "description": repository.description or None,
            "name": repository.name,
            "name_with_namespace": repository.path.replace("/", " / "),
            "path": repository.name,
            "path_with_namespace": repository.path,
            "default_branch": repository.default_branch if repository.commits else None,
            "empty_repo": not repository.commits,
            "archived": repository.archived,
            "star_count": repository.stars,
            "forks_count": repository.forks,
            "visibility": "public",
        }

    def commits(self, request: Request, repository: FakeRepository) -> Reply:
        since = parse_timestamp(request.args.get("since"))
        chosen = [c for c in repository.commits if since is None or c.date >= since]
        page, per_page = page_numbers(request, size="per_page", default=20, most=100)
        body = [
            {
                "id": commit.sha,
                "short_id": commit.sha[:8],
                "title": "A change",
                "author_name": commit.name,
                "author_email": commit.email,
                "authored_date": commit.date.isoformat(timespec="milliseconds"),
                "committer_name": commit.name,
                "committer_email": commit.email,
                "committed_date": commit.date.isoformat(timespec="milliseconds"),
                "created_at": commit.date.isoformat(timespec="milliseconds"),
                "message": "A change",
            }
            for commit in chosen[(page - 1) * per_page : page * per_page]
        ]
        headers = _gitlab_paging(request, page, per_page, len(chosen), totals=self.send_totals)
        return Reply(200, body, headers)

    def contributors(self, request: Request, repository: FakeRepository) -> Reply:
        counts: Counter[tuple[str, str]] = Counter(
            (commit.name, commit.email) for commit in repository.commits
        )
        ordered = sorted(counts.items(), key=lambda item: item[1], reverse=True)
        if request.args.get("sort", "asc") == "asc":
            ordered.reverse()
        people = [
            {"name": name, "email": email, "commits": commits, "additions": 0, "deletions": 0}
            for (name, email), commits in ordered
        ]
        page, per_page = page_numbers(request, size="per_page", default=20, most=100)
        headers = _gitlab_paging(request, page, per_page, len(people), totals=self.send_totals)
        return Reply(200, people[(page - 1) * per_page : page * per_page], headers)


def _gitlab_not_found() -> Reply:
    return Reply(404, {"message": "404 Project Not Found"})
