"""API v3 as djangopackages.org serves it, and API v1's 410."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import (
    CategoryFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
)

pytestmark = pytest.mark.django_db

PACKAGE_KEYS = [
    "absolute_url",
    "created",
    "modified",
    "slug",
    "title",
    "category",
    "commit_list",
    "commits_over_52",
    "created_by",
    "documentation_url",
    "grids",
    "last_fetched",
    "last_modified_by",
    "participants",
    "pypi_url",
    "pypi_version",
    "repo_description",
    "repo_forks",
    "repo_url",
    "repo_watchers",
    "resource_uri",
    "usage_count",
]


def test_the_index_lists_the_resources(client):
    """/api/v3/ names the four lists by relative URI."""
    assert client.get("/api/v3/").json() == {
        "categories": "/api/v3/categories/",
        "grids": "/api/v3/grids/",
        "packages": "/api/v3/packages/",
        "users": "/api/v3/users/",
    }


def test_a_package_has_upstreams_keys_and_formats(client):
    """A package: relative URIs, comma-joined weeks and participants, UTC datetimes."""
    user = get_user_model().objects.create_user("pydanny")
    package = FetchedPackageFactory(
        title="Django Uni-Form",
        slug="django-uni-form",
        commits_over_52=[0] * 50 + [2, 5],
        contributors=["pydanny", "dependabot[bot]"],
        created_by=user,
        last_modified_by=user,
        created=datetime(2010, 8, 15, 2, 47, 52, 123456, tzinfo=UTC),
        last_fetched_at=datetime(2026, 2, 1, 12, 0, tzinfo=UTC),
        documentation_url=None,
    )
    grid = GridFactory(slug="forms")
    GridPackageFactory(grid=grid, package=package)

    answer = client.get("/api/v3/packages/django-uni-form/").json()

    assert list(answer) == PACKAGE_KEYS
    assert answer["absolute_url"] == "/packages/p/django-uni-form/"
    assert answer["resource_uri"] == "/api/v3/packages/django-uni-form/"
    assert answer["category"] == f"/api/v3/categories/{package.category.slug}/"
    assert answer["grids"] == ["/api/v3/grids/forms/"]
    assert answer["commits_over_52"] == ",".join(["0"] * 50 + ["2", "5"])
    assert answer["participants"] == "pydanny,dependabot[bot]"
    assert answer["created_by"] == "/api/v3/users/pydanny/"
    assert answer["last_modified_by"] == "pydanny"
    assert answer["created"] == "2010-08-15T02:47:52.123Z"
    assert answer["last_fetched"] == "2026-02-01T12:00:00Z"
    assert answer["documentation_url"] is None
    assert answer["usage_count"] == 0


def test_a_package_never_fetched_reads_as_upstream_reads_it(client):
    """No weeks fetched gives 52 zeros; no participants an empty string; 0 stars and forks."""
    package = PackageFactory()

    answer = client.get(f"/api/v3/packages/{package.slug}/").json()

    assert answer["commits_over_52"] == ",".join(["0"] * 52)
    assert answer["commit_list"] == ""
    assert answer["participants"] == ""
    assert (answer["repo_watchers"], answer["repo_forks"]) == (0, 0)
    assert answer["created_by"] is None


def test_lists_have_the_meta_envelope_and_relative_links(client):
    """A list is {"meta": {limit, next, offset, previous, total_count}, "objects": [...]}."""
    PackageFactory.create_batch(5)

    answer = client.get("/api/v3/packages/", {"limit": 2, "offset": 2}).json()

    assert list(answer) == ["meta", "category", "objects"]
    assert answer["meta"] == {
        "limit": 2,
        "next": "/api/v3/packages/?limit=2&offset=4",
        "offset": 2,
        "previous": "/api/v3/packages/?limit=2&offset=0",
        "total_count": 5,
    }
    assert len(answer["objects"]) == 2
    assert answer["category"] is None


def test_lists_go_by_title(client):
    """Packages, grids and categories are listed by title, as upstream's models order them."""
    for title in ("Zinnia", "alpha", "Beta"):
        PackageFactory(title=title, slug=title.lower())

    answer = client.get("/api/v3/packages/").json()

    assert [row["title"] for row in answer["objects"]] == ["alpha", "Beta", "Zinnia"]


def test_the_category_filter_is_kept_in_next_and_previous(client):
    """?category=<slug> filters, and unlike upstream the links keep it."""
    apps = CategoryFactory(slug="apps", title="App")
    other = CategoryFactory(slug="other", title="Other")
    PackageFactory.create_batch(3, category=apps)
    PackageFactory.create_batch(2, category=other)

    answer = client.get("/api/v3/packages/", {"category": "apps", "limit": 1, "offset": 1}).json()

    assert answer["meta"]["total_count"] == 3
    assert answer["meta"]["next"] == "/api/v3/packages/?limit=1&offset=2&category=apps"
    assert answer["meta"]["previous"] == "/api/v3/packages/?limit=1&offset=0&category=apps"
    assert all(row["category"] == "/api/v3/categories/apps/" for row in answer["objects"])


