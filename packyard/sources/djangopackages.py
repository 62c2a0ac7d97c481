"""Client for djangopackages.org's API v4, or any directory that answers in its shape.

API: https://djangopackages.org/api/v4/ (a browsable Django REST framework API). Lists are
`{"count", "next", "previous", "results"}` pages with `?limit=` and `?offset=`:
https://www.django-rest-framework.org/api-guide/pagination/#limitoffsetpagination

The client is polite: requests start at least `delay` seconds apart, at most `concurrency`
at a time; a 429 waits as long as its Retry-After says
(https://www.rfc-editor.org/rfc/rfc9110#field.retry-after); 5xx answers, timeouts and broken
connections are retried with exponential back-off, a bounded number of times. Records come
back as the JSON objects they are: reading them is the importer's job.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from packyard.sources.errors import NotFound, RateLimited, UpstreamError
from packyard.sources.parsing import retry_after_seconds

DEFAULT_BASE_URL = "https://djangopackages.org/api/v4/"
KIND_PATHS = {"category": "categories/", "grid": "grids/", "package": "packages/"}

RETRIES = 5
BACKOFF_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
# A Retry-After longer than this is not waited out: the run stops and can resume later.
RETRY_AFTER_MAX_SECONDS = 900.0

Sleep = Callable[[float], None]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Page:
    """One page of a v4 list."""

    url: str
    count: int
    next_url: str | None
    results: tuple[Any, ...]  # The records as JSON values (objects, unless one is malformed).

    @property
    def offset(self) -> int:
        """Return the page's offset in its list, from its URL (0 when it has none)."""
        return query_int(self.url, "offset", default=0)


def query_int(url: str, name: str, *, default: int) -> int:
    """Return a whole-number query parameter of a URL."""
    value = dict(parse_qsl(urlsplit(url).query)).get(name, "")
    return int(value) if value.isdigit() else default


def with_query(url: str, **params: int) -> str:
    """Return the URL with the given query parameters set (others kept, in their order)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({name: str(value) for name, value in params.items()})
    return urlunsplit(parts._replace(query=urlencode(query)))


def list_url(base_url: str, kind: str, *, limit: int) -> str:
    """Return the first page of a kind's list ("category", "grid" or "package")."""
    return with_query(base_url.rstrip("/") + "/" + KIND_PATHS[kind], limit=limit)


class Pacer:
    """Let requests start at least `delay` seconds apart, across threads."""

    def __init__(self, *, delay: float, sleep: Sleep, clock: Clock) -> None:
        self.delay = delay
        self.sleep = sleep
        self.clock = clock
        self._lock = threading.Lock()
        self._next_start: float | None = None

    def wait(self) -> None:
        if self.delay <= 0:
            return
        with self._lock:
            now = self.clock()
            start = now if self._next_start is None else max(now, self._next_start)
            self._next_start = start + self.delay
        if start > now:
            self.sleep(start - now)


