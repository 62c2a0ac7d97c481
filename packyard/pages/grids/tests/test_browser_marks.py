"""A 20-package by 8-feature grid in a real browser (chromium through Playwright), at a phone's
390 px and a desktop's 1280 px: the page never scrolls sideways, the last feature row is
reached by scrolling the page, ticks and crosses have names, a phone shows one package."""

from __future__ import annotations

import pytest

from tests.factories import (
    ElementFactory,
    FeatureFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PACKAGES = 20
FEATURES = 8
# Cycled over the cells: each mark's spellings, and a Markdown cell.
TEXTS = ["+", "no", "?", "Yes", "-", "**only** with Redis"]


@pytest.fixture
def big_grid():
    grid = GridFactory(title="Task queues", slug="task-queues")
    memberships = [
        GridPackageFactory(
            grid=grid,
            package=FetchedPackageFactory(
                title=f"Queue {number:02}", slug=f"queue-{number:02}", stars=10_000 - number
            ),
        )
        for number in range(PACKAGES)
    ]
    features = [
        FeatureFactory(grid=grid, title=f"Feature {number}", position=number)
        for number in range(FEATURES - 1)
    ]
    features.append(FeatureFactory(grid=grid, title="Runs on `asyncio`", position=FEATURES))
    for row, feature in enumerate(features):
        for column, membership in enumerate(memberships):
            ElementFactory(
                grid_package=membership,
                feature=feature,
                text=TEXTS[(row + column) % len(TEXTS)],
            )
    return grid


def no_page_overflow(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def grid_fits(page) -> bool:
    """Nothing of the grid page's own content (its <main>) reaches past the viewport; the table
    scrolls sideways inside its box. (The site header's width is issue 17's first part.)"""
    return page.evaluate(
        """() => [...document.querySelectorAll("main *")]
          .filter(element => !element.closest(".matrix-scroll table"))
          .every(element => element.getBoundingClientRect().right <= window.innerWidth + 0.5)"""
    )


def reach_last_feature_by_scrolling_the_page(page) -> None:
    """The last feature row comes into view when the page scrolls, not an inner box."""
    last = page.locator("table.matrix tbody th", has_text="Runs on asyncio")
    assert last.locator("code").inner_text() == "asyncio"  # Its title's Markdown, drawn.
    top = last.bounding_box()["y"]
    page.evaluate(f"window.scrollTo(0, {top} - 100)")
    assert page.evaluate("window.scrollY") > 0
    box = last.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"]
    assert page.evaluate(
        "(box => box.scrollHeight <= box.clientHeight + 1)"
        "(document.querySelector('.matrix-scroll'))"
    )


def visible_cells(page, feature: str) -> list[str]:
    row = page.locator("table.matrix tbody tr", has=page.locator("th", has_text=feature))
    return row.locator("td:visible").all_inner_texts()


def test_a_wide_grid_at_1280_px_draws_ticks_and_scrolls_with_the_page(live_server, page, big_grid):
    page.goto(live_server.url + "/grids/g/task-queues/")

    assert no_page_overflow(page)
    assert page.locator("table.matrix thead th.package-head:visible").count() == PACKAGES
    # Feature rows come first, before the standard facts.
    headings = page.locator("table.matrix tbody th").all_inner_texts()
    assert headings[0] == "Feature 0"
    assert headings.index("Runs on asyncio") < headings.index("Stars")
    # Ticks, crosses and question marks are images with names, not bare words.
    row = page.locator("table.matrix tbody tr", has=page.locator("th", has_text="Feature 0"))
    cells = row.locator("td")
    assert cells.nth(0).get_by_role("img", name="Yes").inner_text() == "✓"
    assert cells.nth(1).get_by_role("img", name="No").inner_text() == "✗"
    assert cells.nth(2).get_by_role("img", name="Unknown").inner_text() == "?"
    assert cells.nth(3).get_by_role("img", name="Yes").is_visible()
    assert cells.nth(4).get_by_role("img", name="No").is_visible()
    assert cells.nth(5).locator("strong").inner_text() == "only"
    # The phone's picker is not shown on a desktop.
    assert not page.get_by_label("Package", exact=True).is_visible()

    reach_last_feature_by_scrolling_the_page(page)
    assert no_page_overflow(page)


def test_a_phone_reads_one_package_at_a_time_and_switches(live_server, page, big_grid):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/grids/g/task-queues/")

    assert grid_fits(page)
    picker = page.get_by_label("Package", exact=True)
    assert picker.is_visible()
    assert page.locator("table.matrix thead th.package-head:visible > a").all_inner_texts() == [
        "Queue 00"
    ]
    assert visible_cells(page, "Feature 0") == ["✓"]
    assert (
        page.locator("table.matrix tbody tr", has=page.locator("th", has_text="Feature 0"))
        .get_by_role("img", name="Yes")
        .is_visible()
    )
    # The one column uses the width: not a 100 px slit.
    width = page.locator("table.matrix thead th.package-head:visible").bounding_box()["width"]
    assert width > 200

    picker.select_option(label="Queue 01")
    assert page.locator("table.matrix thead th.package-head:visible > a").all_inner_texts() == [
        "Queue 01"
    ]
    assert visible_cells(page, "Feature 0") == ["✗"]
    assert "show=queue-01" in page.url
    page.get_by_role("button", name="Next package").click()
    assert visible_cells(page, "Feature 0") == ["?"]

    # The choice is in the address: a reload shows the same package.
    page.reload()
    assert page.get_by_label("Package", exact=True).input_value() == "queue-02"
    assert visible_cells(page, "Feature 0") == ["?"]

    reach_last_feature_by_scrolling_the_page(page)
    assert grid_fits(page)


def test_without_javascript_a_phone_swipes_from_package_to_package(live_server, page, big_grid):
    """Without grid.js a package column is as wide as the box beside the row headings, and
    the box snaps to whole packages: one package is read at a time."""
    context = page.context.browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    try:
        tab = context.new_page()
        tab.goto(live_server.url + "/grids/g/task-queues/")
        assert grid_fits(tab)
        assert not tab.get_by_label("Package", exact=True).count()  # No picker without JS.
        box = tab.locator(".matrix-scroll").bounding_box()
        corner = tab.locator("table.matrix thead th.corner").bounding_box()
        first = tab.locator("table.matrix thead th.package-head").first.bounding_box()
        # The heading column and exactly one package fill the box.
        assert abs(corner["width"] + first["width"] - (box["width"] - 2)) < 3
        assert tab.evaluate(
            "getComputedStyle(document.querySelector('.matrix-scroll')).scrollSnapType"
        ).startswith("x")
        reach_last_feature_by_scrolling_the_page(tab)
    finally:
        context.close()