def test_an_unknown_category_filter_lists_everything(client):
    """An unknown category slug is ignored, as upstream ignores it."""
    PackageFactory.create_batch(2)

    assert client.get("/api/v3/packages/", {"category": "nope"}).json()["meta"]["total_count"] == 2


@pytest.mark.parametrize(
    ("query", "limit", "offset"),
    [
        ({"limit": "0"}, 20, 0),
        ({"limit": "-5"}, 20, 0),
        ({"limit": "many"}, 20, 0),
        ({"limit": "5000"}, 100, 0),
        ({"offset": "-3"}, 20, 0),
        ({"offset": "x"}, 20, 0),
    ],
)
def test_paging_edges_are_kept_sane(client, query, limit, offset):
    """A limit of 0, negative or nonsense gives 20; too large is capped; bad offsets are 0."""
    PackageFactory()

    meta = client.get("/api/v3/packages/", query).json()["meta"]

    assert (meta["limit"], meta["offset"]) == (limit, offset)


def test_an_offset_past_the_end_gives_no_objects(client):
    """An offset past the end answers an empty page with a way back."""
    PackageFactory.create_batch(2)

    answer = client.get("/api/v3/packages/", {"offset": "10" + "0" * 25}).json()

    assert answer["objects"] == []
    assert answer["meta"]["next"] is None
    assert answer["meta"]["total_count"] == 2


def test_grids_and_their_packages(client):
    """A grid lists its packages' URIs; grids/<slug>/packages/ pages over them with the grid."""
    grid = GridFactory(slug="caching", title="Caching")
    for title in ("django-cacheops", "Django-Cachalot"):
        GridPackageFactory(grid=grid, package=PackageFactory(title=title, slug=title.lower()))

    detail = client.get("/api/v3/grids/caching/").json()
    listed = client.get("/api/v3/grids/caching/packages/").json()

    assert detail["resource_uri"] == "/api/v3/grids/caching/"
    assert detail["absolute_url"] == "/grids/g/caching/"
    assert detail["packages"] == [
        "/api/v3/packages/django-cachalot/",
        "/api/v3/packages/django-cacheops/",
    ]
    assert listed["grid"] == detail
    assert listed["meta"]["total_count"] == 2
    assert [row["slug"] for row in listed["objects"]] == ["django-cachalot", "django-cacheops"]
    assert client.get("/api/v3/grids/").json()["objects"] == [detail]


def test_categories(client):
    """Categories by slug, with upstream's keys."""
    CategoryFactory(slug="apps", title="App", title_plural="Apps", show_pypi=True)

    answer = client.get("/api/v3/categories/apps/").json()

    assert answer["resource_uri"] == "/api/v3/categories/apps/"
    assert (answer["title_plural"], answer["show_pypi"]) == ("Apps", True)
    assert client.get("/api/v3/categories/").json()["objects"] == [answer]


@pytest.mark.parametrize("path", ["/api/v3/users/", "/api/v3/users/someone/"])
def test_users_need_a_login(client, path):
    """Users are for signed-in people only: anyone else is sent to log in."""
    response = client.get(path)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_signed_in_people_see_users_and_their_packages(client):
    """A signed-in person sees users, and with list_packages the packages each added."""
    user = get_user_model().objects.create_user("audreyr")
    PackageFactory(slug="cookiecutter-django", title="cookiecutter-django", created_by=user)
    client.force_login(user)

    listed = client.get("/api/v3/users/", {"list_packages": "1"}).json()
    detail = client.get("/api/v3/users/audreyr/").json()

    assert listed["objects"][0]["packages"] == ["/api/v3/packages/cookiecutter-django/"]
    assert detail["github_account"] == "audreyr"
    assert detail["resource_uri"] == "/api/v3/users/audreyr/"
    assert "packages" not in detail


@pytest.mark.parametrize(
    "path", ["/api/v3/packages/nope/", "/api/v3/grids/nope/", "/api/v3/categories/nope/"]
)
def test_unknown_slugs_answer_404_in_upstreams_json(client, path):
    """An unknown slug answers 404 with {"error": 404, "message": ...}."""
    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["error"] == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_v3_is_read_only(method):
    """Writes to v3 answer 405 in JSON."""
    response = getattr(Client(enforce_csrf_checks=True), method)("/api/v3/packages/")

    assert response.status_code == 405
    assert response.json() == {"error": 405, "message": "HTTP method not allowed."}


@pytest.mark.parametrize("size", [3, 30])
def test_the_v3_package_list_takes_a_fixed_number_of_queries(
    client, django_assert_num_queries, size
):
    """Data version, count, page, the page's memberships: 4 queries for 3 or 30 packages."""
    grid = GridFactory()
    for package in PackageFactory.create_batch(size):
        GridPackageFactory(grid=grid, package=package)

    with django_assert_num_queries(4):
        answer = client.get("/api/v3/packages/", {"limit": 100}).json()

    assert len(answer["objects"]) == size


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/package/django-cms/", "/api/v1"])
def test_api_v1_is_gone(method, path):
    """Anything under /api/v1/ answers 410 Gone in JSON, pointing at API v4."""
    response = getattr(Client(enforce_csrf_checks=True), method)(path)

    assert response.status_code == 410
    assert response.json()["v4"] == "http://testserver/api/v4/"
    assert "gone" in response.json()["detail"]
