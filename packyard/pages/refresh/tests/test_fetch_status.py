"""The package page says when a failed source is tried next, in words that read right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from packyard.refresh.models import FetchState, FetchStatus, Source
from tests.factories import FetchedPackageFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def failing(package, source, *, next_due_at):
    return FetchState.objects.create(
        package=package,
        source=source,
        status=FetchStatus.FAILING,
        last_attempt_at=NOW - timedelta(minutes=2),
        last_error="PyPI answered 502.",
        consecutive_failures=1,
        next_due_at=next_due_at,
    )


@pytest.mark.parametrize("source", [Source.REPOSITORY, Source.PYPI])
def test_a_failed_source_says_when_it_is_tried_next(client, time_machine, source):
    """ "next try in 25 minutes", never "next try 0 minutes ago"; PyPI says it too."""
    time_machine.move_to(NOW, tick=False)
    package = FetchedPackageFactory(pypi_name="django-thing")
    failing(package, source, next_due_at=NOW + timedelta(minutes=25))

    text = client.get(package.get_absolute_url()).text

    assert "failed (PyPI answered 502.); next try" in text
    assert ">in 25\xa0minutes</time>" in text
    assert "minutes ago</time></span>" not in text.split("next try", 1)[1][:200]


def test_a_retry_whose_time_has_come_reads_due_now(client, time_machine):
    """Once the planned time has passed, the page says the fetch is due, not "0 minutes ago"."""
    time_machine.move_to(NOW, tick=False)
    package = FetchedPackageFactory()
    failing(package, Source.REPOSITORY, next_due_at=NOW - timedelta(seconds=30))

    text = client.get(package.get_absolute_url()).text

    assert "next try <time" in text
    assert "due now, with the next round</time>" in text
    assert "0\xa0minutes ago" not in text
