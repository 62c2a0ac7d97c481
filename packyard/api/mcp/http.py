"""MCP over streamable HTTP at /mcp/, served by Django under WSGI (gunicorn) and ASGI alike.

The SDK's streamable HTTP transport is an ASGI app. Each POST is handed to a fresh
`StreamableHTTPSessionManager` in stateless, JSON-answer mode, run to completion through
`async_to_sync`: no session outlives the request, so any web process may answer any call and
nothing needs a long-lived event loop beside gunicorn's sync workers. Stateless mode means no
server-to-client requests or GET stream, which read-only tools do not need.
https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#streamable-http
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import anyio
from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from rest_framework.request import Request
from rest_framework.views import APIView

from packyard.api.mcp.server import mcp_server
from packyard.api.v5.throttling import AnonymousRateThrottle, RateLimitHeaders
from packyard.core.caching import page_cache_exempt

# Django has checked the Host header against ALLOWED_HOSTS before the view runs.
SECURITY = TransportSecuritySettings(enable_dns_rebinding_protection=False)
MAX_BODY = 1_000_000


def _scope(request: HttpRequest) -> dict[str, Any]:
    """Return the ASGI HTTP scope of a Django request."""
    host = request.get_host().rsplit(":", 1)[0]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": request.scheme,
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.META.get("QUERY_STRING", "").encode("latin-1"),
        "root_path": "",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in request.headers.items()
        ],
        "server": (host, int(request.get_port())),
        "client": (request.META.get("REMOTE_ADDR", ""), 0),
    }


async def _answer(scope: dict[str, Any], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run one request through the SDK's transport and return its status, headers and body."""
    manager = StreamableHTTPSessionManager(
        # The SDK's own in-memory transport reaches the low-level server the same way.
        app=mcp_server()._lowlevel_server,
        json_response=True,
        stateless=True,
        security_settings=SECURITY,
        max_request_body_size=MAX_BODY,
    )
    status = 500
    headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []
    answered = anyio.Event()
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers.extend(
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in message.get("headers", [])
            )
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

    async with manager.run():
        await manager.handle_request(scope, receive, send)
    answered.set()
    return status, headers, b"".join(chunks)


class McpRateThrottle(AnonymousRateThrottle):
    """API v5's anonymous rate (`API_V5_RATE`), counted apart from the API's own."""

    scope = "mcp_anonymous"


class McpView(RateLimitHeaders, APIView):
    """Answer one MCP JSON-RPC message POSTed to /mcp/ (stateless; nothing is stored).

    DRF only guards the door: the POST method, the rate limit (429 with Retry-After). No
    authentication runs, so no session and no CSRF check; the body goes to the SDK unparsed.
    """

    authentication_classes = []
    permission_classes = []
    throttle_classes = [McpRateThrottle]
    parser_classes = []
    http_method_names = ["post"]

    def post(self, request: Request) -> HttpResponse:
        django_request = request._request
        status, headers, body = async_to_sync(_answer)(_scope(django_request), django_request.body)
        response = HttpResponse(body, status=status)
        for name, value in headers:
            if name.lower() != "content-length":
                response[name] = value
        response["Cache-Control"] = "no-store"
        return response


mcp_endpoint = page_cache_exempt(McpView.as_view())
