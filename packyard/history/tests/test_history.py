"""The history of edits: every change recorded with who, when, before → after; readable diffs
on the history pages; staff revert a change in one click, and the revert is a change too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from packyard.catalog.models import Category
from packyard.catalog.services import package_change_revert, package_create, package_update
from packyard.grids.models import Element, GridPackage
from packyard.grids.services import (
    element_set,
    feature_create,
    feature_delete,
    feature_move,
    feature_update,
    grid_add_package,
    grid_change_revert,
    grid_create,
    grid_remove_package,
    grid_update,
)
from packyard.history.models import Action, Change, Subject
from packyard.history.templatetags.history import change_diff, word_diff
from tests.factories import CategoryFactory, GridFactory, PackageFactory, member, staff

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
def alice():
    return member("alice")


@pytest.fixture
def boss():
    return staff("boss")


def test_an_edit_records_who_when_and_only_the_changed_fields(alice, time_machine):
    """Changing two fields of a package records one change with both, before and after."""
    time_machine.move_to(NOW, tick=False)
    package = PackageFactory(title="Alpha", slug="alpha", description="Old words.")

    change = package_update(
        package=package,
        actor=alice,
        changes={"title": "Alpha", "description": "New words.", "pypi_name": "alpha-pkg"},
    )

    assert change.actor == alice
    assert change.created == NOW
    assert (change.subject_type, change.subject_id) == (Subject.PACKAGE, package.pk)
    assert change.action == Action.UPDATE
    assert change.before == {"description": "Old words.", "pypi_name": "alpha"}
    assert change.after == {"description": "New words.", "pypi_name": "alpha-pkg"}
    package.refresh_from_db()
    assert package.last_modified_by == alice
    assert package.modified == NOW


def test_an_edit_that_changes_nothing_records_nothing(alice):
    """Saving the same values is no change and leaves the history alone."""
    package = PackageFactory(title="Alpha")

    assert package_update(package=package, actor=alice, changes={"title": "Alpha"}) is None
    assert not Change.objects.exists()


def test_bad_values_raise_naming_the_field_and_save_nothing(alice):
    """A repository on an unknown host, or a slug already used, is refused by field."""
    package = PackageFactory(slug="alpha")
    PackageFactory(slug="bravo")

    with pytest.raises(ValidationError) as error:
        package_update(
            package=package,
            actor=alice,
            changes={"repo_url": "https://example.com/a/b", "slug": "bravo", "title": "New"},
        )

    assert set(error.value.message_dict) == {"repo_url", "slug"}
    package.refresh_from_db()
    assert package.title != "New"
    assert not Change.objects.exists()


def test_a_new_repository_url_is_normalised_with_its_host_and_key(alice):
    """A pasted ssh address is stored as the canonical https URL with its key."""
    package = PackageFactory(slug="alpha")

    package_update(
        package=package, actor=alice, changes={"repo_url": "git@gitlab.com:Group/Alpha.git"}
    )

    package.refresh_from_db()
    assert (package.repo_url, package.repo_host, package.repo_key) == (
        "https://gitlab.com/Group/Alpha",
        "gitlab",
        "gitlab.com/group/alpha",
    )


def test_adding_a_package_is_recorded_with_everything_it_was_given(alice):
    """A new package's history starts with who added it and its first values."""
    category = CategoryFactory()

    package = package_create(
        actor=alice,
        repo_url="https://github.com/me/django-new",
        title="django-new",
        slug="django-new",
        category=category,
        pypi_name="django-new",
    )

    [change] = Change.objects.all()
    assert change.action == Action.CREATE
    assert change.after["repo_url"] == "https://github.com/me/django-new"
    assert change.labels == {"category": {"after": category.title}}
    assert package.created_by == alice
    assert not change.is_revertable


