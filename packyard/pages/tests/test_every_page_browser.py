"""Every page in chromium, on a 390 px phone and a 1280 px desktop, signed out and as staff.

For each page: the document is no wider than the viewport (no sideways scroll of the page),
axe-core finds no critical or serious violation, and a full-page screenshot is saved under
pytest's temporary folder (`every-page/<role>-<width>/<page>.png`), for a reviewer to look
at; it is a test artefact, not committed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from packyard.catalog.models import Category
from tests.factories import (
    ElementFactory,
    FeatureFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    ProfileFactory,
    ReleaseFactory,
    staff,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
BLOCKING = {"critical", "serious"}
LONG = "a-very-long-package-name-without-any-break-that-could-widen-a-phone-page"


def directory() -> dict[str, str]:
    """A small directory with every kind of page; return the pages to visit by name."""
    category = Category.objects.create(title="App", slug="apps-every", title_plural="Apps")
    packages = [
        FetchedPackageFactory(
            title=f"django-every-{number}" if number else LONG,
            slug=f"every-{number}",
            category=category,
            pypi_name=f"django-every-{number}",
            description="Does one thing well, with a description of a sentence or two.",
            stars=1000 - number,
        )
        for number in range(8)
    ]
    for package in packages[:3]:
        ReleaseFactory(package=package, version="2.1")
    grid = GridFactory(title="Every grid", slug="every-grid", header=True)
    features = [FeatureFactory(grid=grid, title=f"Feature *{n}*") for n in range(4)]
    for package in packages:
        membership = GridPackageFactory(grid=grid, package=package)
        for number, feature in enumerate(features):
            ElementFactory(
                grid_package=membership, feature=feature, text=["+", "no", "?", "*x*"][number]
            )
    person = ProfileFactory(github_login="every-person", name="Every Person")
    first = packages[0]
    return {
        "home": "/",
        "packages": "/packages/",
        "latest": "/packages/latest/",
        "category": f"/categories/{category.slug}/",
        "package": f"/packages/p/{first.slug}/",
        "package-history": f"/packages/p/{first.slug}/history/",
        "package-score": f"/packages/p/{first.slug}/score/",
        "grids": "/grids/",
        "grid": f"/grids/g/{grid.slug}/",
        "grid-history": f"/grids/g/{grid.slug}/history/",
        "search": "/search/?q=every",
        "upgrade": "/upgrade/",
        "readiness": "/readiness/",
        "statistics": "/open/",
        "sign-in": "/accounts/login/",
        "profile": f"/profiles/{person.github_login}/",
        "api": "/api/v4/",
        "api-packages": "/api/v4/packages/",
        "not-found": "/no-such-page/",
    }


STAFF_PAGES = {
    "package-add": "/packages/add/",
    "package-edit": "/packages/p/every-0/edit/",
    "grid-add": "/grids/add/",
    "grid-edit": "/grids/g/every-grid/edit/",
    "moderation": "/moderation/",
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ["visitor", "staff"])
def test_every_page_fits_and_has_no_serious_accessibility_violation(
    live_server, page, tmp_path, role, width
):
    pages = directory()
    if role == "staff":
        client = Client()
        client.force_login(staff("every-boss"))
        page.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        pages |= STAFF_PAGES
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    shots = Path(tmp_path) / "every-page" / f"{role}-{width}"
    shots.mkdir(parents=True)
    axe = Axe()
    problems: dict[str, list[str]] = {}
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response is not None, path
        assert response.status < 500, (path, response.status)
        found = []
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > WIDTHS[width][0]:
            found.append(f"{wide} px wide")
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                found.append(f"{violation['impact']} {violation['id']}: {targets}")
        page.screenshot(path=shots / f"{re.sub(r'[^a-z-]', '', name)}.png", full_page=True)
        if found:
            problems[f"{name} ({path})"] = found
    assert problems == {}, f"screenshots in {shots}"


def test_on_a_phone_a_package_table_is_a_stack_of_labelled_cards(live_server, page):
    """At 390 px /packages/ needs no sideways scroll: each package is a card whose facts are
    labelled (Stars, Forks…) instead of columns under a header row."""
    directory()
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(live_server.url + "/packages/")

    box = page.locator(".table-scroll").first
    assert box.evaluate("element => element.scrollWidth <= element.clientWidth")
    stars = page.locator("td[data-label='Stars']").first
    label = stars.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Stars"'
    assert (
        page.locator(".package-table tr").nth(1).evaluate("row => getComputedStyle(row).display")
        == "block"
    )
