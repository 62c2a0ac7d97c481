"""A grid page keeps each package's cells (`GridColumn`) and shows them while its facts hold:
the page is the same as one made afresh, and any change of what it shows is shown at once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from packyard.catalog.models import Category, Package, Release
from packyard.core.database import trigger_names
from packyard.core.versions import TRIGGER_PREFIX as VERSION_TRIGGER_PREFIX
from packyard.core.versions import data_version
from packyard.grids.models import GridColumn
from packyard.pages.grids.rows import KEPT_SEPARATOR, kept_format
from packyard.scoring.models import PackageScore
from tests.factories import (
    CategoryFactory,
    ElementFactory,
    FeatureFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
URL = "/grids/g/storage/"
COLUMN_HEAD = re.compile(
    r'<th scope="col" class="package-head"><a href="/packages/p/[^"]+/">([^<]+)</a>'
)
NOT_SCORED = '<span class="not-fetched">not scored yet</span>'


@pytest.fixture(autouse=True)
def _every_page_built(settings, time_machine):
    """Build every page (no page cache) at a fixed time."""
    settings.PAGE_CACHE_SECONDS = 0
    time_machine.move_to(NOW, tick=False)


def columns(response) -> list[str]:
    """Return the package titles the grid shows as columns, in order."""
    return COLUMN_HEAD.findall(response.content.decode())


def matrix_rows(response) -> dict[str, list[str]]:
    """Return each row of the matrix by its heading's text: its cells, as HTML."""
    body = response.content.decode()
    table = body[body.index('<th scope="col" class="package-head">') :]
    found = {}
    for heading, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.DOTALL):
        name = re.sub(r"<[^>]+>.*", "", heading, flags=re.DOTALL).strip()
        found[name] = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.DOTALL)
    return found


def row(response, heading: str) -> list[str]:
    return matrix_rows(response)[heading]


def cell(response, heading: str, title: str) -> str:
    """Return the cell of a row in the column of the package titled `title`."""
    return row(response, heading)[columns(response).index(title)]


def kept() -> dict[str, tuple[int, str, str]]:
    """Return each kept column by package slug: (facts version, format, cells)."""
    rows = GridColumn.objects.values_list("package__slug", "facts_version", "format", "cells")
    return {slug: (version, made_in, cells) for slug, version, made_in, cells in rows}


def facts_versions() -> dict[str, int]:
    return dict(Package.objects.values_list("slug", "facts_version"))


def scored(package: Package, **fields) -> PackageScore:
    values = {
        "overall": 70,
        "maintenance": 90,
        "adoption": 60,
        "compatibility": 60,
        "documentation": 60,
        "status": 60,
        "dependents_count": 3,
    }
    return PackageScore.objects.create(package=package, **{**values, **fields})


