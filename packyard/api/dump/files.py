"""The dump's files: their names, the manifest, and writing a file whole or not at all.

Each file is gzipped JSON lines, one record a line. A file is written beside its final name
and renamed over it (an atomic rename on POSIX), so a reader sees the old file or the new one,
never half of one; the manifest is written the same way, last.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.utils.encoders import JSONEncoder

logger = logging.getLogger(__name__)

CATEGORIES = "categories.jsonl.gz"
PACKAGES = "packages.jsonl.gz"
GRIDS = "grids.jsonl.gz"
# In the order an import reads them: packages name categories, grids name packages.
FILES = (CATEGORIES, PACKAGES, GRIDS)
MANIFEST = "manifest.json"
FORMAT = "packyard-dump/1"
CONTENT_TYPE = "application/gzip"
READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class DumpFile:
    """One file of the dump as the manifest lists it."""

    name: str
    size: int
    sha256: str
    records: int
    made_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "size": self.size,
            "sha256": self.sha256,
            "records": self.records,
            "made_at": self.made_at.isoformat(),
        }


@dataclass(frozen=True)
class Manifest:
    """What a dump holds: its files, and when it was made."""

    made_at: datetime
    files: tuple[DumpFile, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "api": "v5",
            "made_at": self.made_at.isoformat(),
            "files": [file.to_json() for file in self.files],
        }

    def file(self, name: str) -> DumpFile | None:
        return next((file for file in self.files if file.name == name), None)


def _time(value: Any) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise ValueError(f"not a time: {value!r}")
    return moment


def manifest_from_json(data: Mapping[str, Any]) -> Manifest:
    """Read a manifest (raises ValueError, KeyError or TypeError when it is not one)."""
    files = tuple(
        DumpFile(
            name=str(item["name"]),
            size=int(item["size"]),
            sha256=str(item["sha256"]),
            records=int(item["records"]),
            made_at=_time(item["made_at"]),
        )
        for item in data["files"]
    )
    return Manifest(made_at=_time(data["made_at"]), files=files)


def read_manifest(folder: Path) -> Manifest | None:
    """Return the manifest of the dump in `folder`, or None when there is no readable one."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return manifest_from_json(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("The dump's manifest in %s cannot be read: %s", folder, error)
        return None


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _replace_atomically(folder: Path, name: str, write: Callable[[Path], object]) -> None:
    """Write a file beside `name` with `write`, then rename it over `name` (atomic on POSIX)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    os.close(handle)
    path = Path(temporary)
    try:
        write(path)
        path.chmod(0o644)  # mkstemp makes 0600; the web server reads what the job writes.
        with path.open("rb") as written:
            os.fsync(written.fileno())
        path.replace(folder / name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def write_records(folder: Path, name: str, records: Iterable[Mapping[str, Any]]) -> DumpFile:
    """Write records as gzipped JSON lines to `folder/name`, atomically; return its entry."""
    count = 0

    def write(path: Path) -> None:
        nonlocal count
        # mtime=0: the same records make the same bytes, so the same SHA-256.
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
            for record in records:
                line = json.dumps(
                    record, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":")
                )
                packed.write(line.encode("utf-8") + b"\n")
                count += 1

    _replace_atomically(folder, name, write)
    path = folder / name
    return DumpFile(
        name=name,
        size=path.stat().st_size,
        sha256=file_sha256(path),
        records=count,
        made_at=timezone.now(),
    )


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write the manifest atomically."""
    text = json.dumps(manifest.to_json(), indent=2) + "\n"
    _replace_atomically(folder, MANIFEST, lambda path: path.write_text(text, encoding="utf-8"))
