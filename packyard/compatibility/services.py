"""Writes of release cycles and of each package's compatibility answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.compatibility.cycles import CycleFacts
from packyard.compatibility.models import PackageCompatibility, ReleaseCycle, SupportSnapshot
from packyard.compatibility.rules import ReleaseEvidence, Verdict, verdict
from packyard.compatibility.selectors import release_facts_of
from packyard.compatibility.statistics import support_by_cycle

BATCH_SIZE = 500
CYCLE_FIELDS = ("major", "minor", "release_date", "support", "eol", "eol_reached", "lts", "latest")


@dataclass(frozen=True)
class CyclesImported:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"{self.created} added, {self.updated} updated, {self.unchanged} unchanged"


@transaction.atomic
def release_cycles_import(
    *, product: str, cycles: Sequence[CycleFacts], now: datetime | None = None
) -> CyclesImported:
    """Add or update the release cycles of "django" or "python"; cycles not listed are kept."""
    now = now or timezone.now()
    existing = {cycle.cycle: cycle for cycle in ReleaseCycle.objects.filter(product=product)}
    created = updated = 0
    for facts in cycles:
        values = {name: getattr(facts, name) for name in CYCLE_FIELDS}
        row = existing.get(facts.cycle)
        if row is None:
            ReleaseCycle.objects.create(product=product, cycle=facts.cycle, modified=now, **values)
            created += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.modified = now
            row.save(update_fields=[*CYCLE_FIELDS, "modified"])
            updated += 1
    return CyclesImported(created, updated, len(cycles) - created - updated)


@transaction.atomic
def package_compatibility_set(
    *,
    evidence: Mapping[int, ReleaseEvidence],
    cycles: Sequence[ReleaseCycle],
    now: datetime | None = None,
) -> dict[int, dict[int, Verdict]]:
    """Answer every package for every cycle and store the answers that changed (3 queries).

    Returns each package's verdicts by cycle id.
    """
    now = now or timezone.now()
    verdicts: dict[int, dict[int, Verdict]] = {
        package_id: {cycle.pk: verdict(facts, cycle.target) for cycle in cycles}
        for package_id, facts in evidence.items()
    }
    # Plain tuples, not model instances: a batch compares thousands of answers.
    stored = PackageCompatibility.objects.filter(package__in=list(evidence)).values_list(
        "package_id", "cycle_id", "pk", "answer", "basis", "evidence", "release_version"
    )
    existing = {(row[0], row[1]): (row[2], row[3:]) for row in stored}
    to_create: list[PackageCompatibility] = []
    replaced: list[int] = []
    for package_id, by_cycle in verdicts.items():
        version = evidence[package_id].version or ""
        for cycle_id, answer in by_cycle.items():
            values = (answer.answer.value, answer.basis.value, answer.evidence, version)
            known = existing.get((package_id, cycle_id))
            if known is not None and known[1] == values:
                continue
            if known is not None:
                replaced.append(known[0])
            to_create.append(
                PackageCompatibility(
                    package_id=package_id,
                    cycle_id=cycle_id,
                    computed_at=now,
                    answer=values[0],
                    basis=values[1],
                    evidence=values[2],
                    release_version=values[3],
                )
            )
    # Changed answers are replaced: one DELETE and one INSERT are much faster than
    # bulk_update's CASE expressions when a new release cycle changes thousands of rows.
    if replaced:
        PackageCompatibility.objects.filter(pk__in=replaced).delete()
    PackageCompatibility.objects.bulk_create(to_create, batch_size=1000)
    return verdicts


def compatibility_recompute(
    *,
    package_ids: Sequence[int] | None = None,
    on_batch: Callable[[int], object] | None = None,
    now: datetime | None = None,
) -> int:
    """Answer again for the given packages (every package by default), in batches.

    Returns how many packages were answered; `on_batch` is told each batch's size.
    """
    cycles = list(ReleaseCycle.objects.all())
    ids = list(
        Package.objects.order_by("pk").values_list("pk", flat=True)
        if package_ids is None
        else package_ids
    )
    done = 0
    for start in range(0, len(ids), BATCH_SIZE):
        packages = list(Package.objects.filter(pk__in=ids[start : start + BATCH_SIZE]))
        facts = release_facts_of(packages=packages)
        package_compatibility_set(
            evidence={package_id: item.evidence for package_id, item in facts.items()},
            cycles=cycles,
            now=now,
        )
        done += len(packages)
        if on_batch:
            on_batch(len(packages))
    return done


def support_snapshot_record(*, day: date) -> int:
    """Record, for every release cycle, how many packages work with it on `day`.

    Recording the same day again replaces that day's rows, so a rerun after a recompute keeps
    the latest counts. Returns the number of cycles recorded. Three queries and one write.
    """
    packages = Package.objects.count()
    shares = [
        share for product in support_by_cycle(packages=packages).values() for share in product
    ]
    SupportSnapshot.objects.bulk_create(
        [
            SupportSnapshot(
                day=day,
                cycle=share.cycle,
                yes=share.yes,
                no=share.no,
                unknown=share.unknown,
                packages=packages,
            )
            for share in shares
        ],
        update_conflicts=True,
        unique_fields=["day", "cycle"],
        update_fields=["yes", "no", "unknown", "packages"],
    )
    return len(shares)
