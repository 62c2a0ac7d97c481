"""Which client talks to which code host, and the HTTP plumbing every source client shares.

`client_for(repository)` returns the client for a repository's host and `pypi_client()` the
PyPI client; each host's `httpx.Client` (its connection pool, built by
`packyard.core.http.build_client` from settings at first use) is kept for the process.
`host_key(repository)` names the host whose rate budget a fetch spends: the domain the API
requests go to (``api.github.com`` for github.com, ``gitlab.com``, ``codeberg.org``, ...).

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
  unexpected shapes `UpstreamError`.

Upstream behaviour relied on here:

- GitHub rate limits (403/429, ``x-ratelimit-*``, ``retry-after``, secondary limits: wait at
  least a minute): https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
- GitHub conditional requests, a 304 is free:
  https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
- GitLab ``RateLimit-*`` headers (``RateLimit-Reset`` is a Unix time):
  https://docs.gitlab.com/user/gitlab_com/#rate-limits-on-gitlabcom and paging headers
  (``X-Next-Page``, ``X-Total``): https://docs.gitlab.com/api/rest/#pagination
- Bitbucket Cloud answers 429 when over its hourly limits:
  https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/
- ``Retry-After`` (seconds or an HTTP date): https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
- ``Link`` headers: https://www.rfc-editor.org/rfc/rfc8288
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from packyard.core.repositories import Repository, RepositoryHost
from packyard.sources.errors import Gone, NotFound, RateLimited, SourceError, UpstreamError
from packyard.sources.types import Contributor, RateBudget, RateReading, Validators

if TYPE_CHECKING:
    from packyard.sources.bitbucket import BitbucketClient
    from packyard.sources.forgejo import ForgejoClient
    from packyard.sources.github import GitHubClient
    from packyard.sources.gitlab import GitLabClient
    from packyard.sources.pypi import PyPIClient

    type ForgeClient = GitHubClient | GitLabClient | BitbucketClient | ForgejoClient

T = TypeVar("T")

PYPI_HOST = "pypi.org"
CODEBERG = "codeberg.org"
WEEKS = 52
# GitHub asks to wait at least a minute after a secondary limit that names no time; the same
# wait is used for any host that says "too many requests" without saying until when.
FALLBACK_WAIT = timedelta(minutes=1)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Headers kept with a stored body, so a 304 still tells the next page and the totals.
PAGING_HEADERS = ("Link", "X-Total", "X-Total-Pages", "X-Next-Page", "X-Total-Count", "X-HasMore")
JSONBody = Any


class UnsupportedHost(ValueError):
    """The repository is on a host Packyard has no client for."""


def utc_now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


# --- Times, links and weeks ---------------------------------------------------------------


def parse_timestamp(value: object) -> datetime | None:
    """Return an ISO 8601 time as an aware UTC datetime (naive times are taken as UTC)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("z", "Z")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        # More than six digits of fractions of a second: keep six.
        trimmed = re.sub(r"(\.\d{6})\d+", r"\1", text)
        try:
            moment = datetime.fromisoformat(trimmed)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_links(value: str | None) -> dict[str, str]:
    """Return the URLs of a ``Link`` header by relation (``next``, ``last``, ...)."""
    links: dict[str, str] = {}
    if not value:
        return links
    for part in re.split(r",\s*(?=<)", value):
        match = re.match(r"\s*<([^>]*)>(.*)", part)
        if not match:
            continue
        url, parameters = match.groups()
        relation = re.search(r'rel\s*=\s*"?([^";]+)"?', parameters)
        if relation:
            for name in relation.group(1).split():
                links[name.lower()] = url
    return links


def window_start(now: datetime) -> datetime:
    """Return the start of the 52 weeks that end at `now`."""
    return now - timedelta(weeks=WEEKS)


def since_parameter(now: datetime) -> str:
    """Return the ``since`` to ask for: the window's start, floored to its UTC day.

    Flooring keeps the request URL the same all day, so its ETag can be reused; the extra
    hours are dropped again when commits are counted into weeks.
    """
    start = window_start(now).astimezone(UTC)
    return start.replace(hour=0, minute=0, second=0, microsecond=0).isoformat()


