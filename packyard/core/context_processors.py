"""Values every template may use."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """Give templates the site's name and its public address (for absolute links)."""
    return {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
