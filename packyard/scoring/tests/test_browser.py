"""The grid's score controls in a real browser (Debian's chromium through Playwright)."""

import pytest

from packyard.scoring.services import scores_recompute
from tests.factories import FetchedPackageFactory, GridFactory, GridPackageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_weighs_the_score_and_shows_archived_packages(live_server, page, release_cycles):
    """Weighing adoption only and sorting by score reorders the grid; the toggle shows the
    archived package; both stay in the address."""
    grid = GridFactory(title="Task queues", slug="task-queues")
    popular = FetchedPackageFactory(title="Popular", stars=30_000, forks=2_000)
    documented = FetchedPackageFactory(
        title="Documented",
        stars=3,
        forks=0,
        documentation_url="https://docs.example.org/",
        changelog_url="https://example.org/changes",
        description="A careful, well documented task queue for small sites.",
    )
    archived = FetchedPackageFactory(title="Archived", archived_at="2025-01-01T00:00:00Z")
    for package in (popular, documented, archived):
        GridPackageFactory(grid=grid, package=package)
    scores_recompute(package_ids=[popular.pk, documented.pk, archived.pk])

    page.goto(live_server.url + "/grids/g/task-queues/?sort=score")
    page.get_by_text("Weigh the score yourself").click()
    for name in ["Maintenance", "Adoption", "Compatibility", "Status"]:
        page.get_by_label(name, exact=True).fill("0")
    page.get_by_label("Documentation", exact=True).fill("100")
    page.get_by_role("button", name="Weigh").click()
    page.wait_for_url("**w-documentation=100**")

    heads = page.locator("table.matrix thead th.package-head a")
    assert heads.all_inner_texts()[:2] == ["Documented", "Popular"]
    assert "sort=score" in page.url

    page.get_by_role("link", name="Show archived and deprecated packages").click()
    page.wait_for_url("**retired=shown**")

    assert "Archived" in heads.all_inner_texts()
    assert "w-documentation=100" in page.url
