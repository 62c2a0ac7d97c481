"""The dump's files: their names, the manifest, and writing a file whole or not at all.

Each file is gzipped JSON lines, one record a line. The files are written beside their final
names, then renamed over them (an atomic rename on POSIX), the manifest last, so a reader sees
an old file or a new one, never half of one.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
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
PART = ".part"


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


def _stage(folder: Path, name: str, write: Callable[[Path], object]) -> Path:
    """Write a file beside `name` (a hidden `.part`) with `write`, on disk; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=PART)
    os.close(handle)
    path = Path(temporary)
    try:
        write(path)
        path.chmod(0o644)  # mkstemp makes 0600; the web server reads what the job writes.
        with path.open("rb") as written:
            os.fsync(written.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True)
class Staged:
    """A file of the dump written beside its name, not yet in its place."""

    path: Path
    entry: DumpFile


def stage_records(folder: Path, name: str, records: Iterable[Mapping[str, Any]]) -> Staged:
    """Write records as gzipped JSON lines beside `folder/name`; return the file and its entry."""
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

    path = _stage(folder, name, write)
    entry = DumpFile(
        name=name,
        size=path.stat().st_size,
        sha256=file_sha256(path),
        records=count,
        made_at=timezone.now(),
    )
    return Staged(path=path, entry=entry)


def publish(folder: Path, staged: Iterable[Staged], manifest: Manifest) -> None:
    """Rename the staged files over their names, then the manifest over its own.

    Each rename is atomic (POSIX), so a reader gets an old file or a new one, never part of
    one; the files were written first, so the renames follow each other within moments.
    """
    text = json.dumps(manifest.to_json(), indent=2) + "\n"
    listing = _stage(folder, MANIFEST, lambda path: path.write_text(text, encoding="utf-8"))
    for file in staged:
        file.path.replace(folder / file.entry.name)
    listing.replace(folder / MANIFEST)


def discard(staged: Iterable[Staged]) -> None:
    """Delete staged files that will not be published."""
    for file in staged:
        file.path.unlink(missing_ok=True)


def discard_leftovers(folder: Path, *, older_than: timedelta) -> None:
    """Delete `.part` files an export killed midway left behind."""
    if not folder.is_dir():
        return
    cutoff = timezone.now().timestamp() - older_than.total_seconds()
    for path in folder.glob(f".*{PART}"):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
