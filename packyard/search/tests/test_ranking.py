"""The order of results: names first, live before retired, names before descriptions, blend."""

from datetime import timedelta

import pytest
from django.utils import timezone

from packyard.search.selectors import SearchQueryError, packages_search
from packyard.search.tests.conftest import make_package, titles
from tests.factories import GridFactory, GridPackageFactory

pytestmark = pytest.mark.django_db


def test_an_exact_name_comes_first_whatever_its_stars():
    """django-filter is first for "django-filter" though a busier package matches better."""
    make_package("django-filter-tools", stars=9000, description="django filter filter filter")
    make_package("django-filter", stars=3)

    assert titles("django-filter")[0] == "django-filter"


@pytest.mark.parametrize("text", ["Django_Filter", "DJANGO FILTER", "djangofilter", "filter"])
def test_names_match_without_case_separators_or_the_django_prefix(text):
    """Case, "-", "_", spaces and a leading "django" do not keep a name from matching."""
    make_package("django-filter-extras", stars=9000)
    make_package("django-filter", stars=3)

    found = packages_search(text=text)

    assert found.hits[0].package.title == "django-filter"
    assert found.hits[0].name_match in (1, 2)


def test_the_slug_and_the_pypi_name_are_names_too():
    """A package is first when the query is its PyPI name, though its title differs."""
    make_package("Django REST Framework", slug="djangorestframework", stars=5)
    make_package("drf-tools", stars=9000, description="Tools for djangorestframework users.")

    assert titles("djangorestframework")[0] == "Django REST Framework"


@pytest.mark.parametrize("status", ["archived_at", "deprecated_at", "repo_missing_since"])
def test_retired_packages_rank_below_live_ones_but_are_found(status):
    """Archived, deprecated and "repository missing" packages come after every live match."""
    make_package("cache-retired", stars=50_000, **{status: timezone.now()})
    make_package("cache-tiny", stars=1, days_since_commit=2000)

    found = packages_search(text="cache")

    assert [hit.package.title for hit in found.hits] == ["cache-tiny", "cache-retired"]
    assert [hit.live for hit in found.hits] == [True, False]


def test_a_retired_package_named_exactly_still_comes_first():
    """An exact name outranks liveness: whoever types "django-tagging" wants that one."""
    make_package("django-tagging", stars=70, archived_at=timezone.now())
    make_package("django-tagging-plus", stars=900)

    assert titles("django-tagging")[0] == "django-tagging"


def test_words_in_names_and_grids_come_before_words_in_descriptions():
    """A package named for the word, or in a grid named for it, beats one that mentions it."""
    make_package("mentions", stars=50_000, description="Works with any websocket server.")
    named = make_package("django-websocket-kit", stars=2)
    gridded = make_package("channels-plus", stars=3)
    GridPackageFactory(grid=GridFactory(title="WebSockets"), package=gridded)

    result = titles("websocket")

    assert set(result[:2]) == {named.title, gridded.title}
    assert result[2] == "mentions"


def test_among_equal_matches_quality_decides():
    """With the same words matched, more stars and a recent commit rank higher."""
    make_package("geo-old", stars=500, days_since_commit=3000)
    make_package("geo-popular", stars=5000, days_since_commit=10)
    make_package("geo-small", stars=5, days_since_commit=10)

    assert titles("geo") == ["geo-popular", "geo-small", "geo-old"]


def test_recent_activity_counts_in_quality():
    """Two packages alike but for their last commit: the active one ranks first."""
    make_package("queue-a", stars=100, days_since_commit=3000)
    make_package("queue-b", stars=100, days_since_commit=5)

    assert titles("queue") == ["queue-b", "queue-a"]


def test_a_quoted_phrase_needs_its_words_together():
    """ "private messages" finds the package that says it, not one with the words apart."""
    make_package("inbox", description="Private messages between users.")
    make_package("apart", description="Private notes and public messages.")

    assert titles('"private messages"') == ["inbox"]


def test_an_excluded_word_removes_packages():
    """-pinax leaves out the packages that mention pinax."""
    make_package("pinax-messages")
    make_package("django-messages")

    assert titles("messages -pinax") == ["django-messages"]


def test_a_half_typed_word_finds_the_package():
    """A prefix of a word ("organiz") finds the package whose name holds the word."""
    make_package("django-organizations")

    assert titles("organiz") == ["django-organizations"]


