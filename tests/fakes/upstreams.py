"""Fake code hosts and PyPI that answer in each API's documented shapes, for tests and benchmarks.

Each fake is a small werkzeug app holding its repositories (or projects) in memory; a test
changes them between requests (rename, archive, delete, add commits) and injects faults:

- ``fail(pattern, status)``: answer with a status (404, 410, 5xx, ...);
- ``malformed(pattern)``: a 200 whose body is not JSON;
- ``hold(pattern, event)``: answer only once the `threading.Event` is set (a slow answer past
  the client's timeout, without sleeping in the test);
- ``limit(pattern, status=403 or 429, reset_at=..., retry_after=...)``: a spent rate limit;
- ``redirect(pattern, location)``: a redirect, to the same host or elsewhere.

A pattern is a regular expression searched in the request path; a fault fires ``times`` times.
Every request is recorded in ``seen`` with the units it cost. With ``rate_limit`` set a fake
counts units GitHub's way (each answer 1 unit, a GraphQL query its cost, a 304 nothing), sends
the limit headers and answers 403 (GitHub) or 429 (GitLab) once they are spent.

Use a fake under pytest-httpserver (``base_url = FakeGitHub().install(httpserver)``) or as a
threaded server of its own (``with serve(FakeGitHub(latency=0.05)) as served: served.url``),
which is how the refresh benchmark runs them.

The shapes follow the upstream documentation linked from each client module:
`packyard.sources.github`, `packyard.sources.gitlab`, `packyard.sources.bitbucket`,
`packyard.sources.forgejo` and `packyard.sources.pypi`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from packyard.sources.parsing import parse_timestamp, utc_now, weekly_counts

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from pytest_httpserver import HTTPServer

JSON = Any


def iso(moment: datetime) -> str:
    """Return a time as ISO 8601 in UTC with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- What the fakes hold ------------------------------------------------------------------


@dataclass
class FakeCommit:
    """One commit: its time, and its author as the host knows them."""

    date: datetime
    login: str | None = None  # The author's account on the host; None when not linked.
    name: str = "Someone"
    email: str = "someone@example.com"
    bot: bool = False
    sha: str = ""


@dataclass
class FakeRepository:
    """One repository on a fake forge; commits are kept newest first."""

    path: str
    id: int = 0
    stars: int = 0
    watchers: int = 0  # Forgejo's watchers_count, which is not stars.
    forks: int = 0
    description: str = ""
    archived: bool = False
    archived_at: datetime | None = None
    default_branch: str = "main"
    commits: list[FakeCommit] = field(default_factory=list)
    stats_pending: int = 0  # GitHub: answer 202 to participation this many more times.
    status: int | None = None  # Answer every request about it with this status (410, 451).

    @property
    def owner(self) -> str:
        return self.path.rsplit("/", 1)[0]

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[1]

    @property
    def newest(self) -> FakeCommit | None:
        return self.commits[0] if self.commits else None


def make_commits(
    count: int,
    *,
    now: datetime | None = None,
    every: timedelta = timedelta(days=2),
    first_age: timedelta = timedelta(hours=1),
    authors: Iterable[tuple[str | None, str]] = (("alice", "Alice Smith"),),
) -> list[FakeCommit]:
    """Return `count` commits, newest first, one every `every`, by the authors in turn."""
    now = now or utc_now()
    people = list(authors)
    commits = []
    for index in range(count):
        login, name = people[index % len(people)]
        slug = (login or name).lower().replace(" ", ".")
        commits.append(
            FakeCommit(
                date=now - first_age - every * index,
                login=login,
                name=name,
                email=f"{slug}@example.com",
                bot=bool(login and login.endswith("[bot]")),
                sha=hashlib.sha1(f"{slug}{index}".encode(), usedforsecurity=False).hexdigest(),
            )
        )
    return commits


# --- The fake host --------------------------------------------------------------------------


@dataclass
class Reply:
    """What a fake answers before ETags and rate headers are added."""

    status: int = 200
    body: JSON = None
    headers: dict[str, str] = field(default_factory=dict)
    cost: int = 1
    raw: bytes | None = None  # Sent as it is (a body that is not JSON).


