"""A wide grid in a real browser (Debian's chromium through Playwright): the head row and the
first column stay in view, and columns can be hidden and moved without a reload."""

from __future__ import annotations

import pytest

from tests.factories import FeatureFactory, FetchedPackageFactory, GridFactory, GridPackageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PACKAGES = 60


def heads(page) -> list[str]:
    """Return the titles of the columns a reader sees, left to right."""
    return page.locator("table.matrix thead th.package-head:visible > a").all_inner_texts()


def stars(page) -> list[str]:
    """Return the visible cells of the Stars row, left to right."""
    row = page.locator("table.matrix tbody tr", has=page.locator("th", has_text="Stars"))
    return row.locator("td:visible").all_inner_texts()


def test_a_reader_scrolls_hides_and_moves_columns_of_a_wide_grid(live_server, page):
    """On a grid of 60 packages at 1280 px the page never scrolls sideways; the head row stays
    at the top after scrolling down, the first column at the left after scrolling the table
    right; a hidden column and a moved one stay so after a reload; "Show all columns" undoes."""
    grid = GridFactory(title="Task queues", slug="task-queues")
    for number in range(PACKAGES):
        package = FetchedPackageFactory(
            title=f"Queue {number:02}", slug=f"queue-{number:02}", stars=10_000 - number
        )
        GridPackageFactory(grid=grid, package=package)
    for number in range(25):
        FeatureFactory(grid=grid, title=f"Feature {number}", position=number)

    page.goto(live_server.url + "/grids/g/task-queues/")
    assert heads(page)[:3] == ["Queue 00", "Queue 01", "Queue 02"]
    assert len(heads(page)) == PACKAGES
    # Only the table's box scrolls sideways, not the page.
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert page.evaluate(
        "(box => box.scrollWidth > box.clientWidth)(document.querySelector('.matrix-scroll'))"
    )

    # Scroll the page down past the head row: it comes down with the page (grid.js).
    # (Feature rows come first, before the standard facts: the last one is some way down.)
    feature = page.locator("table.matrix tbody th", has_text="Feature 24")
    feature.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 800
    page.wait_for_function(
        "() => Math.abs(document.querySelector('table.matrix thead th.corner')"
        ".getBoundingClientRect().top) < 2"
    )
    assert page.locator("table.matrix thead th.package-head").first.is_visible()

    # Scroll the table right: the row headings stay at the box's left edge.
    page.evaluate("document.querySelector('.matrix-scroll').scrollLeft = 4000")
    box_left = page.evaluate(
        "document.querySelector('.matrix-scroll').getBoundingClientRect().left"
    )
    heading_left = feature.bounding_box()["x"]
    assert abs(heading_left - box_left) < 2
    assert page.evaluate("document.querySelector('.matrix-scroll').scrollLeft") > 1000
    page.evaluate("document.querySelector('.matrix-scroll').scrollLeft = 0")
    page.evaluate("window.scrollTo(0, 0)")

    # Hide a column with its button, then move another one left, with the keyboard.
    page.get_by_role("button", name="Hide Queue 01").click()
    assert heads(page)[:3] == ["Queue 00", "Queue 02", "Queue 03"]
    assert stars(page)[:2] == ["10,000", "9,998"]
    assert page.get_by_role("status").filter(has_text="1 column hidden.").is_visible()
    page.get_by_role("button", name="Move Queue 03 left").focus()
    page.keyboard.press("Enter")
    assert heads(page)[:3] == ["Queue 00", "Queue 03", "Queue 02"]
    assert stars(page)[:3] == ["10,000", "9,997", "9,998"]
    assert "hide=queue-01" in page.url

    # The address keeps the choices: a reload shows the same columns.
    page.reload()
    assert heads(page)[:3] == ["Queue 00", "Queue 03", "Queue 02"]
    assert stars(page)[:3] == ["10,000", "9,997", "9,998"]

    page.get_by_role("button", name="Show all columns").click()
    assert heads(page)[:4] == ["Queue 00", "Queue 01", "Queue 02", "Queue 03"]
    assert stars(page)[:4] == ["10,000", "9,999", "9,998", "9,997"]
    assert len(heads(page)) == PACKAGES
    assert "#" not in page.url
