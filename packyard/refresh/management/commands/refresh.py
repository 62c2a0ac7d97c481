"""Fetch packages' facts now (in the foreground) or queue them for the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from packyard.catalog.models import Package
from packyard.core.repositories import RepositoryHost
from packyard.refresh.models import Source
from packyard.refresh.runner import packages_refresh, planned_fetches
from packyard.refresh.selectors import packages_on_host, packages_stale
from packyard.refresh.services import Change
from packyard.refresh.tasks import package_refresh_task

HOSTS = [host.value for host in RepositoryHost if host != RepositoryHost.OTHER]


class Command(BaseCommand):
    help = (
        "Fetch facts from code hosts and PyPI for the packages named by slug, every package "
        "(--all), or those older than --stale-hours; print what changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="Packages to fetch.")
        parser.add_argument("--all", action="store_true", help="Fetch every package.")
        parser.add_argument(
            "--stale-hours",
            type=float,
            metavar="N",
            help="Fetch packages whose code-host facts are older than N hours.",
        )
        parser.add_argument("--host", choices=HOSTS, help="Only packages on this kind of host.")
        parser.add_argument(
            "--source",
            choices=[source.value for source in Source],
            help="Only this source (default: both the code host and PyPI).",
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the packages for the worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        packages = self._select(options)
        if not packages:
            self.stdout.write("No packages to fetch.")
            return
        if options["enqueue"]:
            for package in tqdm(packages, desc="Queueing", unit="package"):
                package_refresh_task.enqueue(package.pk)
            self.stdout.write(f"Queued {len(packages)} package(s) for the worker.")
            return
        sources = [Source(options["source"])] if options["source"] else list(Source)
        total = planned_fetches(packages, sources)
        with tqdm(total=total, desc="Fetching", unit="fetch") as bar:

            def report(change: Change) -> None:
                bar.update()
                if change.fields or change.error:
                    bar.write(str(change))

            summary = packages_refresh(packages=packages, sources=sources, on_change=report)
        self.stdout.write(f"Done: {summary}.")

    def _select(self, options: dict[str, Any]) -> list[Package]:
        slugs: list[str] = options["slugs"]
        if slugs:
            found = {package.slug: package for package in Package.objects.filter(slug__in=slugs)}
            unknown = [slug for slug in slugs if slug not in found]
            if unknown:
                raise CommandError(f"No package with slug: {', '.join(unknown)}")
            packages = [found[slug] for slug in slugs]
            if options["host"]:
                packages = [p for p in packages if p.repo_host == options["host"]]
            return packages
        if options["stale_hours"] is not None:
            return list(packages_stale(hours=options["stale_hours"], host=options["host"]))
        if options["all"]:
            everything = Package.objects.all()
            if options["host"]:
                return list(packages_on_host(everything, options["host"]))
            return list(everything.order_by("id"))
        raise CommandError("Name packages by slug, or use --all or --stale-hours N.")
