"""API v5 packages: filters, orderings, cursor paging, the record, errors and query counts."""

from datetime import UTC, datetime, timedelta

import pytest

from packyard.compatibility.models import PackageCompatibility, ReleaseCycle
from packyard.core.repositories import RepositoryHost
from packyard.refresh.models import FetchState, FetchStatus, Source
from packyard.scoring.models import Dependency, PackageScore
from tests.factories import (
    CategoryFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 5, 25, 12, 0, tzinfo=UTC)


def cycle(product, name):
    major, minor = (int(part) for part in name.split("."))
    return ReleaseCycle.objects.get_or_create(
        product=product, cycle=name, defaults={"major": major, "minor": minor}
    )[0]


def answer(package, product, name, value="yes"):
    PackageCompatibility.objects.create(
        package=package,
        cycle=cycle(product, name),
        answer=value,
        basis="classifier",
        evidence=f"The latest release says {product} {name}.",
        release_version=package.pypi_version or "",
    )


ADVISORY = {
    "id": "GHSA-aaaa-bbbb-cccc",
    "summary": "Cross-site scripting in the widget",
    "link": "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc",
    "aliases": ["CVE-2026-0001"],
    "fixed_in": ["2.1"],
    "sources": ["PyPI", "OSV"],
}


def score(package, overall, advisories=()):
    PackageScore.objects.create(
        advisories=list(advisories),
        package=package,
        overall=overall,
        maintenance=overall,
        adoption=overall,
        compatibility=overall,
        documentation=overall,
        status=100,
        reasons={"maintenance": [{"text": "Committed this month", "points": 30, "out_of": 30}]},
    )


def slugs(answer_json):
    return [row["slug"] for row in answer_json["results"]]


@pytest.fixture
def catalogue():
    """A grid of four packages: two maintained that work with Django 6.0 and Python 3.13."""
    grid = GridFactory(slug="forms")
    made = {}
    for slug, overall in [("best", 90), ("good", 70), ("old", 95), ("gone", 99), ("away", 80)]:
        package = FetchedPackageFactory(title=slug.title(), slug=slug, pypi_version="1.0")
        ReleaseFactory(package=package, version="1.0", license="MIT")
        score(package, overall)
        made[slug] = package
        if slug != "away":
            GridPackageFactory(grid=grid, package=package)
    for slug in ("best", "good", "gone", "away"):
        answer(made[slug], "django", "6.0")
        answer(made[slug], "python", "3.13")
    answer(made["old"], "django", "6.0", "no")
    answer(made["old"], "python", "3.13")
    made["gone"].archived_at = MOMENT
    made["gone"].save(update_fields=["archived_at"])
    return grid, made


def test_the_key_question_is_one_request(client, catalogue):
    """Maintained packages of a grid for Django 6.0 and Python 3.13, best score first."""
    response = client.get(
        "/api/v5/packages/",
        {
            "grid": "forms",
            "status": "maintained",
            "django": "6.0",
            "python": "3.13",
            "ordering": "-score",
        },
    )

    assert response.status_code == 200
    assert slugs(response.json()) == ["best", "good"]
    assert [row["score"] for row in response.json()["results"]] == [90, 70]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "archived"}, ["gone"]),
        ({"django": "6.0"}, ["gone", "best", "away", "good"]),
        ({"grid": "forms", "ordering": "name"}, ["best", "gone", "good", "old"]),
        ({"q": "goo"}, ["good"]),
        ({"licence": "mit", "ordering": "-name"}, ["old", "good", "gone", "best", "away"]),
        ({"host": "gitlab"}, []),
    ],
)
def test_filters_keep_only_the_packages_that_match(client, catalogue, params, expected):
    """Each filter narrows the list; the default order is the best score first."""
    assert slugs(client.get("/api/v5/packages/", params).json()) == expected


def test_the_category_host_and_updated_since_filters(client):
    """A category by slug, Codeberg among Forgejo hosts, and records changed since a time."""
    other = CategoryFactory(slug="tools", title="Tools")
    PackageFactory(slug="in-tools", category=other, modified=MOMENT)
    PackageFactory(
        slug="on-codeberg",
        repo_host=RepositoryHost.FORGEJO,
        repo_key="codeberg.org/me/on-codeberg",
        modified=MOMENT - timedelta(days=10),
    )

    assert slugs(client.get("/api/v5/packages/", {"category": "tools"}).json()) == ["in-tools"]
    assert slugs(client.get("/api/v5/packages/", {"host": "codeberg"}).json()) == ["on-codeberg"]
    since = (MOMENT - timedelta(days=1)).isoformat()
    assert slugs(client.get("/api/v5/packages/", {"updated_since": since}).json()) == ["in-tools"]


