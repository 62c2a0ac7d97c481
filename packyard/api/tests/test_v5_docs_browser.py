"""/api/v5/docs/ in chromium: Swagger UI from vendored files lists API v5's operations.

Debian's chromium through Playwright; the tab records every request and every console error.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.factories import FetchedPackageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_the_docs_list_the_v5_operations_from_this_server_alone(live_server, page):
    """The page loads its script, styles and schema from the live server only, says nothing
    in the console, and shows API v5's paths as operations a reader can open."""
    FetchedPackageFactory(slug="django-rq")
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))

    response = page.goto(live_server.url + "/api/v5/docs/")
    operations = page.locator(".opblock-summary-path")
    operations.first.wait_for()
    page.wait_for_load_state("networkidle")

    assert response is not None
    assert response.status == 200
    paths = {operations.nth(number).inner_text() for number in range(operations.count())}
    assert {
        "/api/v5/packages/",
        "/api/v5/packages/{slug}/",
        "/api/v5/packages/{slug}/releases/",
        "/api/v5/grids/",
        "/api/v5/search/",
    } <= {path.replace("\u200b", "") for path in paths}
    assert page.get_by_role("heading", name="Packyard API v5").first.is_visible()
    assert any("/api/v5/schema/" in url for url in requests)
    elsewhere = [
        url
        for url in requests
        if not url.startswith(("data:", "blob:")) and origin(url) != live_server.url
    ]
    assert elsewhere == []
    assert errors == []
