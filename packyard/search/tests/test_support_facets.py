"""The "Works with Django" and "Works with Python" facets and filters of the search."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection

from packyard.compatibility.models import PackageCompatibility, Product, ReleaseCycle
from packyard.compatibility.rules import Answer
from packyard.compatibility.services import compatibility_recompute
from packyard.pages.search.tests.test_views import result_titles
from packyard.search import schema
from packyard.search.selectors import SearchFilters, packages_search
from packyard.search.tests.conftest import make_package
from tests.factories import CategoryFactory, GridFactory, GridPackageFactory, ReleaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("release_cycles")]

# On this day Django 6.1, 6.0 and 5.2 and Python 3.11 to 3.15 are supported (shipped cycles);
# Django 4.2 and Python 3.10 have reached their end of life.
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def supporting(title, *, django=(), python=(), requires_dist=(), **facts):
    """Create a package whose latest release lists these Django and Python classifiers."""
    package = make_package(title, requires_dist=list(requires_dist), **facts)
    ReleaseFactory(
        package=package,
        version="1.0",
        requires_python="",
        classifiers=[f"Framework :: Django :: {cycle}" for cycle in django]
        + [f"Programming Language :: Python :: {cycle}" for cycle in python],
    )
    return package


def answered(*packages):
    """Compute and store the packages' compatibility answers."""
    compatibility_recompute(package_ids=[package.pk for package in packages])


@pytest.fixture
def orbits():
    """Four "orbit" packages with known answers, and one other package."""
    packages = [
        supporting("orbit-new", django=["6.0", "6.1"], python=["3.13", "3.14"], stars=300),
        supporting("orbit-mid", django=["5.2", "6.0"], python=["3.12", "3.13"], stars=200),
        supporting("orbit-old", django=["4.2"], python=["3.10"], requires_dist=["Django<5"]),
        make_package("orbit-bare", stars=50),
        supporting("comet", django=["6.0"], python=["3.13"]),
    ]
    answered(*packages)
    return packages


def facet_items(html, heading):
    """Return the text of each item of the facet under a heading, tags left out."""
    section = re.search(rf"<h2[^>]*>{heading}</h2>\s*<ul[^>]*>(.*?)</ul>", html, re.DOTALL)
    if section is None:
        return []
    items = re.findall(r"<li>(.*?)</li>", section.group(1), re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]


def test_support_facets_count_the_matches_that_say_yes_for_each_supported_release(client, orbits):
    """Each supported Django and Python release shows how many matches work with it."""
    page = client.get("/search/", {"q": "orbit"}).text

    assert facet_items(page, "Works with Django") == [
        "Django 6.1 1",
        "Django 6.0 2",
        "Django 5.2 LTS 1",
    ]
    assert facet_items(page, "Works with Python") == [
        "Python 3.15 0",
        "Python 3.14 1",
        "Python 3.13 2",
        "Python 3.12 1",
        "Python 3.11 0",
    ]
    assert '<a href="?q=orbit&amp;django=6.0">Django 6.0</a> <span class="muted">2</span>' in page
    assert '<a href="?q=orbit&amp;python=3.15">' not in page


def test_the_supported_releases_are_those_of_the_day(client, orbits, time_machine):
    """Before Django 6.1 comes out and while 4.2 is supported, the facet lists 4.2, not 6.1."""
    time_machine.move_to(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False)

    page = client.get("/search/", {"q": "orbit"}).text

    assert facet_items(page, "Works with Django") == [
        "Django 6.0 2",
        "Django 5.2 LTS 1",
        "Django 4.2 LTS 1",
    ]


def test_a_support_filter_keeps_the_packages_that_say_yes(client, orbits):
    """?django= and ?python= keep the matches that work with the release, and combine."""
    django = client.get("/search/", {"q": "orbit", "django": "6.0"}).text
    both = client.get("/search/", {"q": "orbit", "django": "6.0", "python": "3.12"}).text

    assert result_titles(django) == ["orbit-new", "orbit-mid"]
    assert "<strong>2</strong> packages match with these filters" in django
    assert "<strong>Django 6.0</strong> (2)" in django
    # Only the release filtered by: other counts would not be what their links show.
    assert facet_items(django, "Works with Django") == ["Django 6.0 (2) \u00d7"]
    assert facet_items(django, "Works with Python")[1:4] == [
        "Python 3.14 1",
        "Python 3.13 2",
        "Python 3.12 1",
    ]
    assert result_titles(both) == ["orbit-mid"]


