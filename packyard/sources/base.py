"""The HTTP session and client base every source client shares, and the parts of a fetch.

`HostSession` wraps one host's `httpx.Client` with what every client needs:

- it asks the `RateBudget` before each request and reports the response's limit headers after
  it (a 304 costs 0 units: GitHub does not count it);
- it sends ``If-None-Match`` where `Validators` hold an ETag and, on 304, reuses the stored body
  and its paging headers;
- it follows a redirect once, and only to the same host (a renamed repository); any other
  redirect is an `UpstreamError`;
- it maps every failure to a typed error: 404 `NotFound`; 410, 451 and GitHub's "access
  blocked" 403 `Gone`; 403/429 with spent limit headers, ``Retry-After`` or a rate-limit message
  `RateLimited(reset_at)`; 5xx, timeouts, refused connections, bodies that are not JSON and
  unexpected shapes `UpstreamError`;
- it reads at most `MAX_BODY_BYTES` of a body (PyPI's largest projects answer a few megabytes,
  a page of commits a few hundred kilobytes): a larger ``Content-Length`` is refused before the
  body is read, and a body without one is read in chunks and dropped once past the cap, both
  as an `UpstreamError`, so a host cannot fill the worker's memory.

`Parts` runs the parts of one repository's facts that may fail alone; `Halt` stops a batch once
a host says "wait".

Upstream behaviour relied on here (rate headers are read in `packyard.sources.parsing`):

- GitHub conditional requests, a 304 is free:
  https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
- GitLab paging headers (``X-Next-Page``, ``X-Total``): https://docs.gitlab.com/api/rest/#pagination
- Bitbucket Cloud answers 429 when over its hourly limits:
  https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self, TypeVar

import httpx

from packyard.sources.errors import Gone, NotFound, RateLimited, SourceError, UpstreamError
from packyard.sources.parsing import JSONBody, parse_links, rate_limit_reset, read_rate, utc_now
from packyard.sources.types import RateBudget, RateReading, Validators

T = TypeVar("T")
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Headers kept with a stored body, so a 304 still tells the next page and the totals.
# The largest body read from a host; see the module docstring.
MAX_BODY_BYTES = 32 * 1024 * 1024
PAGING_HEADERS = ("Link", "X-Total", "X-Total-Pages", "X-Next-Page", "X-Total-Count", "X-HasMore")


@dataclass(frozen=True)
class Answer:
    """One answer from a host: its status, JSON body and headers (stored ones after a 304)."""

    status: int
    body: JSONBody
    headers: httpx.Headers
    url: str
    not_modified: bool = False

    @property
    def links(self) -> dict[str, str]:
        return parse_links(self.headers.get("Link"))

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return value.strip() if value is not None and value.strip() else None


def _message(body: object, text: str) -> str:
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message")
            if isinstance(value, str) and value:
                return value
    return text[:200]


class HostSession:
    """Requests to one host through its `httpx.Client`, with budget, ETags and typed errors."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        host: str,
        budget: RateBudget | None = None,
        clock: Callable[[], datetime] = utc_now,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.client = client
        self.host = host
        self.budget = budget
        self.clock = clock
        self.max_body_bytes = max_body_bytes

    def _read(self, request: httpx.Request, response: httpx.Response) -> bytes:
        """Return the body of a streamed response, or raise once it passes the cap."""
        too_large = UpstreamError(
            f"{self.host} answered {request.url.path} with a body over "
            f"{self.max_body_bytes} bytes; not read.",
            status=response.status_code,
        )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    def same_host(self, url: httpx.URL) -> bool:
        """Return whether `url` is on the host this session was configured for."""
        base = self.client.base_url
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        validators: Validators | None = None,
        expect: Collection[int] = (200,),
        headers: Mapping[str, str] | None = None,
        keep: Callable[[JSONBody], JSONBody] | None = None,
    ) -> Answer:
        """GET `url` (conditional when `validators` know its ETag) and return the answer.

        `expect` lists the statuses returned as answers; any other raises a typed error.
        `keep` trims a 200 body before it is returned and remembered for the next 304.
        """
        return self._send(
            "GET",
            url,
            params=params,
            json_body=None,
            headers=headers,
            validators=validators,
            expect=expect,
            keep=keep,
            cost_of=None,
            redirects_left=1,
        )

    def post(
        self,
        url: str,
        *,
        json_body: JSONBody,
        expect: Collection[int] = (200,),
        headers: Mapping[str, str] | None = None,
        cost_of: Callable[[JSONBody], int] | None = None,
    ) -> Answer:
        """POST JSON to `url`; `cost_of` reads the units the answer says it spent."""
        return self._send(
            "POST",
            url,
            params=None,
            json_body=json_body,
            headers=headers,
            validators=None,
            expect=expect,
            keep=None,
            cost_of=cost_of,
            redirects_left=0,
        )

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None,
        json_body: JSONBody,
        headers: Mapping[str, str] | None,
        validators: Validators | None,
        expect: Collection[int],
        keep: Callable[[JSONBody], JSONBody] | None,
        cost_of: Callable[[JSONBody], int] | None,
        redirects_left: int,
    ) -> Answer:
        request = self.client.build_request(
            method,
            url,
            params=dict(params) if params else None,
            json=json_body,
            headers=dict(headers) if headers else None,
        )
        if not self.same_host(request.url):
            raise UpstreamError(f"Refusing to leave {self.host} for {request.url}.")
        outcome = self._exchange(request, validators, expect, keep, cost_of)
        if isinstance(outcome, Answer):
            return outcome
        if redirects_left > 0 and self.same_host(outcome):
            return self._send(
                method,
                str(outcome),
                params=None,
                json_body=json_body,
                headers=headers,
                validators=validators,
                expect=expect,
                keep=keep,
                cost_of=cost_of,
                redirects_left=redirects_left - 1,
            )
        raise UpstreamError(
            f"{self.host} redirected {request.url.path} to {outcome}; not followed "
            "(only one redirect on the same host is)."
        )

    def _exchange(
        self,
        request: httpx.Request,
        validators: Validators | None,
        expect: Collection[int],
        keep: Callable[[JSONBody], JSONBody] | None,
        cost_of: Callable[[JSONBody], int] | None,
    ) -> Answer | httpx.URL:
        """Send one request between the budget's acquire and release; return it or a redirect."""
        key = str(request.url)
        if validators is not None and request.method == "GET":
            etag = validators.etag(key)
            if etag:
                request.headers["If-None-Match"] = etag
        if self.budget is not None:
            self.budget.acquire(self.host)
        reading: RateReading | None = None
        try:
            try:
                response = self.client.send(request, stream=True)
                try:
                    content = self._read(request, response)
                finally:
                    response.close()
            except httpx.TimeoutException as error:
                raise UpstreamError(
                    f"{self.host} did not answer {request.url.path} in time."
                ) from error
            except httpx.HTTPError as error:
                raise UpstreamError(f"{self.host} could not be reached: {error}") from error
            now = self.clock()
            status = response.status_code
            if status == 304:
                reading = read_rate(response.headers, cost=0, now=now)
                if validators is None or key not in validators.entries:
                    raise UpstreamError(f"{self.host} answered 304 for a body never stored.")
                return Answer(
                    status=200,
                    body=validators.body(key),
                    headers=httpx.Headers(validators.headers(key)),
                    url=key,
                    not_modified=True,
                )
            if status in REDIRECTS:
                reading = read_rate(response.headers, cost=1, now=now)
                location = response.headers.get("Location")
                if not location:
                    raise UpstreamError(
                        f"{self.host} redirected without a Location.", status=status
                    )
                return request.url.join(location)
            body: JSONBody = None
            not_json: ValueError | RecursionError | None = None
            if content:
                try:
                    body = json.loads(content)
                # UnicodeDecodeError is a ValueError; arrays nested past Python's stack recurse.
                except (ValueError, RecursionError) as error:
                    not_json = error
            cost = 1
            if cost_of is not None and body is not None:
                try:
                    cost = max(0, int(cost_of(body)))
                except (KeyError, TypeError, ValueError, AttributeError):
                    cost = 1
            reading = read_rate(response.headers, cost=cost, now=now)
            if status in expect:
                if not_json is not None:
                    raise UpstreamError(
                        f"{self.host} answered {request.url.path} with a body that is not JSON.",
                        status=status,
                    ) from not_json
                if keep is not None and body is not None:
                    try:
                        body = keep(body)
                    except (KeyError, TypeError, ValueError, AttributeError) as error:
                        raise UpstreamError(
                            f"{self.host} answered {request.url.path} in an unexpected shape.",
                            status=status,
                        ) from error
                if validators is not None and request.method == "GET" and status == 200:
                    kept = {
                        name: response.headers[name]
                        for name in PAGING_HEADERS
                        if name in response.headers
                    }
                    validators.remember(key, response.headers.get("ETag"), body, kept)
                return Answer(status=status, body=body, headers=response.headers, url=key)
            text = content.decode(response.encoding or "utf-8", errors="replace")
            raise self._error(request, response, body, text, reading, now)
        finally:
            if self.budget is not None:
                self.budget.release(self.host, reading)

    def _error(
        self,
        request: httpx.Request,
        response: httpx.Response,
        body: JSONBody,
        text: str,
        reading: RateReading,
        now: datetime,
    ) -> SourceError:
        status = response.status_code
        message = _message(body, text)
        where = f"{self.host}{request.url.path}"
        if status == 404:
            return NotFound(f"{where} was not found.", status=status)
        if status in (410, 451):
            return Gone(f"{where} is gone ({status}): {message}", status=status)
        reset_at = rate_limit_reset(status, reading, message, now)
        if reset_at is not None:
            return RateLimited(
                f"{self.host} rate limit reached: {message}", reset_at=reset_at, status=status
            )
        if status == 403 and (
            (isinstance(body, dict) and "block" in body) or "access blocked" in message.lower()
        ):
            return Gone(f"{where} is blocked by the host: {message}", status=status)
        return UpstreamError(f"{where} answered {status}: {message}", status=status)


