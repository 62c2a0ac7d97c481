"""Search pages as people and browsers use them: results, suggestions, OpenSearch, JSON."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from packyard.search.tests.conftest import make_package
from tests.factories import CategoryFactory, GridFactory, GridPackageFactory

pytestmark = pytest.mark.django_db

OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def result_titles(html):
    """Return the package titles of a results page, in order."""
    return re.findall(r'<li class="search-hit[^"]*">\s*<h3><a href="[^"]+">([^<]+)</a>', html)


def test_the_results_page_shows_packages_grids_and_the_numbers_behind_the_order(client):
    """Packages in order with their text, quality and score; matching grids beside them."""
    grid = GridFactory(title="Caching", slug="caching")
    GridPackageFactory(grid=grid, package=make_package("django-cachalot", stars=1000))
    make_package("django-cache-tiny", stars=2)

    response = client.get("/search/", {"q": "cach"})

    assert response.status_code == 200
    assert result_titles(response.text) == ["django-cachalot", "django-cache-tiny"]
    assert "<strong>2</strong> packages match" in response.text
    assert re.search(r"text \d+ · quality \d+ · <strong>match \d+</strong>", response.text)
    assert '<a href="/grids/g/caching/"><strong>Caching</strong></a>' in response.text
    assert "How results are ordered" in response.text


def test_a_retired_package_says_why_it_is_below(client):
    """An archived package is marked, and its numbers say it ranks below live packages."""
    make_package("cache-old", archived_at=timezone.now())

    response = client.get("/search/", {"q": "cache"})

    assert '<span class="badge badge-warn">archived</span>' in response.text
    assert "Below live packages (archived)" in response.text


def test_a_corrected_query_says_what_was_searched(client):
    """A misspelt query shows results for the corrected words, and says so."""
    make_package("django-scheduler")

    response = client.get("/search/", {"q": "shedular"})

    assert result_titles(response.text) == ["django-scheduler"]
    assert "Showing results for <strong>scheduler</strong>" in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": "   "}, "Type a word or a package name"),
        ({"q": "x" * 201}, "use at most 200"),
    ],
)
def test_empty_and_too_long_queries_show_a_message(client, query, message):
    """Bad input answers 200 with the message in an alert, never an error page."""
    response = client.get("/search/", query)

    assert response.status_code == 200
    assert message in response.text
    assert 'role="alert"' in response.text


def test_no_query_shows_how_to_search(client):
    """/search/ without q explains what can be typed."""
    response = client.get("/search/")

    assert response.status_code == 200
    assert "Quote a “phrase”" in response.text


@pytest.mark.parametrize("text", ['"', "*", ":", "(", "NEAR(", "-", "a:b", "x AND (y"])
def test_search_syntax_characters_never_break_the_page(client, text):
    """Characters with a meaning to FTS5 or tsquery give results or a message, never a 500."""
    make_package("django-cache")

    assert client.get("/search/", {"q": text}).status_code == 200


def test_facets_count_and_filter(client):
    """Category, grid and status facets show counts, and their links narrow the results."""
    tools = CategoryFactory(slug="tools", title="Tool")
    grid = GridFactory(title="Storage", slug="storage")
    GridPackageFactory(grid=grid, package=make_package("files-s3", stars=50))
    make_package("files-local", category=tools)
    make_package("files-old", archived_at=timezone.now())

    page = client.get("/search/", {"q": "files"}).text

    assert '<a href="?q=files&amp;category=tools">Tool</a> <span class="muted">1</span>' in page
    assert '<a href="?q=files&amp;grid=storage">Storage</a> <span class="muted">1</span>' in page
    assert '<a href="?q=files&amp;status=archived">Archived</a> <span class="muted">1</span>' in (
        page
    )
    assert '<a href="?q=files&amp;status=live">Live</a> <span class="muted">2</span>' in page
    assert result_titles(client.get("/search/", {"q": "files", "category": "tools"}).text) == [
        "files-local"
    ]
    assert result_titles(client.get("/search/", {"q": "files", "grid": "storage"}).text) == [
        "files-s3"
    ]
    assert result_titles(client.get("/search/", {"q": "files", "status": "archived"}).text) == [
        "files-old"
    ]
    assert result_titles(client.get("/search/", {"q": "files", "grid": "nope"}).text) == []


def test_results_are_paged(client, settings):
    """Results come PAGE_SIZE at a time with links to the next and previous pages."""
    settings.PAGE_SIZE = 2
    for number in range(5):
        make_package(f"pager-{number}", stars=number)

    first = client.get("/search/", {"q": "pager"}).text
    last = client.get("/search/", {"q": "pager", "page": "3"}).text

    assert result_titles(first) == ["pager-4", "pager-3"]
    assert "Page 1 of 3" in first
    assert 'href="?q=pager&amp;page=2" rel="next"' in first
    assert result_titles(last) == ["pager-0"]
    assert 'rel="prev"' in last


@pytest.mark.parametrize("size", [2, 30])
def test_the_results_page_takes_the_same_queries_for_few_and_many(
    client, django_assert_num_queries, size
):
    """Data version, count, rank, grids and facets: five queries whatever the matches."""
    for number in range(size):
        package = make_package(f"counted-{number}")
        GridPackageFactory(grid=GridFactory(title=f"Counted grid {number}"), package=package)

    with django_assert_num_queries(5):
        response = client.get("/search/", {"q": "counted"})

    assert len(result_titles(response.text)) == min(size, 25)


def test_an_htmx_request_gets_only_the_results(client):
    """htmx paging swaps #results alone, without the page around it."""
    make_package("django-htmx-thing")

    response = client.get("/search/", {"q": "htmx"}, headers={"HX-Request": "true"})

    assert response.text.lstrip().startswith('<div id="results">')
    assert "<html" not in response.text