@dataclass(frozen=True)
class Seen:
    """One request a fake answered."""

    method: str
    path: str
    query: str
    status: int
    cost: int


@dataclass
class _Fault:
    pattern: re.Pattern[str]
    times: int
    reply: Callable[[], Reply] | None = None
    hold: threading.Event | None = None


class FakeUpstream:
    """A fake API host: routes, ETags, rate headers and injected faults."""

    prefix = ""  # Where the API lives on the server (``/api/v4``, ``/2.0``, ...).
    rate_style = "github"  # "github": X-RateLimit-*, 403 when spent; "gitlab": RateLimit-*, 429.

    def __init__(
        self,
        *,
        latency: float = 0.0,
        rate_limit: int | None = None,
        rate_window: timedelta = timedelta(hours=1),
        max_hold: float = 10.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.latency = latency
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.max_hold = max_hold
        self.clock = clock
        self.reset_at = clock() + rate_window
        self.used: Counter[str] = Counter()
        self.seen: list[Seen] = []
        self._faults: list[_Fault] = []
        self._lock = threading.RLock()

    # Faults ---------------------------------------------------------------------------------

    def _add_fault(self, pattern: str, times: int, **kind: Any) -> None:
        with self._lock:
            self._faults.append(_Fault(pattern=re.compile(pattern), times=times, **kind))

    def fail(
        self,
        pattern: str,
        status: int = 500,
        *,
        times: int = 1,
        body: JSON = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer requests whose path matches `pattern` with `status`."""
        reply_body = body if body is not None else {"message": f"Fake error {status}"}
        self._add_fault(
            pattern, times, reply=lambda: Reply(status, reply_body, dict(headers or {}), cost=1)
        )

    def malformed(self, pattern: str, *, times: int = 1) -> None:
        """Answer 200 with a body that is not JSON."""
        self._add_fault(pattern, times, reply=lambda: Reply(200, raw=b'{"stargazers_count": 1,'))

    def hold(self, pattern: str, until: threading.Event, *, times: int = 1) -> None:
        """Answer only once `until` is set (or after ``max_hold`` seconds)."""
        self._add_fault(pattern, times, hold=until)

    def limit(
        self,
        pattern: str,
        *,
        status: int = 403,
        reset_at: datetime | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer with a spent rate limit: remaining 0, the reset time, maybe Retry-After."""

        def reply() -> Reply:
            headers = self.rate_headers("core", remaining=0, reset_at=reset_at or self.reset_at)
            if retry_after is not None:
                headers["Retry-After"] = str(retry_after)
            message = "API rate limit exceeded" if retry_after is None else "secondary rate limit"
            return Reply(status, {"message": f"You have exceeded a {message}."}, headers, cost=0)

        self._add_fault(pattern, times, reply=reply)

    def redirect(self, pattern: str, location: str, *, status: int = 301, times: int = 1) -> None:
        """Answer with a redirect to `location`."""
        self._add_fault(
            pattern, times, reply=lambda: Reply(status, None, {"Location": location}, cost=1)
        )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times != 0 and fault.pattern.search(path):
                    fault.times -= 1
                    return fault
        return None

    # Accounting -----------------------------------------------------------------------------

    @property
    def units_used(self) -> int:
        """Return the rate units spent so far, over every resource."""
        return sum(self.used.values())

    def requests_to(self, pattern: str) -> list[Seen]:
        """Return the requests whose path matches `pattern`."""
        compiled = re.compile(pattern)
        return [seen for seen in self.seen if compiled.search(seen.path)]

    def rate_headers(
        self, resource: str, *, remaining: int | None = None, reset_at: datetime | None = None
    ) -> dict[str, str]:
        """Return the rate-limit headers of this host's style."""
        limit = self.rate_limit if self.rate_limit is not None else 5000
        used = self.used[resource]
        left = remaining if remaining is not None else max(0, limit - used)
        reset = int((reset_at or self.reset_at).timestamp())
        if self.rate_style == "gitlab":
            return {
                "RateLimit-Limit": str(limit),
                "RateLimit-Observed": str(limit - left),
                "RateLimit-Remaining": str(left),
                "RateLimit-Reset": str(reset),
            }
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(left),
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Used": str(limit - left),
            "X-RateLimit-Resource": resource,
        }

    def resource_for(self, request: Request) -> str:
        """Return the rate-limit resource a request spends."""
        return "core"

    def exhausted(self, resource: str) -> Reply:
        """Return the answer once a resource's units are spent."""
        headers = self.rate_headers(resource, remaining=0)
        if self.rate_style == "gitlab":
            wait = max(1, math.ceil((self.reset_at - self.clock()).total_seconds()))
            headers["Retry-After"] = str(wait)
            return Reply(429, {"message": "Retry later"}, headers, cost=0)
        return Reply(403, {"message": "API rate limit exceeded."}, headers, cost=0)

    # Serving --------------------------------------------------------------------------------

    def route(self, request: Request, path: str) -> Reply:
        """Answer one request; `path` is the request path after the API prefix."""
        return Reply(404, {"message": "Not Found"})

    def handle(self, request: Request) -> Response:
        """Answer one request (the pytest-httpserver handler)."""
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(request.path)
        if fault is not None and fault.hold is not None:
            fault.hold.wait(self.max_hold)
            fault = None
        resource = self.resource_for(request)
        with self._lock:
            if self.clock() >= self.reset_at:
                self.used.clear()
                self.reset_at = self.clock() + self.rate_window
            if fault is not None and fault.reply is not None:
                reply = fault.reply()
            elif self.rate_limit is not None and self.used[resource] >= self.rate_limit:
                reply = self.exhausted(resource)
            else:
                path = request.path.removeprefix(self.prefix) if self.prefix else request.path
                reply = self.route(request, path)
            etag = None
            if request.method == "GET" and reply.status == 200 and reply.raw is None:
                digest = hashlib.sha1(
                    json.dumps(reply.body, sort_keys=True).encode(), usedforsecurity=False
                ).hexdigest()
                etag = f'W/"{digest}"'
                if etag in request.headers.get("If-None-Match", ""):
                    reply = Reply(304, None, reply.headers, cost=0)
            if reply.status != 304:
                self.used[resource] += reply.cost
            headers = dict(reply.headers)
            if etag:
                headers["ETag"] = etag
            if self.rate_limit is not None and not any("RateLimit" in name for name in headers):
                headers.update(self.rate_headers(resource))
            self.seen.append(
                Seen(
                    request.method,
                    request.path,
                    request.query_string.decode(),
                    reply.status,
                    0 if reply.status == 304 else reply.cost,
                )
            )
        if reply.raw is not None:
            data: bytes = reply.raw
        elif reply.body is None or reply.status in (204, 304):
            data = b""
        else:
            data = json.dumps(reply.body).encode()
        return Response(data, status=reply.status, headers=headers, content_type="application/json")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.handle(Request(environ))(environ, start_response)

    def install(self, httpserver: HTTPServer) -> str:
        """Answer every request to a pytest-httpserver; return this API's base URL there."""
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self.handle)
        return httpserver.url_for(self.prefix or "/").rstrip("/")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing: a benchmark makes thousands of requests."""


@dataclass
class Served:
    """A fake running as a threaded server of its own."""

    url: str
    server: BaseWSGIServer
    thread: threading.Thread

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> Served:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def serve(app: FakeUpstream, *, host: str = "127.0.0.1", port: int = 0) -> Served:
    """Run `app` on a threaded server in the background; return its base URL and handle."""
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="fake-upstream", daemon=True)
    thread.start()
    return Served(
        url=f"http://{host}:{server.server_port}{app.prefix}", server=server, thread=thread
    )


# --- Forges ------------------------------------------------------------------------------


class FakeForge(FakeUpstream):
    """A fake code host holding repositories by path (case-insensitive)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.repositories: dict[str, FakeRepository] = {}
        self.moved: dict[str, str] = {}
        self._ids = 1000

    def add(self, path: str, **fields: Any) -> FakeRepository:
        """Add a repository at `path` (``owner/name``, or ``group/sub/name`` on GitLab)."""
        with self._lock:
            self._ids += 1
            repository = FakeRepository(path=path, id=self._ids, **fields)
            self.repositories[path.lower()] = repository
            self.moved.pop(path.lower(), None)
            return repository

    def get(self, path: str) -> FakeRepository:
        return self.repositories[path.lower()]

    def rename(self, old: str, new: str) -> FakeRepository:
        """Move a repository to `new`; the old path redirects to it (as the hosts do)."""
        with self._lock:
            repository = self.repositories.pop(old.lower())
            repository.path = new
            self.repositories[new.lower()] = repository
            self.moved[old.lower()] = new
            return repository

    def delete(self, path: str) -> None:
        with self._lock:
            self.repositories.pop(path.lower(), None)

    def find(self, path: str) -> tuple[FakeRepository | None, bool]:
        """Return the repository at `path` and whether it was reached through a rename."""
        key = path.lower()
        if key in self.repositories:
            return self.repositories[key], False
        if key in self.moved:
            return self.repositories.get(self.moved[key].lower()), True
        return None, False

    def by_id(self, identifier: int) -> FakeRepository | None:
        return next((repo for repo in self.repositories.values() if repo.id == identifier), None)


