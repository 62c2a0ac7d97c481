"""Recompute scores now: some packages, those whose facts changed, or all (with a snapshot)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from packyard.catalog.models import Package
from packyard.scoring.selectors import packages_needing_scores
from packyard.scoring.services import (
    BATCH_SIZE,
    scores_recompute,
    scores_recompute_all,
    scores_snapshot,
)


class Command(BaseCommand):
    help = (
        "Recompute the scores of the packages named by slug, of every package (--all), or of "
        "those whose facts changed since their score (the default); --snapshot keeps today's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", metavar="SLUG")
        parser.add_argument("--all", action="store_true", help="Recompute every package.")
        parser.add_argument(
            "--snapshot", action="store_true", help="Then keep today's scores as a snapshot."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slugs: list[str] = options["slugs"]
        if slugs:
            found = dict(Package.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            unknown = [slug for slug in slugs if slug not in found]
            if unknown:
                raise CommandError(f"No package with slug: {', '.join(unknown)}")
            written = scores_recompute(package_ids=list(found.values()))
        elif options["all"]:
            with tqdm(total=Package.objects.count(), desc="Scoring", unit="package") as bar:
                written = scores_recompute_all(on_batch=bar.update)
        else:
            written = 0
            done: set[int] = set()
            with tqdm(desc="Scoring changed packages", unit="package") as bar:
                # A package dated in the future stays "changed": each is done once.
                while package_ids := [
                    package_id
                    for package_id in packages_needing_scores(limit=BATCH_SIZE + len(done))
                    if package_id not in done
                ][:BATCH_SIZE]:
                    written += scores_recompute(package_ids=package_ids)
                    done.update(package_ids)
                    bar.update(len(package_ids))
        self.stdout.write(f"Recomputed {written} score(s).")
        if options["snapshot"]:
            kept = scores_snapshot(today=timezone.localdate())
            self.stdout.write(f"Kept today's snapshot of {kept} score(s).")