def weekly_counts(dates: Iterable[datetime], *, now: datetime) -> tuple[int, ...]:
    """Count commits into the 52 weeks that end at `now`, oldest week first.

    Week ``i`` covers ``(now - (52 - i) weeks, now - (51 - i) weeks]``, so the last count is the
    seven days up to now. GitHub's participation statistics are read the same way (52 counts,
    oldest first, the last one this week). A commit dated after `now` (a skewed clock) counts in
    the last week; commits older than the window are left out.
    """
    counts = [0] * WEEKS
    week = timedelta(weeks=1)
    start = window_start(now)
    for moment in dates:
        if moment <= start:
            continue
        index = WEEKS - 1 - int((now - moment) // week) if moment <= now else WEEKS - 1
        counts[max(0, min(WEEKS - 1, index))] += 1
    return tuple(counts)


# Names that code hosts give bots; GitHub also marks them with type "Bot".
_BOT_NAMES = frozenset(
    {"dependabot", "renovate", "renovate bot", "pre-commit-ci", "github-actions", "gitlab bot"}
)


def looks_like_bot(name: str) -> bool:
    """Return whether a login or author name is a bot's (``[bot]`` suffix or a known bot)."""
    lowered = name.strip().lower()
    return (
        lowered.endswith(("[bot]", " bot", "-bot", "_bot"))
        or lowered in _BOT_NAMES
        or lowered.startswith("dependabot")
    )


def contributors_by_commits(names: Iterable[tuple[str, bool]]) -> tuple[Contributor, ...]:
    """Return distinct contributors, most commits first, from one (name, is_bot) per commit."""
    counts: Counter[str] = Counter()
    bots: dict[str, bool] = {}
    spelling: dict[str, str] = {}
    for name, is_bot in names:
        name = name.strip()
        if not name:
            continue
        key = name.lower()
        spelling.setdefault(key, name)
        counts[key] += 1
        bots[key] = bots.get(key, False) or is_bot or looks_like_bot(name)
    ordered = sorted(counts, key=lambda key: (-counts[key], key))
    return tuple(Contributor(login=spelling[key], is_bot=bots[key]) for key in ordered)


# --- Rate headers -----------------------------------------------------------------------


def _header(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None and value.strip() != "":
            return value.strip()
    return None


def _integer(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def _retry_after(value: str | None, now: datetime) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def read_rate(headers: Mapping[str, str], *, cost: int, now: datetime) -> RateReading:
    """Return the rate-limit headers of one response.

    GitHub sends ``X-RateLimit-*``, GitLab ``RateLimit-*``; both give the reset as a Unix time.
    A small reset value (under a billion) is read as seconds from now, as the IETF draft has it.
    """
    reset = _integer(_header(headers, "X-RateLimit-Reset", "RateLimit-Reset"))
    reset_at: datetime | None = None
    if reset is not None:
        reset_at = (
            datetime.fromtimestamp(reset, UTC)
            if reset >= 1_000_000_000
            else now + timedelta(seconds=reset)
        )
    return RateReading(
        limit=_integer(_header(headers, "X-RateLimit-Limit", "RateLimit-Limit")),
        remaining=_integer(_header(headers, "X-RateLimit-Remaining", "RateLimit-Remaining")),
        reset_at=reset_at,
        retry_after=_retry_after(_header(headers, "Retry-After"), now),
        cost=cost,
    )


def rate_limit_reset(
    status: int, reading: RateReading, message: str, now: datetime
) -> datetime | None:
    """Return until when a 403/429 answer asks us to wait, or None if it is no rate limit."""
    if status not in (403, 429):
        return None
    if reading.retry_after is not None:
        return now + timedelta(seconds=reading.retry_after)
    if reading.remaining == 0:
        if reading.reset_at is not None and reading.reset_at > now:
            return reading.reset_at
        return now + FALLBACK_WAIT
    if status == 429:
        if reading.reset_at is not None and reading.reset_at > now:
            return reading.reset_at
        return now + FALLBACK_WAIT
    if "rate limit" in message.lower():
        return now + FALLBACK_WAIT
    return None


# --- One host's session -------------------------------------------------------------------


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
    ) -> None:
        self.client = client
        self.host = host
        self.budget = budget
        self.clock = clock

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
                response = self.client.send(request)
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
            not_json: ValueError | None = None
            if response.content:
                try:
                    body = response.json()
                except ValueError as error:
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
            raise self._error(request, response, body, reading, now)
        finally:
            if self.budget is not None:
                self.budget.release(self.host, reading)

    def _error(
        self,
        request: httpx.Request,
        response: httpx.Response,
        body: JSONBody,
        reading: RateReading,
        now: datetime,
    ) -> SourceError:
        status = response.status_code
        message = _message(body, response.text)
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

    def __init__(
        self,
        client: httpx.Client,
        *,
        budget: RateBudget | None = None,
        host: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.clock = clock
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


def expect_mapping(body: JSONBody, what: str) -> dict[str, Any]:
    """Return `body` if it is a JSON object, or raise `UpstreamError` naming `what`."""
    if not isinstance(body, dict):
        raise UpstreamError(f"{what} is not a JSON object.")
    return body


def mapping(value: object) -> dict[str, Any]:
    """Return `value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def expect_list(body: JSONBody, what: str) -> list[Any]:
    """Return `body` if it is a JSON array, or raise `UpstreamError` naming `what`."""
    if not isinstance(body, list):
        raise UpstreamError(f"{what} is not a JSON array.")
    return body


def count(value: object, what: str) -> int:
    """Return a JSON count, or raise `UpstreamError` when it is missing or not a number."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UpstreamError(f"{what} is missing or not a count: {value!r}")
    return value


def text(value: object) -> str:
    """Return a JSON string, or "" for null and anything else."""
    return value if isinstance(value, str) else ""


# --- The clients, one per host --------------------------------------------------------------

_lock = threading.Lock()
_http_clients: dict[tuple[str, str], httpx.Client] = {}


def _with_scheme(entry: str) -> str:
    entry = entry.strip().rstrip("/")
    return entry if "://" in entry else f"https://{entry}"


def _configured_base(entries: Iterable[str], domain: str) -> str | None:
    """Return the scheme and host of the configured entry for `domain` (``https`` by default)."""
    for entry in entries:
        parts = urlsplit(_with_scheme(entry))
        if parts.netloc.lower().removeprefix("www.") == domain:
            return f"{parts.scheme}://{parts.netloc}"
    return None


def api_url(repository: Repository) -> str:
    """Return the base URL of the API that serves `repository`, from settings."""
    domain = repository.domain.lower()
    if repository.host is RepositoryHost.GITHUB:
        return str(settings.GITHUB_API_URL).rstrip("/")
    if repository.host is RepositoryHost.BITBUCKET:
        return str(settings.BITBUCKET_API_URL).rstrip("/")
    if repository.host is RepositoryHost.GITLAB:
        site = _configured_base([settings.GITLAB_URL, *settings.GITLAB_HOSTS], domain)
        return f"{site or f'https://{domain}'}/api/v4"
    if repository.host is RepositoryHost.FORGEJO:
        site = _configured_base(settings.FORGEJO_HOSTS, domain)
        return f"{site or f'https://{domain}'}/api/v1"
    raise UnsupportedHost(f"{repository.domain} is not a supported code host.")


def host_key(repository: Repository) -> str:
    """Return the host whose rate budget fetching `repository` spends (the API's domain)."""
    return urlsplit(api_url(repository)).netloc.lower()


def _http_client(kind: str, base_url: str, build: Callable[[], httpx.Client]) -> httpx.Client:
    with _lock:
        client = _http_clients.get((kind, base_url))
        if client is None or client.is_closed:
            client = _http_clients[(kind, base_url)] = build()
        return client


def client_for(repository: Repository, *, budget: RateBudget | None = None) -> ForgeClient:
    """Return the client for `repository`'s host; its connection pool is kept per host."""
    from packyard.sources.bitbucket import BitbucketClient
    from packyard.sources.forgejo import ForgejoClient
    from packyard.sources.github import GitHubClient
    from packyard.sources.gitlab import GitLabClient

    base_url = api_url(repository)
    host = host_key(repository)
    kinds: dict[RepositoryHost, type[ForgeClient]] = {
        RepositoryHost.GITHUB: GitHubClient,
        RepositoryHost.GITLAB: GitLabClient,
        RepositoryHost.BITBUCKET: BitbucketClient,
        RepositoryHost.FORGEJO: ForgejoClient,
    }
    kind = kinds[repository.host]
    http = _http_client(repository.host.value, base_url, lambda: kind.build_http(base_url=base_url))
    return kind.from_settings(budget=budget, base_url=base_url, host=host, http=http)


def pypi_client(*, budget: RateBudget | None = None) -> PyPIClient:
    """Return the PyPI client; its connection pool is kept for the process."""
    from packyard.sources.pypi import PyPIClient

    base_url = str(settings.PYPI_URL).rstrip("/")
    http = _http_client("pypi", base_url, lambda: PyPIClient.build_http(base_url=base_url))
    return PyPIClient.from_settings(budget=budget, base_url=base_url, http=http)


def clear_clients() -> None:
    """Close and forget every kept connection pool (tests that change settings call this)."""
    with _lock:
        clients = list(_http_clients.values())
        _http_clients.clear()
    for client in clients:
        client.close()
