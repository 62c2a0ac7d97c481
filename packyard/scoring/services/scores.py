"""Write scores, the dependencies they count, and the daily snapshots their trends compare with.

`scores_recompute` is the one place scores are written. It runs for a batch of packages in a
fixed number of queries: their releases, compatibility answers, dependencies inside the
directory, advisories and status, then one row per package. The scheduler calls it for
packages whose facts changed since their score (`scoring.tasks`), and every day for all of them
before the snapshot (scores decay with time even when nothing changes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from packaging.utils import canonicalize_name

from packyard.catalog.models import Package
from packyard.compatibility.models import ReleaseCycle
from packyard.compatibility.rules import Verdict
from packyard.compatibility.selectors import PackageReleases, release_facts_of
from packyard.compatibility.services import package_compatibility_set
from packyard.scoring import dimensions
from packyard.scoring.advisories import (
    AdvisoryView,
    AffectedRange,
    affects,
    fixed_versions,
    from_pypi,
    merge,
)
from packyard.scoring.dependencies import needed_projects
from packyard.scoring.gaps import missing_facts
from packyard.scoring.models import (
    DIMENSIONS,
    AffectedPackage,
    Dependency,
    PackageScore,
    PackageStatus,
    ScoreSnapshot,
)
from packyard.scoring.selectors import packages_by_pypi_name
from packyard.scoring.usage import usage_counts

BATCH_SIZE = 500
# Snapshots are kept daily for this many days, then only those of the first of each month.
DAILY_SNAPSHOT_DAYS = 180
# The trend compares with the latest snapshot at least this old...
TREND_DAYS = 30
# ...or, for a younger history, with the oldest snapshot at least this old.
TREND_MIN_DAYS = 7


def _dependencies_set(packages: Sequence[Package], facts: dict[int, PackageReleases]) -> set[int]:
    """Store each package's requirements that are packages of the directory (2 queries).

    Returns the ids of packages whose dependents changed.
    """
    wanted: dict[tuple[int, str], tuple[str, bool]] = {}
    for package in packages:
        if facts[package.pk].latest is None:
            continue
        for name, needed in needed_projects(package.requires_dist or ()).items():
            wanted[(package.pk, name)] = (needed.text, needed.optional)
    targets = packages_by_pypi_name(names={name for _, name in wanted})
    desired: dict[tuple[int, int], tuple[str, bool]] = {}
    for (package_id, name), value in wanted.items():
        target = targets.get(name)
        if target is not None and target.pk != package_id:
            desired[(package_id, target.pk)] = value
    existing = {
        (row.package_id, row.target_id): row
        for row in Dependency.objects.filter(package__in=[package.pk for package in packages])
    }
    changed: set[int] = set()
    removed = [row.pk for key, row in existing.items() if key not in desired]
    changed.update(key[1] for key in existing if key not in desired)
    if removed:
        Dependency.objects.filter(pk__in=removed).delete()
    to_create = []
    to_update = []
    for (package_id, target_id), (text, optional) in desired.items():
        row = existing.get((package_id, target_id))
        if row is None:
            to_create.append(
                Dependency(
                    package_id=package_id, target_id=target_id, requirement=text, optional=optional
                )
            )
            changed.add(target_id)
        elif (row.requirement, row.optional) != (text, optional):
            row.requirement, row.optional = text, optional
            to_update.append(row)
            changed.add(target_id)
    Dependency.objects.bulk_create(to_create)
    if to_update:
        Dependency.objects.bulk_update(to_update, ["requirement", "optional"])
    return changed


def _advisories_of(
    packages: Sequence[Package], facts: dict[int, PackageReleases]
) -> dict[int, list[AdvisoryView]]:
    """Return the advisories affecting each package's latest release (one query)."""
    names = {
        package.pk: canonicalize_name(package.pypi_name)
        for package in packages
        if package.pypi_name and facts[package.pk].latest is not None
    }
    osv: dict[str, list[AffectedPackage]] = defaultdict(list)
    for row in AffectedPackage.objects.filter(
        name__in=set(names.values()), advisory__withdrawn__isnull=True
    ).select_related("advisory"):
        osv[row.name].append(row)
    found: dict[int, list[AdvisoryView]] = {}
    for package in packages:
        latest = facts[package.pk].latest
        if latest is None or package.pk not in names:
            found[package.pk] = []
            continue
        views = list(from_pypi(package.vulnerabilities or []))
        for row in osv.get(names[package.pk], []):
            affected = AffectedRange(
                name=row.name, ranges=tuple(row.ranges), versions=tuple(row.versions)
            )
            if affects(affected, latest.version):
                views.append(
                    AdvisoryView(
                        id=row.advisory.advisory_id,
                        summary=row.advisory.summary,
                        link=row.advisory.link,
                        aliases=list(row.advisory.aliases),
                        fixed_in=fixed_versions(affected),
                        sources=["OSV"],
                    )
                )
        found[package.pk] = merge(views)
    return found


