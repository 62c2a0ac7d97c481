"""Packyard's URLs and the floor bench/web.py compares every figure with: a bare Django view
returning 20 KB of JSON held in memory (no database, no template), served by the same server
through the same middleware."""

import json

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as packyard_urls


def _floor_body(size: int = 20 * 1024) -> bytes:
    """Return a JSON list of package-like records of about `size` bytes."""
    records: list[dict[str, object]] = []
    while len(json.dumps(records)) < size:
        number = len(records)
        records.append({"id": number, "title": f"package {number}", "stars": number * 7})
    return json.dumps(records).encode()


FLOOR_BODY = _floor_body()


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FLOOR_BODY, content_type="application/json")


urlpatterns = [path("bench-floor/", floor), *packyard_urls]
