"""API v4: shapes, formats, lookups, paging, errors and the browsable pages."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from packyard.catalog.models import Package
from tests.factories import (
    CategoryFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
)

pytestmark = pytest.mark.django_db

PACKAGE_FIELDS = [
    "category",
    "grids",
    "id",
    "title",
    "slug",
    "last_updated",
    "last_fetched",
    "repo_url",
    "pypi_version",
    "created",
    "modified",
    "repo_forks",
    "repo_description",
    "pypi_url",
    "documentation_url",
    "repo_watchers",
    "commits_over_52",
    "participants",
]
GRID_FIELDS = [
    "id",
    "title",
    "slug",
    "description",
    "is_locked",
    "packages",
    "header",
    "created",
    "modified",
]
CATEGORY_FIELDS = [
    "id",
    "title",
    "slug",
    "description",
    "title_plural",
    "show_pypi",
    "created",
    "modified",
]
MOMENT = datetime(2026, 5, 25, 22, 3, 48, 645000, tzinfo=UTC)


def packages_in_grids(count, *, grids=3):
    """Make `count` fetched packages, each in every one of `grids` grids."""
    made_grids = [GridFactory() for _ in range(grids)]
    packages = [FetchedPackageFactory() for _ in range(count)]
    for package in packages:
        for grid in made_grids:
            GridPackageFactory(grid=grid, package=package)
    return packages, made_grids


# --- Shapes and formats -------------------------------------------------------------------------


def test_the_root_lists_the_endpoints_in_upstreams_order(client):
    """/api/v4/ links packages, search, grids and categories, as djangopackages.org does."""
    response = client.get("/api/v4/")

    assert response.json() == {
        "packages": "http://testserver/api/v4/packages/",
        "search": "http://testserver/api/v4/search/",
        "grids": "http://testserver/api/v4/grids/",
        "categories": "http://testserver/api/v4/categories/",
    }


def test_a_package_has_upstreams_fields_in_upstreams_order(client):
    """A package record has exactly the v4 fields, in djangopackages.org's order."""
    package = FetchedPackageFactory()

    answer = client.get(f"/api/v4/packages/{package.pk}/").json()

    assert list(answer) == PACKAGE_FIELDS


def test_a_grid_and_a_category_have_upstreams_fields_in_order(client):
    """Grid and category records have the v4 fields in djangopackages.org's order."""
    grid = GridFactory()
    category = CategoryFactory()

    assert list(client.get(f"/api/v4/grids/{grid.pk}/").json()) == GRID_FIELDS
    assert list(client.get(f"/api/v4/categories/{category.pk}/").json()) == CATEGORY_FIELDS


def test_datetimes_carry_the_time_zones_offset_and_six_digits(client, settings):
    """created/modified/last_fetched have six fractional digits; last_updated whole seconds."""
    settings.TIME_ZONE = "UTC"
    package = FetchedPackageFactory(
        created=MOMENT.replace(microsecond=0),
        modified=MOMENT,
        last_fetched_at=MOMENT,
        last_commit_at=MOMENT,
    )

    answer = client.get(f"/api/v4/packages/{package.pk}/").json()

    assert answer["created"] == "2026-05-25T22:03:48.000000+00:00"
    assert answer["modified"] == "2026-05-25T22:03:48.645000+00:00"
    assert answer["last_fetched"] == "2026-05-25T22:03:48.645000+00:00"
    assert answer["last_updated"] == "2026-05-25T22:03:48+00:00"


def test_datetimes_follow_the_configured_time_zone(client, settings):
    """With TIME_ZONE America/New_York each value has the offset of its own date."""
    settings.TIME_ZONE = "America/New_York"
    package = FetchedPackageFactory(
        created=datetime(2010, 1, 15, 12, 0, tzinfo=UTC), modified=MOMENT
    )

    answer = client.get(f"/api/v4/packages/{package.pk}/").json()

    assert answer["created"] == "2010-01-15T07:00:00.000000-05:00"
    assert answer["modified"] == "2026-05-25T18:03:48.645000-04:00"


def test_facts_never_fetched_are_served_as_upstream_serves_them(client):
    """Stars, forks, weeks and participants not fetched yet read 0 and [] (v4 is frozen)."""
    package = PackageFactory(pypi_version=None, documentation_url=None)

    answer = client.get(f"/api/v4/packages/{package.pk}/").json()

    assert answer["repo_watchers"] == 0
    assert answer["repo_forks"] == 0
    assert answer["commits_over_52"] == []
    assert answer["participants"] == []
    assert answer["last_updated"] is None
    assert answer["last_fetched"] is None
    assert answer["pypi_version"] is None
    assert answer["documentation_url"] is None


