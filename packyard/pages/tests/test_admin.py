"""Tests that every admin page of every registered model opens for a superuser."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from packyard.importer.models import ImportRun, RecordKind, UpstreamRecord
from packyard.refresh.models import FetchState, FetchStatus, Source
from tests.factories import (
    CategoryFactory,
    ElementFactory,
    FetchedPackageFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db

# Every model the admin site registers, ours and Django's and django-tasks-db's.
REGISTERED = sorted(model._meta.label for model in admin.site._registry)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash the superuser's password cheaply; the default hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rows(admin_user):
    """Create at least one row of every registered model, so lists, filters and forms have data."""
    package = FetchedPackageFactory(archived_at=timezone.now(), pypi_version="1.0")
    ReleaseFactory(package=package, version="1.0", development_status="Beta")
    ElementFactory(grid_package__package=package, grid_package__grid__header=True)
    # Related-object filters (category, grid) appear only when there are two choices.
    other = FetchedPackageFactory(category=CategoryFactory(title="Storage", slug="storage"))
    ElementFactory(grid_package__package=other)
    UpstreamRecord.objects.create(
        source="https://djangopackages.org/api/v4/",
        kind=RecordKind.PACKAGE,
        upstream_id=7,
        object_id=package.pk,
        digest="0" * 64,
        imported_at=timezone.now(),
    )
    ImportRun.objects.create(
        source="https://djangopackages.org/api/v4/", kind=RecordKind.GRID, started_at=timezone.now()
    )
    FetchState.objects.create(
        package=package, source=Source.REPOSITORY, status=FetchStatus.FAILING, last_error="500"
    )
    FetchState.objects.create(package=other, source=Source.PYPI, status=FetchStatus.OK)
    group = Group.objects.create(name="Editors")
    admin_user.groups.add(group)
    # Accounts and the history of edits (packyard.accounts, packyard.history).
    from tests.factories import community_rows

    community_rows(package=package, other=other, user=admin_user)
    # Compatibility answers, scores, dependencies, advisories, status (packyard.scoring).
    from tests.factories import scoring_rows

    scoring_rows(package=package, other=other)
    # The daily record of support per release (packyard.compatibility).
    from packyard.compatibility.services import support_snapshot_record

    support_snapshot_record(day=timezone.localdate())
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="packyard.example.tasks.example_task",
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
    )


def model_admin_of(label: str) -> admin.ModelAdmin:
    """Return the ModelAdmin registered for a model label such as "catalog.Package"."""
    return next(
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.label == label
    )


def admin_url(label: str, view: str, *args) -> str:
    """Return the URL of one admin view of a model."""
    meta = model_admin_of(label).model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def test_every_model_of_the_project_is_registered():
    """The admin manages every Packyard model."""
    assert {
        "catalog.Category",
        "catalog.Package",
        "catalog.Release",
        "grids.Grid",
        "grids.GridPackage",
        "grids.Feature",
        "grids.Element",
        "importer.UpstreamRecord",
        "importer.ImportRun",
        "refresh.FetchState",
    } <= set(REGISTERED)


@pytest.mark.parametrize("label", REGISTERED)
@pytest.mark.usefixtures("rows")
def test_changelist_opens_with_a_search_and_each_filter(admin_client, label):
    """A model's changelist opens plain, with `?q=x`, and with every choice of every filter."""
    url = admin_url(label, "changelist")

    plain = admin_client.get(url)
    assert plain.status_code == 200
    assert plain.context["cl"].result_count >= 1
    assert admin_client.get(url, {"q": "x"}).status_code == 200

    query_strings = [
        choice["query_string"]
        for spec in plain.context["cl"].filter_specs
        for choice in spec.choices(plain.context["cl"])
    ]
    if model_admin_of(label).date_hierarchy:
        query_strings.append(f"?{model_admin_of(label).date_hierarchy}__year={timezone.now().year}")
    for query_string in query_strings:
        response = admin_client.get(url + query_string)
        assert response.status_code == 200, query_string
        # A filter the admin did not understand redirects with "?e=1" instead of listing.
        assert "e=1" not in response.get("Location", "")


@pytest.mark.parametrize("label", REGISTERED)
@pytest.mark.usefixtures("rows")
def test_change_form_opens(admin_client, label):
    """Each model's change form opens for an existing row."""
    row = model_admin_of(label).model._default_manager.first()

    response = admin_client.get(admin_url(label, "change", row.pk))

    assert response.status_code == 200


@pytest.mark.parametrize("label", REGISTERED)
def test_add_form_opens_where_adding_is_allowed(admin_client, admin_user, label):
    """Each model's add form opens; a model whose admin forbids adding answers 403."""
    request = RequestFactory().get("/")
    request.user = admin_user
    allowed = model_admin_of(label).has_add_permission(request)

    response = admin_client.get(admin_url(label, "add"))

    assert response.status_code == (200 if allowed else 403)


def test_only_task_results_forbid_adding(admin_user):
    """Every model can be added in the admin but task results, the history and derived rows."""
    request = RequestFactory().get("/")
    request.user = admin_user

    forbidden = [
        label for label in REGISTERED if not model_admin_of(label).has_add_permission(request)
    ]

    # Derived rows (answers, scores, snapshots, dependencies) are written by services only.
    assert forbidden == [
        "compatibility.PackageCompatibility",
        "compatibility.SupportSnapshot",
        "django_tasks_database.DBTaskResult",
        "history.Change",
        "scoring.Dependency",
        "scoring.PackageScore",
        "scoring.ScoreSnapshot",
    ]


def test_a_cell_changed_in_the_admin_moves_its_version_on(admin_client):
    """An edit in the admin counts as a save: an editor opened before it is told of the change."""
    element = ElementFactory(text="old")
    before = element.version

    response = admin_client.post(
        admin_url("grids.Element", "change", element.pk),
        {"grid_package": element.grid_package_id, "feature": element.feature_id, "text": "new"},
    )

    assert response.status_code == 302
    element.refresh_from_db()
    assert (element.text, element.version) == ("new", before + 1)
