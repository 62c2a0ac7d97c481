"""Fetch a published dump (its manifest, then its files) into a local folder.

The files are checked against the manifest's SHA-256 before anything is imported from them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx

from packyard.api.dump.fields import DumpImportError
from packyard.api.dump.files import FILES, MANIFEST, manifest_from_json
from packyard.core.http import build_client

# The files are big and come slowly from a small site; each read may wait this long.
READ_TIMEOUT = 120.0


def dump_download(*, url: str, folder: Path) -> None:
    """Download the dump published at `url` (its /dump/ address) into `folder`."""
    base = url if url.endswith("/") else f"{url}/"
    try:
        with build_client(base_url=base, timeout=READ_TIMEOUT) as client:
            response = client.get(MANIFEST)
            if response.status_code != 200:
                raise DumpImportError(f"{base}{MANIFEST}: answered {response.status_code}")
            try:
                manifest = manifest_from_json(response.json())
            except (ValueError, KeyError, TypeError) as error:
                message = f"{base}{MANIFEST}: not a dump's manifest ({error})"
                raise DumpImportError(message) from error
            for name in FILES:
                listed = manifest.file(name)
                if listed is None:
                    raise DumpImportError(f"{base}{MANIFEST}: does not list {name}")
                digest = hashlib.sha256()
                with client.stream("GET", name) as answer, (folder / name).open("wb") as out:
                    if answer.status_code != 200:
                        raise DumpImportError(f"{base}{name}: answered {answer.status_code}")
                    for chunk in answer.iter_raw():
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != listed.sha256:
                    raise DumpImportError(f"{base}{name}: its SHA-256 is not the manifest's")
    except httpx.HTTPError as error:
        raise DumpImportError(f"{base}: cannot be fetched ({error})") from error