def test_support_facets_are_left_out_while_no_match_is_known_to_work(client):
    """Before PyPI is fetched nothing is known: no list of zeros; a filter can be cleared."""
    answered(make_package("nebula-one"), make_package("nebula-two"))

    page = client.get("/search/", {"q": "nebula"}).text
    filtered = client.get("/search/", {"q": "nebula", "django": "6.0"}).text

    assert result_titles(page) == ["nebula-one", "nebula-two"]
    assert "Works with Django" not in page
    assert "Works with Python" not in page
    assert "No package matches with these filters" in filtered
    assert "Clear all filters" in filtered


def test_a_filter_by_a_release_past_its_end_still_works_and_shows(client, orbits):
    """A known release no longer supported (Django 4.2) filters, and shows as the filter."""
    page = client.get("/search/", {"q": "orbit", "django": "4.2"}).text

    assert result_titles(page) == ["orbit-old"]
    assert "<strong>Django 4.2 LTS</strong> (1)" in page


@pytest.mark.parametrize("value", ["9.9", "six", "6.0; DROP TABLE x", "", "6.0.1"])
def test_an_unknown_release_is_ignored(client, orbits, value):
    """A release that is not known is left out: the results are the unfiltered ones."""
    unfiltered = client.get("/search/", {"q": "orbit"}).text

    page = client.get("/search/", {"q": "orbit", "django": value, "python": value})

    assert page.status_code == 200
    assert result_titles(page.text) == result_titles(unfiltered)
    assert "with these filters" not in page.text
    assert "Clear all filters" not in page.text


def test_facet_links_keep_the_other_filters(client, orbits):
    """Support links keep q, category and the other release; others keep the release."""
    tools = CategoryFactory(slug="tools", title="Tool")
    answered(supporting("orbit-tool", django=["6.0"], python=["3.13"], category=tools))

    page = client.get("/search/", {"q": "orbit", "django": "6.0", "category": "tools"}).text

    assert result_titles(page) == ["orbit-tool"]
    assert '<a href="?q=orbit&amp;django=6.0&amp;category=tools&amp;python=3.13">' in page
    assert '<a href="?q=orbit&amp;category=tools" aria-label="Remove the Django filter">' in page
    assert '<a href="?q=orbit&amp;django=6.0" aria-label="Remove the category filter">' in page
    assert '<a href="?q=orbit">Clear all filters</a>' in page


def test_the_filter_applies_to_every_kind_of_match():
    """An exact name, a word in a name, a word inside a longer name and "django" alone."""
    answered(
        supporting("lantern", django=["5.2"], stars=10),
        supporting("lantern-modern", django=["6.0"], stars=5),
        supporting("magiclantern", django=["6.0"], description="Lights."),
        supporting("django-glow", django=["5.2"], stars=900),
    )
    only_60 = SearchFilters(django="6.0")

    def found(text):
        return [hit.package.title for hit in packages_search(text=text, filters=only_60).hits]

    assert found("lantern") == ["lantern-modern", "magiclantern"]
    assert found("glow") == []
    assert "django-glow" not in found("django")
    assert set(found("django")) == {"lantern-modern", "magiclantern"}


@pytest.mark.parametrize("size", [2, 30])
@pytest.mark.parametrize(
    ("filters", "queries"),
    [
        ({}, 5),
        ({"django": "6.0"}, 5),
        ({"django": "6.0", "python": "3.13", "category": "apps"}, 5),
        ({"python": "3.13", "grid": "counted"}, 5),
        # The look-up finds no such release, so the filter goes and the grids come back.
        ({"django": "9.9"}, 6),
    ],
)
def test_the_results_page_takes_the_same_queries_with_support_filters(
    client, django_assert_num_queries, size, filters, queries
):
    """The data version, look-up of the filters (or grids), count, rank, facets: fixed."""
    grid = GridFactory(title="Counted", slug="counted")
    packages = []
    for number in range(size):
        package = supporting(f"counted-{number}", django=["6.0"], python=["3.13"])
        GridPackageFactory(grid=grid, package=package)
        packages.append(package)
    answered(*packages)

    with django_assert_num_queries(queries):
        response = client.get("/search/", {"q": "counted", **filters})

    assert len(result_titles(response.text)) == min(size, 25)


