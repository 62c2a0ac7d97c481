"""The search box as a newcomer uses it, in Debian's chromium through Playwright."""

import pytest

from packyard.search.tests.conftest import make_package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_misspelt_name_on_the_home_page_suggests_the_right_package_first(live_server, page):
    """Typing "django-orgnaizations" shows django-organizations as the first suggestion."""
    make_package("django-organizations", stars=1352, description="Multi-user accounts.")
    make_package("django-organizer", stars=20, description="Sort things.")
    make_package("django-messages", stars=554)

    page.goto(live_server.url + "/")
    page.locator("#home-search-box").press_sequentially("django-orgnaizations", delay=20)

    first = page.locator("#home-search-suggestions [data-suggestion]").first
    first.wait_for()
    assert first.inner_text().startswith("django-organizations")
    # Enter goes to the results page, where the same package is first.
    page.locator("#home-search-box").press("Enter")
    page.wait_for_url("**/search/?q=django-orgnaizations")
    assert page.locator("li.search-hit h3 a").first.inner_text() == "django-organizations"


def test_slash_focuses_the_search_box_and_arrows_reach_the_suggestions(live_server, page):
    """ "/" puts the cursor in the header box, an ARIA combobox; ArrowDown makes its first
    suggestion the active option (the cursor stays in the box), Enter opens it."""
    make_package("django-scheduler", stars=1331)

    page.goto(live_server.url + "/packages/")
    page.keyboard.press("/")
    box = page.locator("#site-search-box")
    assert box.evaluate("element => element === document.activeElement")
    box.press_sequentially("sched", delay=20)
    page.locator("#site-search-suggestions [data-suggestion]").first.wait_for()
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "true"
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    assert listbox.get_attribute("role") == "listbox"

    box.press("ArrowDown")

    assert box.evaluate("element => element === document.activeElement")
    active = page.locator("#" + box.get_attribute("aria-activedescendant"))
    assert active.get_attribute("role") == "option"
    assert active.get_attribute("aria-selected") == "true"
    assert active.get_attribute("href") == "/packages/p/django-scheduler/"
    box.press("Enter")
    page.wait_for_url("**/packages/p/django-scheduler/")


def test_escape_closes_the_suggestions_and_says_so(live_server, page):
    """Escape empties the list and the combobox is no longer expanded."""
    make_package("django-scheduler", stars=1331)

    page.goto(live_server.url + "/packages/")
    box = page.locator("#site-search-box")
    box.press_sequentially("sched", delay=20)
    page.locator("#site-search-suggestions [data-suggestion]").first.wait_for()

    box.press("Escape")

    assert page.locator("#site-search-suggestions [data-suggestion]").count() == 0
    assert box.get_attribute("aria-expanded") == "false"