def _inputs(
    package: Package,
    releases: PackageReleases,
    *,
    now: datetime,
    support: list[tuple[str, str, str, str]],
    dependents: int,
    usage: int | None,
    advisories: list[AdvisoryView],
    needs_maintainer: bool,
) -> dimensions.ScoreInputs:
    latest = releases.latest
    return dimensions.ScoreInputs(
        now=now,
        latest=(
            dimensions.ReleaseFact(
                version=latest.version,
                upload_time=latest.upload_time,
                yanked=latest.yanked,
                is_prerelease=latest.is_prerelease,
            )
            if latest
            else None
        ),
        missing_release=releases.evidence.missing,
        releases=[
            dimensions.ReleaseFact(
                version=release.version,
                upload_time=release.upload_time,
                yanked=release.yanked,
                is_prerelease=release.is_prerelease,
            )
            for release in releases.releases
        ],
        licence=latest.license if latest else "",
        development_status=latest.development_status if latest else "",
        last_commit_at=package.last_commit_at,
        commits_over_52=package.commits_over_52,
        stars=package.stars,
        forks=package.forks,
        dependents=dependents,
        usage=usage,
        support=support,
        documentation_url=package.documentation_url or "",
        description=package.description or package.pypi_summary,
        changelog_url=package.changelog_url,
        archived_at=package.archived_at,
        deprecated_at=package.deprecated_at,
        replaced_by=package.replaced_by.title if package.replaced_by else "",
        pypi_project_status=package.pypi_project_status,
        repo_missing_since=package.repo_missing_since,
        needs_maintainer=needs_maintainer,
        advisories=[advisory.id for advisory in advisories],
    )


def _support(
    cycles: Sequence[ReleaseCycle], verdicts: dict[int, Verdict]
) -> list[tuple[str, str, str, str]]:
    return [
        (cycle.product, cycle.cycle, verdicts[cycle.pk].answer.value, verdicts[cycle.pk].basis)
        for cycle in cycles
        if cycle.pk in verdicts
    ]


def _scores_write(package_ids: Iterable[int], now: datetime) -> tuple[int, set[int]]:
    """Compute and store some packages' scores; return how many, and whose dependents changed."""
    packages = list(Package.objects.filter(pk__in=list(package_ids)).select_related("replaced_by"))
    if not packages:
        return 0, set()
    ids = [package.pk for package in packages]
    facts = release_facts_of(packages=packages)
    cycles = list(ReleaseCycle.objects.order_by("product", "-major", "-minor"))
    supported = [cycle for cycle in cycles if cycle.is_supported_on(timezone.localdate(now))]
    verdicts = package_compatibility_set(
        evidence={package_id: item.evidence for package_id, item in facts.items()},
        cycles=cycles,
        now=now,
    )
    changed_targets = _dependencies_set(packages, facts)
    dependents = {
        row["target_id"]: row["count"]
        for row in Dependency.objects.filter(target__in=ids, optional=False)
        .values("target_id")
        .annotate(count=Count("id"))
        .order_by()
    }
    usage = usage_counts(ids)
    advisories = _advisories_of(packages, facts)
    flags = {row.package_id: row for row in PackageStatus.objects.filter(package__in=ids)}
    existing = {row.package_id: row for row in PackageScore.objects.filter(package__in=ids)}
    rows: list[PackageScore] = []
    for package in packages:
        support = _support(supported, verdicts[package.pk])
        flag = flags.get(package.pk)
        inputs = _inputs(
            package,
            facts[package.pk],
            now=now,
            support=support,
            dependents=dependents.get(package.pk, 0),
            usage=usage.get(package.pk, 0) if usage is not None else None,
            advisories=advisories[package.pk],
            needs_maintainer=bool(flag and flag.needs_maintainer),
        )
        computed = dimensions.all_dimensions(inputs)
        scores = {name: dimension.score for name, dimension in computed.items()}
        reasons = {
            name: [reason.as_dict() for reason in dimension.reasons]
            for name, dimension in computed.items()
        }
        values: dict[str, Any] = {
            **scores,
            "overall": dimensions.blend(scores),
            "reasons": reasons,
            "missing": missing_facts(reasons),
            "support": {
                product: [[cycle, answer] for kind, cycle, answer, _ in support if kind == product]
                for product in ("django", "python")
            },
            "advisories": [advisory.as_dict() for advisory in advisories[package.pk]],
            "dependents_count": dependents.get(package.pk, 0),
            "needs_maintainer": inputs.needs_maintainer,
            "latest_version": facts[package.pk].evidence.version or "",
            "computed_at": now,
        }
        row = existing.get(package.pk)
        if row is not None:  # The trend's baseline is the daily snapshot's business.
            values["baseline_overall"] = row.baseline_overall
            values["baseline_on"] = row.baseline_on
        rows.append(PackageScore(package=package, **values))
    # Every row changes (computed_at, decaying reasons): replacing them in one DELETE and
    # one INSERT is far faster than bulk_update's CASE expressions over many JSON fields.
    PackageScore.objects.filter(package__in=list(existing)).delete()
    PackageScore.objects.bulk_create(rows)
    return len(packages), changed_targets


