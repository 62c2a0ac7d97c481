"""Tests of the catalogue pages: the package list, a category, the latest packages, a package."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from packyard.catalog.models import Release
from packyard.core.repositories import RepositoryHost
from packyard.refresh.models import FetchState, FetchStatus, Source
from tests.factories import (
    CategoryFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LIST_ROW = re.compile(r'<th scope="row">\s*<a href="/packages/p/[^"]+/">([^<]+)</a>')
LATEST_ITEM = re.compile(r'<li><a href="/packages/p/[^"]+/">([^<]+)</a>')
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def listed(response) -> list[str]:
    """Return the package titles a list page shows, in the order shown."""
    return LIST_ROW.findall(response.text)


def text_of(response) -> str:
    """Return a page's text with the non-breaking spaces of "2 hours" made plain."""
    return response.text.replace("\xa0", " ")


def other_category():
    """Return a second category beside the factories' default one."""
    return CategoryFactory(title="Storage backend", slug="storage", title_plural="Storage backends")


# The package list: /packages/


def test_package_list_shows_every_package_and_the_count(client):
    """The package list shows each package with its category, facts and the total count."""
    FetchedPackageFactory(title="Alpha", slug="alpha", stars=1234, pypi_version="2.0")
    PackageFactory(title="Bravo", slug="bravo")

    response = client.get("/packages/")

    assert response.status_code == 200
    assert sorted(listed(response)) == ["Alpha", "Bravo"]
    assert "2 packages" in response.text
    assert '<td class="num" data-label="Stars">1,234</td>' in response.text
    assert "2.0" in response.text
    assert '<td data-label="Category">App</td>' in response.text


def test_package_list_text_filter_matches_title_slug_pypi_name_and_description(client):
    """`?q=` keeps packages whose title, slug, PyPI name or description contain the text."""
    PackageFactory(title="Storages", slug="storages", description="Files on S3.")
    PackageFactory(title="Allauth", slug="allauth", pypi_name="django-allauth")
    PackageFactory(title="Guardian", slug="guardian", description="Per-object PERMISSIONS.")
    PackageFactory(title="Celery beat", slug="celery-beat")

    assert listed(client.get("/packages/", {"q": "s3"})) == ["Storages"]
    assert listed(client.get("/packages/", {"q": "django-allauth"})) == ["Allauth"]
    assert listed(client.get("/packages/", {"q": "permissions"})) == ["Guardian"]
    assert listed(client.get("/packages/", {"q": "BEAT"})) == ["Celery beat"]


def test_package_list_text_filter_says_when_nothing_matches(client):
    """A text that matches nothing shows "No packages match." and keeps the text in the box."""
    PackageFactory(title="Alpha", slug="alpha")

    response = client.get("/packages/", {"q": "nothing-like-this"})

    assert listed(response) == []
    assert "No packages match." in response.text
    assert "0 packages" in response.text
    assert 'value="nothing-like-this"' in response.text


def test_package_list_category_filter_keeps_one_category(client):
    """`?category=slug` lists only that category's packages and selects it in the filter."""
    PackageFactory(title="Alpha", slug="alpha")
    PackageFactory(title="Bravo", slug="bravo", category=other_category())

    response = client.get("/packages/", {"category": "storage"})

    assert listed(response) == ["Bravo"]
    assert '<option value="storage" selected>Storage backends (1)</option>' in response.text
    assert '<option value="apps">Apps (1)</option>' in response.text


def test_package_list_ignores_an_unknown_category(client):
    """`?category=` naming no category lists every package."""
    PackageFactory(title="Alpha", slug="alpha")
    PackageFactory(title="Bravo", slug="bravo", category=other_category())

    response = client.get("/packages/", {"category": "no-such-category"})

    assert response.status_code == 200
    assert sorted(listed(response)) == ["Alpha", "Bravo"]


