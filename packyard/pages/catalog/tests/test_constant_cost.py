"""Each list page costs the same number of queries however many packages there are.

Pattern: build a small directory, count each page's queries, build a larger one, count again.
Deep pages are read from the end of their order, so the last page shows the rows an offset
from the start would, in the same order.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from packyard.catalog.models import Category, Package
from packyard.catalog.selectors import PACKAGE_SORTS, packages_list
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 25


def grow(total: int) -> None:
    """Bring the directory to `total` packages, in two categories, some facts missing."""
    apps = CategoryFactory(slug="apps", title="App")
    tools = CategoryFactory(slug="tools", title="Tool", title_plural="Tools")
    now = timezone.now()
    start = Package.objects.count()
    Package.objects.bulk_create(
        Package(
            title=f"Thing {n % 13} {n}",
            slug=f"thing-{n}",
            category=apps if n % 3 else tools,
            repo_key=f"github.com/o/thing-{n}",
            stars=None if n % 7 == 0 else n % 11,
            forks=None if n % 5 == 0 else n % 4,
            last_commit_at=None if n % 4 == 0 else now - timedelta(days=n % 9),
            latest_release_at=None if n % 6 == 0 else now - timedelta(days=n % 10),
        )
        for n in range(start, total)
    )


def last_page(total: int) -> int:
    return (total + PAGE_SIZE - 1) // PAGE_SIZE


URLS = [
    "/",
    "/packages/",
    "/packages/?page=2",
    "/packages/?page=last",
    "/packages/?category=tools",
    "/categories/tools/",
    "/categories/tools/?page=last",
    "/packages/latest/",
    "/packages/latest/?page=last",
    "/packages/p/thing-1/",
    *[f"/packages/?sort={sort}" for sort in PACKAGE_SORTS],
    *[f"/packages/?sort={sort}&page=last" for sort in PACKAGE_SORTS],
]


def queries_of(client, url: str, total: int) -> int:
    if "page=last" in url:
        url = url.replace("page=last", f"page={last_page(total)}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_list_page_takes_as_many_queries_at_two_sizes(client, settings):
    """Home, /packages/ (each sort, first and last page), a category, the latest, a package."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.PAGE_SIZE = PAGE_SIZE
    grow(60)
    small = {url: queries_of(client, url, 60) for url in URLS}
    grow(260)
    large = {url: queries_of(client, url, 260) for url in URLS}
    assert large == small


def test_no_list_page_counts_or_groups_the_packages(client, settings):
    """Counts shown on home and the lists come from the stored counts, not COUNT(*)."""
    settings.PAGE_CACHE_SECONDS = 0
    grow(60)
    for url in ["/", "/packages/", "/categories/tools/", "/packages/latest/"]:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        package_counts = [
            query["sql"]
            for query in queries.captured_queries
            if '"catalog_package"' in query["sql"].split("FROM", 1)[-1].split("WHERE")[0]
            and ("COUNT(" in query["sql"] or "GROUP BY" in query["sql"])
        ]
        assert package_counts == [], url


@pytest.mark.parametrize("sort", PACKAGE_SORTS)
def test_the_last_page_shows_the_rows_an_offset_would(client, settings, sort):
    """A page read from the end holds the same packages, in order, as one read from the start."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.PAGE_SIZE = PAGE_SIZE
    grow(110)
    expected = list(packages_list(sort=sort).values_list("title", flat=True))
    for number in (3, 4, 5):
        response = client.get(f"/packages/?sort={sort}&page={number}")
        shown = [package.title for package in response.context["page"].object_list]
        assert shown == expected[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], number
        text = response.content.decode()
        assert f"Page {number} of 5" in text
        assert "110 in all" in text
        assert shown[0] in text
        assert shown[-1] in text


def test_counts_on_the_pages_are_the_stored_counts(client, settings):
    """Home and the category filter show each category's number; a category page its total."""
    settings.PAGE_CACHE_SECONDS = 0
    grow(60)
    tools = Category.objects.get(slug="tools")
    assert tools.package_count == 20
    assert "20 packages" in client.get("/").content.decode()
    assert "Tools (20)" in client.get("/packages/").content.decode()
    assert "20 packages" in client.get("/categories/tools/").content.decode()
    assert "5 packages" in client.get("/packages/?q=Thing+3+").content.decode()