def _page_numbers(request: Request, *, size: str, default: int, most: int) -> tuple[int, int]:
    try:
        per_page = max(1, min(most, int(request.args.get(size, default))))
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        per_page, page = default, 1
    return page, per_page


def _url_with(request: Request, **changes: str | int) -> str:
    query = {**request.args.to_dict(), **{name: str(value) for name, value in changes.items()}}
    return f"{request.base_url}?{urlencode(query)}"


def _link_header(request: Request, page: int, pages: int) -> str:
    links = []
    if page < pages:
        links.append(f'<{_url_with(request, page=page + 1)}>; rel="next"')
        links.append(f'<{_url_with(request, page=pages)}>; rel="last"')
    if page > 1:
        links.append(f'<{_url_with(request, page=1)}>; rel="first"')
        links.append(f'<{_url_with(request, page=page - 1)}>; rel="prev"')
    return ", ".join(links)


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
        page, per_page = _page_numbers(request, size="per_page", default=30, most=100)
        pages = max(1, math.ceil(len(people) / per_page))
        headers = {"Link": _link_header(request, page, pages)} if pages > 1 else {}
        return Reply(200, people[(page - 1) * per_page : page * per_page], headers)

    def commits(self, request: Request, repository: FakeRepository) -> Reply:
        if not repository.commits:
            return Reply(409, {"message": "Git Repository is empty."})
        page, per_page = _page_numbers(request, size="per_page", default=30, most=100)
        pages = max(1, math.ceil(len(repository.commits) / per_page))
        chosen = repository.commits[(page - 1) * per_page : page * per_page]
        body = [
            {
                "sha": commit.sha,
                "commit": {
                    "author": {
                        "name": commit.name,
                        "email": commit.email,
                        "date": iso(commit.date),
                    },
                    "committer": {
                        "name": commit.name,
                        "email": commit.email,
                        "date": iso(commit.date),
                    },
                    "message": "A change",
                },
                "author": {"login": commit.login} if commit.login else None,
                "committer": {"login": commit.login} if commit.login else None,
            }
            for commit in chosen
        ]
        headers = {"Link": _link_header(request, page, pages)} if pages > 1 else {}
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
    link = _link_header(request, page, pages)
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
        page, per_page = _page_numbers(request, size="per_page", default=20, most=100)
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
        page, per_page = _page_numbers(request, size="per_page", default=20, most=100)
        headers = _gitlab_paging(request, page, per_page, len(people), totals=self.send_totals)
        return Reply(200, people[(page - 1) * per_page : page * per_page], headers)


