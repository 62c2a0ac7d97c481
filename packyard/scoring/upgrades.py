"""The upgrade check: a pasted requirements list against a Django release, each requirement
with its answer, its score and, when it does not work, the live packages of its grids that do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from packaging.version import InvalidVersion, Version

from packyard.catalog.models import Package
from packyard.compatibility.models import PackageCompatibility, ReleaseCycle
from packyard.compatibility.requirements import ParsedRequirement, ParsedRequirements
from packyard.compatibility.rules import requirement_admits
from packyard.compatibility.selectors import answers_for_cycle
from packyard.grids.models import GridPackage
from packyard.grids.selectors import is_retired
from packyard.scoring.models import PackageScore
from packyard.scoring.selectors import packages_by_pypi_name, scores_for

ALTERNATIVES_SHOWN = 3


@dataclass
class Alternative:
    package: Package
    answer: PackageCompatibility | None
    score: PackageScore | None
    is_replacement: bool = False


@dataclass
class UpgradeRow:
    """One requirement of the pasted list, with what the directory knows of it."""

    requirement: ParsedRequirement
    package: Package | None = None
    answer: PackageCompatibility | None = None
    score: PackageScore | None = None
    alternatives: list[Alternative] = field(default_factory=list)
    is_django: bool = False
    pin_admits_target: bool | None = None
    pin_admits_latest: bool | None = None

    @property
    def is_retired(self) -> bool:
        return self.package is not None and is_retired(self.package)


@dataclass
class UpgradeReport:
    target: ReleaseCycle
    rows: list[UpgradeRow]
    parsed: ParsedRequirements

    def count(self, answer: str) -> int:
        return sum(1 for row in self.rows if row.answer and row.answer.answer == answer)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "yes": self.count("yes"),
            "no": self.count("no"),
            "unknown": self.count("unknown"),
            "not in the directory": sum(
                1 for row in self.rows if row.package is None and not row.is_django
            ),
        }


def _admits_version(row: ParsedRequirement, version: str) -> bool | None:
    try:
        parsed = Version(version)
    except InvalidVersion:
        return None
    return row.requirement.specifier.contains(parsed, prereleases=True)


def _alternatives(
    rows: Sequence[UpgradeRow], target: ReleaseCycle, listed: set[int]
) -> dict[int, list[Alternative]]:
    """Return, per listed package, live packages of the same grids ranked for the target."""
    matched = [row.package.pk for row in rows if row.package is not None]
    grids_of: dict[int, set[int]] = defaultdict(set)
    for package_id, grid_id in GridPackage.objects.filter(package__in=matched).values_list(
        "package_id", "grid_id"
    ):
        grids_of[package_id].add(grid_id)
    members: dict[int, list[Package]] = defaultdict(list)
    candidates: dict[int, Package] = {}
    all_grids = {grid for grids in grids_of.values() for grid in grids}
    for membership in GridPackage.objects.filter(grid__in=all_grids).select_related("package"):
        members[membership.grid_id].append(membership.package)
        candidates[membership.package_id] = membership.package
    ids = list(candidates)
    answers = answers_for_cycle(package_ids=ids, cycle=target)
    scores = scores_for(package_ids=ids)
    found: dict[int, list[Alternative]] = {}
    order = {"yes": 0, "unknown": 1, "no": 2}
    for row in rows:
        if row.package is None:
            continue
        seen: dict[int, Alternative] = {}
        for grid_id in grids_of.get(row.package.pk, set()):
            for package in members[grid_id]:
                if package.pk in listed or package.pk in seen or is_retired(package):
                    continue
                seen[package.pk] = Alternative(
                    package=package, answer=answers.get(package.pk), score=scores.get(package.pk)
                )
        ranked = sorted(
            seen.values(),
            key=lambda item: (
                order.get(item.answer.answer, 3) if item.answer else 3,
                -(item.score.overall if item.score else -1),
                item.package.title.lower(),
            ),
        )
        replacement = row.package.replaced_by
        if replacement is not None:
            ranked = [item for item in ranked if item.package.pk != replacement.pk]
            ranked.insert(
                0,
                Alternative(
                    package=replacement,
                    answer=answers.get(replacement.pk),
                    score=scores.get(replacement.pk),
                    is_replacement=True,
                ),
            )
        found[row.package.pk] = ranked[:ALTERNATIVES_SHOWN]
    return found


def upgrade_report(*, parsed: ParsedRequirements, target: ReleaseCycle) -> UpgradeReport:
    """Return every requirement with its answer for a Django release (8 queries at most)."""
    packages = packages_by_pypi_name(
        names=[item.name for item in parsed.requirements if item.name != "django"]
    )
    rows = [
        UpgradeRow(
            requirement=item,
            package=packages.get(item.name),
            is_django=item.name == "django",
        )
        for item in parsed.requirements
    ]
    ids = [row.package.pk for row in rows if row.package is not None]
    answers = answers_for_cycle(package_ids=ids, cycle=target)
    scores = scores_for(package_ids=ids)
    for row in rows:
        if row.is_django:
            row.pin_admits_target = requirement_admits(
                row.requirement.requirement.specifier, target.target
            )
        elif row.package is not None:
            row.answer = answers.get(row.package.pk)
            row.score = scores.get(row.package.pk)
            if row.package.pypi_version:
                row.pin_admits_latest = _admits_version(row.requirement, row.package.pypi_version)
    alternatives = _alternatives(rows, target, set(ids))
    for row in rows:
        if row.package is not None:
            row.alternatives = alternatives.get(row.package.pk, [])
    return UpgradeReport(target=target, rows=rows, parsed=parsed)


def upgrade_targets() -> QuerySet[ReleaseCycle]:
    """Return the Django releases one may upgrade to: newest first."""
    return ReleaseCycle.objects.filter(product="django").order_by("-major", "-minor")
