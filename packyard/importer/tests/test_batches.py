"""Package records imported in batches end as they would one by one, in fewer queries."""

import copy
import json

import pytest
from django.db import DatabaseError, transaction

from packyard.catalog.models import Category, Package
from packyard.grids.models import GridPackage
from packyard.importer.batches import packages_import
from packyard.importer.models import RecordKind, UpstreamRecord
from packyard.importer.services import (
    ImportSummary,
    category_import,
    grid_import,
    record_import,
)
from packyard.importer.tests.test_demo import SOURCE, demo_records
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    """Import the demo categories and grids, and give a local package for records to meet."""
    for data in demo_records("categories.jsonl"):
        category_import(source=SOURCE, data=data)
    for data in demo_records("grids.jsonl"):
        grid_import(source=SOURCE, data=data)
    PackageFactory(
        slug="holder",
        category=Category.objects.get(pk=1),
        repo_url="https://github.com/ericflo/servertail",
        repo_key="github.com/ericflo/servertail",
    )


def tricky_records():
    """Return demo package records mixed with records that clash, fail or repeat."""
    records = demo_records("packages.jsonl")
    first, second = records[1], records[2]
    same_slug = copy.deepcopy(first) | {"id": 90001}
    same_repo = copy.deepcopy(second) | {"id": 90002, "slug": "a-copy"}
    changed_again = copy.deepcopy(second) | {"title": "Changed in the same batch"}
    unknown_category = copy.deepcopy(first) | {"id": 90003, "slug": "lost", "category": 999}
    long_pypi = copy.deepcopy(first) | {
        "id": 90004,
        "slug": "long-pypi",
        "repo_url": "https://example.com/long-pypi",
        "pypi_url": "https://pypi.org/project/" + "x" * 250 + "/",
    }
    bad = copy.deepcopy(first) | {"id": 90005, "commits_over_52": [1]}
    no_repo = [
        copy.deepcopy(first) | {"id": 90010 + n, "slug": f"no-repo-{n}", "repo_url": ""}
        for n in range(3)
    ]
    return [
        *records[:40],
        same_slug,
        bad,
        "not an object",
        same_repo,
        json.JSONDecodeError("Expecting value", "x", 0),
        changed_again,
        unknown_category,
        *records[40:80],
        long_pypi,
        *no_repo,
        records[5],
        *records[80:],
    ]


def outcome(summary):
    """Return every imported row (ids of memberships and memories aside) and the summary."""
    return {
        "packages": list(Package.objects.order_by("pk").values()),
        "memberships": sorted(GridPackage.objects.values_list("grid_id", "package_id")),
        "remembered": sorted(
            UpstreamRecord.objects.values_list("kind", "upstream_id", "object_id", "digest")
        ),
        "summary": (str(summary), summary.failures),
    }


def import_both_ways(items):
    """Return the outcomes of importing the items one by one, and in a batch, from one start."""
    results = []
    for batched in (False, True):
        with transaction.atomic():
            summary = ImportSummary()
            if batched:
                packages_import(source=SOURCE, items=items, summary=summary)
            else:
                for place, data in items:
                    record_import(
                        source=SOURCE,
                        kind=RecordKind.PACKAGE,
                        place=place,
                        data=data,
                        summary=summary,
                    )
            results.append(outcome(summary))
            transaction.set_rollback(True)
    return results


def test_a_batch_ends_as_the_records_one_by_one(directory):
    """New, repeated, clashing and failing records in one batch: the same rows and report."""
    items = [(f"p.jsonl:{n}", data) for n, data in enumerate(tricky_records(), start=1)]

    one_by_one, batched = import_both_ways(items)

    assert batched == one_by_one
    assert len(one_by_one["summary"][1]) >= 5


def test_a_second_batch_over_the_same_records_ends_as_one_by_one(directory):
    """Unchanged, changed and new records over an earlier import: the same rows and report."""
    records = tricky_records()
    packages_import(
        source=SOURCE,
        items=[(f"p.jsonl:{n}", data) for n, data in enumerate(records, start=1)],
        summary=ImportSummary(),
    )
    records[0] = copy.deepcopy(records[0]) | {"title": "A new title"}
    GridPackage.objects.filter(package_id=records[3]["id"]).delete()
    items = [(f"p.jsonl:{n}", data) for n, data in enumerate(records, start=1)]

    one_by_one, batched = import_both_ways(items)

    assert batched == one_by_one
    # The new title, the membership put back, and the record given twice with two titles.
    assert one_by_one["summary"][0] == "0 created, 3 updated, 113 unchanged, 7 failed"


def test_a_batch_the_database_refuses_is_imported_record_by_record(directory, monkeypatch):
    """When the bulk insert fails, each record is imported alone and all of them are stored."""
    records = demo_records("packages.jsonl")[1:11]
    items = [(f"p.jsonl:{n}", data) for n, data in enumerate(records, start=1)]
    refused = []

    def refuse(*args, **kwargs):
        refused.append(True)
        raise DatabaseError("refused")

    monkeypatch.setattr(UpstreamRecord.objects, "bulk_create", refuse)
    summary = ImportSummary()

    packages_import(source=SOURCE, items=items, summary=summary)

    assert refused
    assert str(summary) == "10 created, 0 updated, 0 unchanged, 0 failed"
    assert UpstreamRecord.objects.filter(kind=RecordKind.PACKAGE).count() == 10


def test_a_batch_of_new_packages_takes_a_few_queries(directory, django_assert_max_num_queries):
    """A hundred new packages are looked up and written in a dozen queries, not a thousand."""
    records = demo_records("packages.jsonl")
    items = [
        (f"p.jsonl:{n}", data | {"slug": f"new-{n}", "repo_url": f"https://example.com/{n}"})
        for n, data in enumerate(records[:100], start=1)
    ]
    summary = ImportSummary()

    with django_assert_max_num_queries(20):
        packages_import(source=SOURCE, items=items, summary=summary)

    assert summary.created == 100
