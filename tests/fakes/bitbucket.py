"""A fake Bitbucket Cloud: API 2.0, shaped as the docs `packyard.sources.bitbucket` links."""

from __future__ import annotations

import re

from werkzeug.wrappers import Request

from tests.fakes.base import JSON, Reply
from tests.fakes.forge import FakeForge, FakeRepository, page_numbers, url_with


class FakeBitbucket(FakeForge):
    """Bitbucket Cloud's REST API 2.0: repositories, watchers, forks, commits."""

    prefix = "/2.0"

    def route(self, request: Request, path: str) -> Reply:
        match = re.fullmatch(r"/repositories/([^/]+)/([^/]+)(/.*)?", path)
        if not match:
            return _bitbucket_not_found()
        repository, _ = self.find(f"{match.group(1)}/{match.group(2)}")
        sub = match.group(3) or ""
        if repository is None:
            return _bitbucket_not_found()
        if repository.status is not None:
            return Reply(repository.status, {"type": "error", "error": {"message": "Gone"}})
        if sub == "":
            return Reply(200, self.repository_json(repository))
        if sub in ("/watchers", "/forks"):
            size = repository.stars if sub == "/watchers" else repository.forks
            page, per_page = page_numbers(request, size="pagelen", default=10, most=100)
            shown = max(0, min(per_page, size - (page - 1) * per_page))
            body: dict[str, JSON] = {
                "pagelen": per_page,
                "size": size,
                "page": page,
                "values": [
                    {"type": "user", "display_name": f"Person {index}"} for index in range(shown)
                ],
            }
            if page * per_page < size:
                body["next"] = url_with(request, page=page + 1)
            return Reply(200, body)
        if match := re.fullmatch(r"/commits/(.+)", sub):
            return self.commits(request, repository)
        return _bitbucket_not_found()

    @staticmethod
    def repository_json(repository: FakeRepository) -> JSON:
        return {
            "type": "repository",
            "full_name": repository.path,
            "name": repository.name,
            "slug": repository.name,
            "description": repository.description,
            "is_private": False,
            "uuid": f"{{{repository.id:08d}-0000-0000-0000-000000000000}}",
            "mainbranch": (
                {"type": "branch", "name": repository.default_branch}
                if repository.commits
                else None
            ),
        }

    def commits(self, request: Request, repository: FakeRepository) -> Reply:
        page, per_page = page_numbers(request, size="pagelen", default=30, most=100)
        chosen = repository.commits[(page - 1) * per_page : page * per_page]
        values = []
        for commit in chosen:
            author: dict[str, JSON] = {"type": "author", "raw": f"{commit.name} <{commit.email}>"}
            if commit.login:
                author["user"] = {
                    "type": "app_user" if commit.bot else "user",
                    "display_name": commit.name,
                    "nickname": commit.login,
                    "account_id": f"id-{commit.login}",
                }
            values.append(
                {
                    "type": "commit",
                    "hash": commit.sha,
                    "date": commit.date.isoformat(),
                    "author": author,
                    "message": "A change",
                }
            )
        body: dict[str, JSON] = {"pagelen": per_page, "values": values}
        if page * per_page < len(repository.commits):
            body["next"] = url_with(request, page=page + 1)
        return Reply(200, body)


def _bitbucket_not_found() -> Reply:
    return Reply(404, {"type": "error", "error": {"message": "Repository not found"}})