def test_strings_come_back_as_they_were_stored(client):
    """An empty documentation URL stays "", and raw text keeps its spaces and line ends."""
    package = FetchedPackageFactory(
        documentation_url="",
        description="  Two  spaces\r\nand :sparkles:  ",
        pypi_url="http://pypi.python.org/pypi/Thing",
        pypi_version="1.0",
    )

    answer = client.get(f"/api/v4/packages/{package.pk}/").json()

    assert answer["documentation_url"] == ""
    assert answer["repo_description"] == "  Two  spaces\r\nand :sparkles:  "
    assert answer["pypi_url"] == "http://pypi.python.org/pypi/Thing"
    assert answer["pypi_version"] == "1.0"


def test_a_packages_grids_come_in_the_order_it_joined_them(client):
    """`grids` lists the package's grids in membership order, not by title or id."""
    package = FetchedPackageFactory()
    zeta, alpha, middle = GridFactory(title="Zeta"), GridFactory(title="Alpha"), GridFactory()
    for grid in (middle, zeta, alpha):
        GridPackageFactory(grid=grid, package=package)

    answer = client.get(f"/api/v4/packages/{package.pk}/").json()

    assert answer["grids"] == [
        f"http://testserver/api/v4/grids/{grid.pk}/" for grid in (middle, zeta, alpha)
    ]
    assert answer["category"] == f"http://testserver/api/v4/categories/{package.category_id}/"


def test_a_grids_packages_come_by_title_as_upstreams_model_orders_them(client):
    """`packages` lists a grid's packages by title, case aside, whatever order they joined."""
    grid = GridFactory()
    titles = ["django-zeta", "Django-Beta", "django-alpha"]
    packages = [PackageFactory(title=title, slug=title.lower()) for title in titles]
    for package in packages:
        GridPackageFactory(grid=grid, package=package)
    by_title = sorted(packages, key=lambda package: package.title.casefold())

    answer = client.get(f"/api/v4/grids/{grid.slug}/").json()

    assert answer["packages"] == [
        f"http://testserver/api/v4/packages/{package.pk}/" for package in by_title
    ]


# --- Lookups and errors -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["packages", "grids", "categories"])
def test_records_are_found_by_id_or_by_slug(client, kind):
    """Digits name an id; anything else a slug; both give the same record."""
    row = {"packages": PackageFactory, "grids": GridFactory, "categories": CategoryFactory}[kind]()

    by_id = client.get(f"/api/v4/{kind}/{row.pk}/")
    by_slug = client.get(f"/api/v4/{kind}/{row.slug}/")

    assert by_id.status_code == by_slug.status_code == 200
    assert by_id.json() == by_slug.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v4/packages/999999/",
        "/api/v4/packages/no-such-package/",
        "/api/v4/grids/no-such-grid/",
        "/api/v4/categories/424242/",
        "/api/v4/packages/99999999999999999999999999/",
        "/api/v4/nothing-here/",
        "/api/v2/",
    ],
)
def test_unknown_records_and_addresses_answer_404_json(client, path):
    """Unknown ids, slugs and addresses answer 404 with a JSON body, never a 500 or HTML."""
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v4/packages/", "/api/v4/packages/{pk}/", "/api/v4/search/"])
def test_writes_answer_405(method, path):
    """The API is read-only: every write answers 405 in JSON, even without a CSRF token."""
    package = PackageFactory()
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(
        path.format(pk=package.pk), {}, content_type="application/json"
    )

    assert response.status_code == 405
    assert response.json()["detail"] == f'Method "{method.upper()}" not allowed.'
    assert Package.objects.filter(pk=package.pk).exists()


@pytest.mark.parametrize("path", ["/api/v4/packages/", "/api/v4/packages/{pk}/", "/api/v4/grids/"])
def test_reads_allow_get_head_and_options(client, path):
    """Lists and records say `Allow: GET, HEAD, OPTIONS`, as upstream's do."""
    package = PackageFactory()

    response = client.get(path.format(pk=package.pk))

    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_a_path_without_its_slash_is_redirected(client):
    """/api/v4/packages is redirected to /api/v4/packages/ as Django does elsewhere."""
    response = client.get("/api/v4/packages")

    assert response.status_code == 301
    assert response["Location"] == "/api/v4/packages/"