def test_suggestions_list_the_best_packages_for_the_text_so_far(client):
    """The box's suggestions show the best packages and grids, and a link to all results."""
    make_package("django-organizations", stars=1300)
    GridFactory(title="Organizations and teams")

    response = client.get("/search/suggest/", {"q": "orgnaizations"})

    links = re.findall(r'<a href="([^"]+)" data-suggestion', response.text)
    assert links[0] == "/packages/p/django-organizations/"
    assert "Organizations and teams" in response.text
    assert links[-1] == "/search/?q=orgnaizations"


def test_suggestions_for_no_text_are_empty(client):
    """An emptied box gets an empty answer (nothing shows under it)."""
    assert client.get("/search/suggest/", {"q": ""}).text.strip() == ""


def test_suggestions_take_four_queries(client, django_assert_num_queries):
    """Data version, count, rank and grids: four queries per keystroke pause."""
    make_package("django-fast")

    with django_assert_num_queries(4):
        client.get("/search/suggest/", {"q": "fast"})


def test_the_opensearch_description_points_at_search_and_suggestions(client):
    """/opensearch.xml is an OpenSearch 1.1 description with both URL templates."""
    response = client.get("/opensearch.xml")

    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output.
    assert root.find(f"{OPENSEARCH}ShortName").text == "Packyard"
    templates = {url.get("type"): url.get("template") for url in root.iter(f"{OPENSEARCH}Url")}
    assert templates["text/html"] == "http://testserver/search/?q={searchTerms}"
    assert templates["application/x-suggestions+json"] == (
        "http://testserver/search/opensearch/suggest/?q={searchTerms}"
    )


def test_opensearch_suggestions_answer_in_the_suggestions_format(client):
    """[query, [titles], [descriptions], [URLs]] with the suggestions content type."""
    make_package("django-messages", description="Private messages.")

    response = client.get("/search/opensearch/suggest/", {"q": "messag"})

    assert response["Content-Type"].startswith("application/x-suggestions+json")
    assert json.loads(response.content) == [
        "messag",
        ["django-messages"],
        ["Private messages."],
        ["http://testserver/packages/p/django-messages/"],
    ]


def test_the_results_page_links_the_opensearch_description(client):
    """Browsers find the description from the results page's head."""
    response = client.get("/search/")

    assert (
        '<link rel="search" type="application/opensearchdescription+xml" title="Packyard" '
        'href="/opensearch.xml">' in response.text
    )


def test_the_json_search_answers_a_page_with_facets(client, settings):
    """/search/api/ answers results with their rank numbers, paging links and facets."""
    settings.PAGE_SIZE = 1
    make_package("json-one", stars=10)
    make_package("json-two", stars=1)

    answer = client.get("/search/api/", {"q": "json"}).json()

    assert answer["count"] == 2
    assert answer["pages"] == 2
    assert answer["next"] == "http://testserver/search/api/?q=json&page=2"
    assert [result["title"] for result in answer["results"]] == ["json-one"]
    assert set(answer["results"][0]["rank"]) == {
        "name_match",
        "live",
        "in_names_or_grids",
        "text",
        "quality",
        "score",
    }
    assert answer["facets"]["status"] == [{"value": "live", "label": "Live", "count": 2}]


def test_the_json_search_refuses_an_empty_query_naming_the_field(client):
    """An empty q answers 400 with the message under "q"."""
    response = client.get("/search/api/", {"q": ""})

    assert response.status_code == 400
    assert response.json() == {"errors": {"q": ["Type a word or a package name to search for."]}}


def test_every_page_has_the_search_box_with_live_suggestions(client):
    """The header box submits to /search/ and asks for suggestions as one types."""
    page = client.get("/packages/").text

    assert '<form class="site-search" role="search" action="/search/" method="get"' in page
    assert 'hx-get="/search/suggest/"' in page
    assert 'hx-trigger="input changed delay:200ms, search"' in page
    assert "packyard/search.js" in page


def test_the_home_page_box_searches_with_suggestions(client):
    """The home page's box submits to /search/ and has its own suggestions."""
    page = client.get("/").text

    assert '<search class="hero-search"><form action="/search/" method="get"' in page
    assert 'hx-target="#home-search-suggestions"' in page


def test_all_matching_grids_have_a_page_of_their_own(client, settings):
    """Past the first grids beside the packages, "All N grids" lists them page by page."""
    settings.PAGE_SIZE = 2
    for number in range(7):
        GridFactory(title=f"Storage {number}", slug=f"storage-{number}")

    page = client.get("/search/", {"q": "storage"}).text
    grids = client.get("/search/", {"q": "storage", "kind": "grids", "page": "4"}).text

    assert '<a href="?q=storage&amp;kind=grids">All 7 grids →</a>' in page
    assert "<strong>7</strong> grids match" in grids
    assert "Page 4 of 4" in grids
    assert grids.count('<li><a href="/grids/g/storage-') == 1