@transaction.atomic
def scores_recompute(
    *, package_ids: Iterable[int], now: datetime | None = None, cascade: bool = True
) -> int:
    """Recompute and store the scores of some packages (at most a batch; a fixed query count).

    Packages whose "used by" count changed because of these packages' requirements are
    recomputed too when `cascade` is true. Returns how many scores were written.
    """
    now = now or timezone.now()
    ids = set(package_ids)
    written, changed_targets = _scores_write(ids, now)
    others = sorted(changed_targets - ids)
    if cascade and others:
        written += _scores_write(others, now)[0]
    return written


def scores_recompute_all(
    *, now: datetime | None = None, on_batch: Callable[[int], object] | None = None
) -> int:
    """Recompute every package's score, a batch at a time.

    A batch may change the "used by" count of packages scored in an earlier batch: those are
    scored again, once, at the end.
    """
    now = now or timezone.now()
    ids = list(Package.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    done: set[int] = set()
    again: set[int] = set()
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        with transaction.atomic():
            count, changed = _scores_write(batch, now)
        written += count
        again |= changed & done  # Scored in an earlier batch, before this one's requirements.
        done.update(batch)
        if on_batch:
            on_batch(len(batch))
    rest = sorted(again)
    for start in range(0, len(rest), BATCH_SIZE):
        with transaction.atomic():
            written += _scores_write(rest[start : start + BATCH_SIZE], now)[0]
    return written


@transaction.atomic
def scores_snapshot(*, today: date) -> int:
    """Keep today's score of every package, set each trend's baseline, prune old snapshots.

    The baseline is the latest snapshot at least 30 days old, else the oldest one at least 7
    days old. Snapshots are kept daily for 180 days, then the first of each month.
    """
    fields = ["overall", *DIMENSIONS]
    rows = [
        ScoreSnapshot(
            package_id=score["package_id"], taken_on=today, **{f: score[f] for f in fields}
        )
        for score in PackageScore.objects.values("package_id", *fields)
    ]
    ScoreSnapshot.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["package", "taken_on"],
        update_fields=fields,
    )
    month_old = ScoreSnapshot.objects.filter(
        package=OuterRef("package"), taken_on__lte=today - timedelta(days=TREND_DAYS)
    ).order_by("-taken_on")
    week_old = ScoreSnapshot.objects.filter(
        package=OuterRef("package"), taken_on__lte=today - timedelta(days=TREND_MIN_DAYS)
    ).order_by("taken_on")
    PackageScore.objects.update(
        baseline_overall=Coalesce(
            Subquery(month_old.values("overall")[:1]), Subquery(week_old.values("overall")[:1])
        ),
        baseline_on=Coalesce(
            Subquery(month_old.values("taken_on")[:1]), Subquery(week_old.values("taken_on")[:1])
        ),
    )
    ScoreSnapshot.objects.filter(taken_on__lt=today - timedelta(days=DAILY_SNAPSHOT_DAYS)).exclude(
        taken_on__day=1
    ).delete()
    return len(rows)


def scores_daily(*, now: datetime | None = None) -> int:
    """Recompute every score (time moves on), then take the day's snapshot."""
    now = now or timezone.now()
    scores_recompute_all(now=now)
    return scores_snapshot(today=timezone.localdate(now))
