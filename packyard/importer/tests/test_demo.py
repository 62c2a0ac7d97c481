"""Importing djangopackages.org records and loading the demo directory."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from packyard.catalog.models import Category, Package
from packyard.core.repositories import RepositoryHost
from packyard.grids.models import Element, Feature, Grid, GridPackage
from packyard.importer.demo import DEMO_FEATURES, DEMO_SOURCE, demo_load
from packyard.importer.models import RecordKind, UpstreamRecord
from packyard.importer.records import RecordError
from packyard.importer.services import (
    ImportSummary,
    category_import,
    grid_import,
    package_import,
    pypi_name_from_url,
    record_import,
)
from tests.factories import CategoryFactory, PackageFactory

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[1] / "demo"
SOURCE = "https://djangopackages.org/api/v4/"


def demo_records(name):
    """Return the records of one demo file."""
    with (DEMO / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def demo_record(name, **match):
    """Return the first demo record whose fields equal `match`."""
    return next(
        record
        for record in demo_records(name)
        if all(record[key] == value for key, value in match.items())
    )


def trailing_id(link):
    """Return the id at the end of an API link."""
    return int(link.rstrip("/").rsplit("/", 1)[1])


def snapshot():
    """Return every imported row, field by field, to compare before and after."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Category, Grid, Package, GridPackage, Feature, Element)
    }


@pytest.fixture
def categories():
    """Import the demo categories from the upstream source."""
    for data in demo_records("categories.jsonl"):
        category_import(source=SOURCE, data=data)


