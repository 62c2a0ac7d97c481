"""The index follows every change at once, whichever code writes, and can be rebuilt."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from packyard.catalog.models import Category, Package
from packyard.grids.models import Grid, GridPackage
from packyard.search import schema
from packyard.search.checks import check_search_triggers
from packyard.search.query import parse_query
from packyard.search.selectors import grids_search
from packyard.search.signals import triggers_on_after_migrations
from packyard.search.tests.conftest import make_package, titles
from tests.factories import CategoryFactory, GridFactory, GridPackageFactory, PackageFactory

pytestmark = pytest.mark.django_db


def grid_titles(text):
    return [hit.grid.title for hit in grids_search(query=parse_query(text, max_length=200)).hits]


def test_a_package_added_is_found_at_once():
    """A package created through the ORM is found by its name in the same transaction."""
    make_package("django-zebra-stripes")

    assert titles("zebra") == ["django-zebra-stripes"]


def test_a_renamed_package_is_found_by_its_new_name_only():
    """After a rename the old name finds nothing and the new one finds the package."""
    package = make_package("django-oldname")
    package.title = "django-newname"
    package.slug = "django-newname"
    package.pypi_name = "django-newname"
    package.description = "Renamed."
    package.save()

    assert titles("oldname") == []
    assert titles("newname") == ["django-newname"]


def test_an_edited_description_is_searched_at_once():
    """Words added to a description are found; words taken out are not."""
    package = make_package("plainpkg", description="Handles invoices.")
    Package.objects.filter(pk=package.pk).update(description="Handles receipts.")

    assert titles("receipts") == ["plainpkg"]
    assert titles("invoices") == []


def test_a_removed_package_is_not_found():
    """Deleting a package (with its grid memberships) removes it from the index."""
    package = make_package("django-goner")
    GridPackageFactory(package=package)
    package.delete()

    assert titles("goner") == []


def test_bulk_writes_are_indexed_too():
    """bulk_create and queryset.update (the importer's and refresh's paths) reach the index."""
    category = CategoryFactory()
    Package.objects.bulk_create(
        [
            Package(title=f"bulk-{n}", slug=f"bulk-{n}", category=category, pypi_name="")
            for n in range(3)
        ]
    )
    Package.objects.filter(slug="bulk-1").update(pypi_summary="Renders sparkles.")

    assert sorted(titles("bulk")) == ["bulk-0", "bulk-1", "bulk-2"]
    assert titles("sparkles") == ["bulk-1"]


def test_grid_titles_and_memberships_reach_their_packages():
    """A package is found by its grid's title, follows a renamed grid, and leaves with it."""
    package = make_package("plainname")
    grid = GridFactory(title="Payment gateways")
    membership = GridPackageFactory(grid=grid, package=package)

    assert titles("gateways") == ["plainname"]
    Grid.objects.filter(pk=grid.pk).update(title="Billing providers")
    assert titles("gateways") == []
    assert titles("billing") == ["plainname"]
    membership.delete()
    assert titles("billing") == []


def test_grids_are_found_renamed_and_removed():
    """A grid is searchable by title and description, and gone once deleted."""
    grid = GridFactory(title="Task queues", description="Background jobs.")

    assert grid_titles("queues") == ["Task queues"]
    assert grid_titles("background") == ["Task queues"]
    grid.title = "Job runners"
    grid.save()
    assert grid_titles("queues") == []
    grid.delete()
    assert grid_titles("runners") == []


def test_a_renamed_category_reaches_its_packages():
    """Packages are found by their category's new title."""
    category = CategoryFactory(slug="tools", title="Tool")
    PackageFactory(title="thingamajig", category=category)
    Category.objects.filter(pk=category.pk).update(title="Gadget")

    assert titles("gadget") == ["thingamajig"]


def test_contributors_are_searchable_but_bots_are_not():
    """A contributor's login finds the package; "[bot]" accounts add nothing."""
    make_package("widgetry", contributors=["alice-codes", "dependabot[bot]"])

    assert titles("alice-codes") == ["widgetry"]
    assert titles("dependabot") == []


def test_rebuild_search_rebuilds_from_scratch_with_progress():
    """rebuild_search empties and refills the index, shows progress and says what it did."""
    make_package("django-rebuilt")
    GridFactory(title="Rebuilt grids")
    schema.drop_tables(connection)
    output, errors = io.StringIO(), io.StringIO()

    call_command("rebuild_search", stdout=output, stderr=errors)

    assert "Indexed 1 packages and 1 grids" in output.getvalue()
    assert "Indexing packages" in errors.getvalue()
    assert titles("rebuilt") == ["django-rebuilt"]
    assert grid_titles("rebuilt") == ["Rebuilt grids"]


def test_missing_triggers_are_reported_and_put_back_after_migrate():
    """Without its triggers the check warns; the post-migrate step installs them again."""
    schema.uninstall_triggers(connection)

    assert [warning.id for warning in check_search_triggers(databases=["default"])] == [
        "search.W001"
    ]
    triggers_on_after_migrations(using="default", plan=None)
    assert check_search_triggers(databases=["default"]) == []
    make_package("django-after-migrate")
    assert titles("after-migrate") == ["django-after-migrate"]


def test_membership_rows_written_in_bulk_are_indexed():
    """GridPackage.bulk_create (the importer's path) indexes the grid's title on packages."""
    package = make_package("quietpkg")
    grid = GridFactory(title="Spreadsheets")
    GridPackage.objects.bulk_create([GridPackage(grid=grid, package=package)])

    assert titles("spreadsheets") == ["quietpkg"]


def test_migrating_one_app_forward_or_back_never_breaks_migrate(tmp_path):
    """`migrate search` on a new database, and `migrate compatibility zero`, both finish.

    The triggers read the compatibility answers: search's migrations come after that table,
    and while a table they read is gone the triggers wait, with a warning, for the next migrate.
    Run in processes of their own on a new SQLite file, since migrations change the schema.
    """
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'migrations.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }

    def migrate(*arguments):
        return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", "migrate", *arguments, "--no-input"],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )

    only_search = migrate("search")
    assert only_search.returncode == 0, only_search.stderr
    assert "Search triggers not installed" not in only_search.stderr + only_search.stdout
    assert migrate().returncode == 0

    back = migrate("compatibility", "zero")
    assert back.returncode == 0, back.stderr
    assert "Search triggers not installed" in back.stderr + back.stdout
    assert "compatibility_packagecompatibility" in back.stderr + back.stdout

    forward = migrate()
    assert forward.returncode == 0, forward.stderr
    assert "Search triggers not installed" not in forward.stderr + forward.stdout
