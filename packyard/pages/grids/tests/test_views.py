"""Tests of the grid pages: the list of grids and a grid's comparison matrix."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings

from tests.factories import (
    ElementFactory,
    FeatureFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    ReleaseFactory,
    member,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
GRID_ROW = re.compile(r'<th scope="row"><a href="/grids/g/[^"]+/">([^<]+)</a>')
COLUMN_HEAD = re.compile(
    r'<th scope="col" class="package-head"><a href="/packages/p/[^"]+/">([^<]+)</a>'
)
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def listed(response) -> list[str]:
    """Return the grid titles the grid list shows, in the order shown."""
    return GRID_ROW.findall(response.text)


def columns(response) -> list[str]:
    """Return the package titles a grid shows as columns, in the order shown."""
    return COLUMN_HEAD.findall(response.text)


def row_cells(response, heading: str) -> list[str]:
    """Return the cells of the matrix row whose heading starts with `heading`."""
    match = re.search(
        rf'<th scope="row">{re.escape(heading)}.*?</th>(.*?)</tr>', response.text, re.DOTALL
    )
    assert match is not None, f"no row {heading!r}"
    return re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.DOTALL)


class Tags(HTMLParser):
    """Collect the tags and attributes of an HTML fragment, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def grid_with_packages(count: int, **grid_fields):
    """Create a grid with `count` packages in it and return the grid."""
    grid = GridFactory(**grid_fields)
    for package in PackageFactory.create_batch(count):
        GridPackageFactory(grid=grid, package=package)
    return grid


# The list of grids: /grids/


def test_grid_list_shows_grids_with_package_counts(client):
    """The grid list shows each grid with its description and number of packages."""
    grid_with_packages(3, title="Storage", slug="storage", description="Where files go.")
    grid_with_packages(0, title="Auth", slug="auth")

    response = client.get("/grids/")

    assert response.status_code == 200
    assert listed(response) == ["Auth", "Storage"]
    assert "2 grids" in response.text
    assert "Where files go." in response.text
    assert re.search(r'>Storage</a>.*?<td class="num">3</td>', response.text, re.DOTALL)
    assert re.search(r'>Auth</a>.*?<td class="num">0</td>', response.text, re.DOTALL)


def test_grid_list_marks_locked_grids(client):
    """A locked grid carries a "locked" badge in the list."""
    GridFactory(title="Storage", slug="storage", is_locked=True)

    assert '>Storage</a> <span class="badge">locked</span>' in client.get("/grids/").text


def test_grid_list_text_filter_matches_title_and_description(client):
    """`?q=` keeps grids whose title or description contain the text, in any case."""
    GridFactory(title="Storage", slug="storage", description="Files on S3.")
    GridFactory(title="Auth", slug="auth", description="Log people in.")
    GridFactory(title="Task queues", slug="task-queues", description="Work later.")

    assert listed(client.get("/grids/", {"q": "s3"})) == ["Storage"]
    assert listed(client.get("/grids/", {"q": "AUTH"})) == ["Auth"]
    assert listed(client.get("/grids/", {"q": "queue"})) == ["Task queues"]

    nothing = client.get("/grids/", {"q": "nothing-like-this"})
    assert listed(nothing) == []
    assert "No grids match." in nothing.text


def test_grid_list_sorts_by_title_ignoring_case(client):
    """`?sort=title` (the default) orders grids A to Z whatever their case."""
    for title in ["Zebra", "apps", "Celery"]:
        GridFactory(title=title, slug=title.lower())

    assert listed(client.get("/grids/", {"sort": "title"})) == ["apps", "Celery", "Zebra"]
    assert listed(client.get("/grids/")) == ["apps", "Celery", "Zebra"]


def test_grid_list_sorts_by_most_packages(client):
    """`?sort=packages` puts the grids with the most packages first."""
    grid_with_packages(1, title="One", slug="one")
    grid_with_packages(3, title="Three", slug="three")
    grid_with_packages(2, title="Two", slug="two")

    response = client.get("/grids/", {"sort": "packages"})

    assert listed(response) == ["Three", "Two", "One"]
    assert '<option value="packages" selected>Most packages</option>' in response.text


