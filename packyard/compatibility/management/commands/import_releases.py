"""Update Django's or Python's release cycles from endoflife.date's JSON (a file or a URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from packyard.catalog.models import Package
from packyard.compatibility.cycles import PRODUCTS, CycleDataError, load_json, product_from_name
from packyard.compatibility.services import compatibility_recompute, release_cycles_import
from packyard.core.http import build_client


def fetch(url: str) -> bytes:
    """Fetch a URL on the configured host (settings.RELEASE_CYCLES_URL) only."""
    allowed = urlsplit(settings.RELEASE_CYCLES_URL)
    asked = urlsplit(url)
    if (asked.scheme, asked.netloc) != (allowed.scheme, allowed.netloc):
        raise CommandError(
            f"{url} is not on the configured host {allowed.scheme}://{allowed.netloc} "
            "(RELEASE_CYCLES_URL); download it and give the file instead."
        )
    path = asked.path + (f"?{asked.query}" if asked.query else "")
    try:
        with build_client(base_url=settings.RELEASE_CYCLES_URL) as client:
            response = client.get(path)
    except httpx.HTTPError as error:
        raise CommandError(f"Fetching {url} failed: {error}") from error
    if response.status_code != httpx.codes.OK:
        raise CommandError(f"Fetching {url} failed: HTTP {response.status_code}")
    return response.content


class Command(BaseCommand):
    help = (
        "Add or update the release cycles of Django or Python from endoflife.date's JSON "
        "(cycle, releaseDate, eol, lts, latest, support), then answer every package again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "source",
            metavar="FILE_OR_URL",
            help="A JSON file, or a URL on RELEASE_CYCLES_URL's host (such as /api/django.json).",
        )
        parser.add_argument(
            "--product",
            choices=PRODUCTS,
            help="Which product the cycles are of (default: from the name, django.json).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["source"]
        product = options["product"] or product_from_name(source)
        if product is None:
            raise CommandError(
                "Say which product the cycles are of with --product django or --product python."
            )
        if source.startswith(("http://", "https://")):
            content = fetch(source)
        else:
            try:
                content = Path(source).read_bytes()
            except OSError as error:
                raise CommandError(f"Cannot read {source}: {error.strerror}") from error
        try:
            cycles = load_json(content)
        except CycleDataError as error:
            raise CommandError(f"{source}: {error}") from error
        result = release_cycles_import(product=product, cycles=cycles)
        self.stdout.write(f"{product.title()} release cycles: {result}.")
        total = Package.objects.count()
        with tqdm(total=total, desc="Answering packages", unit="package") as bar:
            done = compatibility_recompute(on_batch=bar.update)
        self.stdout.write(f"Answered {done} package(s) again; their scores follow within a minute.")
