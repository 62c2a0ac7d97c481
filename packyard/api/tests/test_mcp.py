"""The MCP server, driven by the official SDK's client over stdio and over streamable HTTP.

Over stdio the test spawns `manage.py mcp` as an agent would, on a copy of the test database
(SQLite: a file made with SQLite's backup; PostgreSQL: the test database by name). Over HTTP
it calls /mcp/ on the live server. The data is committed (`transactional_db`) so both see it.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from packyard.compatibility.models import PackageCompatibility, ReleaseCycle
from packyard.search import services as search_services
from tests.factories import (
    ElementFactory,
    FeatureFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

TOOLS = {"search_packages", "get_package", "get_grid", "compare_packages", "check_upgrade"}
REQUIREMENTS = "Django>=4.2\ndjango-crispy-forms==2.1\nunheard-of-package\n"


@pytest.fixture
def directory():
    """Two packages in a grid, one known to work with Django 5.2, and the search index."""
    crispy = PackageFactory(
        slug="django-crispy-forms",
        title="django-crispy-forms",
        pypi_name="django-crispy-forms",
        description="The best way to have DRY Django forms.",
    )
    atom = PackageFactory(slug="atom-forms", title="Atom forms", pypi_name="atom-forms")
    grid = GridFactory(slug="forms", title="Forms")
    feature = FeatureFactory(grid=grid, title="Bootstrap")
    ElementFactory(grid_package=GridPackageFactory(grid=grid, package=crispy), feature=feature)
    GridPackageFactory(grid=grid, package=atom)
    cycle = ReleaseCycle.objects.get_or_create(
        product="django", cycle="5.2", defaults={"major": 5, "minor": 2}
    )[0]
    PackageCompatibility.objects.create(
        package=crispy, cycle=cycle, answer="yes", basis="classifier", evidence="It says 5.2."
    )
    search_services.search_index_rebuild()


def _database_url(tmp_path: Path) -> str:
    """Return an address of the test database another process can open."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        import sqlite3

        copy = tmp_path / "mcp.sqlite3"
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return (
        f"postgres://{params['USER']}{password}@{params['HOST']}:{params['PORT']}/{params['NAME']}"
    )


async def _exercise(session: ClientSession) -> dict:
    """Initialise, list the tools and call each; return what came back, by name."""
    await session.initialize()
    listed = await session.list_tools()
    answers = {"tools": {tool.name for tool in listed.tools}}
    calls = {
        "search": ("search_packages", {"query": "crispy"}),
        "package": ("get_package", {"slug": "django-crispy-forms"}),
        "grid": ("get_grid", {"slug": "forms"}),
        "compare": ("compare_packages", {"slugs": ["django-crispy-forms", "atom-forms"]}),
        "upgrade": ("check_upgrade", {"requirements": REQUIREMENTS, "django": "5.2"}),
        "unknown": ("get_package", {"slug": "no-such-package"}),
        "unknown_release": ("check_upgrade", {"requirements": REQUIREMENTS, "django": "1.0"}),
        "one_to_compare": ("compare_packages", {"slugs": ["atom-forms"]}),
    }
    for key, (name, arguments) in calls.items():
        answers[key] = await session.call_tool(name, arguments)
    return answers


def _check(answers: dict) -> None:
    assert answers["tools"] == TOOLS
    for key in ("search", "package", "grid", "compare", "upgrade"):
        assert not answers[key].is_error, answers[key].content
        # The text content is the same record as JSON, for clients that read only text.
        assert json.loads(answers[key].content[0].text) == answers[key].structured_content

    search = answers["search"].structured_content
    assert search["results"][0]["slug"] == "django-crispy-forms"
    assert search["results"][0]["url"].startswith(settings.SITE_URL + "/api/v5/packages/")

    package = answers["package"].structured_content
    assert package["slug"] == "django-crispy-forms"
    assert package["pypi_name"] == "django-crispy-forms"
    assert [row["cycle"] for row in package["compatibility"]] == ["5.2"]
    assert [grid["slug"] for grid in package["grids"]] == ["forms"]

    grid = answers["grid"].structured_content
    assert [feature["title"] for feature in grid["features"]] == ["Bootstrap"]
    assert [column["slug"] for column in grid["packages"]] == ["atom-forms", "django-crispy-forms"]
    assert [cell["package"] for cell in grid["cells"]] == ["django-crispy-forms"]

    compared = answers["compare"].structured_content["packages"]
    assert [row["slug"] for row in compared] == ["django-crispy-forms", "atom-forms"]
    assert [row["django"] for row in compared] == [{"5.2": "yes"}, {}]

    upgrade = answers["upgrade"].structured_content
    assert upgrade["django"]["cycle"] == "5.2"
    rows = {row["name"]: row for row in upgrade["requirements"]}
    assert rows["django-crispy-forms"]["answer"] == "yes"
    assert rows["django-crispy-forms"]["package"]["slug"] == "django-crispy-forms"
    assert rows["Django"]["pin_admits_target"] is True
    assert rows["unheard-of-package"]["in_directory"] is False
    assert upgrade["counts"]["yes"] == 1

    for key, words in (
        ("unknown", "No package has the slug 'no-such-package'"),
        ("unknown_release", "knows no Django release '1.0'"),
        ("one_to_compare", "Compare 2 to 10 different packages"),
    ):
        assert answers[key].is_error
        assert words in answers[key].content[0].text


def test_an_agent_uses_every_tool_over_stdio(directory, tmp_path):
    """`manage.py mcp` speaks MCP on stdin/stdout: the tools list, the records, tool errors."""
    server = StdioServerParameters(
        command=sys.executable,
        args=["manage.py", "mcp"],
        env={"DATABASE_URL": _database_url(tmp_path), "PAGE_CACHE_SECONDS": "0"},
        cwd=str(settings.BASE_DIR),
    )

    async def run() -> dict:
        async with (
            stdio_client(server) as (read, write),
            ClientSession(read, write) as session,
        ):
            return await _exercise(session)

    _check(asyncio.run(run()))


def test_an_agent_uses_every_tool_over_http(directory, live_server):
    """POSTs to /mcp/ answer the same tools in JSON, statelessly, through Django."""

    async def run() -> dict:
        async with (
            streamable_http_client(live_server.url + "/mcp/") as (read, write),
            ClientSession(read, write) as session,
        ):
            return await _exercise(session)

    _check(asyncio.run(run()))


def _ping(client):
    return client.post(
        "/mcp/",
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        content_type="application/json",
        headers={"Accept": "application/json, text/event-stream"},
    )


def test_mcp_takes_only_posts_and_is_never_cached():
    """A GET of /mcp/ is a 405 saying POST; a POST needs no CSRF token and is not kept."""
    client = Client(enforce_csrf_checks=True)
    refused = client.get("/mcp/")
    assert refused.status_code == 405
    assert refused["Allow"] == "POST"

    answer = _ping(client)
    assert answer.status_code == 200
    assert answer.json() == {"jsonrpc": "2.0", "id": 1, "result": {}}
    assert answer["Cache-Control"] == "no-store"


def test_mcp_calls_are_rate_limited_per_address(client, settings):
    """Past `API_V5_RATE` calls a client gets 429 with Retry-After, apart from API v5's count."""
    settings.API_V5_RATE = "2/min"

    assert [_ping(client).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/api/v5/grids/").status_code == 200
    assert "Retry-After" in _ping(client)