def test_reverting_a_package_change_sets_the_fields_back_and_is_recorded(alice, boss):
    """Staff undo a change: the old values return, and the undo names the change it undid."""
    package = PackageFactory(title="Alpha", description="Good.")
    vandalism = package_update(
        package=package, actor=alice, changes={"title": "Spam", "description": "Buy now."}
    )

    revert = package_change_revert(change=vandalism, actor=boss)

    package.refresh_from_db()
    assert (package.title, package.description) == ("Alpha", "Good.")
    assert revert.reverts == vandalism
    assert revert.actor == boss
    assert revert.before == {"title": "Spam", "description": "Buy now."}
    assert Change.objects.with_revert_state().get(pk=vandalism.pk).is_reverted
    with pytest.raises(ValidationError, match="already reverted"):
        package_change_revert(change=vandalism, actor=boss)


def test_a_revert_is_refused_when_the_field_changed_again(alice, boss):
    """An older change is not undone over a newer one: revert the later change first."""
    package = PackageFactory(title="Alpha")
    first = package_update(package=package, actor=alice, changes={"title": "Beta"})
    package_update(package=package, actor=alice, changes={"title": "Gamma"})

    with pytest.raises(ValidationError, match="title changed again since"):
        package_change_revert(change=first, actor=boss)
    package.refresh_from_db()
    assert package.title == "Gamma"


def test_reverting_a_category_and_replacement_change_restores_both(alice, boss):
    """Foreign keys come back too, and the history labels them by title."""
    old = CategoryFactory(title="App", slug="apps")
    new = Category.objects.create(title="Framework", slug="frameworks")
    replacement = PackageFactory(title="Newer")
    package = PackageFactory(title="Older", category=old)
    change = package_update(
        package=package,
        actor=alice,
        changes={"category": new, "replaced_by": replacement, "deprecated_at": NOW},
    )

    assert change.labels["category"] == {"before": "App", "after": "Framework"}
    assert change.labels["replaced_by"] == {"before": "", "after": "Newer"}
    package_change_revert(change=change, actor=boss)

    package.refresh_from_db()
    assert (package.category, package.replaced_by, package.deprecated_at) == (old, None, None)


def test_every_grid_edit_is_recorded_in_the_grids_history(alice):
    """Creating, editing, adding and removing packages, features and cells: all recorded."""
    grid = grid_create(actor=alice, title="Storage", slug="storage")
    package = PackageFactory(title="Alpha")
    grid_update(grid=grid, actor=alice, changes={"description": "Where files go."})
    membership = grid_add_package(grid=grid, package=package, actor=alice)
    feature = feature_create(grid=grid, title="S3", actor=alice)
    feature_create(grid=grid, title="Azure", actor=alice)
    feature_update(feature=feature, actor=alice, changes={"title": "Amazon S3"})
    element_set(grid_package=membership, feature=feature, text="yes", actor=alice)
    feature_move(feature=feature, direction="down", actor=alice)
    grid_remove_package(grid=grid, package=package, actor=alice)

    summaries = [
        (change.get_action_display(), change.summary)
        for change in Change.objects.of_subject(Subject.GRID, grid.pk).order_by("id")
    ]
    assert summaries == [
        ("added", "grid Storage"),
        ("changed", "grid Storage"),
        ("added", "package Alpha"),
        ("added", "feature S3"),
        ("added", "feature Azure"),
        ("changed", "feature Amazon S3"),
        ("changed", "cell Amazon S3 of Alpha"),
        ("changed", "grid Storage"),
        ("removed", "package Alpha"),
    ]
    assert all(change.actor == alice for change in Change.objects.all())


def test_reverting_a_removed_package_brings_back_its_cells(alice, boss):
    """A package taken out of a grid comes back with the cells it had."""
    grid = GridFactory()
    package = PackageFactory(title="Alpha")
    membership = grid_add_package(grid=grid, package=package, actor=alice)
    feature = feature_create(grid=grid, title="S3", actor=alice)
    element_set(grid_package=membership, feature=feature, text="**yes**", actor=alice)
    removal = grid_remove_package(grid=grid, package=package, actor=alice)

    assert removal.labels["cells"] == {"before": "S3: **yes**"}
    grid_change_revert(change=removal, actor=boss)

    [element] = Element.objects.all()
    assert (element.grid_package.package, element.feature, element.text) == (
        package,
        feature,
        "**yes**",
    )