@pytest.fixture(scope="class")
def loaded_demo(django_db_setup, django_db_blocker):
    """Load the demo once for a class of tests and roll it back after the last one.

    Each test still runs in its own savepoint, so what one test writes the next does not see.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load()
        transaction.set_rollback(True)


# --- The demo -----------------------------------------------------------------------------------


class TestLoadedDemo:
    """The demo directory, loaded once for these tests."""

    def test_demo_load_imports_every_record(self, loaded_demo):
        """The demo holds 111 packages, 78 grids and 4 categories, and every record imports."""
        assert Package.objects.count() == 111
        assert Grid.objects.count() == 78
        assert Category.objects.count() == 4
        assert loaded_demo.failures == []
        assert (loaded_demo.created, loaded_demo.updated, loaded_demo.unchanged) == (193, 0, 0)
        assert str(loaded_demo) == "193 created, 0 updated, 0 unchanged, 0 failed"

    def test_demo_packages_keep_their_upstream_ids(self, loaded_demo):
        """Each package keeps the id djangopackages.org gave it, so /api/v4/ answers the same."""
        records = {data["id"]: data for data in demo_records("packages.jsonl")}

        stored = dict(Package.objects.values_list("id", "slug"))

        assert stored == {record_id: data["slug"] for record_id, data in records.items()}

    def test_demo_grids_and_categories_keep_their_upstream_ids(self, loaded_demo):
        """Grids and categories keep their record ids too."""
        assert set(Grid.objects.values_list("id", "slug")) == {
            (data["id"], data["slug"]) for data in demo_records("grids.jsonl")
        }
        assert set(Category.objects.values_list("id", "slug")) == {
            (data["id"], data["slug"]) for data in demo_records("categories.jsonl")
        }

    def test_demo_grid_memberships_match_the_records(self, loaded_demo):
        """A package is in exactly the grids its record links to."""
        expected = {
            (trailing_id(link), data["id"])
            for data in demo_records("packages.jsonl")
            for link in data["grids"]
        }

        assert set(GridPackage.objects.values_list("grid_id", "package_id")) == expected

    def test_demo_packages_are_in_their_categories(self, loaded_demo):
        """Each package sits in the category its record links to."""
        expected = {
            (data["id"], trailing_id(data["category"])) for data in demo_records("packages.jsonl")
        }

        assert set(Package.objects.values_list("id", "category_id")) == expected

    @pytest.mark.parametrize("slug", ["sorethumb", "django-paddle-subscriptions"])
    def test_demo_packages_off_code_hosts_have_no_facts(self, loaded_demo, slug):
        """A package on code.google.com or a shop page shows facts as not fetched, never 0."""
        package = Package.objects.get(slug=slug)

        assert package.repo_host == RepositoryHost.OTHER
        assert package.is_host_supported is False
        assert package.stars is None
        assert package.forks is None
        assert package.commits_over_52 is None
        assert package.commits_last_year is None
        assert package.contributors is None
        assert package.last_commit_at is None

    def test_demo_unsupported_hosts_still_get_a_repository_key(self, loaded_demo):
        """An address off the code hosts keeps a lower-case key, so it cannot be listed twice."""
        package = Package.objects.get(slug="sorethumb")

        assert package.repo_url == "http://code.google.com/p/sorethumb/"
        assert package.repo_key == "code.google.com/p/sorethumb"

    def test_demo_github_packages_keep_their_facts(self, loaded_demo):
        """A GitHub package keeps its stars, forks, weeks and contributors from the record."""
        data = demo_record("packages.jsonl", slug="django-cache-machine")

        package = Package.objects.get(slug="django-cache-machine")

        assert package.repo_host == RepositoryHost.GITHUB
        assert package.repo_key == "github.com/django-cache-machine/django-cache-machine"
        assert package.stars == data["repo_watchers"] == 885
        assert package.forks == data["repo_forks"] == 160
        assert package.commits_over_52 == data["commits_over_52"]
        assert package.contributors == data["participants"]
        assert package.pypi_version == "1.2.0"
        assert package.pypi_name == "django-cache-machine"

    def test_demo_quiet_github_package_shows_zero_not_missing(self, loaded_demo):
        """A fetched package with a quiet year shows 0 commits, not "not fetched"."""
        package = Package.objects.get(slug="servertail")

        assert package.commits_over_52 == [0] * 52
        assert package.commits_last_year == 0
        assert package.stars == 49

    def test_demo_hosts_are_recognised(self, loaded_demo):
        """The demo's packages sit on GitHub, Bitbucket and GitLab, except two elsewhere."""
        hosts = {
            host: Package.objects.filter(repo_host=host).count() for host in RepositoryHost.values
        }

        assert hosts[RepositoryHost.BITBUCKET] == 16
        assert hosts[RepositoryHost.GITLAB] == 2
        assert hosts[RepositoryHost.OTHER] == 2
        assert hosts[RepositoryHost.GITHUB] == 111 - 16 - 2 - 2

    def test_demo_records_keep_their_upstream_times(self, loaded_demo):
        """Created and modified are the record's, not the time of the import."""
        package = Package.objects.get(slug="servertail")

        assert package.created.isoformat() == "2010-08-16T08:30:33.799947+00:00"
        assert package.modified.isoformat() == "2026-01-28T18:22:04.463721+00:00"

    def test_demo_features_fill_the_permissions_grid(self, loaded_demo):
        """The "permissions" grid gets its demo features, in order, and their cells."""
        spec = json.loads(DEMO_FEATURES.read_text(encoding="utf-8"))["permissions"]
        grid = Grid.objects.get(slug="permissions")

        features = list(grid.features.order_by("position"))

        assert [feature.title for feature in features] == [item["title"] for item in spec]
        assert [feature.position for feature in features] == [0, 1, 2]
        cells = {
            (element.feature.title, element.grid_package.package.slug): element.text
            for element in Element.objects.filter(feature__grid=grid).select_related(
                "feature", "grid_package__package"
            )
        }
        assert cells == {
            (item["title"], slug): text for item in spec for slug, text in item["cells"].items()
        }
        assert cells[("Object-level permissions", "django-authority")] == "Yes, per object"

    def test_demo_features_only_go_to_their_grids(self, loaded_demo):
        """Grids without demo features have none."""
        spec = json.loads(DEMO_FEATURES.read_text(encoding="utf-8"))
        with_features = {slug for slug in spec if not slug.startswith("_")}

        assert set(Grid.objects.filter(features__isnull=False).values_list("slug", flat=True)) == (
            with_features
        )

    def test_demo_load_again_changes_nothing(self, loaded_demo):
        """Loading the demo a second time reports every record unchanged and writes no row."""
        before = snapshot()

        summary = demo_load()

        assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 193)
        assert summary.failures == []
        assert snapshot() == before

    def test_importing_the_same_record_again_is_unchanged(self, loaded_demo):
        """Each demo record imported again answers "unchanged"."""
        for data in demo_records("categories.jsonl"):
            assert category_import(source=DEMO_SOURCE, data=data) == "unchanged"
        for data in demo_records("grids.jsonl"):
            assert grid_import(source=DEMO_SOURCE, data=data) == "unchanged"
        for data in demo_records("packages.jsonl"):
            assert package_import(source=DEMO_SOURCE, data=data) == "unchanged"

    def test_demo_load_remembers_every_record(self, loaded_demo):
        """Every imported record is remembered with the row it became."""
        remembered = UpstreamRecord.objects.filter(source=DEMO_SOURCE)

        assert remembered.count() == 193
        assert all(record.upstream_id == record.object_id for record in remembered)

    def test_new_rows_after_the_demo_get_fresh_ids(self, loaded_demo):
        """A package, grid or category added after the demo gets an id above the imported ones."""
        highest_package = max(data["id"] for data in demo_records("packages.jsonl"))
        highest_grid = max(data["id"] for data in demo_records("grids.jsonl"))

        package = PackageFactory(slug="brand-new", category=Category.objects.get(slug="apps"))
        grid = Grid.objects.create(title="Brand new", slug="brand-new")
        category = Category.objects.create(title="Tool", slug="tools")

        assert package.id > highest_package
        assert grid.id > highest_grid
        assert category.id > 4

    def test_a_changed_record_updates_only_its_package(self, loaded_demo):
        """A record with new facts updates that package and no other row."""
        data = demo_record("packages.jsonl", slug="django-cache-machine")
        before = snapshot()
        data["repo_watchers"] = 900

        outcome = package_import(source=DEMO_SOURCE, data=data)

        assert outcome == "updated"
        after = snapshot()
        changed = [
            (name, old)
            for name in before
            for old, new in zip(before[name], after[name], strict=True)
            if old != new
        ]
        assert [(name, row["slug"]) for name, row in changed] == [
            ("Package", "django-cache-machine")
        ]
        assert Package.objects.get(slug="django-cache-machine").stars == 900

    def test_a_changed_grid_list_updates_memberships(self, loaded_demo):
        """A record that leaves a grid and joins another moves its package."""
        data = demo_record("packages.jsonl", slug="servertail")
        data["grids"] = ["https://djangopackages.org/api/v4/grids/59/"]

        assert package_import(source=DEMO_SOURCE, data=data) == "updated"

        package = Package.objects.get(slug="servertail")
        assert list(package.grid_memberships.values_list("grid__slug", flat=True)) == [
            "permissions"
        ]


