"""Tests of the sitemap: an index at /sitemap.xml, one paged section per kind of page, cached."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from packyard.pages.sitemaps import PackageSitemap
from tests.factories import CategoryFactory, GridFactory, PackageFactory

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OLD = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NEW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SECTIONS = ["static", "packages", "grids", "categories"]

pytestmark = pytest.mark.django_db


def parse_xml(response) -> ET.Element:
    """Parse a response of ours as XML, failing the test when it is not well-formed."""
    return ET.fromstring(response.content)  # noqa: S314 - our own output, not untrusted input.


def index_entries(client) -> dict[str, str | None]:
    """Map each sitemap URL the index lists to its lastmod."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    found = parse_xml(response).findall(f"{SITEMAP}sitemap")
    return {entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod") for entry in found}


def section_entries(client, url: str) -> dict[str, str | None]:
    """Map each page URL a section's page lists to its lastmod."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    found = parse_xml(response).findall(f"{SITEMAP}url")
    return {entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod") for entry in found}


def test_index_lists_each_section_with_its_latest_change(client):
    """/sitemap.xml is a sitemap index: one absolute URL per section, dated by its newest row."""
    PackageFactory(slug="alpha", modified=OLD)
    PackageFactory(slug="beta", modified=NEW)
    GridFactory(slug="storage", modified=OLD)

    entries = index_entries(client)

    assert set(entries) == {f"http://testserver/sitemap-{section}.xml" for section in SECTIONS}
    assert entries["http://testserver/sitemap-packages.xml"] == NEW.isoformat()
    assert entries["http://testserver/sitemap-grids.xml"] == OLD.isoformat()
    assert entries["http://testserver/sitemap-static.xml"] == NEW.isoformat()


def test_sections_together_list_every_page_the_single_sitemap_listed(client):
    """The sections list the same pages as before the split, archived and deprecated included."""
    PackageFactory(title="Alpha", slug="alpha")
    PackageFactory(title="Old", slug="old", archived_at=OLD)
    PackageFactory(title="Gone", slug="gone", deprecated_at=OLD)
    GridFactory(title="Storage", slug="storage")
    CategoryFactory(title="Storage", slug="storage")

    locations = set()
    for section_url in index_entries(client):
        locations |= set(section_entries(client, section_url))

    assert locations == {
        "http://testserver/",
        "http://testserver/packages/",
        "http://testserver/packages/latest/",
        "http://testserver/grids/",
        "http://testserver/packages/p/alpha/",
        "http://testserver/packages/p/old/",
        "http://testserver/packages/p/gone/",
        "http://testserver/grids/g/storage/",
        "http://testserver/categories/apps/",
        "http://testserver/categories/storage/",
    }


def test_each_section_lists_its_absolute_urls_with_lastmod(client):
    """A section lists only its own pages, each dated by the row's `modified`."""
    PackageFactory(slug="alpha", modified=OLD, category=CategoryFactory(slug="apps", modified=OLD))
    GridFactory(slug="storage", modified=NEW)

    assert section_entries(client, "/sitemap-packages.xml") == {
        "http://testserver/packages/p/alpha/": OLD.date().isoformat()
    }
    assert section_entries(client, "/sitemap-grids.xml") == {
        "http://testserver/grids/g/storage/": NEW.date().isoformat()
    }
    assert section_entries(client, "/sitemap-categories.xml") == {
        "http://testserver/categories/apps/": OLD.date().isoformat()
    }
    assert section_entries(client, "/sitemap-static.xml") == {
        "http://testserver/": NEW.date().isoformat(),
        "http://testserver/packages/": OLD.date().isoformat(),
        "http://testserver/packages/latest/": OLD.date().isoformat(),
        "http://testserver/grids/": NEW.date().isoformat(),
    }


def test_a_section_is_paged_by_its_limit(client, monkeypatch):
    """Three packages, two ids a page: the index lists two pages, ?p=2 holds the third, ?p=3
    is 404."""
    monkeypatch.setattr(PackageSitemap, "limit", 2)
    for slug in ["alpha", "beta", "gamma"]:
        PackageFactory(slug=slug)

    entries = index_entries(client)
    first = section_entries(client, "/sitemap-packages.xml")
    second = section_entries(client, "/sitemap-packages.xml?p=2")

    assert "http://testserver/sitemap-packages.xml" in entries
    assert "http://testserver/sitemap-packages.xml?p=2" in entries
    assert "http://testserver/sitemap-packages.xml?p=3" not in entries
    assert list(first) == [
        "http://testserver/packages/p/alpha/",
        "http://testserver/packages/p/beta/",
    ]
    assert list(second) == ["http://testserver/packages/p/gamma/"]
    assert client.get("/sitemap-packages.xml?p=3").status_code == 404
    assert client.get("/sitemap-packages.xml?p=0").status_code == 404
    assert client.get("/sitemap-packages.xml?p=two").status_code == 404


def test_an_unknown_section_is_not_found(client):
    """/sitemap-<anything else>.xml answers 404."""
    assert client.get("/sitemap-users.xml").status_code == 404


@pytest.mark.parametrize("packages", [3, 30])
def test_the_index_and_each_page_cost_a_fixed_number_of_queries(
    client, django_assert_num_queries, packages
):
    """Index: the lowest and highest ids and the latest date per section; a section's page: the
    lowest id and the rows (each with the data version's query first)."""
    for number in range(packages):
        PackageFactory(slug=f"package-{number}", category=CategoryFactory(slug=f"c-{number % 3}"))
        GridFactory(slug=f"grid-{number}")

    # Packages, grids, categories: lowest and highest ids, MAX(modified); static: two MAXes.
    with django_assert_num_queries(1 + 11):
        client.get("/sitemap.xml")
    for section in ["packages", "grids", "categories"]:
        with django_assert_num_queries(1 + 2):
            assert len(section_entries(client, f"/sitemap-{section}.xml")) in {3, packages}
    with django_assert_num_queries(1 + 2):
        client.get("/sitemap-static.xml")


def test_answers_come_from_the_cache(client, django_assert_num_queries):
    """A second request for the index or a page is the kept answer: the data version only."""
    PackageFactory(slug="alpha")
    first = client.get("/sitemap.xml")
    client.get("/sitemap-packages.xml")

    with django_assert_num_queries(2):
        again = client.get("/sitemap.xml")
        client.get("/sitemap-packages.xml")

    assert again.content == first.content
    assert again["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-packages.xml", "/sitemap-static.xml"])
