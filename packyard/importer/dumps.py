"""Local dumps of API v4 records: a folder of JSON-lines (or JSON) files, or one such file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from packyard.importer.models import RecordKind

KIND_ORDER = (RecordKind.CATEGORY, RecordKind.GRID, RecordKind.PACKAGE)


class DumpError(ValueError):
    """A dump that cannot be read at all (as opposed to one bad record in it)."""


def record_kind(record: dict[str, Any]) -> RecordKind:
    """Tell a v4 record's kind from its fields."""
    if "grids" in record or "repo_url" in record:
        return RecordKind.PACKAGE
    if "packages" in record or "is_locked" in record:
        return RecordKind.GRID
    return RecordKind.CATEGORY


def _records_in_file(path: Path) -> Iterator[tuple[int, Any]]:
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise DumpError(f"{path}: not valid JSON ({error})") from error
        yield from enumerate(items, start=1)
        return
    if stripped.startswith("{") and '"results"' in stripped[:200_000] and "\n{" not in stripped:
        page = json.loads(text)
        yield from enumerate(page.get("results", []), start=1)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                yield number, error


def read_dump(path: Path) -> dict[RecordKind, list[tuple[str, Any]]]:
    """Return the records of a dump by kind, each with where it came from ("file:line").

    A line that is not JSON is returned as the `json.JSONDecodeError` itself, so the import
    reports it with its place and goes on.
    """
    if not path.exists():
        raise DumpError(f"{path} does not exist")
    files = (
        sorted(p for p in path.iterdir() if p.suffix in {".jsonl", ".json"})
        if path.is_dir()
        else [path]
    )
    if not files:
        raise DumpError(f"{path} holds no .jsonl or .json files")
    records: dict[RecordKind, list[tuple[str, Any]]] = {kind: [] for kind in KIND_ORDER}
    for file in files:
        for number, record in _records_in_file(file):
            place = f"{file.name}:{number}"
            kind = record_kind(record) if isinstance(record, dict) else _kind_from_name(file)
            records[kind].append((place, record))
    return records


def _kind_from_name(path: Path) -> RecordKind:
    name = path.stem.lower()
    for kind in KIND_ORDER:
        if kind.value in name:
            return kind
    return RecordKind.PACKAGE
