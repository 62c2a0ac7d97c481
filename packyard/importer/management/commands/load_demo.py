"""Load the demo directory into an empty database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from packyard.catalog.models import Package
from packyard.importer.demo import demo_load, demo_record_count


class Command(BaseCommand):
    help = (
        "Load the demo directory (111 real djangopackages.org packages, their categories and "
        "grids, a few features). Skipped when the database already holds packages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when packages exist (demo records overwrite their earlier copies).",
        )

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if Package.objects.exists() and not force:
            self.stdout.write("Demo data: the directory already holds packages; nothing loaded.")
            return
        with tqdm(total=demo_record_count(), desc="Loading demo data", unit="record") as bar:

            def advance() -> None:
                bar.update()

            summary = demo_load(on_record=advance)
        self.stdout.write(f"Demo data: {summary}.")
        for failure in summary.failures:
            self.stderr.write(f"  {failure}")
