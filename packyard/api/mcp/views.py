"""The /mcp/ view, loading the MCP SDK on its first request rather than when URLs load.

The SDK brings pydantic, starlette and their kin, tens of MiB in each web process; most
processes never answer an MCP call, so they never pay for it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from packyard.core.caching import page_cache_exempt


@csrf_exempt
@page_cache_exempt
def mcp_endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Answer one MCP message POSTed to /mcp/ (see packyard.api.mcp.http)."""
    from packyard.api.mcp.http import mcp_endpoint as endpoint

    response: HttpResponse = endpoint(request, *args, **kwargs)
    return response
