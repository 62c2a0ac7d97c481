"""A cell's Markdown is rendered once, when it is written, and stored beside its text."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from packyard.core.markup import render_markdown
from packyard.grids.models import Element
from packyard.grids.services import (
    element_set,
    feature_create,
    feature_delete,
    grid_add_package,
    grid_change_revert,
    grid_remove_package,
)
from packyard.history.models import Change
from tests.factories import (
    FeatureFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    member,
    staff,
)

LINK = "**no**, see [docs](https://example.com)"
LINK_HTML = (
    '<p><strong>no</strong>, see <a href="https://example.com" rel="nofollow ugc noopener">'
    "docs</a></p>"
)


def migrated_back_to(migration: str, *, cells: int) -> tuple[type, list[tuple[int, int]]]:
    """Make a grid with `cells` places for a cell (a membership and a feature each), migrate
    the grids back to `migration`, and return its cell model with the places' ids.

    The grid's rows are made first, with today's models: the tables they are in change later
    than the cells' own. `migrate` takes the database's triggers away and puts back those whose
    columns exist."""
    grid = GridFactory(slug="storage")
    places = [
        (GridPackageFactory(grid=grid).pk, FeatureFactory(grid=grid).pk) for _ in range(cells)
    ]
    call_command("migrate", "grids", migration, verbosity=0)
    apps = MigrationExecutor(connection).loader.project_state([("grids", migration)]).apps
    return apps.get_model("grids", "Element"), places


@pytest.fixture
def cell_parts(db):
    grid = GridFactory(slug="storage")
    membership = grid_add_package(grid=grid, package=PackageFactory(title="Alpha"))
    feature = feature_create(grid=grid, title="S3")
    return grid, membership, feature


def test_a_cell_written_through_the_service_stores_its_rendered_html(client, cell_parts):
    """element_set stores the sanitised HTML of the text, and the grid page shows it."""
    _grid, membership, feature = cell_parts

    element = element_set(grid_package=membership, feature=feature, text=LINK)

    element.refresh_from_db()
    assert element.text_html == LINK_HTML == render_markdown(LINK)
    assert LINK_HTML in client.get("/grids/g/storage/").text


def test_editing_a_cell_renders_it_again(cell_parts):
    """A new text replaces the stored HTML; script never gets into it."""
    _grid, membership, feature = cell_parts
    element_set(grid_package=membership, feature=feature, text="*yes*")

    element_set(grid_package=membership, feature=feature, text="`no` <script>x</script>")

    assert (
        Element.objects.get().text_html == "<p><code>no</code> &lt;script&gt;x&lt;/script&gt;</p>"
    )


def test_cells_restored_by_a_revert_are_rendered(cell_parts):
    """Cells that come back with a package or a feature (reverts) have their HTML too."""
    grid, membership, feature = cell_parts
    alice, boss = member("alice"), staff("boss")
    element_set(grid_package=membership, feature=feature, text="*yes*", actor=alice)

    removal = grid_remove_package(grid=grid, package=membership.package, actor=alice)
    grid_change_revert(change=removal, actor=boss)
    assert Element.objects.get().text_html == "<p><em>yes</em></p>"

    deletion = feature_delete(feature=grid.features.get(), actor=alice)
    grid_change_revert(change=deletion, actor=boss)
    assert Element.objects.get().text_html == "<p><em>yes</em></p>"

    element_set(
        grid_package=Element.objects.get().grid_package,
        feature=grid.features.get(),
        text="**changed**",
        actor=alice,
    )
    grid_change_revert(
        change=Change.objects.get(summary__startswith="cell", reverts=None, before__text="*yes*"),
        actor=boss,
    )
    assert Element.objects.get().text_html == "<p><em>yes</em></p>"


@pytest.mark.django_db(transaction=True)
def test_the_migration_renders_the_cells_written_before_it():
    """Migrating to 0003 fills the stored HTML of every existing cell from its text."""
    texts = ["*yes*", LINK, "", "<b>bold</b> [x](javascript:alert(1))"]
    try:
        OldElement, places = migrated_back_to("0002_element_text_html", cells=len(texts))  # noqa: N806
        for (membership_id, feature_id), text in zip(places, texts, strict=True):
            OldElement.objects.create(
                grid_package_id=membership_id, feature_id=feature_id, text=text
            )
        executor = MigrationExecutor(connection)
        executor.migrate([("grids", "0003_element_text_html_render")])
        stored = dict(Element.objects.values_list("text", "text_html"))
    finally:
        call_command("migrate", verbosity=0)

    assert stored == {text: render_markdown(text) for text in texts}
    assert stored[LINK] == LINK_HTML
    assert stored[""] == ""


def test_a_cell_edited_in_the_admin_is_rendered_again(admin_client, cell_parts):
    """Saving a cell's text in the admin stores its HTML as the services would."""
    _grid, membership, feature = cell_parts
    element = element_set(grid_package=membership, feature=feature, text="*yes*")

    response = admin_client.post(
        f"/admin/grids/element/{element.pk}/change/",
        {"grid_package": membership.pk, "feature": feature.pk, "text": LINK},
    )

    assert response.status_code == 302
    element.refresh_from_db()
    assert (element.text, element.text_html) == (LINK, LINK_HTML)


@pytest.mark.django_db(transaction=True)
def test_the_migration_draws_the_marks_of_cells_written_before_them():
    """Migrating to 0005 stores a tick, cross or question mark for `+`, `No`, `?` cells written
    before marks existed; other cells keep their HTML."""
    texts = ["+", " No ", "?", "*yes*", "yes, with Redis"]
    try:
        OldElement, places = migrated_back_to("0004_element_version", cells=len(texts))  # noqa: N806
        for (membership_id, feature_id), text in zip(places, texts, strict=True):
            OldElement.objects.create(
                grid_package_id=membership_id,
                feature_id=feature_id,
                text=text,
                text_html=render_markdown(text),
            )
        executor = MigrationExecutor(connection)
        executor.migrate([("grids", "0005_element_marks")])
        stored = dict(Element.objects.values_list("text", "text_html"))
    finally:
        call_command("migrate", verbosity=0)

    assert 'aria-label="Yes"' in stored["+"]
    assert 'aria-label="No"' in stored[" No "]
    assert 'aria-label="Unknown"' in stored["?"]
    assert stored["*yes*"] == "<p><em>yes</em></p>"
    assert stored["yes, with Redis"] == render_markdown("yes, with Redis")
