"""Cross-origin reads of API v5: its GET answers say `Access-Control-Allow-Origin: *`.

API v5 is public and read-only, and a browser sends no cookie to another origin's `*`, so any
web page may read it (https://fetch.spec.whatwg.org/#cors-protocol-and-credentials). It sits
outside the page cache, so answers served from the cache and 304s carry the header too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

PREFIX = "/api/v5/"
READS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method in READS and request.path.startswith(PREFIX):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        return response