# --- The management command --------------------------------------------------------------------


def test_load_demo_command_loads_and_reports():
    """`load_demo` on an empty database loads the demo and prints what it did."""
    out, err = io.StringIO(), io.StringIO()

    call_command("load_demo", stdout=out, stderr=err)

    assert "Demo data: 193 created, 0 updated, 0 unchanged, 0 failed." in out.getvalue()
    assert Package.objects.count() == 111


def test_load_demo_command_skips_a_database_with_packages():
    """`load_demo` a second time says it skipped and loads nothing."""
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    before = snapshot()
    out = io.StringIO()

    call_command("load_demo", stdout=out, stderr=io.StringIO())

    assert out.getvalue() == "Demo data: the directory already holds packages; nothing loaded.\n"
    assert snapshot() == before


def test_load_demo_command_with_force_loads_again():
    """`load_demo --force` imports again, finding every record unchanged."""
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()

    call_command("load_demo", "--force", stdout=out, stderr=io.StringIO())

    assert "0 created, 0 updated, 193 unchanged, 0 failed" in out.getvalue()


# --- Importing records one by one ---------------------------------------------------------------


def test_a_bad_record_is_reported_and_the_others_import(categories):
    """A record with a bad field is named in the failures; nothing of it is written."""
    good = demo_record("packages.jsonl", slug="servertail")
    bad = demo_record("packages.jsonl", slug="django-publicmanager")
    bad["commits_over_52"] = bad["commits_over_52"][:51]
    summary = ImportSummary()

    record_import(
        source=SOURCE, kind=RecordKind.PACKAGE, place="packages.jsonl:1", data=bad, summary=summary
    )
    record_import(
        source=SOURCE, kind=RecordKind.PACKAGE, place="packages.jsonl:2", data=good, summary=summary
    )

    assert summary.failures == [
        "package django-publicmanager at packages.jsonl:1: commits_over_52: "
        "expected 52 weekly counts or an empty list"
    ]
    assert (summary.created, summary.done) == (1, 1)
    assert str(summary) == "1 created, 0 updated, 0 unchanged, 1 failed"
    assert list(Package.objects.values_list("slug", flat=True)) == ["servertail"]
    assert not UpstreamRecord.objects.filter(upstream_id=bad["id"]).exists()