def test_stars_order_puts_unfetched_packages_last(client):
    """Ordering by stars, most first: a package never fetched (no stars) comes last."""
    PackageFactory(slug="unfetched")
    FetchedPackageFactory(slug="few", stars=3)
    FetchedPackageFactory(slug="many", stars=300)

    assert slugs(client.get("/api/v5/packages/", {"ordering": "-stars"}).json()) == [
        "many",
        "few",
        "unfetched",
    ]


def test_the_cursor_pages_through_every_package_once(client):
    """`next` links walk every package once, in order; `previous` goes back."""
    for number in range(7):
        FetchedPackageFactory(slug=f"p{number}", stars=number)

    seen = []
    url = "/api/v5/packages/?ordering=-stars&page_size=3"
    pages = []
    while url:
        page = client.get(url).json()
        pages.append(page)
        seen += slugs(page)
        url = page["next"]

    assert seen == [f"p{number}" for number in range(6, -1, -1)]
    assert pages[0]["previous"] is None
    assert slugs(client.get(pages[1]["previous"]).json()) == ["p6", "p5", "p4"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"django": "six"}, "django"),
        ({"django": "9.9"}, "django"),
        ({"python": "3"}, "python"),
        ({"grid": "no-such-grid"}, "grid"),
        ({"category": "no-such-category"}, "category"),
        ({"status": "alive"}, "status"),
        ({"host": "sourceforge"}, "host"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"ordering": "popularity"}, "ordering"),
    ],
)
def test_a_bad_value_is_a_400_that_names_the_parameter(client, params, parameter):
    """The answer is JSON keyed by the parameter, with a message saying what is wrong."""
    cycle("django", "6.0")
    response = client.get("/api/v5/packages/", params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [parameter]
    assert response.json()[parameter][0]


def test_unknown_records_and_addresses_are_404_json(client):
    """An unknown package, its releases, a grid, a category or address: 404 in JSON."""
    for url in (
        "/api/v5/packages/nope/",
        "/api/v5/packages/nope/releases/",
        "/api/v5/grids/nope/",
        "/api/v5/categories/nope/",
        "/api/v5/nothing-here/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "detail" in response.json(), url


def test_a_package_record_has_facts_with_sources_score_compatibility_and_status(client):
    """The record: facts with source and time, dimensions with reasons, evidence, replacement."""
    successor = PackageFactory(slug="successor")
    package = FetchedPackageFactory(
        slug="full", pypi_version="2.0", deprecated_at=MOMENT, replaced_by=successor
    )
    ReleaseFactory(package=package, version="2.0", license="MIT", upload_time=MOMENT)
    ReleaseFactory(package=package, version="1.0", upload_time=MOMENT - timedelta(days=90))
    FetchState.objects.create(
        package=package, source=Source.PYPI, status=FetchStatus.OK, last_success_at=MOMENT
    )
    score(package, 77)
    answer(package, "django", "6.0")
    GridPackageFactory(grid=GridFactory(slug="auth"), package=package)

    record = client.get("/api/v5/packages/full/").json()

    assert record["facts"]["stars"]["value"] == 120
    assert record["facts"]["stars"]["source"] == "github"
    assert record["facts"]["stars"]["fetched_at"] is not None
    assert record["facts"]["pypi_version"] == {
        "value": "2.0",
        "source": "pypi",
        "fetched_at": "2026-05-25T12:00:00Z",
    }
    assert record["score"]["overall"] == 77
    maintenance = record["score"]["dimensions"][0]
    assert maintenance["name"] == "maintenance"
    assert maintenance["reasons"] == [{"text": "Committed this month", "points": 30, "out_of": 30}]
    assert record["compatibility"][0]["cycle"] == "6.0"
    assert record["compatibility"][0]["evidence"] == "The latest release says django 6.0."
    assert record["latest_release"]["version"] == "2.0"
    assert record["licence"] == "MIT"
    assert record["status"]["value"] == "deprecated"
    assert record["status"]["replaced_by"]["slug"] == "successor"
    assert record["grids"][0]["slug"] == "auth"
    releases = client.get(record["releases_url"]).json()
    assert [row["version"] for row in releases["results"]] == ["2.0", "1.0"]


def test_a_record_lists_advisories_and_its_dependencies_both_ways(client):
    """Required before optional, then by title; each with its link, requirement and extra;
    the advisories that affect the latest release, as the package page lists them."""
    app = FetchedPackageFactory(slug="app", title="App", pypi_version="2.0")
    core = PackageFactory(slug="core", title="Core")
    alpha = PackageFactory(slug="alpha", title="Alpha")
    plugin = PackageFactory(slug="plugin", title="Plugin")
    admin = PackageFactory(slug="admin", title="Admin")
    Dependency.objects.create(package=app, target=core, requirement="core>=1.0")
    Dependency.objects.create(
        package=app, target=alpha, requirement='alpha; extra == "fast"', optional=True
    )
    Dependency.objects.create(package=plugin, target=app, requirement="app>=2")
    Dependency.objects.create(
        package=admin, target=app, requirement='app; extra == "ui"', optional=True
    )
    score(app, 60, advisories=[ADVISORY])

    record = client.get("/api/v5/packages/app/").json()

    assert record["dependencies"] == [
        {
            "slug": "core",
            "title": "Core",
            "url": "http://testserver/api/v5/packages/core/",
            "requirement": "core>=1.0",
            "optional": False,
        },
        {
            "slug": "alpha",
            "title": "Alpha",
            "url": "http://testserver/api/v5/packages/alpha/",
            "requirement": 'alpha; extra == "fast"',
            "optional": True,
        },
    ]
    assert [(row["slug"], row["optional"]) for row in record["dependents"]] == [
        ("plugin", False),
        ("admin", True),
    ]
    assert record["dependents"][0]["url"] == "http://testserver/api/v5/packages/plugin/"
    assert record["advisories"] == [ADVISORY]
    core_record = client.get(record["dependencies"][0]["url"]).json()
    assert core_record["dependencies"] == []
    assert [row["slug"] for row in core_record["dependents"]] == ["app"]
    assert core_record["advisories"] == []
    assert core_record["score"] is None


# --- Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_the_filtered_list_takes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    """Data version, the grid, two cycles, and the page: 5 queries for 3 or 30 packages."""
    grid = GridFactory(slug="forms")
    for number in range(size):
        package = FetchedPackageFactory(slug=f"p{number}", pypi_version="1.0")
        ReleaseFactory(package=package, version="1.0")
        score(package, number)
        GridPackageFactory(grid=grid, package=package)
        answer(package, "django", "6.0")
        answer(package, "python", "3.13")

    with django_assert_num_queries(5):
        page = client.get(
            "/api/v5/packages/",
            {
                "grid": "forms",
                "status": "maintained",
                "django": "6.0",
                "python": "3.13",
                "page_size": 100,
            },
        ).json()

    assert len(page["results"]) == size


@pytest.mark.parametrize("size", [1, 10])
def test_a_package_record_takes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    """Data version, the row (with its score and advisories), fetch states, answers, grids,
    latest release, dependencies, dependents: 8 queries for 1 or 10 of each."""
    package = FetchedPackageFactory(slug="full", pypi_version="1.0")
    ReleaseFactory(package=package, version="1.0")
    score(package, 50, advisories=[{**ADVISORY, "id": f"GHSA-{n}"} for n in range(size)])
    for number in range(size):
        GridPackageFactory(grid=GridFactory(), package=package)
        answer(package, "python", f"3.{number}")
        other = PackageFactory()
        Dependency.objects.create(package=package, target=other, requirement=other.slug)
        Dependency.objects.create(
            package=PackageFactory(), target=package, requirement="full", optional=number % 2 == 1
        )

    with django_assert_num_queries(8):
        record = client.get("/api/v5/packages/full/").json()

    assert len(record["grids"]) == size
    assert len(record["compatibility"]) == size
    assert len(record["advisories"]) == size
    assert len(record["dependencies"]) == size
    assert len(record["dependents"]) == size
