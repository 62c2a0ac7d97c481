"""Packyard's MCP server: its tools, on the official SDK's `MCPServer`.

The tools read the directory as API v5 does (`packyard.api.mcp.records`). The SDK is async and
the ORM is not, so each tool runs its read through `sync_to_async`: in a web request that is the
request's own thread and database connection. An anticipated failure (an unknown slug, bad
input) is raised as the SDK's `ToolError`, which the client receives as a result with
`isError` and the message. https://modelcontextprotocol.io/specification/2025-06-18/server/tools
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from packyard.api.mcp import records

INSTRUCTIONS = (
    "Packyard is a directory of Django packages: live facts from PyPI and the forges, a score, "
    "grids comparing packages feature by feature, and which Django releases each package works "
    "with. Search first, then read a package or a grid by its slug."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


def _read(function: Callable[..., dict[str, Any]], **arguments: Any) -> dict[str, Any]:
    # A long-lived stdio server keeps its connection between calls; drop it when it is
    # broken or past CONN_MAX_AGE, as Django does between web requests.
    if not connection.in_atomic_block:
        close_old_connections()
    try:
        return function(**arguments)
    except records.ToolInputError as error:
        raise ToolError(str(error)) from error


async def _call(function: Callable[..., dict[str, Any]], **arguments: Any) -> dict[str, Any]:
    return await sync_to_async(_read, thread_sensitive=True)(function, **arguments)


Slug = Annotated[str, Field(description="The package's slug, as search results name it.")]


async def search_packages(
    query: Annotated[str, Field(description="Words to search for, as typed in the site's search.")],
    limit: Annotated[int, Field(description="How many packages to return, 1-50.")] = 10,
) -> dict[str, Any]:
    """Search Packyard's packages; best matches first, each with its score, and matching grids."""
    return await _call(records.search_packages, query=query, limit=limit)


async def get_package(slug: Slug) -> dict[str, Any]:
    """Return one package's record: facts with their sources, score, Django compatibility."""
    return await _call(records.get_package, slug=slug)


async def get_grid(
    slug: Annotated[str, Field(description="The grid's slug, as search results name it.")],
) -> dict[str, Any]:
    """Return one grid: its features, its packages (with scores) and every cell of the table."""
    return await _call(records.get_grid, slug=slug)


async def compare_packages(
    slugs: Annotated[list[str], Field(description="The slugs of 2 to 10 packages.")],
) -> dict[str, Any]:
    """Set 2-10 packages side by side: status, score, stars, releases and Django answers."""
    return await _call(records.compare_packages, slugs=slugs)


async def check_upgrade(
    requirements: Annotated[
        str, Field(description="A requirements.txt, or a pyproject.toml or its dependency list.")
    ],
    django: Annotated[str, Field(description='The Django release to upgrade to, e.g. "5.2".')],
) -> dict[str, Any]:
    """Say which listed packages work with a Django release, and what to use instead."""
    return await _call(records.check_upgrade, requirements=requirements, django=django)


TOOLS = (search_packages, get_package, get_grid, compare_packages, check_upgrade)


@cache
def mcp_server() -> MCPServer:
    """Return the server with Packyard's tools (one per process; it keeps no state)."""
    server: MCPServer = MCPServer(name="packyard", instructions=INSTRUCTIONS, version="1")
    for tool in TOOLS:
        server.add_tool(tool, annotations=READ_ONLY)
    return server
