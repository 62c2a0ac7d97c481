"""Pages as a person sees them in a real browser (Debian's chromium through Playwright)."""

import pytest

from tests.factories import FetchedPackageFactory, GridFactory, GridPackageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_to_grid_shows_every_package(live_server, page):
    """From the home page a visitor follows a grid link and sees every package of the grid."""
    grid = GridFactory(title="Task queues", slug="task-queues", header=True)
    packages = [FetchedPackageFactory(title=f"queue-{n:02d}", stars=100 - n) for n in range(14)]
    for package in packages:
        GridPackageFactory(grid=grid, package=package)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Task queues").click()
    page.wait_for_url("**/grids/g/task-queues/")

    assert page.get_by_role("heading", level=1).inner_text().startswith("Task queues")
    headers = page.locator("table.matrix thead th.package-head")
    assert headers.count() == 14
    # Each head holds the package's link, then its favourite and "I use this" counts.
    shown = {text.strip() for text in headers.locator("> a").all_inner_texts()}
    assert shown == {package.title for package in packages}
    # The last column is reachable by scrolling the matrix, with the header still in view.
    last = page.get_by_role("link", name="queue-13")
    last.scroll_into_view_if_needed()
    assert last.is_visible()


def test_the_pip_install_line_is_copied_with_one_click(live_server, page):
    """The package page's Copy button puts `pip install <name>` on the clipboard."""
    FetchedPackageFactory(title="Alpha", slug="alpha", pypi_name="django-alpha")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    page.goto(live_server.url + "/packages/p/alpha/")
    button = page.get_by_role("button", name="Copy “pip install django-alpha”")
    button.click()

    # The clipboard answers later (a promise): wait for the button to say so.
    page.wait_for_function(
        "document.querySelector('button[data-copy]').textContent === 'Copied'", timeout=5000
    )
    assert button.inner_text() == "Copied"
    assert page.evaluate("navigator.clipboard.readText()") == "pip install django-alpha"
