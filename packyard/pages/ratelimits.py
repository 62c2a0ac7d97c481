"""Abuse limits: how many edits, flags, fetch requests and sign-ins one person may make.

Rates come from ``settings.RATE_LIMITS`` ("120/h", "5/10m"), read on every request, and are
counted in the cache by django-ratelimit (https://django-ratelimit.readthedocs.io/): per
signed-in person, or per address for people not signed in. Only requests that would change
something are counted. Run more than one web process with a shared cache (REDIS_URL), or each
process counts on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

SCOPES = {
    "edits": "edits",
    "flags": "flags and proposals",
    "refresh": "requests for fresh data",
    "logins": "sign-in attempts",
}


def over_limit(request: HttpRequest, *, scope: str) -> bool:
    """Count one attempt in `scope` and tell whether the person has gone past its rate."""
    rate = settings.RATE_LIMITS[scope]
    limited: bool = is_ratelimited(
        request, group=f"packyard.{scope}", key="user_or_ip", rate=rate, increment=True
    )
    return limited


def refusal(request: HttpRequest, *, scope: str) -> HttpResponse | None:
    """Return a 429 page when the person has gone past the rate of `scope`, else None."""
    if not over_limit(request, scope=scope):
        return None
    response = render(
        request,
        "accounts/rate_limited.html",
        {"what": SCOPES[scope], "rate": settings.RATE_LIMITS[scope]},
        status=429,
    )
    response["Retry-After"] = "60"
    return response


def limit_logins(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Count sign-in attempts (a password posted, GitHub asked, GitHub's answer) per address."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        attempt = request.method == "POST" or "code" in request.GET
        if attempt and (refused := refusal(request, scope="logins")):
            return refused
        return view(request, *args, **kwargs)

    return wrapped
