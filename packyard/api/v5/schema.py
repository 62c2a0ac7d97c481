"""API v5's OpenAPI schema covers API v5 only (v3 and v4 keep their own contracts)."""

from __future__ import annotations

from typing import Any

PREFIX = "/api/v5/"


def only_v5(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list[Any]:
    """Keep the endpoints under /api/v5/ but the router's root (a list of links)."""
    return [
        endpoint
        for endpoint in endpoints
        if endpoint[0].startswith(PREFIX) and endpoint[3].cls.__name__ != "APIRootView"
    ]