def test_a_record_refused_after_reading_leaves_no_half_written_rows(categories):
    """A record refused while being stored leaves no package, membership or memory of it."""
    grid_import(source=SOURCE, data=demo_record("grids.jsonl", id=30))
    holder = PackageFactory(
        slug="holder",
        category=Category.objects.get(pk=1),
        repo_key="github.com/gregmuellegger/django-publicmanager",
    )
    data = demo_record("packages.jsonl", slug="django-publicmanager")
    before = snapshot()
    summary = ImportSummary()

    record_import(
        source=SOURCE, kind=RecordKind.PACKAGE, place="p.jsonl:2", data=data, summary=summary
    )

    assert summary.failures == [
        "package django-publicmanager at p.jsonl:2: repo_url: "
        "https://github.com/gregmuellegger/django-publicmanager is already the repository of "
        "'holder'"
    ]
    assert snapshot() == before
    assert not UpstreamRecord.objects.filter(kind=RecordKind.PACKAGE).exists()
    assert holder.grid_memberships.count() == 0


def test_a_package_cannot_take_another_packages_repository(categories):
    """A record whose repository is already another package's is refused on repo_url."""
    PackageFactory(
        slug="django-tagging-original",
        category=Category.objects.get(pk=1),
        repo_url="https://github.com/Jazzband/Django-Tagging",
        repo_key="github.com/jazzband/django-tagging",
    )
    data = demo_record("packages.jsonl", slug="servertail")
    data["repo_url"] = "git@github.com:jazzband/django-tagging.git"

    with pytest.raises(RecordError) as raised:
        package_import(source=SOURCE, data=data)

    assert raised.value.field == "repo_url"
    assert "'django-tagging-original'" in raised.value.reason
    assert not Package.objects.filter(slug="servertail").exists()


def test_a_package_record_needs_its_category(db):
    """A package whose category was never imported is refused on category."""
    data = demo_record("packages.jsonl", slug="servertail")

    with pytest.raises(RecordError) as raised:
        package_import(source=SOURCE, data=data)

    assert raised.value.field == "category"
    assert Package.objects.count() == 0


def test_links_to_grids_not_imported_are_skipped(categories):
    """A package linking to a grid that was never imported imports without that membership."""
    data = demo_record("packages.jsonl", slug="servertail")

    assert package_import(source=SOURCE, data=data) == "created"

    assert GridPackage.objects.count() == 0


def test_an_imported_package_found_by_slug_is_updated_not_duplicated(categories):
    """A record whose slug is already a local package updates that package."""
    existing = PackageFactory(
        slug="servertail",
        category=Category.objects.get(pk=1),
        repo_key="github.com/ericflo/servertail",
    )
    data = demo_record("packages.jsonl", slug="servertail")

    assert package_import(source=SOURCE, data=data) == "updated"

    assert Package.objects.count() == 1
    assert Package.objects.get().id == existing.id
    assert UpstreamRecord.objects.get(kind=RecordKind.PACKAGE).object_id == existing.id


def test_a_taken_id_is_not_reused(categories):
    """A record whose id belongs to another local package gets a new id instead."""
    data = demo_record("packages.jsonl", slug="servertail")
    other = PackageFactory(id=data["id"], slug="other", category=Category.objects.get(pk=1))

    package_import(source=SOURCE, data=data)

    package = Package.objects.get(slug="servertail")
    assert package.id != other.id
    assert UpstreamRecord.objects.get(kind=RecordKind.PACKAGE, upstream_id=13).object_id == (
        package.id
    )


def test_a_package_with_an_overlong_pypi_name_is_reported(categories):
    """A PyPI URL naming a project too long to store is reported on pypi_url, not a crash."""
    data = demo_record("packages.jsonl", slug="servertail")
    data["pypi_url"] = "https://pypi.org/project/" + "x" * 250 + "/"
    summary = ImportSummary()

    record_import(
        source=SOURCE, kind=RecordKind.PACKAGE, place="p.jsonl:1", data=data, summary=summary
    )

    assert len(summary.failures) == 1
    assert summary.failures[0].startswith("package servertail at p.jsonl:1: pypi_url: ")
    assert Package.objects.count() == 0


