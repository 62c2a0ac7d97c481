"""`manage.py export_dump [--folder F]`: write the bulk dump (DUMP_ROOT by default)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from packyard.api.dump.services import dump_export, dump_record_count


class Command(BaseCommand):
    help = (
        "Write packages.jsonl.gz, grids.jsonl.gz, categories.jsonl.gz (API v5 records) and "
        "manifest.json, each replacing the last atomically. /dump/ serves them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--folder", type=Path, default=None, help="Where to write (DUMP_ROOT by default)."
        )

    def handle(self, *args: Any, folder: Path | None, **options: Any) -> None:
        with tqdm(total=dump_record_count(), desc="Writing the dump", unit="record") as bar:
            manifest = dump_export(folder=folder, progress=bar.update)
        for file in manifest.files:
            self.stdout.write(f"{file.name}: {file.records} records, {file.size} bytes")
