"""Release cycles of Django and Python, read from endoflife.date's JSON shape.

Each record is one cycle (a feature release such as Django "5.2" or Python "3.13")::

    {"cycle": "5.2", "releaseDate": "2025-04-02", "support": "2025-12-31",
     "eol": "2028-04-30", "latest": "5.2.12", "lts": true}

``eol`` and ``support`` are a date or a boolean (``true``: it has ended, date unknown); ``lts``
is a boolean or the date it became LTS. Other keys (``latestReleaseDate``, ``link``...) are
ignored. Packyard ships the two lists in ``packyard/compatibility/data/`` and
``manage.py import_releases FILE_OR_URL`` replaces them.

Upstream: https://endoflife.date/docs/api/ (``/api/django.json``, ``/api/python.json``)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
PRODUCTS = ("django", "python")
CYCLE_PATTERN = re.compile(r"^(\d+)\.(\d+)$")


class CycleDataError(ValueError):
    """Release-cycle data that cannot be read; the message names the record and field."""


@dataclass(frozen=True)
class CycleFacts:
    """One release cycle as endoflife.date describes it."""

    cycle: str
    major: int
    minor: int
    release_date: date | None
    support: date | None
    eol: date | None
    eol_reached: bool | None
    lts: bool
    latest: str


def _date(value: object, where: str) -> date | None:
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, str):
        raise CycleDataError(f"{where}: expected a date (YYYY-MM-DD) or true/false, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CycleDataError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from error


def parse_cycles(data: object) -> list[CycleFacts]:
    """Read a list of endoflife.date records; raise CycleDataError naming the bad record."""
    if not isinstance(data, list):
        raise CycleDataError("expected a JSON list of release cycles")
    cycles: list[CycleFacts] = []
    seen: set[str] = set()
    for index, record in enumerate(data, start=1):
        where = f"record {index}"
        if not isinstance(record, dict):
            raise CycleDataError(f"{where}: expected an object")
        cycle = record.get("cycle")
        if isinstance(cycle, int | float) and not isinstance(cycle, bool):
            cycle = str(cycle)
        if not isinstance(cycle, str) or not cycle.strip():
            raise CycleDataError(f"{where}: 'cycle' is missing")
        cycle = cycle.strip()
        match = CYCLE_PATTERN.match(cycle)
        if match is None:
            raise CycleDataError(f"{where}: 'cycle' {cycle!r} is not MAJOR.MINOR")
        if cycle in seen:
            raise CycleDataError(f"{where}: cycle {cycle} appears twice")
        seen.add(cycle)
        eol = record.get("eol")
        latest = record.get("latest")
        cycles.append(
            CycleFacts(
                cycle=cycle,
                major=int(match.group(1)),
                minor=int(match.group(2)),
                release_date=_date(record.get("releaseDate"), f"{where} ({cycle}) 'releaseDate'"),
                support=_date(record.get("support"), f"{where} ({cycle}) 'support'"),
                eol=_date(eol, f"{where} ({cycle}) 'eol'"),
                eol_reached=eol if isinstance(eol, bool) else None,
                lts=bool(record.get("lts")),
                latest=str(latest)[:30] if isinstance(latest, str | int | float) else "",
            )
        )
    return cycles


def load_json(text: str | bytes) -> list[CycleFacts]:
    """Parse endoflife.date JSON text."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise CycleDataError(f"not JSON: {error}") from error
    return parse_cycles(data)


def shipped_cycles(product: str) -> list[CycleFacts]:
    """Return the release cycles shipped with Packyard for "django" or "python"."""
    return load_json((DATA_DIR / f"{product}.json").read_bytes())


def product_from_name(name: str) -> str | None:
    """Guess the product from a file name or URL path ending in django.json or python.json."""
    stem = Path(name.split("?", 1)[0].rstrip("/")).name.lower().removesuffix(".json")
    return stem if stem in PRODUCTS else None
