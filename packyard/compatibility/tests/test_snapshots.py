"""The daily record of how many packages work with each release (SupportSnapshot)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from crontask import scheduler

from packyard.compatibility.models import PackageCompatibility, SupportSnapshot
from packyard.compatibility.rules import Basis
from packyard.compatibility.services import support_snapshot_record
from packyard.compatibility.tasks import support_snapshot_task
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)


def answer(package, cycle, value: str) -> None:
    PackageCompatibility.objects.create(
        package=package, cycle=cycle, answer=value, basis=Basis.CLASSIFIER, evidence="Classifiers."
    )


def row(day: date, cycle) -> tuple[int, int, int, int]:
    snapshot = SupportSnapshot.objects.get(day=day, cycle=cycle)
    return snapshot.yes, snapshot.no, snapshot.unknown, snapshot.packages


def test_a_day_records_every_cycle_with_its_answers_and_the_directory_size(release_cycles):
    """Django 5.2: two work, one does not, of four packages; a cycle nobody answered is 0s."""
    django, python = release_cycles["django", "5.2"], release_cycles["python", "3.13"]
    packages = PackageFactory.create_batch(4)
    for package, value in zip(packages, ["yes", "yes", "no"], strict=False):
        answer(package, django, value)
    answer(packages[0], python, "unknown")

    recorded = support_snapshot_record(day=DAY)

    assert recorded == len(release_cycles)
    assert SupportSnapshot.objects.filter(day=DAY).count() == len(release_cycles)
    assert row(DAY, django) == (2, 1, 0, 4)
    assert row(DAY, python) == (0, 0, 1, 4)
    assert row(DAY, release_cycles["django", "4.2"]) == (0, 0, 0, 4)


def test_recording_a_day_again_replaces_it_and_keeps_other_days(release_cycles):
    """A rerun after a recompute keeps the latest counts; yesterday's row is untouched."""
    django = release_cycles["django", "5.2"]
    package = PackageFactory()
    answer(package, django, "no")
    support_snapshot_record(day=date(2026, 11, 30))
    support_snapshot_record(day=DAY)
    PackageCompatibility.objects.update(answer="yes")

    support_snapshot_record(day=DAY)

    assert row(date(2026, 11, 30), django) == (0, 1, 0, 1)
    assert row(DAY, django) == (1, 0, 0, 1)
    assert SupportSnapshot.objects.filter(day=DAY).count() == len(release_cycles)


def test_the_scheduler_records_today_each_night(release_cycles):
    """The task is on the scheduler, and records the day it runs (in the site's time zone)."""
    PackageFactory()

    with time_machine.travel("2026-12-04 23:30 +00:00", tick=False):
        recorded = support_snapshot_task.call()

    assert support_snapshot_task.name in {job.name for job in scheduler.get_jobs()}
    assert recorded == len(release_cycles)
    assert set(SupportSnapshot.objects.values_list("day", flat=True)) == {date(2026, 12, 4)}
