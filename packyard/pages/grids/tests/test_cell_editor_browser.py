"""The cell editor on its own page (opened without htmx), in a real browser (Debian's chromium
through Playwright): "Save" saves, with JavaScript and without, and a text saved meanwhile by
someone else is shown beside one's own instead of being overwritten."""

from __future__ import annotations

import pytest
from django.test import Client

from packyard.grids import services
from packyard.grids.models import Element
from tests.factories import FeatureFactory, GridFactory, GridPackageFactory, PackageFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_tab(page, live_server, *, javascript: bool):
    """A tab signed in as a member: `page` itself, or a new one with JavaScript off."""
    client = Client()
    client.force_login(member("alice"))
    tab = page
    if not javascript:
        tab = page.context.browser.new_context(java_script_enabled=False).new_page()
    tab.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return tab


def a_grid():
    grid = GridFactory(title="Storage", slug="storage")
    membership = GridPackageFactory(grid=grid, package=PackageFactory(title="Alpha", slug="alpha"))
    feature = FeatureFactory(grid=grid, title="S3")
    return membership, feature, f"/grids/g/storage/cells/{feature.pk}/alpha/"


@pytest.mark.parametrize("javascript", [True, False], ids=["with js", "without js"])
def test_saving_from_the_cells_own_page_returns_to_the_grid_with_the_text(
    live_server, page, javascript
):
    """Fill the cell on its page, press Save: the grid shows the text and says it was saved."""
    _, _, url = a_grid()
    tab = signed_in_tab(page, live_server, javascript=javascript)
    errors: list[str] = []
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))

    tab.goto(live_server.url + url)
    tab.get_by_label("S3 for Alpha").fill("**Yes**, with boto3")
    tab.get_by_role("button", name="Save").click()

    tab.wait_for_url("**/grids/g/storage/")
    row = tab.locator("table.matrix tbody tr", has=tab.locator("th", has_text="S3"))
    assert row.locator("strong", has_text="Yes").is_visible()
    assert "with boto3" in row.inner_text()
    assert tab.get_by_text("Saved S3 for Alpha.").is_visible()
    assert Element.objects.get().text == "**Yes**, with boto3"
    assert errors == []


def test_a_text_saved_meanwhile_is_shown_beside_ones_own(live_server, page):
    """Bob saves while Alice's page is open: her Save shows his text and keeps hers; a second
    Save, having seen his, replaces it."""
    membership, feature, url = a_grid()
    services.element_set(grid_package=membership, feature=feature, text="Maybe")
    tab = signed_in_tab(page, live_server, javascript=True)
    tab.goto(live_server.url + url)
    tab.get_by_label("S3 for Alpha").fill("Yes, with boto3")

    services.element_set(
        grid_package=membership, feature=feature, text="No <em>never</em>", version=1
    )
    tab.get_by_role("button", name="Save").click()

    assert tab.get_by_text("This cell changed while you were editing it").is_visible()
    assert tab.locator(".cell-now").inner_text() == "No <em>never</em>"
    assert tab.get_by_label("Your text for S3 for Alpha").input_value() == "Yes, with boto3"
    assert Element.objects.get().text == "No <em>never</em>"

    tab.get_by_role("button", name="Save").click()
    tab.wait_for_url("**/grids/g/storage/")
    assert Element.objects.get().text == "Yes, with boto3"