class DjangoPackagesClient:
    """Read the lists of a djangopackages.org-style API v4."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        base_url: str = DEFAULT_BASE_URL,
        concurrency: int = 1,
        delay: float = 0.0,
        retries: int = RETRIES,
        backoff: float = BACKOFF_SECONDS,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.http = http
        self.base = urlsplit(base_url)
        self.concurrency = max(1, concurrency)
        self.retries = max(0, retries)
        self.backoff = backoff
        self.sleep = sleep
        self.pacer = Pacer(delay=delay, sleep=sleep, clock=clock)

    def on_base(self, url: str) -> str:
        """Return the URL on the configured scheme and host.

        `next` links are built from the request's host, which a proxy may report as
        `http://`; fetching them on the configured base keeps every request on it.
        """
        parts = urlsplit(url)
        return urlunsplit(parts._replace(scheme=self.base.scheme, netloc=self.base.netloc))

    def page(self, url: str) -> Page:
        """Fetch one page of a list, retrying what a retry can mend."""
        url = self.on_base(url)
        attempt = 0
        while True:
            self.pacer.wait()
            try:
                response = self.http.get(url, headers={"Accept": "application/json"})
            except httpx.TransportError as error:
                reason = f"{type(error).__name__} fetching {url}"
                attempt = self._back_off(attempt, reason)
                continue
            if response.status_code == httpx.codes.TOO_MANY_REQUESTS:
                wait = retry_after(response.headers.get("Retry-After"))
                if wait is None:
                    attempt = self._back_off(attempt, f"429 from {url}")
                    continue
                if wait > RETRY_AFTER_MAX_SECONDS or attempt >= self.retries:
                    raise RateLimited(
                        f"{url} asks to wait {wait:.0f} seconds",
                        reset_at=datetime.now(UTC) + timedelta(seconds=wait),
                        status=429,
                    )
                attempt += 1
                self.sleep(wait)
                continue
            if response.status_code >= 500:
                attempt = self._back_off(attempt, f"{response.status_code} from {url}")
                continue
            if response.status_code == httpx.codes.NOT_FOUND:
                raise NotFound(f"{url} was not found", status=404)
            if response.status_code != httpx.codes.OK:
                raise UpstreamError(
                    f"{url} answered {response.status_code}", status=response.status_code
                )
            return parse_page(url, response)

    def _back_off(self, attempt: int, reason: str) -> int:
        """Sleep before the next attempt, or raise when the retries are spent."""
        if attempt >= self.retries:
            raise UpstreamError(f"{reason}; gave up after {attempt + 1} attempts")
        self.sleep(min(self.backoff * 2**attempt, BACKOFF_MAX_SECONDS))
        return attempt + 1

    def pages(self, url: str) -> Iterator[Page]:
        """Yield the pages of a list in order, from `url` on, following `next` links.

        With `concurrency` above 1, the pages after the first are fetched ahead, several at
        a time, at the offsets the first `next` link gives; they are still yielded in order.
        """
        page = self.page(url)
        yield page
        seen = {page.url}
        if self.concurrency > 1 and page.next_url:
            page = yield from self._pages_ahead(page)
            seen.add(page.url)
        while page.next_url:
            next_url = self.on_base(page.next_url)
            if next_url in seen:
                raise UpstreamError(f"{page.url}: the next link goes back to {next_url}")
            seen.add(next_url)
            page = self.page(next_url)
            yield page

    def _pages_ahead(self, first: Page) -> Generator[Page, None, Page]:
        """Yield the pages after `first` fetched in parallel; return the last one."""
        assert first.next_url is not None  # noqa: S101 - the caller checked.
        step = query_int(first.next_url, "limit", default=0)
        start = query_int(first.next_url, "offset", default=-1)
        if step <= 0 or start < 0:
            return first
        urls = iter(
            with_query(first.next_url, offset=offset) for offset in range(start, first.count, step)
        )
        last = first
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="v4-page")
        waiting: deque[Future[Page]] = deque()
        try:
            for next_url in urls:
                waiting.append(pool.submit(self.page, next_url))
                if len(waiting) >= self.concurrency:
                    break
            while waiting:
                last = waiting.popleft().result()
                following = next(urls, None)
                if following is not None:
                    waiting.append(pool.submit(self.page, following))
                yield last
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return last


def retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks to wait from now (seconds or an HTTP date)."""
    return retry_after_seconds(value, now=datetime.now(UTC))


def parse_page(url: str, response: httpx.Response) -> Page:
    """Read a list page, or raise UpstreamError when it is not one."""
    try:
        data = response.json()
    except ValueError:
        raise UpstreamError(f"{url} did not answer JSON", status=response.status_code) from None
    if not isinstance(data, dict):
        raise UpstreamError(f"{url} did not answer a list page")
    count, next_url, results = data.get("count"), data.get("next"), data.get("results")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise UpstreamError(f"{url}: the page's count is {count!r}")
    if next_url is not None and not isinstance(next_url, str):
        raise UpstreamError(f"{url}: the page's next link is {next_url!r}")
    if not isinstance(results, list):
        raise UpstreamError(f"{url}: the page has no list of results")
    return Page(url=url, count=count, next_url=next_url or None, results=tuple(results))
