"""API v5 grids, categories and search; its schema, docs, rate limit, CORS and caching."""

from datetime import UTC, datetime

import pytest
import time_machine

from packyard.search import services as search_services
from tests.factories import (
    CategoryFactory,
    ElementFactory,
    FeatureFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
)

pytestmark = pytest.mark.django_db


def test_a_grid_has_its_features_packages_and_cells(client):
    """Features in position order, packages by title, and each cell's text and HTML."""
    grid = GridFactory(slug="forms", title="Forms")
    feature = FeatureFactory(grid=grid, title="Widgets")
    column = GridPackageFactory(grid=grid, package=PackageFactory(slug="crispy", title="Crispy"))
    GridPackageFactory(grid=grid, package=PackageFactory(slug="atom", title="Atom"))
    ElementFactory(grid_package=column, feature=feature, text="**Yes**")

    record = client.get("/api/v5/grids/forms/").json()

    assert record["title"] == "Forms"
    assert [row["title"] for row in record["features"]] == ["Widgets"]
    assert [row["slug"] for row in record["packages"]] == ["atom", "crispy"]
    [cell] = record["cells"]
    assert (cell["feature"], cell["package"], cell["text"]) == (feature.pk, "crispy", "**Yes**")
    assert "<strong>Yes</strong>" in cell["html"]


@pytest.mark.parametrize("size", [3, 30])
def test_the_grids_and_categories_lists_take_fixed_queries(client, django_assert_num_queries, size):
    """Data version and page: 2 queries each, for 3 or 30 rows."""
    for number in range(size):
        GridFactory()
        CategoryFactory(slug=f"c{number}", title=f"C {number}")

    with django_assert_num_queries(2):
        grids = client.get("/api/v5/grids/", {"page_size": 100}).json()
    with django_assert_num_queries(2):
        categories = client.get("/api/v5/categories/", {"page_size": 100}).json()

    assert len(grids["results"]) == size
    assert len(categories["results"]) == size


@pytest.mark.parametrize("size", [3, 12])
def test_a_grid_record_takes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    """Data version, grid, features, packages, cells: 5 queries for 3 or 12 packages."""
    grid = GridFactory(slug="forms")
    feature = FeatureFactory(grid=grid)
    for _ in range(size):
        ElementFactory(grid_package=GridPackageFactory(grid=grid), feature=feature)

    with django_assert_num_queries(5):
        record = client.get("/api/v5/grids/forms/").json()

    assert len(record["cells"]) == size


