"""Tests of the pages: the package page's answers, the score page, status, grids, lists."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from packyard.scoring.models import PackageScore, PackageStatus
from packyard.scoring.services import package_status_set, scores_daily, scores_recompute
from tests.factories import (
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    ReleaseFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("release_cycles")]

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MODERN = [
    "Framework :: Django :: 5.2",
    "Framework :: Django :: 6.0",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
]


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def scored(classifiers=MODERN, requires_python=">=3.10", **fields):
    """Create a fetched package with a latest release 2.0 and compute its score."""
    package = FetchedPackageFactory(pypi_version="2.0", **fields)
    ReleaseFactory(
        package=package,
        version="2.0",
        upload_time=NOW - timedelta(days=20),
        classifiers=classifiers,
        requires_python=requires_python,
    )
    scores_recompute(package_ids=[package.pk])
    return package


def text_of(html: str) -> str:
    """Return a page's text without tags, with spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html: str, heading_id: str) -> str:
    match = re.search(
        rf'<section class="insight" aria-labelledby="{heading_id}">(.*?)</section>', html, re.DOTALL
    )
    assert match is not None, heading_id
    return text_of(match.group(1))


def staff_client() -> Client:
    user = get_user_model().objects.create_user("editor", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


# The package page: /packages/p/<slug>/


def test_package_page_answers_django_python_maintenance_replacement_and_safety(client):
    """The page says it works with Django 6.0 and Python 3.13, is maintained, what replaces
    it, and which advisory affects it, each with evidence and links."""
    new = scored(title="New", slug="new")
    package = scored(
        title="Old",
        slug="old",
        requires_dist=["Django>=4.2,<6.1"],
        vulnerabilities=[
            {
                "id": "PYSEC-2026-7",
                "aliases": ["CVE-2026-7"],
                "summary": "Open redirect in the login view",
                "link": "https://osv.dev/vulnerability/PYSEC-2026-7",
                "fixed_in": ["2.0.1"],
                "withdrawn": None,
            }
        ],
    )
    package_status_set(package=package, deprecated=True, replaced_by=new, needs_maintainer=True)

    html = client.get("/packages/p/old/").text

    works = section(html, "works-heading")
    assert "Django 6.0 ✓ yes The latest release (2.0) lists the classifier" in works
    assert '"Framework :: Django :: 6.0"' in works
    assert "Python 3.13 ✓ yes" in works
    assert 'Django 6.1 ✓ yes The latest release (2.0) requires "Django>=4.2,<6.1"' not in works
    assert "Django 6.1 ✗ no The latest release (2.0) requires" in works
    maintained = section(html, "maintained-heading")
    assert "Needs a maintainer since 27 November 2026" in maintained
    assert "Latest release 2.0 was uploaded 20 days ago" in maintained
    replaces = section(html, "replaces-heading")
    assert "Use New instead: this package is deprecated since 27 November 2026." in replaces
    assert '<a href="/packages/p/new/">New</a>' in html
    safe = section(html, "safe-heading")
    assert "1 known advisory affects the latest release (2.0)" in safe
    assert "Fixed in 2.0.1." in safe
    assert '<a href="https://osv.dev/vulnerability/PYSEC-2026-7" rel="nofollow noopener">' in html
    assert '<a href="/packages/p/old/score/">How this score is made' in html


def test_package_page_of_a_safe_active_package(client):
    """A package with no advisory and no deprecation says so plainly."""
    scored(title="Fine", slug="fine")

    html = client.get("/packages/p/fine/").text

    assert "Nothing: it is not deprecated." in section(html, "replaces-heading")
    assert "No known advisory affects the latest release (2.0)" in section(html, "safe-heading")


def test_package_page_before_any_score(client):
    """A package not scored yet says so instead of showing empty answers."""
    PackageFactory(title="Fresh", slug="fresh")

    html = client.get("/packages/p/fresh/").text

    assert "Not answered yet" in html
    assert "Not scored yet" in html


def test_package_page_lists_dependencies_inside_the_directory(client):
    """ "Depends on" links the directory's packages it requires; "used by" counts them."""
    library = scored(title="Widgets", slug="widgets", pypi_name="widgets")
    app = scored(title="App", slug="app", requires_dist=["Django>=4.2", "widgets>=1"])
    scores_recompute(package_ids=[app.pk])

    app_page = text_of(client.get("/packages/p/app/").text)
    library_page = text_of(client.get("/packages/p/widgets/").text)

    assert "Depends on: Widgets" in app_page
    assert "Used by 1 package in this directory : App" in library_page
    assert PackageScore.objects.get(package=library).dependents_count == 1


def test_package_page_query_count_does_not_grow_with_dependents(client):
    """The package page costs the same 8 queries with 1 or 15 dependents and dependencies:
    the data version, and 7 for the page (the package with its category, score, status,
    number of releases and mark counts; a page of releases, the latest among them; fetch
    states; sites; dependencies both ways; answers; grids)."""
    library = scored(title="Widgets", slug="widgets", pypi_name="widgets")
    other = scored(title="Forms", slug="forms", pypi_name="forms")
    first = scored(requires_dist=["widgets", "forms"])
    scores_recompute(package_ids=[first.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/packages/p/widgets/").status_code == 200
        return len(captured)

    small = queries()
    assert small == 8
    users = [scored(requires_dist=["widgets", "forms"]) for _ in range(14)]
    scores_recompute(package_ids=[user.pk for user in users])

    assert queries() == small
    assert PackageScore.objects.get(package=library).dependents_count == 15
    assert PackageScore.objects.get(package=other).dependents_count == 15


# The score page: /packages/p/<slug>/score/


def test_score_page_explains_every_point(client):
    """Each dimension's reasons add up to its score, and the blend shows its weights."""
    package = scored(title="Alpha", slug="alpha", documentation_url="https://docs.example.org/")
    score = PackageScore.objects.get(package=package)

    html = client.get("/packages/p/alpha/score/").text

    for name, value, _reasons in score.reason_lists:
        block = re.search(rf'<section id="{name}".*?</section>', html, re.DOTALL).group(0)
        shown = [
            float(p) for p in re.findall(r'<td class="num">(-?[\d.]+)</td><td class="num">', block)
        ]
        assert round(sum(shown)) == value, name
        assert '<span class="score score-' in block
    assert "Score \N{MULTIPLICATION SIGN} weight" in html
    assert f"<strong>{score.overall}</strong> (rounded)" in html
    assert "The overall score is the weighted mean of five dimensions" in html
    assert client.get("/packages/p/nothing/score/").status_code == 404


def test_score_page_shows_history_and_trend(client, time_machine):
    """Daily snapshots make the history; a month later the trend arrow compares with them."""
    package = scored(title="Alpha", slug="alpha", stars=10)
    scores_daily()
    time_machine.move_to(NOW + timedelta(days=31), tick=False)
    package.stars = 20_000
    package.save()
    scores_daily()

    html = client.get("/packages/p/alpha/score/").text

    assert html.count('<tr><td><time datetime="2026-') == 2
    assert 'class="trend trend-up"' in html
    assert "since 27 Nov 2026" in html


# Status: /packages/p/<slug>/status/


def test_status_form_is_for_stewards_and_staff(client, django_user_model):
    """Visitors are sent to sign in, members who are not stewards get 403; staff see the form."""
    PackageFactory(slug="alpha")

    assert client.get("/packages/p/alpha/status/")["Location"].startswith("/accounts/login/")
    assert client.post("/packages/p/alpha/status/", {"deprecated": "on"}).status_code == 302
    client.force_login(django_user_model.objects.create(username="member"))
    assert client.post("/packages/p/alpha/status/", {"deprecated": "on"}).status_code == 403
    response = staff_client().get("/packages/p/alpha/status/")
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.text


def test_staff_deprecate_a_package_and_its_page_says_what_replaces_it():
    """A staff POST deprecates, names the replacement and asks for a maintainer."""
    package = scored(title="Old", slug="old")
    scored(title="New", slug="new")
    client = staff_client()

    response = client.post(
        "/packages/p/old/status/",
        {"deprecated": "on", "replaced_by": "new", "needs_maintainer": "on", "note": "Help!"},
    )

    assert response.status_code == 303
    package.refresh_from_db()
    assert package.replaced_by.slug == "new"
    assert PackageStatus.objects.get(package=package).needs_maintainer
    page = client.get("/packages/p/old/").text
    assert "Use New instead" in text_of(page)
    assert "The status of Old is saved." in page


@pytest.mark.parametrize(
    ("replaced_by", "message"),
    [("nothing-like-this", "No package has the slug"), ("old", "cannot replace itself")],
)
def test_status_form_errors_name_the_field_and_change_nothing(replaced_by, message):
    """An unknown or self replacement answers 400 naming the field; nothing is saved."""
    package = scored(title="Old", slug="old")

    response = staff_client().post(
        "/packages/p/old/status/", {"deprecated": "on", "replaced_by": replaced_by}
    )

    assert response.status_code == 400
    assert "<strong>Replaced by (the replacement&#x27;s slug):</strong>" in response.text
    assert message in response.text
    package.refresh_from_db()
    assert package.deprecated_at is None


def test_status_form_needs_the_csrf_token():
    """A POST without the CSRF token is refused."""
    PackageFactory(slug="alpha")
    user = get_user_model().objects.create_user("editor", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.post("/packages/p/alpha/status/", {"deprecated": "on"}).status_code == 403


# Grids: /grids/g/<slug>/


def columns(html: str) -> list[str]:
    return re.findall(r'<th scope="col" class="package-head"><a href="[^"]+">([^<]+)</a>', html)


def row_cells(html: str, heading: str) -> list[str]:
    match = re.search(rf'<th scope="row">{re.escape(heading)}.*?</th>(.*?)</tr>', html, re.DOTALL)
    assert match is not None, heading
    return [
        text_of(cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.DOTALL)
    ]


def test_grid_shows_score_support_status_and_advisories_rows(client):
    """The grid has rows for the score, Django and Python support, status and advisories."""
    grid = GridFactory(slug="storage")
    advisory = {
        "id": "GHSA-x",
        "aliases": [],
        "summary": "Bad",
        "link": "https://github.com/advisories/GHSA-x",
        "fixed_in": [],
        "withdrawn": None,
    }
    for package in [
        scored(title="Alpha", slug="alpha", stars=500),
        scored(title="Bravo", slug="bravo", stars=5, vulnerabilities=[advisory], classifiers=[]),
    ]:
        GridPackageFactory(grid=grid, package=package)

    html = client.get("/grids/g/storage/").text

    assert columns(html) == ["Alpha", "Bravo"]
    assert all(re.match(r"^\d+$", cell) for cell in row_cells(html, "Score"))
    # Releases in a row with the same answer share a line.
    assert row_cells(html, "Django support")[0] == "6.1 ? unknown 6.0, 5.2 ✓ yes"
    assert row_cells(html, "Django support")[1] == "6.1, 6.0, 5.2 ? unknown"
    assert row_cells(html, "Vulnerabilities") == ["none known", "GHSA-x"]
    assert '<a href="https://github.com/advisories/GHSA-x" rel="nofollow noopener"' in html
    assert row_cells(html, "Status") == ["active", "active"]


def test_grid_hides_archived_and_deprecated_packages_behind_a_toggle(client):
    """Archived and deprecated packages are hidden by default, with a link that shows them."""
    grid = GridFactory(slug="storage")
    GridPackageFactory(grid=grid, package=scored(title="Alpha", slug="alpha"))
    GridPackageFactory(grid=grid, package=scored(title="Bravo", slug="bravo", archived_at=NOW))
    GridPackageFactory(
        grid=grid, package=scored(title="Charlie", slug="charlie", pypi_project_status="deprecated")
    )

    hidden = client.get("/grids/g/storage/").text
    shown = client.get("/grids/g/storage/", {"retired": "shown"}).text

    assert columns(hidden) == ["Alpha"]
    assert "2 archived or deprecated packages hidden." in hidden
    assert '<a href="?retired=shown">Show archived and deprecated packages</a>' in hidden
    assert columns(shown) == ["Alpha", "Bravo", "Charlie"]
    assert '<a href="?">Hide archived and deprecated packages</a>' in shown
    assert "deprecated on PyPI" in shown


def test_grid_weights_are_kept_in_the_url_and_reorder_by_score(client):
    """Weighing adoption only, sorted by score, puts the most starred package first."""
    grid = GridFactory(slug="storage")
    GridPackageFactory(grid=grid, package=scored(title="Popular", slug="popular", stars=20_000))
    GridPackageFactory(
        grid=grid,
        package=scored(
            title="Careful",
            slug="careful",
            stars=1,
            forks=0,
            documentation_url="https://docs.example.org/",
            changelog_url="https://example.org/changes",
            description="A careful, well documented package that does one thing.",
        ),
    )
    weights = {"w-maintenance": 0, "w-compatibility": 0, "w-status": 0}

    by_docs = client.get(
        "/grids/g/storage/",
        {"sort": "score", **weights, "w-adoption": 0, "w-documentation": 1},
    )
    by_stars = client.get(
        "/grids/g/storage/",
        {"sort": "score", **weights, "w-adoption": 1, "w-documentation": 0},
    )

    assert columns(by_docs.text) == ["Careful", "Popular"]
    assert columns(by_stars.text) == ["Popular", "Careful"]
    assert "your weights" in by_stars.text
    assert 'name="w-adoption" value="1"' in by_stars.text
    assert re.search(r'href="\?sort=stars&amp;w-maintenance=0[^"]*w-adoption=1', by_stars.text)


def test_grid_bad_weights_say_which_and_use_the_usual_ones(client):
    """A weight that is not a number from 0 to 100 is named, and the usual weight is used."""
    grid = GridFactory(slug="storage")
    GridPackageFactory(grid=grid, package=scored(title="Alpha", slug="alpha"))

    bad = client.get("/grids/g/storage/", {"w-adoption": "lots", "w-status": "500"}).text
    zero = client.get(
        "/grids/g/storage/",
        {
            f"w-{name}": 0
            for name in ["maintenance", "adoption", "compatibility", "documentation", "status"]
        },
    ).text

    assert "Adoption: Enter a whole number. The usual weight is used." in bad
    assert "Status: Ensure this value is less than or equal to 100." in bad
    assert "Give at least one dimension a weight above 0." in zero


def test_grid_query_count_with_scores_does_not_grow(client, django_assert_max_num_queries):
    """A grid with scores costs the same for 2 packages and for 30."""
    for slug, size in [("small", 2), ("large", 30)]:
        grid = GridFactory(slug=slug)
        for _ in range(size):
            GridPackageFactory(grid=grid, package=scored())

    def queries(slug: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/grids/g/{slug}/", {"sort": "score", "w-adoption": 50})
        assert len(columns(response.text)) in {2, 30}
        return len(captured)

    assert queries("small") == queries("large")


# Package lists: score and trend


def test_package_list_shows_score_and_trend_in_constant_queries(client, time_machine):
    """The list shows each score with its trend arrow; queries do not grow with packages."""
    package = scored(title="Alpha", slug="alpha", stars=5)
    scores_daily()
    time_machine.move_to(NOW + timedelta(days=31), tick=False)
    package.stars = 30_000
    package.save()
    scores_daily()

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/packages/").text
        return len(captured), html

    small, html = queries()
    score = PackageScore.objects.get(package=package)
    level = "high" if score.overall >= 70 else "middle"
    badge = f'title="Score {score.overall} out of 100">{score.overall}</span>'
    assert f'<span class="score score-{level}" {badge}' in html
    assert 'class="trend trend-up"' in html
    for _ in range(30):
        scored()
    large, _ = queries()
    assert large == small
