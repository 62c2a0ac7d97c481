"""Read one record of a dump, each field checked: a bad one names its file, line and field."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils.dateparse import parse_datetime

MISSING = object()


class DumpImportError(Exception):
    """A dump that cannot be imported; the message says where ("packages.jsonl.gz:12: ...")."""


class Fields:
    """A JSON object of a dump with its place ("packages.jsonl.gz:12") and path ("score.")."""

    def __init__(self, data: dict[str, Any], place: str, path: str = "") -> None:
        self.data = data
        self.place = place
        self.path = path

    def error(self, key: str, message: str) -> DumpImportError:
        return DumpImportError(f"{self.place}: field {self.path}{key}: {message}")

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        value = self.data.get(key, MISSING)
        if value is MISSING:
            raise self.error(key, "missing")
        return value

    def _typed(self, key: str, kinds: tuple[type, ...], what: str, *, null: bool) -> Any:
        value = self.raw(key)
        if value is None and null:
            return None
        # bool is an int in Python; a count given as true is still wrong.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.error(key, f"expected {what}, got {json.dumps(value)[:80]}")
        return value

    def text(self, key: str) -> str:
        value: str = self._typed(key, (str,), "a string", null=False)
        return value

    def optional_text(self, key: str) -> str | None:
        value: str | None = self._typed(key, (str,), "a string or null", null=True)
        return value

    def integer(self, key: str) -> int:
        value: int = self._typed(key, (int,), "a whole number", null=False)
        return value

    def optional_integer(self, key: str) -> int | None:
        value: int | None = self._typed(key, (int,), "a whole number or null", null=True)
        if value is not None and value < 0:
            raise self.error(key, f"expected a number of at least 0, got {value}")
        return value

    def flag(self, key: str) -> bool:
        value: bool = self._typed(key, (bool,), "true or false", null=False)
        return value

    def optional_time(self, key: str) -> datetime | None:
        value = self.optional_text(key)
        if value is None:
            return None
        moment = parse_datetime(value)
        if moment is None or moment.tzinfo is None:
            raise self.error(key, f"expected an ISO 8601 time with its offset, got {value!r}")
        return moment

    def time(self, key: str) -> datetime:
        moment = self.optional_time(key)
        if moment is None:
            raise self.error(key, "expected a time, got null")
        return moment

    def optional_nested(self, key: str) -> Fields | None:
        value = self._typed(key, (dict,), "an object or null", null=True)
        return None if value is None else Fields(value, self.place, f"{self.path}{key}.")

    def nested(self, key: str) -> Fields:
        value = self._typed(key, (dict,), "an object", null=False)
        return Fields(value, self.place, f"{self.path}{key}.")

    def items(self, key: str) -> list[Fields]:
        values = self._typed(key, (list,), "a list", null=False)
        found = []
        for number, value in enumerate(values):
            if not isinstance(value, dict):
                raise self.error(f"{key}[{number}]", "expected an object")
            found.append(Fields(value, self.place, f"{self.path}{key}[{number}]."))
        return found


def read_records(path: Path) -> Iterator[Fields]:
    """Yield each record of a gzipped JSON-lines file, with its place (name:line)."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                place = f"{path.name}:{number}"
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as error:
                    raise DumpImportError(f"{place}: not JSON ({error.msg})") from error
                if not isinstance(data, dict):
                    raise DumpImportError(f"{place}: expected a JSON object")
                yield Fields(data, place)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        message = f"{path.name}: not a whole gzip file of UTF-8 text ({error})"
        raise DumpImportError(message) from error