def test_reverting_a_deleted_feature_brings_back_its_row_and_cells(alice, boss):
    """A deleted feature comes back at its place, with its cells."""
    grid = GridFactory()
    membership = grid_add_package(grid=grid, package=PackageFactory(), actor=alice)
    first = feature_create(grid=grid, title="S3", actor=alice)
    feature_create(grid=grid, title="Azure", actor=alice)
    element_set(grid_package=membership, feature=first, text="yes", actor=alice)
    deletion = feature_delete(feature=first, actor=alice)

    grid_change_revert(change=deletion, actor=boss)

    assert list(grid.features.values_list("title", flat=True)) == ["S3", "Azure"]
    assert Element.objects.get().text == "yes"


@pytest.mark.parametrize("kind", ["cell", "feature", "membership", "order", "grid"])
def test_each_kind_of_grid_change_can_be_reverted(alice, boss, kind):
    """Cells, feature titles, additions, the order of features and the grid's fields revert."""
    grid = GridFactory(title="Storage")
    membership = grid_add_package(grid=grid, package=PackageFactory(), actor=alice)
    feature = feature_create(grid=grid, title="S3", actor=alice)
    other = feature_create(grid=grid, title="Azure", actor=alice)
    element_set(grid_package=membership, feature=feature, text="yes", actor=alice)
    change = {
        "cell": lambda: Change.objects.get(target_type="grids.element"),
        "feature": lambda: feature_update(feature=feature, actor=alice, changes={"title": "X"}),
        "membership": lambda: Change.objects.get(target_type="grids.gridpackage"),
        "order": lambda: feature_move(feature=other, direction="up", actor=alice),
        "grid": lambda: grid_update(grid=grid, actor=alice, changes={"title": "Files"}),
    }[kind]()

    grid_change_revert(change=change, actor=boss)

    grid.refresh_from_db()
    assert grid.title == "Storage"
    assert list(grid.features.values_list("title", flat=True)) == ["S3", "Azure"]
    if kind == "cell":
        assert Element.objects.get().text == ""
    if kind == "membership":
        assert not GridPackage.objects.exists()
    assert Change.objects.filter(reverts=change).count() == 1


def test_a_change_from_another_page_is_not_reverted_there(alice, boss):
    """A package's change cannot be reverted through a grid's history, nor the other way."""
    package_change = package_update(
        package=PackageFactory(), actor=alice, changes={"title": "Other"}
    )

    with pytest.raises(ValidationError, match="not in this grid's history"):
        grid_change_revert(change=package_change, actor=boss)


def test_imports_without_a_person_are_recorded_as_packyards(alice):
    """Services called by the importer (no actor) still record the change, by nobody."""
    grid = GridFactory()
    feature_create(grid=grid, title="S3")

    assert Change.objects.get().actor is None


def test_word_diff_marks_removed_and_added_words_and_escapes_them():
    """Long texts show as a word diff with <del> and <ins>, never raw markup."""
    shown = word_diff("Stores files on <b>S3</b> quickly.", "Stores files on Azure quickly.")

    assert shown == "Stores files on <del>&lt;b&gt;S3&lt;/b&gt;</del><ins>Azure</ins> quickly."


def test_a_diff_names_fields_by_their_labels(alice):
    """The diff of a change shows field labels and readable values, an empty one as (empty)."""
    package = PackageFactory(pypi_name="")
    change = package_update(package=package, actor=alice, changes={"pypi_name": "alpha"})

    [row] = change_diff(change)

    assert (row.label, row.before, row.after, row.words) == ("PyPI name", "(empty)", "alpha", None)