# --- Formats and the browsable pages ------------------------------------------------------------


def test_the_browsable_page_describes_the_view_and_keeps_its_format_in_links(client):
    """?format=api shows upstream's description, the Allow header and links with ?format=api."""
    package = FetchedPackageFactory()
    grid = GridFactory()
    GridPackageFactory(grid=grid, package=package)

    response = client.get("/api/v4/packages/?format=api")
    page = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "API endpoint that allows packages to be viewed or edited." in page
    assert "GET, HEAD, OPTIONS" in page
    assert f"http://testserver/api/v4/grids/{grid.pk}/?format=api" in page
    assert f"http://testserver/api/v4/categories/{package.category_id}/?format=api" in page


def test_the_browsable_pages_of_grids_and_search_render(client):
    """Every endpoint's browsable page renders, including the search's and a record's."""
    grid = GridFactory()

    for path in ("/api/v4/", "/api/v4/grids/", f"/api/v4/grids/{grid.pk}/", "/api/v4/search/?q=x"):
        response = client.get(path, {"format": "api"})
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/html")


def test_the_browsable_list_pages_links_keep_the_format(client):
    """On the browsable list, `next` keeps ?format=api."""
    PackageFactory.create_batch(3)

    response = client.get("/api/v4/packages/", {"format": "api", "limit": 1})

    assert "http://testserver/api/v4/packages/?format=api&amp;limit=1&amp;offset=1" in (
        response.content.decode()
    )


def test_the_json_format_and_suffix_give_json(client):
    """?format=json and the .json suffix both answer JSON."""
    package = PackageFactory()

    by_query = client.get(f"/api/v4/packages/{package.pk}/?format=json")
    by_suffix = client.get(f"/api/v4/packages/{package.pk}.json")
    list_by_suffix = client.get("/api/v4/packages.json")

    assert by_query["Content-Type"] == by_suffix["Content-Type"] == "application/json"
    assert by_query.json()["id"] == by_suffix.json()["id"] == package.pk
    assert list_by_suffix.json()["count"] == 1


def test_links_keep_the_format_asked_by_query_or_by_suffix(client):
    """Each link of an answer asked with ?format=json keeps it; asked with .json, ends in it."""
    package = PackageFactory()
    category = package.category_id

    by_query = client.get(f"/api/v4/packages/{package.pk}/?format=json").json()
    by_suffix = client.get(f"/api/v4/packages/{package.pk}.json").json()
    plain = client.get("/api/v4/packages/").json()["results"][0]

    assert by_query["category"] == f"http://testserver/api/v4/categories/{category}/?format=json"
    assert by_suffix["category"] == f"http://testserver/api/v4/categories/{category}.json"
    assert plain["category"] == f"http://testserver/api/v4/categories/{category}/"


def test_a_browser_gets_json_unless_it_asks_for_the_browsable_page(client):
    """Without ?format= a plain request gets JSON (clients that send no Accept header)."""
    PackageFactory()

    response = client.get("/api/v4/packages/")

    assert response["Content-Type"] == "application/json"


# --- Paging -------------------------------------------------------------------------------------


def test_lists_are_newest_id_first_twenty_a_page(client):
    """A list gives 20 records by default, newest id first, with `next` to the rest."""
    packages = PackageFactory.create_batch(23)
    newest_first = sorted((package.pk for package in packages), reverse=True)

    first = client.get("/api/v4/packages/").json()
    second = client.get(first["next"]).json()

    assert first["count"] == 23
    assert [row["id"] for row in first["results"]] == newest_first[:20]
    assert first["next"] == "http://testserver/api/v4/packages/?limit=20&offset=20"
    assert first["previous"] is None
    assert [row["id"] for row in second["results"]] == newest_first[20:]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v4/packages/?limit=20"


@pytest.mark.parametrize("limit", ["0", "-3", "ten", "", "1.5"])
def test_a_nonsense_limit_gives_the_default_page(client, limit):
    """limit=0, negative, empty or not a whole number gives the default 20, not an error."""
    PackageFactory.create_batch(21)

    answer = client.get("/api/v4/packages/", {"limit": limit}).json()

    assert len(answer["results"]) == 20
    assert answer["next"] == "http://testserver/api/v4/packages/?limit=20&offset=20"


