"""The anonymous rate limit of API v5: `API_V5_RATE` requests per client address.

https://www.django-rest-framework.org/api-guide/throttling/
DRF reads its rates once at import; this reads the setting at each request, so a changed
setting (or a test's) applies at once. A refused request is a 429 with Retry-After.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    scope = "api_v5_anonymous"

    def get_rate(self) -> str | None:
        return str(settings.API_V5_RATE) or None
