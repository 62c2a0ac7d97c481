"""Import a whole directory from a djangopackages.org-style API v4, or from a dump of it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from packyard.core.database import BULK_ROWS, planner_statistics_refresh, plans_made_afresh
from packyard.core.http import build_client
from packyard.importer.batches import BATCH_SIZE, packages_import
from packyard.importer.dumps import KIND_ORDER, DumpError, read_dump
from packyard.importer.models import RecordKind
from packyard.importer.services import (
    ImportSummary,
    import_run_advance,
    import_runs_start,
    record_import,
    sequences_reset,
)
from packyard.sources.djangopackages import (
    DEFAULT_BASE_URL,
    RETRIES,
    DjangoPackagesClient,
    list_url,
)
from packyard.sources.errors import SourceError

DEFAULT_DELAY = 0.5
DEFAULT_PAGE_SIZE = 100


class Command(BaseCommand):
    help = (
        "Import categories, grids and packages from a djangopackages.org-style API v4 "
        f"(default {DEFAULT_BASE_URL}), keeping their ids in an empty directory. A run that "
        "stopped resumes where it stopped; running again changes nothing that did not change."
    )
    # For tests: call_command("import_v4", ..., sleep=fake, clock=fake) waits without waiting.
    stealth_options = ("sleep", "clock")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "base_url",
            nargs="?",
            default=DEFAULT_BASE_URL,
            help="The API v4 root to read (with --dump: where the dump's records came from).",
        )
        parser.add_argument(
            "--dump",
            type=Path,
            help="Import a local dump instead: a folder or a JSON-lines file of v4 records.",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=1,
            help="Pages fetched at the same time (default 1).",
        )
        parser.add_argument(
            "--delay",
            type=float,
            default=DEFAULT_DELAY,
            help=f"Seconds at least between the starts of two requests (default {DEFAULT_DELAY}).",
        )
        parser.add_argument(
            "--page-size",
            type=int,
            default=DEFAULT_PAGE_SIZE,
            help=f"Records asked for per page (default {DEFAULT_PAGE_SIZE}).",
        )
        parser.add_argument(
            "--retries",
            type=int,
            default=RETRIES,
            help=f"Retries of a page after a 429, a 5xx or a timeout (default {RETRIES}).",
        )

    def handle(
        self,
        *args: Any,
        base_url: str,
        dump: Path | None,
        concurrency: int,
        delay: float,
        page_size: int,
        retries: int,
        **options: Any,
    ) -> None:
        if concurrency < 1 or page_size < 1 or delay < 0 or retries < 0:
            raise CommandError(
                "--concurrency and --page-size must be 1 or more; --delay and --retries 0 or more."
            )
        source = base_url if base_url.endswith("/") else f"{base_url}/"
        summary = ImportSummary()
        started = time.monotonic()
        try:
            with plans_made_afresh():  # The tables grow as it goes.
                if dump is not None:
                    stopped = self.import_dump(path=dump, source=source, summary=summary)
                else:
                    stopped = self.import_api(
                        source=source,
                        summary=summary,
                        client_options={
                            "concurrency": concurrency,
                            "delay": delay,
                            "retries": retries,
                            "sleep": options.get("sleep") or time.sleep,
                            "clock": options.get("clock") or time.monotonic,
                        },
                        page_size=page_size,
                    )
        finally:
            sequences_reset()
        if summary.created + summary.updated >= BULK_ROWS:
            planner_statistics_refresh()
        self.report(source=source, summary=summary, stopped=stopped, started=started)

    def import_dump(self, *, path: Path, source: str, summary: ImportSummary) -> str:
        """Import every record of a dump; return why it stopped early ("" when it did not)."""
        try:
            records = read_dump(path)
        except DumpError as error:
            raise CommandError(str(error)) from error
        total = sum(len(items) for items in records.values())
        with self.progress(total=total) as bar:
            for kind in KIND_ORDER:
                items = records[kind]
                for first in range(0, len(items), BATCH_SIZE):
                    self.import_items(
                        items[first : first + BATCH_SIZE],
                        kind=kind,
                        source=source,
                        summary=summary,
                        bar=bar,
                    )
        return ""

    def import_items(
        self,
        items: list[tuple[str, Any]],
        *,
        kind: RecordKind,
        source: str,
        summary: ImportSummary,
        bar: tqdm[Any],
    ) -> None:
        """Import records of one kind in their order: packages in a batch, others one by one."""
        if kind == RecordKind.PACKAGE:
            packages_import(source=source, items=items, summary=summary)
            self.advance(bar, summary, len(items))
            return
        for place, data in items:
            record_import(source=source, kind=kind, place=place, data=data, summary=summary)
            self.advance(bar, summary)

    def import_api(
        self,
        *,
        source: str,
        summary: ImportSummary,
        client_options: dict[str, Any],
        page_size: int,
    ) -> str:
        """Walk the API's lists page by page; return why the walk stopped early ("" if not)."""
        first_urls = {kind: list_url(source, kind.value, limit=page_size) for kind in KIND_ORDER}
        starts = import_runs_start(source=source, first_urls=first_urls)
        skipped = [str(kind.label) for kind in KIND_ORDER if kind not in starts]
        if skipped:
            self.stdout.write(f"Resuming: the {', '.join(skipped)} records were imported already.")
        with (
            build_client(base_url=source, max_connections=client_options["concurrency"]) as http,
            self.progress(total=None) as bar,
        ):
            client = DjangoPackagesClient(http, base_url=source, **client_options)
            for kind in KIND_ORDER:
                if kind not in starts:
                    continue
                try:
                    self.import_kind(
                        client, kind=kind, url=starts[kind], source=source, summary=summary, bar=bar
                    )
                except SourceError as error:
                    return f"{kind.label} pages: {error}"
        return ""

    def import_kind(
        self,
        client: DjangoPackagesClient,
        *,
        kind: RecordKind,
        url: str,
        source: str,
        summary: ImportSummary,
        bar: tqdm[Any],
    ) -> None:
        """Import one kind's pages from `url` on, saving the place after each page."""
        for number, page in enumerate(client.pages(url)):
            if number == 0:
                bar.total = (bar.total or 0) + max(page.count - page.offset, 0)
                bar.refresh()
            items = [
                (f"{page.url} (record {index})", data)
                for index, data in enumerate(page.results, start=page.offset + 1)
            ]
            self.import_items(items, kind=kind, source=source, summary=summary, bar=bar)
            import_run_advance(source=source, kind=kind, next_url=page.next_url)

    def progress(self, *, total: int | None) -> tqdm[Any]:
        """Return a progress bar that shows records done, errors and the time left."""
        bar: tqdm[Any] = tqdm(total=total, desc="Importing", unit="record", dynamic_ncols=True)
        bar.set_postfix(errors=0, refresh=False)
        return bar

    def advance(self, bar: tqdm[Any], summary: ImportSummary, records: int = 1) -> None:
        bar.update(records)
        bar.set_postfix(errors=len(summary.failures), refresh=False)

    def report(self, *, source: str, summary: ImportSummary, stopped: str, started: float) -> None:
        """Write the summary; fail with a non-zero exit code if anything failed."""
        self.stdout.write(f"Import from {source}: {summary} ({time.monotonic() - started:.1f} s).")
        for failure in summary.failures:
            self.stderr.write(f"  {failure}")
        if stopped:
            self.stderr.write(f"The import stopped before its end: {stopped}")
            self.stderr.write("Run the same command again to resume from there.")
        if stopped or summary.failures:
            problems = [f"{len(summary.failures)} record(s) failed"] if summary.failures else []
            problems += ["the import stopped before its end"] if stopped else []
            raise CommandError("; ".join(problems), returncode=1)
