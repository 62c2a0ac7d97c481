"""Tests of the site-wide pages: home, feeds, robots.txt and error pages."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from packyard.accounts.models import Mark, MarkKind
from packyard.pages.views import server_error
from packyard.scoring.services import scores_recompute
from tests.factories import (
    CategoryFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    UserFactory,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
SCRIPT = "<script>alert(1)</script>"


def _raise_error(request):
    raise RuntimeError("Something broke in a view.")


# The site's URLs plus one that fails, to reach the 500 handler through the client.
urlpatterns = [*site_urlpatterns, path("fail/", _raise_error)]
handler404 = "packyard.pages.views.page_not_found"
handler500 = "packyard.pages.views.server_error"


def parse_xml(response) -> ET.Element:
    """Parse a response of ours as XML, failing the test when it is not well-formed."""
    return ET.fromstring(response.content)  # noqa: S314 - our own output, not untrusted input.


def section(text: str, heading_id: str) -> str:
    """Return the HTML of the home page section labelled by a heading id."""
    pattern = rf'<section aria-labelledby="{heading_id}"[^>]*>(.*?)</section>'
    match = re.search(pattern, text, re.DOTALL)
    assert match is not None, f"no section {heading_id!r}"
    return match.group(1)


def link_texts(html: str) -> list[str]:
    """Return the text of each link in a piece of HTML, in order."""
    return re.findall(r"<a href=\"[^\"]+\">([^<]+)</a>", html)


# Home: /


@pytest.mark.django_db
def test_home_shows_the_search_box(client):
    """The home page has a labelled search box that searches packages and grids."""
    response = client.get("/")

    assert response.status_code == 200
    assert '<search class="hero-search"><form action="/search/" method="get"' in response.text
    assert '<label for="home-search-box"' in response.text
    assert '<input id="home-search-box" type="search" name="q"' in response.text


@pytest.mark.django_db
def test_home_shows_header_grids_biggest_first_with_counts(client):
    """The home page lists the grids marked for the header, the biggest first, with counts."""
    storage = GridFactory(title="Storage", slug="storage", header=True)
    auth = GridFactory(title="Auth", slug="auth", header=True)
    GridFactory(title="Hidden", slug="hidden", header=False)
    for package in PackageFactory.create_batch(3):
        GridPackageFactory(grid=storage, package=package)
    GridPackageFactory(grid=auth)

    grids = section(client.get("/").text, "grids-heading")

    assert link_texts(grids) == ["Storage", "Auth", "All grids →"]
    assert '<a href="/grids/g/storage/">Storage</a> <span class="muted">3 packages</span>' in grids
    assert '<a href="/grids/g/auth/">Auth</a> <span class="muted">1 package</span>' in grids
    assert "Hidden" not in grids


@pytest.mark.django_db
def test_home_shows_categories_with_package_counts_and_no_empty_one(client):
    """Categories show with their plural title and package count; an empty one is left out."""
    storage = CategoryFactory(title="Storage", slug="storage", title_plural="Storage backends")
    CategoryFactory(title="Empty", slug="empty", title_plural="")
    PackageFactory.create_batch(2)
    PackageFactory(category=storage)

    categories = section(client.get("/").text, "categories-heading")

    assert (
        '<a href="/categories/apps/">Apps</a> <span class="muted">2 packages</span>' in categories
    )
    assert (
        '<a href="/categories/storage/">Storage backends</a> <span class="muted">1 package</span>'
        in categories
    )
    assert "Empty" not in categories


@pytest.mark.django_db
def test_home_cards_show_the_newest_packages_first(client):
    """ "New in the directory": six cards, newest first, then a link to more."""
    for number in range(10):
        PackageFactory(title=f"package-{number}", created=NOW - timedelta(days=10 - number))

    new = section(client.get("/").text, "new-heading")

    expected = [f"package-{number}" for number in range(9, 3, -1)]
    assert link_texts(new) == [*expected, "More new packages →"]


@pytest.mark.django_db
def test_home_cards_show_the_most_starred_and_the_recently_released(client):
    """Stars and the latest release order their sections; a card has the facts to choose by."""
    alpha = FetchedPackageFactory(
        title="Alpha",
        slug="alpha",
        stars=50,
        pypi_version="1.1",
        latest_release_at=NOW - timedelta(days=2),
        description="Stores files.",
    )
    FetchedPackageFactory(
        title="Bravo",
        slug="bravo",
        stars=900,
        pypi_version="2.0",
        latest_release_at=NOW - timedelta(days=1),
    )
    PackageFactory(title="Unreleased", slug="unreleased", stars=None)
    scores_recompute(package_ids=[alpha.pk])

    text = client.get("/").text
    starred = section(text, "starred-heading")
    released = section(text, "released-heading")

    assert link_texts(starred) == ["Bravo", "Alpha", "All packages →"]
    assert link_texts(released) == ["Bravo", "Alpha"]
    assert '<p class="card-description">Stores files.</p>' in starred
    assert "★ 900" in starred
    assert "1.1, " in released
    assert 'class="score score-' in starred  # Alpha's score, with its colour.
    assert "not scored yet" in starred  # Bravo's, not computed.
    assert "Django support unknown" in starred


@pytest.mark.django_db
def test_home_shows_the_most_liked_and_the_rising(client, time_machine):
    """Favourites order "Most liked"; marks of the last 30 days order "Rising"."""
    time_machine.move_to(NOW, tick=False)
    old, fresh = (
        PackageFactory(title="Old love", slug="old"),
        PackageFactory(title="Fresh", slug="f"),
    )
    for _ in range(3):
        Mark.objects.create(
            user=UserFactory(),
            package=old,
            kind=MarkKind.FAVOURITE,
            created=NOW - timedelta(days=90),
        )
    Mark.objects.create(user=UserFactory(), package=fresh, kind=MarkKind.USE, created=NOW)

    text = client.get("/").text

    assert link_texts(section(text, "liked-heading")) == ["Old love"]
    assert "3 favourites" in section(text, "liked-heading")
    assert link_texts(section(text, "rising-heading")) == ["Fresh"]
    assert "+1 mark" in section(text, "rising-heading")


@pytest.mark.django_db
def test_home_says_when_there_is_nothing_yet(client):
    """An empty site's home page says there are no grids, categories or packages."""
    text = client.get("/").text

    assert "No grids yet." in text
    assert "No categories yet." in text
    assert "No packages yet." in text


