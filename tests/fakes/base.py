"""A fake API host: routes, ETags, rate headers, injected faults, and serving it on a thread."""

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

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from packyard.sources.parsing import utc_now

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from pytest_httpserver import HTTPServer


JSON = Any


def iso(moment: datetime) -> str:
    """Return a time as ISO 8601 in UTC with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Reply:
    """What a fake answers before ETags and rate headers are added."""

    status: int = 200
    body: JSON = None
    headers: dict[str, str] = field(default_factory=dict)
    cost: int = 1
    raw: bytes | None = None  # Sent as it is (a body that is not JSON).
    chunks: int | None = None  # Send a JSON string of this many bytes, chunked, no length.


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

    def huge(self, pattern: str, size: int, *, chunked: bool = False, times: int = 1) -> None:
        """Answer 200 with a JSON string body of `size` bytes (with no length when `chunked`)."""
        if chunked:
            self._add_fault(pattern, times, reply=lambda: Reply(200, chunks=size))
        else:
            body = b'"' + b"x" * max(0, size - 2) + b'"'
            self._add_fault(pattern, times, reply=lambda: Reply(200, raw=body))

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
            streamed = reply.raw is not None or reply.chunks is not None
            if request.method == "GET" and reply.status == 200 and not streamed:
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
        if reply.chunks is not None:
            return Response(
                _json_string_chunks(reply.chunks),
                status=reply.status,
                headers=headers,
                content_type="application/json",
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


def _json_string_chunks(size: int, chunk: int = 64 * 1024) -> Iterable[bytes]:
    """Yield a JSON string of `size` bytes in chunks (a stream with no Content-Length)."""
    yield b'"'
    left = max(0, size - 2)
    while left > 0:
        yield b"x" * min(chunk, left)
        left -= chunk
    yield b'"'


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
