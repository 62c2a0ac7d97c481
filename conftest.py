"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _live_server_one_request_at_a_time():
    """On SQLite, serve the browser tests' live server one request at a time.

    There the server's threads share the tests' in-memory database connection, and a browser
    asks for a page, its badges and its htmx parts at once: two threads on one SQLite
    connection fail now and then ("bad parameter or other API misuse"), and the page after
    them with it. A server without threads closes each connection after its answer, so no
    idle keep-alive holds the others up. PostgreSQL gives each thread its own connection.
    """
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite":
        yield
        return

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # The thread serving holds the shared connection already (LiveServerThread.run).
            super().__init__(*args, **kwargs)

    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = SerialWSGIServer
    yield
    LiveServerThread.server_class = threaded


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start each test with an empty cache, so counts and rate limits do not leak."""
    from django.core.cache import cache

    from packyard.core.caching import local_answers

    cache.clear()
    local_answers.clear()
    yield
    cache.clear()
    local_answers.clear()


@pytest.fixture(autouse=True)
def _data_version_at_once(request):
    """Bump the data version at each write, not at commit, inside a test's transaction.

    On PostgreSQL the version's triggers run at commit (`packyard.core.versions`), and a test
    wrapped in a transaction never commits; without this a page cached before a write in the
    test would still be served after it. SQLite's triggers bump at once anyway.
    """
    if "_django_db_helper" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    from packyard.core import versions

    if connection.vendor == "postgresql" and connection.in_atomic_block:
        names = ", ".join(versions.deferred_triggers(connection))
        if names:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
    yield


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page(monkeypatch):
    """A browser tab in Debian's chromium, driven by Playwright (installed by .ci/run with apt).

    Playwright's sync API runs an event loop in this thread, so the ORM is allowed beside it
    for the length of the test only.
    """
    import os

    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run `apt-get install chromium`.")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()
        browser.close()
        # Inside Playwright's event loop the ORM used a connection of its own; close it here.
        from django.db import connections

        connections.close_all()