@pytest.mark.django_db
def test_home_escapes_user_text(client):
    """Grid, category and package titles holding a script tag show as text on the home page."""
    category = CategoryFactory(title=SCRIPT, slug="scripted", title_plural=SCRIPT)
    PackageFactory(title=SCRIPT, slug="scripted", category=category, description=SCRIPT)
    GridFactory(title=SCRIPT, slug="scripted", header=True)

    text = client.get("/").text

    assert SCRIPT not in text
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4


def fill_home(*, grids: int, categories: int, packages: int, marks: int) -> None:
    """Create header grids with packages, categories, packages and marks for the home page."""
    category_rows = [
        CategoryFactory(title=f"Category {number}", slug=f"category-{number}")
        for number in range(categories)
    ]
    package_rows = [
        FetchedPackageFactory(
            category=category_rows[number % categories], latest_release_at=NOW, pypi_version="1"
        )
        for number in range(packages)
    ]
    for number in range(grids):
        grid = GridFactory(header=True)
        for package in package_rows[number : number + 3]:
            GridPackageFactory(grid=grid, package=package)
    GridFactory(header=False)
    for number in range(marks):
        Mark.objects.create(
            user=UserFactory(), package=package_rows[number % packages], kind=MarkKind.FAVOURITE
        )
    scores_recompute(package_ids=[package.pk for package in package_rows])


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_data(client, django_assert_num_queries):
    """The home page costs 10 queries (the data version; liked and rising marks, their
    packages; starred, released, new; the cards' scores; grids; categories), little or much."""
    fill_home(grids=1, categories=1, packages=1, marks=1)
    with django_assert_num_queries(10):
        little = client.get("/")
    assert len(link_texts(section(little.text, "liked-heading"))) == 1

    fill_home(grids=16, categories=12, packages=40, marks=30)
    with django_assert_num_queries(10):
        much = client.get("/")
    assert len(link_texts(section(much.text, "grids-heading"))) == 12 + 1
    assert len(link_texts(section(much.text, "liked-heading"))) == 6


@pytest.mark.django_db
def test_home_refuses_post(client):
    """The home page is read-only: POST answers 405, HEAD answers 200."""
    assert client.post("/").status_code == 405
    assert client.head("/").status_code == 200


# Feeds: /feeds/packages/latest/rss/ and /feeds/packages/latest/atom/


