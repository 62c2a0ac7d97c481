"""`manage.py import_dump URL-or-folder`: rebuild an empty directory from a bulk dump."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from packyard.api.dump.fields import DumpImportError
from packyard.api.dump.files import read_manifest
from packyard.api.dump.services import dump_import
from packyard.core.database import BULK_ROWS, planner_statistics_refresh, plans_made_afresh


class Command(BaseCommand):
    help = (
        "Rebuild categories, packages (facts, releases, scores, compatibility, status) and "
        "grids (features, packages, cells) from a dump: a folder, or a site's /dump/ address. "
        "The database must hold no catalogue yet. All or nothing: a bad record writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="A folder written by export_dump, or a /dump/ URL.")

    def handle(self, *args: Any, source: str, **options: Any) -> None:
        manifest = None if "://" in source else read_manifest(Path(source))
        total = None if manifest is None else sum(file.records for file in manifest.files)
        try:
            with (
                plans_made_afresh(),  # The tables grow as it goes.
                tqdm(total=total, desc="Importing the dump", unit="record") as bar,
            ):
                counts = dump_import(source=source, progress=bar.update)
        except DumpImportError as error:
            raise CommandError(f"Nothing was imported: {error}") from error
        if sum(counts.values()) >= BULK_ROWS:
            planner_statistics_refresh()
        self.stdout.write(", ".join(f"{count} {kind}" for kind, count in counts.items()) + ".")