FACT_SORTS = [
    # sort, field, the values of Alpha, Bravo, Charlie, Delta and Echo.
    ("stars", "stars", [None, 0, 10, 500, None]),
    ("forks", "forks", [None, 0, 3, 40, None]),
    (
        "last-commit",
        "last_commit_at",
        [None, NOW - timedelta(days=900), NOW - timedelta(days=30), NOW - timedelta(days=1), None],
    ),
    (
        "last-release",
        "latest_release_at",
        [None, NOW - timedelta(days=900), NOW - timedelta(days=30), NOW - timedelta(days=1), None],
    ),
]


@pytest.mark.parametrize(("sort", "field", "values"), FACT_SORTS)
def test_package_list_sorts_by_a_fact_with_missing_facts_last(client, sort, field, values):
    """Each fact sort puts the highest or newest first and never-fetched packages last."""
    for title, value in zip(["Alpha", "Bravo", "Charlie", "Delta", "Echo"], values, strict=True):
        PackageFactory(title=title, slug=title.lower(), **{field: value})

    response = client.get("/packages/", {"sort": sort})

    # Bravo's 0 (or oldest date) is a real fact; Alpha and Echo were never fetched.
    assert listed(response) == ["Delta", "Charlie", "Bravo", "Alpha", "Echo"]
    assert f'<option value="{sort}" selected>' in response.text


def test_package_list_sorts_by_title_alphabetically_ignoring_case(client):
    """`?sort=title` orders packages A to Z whatever the case of their first letter."""
    for title in ["Zappa", "django-allauth", "Celery", "apple"]:
        PackageFactory(title=title, slug=title.lower())

    response = client.get("/packages/", {"sort": "title"})

    assert listed(response) == ["apple", "Celery", "django-allauth", "Zappa"]


def test_package_list_sorts_by_date_added_newest_first(client):
    """`?sort=added` shows the packages added most recently first."""
    PackageFactory(title="Old", slug="old", created=NOW - timedelta(days=300))
    PackageFactory(title="New", slug="new", created=NOW - timedelta(days=1))
    PackageFactory(title="Middle", slug="middle", created=NOW - timedelta(days=30))

    response = client.get("/packages/", {"sort": "added"})

    assert listed(response) == ["New", "Middle", "Old"]


def test_package_list_falls_back_to_stars_for_an_unknown_sort(client):
    """An unknown `?sort=` orders by stars, and the sort box says so."""
    PackageFactory(title="Alpha", slug="alpha", stars=1)
    PackageFactory(title="Bravo", slug="bravo", stars=99)
    PackageFactory(title="Charlie", slug="charlie", stars=None)

    response = client.get("/packages/", {"sort": "drop-table"})

    assert response.status_code == 200
    assert listed(response) == ["Bravo", "Alpha", "Charlie"]
    assert '<option value="stars" selected>Stars</option>' in response.text


def make_titled_packages(count: int) -> list[str]:
    """Create packages titled so that the title sort orders them by number; return the titles."""
    titles = [f"package-{number:03}" for number in range(count)]
    for title in titles:
        PackageFactory(title=title, slug=title)
    return titles


def test_package_list_pages_by_the_page_size(client):
    """The list shows PAGE_SIZE packages a page with links to the next and previous pages."""
    titles = make_titled_packages(settings.PAGE_SIZE + 3)

    first = client.get("/packages/", {"sort": "title", "q": "package"})
    second = client.get("/packages/", {"sort": "title", "q": "package", "page": 2})

    assert listed(first) == titles[: settings.PAGE_SIZE]
    assert "Page 1 of 2" in first.text
    assert 'href="?sort=title&amp;q=package&amp;page=2" rel="next"' in first.text
    assert listed(second) == titles[settings.PAGE_SIZE :]
    assert "Page 2 of 2" in second.text
    assert 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text


@pytest.mark.parametrize(("asked", "shown"), [("999", 2), ("abc", 1), ("-1", 2), ("", 1)])
def test_package_list_lands_on_a_real_page_for_a_bad_page_number(client, asked, shown):
    """A page number past the end shows the last page; one that is not a number, the first."""
    titles = make_titled_packages(settings.PAGE_SIZE + 3)

    response = client.get("/packages/", {"sort": "title", "page": asked})

    assert response.status_code == 200
    assert f"Page {shown} of 2" in response.text
    expected = titles[: settings.PAGE_SIZE] if shown == 1 else titles[settings.PAGE_SIZE :]
    assert listed(response) == expected