def test_a_conditional_get_answers_not_modified(client, url):
    """Last-Modified is the newest change listed; If-Modified-Since or If-None-Match gives 304."""
    PackageFactory(slug="alpha", modified=NEW, category=CategoryFactory(slug="apps", modified=OLD))
    GridFactory(slug="storage", modified=OLD)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Last-Modified"] == "Mon, 02 Mar 2026 12:00:00 GMT"
    assert response["ETag"]
    since = client.get(url, headers={"If-Modified-Since": response["Last-Modified"]})
    assert since.status_code == 304
    assert since.content == b""
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    older = client.get(url, headers={"If-Modified-Since": "Sun, 01 Mar 2026 12:00:00 GMT"})
    assert older.status_code == 200


def test_pages_are_ranges_of_ids_so_deleted_rows_leave_no_gap_in_the_index(client, monkeypatch):
    """Ids 11, 12 and 17, two ids a page from the lowest: pages 1 and 4 hold rows, the empty
    pages between answer an empty list (200), the page past the highest id is 404."""
    monkeypatch.setattr(PackageSitemap, "limit", 2)
    for pk, slug in [(11, "alpha"), (12, "beta"), (17, "gamma")]:
        PackageFactory(pk=pk, slug=slug)

    entries = index_entries(client)

    assert [url for url in entries if "packages" in url] == [
        "http://testserver/sitemap-packages.xml",
        "http://testserver/sitemap-packages.xml?p=2",
        "http://testserver/sitemap-packages.xml?p=3",
        "http://testserver/sitemap-packages.xml?p=4",
    ]
    assert section_entries(client, "/sitemap-packages.xml?p=2") == {}
    assert list(section_entries(client, "/sitemap-packages.xml?p=4")) == [
        "http://testserver/packages/p/gamma/"
    ]
    assert client.get("/sitemap-packages.xml?p=5").status_code == 404
