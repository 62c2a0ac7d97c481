"""Import security advisories from an OSV export: OSV's PyPI all.zip, JSON files or folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from packyard.scoring.advisories import AdvisoryDataError, OsvRecord, parse_osv, read_osv_files
from packyard.scoring.services import advisories_import


class Command(BaseCommand):
    help = (
        "Add or update advisories from OSV files (the PyPI all.zip, JSON files or folders of "
        "them) and rescore the packages they name. Unreadable records are listed and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="FILE", help="A zip, JSON file or folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(path) for path in options["paths"]]
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path} does not exist.")
        failures: list[str] = []
        bar = tqdm(desc="Reading advisories", unit="record")

        def records() -> Iterator[OsvRecord]:
            for path in paths:
                for where, data in read_osv_files(path):
                    try:
                        if isinstance(data, AdvisoryDataError):
                            raise data
                        yield parse_osv(data, where=where)
                    except AdvisoryDataError as error:
                        failures.append(str(error))
                        self.stderr.write(f"Skipped {error}")

        try:
            result = advisories_import(records=records(), on_record=bar.update)
        finally:
            bar.close()
        self.stdout.write(f"Done: {result}.")
        if failures:
            raise CommandError(f"{len(failures)} record(s) could not be read (listed above).")
