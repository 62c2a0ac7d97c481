"""A newcomer's first edits, in a real browser (Debian's chromium through Playwright), signing
in against the local fake GitHub."""

from __future__ import annotations

import re

import pytest

from packyard.catalog.models import Package
from packyard.grids.models import Element
from tests.factories import (
    CategoryFactory,
    FeatureFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_signs_in_adds_a_package_fills_a_cell_and_sees_the_history(
    live_server, page, github
):
    """Sign in with GitHub, add a package in two steps, put it in a grid, write a cell inline,
    and find the edit in the grid's history under one's own name."""
    CategoryFactory(title="App", slug="apps")
    grid = GridFactory(title="Task queues", slug="task-queues")
    GridPackageFactory(grid=grid, package=PackageFactory(title="Celery", slug="celery"))
    FeatureFactory(grid=grid, title="Retries")

    # Sign in: the site, then the fake GitHub, then back through the callback.
    page.goto(live_server.url + "/grids/g/task-queues/")
    page.get_by_role("link", name="Sign in to edit this grid").click()
    page.get_by_role("button", name="Sign in with GitHub").click()
    page.wait_for_url("**/grids/g/task-queues/")
    assert page.get_by_role("link", name="Octo-Cat").is_visible()

    # Add a package: paste any spelling of the repository, then check the filled-in form.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Add a package").click()
    page.get_by_label("Repository URL").fill("git@github.com:octo-cat/django-queue-thing.git")
    page.get_by_role("button", name="Next").click()
    assert page.get_by_label("Title").input_value() == "django-queue-thing"
    page.get_by_label("Title").fill("Queue Thing")
    page.get_by_label("Category").select_option(label="App")
    page.get_by_role("button", name="Add the package").click()
    page.wait_for_url("**/packages/p/django-queue-thing/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Queue Thing")
    assert Package.objects.get(slug="django-queue-thing").repo_url == (
        "https://github.com/octo-cat/django-queue-thing"
    )

    # Put it in the grid with the picker (htmx fills the results as one types).
    page.goto(live_server.url + "/grids/g/task-queues/")
    grid_actions = page.get_by_role("navigation", name="What you can do with this grid")
    grid_actions.get_by_role("link", name="Add a package").click()
    page.get_by_label("Find a package by name").fill("queue thing")
    page.get_by_role("button", name="Add Queue Thing").click()
    page.wait_for_url("**/grids/g/task-queues/")
    assert page.locator("th.package-head", has_text="Queue Thing").count() == 1

    # Write the cell inline: the form replaces the cell, and the cell comes back rendered.
    page.get_by_role("link", name="Edit Retries for Queue Thing").click()
    page.get_by_role("textbox", name="Retries for Queue Thing", exact=True).fill(
        "**yes**, with back-off"
    )
    page.get_by_role("button", name="Save").click()
    page.locator("td.cell strong", has_text="yes").wait_for()
    assert Element.objects.get(grid_package__package__slug="django-queue-thing").text == (
        "**yes**, with back-off"
    )

    # The grid's history shows the edit, by its author, before → after.
    page.get_by_role("navigation", name="What you can do with this grid").get_by_role(
        "link", name="History"
    ).click()
    page.wait_for_url("**/grids/g/task-queues/history/")
    latest = page.locator("li.change").first
    assert re.search(r"Octo-Cat\s+changed cell Retries of Queue Thing", latest.inner_text())
    assert "with back-off" in latest.locator("td.after").inner_text()