@pytest.mark.parametrize(
    ("text", "corrected"),
    [("djnago filtr", "django filter"), ("django-fitler", "django filter")],
)
def test_misspelt_words_are_corrected_to_words_of_the_index(text, corrected):
    """Slips in a name find the package, and the search says what it searched for."""
    make_package("django-filter", stars=3000)
    make_package("django-filer", stars=10)

    found = packages_search(text=text)

    assert found.hits[0].package.title == "django-filter"
    assert found.corrected == corrected


def test_no_package_with_every_word_falls_back_to_any_word():
    """When no package has all the words, packages with any of them are shown, and said so."""
    make_package("django-calendar")
    make_package("django-websockets")

    found = packages_search(text="calendar websockets")

    assert {hit.package.title for hit in found.hits} == {"django-calendar", "django-websockets"}
    assert found.relaxed


def test_a_query_of_only_django_lists_the_best_packages():
    """ "djang" (half of "django") lists packages by quality instead of failing."""
    make_package("django-small", stars=5)
    make_package("django-big", stars=5000)

    assert titles("djang")[:2] == ["django-big", "django-small"]


def test_words_inside_longer_names_are_found_when_matches_are_few():
    """ "auth" finds "emailauth", whose name holds the word inside another."""
    make_package("emailauth", description="Log in with an e-mail address.")

    found = packages_search(text="auth")

    assert [hit.package.title for hit in found.hits] == ["emailauth"]
    assert found.hits[0].in_names


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        ":",
        "(",
        "NEAR(cache filter)",
        "-",
        "cache -",
        '"cache',
        "names:cache",
        "cache OR filter",
        "cache AND NOT filter",
        "^cache",
        "{names}:x",
        "'; DROP TABLE catalog_package; --",
        "%_\\",
        "x" * 50,
        "ünïcödé ☃",
    ],
)
def test_search_syntax_in_a_query_never_causes_an_error(text):
    """Characters that mean something to FTS5 or tsquery either search or give a message."""
    make_package("django-cache-filter")

    try:
        outcome = f"{packages_search(text=text).total} found"
    except SearchQueryError as error:
        outcome = str(error)

    assert outcome


def test_an_empty_or_too_long_query_gives_a_message():
    """The service raises SearchQueryError with words a person can act on."""
    with pytest.raises(SearchQueryError, match="Type a word"):
        packages_search(text="  ")
    with pytest.raises(SearchQueryError, match="at most 200"):
        packages_search(text="cache " * 50)


def test_pages_follow_one_order_and_a_page_past_the_end_shows_the_last():
    """Pages of 3 cover every match once, in order; an offset past the end lands on the end."""
    for number in range(8):
        make_package(f"cache-{number}", stars=number * 10)

    everything = titles("cache", limit=20)
    pages = [titles("cache", offset=offset, limit=3) for offset in (0, 3, 6)]

    assert [title for page in pages for title in page] == everything
    assert len(everything) == 8
    late = packages_search(text="cache", offset=30, limit=3)
    assert late.total == 8
    assert [hit.package.title for hit in late.hits] == everything[6:]


def test_quality_does_not_lift_a_description_match_over_a_name_match():
    """A far better package that only mentions the word stays below the one named for it."""
    make_package("tiles", stars=1, description="x")
    make_package("other", stars=90_000, description="vector tiles for maps")

    found = packages_search(text="tiles")

    assert [hit.package.title for hit in found.hits] == ["tiles", "other"]
    assert found.hits[1].quality > found.hits[0].quality


def test_quality_follows_stars_at_once():
    """Stars changed by a bulk update re-rank packages in the same transaction."""
    from packyard.catalog.models import Package

    low = make_package("orm-low", stars=1)
    make_package("orm-high", stars=1000)
    Package.objects.filter(pk=low.pk).update(
        stars=100_000, last_commit_at=timezone.now() - timedelta(days=1)
    )

    assert titles("orm") == ["orm-low", "orm-high"]


def test_counting_stops_at_the_limit_and_says_so(monkeypatch, client):
    """Past COUNT_LIMIT matches the total is a lower bound: "3+" here, with pages up to it."""
    from packyard.search import plan, selectors

    monkeypatch.setattr(plan, "COUNT_LIMIT", 3)
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    for number in range(5):
        make_package(f"capped-{number}", stars=number)

    found = packages_search(text="capped", limit=10)

    assert (found.total, found.more) == (3, True)
    assert len(found.hits) == 3
    assert "<strong>3+</strong> packages match" in client.get("/search/", {"q": "capped"}).text
