"""`manage.py rebuild_search`: rebuild the search index from scratch, with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from packyard.search.services import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from the catalogue (and install its triggers)."

    def handle(self, *args: Any, **options: Any) -> None:
        bars: dict[str, tqdm[Any]] = {}

        def progress(kind: str, done: int, total: int) -> None:
            bar = bars.get(kind)
            if bar is None:
                bar = bars[kind] = tqdm(
                    total=total, desc=f"Indexing {kind}", unit=kind.rstrip("s"), file=self.stderr
                )
            bar.update(done - bar.n)

        counts = search_index_rebuild(on_progress=progress)
        for bar in bars.values():
            bar.close()
        self.stdout.write(
            f"Indexed {counts['packages']} packages and {counts['grids']} grids for search."
        )
