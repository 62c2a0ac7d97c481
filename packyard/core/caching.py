"""HTTP caching of pages and API answers, keyed by the data version.

Every GET or HEAD of a page or an API answer gets an ETag made of the data version
(`packyard.core.versions`), the code release, a time bucket, the address, the request headers
that change the answer (htmx's, Accept-Encoding, and Accept under /api/), and the person for
signed-in requests. A request whose If-None-Match holds that ETag is answered 304 before the
view runs. Anonymous answers are kept in Django's cache under the same key for
`PAGE_CACHE_SECONDS` and carry `Cache-Control: public, max-age=PAGE_MAX_AGE,
stale-while-revalidate=PAGE_CACHE_SECONDS`, so a shared cache or CDN in front may hold them;
signed-in answers are `private, no-cache`. Answers are gzipped, once, when they are built, for
the clients that accept it (`packyard.core.compression` sits inside this middleware).

Pages show relative times ("3 hours ago") and what is supported "today", which change without a
write: the time bucket (`PAGE_CACHE_SECONDS` long) keeps them at most that stale. An answer is
not kept when it sets a cookie or holds a CSRF token, is not a 200, says `no-cache` or
`private` itself, or when the person has a message waiting. `PAGE_CACHE_SECONDS=0` turns the
cache and the validators off.
https://www.rfc-editor.org/rfc/rfc9110#section-13.1.2 (If-None-Match),
https://www.rfc-editor.org/rfc/rfc5861 (stale-while-revalidate).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache as page_cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe
from redis.exceptions import RedisError

from packyard.core.compression import accepted_encoding
from packyard.core.versions import data_version

logger = logging.getLogger(__name__)

EXEMPT_ATTRIBUTE = "page_cache_exempt"
VARY_HEADERS = ("Cookie", "Accept-Encoding", "HX-Request", "HX-Target", "HX-Boosted")
KEY_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_BOOSTED")
# Kept with a cached answer; the rest (Set-Cookie above all) is never kept.
KEPT_HEADERS = frozenset(
    {
        "content-type",
        "content-encoding",
        "content-language",
        "last-modified",
        "vary",
        "allow",
        "link",
        "x-robots-tag",
    }
)


def page_cache_exempt[View: Callable[..., HttpResponseBase]](view: View) -> View:
    """Mark a view whose answers are never validated nor cached (health, say)."""
    setattr(view, EXEMPT_ATTRIBUTE, True)
    return view


def code_release() -> str:
    """Return a token of the code and templates served (ETags and kept answers change with it)."""
    return str(getattr(settings, "PAGE_CACHE_RELEASE", "")) or _code_digest()


@cache
def _code_digest() -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    base = Path(settings.BASE_DIR)
    for folder in ("packyard", "templates", "static"):
        for path in sorted((base / folder).rglob("*")):
            if path.is_file() and "tests" not in path.parts:
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns};".encode()
                )
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Validator:
    """What the middleware decided for one request, before the view ran."""

    etag: str
    key: str
    anonymous: bool


def _waiting_messages(request: HttpRequest) -> bool:
    if request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages")):
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get("_messages"))


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    offered = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in offered or etag in offered


class PageCacheMiddleware:
    """Answer 304 to a matching If-None-Match, serve anonymous answers from the cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        validator: Validator | None = getattr(request, "_page_validator", None)
        if validator is not None and not getattr(response, "_from_page_cache", False):
            self._finish(request, response, validator)
        if validator is not None and isinstance(response, HttpResponse):
            # An answer that says when it last changed meets If-Modified-Since too (sitemaps).
            last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
            if response.status_code == 200 and last_modified is not None:
                return (
                    get_conditional_response(
                        request, last_modified=last_modified, response=response
                    )
                    or response
                )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        seconds = settings.PAGE_CACHE_SECONDS
        if (
            seconds <= 0
            or request.method not in {"GET", "HEAD"}
            or getattr(view_func, EXEMPT_ATTRIBUTE, False)
            or request.path.startswith(tuple(settings.PAGE_CACHE_EXEMPT_PATHS))
            or _waiting_messages(request)
        ):
            return None
        user = getattr(request, "user", None)
        anonymous = user is None or not user.is_authenticated
        parts = [
            code_release(),
            str(data_version()),
            str(int(time.time() // seconds)),
            request.get_full_path(),
            *(request.META.get(header, "") for header in KEY_HEADERS),
            # Answers are compressed as the client accepts (compression, inside this one):
            # Brotli, gzip and plain are three answers, each with its own ETag.
            accepted_encoding(request),
            request.META.get("HTTP_ACCEPT", "") if request.path.startswith("/api/") else "",
            "" if anonymous or user is None else self._person(request, user.pk),
        ]
        digest = hashlib.sha256("\n".join(parts).encode(), usedforsecurity=False).hexdigest()
        validator = Validator(etag=f'"{digest[:32]}"', key=f"page:{digest}", anonymous=anonymous)
        request._page_validator = validator  # type: ignore[attr-defined]
        if _etag_matches(request, validator.etag):
            not_modified = HttpResponseNotModified()
            self._headers(not_modified, validator, shared=validator.anonymous)
            not_modified._from_page_cache = True  # type: ignore[attr-defined]
            return not_modified
        if anonymous and (kept := _kept(validator.key)) is not None:
            status, headers, content = kept
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            self._headers(response, validator, shared=True)
            response._from_page_cache = True  # type: ignore[attr-defined]
            return response
        return None

    @staticmethod
    def _person(request: HttpRequest, user_id: object) -> str:
        """Name the signed-in person and their sign-in: a new sign-in rotates the session and
        the CSRF secret, so a page kept by the browser from before (old token) is not reused."""
        session_key = getattr(getattr(request, "session", None), "session_key", "") or ""
        csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
        return f"user:{user_id}:{session_key}:{csrf}"

    def _headers(self, response: HttpResponseBase, validator: Validator, *, shared: bool) -> None:
        response["ETag"] = validator.etag
        if shared:
            response["Cache-Control"] = (
                f"public, max-age={settings.PAGE_MAX_AGE}, "
                f"stale-while-revalidate={settings.PAGE_CACHE_SECONDS}"
            )
        else:
            response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, VARY_HEADERS)

    def _finish(
        self, request: HttpRequest, response: HttpResponseBase, validator: Validator
    ) -> None:
        own_rules = response.get("Cache-Control", "")
        if (
            response.status_code != 200
            or response.streaming
            or "no-cache" in own_rules
            or "no-store" in own_rules
            or "private" in own_rules
        ):
            return
        # A page that holds a CSRF token is the reader's own, even when no cookie is set.
        holds_token = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        shared = validator.anonymous and not response.cookies and not holds_token
        self._headers(response, validator, shared=shared)
        if shared and isinstance(response, HttpResponse):
            headers = [
                (name, value) for name, value in response.items() if name.lower() in KEPT_HEADERS
            ]
            _keep(validator.key, (response.status_code, headers, response.content))


Kept = tuple[int, list[tuple[str, str]], bytes]


class LocalAnswers:
    """The answers a process read or wrote last, by key, in its own memory (least recently
    used first out, bounded in bytes): in front of a shared cache, the pages most read are
    served without a round trip. Never stale: a key names the data version and time bucket."""

    def __init__(self) -> None:
        self._answers: OrderedDict[str, Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Kept | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: str, answer: Kept, *, limit: int) -> None:
        size = len(answer[2])
        if size > limit // 4:  # One very large answer would push out many small ones.
            return
        with self._lock:
            if key in self._answers:
                return
            self._answers[key] = answer
            self._bytes += size
            while self._bytes > limit:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= len(dropped[2])

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._bytes = 0


local_answers = LocalAnswers()


def _kept(key: str) -> Kept | None:
    """Return the answer kept under `key`, or None; a cache that is down is a miss (the page
    is built), not an error: the site goes on without Redis, only slower."""
    limit = settings.PAGE_CACHE_LOCAL_BYTES
    answer: Kept | None = local_answers.get(key) if limit > 0 else None
    if answer is not None:
        return answer
    try:
        answer = page_cache.get(key)
    except RedisError as error:
        logger.warning("The page cache cannot be read: %s", error)
        return None
    if answer is not None and limit > 0:
        local_answers.put(key, answer, limit=limit)
    return answer


def _keep(key: str, answer: Kept) -> None:
    """Keep an answer in the shared cache (and this process's memory)."""
    if settings.PAGE_CACHE_LOCAL_BYTES > 0:
        local_answers.put(key, answer, limit=settings.PAGE_CACHE_LOCAL_BYTES)
    try:
        page_cache.set(key, answer, timeout=settings.PAGE_CACHE_SECONDS)
    except RedisError as error:
        logger.warning("The page cache cannot be written: %s", error)
