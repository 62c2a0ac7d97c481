"""Tests of the scheduled scoring: changed facts every minute, everything with a snapshot daily."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from crontask import scheduler
from django.utils import timezone

from packyard.refresh.models import FetchState, Source
from packyard.scoring.models import PackageScore, ScoreSnapshot
from packyard.scoring.tasks import scores_daily_task, scores_recompute_due_task
from tests.factories import FetchedPackageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("release_cycles")]

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_both_tasks_are_scheduled():
    """The scheduler runs the recompute every minute and the daily snapshot once a day."""
    names = {job.name for job in scheduler.get_jobs()}

    assert scores_recompute_due_task.name in names
    assert scores_daily_task.name in names


def test_a_fetch_makes_the_next_round_recompute_the_score(time_machine):
    """A package is scored by the next round, and again after the refresh fetches it."""
    time_machine.move_to(NOW, tick=False)
    package = FetchedPackageFactory(stars=10)

    assert scores_recompute_due_task.call() == 1
    assert scores_recompute_due_task.call() == 0
    first = PackageScore.objects.get(package=package)

    time_machine.move_to(NOW + timedelta(minutes=1), tick=False)
    package.stars = 5000
    package.save()  # As the refresh applies facts: it also records the fetch.
    FetchState.objects.create(
        package=package, source=Source.REPOSITORY, last_attempt_at=timezone.now()
    )

    assert scores_recompute_due_task.call() == 1
    assert PackageScore.objects.get(package=package).adoption > first.adoption


def test_the_daily_task_recomputes_and_keeps_a_snapshot(time_machine):
    """The daily task scores every package and keeps the day's snapshot."""
    time_machine.move_to(NOW, tick=False)
    FetchedPackageFactory.create_batch(3)

    assert scores_daily_task.call() == 3

    assert ScoreSnapshot.objects.filter(taken_on=date(2026, 11, 27)).count() == 3