def test_the_json_search_has_support_facets_and_filters(client, orbits):
    """/search/api/ answers the support facets and the filters it applied (null if unknown)."""
    answer = client.get("/search/api/", {"q": "orbit", "django": "6.0", "python": "9.9"}).json()

    assert answer["count"] == 2
    assert [result["title"] for result in answer["results"]] == ["orbit-new", "orbit-mid"]
    assert answer["filters"] == {
        "category": None,
        "grid": None,
        "status": None,
        "django": "6.0",
        "python": None,
    }
    # The filtering facet shows only its release; the other one counts every supported release.
    assert answer["facets"]["django"] == [{"value": "6.0", "label": "6.0", "count": 2}]
    assert [item["value"] for item in answer["facets"]["python"]] == [
        "3.15",
        "3.14",
        "3.13",
        "3.12",
        "3.11",
    ]
    assert {item["value"]: item["count"] for item in answer["facets"]["python"]}["3.13"] == 2


def test_a_changed_answer_changes_the_filtered_results_at_once():
    """A new release that drops Django 6.0 takes the package out of the filter, and back."""
    package = supporting("beacon", django=["6.0"])
    answered(package)
    only_60 = SearchFilters(django="6.0")

    def found():
        return [hit.package.title for hit in packages_search(text="beacon", filters=only_60).hits]

    assert found() == ["beacon"]

    ReleaseFactory(package=package, version="2.0", requires_python="", classifiers=[])
    ReleaseFactory(
        package=package,
        version="3.0",
        requires_python="",
        classifiers=["Framework :: Django :: 5.2"],
    )
    answered(package)
    assert found() == []

    PackageCompatibility.objects.filter(package=package, cycle__cycle="6.0").update(answer="yes")
    assert found() == ["beacon"]

    PackageCompatibility.objects.filter(package=package).delete()
    assert found() == []


def test_the_index_names_the_answers_table_and_answer_of_the_compatibility_app():
    """The triggers are written in SQL, so they name the table and the answer as text."""
    assert PackageCompatibility._meta.db_table == schema.ANSWER_TABLE
    assert Answer.YES.value == schema.YES


def test_an_unknown_release_is_reported_as_ignored_whatever_else_is_wrong(client, orbits):
    """With a status that does not exist too, the JSON says the release was not applied."""
    answer = client.get("/search/api/", {"q": "orbit", "status": "bogus", "django": "9.9"}).json()

    assert answer["count"] == 0
    assert answer["filters"]["django"] is None


def test_a_release_cycle_named_by_hand_does_not_break_the_facets(client, orbits):
    """Staff may name a cycle "6.2rc" in the admin: the facets still sort, by its numbers."""
    ReleaseCycle.objects.create(
        product=Product.DJANGO, cycle="6.2rc", major=6, minor=2, release_date=None
    )

    page = client.get("/search/", {"q": "orbit"})

    assert page.status_code == 200
    assert facet_items(page.text, "Works with Django")[:2] == ["Django 6.2rc 0", "Django 6.1 1"]


def test_emptying_the_answers_table_takes_the_support_away():
    """On PostgreSQL a TRUNCATE of the answers alone (no row triggers) reaches the index too."""
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite deletes rows, which the row triggers see.")
    answered(supporting("pulsar", django=["6.0"]))
    only_60 = SearchFilters(django="6.0")
    assert [hit.package.title for hit in packages_search(text="pulsar", filters=only_60).hits] == [
        "pulsar"
    ]

    with connection.cursor() as cursor:
        # The test's transaction holds deferred foreign-key checks, which TRUNCATE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {PackageCompatibility._meta.db_table}")

    assert packages_search(text="pulsar", filters=only_60).hits == []
    assert [hit.package.title for hit in packages_search(text="pulsar").hits] == ["pulsar"]