def make_dated_packages(count: int) -> list[str]:
    """Create packages added a day apart; return their titles, newest first."""
    for number in range(count):
        PackageFactory(title=f"package-{number:02}", created=NOW - timedelta(days=count - number))
    return [f"package-{number:02}" for number in range(count - 1, -1, -1)]


@pytest.mark.django_db
def test_rss_feed_lists_the_newest_packages_with_absolute_links(client):
    """The RSS feed is well-formed and lists the 25 newest packages with absolute links."""
    titles = make_dated_packages(27)
    PackageFactory(
        title=SCRIPT, slug="scripted", description=SCRIPT, created=NOW - timedelta(days=90)
    )

    response = client.get("/feeds/packages/latest/rss/")
    channel = parse_xml(response).find("channel")
    items = channel.findall("item")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert channel.findtext("title") == "Packyard: latest packages"
    assert channel.findtext("link") == "http://testserver/packages/latest/"
    assert [item.findtext("title") for item in items] == titles[:25]
    assert [item.findtext("link") for item in items][:2] == [
        "http://testserver/packages/p/package-26/",
        "http://testserver/packages/p/package-25/",
    ]
    assert items[0].findtext("description") == "What package-26 does."
    assert items[0].findtext("category") == "App"


@pytest.mark.django_db
def test_atom_feed_lists_the_newest_packages_with_absolute_links(client):
    """The Atom feed is well-formed and lists the newest packages with absolute links."""
    titles = make_dated_packages(3)

    response = client.get("/feeds/packages/latest/atom/")
    feed = parse_xml(response)
    entries = feed.findall(f"{ATOM}entry")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Packyard: latest packages"
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == titles
    assert [entry.find(f"{ATOM}link").get("href") for entry in entries] == [
        f"http://testserver/packages/p/{title}/" for title in titles
    ]
    assert entries[0].findtext(f"{ATOM}updated")


@pytest.mark.django_db
def test_feeds_carry_user_text_as_text(client):
    """A title holding a script tag arrives in the feed as text: readers read titles and
    descriptions as HTML, so the XML holds it escaped as HTML (then escaped again as XML)."""
    PackageFactory(title=SCRIPT, slug="scripted", description=SCRIPT)

    for url in ["/feeds/packages/latest/rss/", "/feeds/packages/latest/atom/"]:
        response = client.get(url)
        assert SCRIPT.encode() not in response.content
        texts = [element.text for element in parse_xml(response).iter()]
        assert SCRIPT not in texts
        assert html.escape(SCRIPT) in texts


# robots.txt


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_the_admin_and_names_the_sitemap(client):
    """/robots.txt disallows /admin/ and /api/ and gives the sitemap's absolute URL."""
    response = client.get("/robots.txt")
    lines = response.text.splitlines()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /api/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# Error pages


@pytest.mark.django_db
def test_unknown_url_gets_the_friendly_404_page(client):
    """An unknown URL answers 404 with a page that names it and links to packages and grids."""
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "<h1>We could not find that page</h1>" in response.text
    assert "<code>/no/such/page/</code>" in response.text
    assert '<a href="/packages/">Browse all packages</a>' in response.text
    assert '<a href="/grids/">Browse the comparison grids</a>' in response.text


@pytest.mark.django_db
def test_404_page_escapes_the_path(client):
    """A path holding markup is shown as text on the 404 page."""
    response = client.get("/<script>alert(1)</script>/")

    assert response.status_code == 404
    assert "<script>alert" not in response.text


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_failing_view_gets_the_500_page(client):
    """A view that raises answers 500 with the "something went wrong" page."""
    client.raise_request_exception = False

    response = client.get("/fail/")

    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.text
    assert '<a href="/">home page</a>' in response.text


def test_500_handler_renders_without_the_database():
    """The 500 handler renders its page with status 500 and no database query."""
    request = RequestFactory().get("/anything/")

    # Without the django_db mark any query here raises.
    response = server_error(request)

    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


@pytest.mark.django_db
def test_home_does_not_offer_archived_or_deprecated_packages_as_the_most_starred(client):
    """A retired package, however starred, is not among the cards that help choose."""
    FetchedPackageFactory(title="Retired", slug="retired", stars=9000, archived_at=NOW)
    FetchedPackageFactory(title="Gone", slug="gone", stars=8000, deprecated_at=NOW)
    FetchedPackageFactory(title="Alive", slug="alive", stars=10)

    starred = section(client.get("/").text, "starred-heading")

    assert link_texts(starred) == ["Alive", "All packages →"]