def storage_grid():
    """A grid of packages of every kind the rows draw; return (alpha, bravo, charlie, delta)."""
    grid = GridFactory(title="Storage", slug="storage")
    feature = FeatureFactory(grid=grid, title="S3")
    tools = CategoryFactory(slug="tools", title="Tool")
    alpha = FetchedPackageFactory(
        title="Alpha",
        slug="alpha",
        description="Stores <files> & “things” in the cloud, café.",
        stars=1500,
        forks=12,
        last_commit_at=NOW - timedelta(days=3),
        pypi_version="2.0",
        latest_release_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    ReleaseFactory(package=alpha, version="1.0", license="GPL-2.0")
    ReleaseFactory(package=alpha, version="2.0", license="MIT", upload_time=NOW)
    scored(
        alpha,
        support={"django": [["5.2", "yes"], ["6.0", "yes"]], "python": [["3.13", "unknown"]]},
        advisories=[
            {
                "id": "GHSA-1",
                "summary": "A <bad> one",
                "link": "https://osv.dev/1",
                "fixed_in": ["2.1"],
            }
        ],
        latest_version="2.0",
        baseline_overall=60,
        baseline_on=date(2026, 2, 1),
    )
    bravo = PackageFactory(title="Bravo", slug="bravo", description="x" * 300, category=tools)
    charlie = FetchedPackageFactory(
        title="Charlie",
        slug="charlie",
        pypi_version="0.9",
        pypi_project_status="",
        replaced_by=alpha,
        last_commit_at=NOW - timedelta(days=400),
    )
    ReleaseFactory(
        package=charlie,
        version="0.9",
        license="",
        classifiers=["Programming Language :: Python :: 2"],
        requires_python="",
        development_status="Inactive",
    )
    scored(charlie, overall=20, needs_maintainer=True, dependents_count=0)
    delta = FetchedPackageFactory(
        title="Delta", slug="delta", replaced_by=bravo, repo_missing_since=NOW - timedelta(days=9)
    )
    for package in (alpha, bravo, charlie, delta):
        membership = GridPackageFactory(grid=grid, package=package)
        ElementFactory(grid_package=membership, feature=feature, text="*yes*")
    return alpha, bravo, charlie, delta


# (a) The page from kept cells is the page made afresh.


def test_the_page_from_kept_cells_is_the_page_made_afresh(client):
    storage_grid()

    made = client.get(URL)  # Makes every column's cells and keeps them.
    assert set(kept()) == {"alpha", "bravo", "charlie", "delta"}
    assert all(
        version == facts_versions()[slug] and made_in == kept_format()
        for slug, (version, made_in, _cells) in kept().items()
    )
    from_kept = client.get(URL)

    assert made.status_code == from_kept.status_code == 200
    assert sorted(columns(made)) == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert from_kept.content == made.content
    # Sorted another way, and with the retired shown, the kept cells still make the same page.
    GridColumn.objects.all().delete()
    for query in ({"sort": "score"}, {"sort": "stars", "retired": "shown"}):
        made = client.get(URL, query)
        assert client.get(URL, query).content == made.content


def test_the_page_shows_the_kept_cells_while_they_hold(client):
    """Kept cells are what the page shows (so the comparison above compares something)."""
    alpha, *_ = storage_grid()
    client.get(URL)
    _version, _format, cells = kept()["alpha"]
    GridColumn.objects.filter(package=alpha).update(cells=cells.replace("1,500", "KEPT-1500"))

    assert cell(client.get(URL), "Stars", "Alpha") == "KEPT-1500"


# (b) Every change of what a column shows is shown on the next page.


def _stars(alpha: Package) -> None:
    alpha.stars = 2750
    alpha.save()


def _description(alpha: Package) -> None:
    Package.objects.filter(pk=alpha.pk).update(description="Now keeps files on tape.")


def _licence(alpha: Package) -> None:
    latest = Release.objects.get(package=alpha, version="2.0")
    latest.license = "Apache-2.0"
    latest.save()


def _dependents(alpha: Package) -> None:
    score = PackageScore.objects.get(package=alpha)
    score.dependents_count = 41
    score.save()


def _overall(alpha: Package) -> None:
    score = PackageScore.objects.get(package=alpha)
    score.maintenance = 100  # The overall shown is the blend of the parts: 69, now 72.
    score.save()


def _category(alpha: Package) -> None:
    category = Category.objects.get(pk=alpha.category_id)
    category.title = "Application"
    category.save()


def _replacement(alpha: Package) -> None:
    Package.objects.filter(slug="alpha").update(title="Alpha Prime")


@pytest.mark.parametrize(
    ("change", "slug", "heading", "old", "new"),
    [
        (_stars, "alpha", "Stars", "1,500", "2,750"),
        (_description, "alpha", "Description", "Stores &lt;files&gt;", "Now keeps files on tape."),
        (_licence, "alpha", "Licence", "MIT", "Apache-2.0"),
        (_dependents, "alpha", "Used by", ">3<", ">41<"),
        (_overall, "alpha", "Score", ">69</span>", ">72</span>"),
        (_category, "alpha", "Category", ">App<", ">Application<"),
        # Charlie is replaced by Alpha: renaming Alpha changes Charlie's status.
        (_replacement, "charlie", "Status", ">Alpha</a>", ">Alpha Prime</a>"),
    ],
    ids=["stars", "description", "licence", "dependents", "overall", "category", "replacement"],
)
def test_a_change_is_shown_on_the_next_page(client, change, slug, heading, old, new):
    packages = {package.slug: package for package in storage_grid()}
    title = packages[slug].title
    before = client.get(URL)
    shown = f">{cell(before, heading, title)}<"
    assert old in shown
    assert new not in shown
    kept_before = kept()

    change(packages["alpha"])
    after = client.get(URL)

    shown = f">{cell(after, heading, title)}<"
    assert new in shown
    assert old not in shown
    # The stale column was made again and kept at its new version; the others stayed.
    assert kept()[slug][0] == facts_versions()[slug] > kept_before[slug][0]
    assert kept()["bravo"] == kept_before["bravo"]
    # And the page is the one made afresh.
    GridColumn.objects.all().delete()
    assert client.get(URL).content == after.content


# (c) Cells kept in another format are made again.


def test_cells_kept_in_another_format_are_made_again(client):
    alpha, bravo, *_ = storage_grid()
    made = client.get(URL)
    wrong = KEPT_SEPARATOR.join(["OLD FORMAT"] * 30)
    GridColumn.objects.filter(package=alpha).update(format="an-old-release UTC", cells=wrong)
    GridColumn.objects.filter(package=bravo).update(format="", cells=wrong)

    again = client.get(URL)

    assert "OLD FORMAT" not in again.content.decode()
    assert again.content == made.content
    assert {made_in for _version, made_in, _cells in kept().values()} == {kept_format()}
    assert "OLD FORMAT" not in "".join(cells for _v, _f, cells in kept().values())


def test_cells_kept_at_another_facts_version_are_made_again(client):
    alpha, *_ = storage_grid()
    made = client.get(URL)
    wrong = KEPT_SEPARATOR.join(["OLD VERSION"] * 30)
    GridColumn.objects.filter(package=alpha).update(
        facts_version=facts_versions()["alpha"] + 5, cells=wrong
    )

    again = client.get(URL)

    assert "OLD VERSION" not in again.content.decode()
    assert again.content == made.content
    assert kept()["alpha"][0] == facts_versions()["alpha"]


# (d) Keeping cells is no edit.


def test_keeping_cells_does_not_move_the_data_version(client):
    storage_grid()
    version = data_version()

    client.get(URL)
    assert len(kept()) == 4
    assert data_version() == version
    GridColumn.objects.update(cells="x")
    GridColumn.objects.all().delete()
    assert data_version() == version

    # A write the pages show does move it (so the check above can fail).
    Package.objects.filter(slug="alpha").update(stars=1)
    assert data_version() > version


def test_the_kept_columns_table_has_no_version_trigger():
    names = trigger_names(connection, VERSION_TRIGGER_PREFIX)
    table = GridColumn._meta.db_table

    assert [name for name in names if table in name] == []
    assert [name for name in names if "grids_gridpackage" in name]  # Its neighbours have one.


# (e) The reader's own weights.

MAINTENANCE_ONLY = {
    "w-maintenance": "1",
    "w-adoption": "0",
    "w-compatibility": "0",
    "w-documentation": "0",
    "w-status": "0",
}


def test_the_readers_weights_show_their_score_and_keep_nothing(client):
    alpha, *_ = storage_grid()

    weighted = client.get(URL, MAINTENANCE_ONLY)

    assert weighted.status_code == 200
    score_heading = re.search(r'<th scope="row">Score(.*?)</th>', weighted.content.decode())
    assert "your weights" in score_heading.group(1)
    # Alpha's maintenance is 90 (69 under the default weights); Charlie's too.
    assert '"Score 90 out of 100">90</span>' in cell(weighted, "Score", "Alpha")
    assert '"Score 90 out of 100">90</span>' in cell(weighted, "Score", "Charlie")
    assert cell(weighted, "Score", "Bravo") == NOT_SCORED
    assert kept() == {}

    # Cells kept afterwards have the score under the default weights, and weights keep nothing
    # over them, even over those gone stale meanwhile.
    standard = client.get(URL)
    assert '"Score 69 out of 100">69</span>' in cell(standard, "Score", "Alpha")
    kept_before = kept()
    Package.objects.filter(pk=alpha.pk).update(stars=2750)

    weighted = client.get(URL, MAINTENANCE_ONLY)

    assert '"Score 90 out of 100">90</span>' in cell(weighted, "Score", "Alpha")
    assert cell(weighted, "Stars", "Alpha") == "2,750"
    assert kept() == kept_before
    assert cell(client.get(URL), "Stars", "Alpha") == "2,750"


def test_default_weights_given_in_the_address_use_the_kept_cells(client):
    storage_grid()
    made = client.get(URL)
    defaults = {
        "w-maintenance": "30",
        "w-adoption": "25",
        "w-compatibility": "20",
        "w-documentation": "10",
        "w-status": "15",
    }

    response = client.get(URL, defaults)

    assert "your weights" not in response.content.decode()
    assert row(response, "Score") == row(made, "Score")
    assert '"Score 69 out of 100">69</span>' in cell(response, "Score", "Alpha")


# (f) A control character in what a package says.


def test_the_kept_separator_in_a_packages_text_does_not_break_the_page(client):
    alpha, *_ = storage_grid()
    Package.objects.filter(pk=alpha.pk).update(description=f"Files{KEPT_SEPARATOR}and more")
    Release.objects.filter(package=alpha, version="2.0").update(license=f"M{KEPT_SEPARATOR}IT")
    Category.objects.filter(slug="tools").update(title=f"To{KEPT_SEPARATOR}ol")

    for response in (client.get(URL), client.get(URL)):  # Made, then from the kept cells.
        assert response.status_code == 200
        every_row = matrix_rows(response)
        widths = {heading: len(cells) for heading, cells in every_row.items()}
        assert widths == dict.fromkeys(every_row, 4)
        assert len(every_row) >= 17
        shown = {
            heading: [cell(response, heading, title) for title in ("Alpha", "Bravo", "Charlie")]
            for heading in ("Description", "Category", "Licence", "Stars", "Used by")
        }
        assert shown == {
            "Description": ["Filesand more", "x" * 219 + "…", "What Charlie does."],
            "Category": ["App", "Tool", "App"],
            "Licence": ["MIT", "unknown", "unknown"],
            "Stars": ["1,500", '<span class="not-fetched">not fetched yet</span>', "120"],
            "Used by": ["3", "—", "0"],
        }
        assert '"Score 69 out of 100">69</span>' in cell(response, "Score", "Alpha")
        assert KEPT_SEPARATOR not in response.content.decode()


# (g) The last commit's words follow the clock.


def test_the_last_commit_is_said_at_the_time_of_each_page(client, time_machine):
    storage_grid()
    first = client.get(URL)
    kept_before = kept()
    assert ">3\xa0days ago</time>" in cell(first, "Last commit", "Alpha")

    time_machine.move_to(NOW + timedelta(days=7), tick=False)
    later = client.get(URL)

    said = cell(later, "Last commit", "Alpha")
    assert ">1\xa0week, 3\xa0days ago</time>" in said
    assert ">3\xa0days ago</time>" not in said
    assert kept() == kept_before  # Nothing made again.
    first_rows, later_rows = matrix_rows(first), matrix_rows(later)
    assert first_rows.pop("Last commit") != later_rows.pop("Last commit")
    assert later_rows == first_rows