# --- Parts of a fetch that may fail alone ----------------------------------------------------


class HostClient:
    """What every code host's client shares: a `HostSession` on the `httpx.Client` it is given,
    and `from_settings`, which builds that client with the subclass's `build_http`."""

    # How many pages of commits a walk of the last 52 weeks may read (hosts without statistics).
    MAX_COMMIT_PAGES = 10

    def __init__(
        self,
        client: httpx.Client,
        *,
        budget: RateBudget | None = None,
        host: str | None = None,
        max_commit_pages: int | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.clock = clock
        pages = self.MAX_COMMIT_PAGES if max_commit_pages is None else max_commit_pages
        self.max_commit_pages = max(1, pages)
        self.session = HostSession(
            client, host=host or client.base_url.netloc.decode(), budget=budget, clock=clock
        )

    @classmethod
    def build_http(cls, *, base_url: str | None = None) -> httpx.Client:
        """Return an `httpx.Client` for this host's API (`base_url`, or the one in settings)."""
        raise NotImplementedError

    @classmethod
    def from_settings(
        cls,
        *,
        budget: RateBudget | None = None,
        base_url: str | None = None,
        host: str | None = None,
        http: httpx.Client | None = None,
    ) -> Self:
        """Return a client for the API in settings (or at `base_url`), on `http` if given."""
        return cls(http or cls.build_http(base_url=base_url), budget=budget, host=host)


class StillComputing(Exception):
    """The host is still computing this part (GitHub's 202 from a statistics endpoint)."""


@dataclass
class Halt:
    """Shared by the fetches of one batch: once a host says "wait", nothing more is asked."""

    error: RateLimited | None = None

    def check(self) -> None:
        if self.error is not None:
            raise self.error


@dataclass
class Parts:
    """The parts of one repository's facts that may fail alone and are then left None."""

    halt: Halt = field(default_factory=Halt)
    pending: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)

    def run(self, name: str, call: Callable[[], T]) -> T | None:
        """Return what `call` gives, or None with `name` noted as pending or unavailable."""
        if self.halt.error is not None:
            self.unavailable.append(name)
            return None
        try:
            return call()
        except StillComputing:
            self.pending.append(name)
        except RateLimited as error:
            self.halt.error = error
            self.unavailable.append(name)
        except SourceError:
            self.unavailable.append(name)
        return None

    @property
    def retry_at(self) -> datetime | None:
        """Return when the parts a rate limit cut off may be asked for again (None if none)."""
        return self.halt.error.reset_at if self.halt.error is not None else None

    def give_up(self, *names: str) -> None:
        """Note parts that could not be given (a walk past its bound)."""
        self.unavailable.extend(name for name in names if name not in self.unavailable)

    def outcome(self) -> dict[str, Any]:
        """Return the `RepositoryFacts` fields that say which parts are missing, and till when."""
        return {
            "pending": tuple(self.pending),
            "unavailable": tuple(self.unavailable),
            "retry_at": self.retry_at,
        }