def test_the_search_ranks_pages_and_counts_facets(client):
    """Hits carry their rank across pages, the numbers behind it, and the facets."""
    for number in range(3):
        PackageFactory(slug=f"django-forms-{number}", title=f"Forms {number}")
    search_services.search_index_rebuild()

    first = client.get("/api/v5/search/", {"q": "forms", "page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    assert [hit["rank"] for hit in first["results"]] == [1, 2]
    assert [hit["rank"] for hit in second["results"]] == [3]
    assert second["previous"] is not None
    assert {"text", "quality", "score", "name_match"} <= set(first["results"][0])
    assert first["facets"]["categories"][0]["count"] == 3


def test_the_search_says_maintained_as_the_package_list_does(client):
    """`?status=maintained` filters, and hits and the status facet say "maintained", not "live"."""
    PackageFactory(slug="django-forms-kept", title="Forms kept")
    gone = PackageFactory(slug="django-forms-gone", title="Forms gone")
    gone.archived_at = gone.created
    gone.save(update_fields=["archived_at"])
    search_services.search_index_rebuild()

    everything = client.get("/api/v5/search/", {"q": "forms"}).json()
    maintained = client.get("/api/v5/search/", {"q": "forms", "status": "maintained"}).json()

    assert {hit["slug"]: hit["status"] for hit in everything["results"]} == {
        "django-forms-kept": "maintained",
        "django-forms-gone": "archived",
    }
    assert {row["value"]: row["label"] for row in everything["facets"]["statuses"]} == {
        "maintained": "Maintained",
        "archived": "Archived",
    }
    assert [hit["slug"] for hit in maintained["results"]] == ["django-forms-kept"]
    assert list(client.get("/api/v5/search/", {"q": "forms", "status": "live"}).json()) == [
        "status"
    ]


def test_a_search_without_text_is_a_400_naming_q(client):
    """No `q`, or one too long, answers 400 keyed by "q"."""
    assert list(client.get("/api/v5/search/").json()) == ["q"]
    assert client.get("/api/v5/search/", {"q": "x" * 500}).status_code == 400


def test_the_schema_is_openapi_3_1_of_v5_only(client):
    """The schema says 3.1.0 and lists v5's addresses and nothing of v3 or v4."""
    schema = client.get("/api/v5/schema/", {"format": "json"}).json()

    assert schema["openapi"] == "3.1.0"
    assert "/api/v5/packages/" in schema["paths"]
    assert not [path for path in schema["paths"] if not path.startswith("/api/v5/")]


def resolve(schema, part):
    """Follow a `$ref` (also under allOf or oneOf with null) to the component it names."""
    for key in ("allOf", "oneOf"):
        if key in part:
            part = next(item for item in part[key] if item.get("type") != "null")
    if "$ref" in part:
        return schema["components"]["schemas"][part["$ref"].rsplit("/", 1)[1]]
    return part


def test_the_schema_types_every_part_of_a_package_record(client):
    """A client reading the schema knows the shape of facts, score, status, advisories,
    dependencies and dependents, and the list's status and score."""
    schema = client.get("/api/v5/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    record = components["PackageDetail"]["properties"]

    facts = resolve(schema, record["facts"])
    assert {"stars", "requires_dist", "pypi_version"} <= set(facts["properties"])
    fact = resolve(schema, facts["properties"]["stars"])
    assert set(fact["required"]) == {"value", "source", "fetched_at"}
    assert fact["properties"]["fetched_at"] == {"type": ["string", "null"], "format": "date-time"}
    assert {"type": "null"} in record["score"]["oneOf"]
    score = resolve(schema, record["score"])
    assert score["properties"]["overall"] == {"type": "integer"}
    dimension = resolve(schema, score["properties"]["dimensions"]["items"])
    reason = resolve(schema, dimension["properties"]["reasons"]["items"])
    assert reason["properties"]["points"] == {"type": ["number", "null"], "format": "double"}
    status = resolve(schema, record["status"])
    assert resolve(schema, status["properties"]["value"])["enum"] == [
        "maintained",
        "archived",
        "deprecated",
        "missing",
    ]
    advisory = resolve(schema, record["advisories"]["items"])
    assert {"id", "aliases", "summary", "link"} <= set(advisory["required"])
    for name in ("dependencies", "dependents"):
        item = resolve(schema, record[name]["items"])
        assert item["properties"]["optional"] == {
            "type": "boolean",
            "description": "Only under an extra.",
        }
        assert {"slug", "title", "url", "requirement", "optional"} == set(item["required"])
    listed = components["Package"]["properties"]
    assert resolve(schema, listed["status"])["enum"][0] == "maintained"
    assert listed["score"]["type"] == ["integer", "null"]


def test_the_docs_page_uses_vendored_files_and_no_inline_script(client):
    """Swagger UI comes from /static/ (sidecar), its start-up script from `?script`."""
    page = client.get("/api/v5/docs/").content.decode()
    script = client.get("/api/v5/docs/", {"script": ""})

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "<script>" not in page
    assert "<style>" not in page
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_anonymous_clients_are_limited_with_retry_after(client, settings):
    """Past API_V5_RATE, a 429 with Retry-After; cached answers are not counted."""
    settings.API_V5_RATE = "2/min"
    settings.PAGE_CACHE_SECONDS = 0

    answers = [client.get("/api/v5/categories/") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert int(answers[2]["Retry-After"]) > 0


@time_machine.travel("2026-12-05 12:00:00 +00:00", tick=False)
def test_each_counted_answer_says_the_limit_what_remains_and_when_it_resets(client, settings):
    """X-RateLimit-Limit, -Remaining and -Reset (epoch seconds), down to 0 on the 429."""
    settings.API_V5_RATE = "2/min"
    settings.PAGE_CACHE_SECONDS = 0
    reset = str(int(datetime(2026, 12, 5, 12, 1, tzinfo=UTC).timestamp()))

    answers = [client.get("/api/v5/search/", {"q": "forms"}) for _ in range(3)]

    assert [answer["X-RateLimit-Limit"] for answer in answers] == ["2", "2", "2"]
    assert [answer["X-RateLimit-Remaining"] for answer in answers] == ["1", "0", "0"]
    assert {answer["X-RateLimit-Reset"] for answer in answers} == {reset}
    assert answers[2].status_code == 429


def test_answers_from_the_page_cache_are_not_counted_and_say_no_limit(client, settings):
    """A kept answer costs the client nothing, so it carries no X-RateLimit headers."""
    settings.API_V5_RATE = "5/min"

    first = client.get("/api/v5/categories/")
    again = client.get("/api/v5/categories/")

    assert first["X-RateLimit-Remaining"] == "4"
    assert "X-RateLimit-Remaining" not in again


def test_v5_answers_allow_any_origin_even_from_the_cache(client):
    """Access-Control-Allow-Origin: * on v5 answers, their 304s and errors; not on v4."""
    first = client.get("/api/v5/categories/")
    again = client.get("/api/v5/categories/")
    not_modified = client.get("/api/v5/categories/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Access-Control-Allow-Origin"] == "*"
    assert again["Access-Control-Allow-Origin"] == "*"
    assert not_modified.status_code == 304
    assert not_modified["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v5/grids/nope/")["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/api/v4/categories/")