@pytest.mark.parametrize(("sort", "field"), [("updated", "modified"), ("added", "created")])
def test_grid_list_sorts_by_date_newest_first(client, sort, field):
    """`?sort=updated` and `?sort=added` put the most recently changed or added grid first."""
    GridFactory(title="Old", slug="old", **{field: NOW - timedelta(days=300)})
    GridFactory(title="New", slug="new", **{field: NOW - timedelta(days=1)})
    GridFactory(title="Middle", slug="middle", **{field: NOW - timedelta(days=30)})

    assert listed(client.get("/grids/", {"sort": sort})) == ["New", "Middle", "Old"]


def test_grid_list_falls_back_to_title_for_an_unknown_sort(client):
    """An unknown `?sort=` orders grids by title and the sort box says so."""
    GridFactory(title="Bravo", slug="bravo")
    GridFactory(title="Alpha", slug="alpha")

    response = client.get("/grids/", {"sort": "nonsense"})

    assert listed(response) == ["Alpha", "Bravo"]
    assert '<option value="title" selected>Title</option>' in response.text


def test_grid_list_pages_by_the_page_size(client):
    """The grid list shows PAGE_SIZE grids a page; a bad page number lands on a real page."""
    titles = [f"grid-{number:03}" for number in range(settings.PAGE_SIZE + 2)]
    for title in titles:
        GridFactory(title=title, slug=title)

    first = client.get("/grids/")
    second = client.get("/grids/", {"page": 2})
    past_the_end = client.get("/grids/", {"page": 999})
    not_a_number = client.get("/grids/", {"page": "abc"})

    assert listed(first) == titles[: settings.PAGE_SIZE]
    assert "Page 1 of 2" in first.text
    assert listed(second) == titles[settings.PAGE_SIZE :]
    assert listed(past_the_end) == titles[settings.PAGE_SIZE :]
    assert listed(not_a_number) == titles[: settings.PAGE_SIZE]


