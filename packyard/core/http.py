"""Every outbound HTTP client is built here: timeouts, User-Agent, retries, base URL.

Clients never follow redirects on their own: a redirect from an API (a renamed repository)
is read and acted on by the caller, so a fetch never leaves the configured host.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version

import httpx
from django.conf import settings


def user_agent() -> str:
    """Return the User-Agent every request sends, naming Packyard and where it runs."""
    try:
        packyard_version = version("packyard")
    except PackageNotFoundError:
        packyard_version = "dev"
    return f"Packyard/{packyard_version} (+{settings.SITE_URL}; package directory)"


def build_client(
    *,
    base_url: str,
    token: str = "",
    auth_scheme: str = "Bearer",
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    max_connections: int | None = None,
) -> httpx.Client:
    """Return an `httpx.Client` for one upstream API.

    `timeout` defaults to settings.HTTP_TIMEOUT seconds for every phase of a request;
    connection failures are retried settings.HTTP_CONNECT_RETRIES times by the transport.
    """
    all_headers = {"User-Agent": user_agent(), **(headers or {})}
    if token:
        all_headers["Authorization"] = f"{auth_scheme} {token}".strip()
    limit = max_connections or settings.HTTP_MAX_CONNECTIONS
    transport = httpx.HTTPTransport(
        retries=settings.HTTP_CONNECT_RETRIES,
        limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
    )
    return httpx.Client(
        base_url=base_url,
        headers=all_headers,
        timeout=httpx.Timeout(timeout if timeout is not None else settings.HTTP_TIMEOUT),
        transport=transport,
        follow_redirects=False,
    )