def _gitlab_not_found() -> Reply:
    return Reply(404, {"message": "404 Project Not Found"})


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
            page, per_page = _page_numbers(request, size="pagelen", default=10, most=100)
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
                body["next"] = _url_with(request, page=page + 1)
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
        page, per_page = _page_numbers(request, size="pagelen", default=30, most=100)
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
            body["next"] = _url_with(request, page=page + 1)
        return Reply(200, body)


def _bitbucket_not_found() -> Reply:
    return Reply(404, {"type": "error", "error": {"message": "Repository not found"}})


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
        page, per_page = _page_numbers(request, size="limit", default=30, most=50)
        pages = max(1, math.ceil(len(chosen) / per_page))
        body = [
            {
                "sha": commit.sha,
                "created": iso(commit.date),
                "commit": {
                    "message": "A change",
                    "author": {
                        "name": commit.name,
                        "email": commit.email,
                        "date": iso(commit.date),
                    },
                    "committer": {
                        "name": commit.name,
                        "email": commit.email,
                        "date": iso(commit.date),
                    },
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
        link = _link_header(request, page, pages)
        if link:
            headers["Link"] = link
        return Reply(200, body, headers)


def _forgejo_not_found() -> Reply:
    return Reply(404, {"errors": [], "message": "The target couldn't be found.", "url": ""})


# --- PyPI ------------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """Return a project name as PyPI compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pypi_file(
    uploaded: datetime,
    *,
    filename: str = "package-1.0.tar.gz",
    packagetype: str = "sdist",
    yanked: bool = False,
    yanked_reason: str | None = None,
) -> JSON:
    """Return one file of a release as the JSON API lists it."""
    moment = uploaded.astimezone(UTC)
    return {
        "filename": filename,
        "packagetype": packagetype,
        "python_version": "source" if packagetype == "sdist" else "py3",
        "size": 1234,
        "digests": {"sha256": hashlib.sha256(filename.encode()).hexdigest()},
        "upload_time": moment.replace(tzinfo=None).isoformat(timespec="seconds"),
        "upload_time_iso_8601": moment.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "url": f"https://files.example/{filename}",
        "yanked": yanked,
        "yanked_reason": yanked_reason,
    }


class FakePyPI(FakeUpstream):
    """PyPI's JSON API: ``/pypi/{name}/json``; other spellings of a name redirect to its own."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.projects: dict[str, JSON] = {}

    def add(
        self,
        name: str,
        *,
        version: str = "1.0",
        releases: dict[str, list[JSON]] | None = None,
        vulnerabilities: list[JSON] | None = None,
        project_status: dict[str, str] | None = None,
        **info: JSON,
    ) -> JSON:
        """Add a project; `info` fields override the defaults of its ``info``."""
        now = self.clock()
        body: dict[str, JSON] = {
            "info": {
                "name": name,
                "version": version,
                "summary": f"{name} does things",
                "description": "A long description. " * 200,
                "keywords": "",
                "license": None,
                "license_expression": None,
                "classifiers": [],
                "requires_python": ">=3.10",
                "requires_dist": None,
                "project_urls": None,
                "docs_url": None,
                "yanked": False,
                **info,
            },
            "last_serial": 1,
            "releases": (
                releases
                if releases is not None
                else {
                    version: [
                        pypi_file(now - timedelta(days=1), filename=f"{name}-{version}.tar.gz")
                    ]
                }
            ),
            "urls": [],
            "vulnerabilities": vulnerabilities or [],
        }
        if project_status is not None:
            body["project-status"] = project_status
        with self._lock:
            self.projects[normalise_name(name)] = body
        return body

    def delete(self, name: str) -> None:
        with self._lock:
            self.projects.pop(normalise_name(name), None)

    def route(self, request: Request, path: str) -> Reply:
        match = re.fullmatch(r"/pypi/([^/]+)/json/?", path)
        body = self.projects.get(normalise_name(match.group(1))) if match else None
        if match is None or body is None:
            return Reply(404, {"message": "Not Found"})
        canonical = body["info"]["name"]
        if match.group(1) != canonical:
            return Reply(301, None, {"Location": f"/pypi/{canonical}/json"})
        return Reply(200, body)


__all__ = [
    "FakeBitbucket",
    "FakeCommit",
    "FakeForge",
    "FakeForgejo",
    "FakeGitHub",
    "FakeGitLab",
    "FakePyPI",
    "FakeRepository",
    "FakeUpstream",
    "Reply",
    "Seen",
    "Served",
    "make_commits",
    "normalise_name",
    "pypi_file",
    "serve",
]