def test_grid_list_htmx_request_gets_only_the_results(client):
    """An htmx request gets the #results fragment, without the page around it or the form."""
    GridFactory(title="Storage", slug="storage")

    response = client.get("/grids/", {"q": "stor"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="results">')
    assert "<html" not in response.text
    assert "<form" not in response.text
    assert listed(response) == ["Storage"]


# A grid: /grids/g/<slug>/


def test_grid_page_shows_every_package_as_a_column(client):
    """A grid of 25 packages shows all 25 as columns, with no cap."""
    grid = grid_with_packages(25, title="Big", slug="big")
    titles = sorted(grid.packages.values_list("title", flat=True))

    response = client.get("/grids/g/big/")

    assert response.status_code == 200
    assert len(titles) == 25
    assert sorted(columns(response)) == titles
    assert "25 packages, 0 features." in response.text


STANDARD_ROWS = [
    "Description",
    "Category",
    "Stars",
    "Forks",
    "Last commit",
    "Latest version",
    "Python 3",
    "Licence",
    "Development status",
    "Activity",
    # Rows of extra_rows.py without a note under their heading (scoring).
    "Score",
    "Status",
]


def test_grid_page_shows_the_standard_rows(client, time_machine):
    """A grid shows the standard rows, in order, with each package's facts."""
    time_machine.move_to(NOW, tick=False)
    grid = GridFactory(title="Storage", slug="storage", description="Where *files* go.")
    fetched = FetchedPackageFactory(
        title="Alpha",
        slug="alpha",
        description="Alpha stores files.",
        stars=1500,
        forks=12,
        last_commit_at=NOW - timedelta(days=3),
        pypi_version="2.0",
        latest_release_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    ReleaseFactory(package=fetched, version="2.0", license="MIT", upload_time=NOW)
    never_fetched = PackageFactory(title="Bravo", slug="bravo")
    GridPackageFactory(grid=grid, package=fetched)
    GridPackageFactory(grid=grid, package=never_fetched)

    response = client.get("/grids/g/storage/")
    text = response.text.replace("\xa0", " ")
    headings = re.findall(r'<th scope="row">([^<]+)</th>', text)

    assert headings == STANDARD_ROWS
    assert '<div class="lead"><p>Where <em>files</em> go.</p></div>' in text
    assert columns(response) == ["Alpha", "Bravo"]
    assert row_cells(response, "Description") == ["Alpha stores files.", "What Bravo does."]
    assert row_cells(response, "Category") == ["App", "App"]
    not_fetched = '<span class="not-fetched">not fetched yet</span>'
    assert row_cells(response, "Stars") == ["1,500", not_fetched]
    assert row_cells(response, "Forks") == ["12", not_fetched]
    assert ">3 days ago</time>" in row_cells(response, "Last commit")[0].replace("\xa0", " ")
    assert row_cells(response, "Last commit")[1] == not_fetched
    assert row_cells(response, "Latest version") == [
        '2.0<div class="muted small">2026-02-01</div>',
        '<span class="muted">none</span>',
    ]
    assert row_cells(response, "Python 3") == ["yes", '<span class="muted">unknown</span>']
    assert row_cells(response, "Licence") == ["MIT", "unknown"]
    assert row_cells(response, "Development status") == ["Production/Stable", "unknown"]
    activity = row_cells(response, "Activity")
    assert activity[0].startswith('<svg class="sparkline"')
    assert activity[1] == not_fetched


def test_grid_page_shows_feature_rows_rendered_from_markdown(client):
    """Feature rows show their title, description and each cell's Markdown as HTML."""
    grid = GridFactory(title="Storage", slug="storage")
    alpha = GridPackageFactory(grid=grid, package=PackageFactory(title="Alpha", slug="alpha"))
    bravo = GridPackageFactory(grid=grid, package=PackageFactory(title="Bravo", slug="bravo"))
    s3 = FeatureFactory(grid=grid, title="S3", description="Stores in Amazon S3.", position=1)
    azure = FeatureFactory(grid=grid, title="Azure", position=2)
    ElementFactory(grid_package=alpha, feature=s3, text="*yes*")
    ElementFactory(grid_package=bravo, feature=s3, text="**no**, see [docs](https://example.com)")
    ElementFactory(grid_package=alpha, feature=azure, text="`partial`")

    response = client.get("/grids/g/storage/", {"sort": "title"})
    text = response.text

    assert "2 packages, 2 features." in text
    assert text.index(">S3<div") < text.index(">Azure</th>")
    assert '<div class="muted small">Stores in Amazon S3.</div>' in text
    assert row_cells(response, "S3") == [
        "<p><em>yes</em></p>",
        '<p><strong>no</strong>, see <a href="https://example.com" rel="nofollow ugc noopener">'
        "docs</a></p>",
    ]
    # Bravo has no cell for Azure: the cell is empty.
    assert row_cells(response, "Azure") == ["<p><code>partial</code></p>", ""]


@pytest.mark.parametrize(
    "cell",
    [
        SCRIPT,
        "[x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<img src=x onerror=alert(1)>",
        "[x](JaVaScRiPt:alert(1))",
    ],
)
def test_grid_page_sanitises_feature_cells(client, cell):
    """A cell's script, javascript: link or event handler never reaches the page as markup."""
    grid = GridFactory(title="Storage", slug="storage")
    membership = GridPackageFactory(grid=grid, package=PackageFactory(title="Alpha", slug="alpha"))
    ElementFactory(
        grid_package=membership, feature=FeatureFactory(grid=grid, title="S3"), text=cell
    )

    response = client.get("/grids/g/storage/")
    [rendered] = row_cells(response, "S3")
    tags = Tags()
    tags.feed(rendered)

    assert response.status_code == 200
    assert {name for name, _ in tags.found} <= {"p", "a", "em", "strong", "code"}
    for _, attributes in tags.found:
        for name, value in attributes:
            assert not name.startswith("on")
            assert not (value or "").strip().lower().startswith("javascript:")


def test_grid_page_escapes_user_text(client):
    """Grid, feature and package text holding a script tag shows as text, never as markup."""
    grid = GridFactory(title=SCRIPT, slug="scripted", description=SCRIPT)
    membership = GridPackageFactory(
        grid=grid, package=PackageFactory(title=SCRIPT, slug="scripted", description=SCRIPT)
    )
    feature = FeatureFactory(grid=grid, title=SCRIPT, description=SCRIPT)
    ElementFactory(grid_package=membership, feature=feature, text=SCRIPT)

    grid_page = client.get("/grids/g/scripted/")
    grid_list = client.get("/grids/")

    assert SCRIPT not in grid_page.text
    assert ESCAPED_SCRIPT in grid_page.text
    assert SCRIPT not in grid_list.text
    assert ESCAPED_SCRIPT in grid_list.text


def test_grid_page_orders_columns_by_title(client):
    """`?sort=title` orders the columns A to Z whatever their case."""
    grid = GridFactory(title="Storage", slug="storage")
    for title, stars in [("Zappa", 900), ("apple", 1), ("Mango", None)]:
        GridPackageFactory(
            grid=grid, package=PackageFactory(title=title, slug=title.lower(), stars=stars)
        )

    response = client.get("/grids/g/storage/", {"sort": "title"})

    assert columns(response) == ["apple", "Mango", "Zappa"]
    assert '<strong aria-current="true">Title</strong>' in response.text


def test_grid_page_orders_columns_by_stars_with_missing_stars_last(client):
    """`?sort=stars` (the default) puts the most starred first and never-fetched packages last."""
    grid = GridFactory(title="Storage", slug="storage")
    for title, stars in [("Alpha", None), ("Bravo", 0), ("Charlie", 40), ("Delta", 900)]:
        GridPackageFactory(
            grid=grid, package=PackageFactory(title=title, slug=title.lower(), stars=stars)
        )

    by_stars = client.get("/grids/g/storage/", {"sort": "stars"})
    by_default = client.get("/grids/g/storage/")

    assert columns(by_stars) == ["Delta", "Charlie", "Bravo", "Alpha"]
    assert columns(by_default) == ["Delta", "Charlie", "Bravo", "Alpha"]
    assert '<strong aria-current="true">Stars</strong>' in by_stars.text
    assert '<a href="?sort=title">Title</a>' in by_stars.text


@pytest.mark.parametrize(
    ("sort", "field", "values"),
    [
        ("forks", "forks", [None, 0, 5, 70]),
        (
            "last-commit",
            "last_commit_at",
            [None, NOW - timedelta(days=900), NOW - timedelta(days=9), NOW],
        ),
        (
            "last-release",
            "latest_release_at",
            [None, NOW - timedelta(days=900), NOW - timedelta(days=9), NOW],
        ),
    ],
)
def test_grid_page_orders_columns_by_other_facts_missing_last(client, sort, field, values):
    """The forks and date column sorts put the highest or newest first and missing facts last."""
    grid = GridFactory(title="Storage", slug="storage")
    for title, value in zip(["Alpha", "Bravo", "Charlie", "Delta"], values, strict=True):
        GridPackageFactory(
            grid=grid, package=PackageFactory(title=title, slug=title.lower(), **{field: value})
        )

    assert columns(client.get("/grids/g/storage/", {"sort": sort})) == [
        "Delta",
        "Charlie",
        "Bravo",
        "Alpha",
    ]


def test_grid_page_falls_back_to_stars_for_an_unknown_column_sort(client):
    """An unknown column sort orders columns by stars."""
    grid = GridFactory(title="Storage", slug="storage")
    for title, stars in [("Alpha", 1), ("Bravo", 50)]:
        GridPackageFactory(
            grid=grid, package=PackageFactory(title=title, slug=title.lower(), stars=stars)
        )

    response = client.get("/grids/g/storage/", {"sort": "nonsense"})

    assert response.status_code == 200
    assert columns(response) == ["Bravo", "Alpha"]


def test_grid_page_marks_archived_and_deprecated_columns(client):
    """Archived and deprecated packages carry badges in their column heads."""
    grid = GridFactory(title="Storage", slug="storage")
    GridPackageFactory(
        grid=grid, package=PackageFactory(title="Alpha", slug="alpha", archived_at=NOW)
    )
    GridPackageFactory(
        grid=grid, package=PackageFactory(title="Bravo", slug="bravo", deprecated_at=NOW)
    )

    # They are hidden by default (scoring issue); the toggle shows them.
    assert columns(client.get("/grids/g/storage/")) == []
    text = client.get("/grids/g/storage/", {"retired": "shown"}).text

    assert '<span class="badge badge-warn">archived</span>' in text
    assert '<span class="badge badge-warn">deprecated</span>' in text


def test_grid_page_without_packages_says_so(client):
    """A grid with no packages says it has none instead of drawing an empty table."""
    GridFactory(title="Empty", slug="empty")

    response = client.get("/grids/g/empty/")

    assert response.status_code == 200
    assert "This grid has no packages yet." in response.text
    assert '<table class="matrix">' not in response.text


def test_grid_page_answers_404_for_an_unknown_slug(client):
    """An unknown grid answers 404 with the friendly not-found page."""
    response = client.get("/grids/g/no-such-grid/")

    assert response.status_code == 404
    assert "We could not find that page" in response.text


@pytest.mark.parametrize("url", ["/grids/", "/grids/g/storage/"])
def test_grid_pages_refuse_post_and_answer_head(client, url):
    """The grid pages are read-only: POST answers 405, HEAD answers 200."""
    GridFactory(title="Storage", slug="storage")

    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200


def grid_filled(slug: str, *, packages: int, features: int):
    """Create a fetched grid of packages by features with every cell written."""
    grid = GridFactory(slug=slug)
    feature_rows = [FeatureFactory(grid=grid) for _ in range(features)]
    for package in FetchedPackageFactory.create_batch(packages, pypi_version="1.0"):
        ReleaseFactory(package=package, version="1.0")
        membership = GridPackageFactory(grid=grid, package=package)
        for feature in feature_rows:
            ElementFactory(grid_package=membership, feature=feature, text="*yes*")
    return grid


def test_grid_page_query_count_does_not_grow_with_packages_and_features(
    client, django_assert_num_queries, settings
):
    """A grid costs 9 queries the first time, whether it is 2 packages by 1 feature or 50 by
    10, all filled, and 3 once its columns' cells are kept."""
    grid_filled("small", packages=2, features=1)
    grid_filled("large", packages=50, features=10)
    # Every page built (no data version read): keeping cells moves no data version anyway.
    settings.PAGE_CACHE_SECONDS = 0

    # 5 for the matrix (the grid, the columns with their stored mark counts and kept cells,
    # the columns without kept cells in full, their latest releases, the features with their
    # kept rows of cells), 1 for the columns' stored scores (scoring), 3 to keep the cells
    # made (one INSERT, in a savepoint).
    with django_assert_num_queries(9):
        client.get("/grids/g/small/")
    with django_assert_num_queries(9):
        client.get("/grids/g/large/")
    # Then no second read of the columns, no latest release, no score, no write.
    with django_assert_num_queries(3):
        small = client.get("/grids/g/small/")
    with django_assert_num_queries(3):
        large = client.get("/grids/g/large/")

    assert len(columns(small)) == 2
    assert small.text.count("<p><em>yes</em></p>") == 2
    assert len(columns(large)) == 50
    assert large.text.count("<p><em>yes</em></p>") == 500


def test_grid_page_query_count_for_an_editor_does_not_grow_either(
    client, django_assert_num_queries
):
    """Signed in, with an edit link in every cell, 3x2 and 30x8 grids cost the same queries."""
    grid_filled("small", packages=3, features=2)
    grid_filled("large", packages=30, features=8)
    client.force_login(member("alice"))
    client.get("/grids/g/small/")  # The session and the user are read once either way.
    client.get("/grids/g/large/")  # The columns' cells are kept (as anyone's first view does).

    # The data version, the 3 above, and 5 about the signed-in person, their own marks among
    # them (none per package, feature or cell).
    with django_assert_num_queries(9):
        small = client.get("/grids/g/small/")
    with django_assert_num_queries(9):
        large = client.get("/grids/g/large/")

    assert small.text.count('class="cell editable"><p><em>yes</em></p> <a class="edit-link') == 6
    assert large.text.count('class="cell editable"><p><em>yes</em></p> <a class="edit-link') == 240


def test_grid_page_loads_its_column_tools_from_static_files(client):
    """The grid page links grid.css and grid.js, with no inline script, style or style="":
    without JavaScript every column shows."""
    grid_with_packages(3, slug="wide")

    text = client.get("/grids/g/wide/").text

    assert '<link rel="stylesheet" href="/static/packyard/grid.css">' in text
    assert '<script src="/static/packyard/grid.js" defer></script>' in text
    assert "<style" not in text
    assert "style=" not in text
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) is None
    assert len(re.findall(r'<th scope="col" class="package-head">', text)) == 3