def test_package_list_htmx_request_gets_only_the_results(client):
    """An htmx request gets the #results fragment, without the page around it or the form."""
    PackageFactory(title="Alpha", slug="alpha")

    response = client.get("/packages/", {"q": "alpha"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="results">')
    assert "<html" not in response.text
    assert "<form" not in response.text
    assert listed(response) == ["Alpha"]


def test_package_list_boosted_htmx_request_gets_the_whole_page(client):
    """A boosted htmx navigation gets the whole page, since it replaces the body."""
    PackageFactory(title="Alpha", slug="alpha")

    response = client.get("/packages/", headers={"HX-Request": "true", "HX-Boosted": "true"})

    assert "<html" in response.text
    assert listed(response) == ["Alpha"]


def test_package_list_query_count_does_not_grow_with_packages(client, django_assert_num_queries):
    """The package list costs 5 queries for 5 packages and for 60 in several categories."""
    PackageFactory.create_batch(5)
    # The data version; categories, count and page (each row with its stored mark counts);
    # the listed packages' stored scores (scoring's package_table.html).
    with django_assert_num_queries(5):
        small = client.get("/packages/")
    assert len(listed(small)) == 5

    storage = other_category()
    PackageFactory.create_batch(30, stars=7)
    PackageFactory.create_batch(25, category=storage, last_commit_at=NOW)
    with django_assert_num_queries(5):
        large = client.get("/packages/")
    assert len(listed(large)) == settings.PAGE_SIZE


# A category: /categories/<slug>/


def test_category_page_lists_only_its_packages(client):
    """A category page is titled with the category and lists only its packages."""
    storage = other_category()
    storage.description = "Where files go."
    storage.save()
    PackageFactory(title="Alpha", slug="alpha")
    PackageFactory(title="Bravo", slug="bravo", category=storage)

    response = client.get("/categories/storage/")

    assert response.status_code == 200
    assert "<h1>Storage backends</h1>" in response.text
    assert "Where files go." in response.text
    assert listed(response) == ["Bravo"]
    assert "1 package<" in response.text


def test_category_page_filters_and_sorts_within_the_category(client):
    """Text and sort apply inside the category, never bringing in another category."""
    storage = other_category()
    PackageFactory(title="S3 files", slug="s3-files", category=storage, stars=1)
    PackageFactory(title="S3 boto", slug="s3-boto", category=storage, stars=9)
    PackageFactory(title="S3 elsewhere", slug="s3-elsewhere", stars=100)

    response = client.get("/categories/storage/", {"q": "s3", "sort": "stars"})

    assert listed(response) == ["S3 boto", "S3 files"]


def test_category_page_answers_404_for_an_unknown_slug(client):
    """An unknown category answers 404 with the friendly not-found page."""
    response = client.get("/categories/no-such-category/")

    assert response.status_code == 404
    assert "We could not find that page" in response.text


# The latest packages: /packages/latest/


def test_latest_packages_lists_newest_first(client):
    """The latest packages page lists packages by the date added, newest first."""
    PackageFactory(title="Old", slug="old", created=NOW - timedelta(days=300))
    PackageFactory(title="New", slug="new", created=NOW - timedelta(hours=1))
    PackageFactory(title="Middle", slug="middle", created=NOW - timedelta(days=30))

    response = client.get("/packages/latest/")

    assert response.status_code == 200
    assert LATEST_ITEM.findall(response.text) == ["New", "Middle", "Old"]
    assert 'href="/feeds/packages/latest/rss/"' in response.text


def test_latest_packages_pages_by_the_page_size(client):
    """The latest packages page shows PAGE_SIZE packages a page."""
    for number in range(settings.PAGE_SIZE + 2):
        PackageFactory(created=NOW - timedelta(days=number))

    first = client.get("/packages/latest/")
    last = client.get("/packages/latest/", {"page": 999})

    assert len(LATEST_ITEM.findall(first.text)) == settings.PAGE_SIZE
    assert len(LATEST_ITEM.findall(last.text)) == 2
    assert "Page 2 of 2" in last.text


# A package: /packages/p/<slug>/


def test_package_page_shows_every_fact(client, time_machine):
    """A fetched package's page shows its stars, forks, contributors, commits and release facts."""
    time_machine.move_to(NOW, tick=False)
    package = FetchedPackageFactory(
        title="Alpha",
        slug="alpha",
        description="Does the alpha thing.",
        stars=1234,
        forks=56,
        total_commits=789,
        last_commit_at=NOW - timedelta(days=3),
        pypi_version="2.1.0",
        latest_release_at=NOW - timedelta(days=10),
    )
    ReleaseFactory(
        package=package,
        version="2.1.0",
        upload_time=NOW - timedelta(days=10),
        license="MIT",
        development_status="Production/Stable",
    )
    FetchState.objects.create(
        package=package, source=Source.PYPI, status=FetchStatus.OK, last_success_at=NOW
    )

    response = client.get("/packages/p/alpha/")
    text = text_of(response)

    assert response.status_code == 200
    assert "<h1>Alpha" in text
    assert "Does the alpha thing." in text
    assert "<dt>Stars</dt><dd>1,234</dd>" in text
    assert "<dt>Forks</dt><dd>56</dd>" in text
    assert "<dt>Contributors</dt><dd>3</dd>" in text
    assert "<dt>Commits</dt><dd>789</dd>" in text
    assert ">3 days ago</time>" in text
    assert "6 commits</span>" in text
    assert "2.1.0" in text
    assert ">1 week, 3 days ago</time>" in text
    assert "<dt>Licence</dt><dd>MIT</dd>" in text
    assert "<dt>Python 3</dt><dd>yes</dd>" in text
    assert "<dt>Development status</dt><dd>Production/Stable</dd>" in text
    assert "not fetched yet" not in text


def test_package_page_says_not_fetched_yet_and_never_zero(client):
    """A never-fetched package says so once, instead of "not fetched yet" under each fact,
    and never shows a 0."""
    PackageFactory(title="Alpha", slug="alpha")

    response = client.get("/packages/p/alpha/")
    text = text_of(response)

    assert '<p class="notice">Not fetched yet: stars, forks, commits' in text
    assert '<dl class="facts">' not in text
    assert "Contributors</h2>" not in text
    assert text.count('<span class="not-fetched">not fetched yet</span>') == 0
    assert "<strong>GitHub</strong>: not fetched yet" in text
    assert "<dd>0</dd>" not in text
    assert "0 commits" not in text
    assert '<svg class="sparkline"' not in text
    assert "No releases known." in text


def test_package_page_draws_the_sparkline(client):
    """The activity fact is an SVG bar chart of 52 weeks with an accessible label."""
    FetchedPackageFactory(title="Alpha", slug="alpha", commits_over_52=[1] * 50 + [0, 4])

    response = client.get("/packages/p/alpha/")
    svg = re.search(r'<svg class="sparkline".*?</svg>', response.text)

    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert 'aria-label="54 commits in the last 52 weeks"' in svg.group(0)
    # One bar for each of the 52 weeks: 51 active ones, and the quiet week a low grey dash.
    assert len(re.findall(r"M[\d.]+ [\d.]+V[\d.]+", svg.group(0))) == 51
    quiet = re.search(r'<g class="zero" [^>]*>(.*?)</g>', svg.group(0))
    assert quiet is not None
    assert quiet.group(1).count("<path") == 1


def test_package_page_links_contributors_and_marks_bots(client):
    """Contributors link to their GitHub profiles (bots to their app page) with a "bot" badge."""
    FetchedPackageFactory(
        title="Alpha", slug="alpha", contributors=["alice", "bob", "dependabot[bot]"]
    )

    response = client.get("/packages/p/alpha/")
    text = response.text

    assert '<a href="https://github.com/alice" rel="nofollow noopener">alice</a></li>' in text
    assert '<a href="https://github.com/bob" rel="nofollow noopener">bob</a></li>' in text
    assert (
        '<a href="https://github.com/apps/dependabot" rel="nofollow noopener">dependabot[bot]</a> '
        '<span class="badge">bot</span>'
    ) in text
    assert text.count('<span class="badge">bot</span>') == 1


def test_package_page_lists_the_grids_it_is_in(client):
    """A package's page links to each grid it is in, and says so when it is in none."""
    package = PackageFactory(title="Alpha", slug="alpha")
    PackageFactory(title="Lonely", slug="lonely")
    GridPackageFactory(package=package, grid=GridFactory(title="Storage", slug="storage"))
    GridPackageFactory(package=package, grid=GridFactory(title="Auth", slug="auth"))
    GridFactory(title="Unrelated", slug="unrelated")

    in_grids = client.get("/packages/p/alpha/").text
    in_none = client.get("/packages/p/lonely/").text

    assert '<a href="/grids/g/auth/">Auth</a>' in in_grids
    assert '<a href="/grids/g/storage/">Storage</a>' in in_grids
    assert in_grids.index(">Auth<") < in_grids.index(">Storage<")
    assert "Unrelated" not in in_grids
    assert "Not in any grid yet." in in_none


def test_package_page_links_to_repository_pypi_and_documentation(client):
    """A package's page links to its repository, its PyPI page and its documentation."""
    PackageFactory(
        title="Alpha",
        slug="alpha",
        repo_url="https://github.com/owner/alpha",
        pypi_name="django-alpha",
        documentation_url="https://alpha.readthedocs.io/",
    )

    text = client.get("/packages/p/alpha/").text

    assert '<a href="https://github.com/owner/alpha" rel="nofollow noopener">Repository</a>' in text
    assert "(GitHub)" in text
    assert (
        '<a href="https://pypi.org/project/django-alpha/" rel="nofollow noopener">PyPI</a>' in text
    )
    assert (
        '<a href="https://alpha.readthedocs.io/" rel="nofollow noopener">Documentation</a>' in text
    )


def test_package_page_says_when_facts_were_fetched(client, time_machine):
    """The page says how long ago the repository facts were fetched and the package added."""
    time_machine.move_to(NOW, tick=False)
    FetchedPackageFactory(
        title="Alpha",
        slug="alpha",
        last_fetched_at=NOW - timedelta(hours=2),
        created=NOW - timedelta(days=14),
    )

    text = text_of(client.get("/packages/p/alpha/"))

    assert "<strong>GitHub</strong>: fetched <time" in text
    assert ">2 hours ago</time>" in text
    assert "Added to Packyard <time" in text
    assert ">2 weeks ago</time>" in text


def test_package_page_shows_an_archived_notice(client):
    """An archived package carries an "archived" badge and a notice with the date."""
    PackageFactory(title="Alpha", slug="alpha", archived_at=datetime(2025, 6, 1, tzinfo=UTC))

    text = client.get("/packages/p/alpha/").text

    assert '<span class="badge badge-warn">archived</span>' in text
    assert "<strong>Archived</strong>: the repository was made read-only on 1 June 2025" in text


def test_package_page_shows_a_deprecated_notice_linking_the_replacement(client):
    """A deprecated package says since when, and links the package to use instead."""
    replacement = PackageFactory(title="Bravo", slug="bravo")
    PackageFactory(
        title="Alpha",
        slug="alpha",
        deprecated_at=datetime(2025, 1, 15, tzinfo=UTC),
        replaced_by=replacement,
    )

    text = client.get("/packages/p/alpha/").text

    assert '<span class="badge badge-warn">deprecated</span>' in text
    assert "<strong>Deprecated</strong> since 15 January 2025." in text
    assert 'Use <a href="/packages/p/bravo/">Bravo</a> instead.' in text


def test_package_page_without_notices_when_live(client):
    """A package neither archived nor deprecated shows no warning notice."""
    PackageFactory(title="Alpha", slug="alpha")

    text = client.get("/packages/p/alpha/").text

    assert "notice-warn" not in text
    assert "badge-warn" not in text


def make_releases(package, count: int) -> list[str]:
    """Give a package releases uploaded a day apart; return the versions newest first."""
    versions = []
    for number in range(count):
        ReleaseFactory(
            package=package, version=f"1.{number}", upload_time=NOW - timedelta(days=count - number)
        )
        versions.insert(0, f"1.{number}")
    return versions


def shown_versions(text: str) -> list[str]:
    """Return the versions the releases table shows, in order."""
    return re.findall(r"<tr><td>([^<]+)</td><td><time", text)


def test_package_page_pages_the_releases(client):
    """Releases show newest first, ten a page, with `?releases=2` showing the older ones."""
    package = PackageFactory(title="Alpha", slug="alpha")
    versions = make_releases(package, 12)

    first = client.get("/packages/p/alpha/")
    second = client.get("/packages/p/alpha/", {"releases": 2})

    assert shown_versions(first.text) == versions[:10]
    assert "Page 1 of 2" in first.text
    assert 'href="?releases=2#releases"' in first.text
    assert shown_versions(second.text) == versions[10:]
    assert "Page 2 of 2" in second.text
    assert "<h1>Alpha" in second.text


@pytest.mark.parametrize("latest", ["1.11", "1.0"])
def test_package_page_shows_the_latest_releases_licence_on_any_page_of_releases(
    client, django_assert_num_queries, latest
):
    """The latest release's facts come from the page of releases when it is there (1.11, on
    the first page), and from one more query when it is not (1.0, on the second)."""
    package = PackageFactory(title="Alpha", slug="alpha", pypi_version=latest)
    make_releases(package, 12)
    Release.objects.filter(package=package, version=latest).update(license="MIT licence")

    with django_assert_num_queries(8 if latest == "1.11" else 9):
        text = client.get("/packages/p/alpha/").text

    assert "<dt>Licence</dt><dd>MIT licence</dd>" in text
    assert ("1.0" in shown_versions(text)) is False


def test_package_page_htmx_release_request_gets_only_the_releases(client):
    """An htmx request aimed at #releases gets only the releases section."""
    package = PackageFactory(title="Alpha", slug="alpha")
    versions = make_releases(package, 12)

    response = client.get(
        "/packages/p/alpha/",
        {"releases": 2},
        headers={"HX-Request": "true", "HX-Target": "releases"},
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="releases"')
    assert "<html" not in response.text
    assert "Facts" not in response.text
    assert shown_versions(response.text) == versions[10:]


def test_package_page_marks_yanked_and_pre_releases(client):
    """The releases table marks yanked versions with the reason and pre-releases."""
    package = PackageFactory(title="Alpha", slug="alpha")
    ReleaseFactory(package=package, version="2.0", yanked=True, yanked_reason="Broken wheel")
    ReleaseFactory(package=package, version="3.0b1", is_prerelease=True)

    text = client.get("/packages/p/alpha/").text

    assert '<span class="badge badge-warn">yanked</span> Broken wheel' in text
    assert '<span class="badge">pre-release</span>' in text


def test_package_page_says_host_not_supported(client):
    """A package whose repository is on an unsupported host says "host not supported"."""
    PackageFactory(
        title="Alpha",
        slug="alpha",
        repo_url="https://hg.example.org/alpha",
        repo_host=RepositoryHost.OTHER,
    )

    text = client.get("/packages/p/alpha/").text

    assert "<strong>host not supported</strong>" in text
    assert "(host not supported)" in text


def test_package_page_on_a_supported_host_does_not_say_unsupported(client):
    """A GitHub package's page does not claim its host is unsupported."""
    PackageFactory(title="Alpha", slug="alpha")

    assert "host not supported" not in client.get("/packages/p/alpha/").text


def test_package_page_answers_404_for_an_unknown_slug(client):
    """An unknown package answers 404 with the friendly not-found page."""
    response = client.get("/packages/p/no-such-package/")

    assert response.status_code == 404
    assert "We could not find that page" in response.text


def test_user_text_is_escaped_on_every_catalogue_page(client):
    """A title or description holding a script tag shows as text, never as markup."""
    category = CategoryFactory(title=SCRIPT, slug="scripted", title_plural="", description=SCRIPT)
    PackageFactory(title=SCRIPT, slug="scripted", description=SCRIPT, category=category)

    for url in [
        "/packages/",
        "/packages/?q=script",
        "/packages/latest/",
        "/packages/p/scripted/",
        "/categories/scripted/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SCRIPT not in response.text, url
        assert ESCAPED_SCRIPT in response.text, url


CATALOGUE_URLS = ["/packages/", "/packages/latest/", "/packages/p/alpha/", "/categories/apps/"]


@pytest.mark.parametrize("url", CATALOGUE_URLS)
def test_catalogue_pages_refuse_post(client, url):
    """The catalogue pages are read-only: POST answers 405 Method Not Allowed."""
    PackageFactory(title="Alpha", slug="alpha")

    response = client.post(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("url", CATALOGUE_URLS)
def test_catalogue_pages_answer_head(client, url):
    """HEAD, which link checkers and monitors send, answers 200 like GET."""
    PackageFactory(title="Alpha", slug="alpha")

    assert client.head(url).status_code == 200


def test_package_page_shows_python3_no_for_a_python2_only_release(client):
    """A latest release that says it needs Python 2 shows "no" for Python 3."""
    package = PackageFactory(title="Alpha", slug="alpha", pypi_version="0.9")
    ReleaseFactory(
        package=package,
        version="0.9",
        requires_python="<3",
        classifiers=["Programming Language :: Python :: 2.7"],
        upload_time=timezone.now(),
    )

    assert "<dt>Python 3</dt><dd>no</dd>" in client.get("/packages/p/alpha/").text


def test_gitlab_contributors_are_names_without_links(client):
    """GitLab lists author names, not accounts: they show as text, not as profile links."""
    FetchedPackageFactory(
        title="Lab",
        slug="lab",
        repo_url="https://gitlab.com/group/lab",
        repo_host="gitlab",
        repo_key="gitlab.com/group/lab",
        contributors=["Ada Lovelace"],
    )

    text = client.get("/packages/p/lab/").text

    assert "<li>Ada Lovelace</li>" in text
    assert "https://gitlab.com/Ada" not in text


@pytest.mark.parametrize("feed", ["rss", "atom"])
def test_feeds_send_what_people_write_as_text_never_as_markup(client, feed):
    """A description holding markup reaches a feed reader (which reads HTML) as its characters:
    escaped twice in the XML, so the reader shows `<img …>` instead of running it."""
    PackageFactory(
        title="Tricky <b>title</b>",
        slug="tricky",
        description='Nice <img src=x onerror="alert(1)"> package',
    )

    xml = client.get(f"/feeds/packages/latest/{feed}/").content.decode()

    assert "&amp;lt;img src=x onerror=" in xml
    assert "&lt;img src=x" not in xml.replace("&amp;lt;", "")
    assert "Tricky &amp;lt;b&amp;gt;title" in xml


def test_package_page_gives_the_pip_install_line_with_a_copy_button(client):
    """A package on PyPI shows `pip install <name>`, selectable, and a Copy button that
    package.js shows (hidden without script)."""
    FetchedPackageFactory(title="Alpha", slug="alpha", pypi_name="django-alpha")
    PackageFactory(title="Beta", slug="beta", pypi_name="")

    alpha = client.get("/packages/p/alpha/").text
    beta = client.get("/packages/p/beta/").text

    assert '<code id="pip-install-line">pip install django-alpha</code>' in alpha
    assert 'data-copy="pip-install-line" hidden>Copy</button>' in alpha
    assert "/static/packyard/package.js" in alpha
    assert "pip install" not in beta
