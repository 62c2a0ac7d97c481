"""Addresses reversed once per process: a page links dozens of packages and release cycles.

`reverse()` walks the URL patterns each time (15-20 µs); the answer only changes with the
URLconf and the script prefix, so both are part of the key.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

# Enough for every package of a large directory; a few hundred bytes each.
KEPT = 100_000


@lru_cache(maxsize=KEPT)
def _reversed(
    urlconf: str | None, prefix: str, name: str, kwargs: tuple[tuple[str, str], ...]
) -> str:
    return reverse(name, kwargs=dict(kwargs))


def reverse_kept(name: str, **kwargs: str) -> str:
    """Return `reverse(name, kwargs=kwargs)`, reversed once per process for the same address."""
    return _reversed(get_urlconf(), get_script_prefix(), name, tuple(sorted(kwargs.items())))
