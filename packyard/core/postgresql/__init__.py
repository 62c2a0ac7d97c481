"""Packyard's PostgreSQL backend (`base`), and `unprepared()` for code that any database runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_unprepared: ContextVar[bool] = ContextVar("unprepared", default=False)


@contextmanager
def unprepared() -> Iterator[None]:
    """Send the statements run inside unprepared, planned for their parameters every time.

    For queries whose best plan depends on their parameters (search). A no-op on SQLite.
    """
    token = _unprepared.set(True)
    try:
        yield
    finally:
        _unprepared.reset(token)


def is_unprepared() -> bool:
    """Tell whether the statements run now are to be sent unprepared."""
    return _unprepared.get()