def test_an_imported_package_page_links_work(categories):
    """Every imported package and category can be linked to (its slug fits the URL)."""
    package_import(source=SOURCE, data=demo_record("packages.jsonl", slug="servertail"))

    package = Package.objects.get()

    assert package.get_absolute_url() == "/packages/p/servertail/"
    assert package.category.get_absolute_url() == "/categories/projects/"


@pytest.mark.parametrize(
    ("data", "failure"),
    [
        (
            json.JSONDecodeError("Expecting value", "x", 0),
            "package at p.jsonl:3: not valid JSON (Expecting value)",
        ),
        (["not", "an", "object"], "package at p.jsonl:3: expected a JSON object"),
        (
            {"id": 5, "slug": "no-fields"},
            "package no-fields at p.jsonl:3: commits_over_52: missing",
        ),
        ({"id": 5}, "package 5 at p.jsonl:3: commits_over_52: missing"),
    ],
)
def test_record_import_reports_unreadable_records(db, data, failure):
    """A line that is not JSON, not an object or not a package is reported with its place."""
    summary = ImportSummary()

    record_import(
        source=SOURCE, kind=RecordKind.PACKAGE, place="p.jsonl:3", data=data, summary=summary
    )

    assert summary.failures == [failure]
    assert summary.done == 0


def test_category_import_creates_then_updates(db):
    """A category is created, unchanged when seen again, and updated when it changes."""
    data = demo_record("categories.jsonl", slug="apps")

    assert category_import(source=SOURCE, data=data) == "created"
    assert category_import(source=SOURCE, data=data) == "unchanged"
    assert category_import(source=SOURCE, data={**data, "title_plural": "Applications"}) == (
        "updated"
    )
    assert Category.objects.get(pk=1).title_plural == "Applications"


def test_category_import_takes_over_a_local_category_with_its_slug(db):
    """A record whose slug is already a local category updates that category."""
    local = CategoryFactory(slug="apps", title="Applications")

    assert category_import(source=SOURCE, data=demo_record("categories.jsonl", slug="apps")) == (
        "updated"
    )

    local.refresh_from_db()
    assert local.title == "App"
    assert Category.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://pypi.python.org/pypi/django-publicmanager", "django-publicmanager"),
        ("https://pypi.org/project/django-cache-machine", "django-cache-machine"),
        ("https://pypi.org/project/django-cache-machine/", "django-cache-machine"),
        ("https://www.pypi.org/project/Django_Thing/?x=1", "Django_Thing"),
        ("", ""),
        ("https://example.com/project/x", ""),
    ],
)
def test_pypi_name_from_url_reads_each_served_shape(url, name):
    """The PyPI name is read from every PyPI URL shape the service serves."""
    assert pypi_name_from_url(url) == name


def test_a_slug_match_with_another_repository_is_refused(categories):
    """A record is not merged into a local package that only shares its slug."""
    PackageFactory(
        slug="servertail",
        category=Category.objects.get(pk=1),
        repo_url="https://github.com/someone-else/servertail",
        repo_key="github.com/someone-else/servertail",
    )
    data = demo_record("packages.jsonl", slug="servertail")

    with pytest.raises(RecordError) as raised:
        package_import(source=SOURCE, data=data)

    assert raised.value.field == "slug"
    assert Package.objects.get().repo_key == "github.com/someone-else/servertail"


def test_a_reimport_keeps_peoples_edits_and_fresher_facts(categories, django_user_model):
    """A changed upstream record does not undo a person's edit or bring back older facts."""
    data = demo_record("packages.jsonl", slug="servertail")
    package_import(source=SOURCE, data=data)
    editor = django_user_model.objects.create(username="editor")
    fresher = Package.objects.get().last_fetched_at + dt.timedelta(days=30)
    Package.objects.update(
        description="Written here.", last_modified_by=editor, stars=999, last_fetched_at=fresher
    )

    changed = {**data, "repo_description": "Changed upstream.", "repo_watchers": 1}
    assert package_import(source=SOURCE, data=changed) in {"updated", "unchanged"}

    package = Package.objects.get()
    assert package.description == "Written here."
    assert (package.stars, package.last_fetched_at) == (999, fresher)