def test_a_limit_above_the_maximum_is_capped(client, settings):
    """A limit above API_MAX_LIMIT gives API_MAX_LIMIT records, and links say so."""
    settings.API_MAX_LIMIT = 5
    PackageFactory.create_batch(7)

    answer = client.get("/api/v4/packages/", {"limit": 1000}).json()

    assert len(answer["results"]) == 5
    assert answer["next"] == "http://testserver/api/v4/packages/?limit=5&offset=5"


def test_the_default_maximum_limit_is_a_hundred(settings):
    """API_MAX_LIMIT defaults to 100."""
    assert settings.API_MAX_LIMIT == 100


def test_an_offset_past_the_end_gives_an_empty_page(client):
    """An offset past the end answers 200 with no results, the count, and a way back."""
    PackageFactory.create_batch(3)

    answer = client.get("/api/v4/packages/", {"offset": 500, "limit": 2}).json()

    assert answer == {
        "count": 3,
        "next": None,
        "previous": "http://testserver/api/v4/packages/?limit=2&offset=498",
        "results": [],
    }


def test_an_enormous_offset_is_not_an_error(client):
    """An offset too large for SQL answers an empty page, not a 500."""
    PackageFactory()

    response = client.get("/api/v4/packages/", {"offset": "9" * 30})

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("offset", ["-4", "abc", ""])
def test_a_nonsense_offset_starts_at_the_beginning(client, offset):
    """A negative or non-numeric offset counts from 0."""
    packages = PackageFactory.create_batch(2)

    answer = client.get("/api/v4/packages/", {"offset": offset}).json()

    assert [row["id"] for row in answer["results"]] == sorted(
        (package.pk for package in packages), reverse=True
    )
    assert answer["previous"] is None


def test_an_offset_past_the_end_renders_on_the_browsable_page(client):
    """The browsable page of an empty page past the end renders too."""
    PackageFactory.create_batch(3)

    response = client.get("/api/v4/packages/", {"offset": 50, "limit": 2, "format": "api"})

    assert response.status_code == 200


# --- Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_the_packages_list_takes_four_queries_whatever_its_length(
    client, django_assert_num_queries, size
):
    """Data version, count, page, the page's grid memberships: 4 for 3 or 30 packages."""
    packages_in_grids(size)

    with django_assert_num_queries(4):
        answer = client.get("/api/v4/packages/", {"limit": 100}).json()

    assert len(answer["results"]) == size
    assert all(len(row["grids"]) == 3 for row in answer["results"])


@pytest.mark.parametrize("size", [3, 30])
def test_the_grids_list_takes_four_queries_whatever_its_length(
    client, django_assert_num_queries, size
):
    """Data version, count, page, and the page's packages: 4 queries for 3 or 30 grids."""
    packages_in_grids(4, grids=size)

    with django_assert_num_queries(4):
        answer = client.get("/api/v4/grids/", {"limit": 100}).json()

    assert len(answer["results"]) == size
    assert all(len(row["packages"]) == 4 for row in answer["results"])


@pytest.mark.parametrize("size", [3, 30])
def test_the_categories_list_takes_three_queries_whatever_its_length(
    client, django_assert_num_queries, size
):
    """Data version, count and page: 3 queries for 3 or 30 categories."""
    for number in range(size):
        CategoryFactory(slug=f"category-{number}", title=f"Category {number}")

    with django_assert_num_queries(3):
        answer = client.get("/api/v4/categories/", {"limit": 100}).json()

    assert len(answer["results"]) == size


def test_a_package_record_takes_three_queries(client, django_assert_num_queries):
    """One package with its grids: the data version, the row, then its memberships."""
    packages_in_grids(1)
    package = Package.objects.get()

    with django_assert_num_queries(3):
        client.get(f"/api/v4/packages/{package.slug}/")


def test_the_browsable_page_is_packyards_own_with_a_language_and_a_way_back(client):
    """In a browser, the API root is a Packyard page: lang set, the site's header and links."""
    response = client.get("/api/v4/", {"format": "api"})
    page = response.content.decode()

    assert '<html lang="en">' in page
    assert 'class="brand"' in page
    assert "Django REST framework" not in page
    assert "<h1>Api Root</h1>" in page or "<h1>API Root</h1>" in page
    assert 'href="?format=json"' in page
    assert "http://testserver/api/v4/packages/?format=api" in page
