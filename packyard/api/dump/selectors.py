"""Read the current dump: its manifest and the path of one of its files."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from packyard.api.dump.files import FILES, Manifest, read_manifest


def dump_folder() -> Path:
    return Path(settings.DUMP_ROOT)


def dump_manifest() -> Manifest | None:
    """Return the manifest of the current dump, or None when none was made yet."""
    return read_manifest(dump_folder())


def dump_file_path(*, name: str) -> Path | None:
    """Return the path of one of the dump's files, or None for any other name or no file.

    Only the known names are ever joined to the folder, so no path leaves it.
    """
    if name not in FILES:
        return None
    path = dump_folder() / name
    return path if path.is_file() else None
