"""API v4's search: a bare list of at most 20 results in upstream's SearchV2 shape."""

from datetime import UTC, datetime

import pytest

from packyard.api.v4.selectors import search_ranked
from packyard.api.v4.serializers import clean_title, without_prefix
from tests.factories import FetchedPackageFactory, GridFactory, GridPackageFactory, PackageFactory

pytestmark = pytest.mark.django_db

# Upstream's SearchV2Serializer declares description and title, then the model's own fields
# follow in their order (BaseModel's created and modified first), without id.
SEARCH_FIELDS = [
    "description",
    "title",
    "created",
    "modified",
    "weight",
    "item_type",
    "title_no_prefix",
    "slug",
    "slug_no_prefix",
    "clean_title",
    "category",
    "absolute_url",
    "repo_watchers",
    "repo_forks",
    "pypi_downloads",
    "score",
    "usage",
    "participants",
    "last_committed",
    "last_released",
]


def test_a_search_answers_a_bare_list_in_the_searchv2_shape(client, settings):
    """Each result has SearchV2's fields in order, with package facts filled in."""
    settings.TIME_ZONE = "UTC"
    package = FetchedPackageFactory(
        title="django-allauth",
        slug="django-allauth",
        stars=9000,
        forks=3000,
        contributors=["pennersr", "dependabot[bot]"],
        last_commit_at=datetime(2026, 5, 1, 10, 30, 15, tzinfo=UTC),
        created=datetime(2010, 8, 15, 2, 47, 52, tzinfo=UTC),
    )

    answer = client.get("/api/v4/search/", {"q": "allauth"}).json()

    assert isinstance(answer, list)
    assert [list(result) for result in answer] == [SEARCH_FIELDS]
    result = answer[0]
    assert result["item_type"] == "package"
    assert result["title"] == "django-allauth"
    assert result["title_no_prefix"] == "allauth"
    assert result["slug_no_prefix"] == "allauth"
    assert result["clean_title"] == "allauth"
    assert result["category"] == package.category.title
    assert result["absolute_url"] == "/packages/p/django-allauth/"
    assert (result["repo_watchers"], result["repo_forks"]) == (9000, 3000)
    assert result["participants"] == "pennersr,dependabot[bot]"
    assert result["last_committed"] == "2026-05-01T10:30:15+00:00"
    assert result["created"] == "2010-08-15T02:47:52.000000+00:00"
    assert result["last_released"] is None
    assert (result["pypi_downloads"], result["usage"]) == (0, 0)


def test_grids_are_found_too(client):
    """A grid whose title matches is a result of item_type "grid"; its package is found too."""
    grid = GridFactory(title="Authentication", slug="authentication")
    package = FetchedPackageFactory(stars=40)
    GridPackageFactory(grid=grid, package=package)

    answer = client.get("/api/v4/search/", {"q": "authent"}).json()

    assert {(result["item_type"], result["slug"]) for result in answer} == {
        ("grid", "authentication"),
        ("package", package.slug),
    }
    grid_result = next(result for result in answer if result["item_type"] == "grid")
    assert grid_result["absolute_url"] == "/grids/g/authentication/"
    assert grid_result["category"] == ""
    assert 0 < grid_result["weight"] <= 100
    assert grid_result["score"] == 0


def test_equal_matches_are_ranked_by_quality_and_cut_at_twenty(client):
    """Among packages that match alike, the most-starred come first; never more than 20."""
    for stars in range(25):
        FetchedPackageFactory(title=f"django-cache-{stars}", stars=stars)
    PackageFactory(title="django-cache-unfetched")

    answer = client.get("/api/v4/search/", {"q": "cache"}).json()

    assert len(answer) == 20
    assert [result["repo_watchers"] for result in answer] == list(range(24, 4, -1))
    weights = [result["weight"] for result in answer]
    assert weights == sorted(weights, reverse=True)
    assert all(0 < weight <= 100 for weight in weights)


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}])
def test_an_empty_query_finds_nothing(client, query):
    """No `q`, or a blank one, answers an empty list."""
    PackageFactory()

    assert client.get("/api/v4/search/", query).json() == []


@pytest.mark.parametrize("size", [2, 12])
def test_the_search_takes_four_queries(client, django_assert_num_queries, size):
    """Data version, packages counted, ranked with their categories, grids: 4, any size."""
    for number in range(size):
        FetchedPackageFactory(title=f"django-search-{number}")
        GridFactory(title=f"Search {number}")

    with django_assert_num_queries(4):
        answer = client.get("/api/v4/search/", {"q": "search"}).json()

    assert len(answer) == min(2 * size, 20)


def test_search_ranked_is_the_one_place_that_ranks():
    """search_ranked returns hits best first; the view only serializes them."""
    low = FetchedPackageFactory(title="django-forms-low", stars=1)
    high = FetchedPackageFactory(title="django-forms-high", stars=100)

    hits = search_ranked(text="forms")

    assert [hit.slug for hit in hits] == [high.slug, low.slug]


@pytest.mark.parametrize(
    ("value", "no_prefix", "clean"),
    [
        ("django-rest-framework", "rest-framework", "restframework"),
        ("Django REST framework", "rest framework", "restframework"),
        ("wagtail", "wagtail", "wagtail"),
        ("django_tables2", "tables2", "tables2"),
    ],
)
def test_prefixes_are_removed_as_upstream_removes_them(value, no_prefix, clean):
    """title_no_prefix drops "django" and its separator; clean_title also the separators."""
    assert without_prefix(value) == no_prefix
    assert clean_title(without_prefix(value)) == clean
