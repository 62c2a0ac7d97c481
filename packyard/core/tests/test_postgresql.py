"""Packyard's PostgreSQL backend: statements prepared (not search's), health checks after idling."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.db import connection

from packyard.catalog.models import Package
from packyard.core.postgresql import unprepared
from packyard.search.selectors import packages_search
from tests.factories import PackageFactory

ROOT = Path(__file__).resolve().parents[3]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements and health checks: PostgreSQL"
)

RUNS = 8  # More than prepare_threshold (5): psycopg prepares a statement on its fifth run.


def prepared_statements() -> list[str]:
    """Return the statements this connection has prepared."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@on_postgresql
@pytest.mark.django_db
def test_a_query_run_again_and_again_is_prepared_once():
    """The settings turn preparing on: the package query, run 8 times, is a prepared statement."""
    for _ in range(RUNS):
        list(Package.objects.filter(slug="django-leaf").values_list("title"))
    assert any('"catalog_package"."slug" = $1' in statement for statement in prepared_statements())


@on_postgresql
@pytest.mark.django_db
def test_inside_unprepared_the_same_query_is_never_prepared():
    with unprepared():
        for _ in range(RUNS):
            list(Package.objects.filter(slug="django-fern").values_list("stars"))
    assert not any('"stars"' in statement for statement in prepared_statements())


@on_postgresql
@pytest.mark.django_db
def test_search_is_planned_for_its_words_every_time():
    """Search's best plan depends on the words: its statements stay unprepared, however often."""
    PackageFactory(title="django-cachalot", description="Caches your ORM queries")
    for _ in range(RUNS):
        found = packages_search(text="cache")
    assert [hit.package.title for hit in found.hits] == ["django-cachalot"]
    assert not any("search_category_title" in statement for statement in prepared_statements())


@pytest.fixture
def health_checks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record each health check the connection makes (it still makes them)."""
    checks: list[bool] = []
    check = connection.is_usable

    def counted() -> bool:
        checks.append(usable := check())
        return usable

    monkeypatch.setattr(connection, "is_usable", counted)
    return checks


def request_with_one_query() -> None:
    """Do what a request does to the connection: check it as it starts, query, check it again."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    connection.close_if_unusable_or_obsolete()


# Outside a test transaction: Django closes a connection left in one as a request starts.
@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_used_moments_ago_is_not_checked_again(health_checks):
    request_with_one_query()
    health_checks.clear()
    for _ in range(3):
        request_with_one_query()
    assert health_checks == [], "requests in a row each paid a round trip for the check"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_idle_for_a_while_is_checked_before_use(health_checks):
    request_with_one_query()
    health_checks.clear()
    # As if the connection was last used six seconds ago (the limit is five).
    connection._last_used_at -= 6  # type: ignore[attr-defined]
    for _ in range(2):  # Requests that read nothing (a static file) say nothing of it.
        connection.close_if_unusable_or_obsolete()
    request_with_one_query()
    assert health_checks == [True]
    request_with_one_query()
    assert health_checks == [True]


@pytest.mark.parametrize(
    ("threshold", "options"),
    [("", {"server_side_binding": True, "prepare_threshold": 5}), ("0", {})],
)
def test_database_prepare_threshold_turns_preparing_on_and_off(monkeypatch, threshold, options):
    """Preparing is on by default; 0 turns it off, as PgBouncer in transaction mode needs."""
    monkeypatch.setenv("DATABASE_URL", "postgres://packyard@db.example.org/packyard")
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", threshold)
    database = runpy.run_path(str(ROOT / "config" / "settings.py"))["DATABASES"]["default"]
    assert database["ENGINE"] == "packyard.core.postgresql"
    given = database.get("OPTIONS", {})
    assert {
        name: given[name] for name in ("server_side_binding", "prepare_threshold") if name in given
    } == options
