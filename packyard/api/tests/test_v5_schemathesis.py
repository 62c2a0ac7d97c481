"""API v5 against its own OpenAPI schema: generated requests to a live server (schemathesis).

Every answer must be no server error, and its status, content type and body must be what the
schema says. Few examples per operation, so the run stays well under 30 seconds.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from packyard.compatibility.models import PackageCompatibility, ReleaseCycle
from packyard.scoring.models import Dependency, PackageScore
from tests.factories import (
    ElementFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    ReleaseFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def v5_schema(live_server, transactional_db, settings):
    """A small catalogue served live, and the schema the server gives for it."""
    settings.API_V5_RATE = "100000/min"
    django_cycle, _ = ReleaseCycle.objects.get_or_create(
        product="django", cycle="6.0", defaults={"major": 6, "minor": 0}
    )
    grid = GridFactory(slug="forms")
    made = []
    for number in range(3):
        package = FetchedPackageFactory(slug=f"django-forms-{number}", pypi_version="1.0")
        ReleaseFactory(package=package, version="1.0")
        PackageScore.objects.create(
            package=package,
            overall=50,
            maintenance=50,
            adoption=50,
            compatibility=50,
            documentation=50,
            status=50,
            reasons={"maintenance": [{"text": "Active", "points": 5, "out_of": 10.5}]},
            advisories=[
                {
                    "id": f"GHSA-{number}",
                    "summary": "An advisory",
                    "link": "https://osv.dev/",
                    "aliases": [],
                    "fixed_in": [],
                    "sources": ["OSV"],
                }
            ],
        )
        PackageCompatibility.objects.create(
            package=package, cycle=django_cycle, answer="yes", basis="classifier", evidence="x"
        )
        ElementFactory(grid_package=GridPackageFactory(grid=grid, package=package))
        made.append(package)
    Dependency.objects.create(package=made[0], target=made[1], requirement="django-forms-1")
    Dependency.objects.create(
        package=made[2], target=made[0], requirement="django-forms-0; extra == 'x'", optional=True
    )
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v5/schema/?format=json")


def test_api_v5_answers_as_its_schema_says(v5_schema):
    """No server error; status, content type and body conform to the schema, for every path.

    Hypothesis runs inside the test (schemathesis' `from_fixture` does not work with this
    pytest), a few examples for each operation.
    """
    operations = [result.ok() for result in v5_schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(checks=CHECKS)

        run()


def test_real_records_answer_as_the_schema_says(v5_schema):
    """Generated slugs seldom name a package: each real record (with a dependency, a dependent,
    an optional one and an advisory) is checked against the schema too."""
    operation = v5_schema["/api/v5/packages/{slug}/"]["GET"]
    records = []
    for number in range(3):
        case = operation.Case(path_parameters={"slug": f"django-forms-{number}"})
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 200
        records.append(response.json())
    assert [record["advisories"][0]["id"] for record in records] == ["GHSA-0", "GHSA-1", "GHSA-2"]
    assert [row["slug"] for row in records[0]["dependencies"]] == ["django-forms-1"]
    assert [(row["slug"], row["optional"]) for row in records[0]["dependents"]] == [
        ("django-forms-2", True)
    ]
