"""The Content-Security-Policy as a browser enforces it: pages and htmx work, nothing is refused.

Debian's chromium through Playwright; each tab records every `securitypolicyviolation` event and
every console message about the policy.
"""

from __future__ import annotations

import pytest
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from tests.factories import (
    FeatureFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def fail_on_purpose(request):
    """Fail, so that the 500 page is shown."""
    raise RuntimeError("a failure on purpose")


urlpatterns = [*site_urlpatterns, path("fail-on-purpose/", fail_on_purpose)]
handler500 = "packyard.pages.views.server_error"


@pytest.fixture
def watched(page):
    """The browser tab, with what the policy refused in `page.refused` (events and console)."""
    page.refused = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            page.refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page


def refused(page) -> list[str]:
    """Return what the policy refused on the tab's current page, and in its console so far."""
    return [*page.evaluate("window.cspViolations"), *page.refused]


def test_the_listener_hears_an_inline_style_refused(live_server, watched):
    """An inline <style> added to a page is refused and recorded (the watch itself works)."""
    watched.goto(live_server.url + "/")
    watched.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body{}</style>')")
    watched.wait_for_function("window.cspViolations.length > 0")
    assert refused(watched)[0].startswith("style-src")


def test_home_package_grid_and_suggestions_work_with_nothing_refused(live_server, watched):
    """A visitor opens the home page, a package, a grid and types in the search box: htmx
    shows the suggestions and the policy refuses nothing."""
    grid = GridFactory(title="Task queues", slug="task-queues")
    FeatureFactory(grid=grid, title="Retries")
    for title in ("django-rq", "django-q2", "celery-beat"):
        GridPackageFactory(grid=grid, package=FetchedPackageFactory(title=title, slug=title))

    watched.goto(live_server.url + "/")
    assert watched.get_by_role("heading", level=1).is_visible()
    assert watched.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"
    assert refused(watched) == []

    watched.goto(live_server.url + "/packages/p/django-rq/")
    assert watched.get_by_role("heading", level=1).inner_text().startswith("django-rq")
    assert refused(watched) == []

    watched.goto(live_server.url + "/grids/g/task-queues/")
    assert watched.locator("table.matrix thead th.package-head").count() == 3
    assert refused(watched) == []

    watched.locator("#site-search-box").press_sequentially("django-rq", delay=20)
    first = watched.locator("#site-search-suggestions [data-suggestion]").first
    first.wait_for()
    assert first.inner_text().startswith("django-rq")
    # htmx's own indicator rules come from site.css, not from a <style> it injects.
    assert watched.locator("head style").count() == 0
    assert refused(watched) == []


@pytest.mark.urls(__name__)
def test_the_500_page_keeps_its_inline_style_through_the_nonce(live_server, watched):
    """The 500 page's own style applies (its nonce matches the policy), with nothing refused."""
    answer = watched.goto(live_server.url + "/fail-on-purpose/")
    assert answer.status == 500
    assert watched.get_by_role("heading", level=1).inner_text() == (
        "Something went wrong on our side"
    )
    assert watched.evaluate("getComputedStyle(document.body).maxWidth") == "640px"
    assert refused(watched) == []
