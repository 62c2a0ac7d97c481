"""Each feature's kept row of cells follows every write to its cells, whatever makes it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from packyard.grids.feature_cells import feature_cells_install, row_cells
from packyard.grids.models import Element, Feature, GridPackage
from packyard.grids.selectors import grid_matrix
from packyard.grids.services import element_set, feature_create, grid_add_package
from packyard.grids.services.common import element_html
from tests.factories import GridFactory, PackageFactory, member

pytestmark = pytest.mark.django_db


def kept(feature: Feature) -> dict[str, str]:
    """Return the feature's kept row, read afresh, by the package slug of each cell."""
    cells = row_cells(Feature.objects.get(pk=feature.pk).cells)
    slugs = dict(
        GridPackage.objects.filter(pk__in=[int(key) for key in cells]).values_list(
            "pk", "package__slug"
        )
    )
    return {slugs[int(key)]: html for key, html in cells.items()}


@pytest.fixture
def grid():
    """A grid of three packages (alpha, bravo, charlie) and two features, with no cells."""
    grid = GridFactory(slug="forms")
    editor = member()
    for slug in ("alpha", "bravo", "charlie"):
        grid_add_package(grid=grid, package=PackageFactory(slug=slug), actor=editor)
    feature_create(grid=grid, title="Async", actor=editor)
    feature_create(grid=grid, title="Licence", actor=editor)
    return grid


def membership(grid, slug: str) -> GridPackage:
    return GridPackage.objects.get(grid=grid, package__slug=slug)


def features(grid) -> tuple[Feature, Feature]:
    first, second = Feature.objects.filter(grid=grid).order_by("position", "id")
    return first, second


def test_cells_written_changed_and_emptied_by_the_services_move_the_row(grid):
    """A cell written, written again and emptied through the services: the feature's row
    says each at once; the other feature's row is untouched."""
    asynchronous, licence = features(grid)
    editor = member()
    element_set(grid_package=membership(grid, "alpha"), feature=asynchronous, text="yes")
    element_set(grid_package=membership(grid, "bravo"), feature=asynchronous, text="*partly*")
    assert kept(asynchronous) == {
        "alpha": element_html("yes"),
        "bravo": "<p><em>partly</em></p>",
    }
    assert kept(licence) == {}

    def rewrite(text: str) -> None:
        """Write alpha's cell again, from its current version, as an editor does."""
        cell = Element.objects.get(grid_package=membership(grid, "alpha"), feature=asynchronous)
        element_set(
            grid_package=cell.grid_package,
            feature=asynchronous,
            text=text,
            actor=editor,
            version=cell.version,
        )

    rewrite("no")
    assert kept(asynchronous)["alpha"] == element_html("no")

    rewrite("")
    assert kept(asynchronous) == {"bravo": "<p><em>partly</em></p>"}


def test_bulk_writes_moves_and_deletes_keep_the_rows_right(grid):
    """Bulk inserts and updates, a cell moved to another feature, a package taken out of the
    grid and a package deleted, none through the services, each leave every row right."""
    asynchronous, licence = features(grid)
    alpha, bravo, charlie = (membership(grid, slug) for slug in ("alpha", "bravo", "charlie"))
    Element.objects.bulk_create(
        [
            Element(grid_package=member_of, feature=feature, text="x", text_html=f"<b>{n}</b>")
            for n, (member_of, feature) in enumerate(
                [(alpha, asynchronous), (bravo, asynchronous), (charlie, licence)]
            )
        ]
    )
    assert kept(asynchronous) == {"alpha": "<b>0</b>", "bravo": "<b>1</b>"}
    assert kept(licence) == {"charlie": "<b>2</b>"}

    Element.objects.filter(feature=asynchronous).update(text_html="<i>all</i>")
    assert kept(asynchronous) == {"alpha": "<i>all</i>", "bravo": "<i>all</i>"}

    Element.objects.filter(grid_package=bravo).update(feature=licence)
    assert kept(asynchronous) == {"alpha": "<i>all</i>"}
    assert kept(licence) == {"bravo": "<i>all</i>", "charlie": "<b>2</b>"}

    alpha.delete()
    assert kept(asynchronous) == {}
    charlie.package.delete()
    assert kept(licence) == {"bravo": "<i>all</i>"}


def test_a_separator_in_a_cell_is_dropped_not_split_on(grid):
    """The character between a row's cells never comes out of a cell: one written there
    (through raw SQL, say) is left out of the kept row, and the row still reads right."""
    asynchronous, _ = features(grid)
    Element.objects.create(
        grid_package=membership(grid, "alpha"),
        feature=asynchronous,
        text="x",
        text_html="<b>a\x1eb:c</b>",
    )
    assert kept(asynchronous) == {"alpha": "<b>ab:c</b>"}


def test_saving_a_feature_read_before_its_cells_were_written_keeps_the_row(grid):
    """A feature read, a cell then written, the old copy saved (renamed): the row stays."""
    asynchronous, _ = features(grid)
    stale = Feature.objects.get(pk=asynchronous.pk)
    element_set(grid_package=membership(grid, "alpha"), feature=asynchronous, text="yes")
    stale.title = "Asynchronous"
    stale.save()
    assert kept(asynchronous) == {"alpha": element_html("yes")}
    assert Feature.objects.get(pk=asynchronous.pk).title == "Asynchronous"


def test_installing_the_triggers_makes_every_wrong_row_again(grid):
    """`migrate` installs the triggers again and makes afresh each row that is wrong (a
    restore from a dump, a trigger once missing); right rows are left as they are."""
    asynchronous, licence = features(grid)
    element_set(grid_package=membership(grid, "alpha"), feature=asynchronous, text="yes")
    Feature.objects.filter(pk=asynchronous.pk).update(cells="9999\x1estale")
    Feature.objects.filter(pk=licence.pk).update(cells="")
    feature_cells_install(connection)
    assert kept(asynchronous) == {"alpha": element_html("yes")}
    assert kept(licence) == {}


def test_a_grid_reads_its_cells_with_its_features(grid, django_assert_num_queries):
    """The matrix reads no cell table: each feature comes with its row (3 queries in all
    when the columns' kept cells hold, as here with none asked for: 4)."""
    _, licence = features(grid)
    element_set(grid_package=membership(grid, "bravo"), feature=licence, text="MIT")
    with CaptureQueriesContext(connection) as captured:
        matrix = grid_matrix(slug="forms")
    assert len(captured.captured_queries) == 4
    assert not any("grids_element" in query["sql"] for query in captured.captured_queries)
    shown = {feature.title: row_cells(feature.cells) for feature in matrix.features}
    keys = {str(column.membership_id): column.package.slug for column in matrix.columns}
    assert {title: {keys[k]: v for k, v in row.items()} for title, row in shown.items()} == {
        "Async": {},
        "Licence": {"bravo": element_html("MIT")},
    }
