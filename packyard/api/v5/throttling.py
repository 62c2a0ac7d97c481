"""The anonymous rate limit of API v5: `API_V5_RATE` requests per client address.

https://www.django-rest-framework.org/api-guide/throttling/
DRF reads its rates once at import; this reads the setting at each request, so a changed
setting (or a test's) applies at once. A refused request is a 429 with Retry-After.

Every answer a limit counted says where the client stands, as GitHub's API does:
`X-RateLimit-Limit` (requests a window), `X-RateLimit-Remaining` and `X-RateLimit-Reset` (when
the oldest counted request leaves the window, in seconds since the epoch). Answers from the
page cache are not counted and carry none; the page cache never keeps these headers.
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, BaseThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    scope = "api_v5_anonymous"

    def get_rate(self) -> str | None:
        return str(settings.API_V5_RATE) or None


class RateLimitHeaders:
    """A view mixin: the answer says the client's limit, from the throttles that counted it."""

    def get_throttles(self) -> list[BaseThrottle]:
        # DRF makes new throttles at each call; keep the ones that counted this request.
        if not hasattr(self, "_counted_by"):
            self._counted_by: list[BaseThrottle] = super().get_throttles()  # type: ignore[misc]
        return self._counted_by

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        for throttle in getattr(self, "_counted_by", []):
            history = getattr(throttle, "history", None)
            if history is None or getattr(throttle, "rate", None) is None:
                continue  # Not counted (a signed-in client, no limit set).
            limit = int(throttle.num_requests)
            oldest = history[-1] if history else throttle.now
            response["X-RateLimit-Limit"] = str(limit)
            response["X-RateLimit-Remaining"] = str(max(0, limit - len(history)))
            response["X-RateLimit-Reset"] = str(math.ceil(oldest + throttle.duration))
        return response
