"""Addresses reversed once per process: a page links dozens of packages and release cycles.

`reverse()` walks the URL patterns each time (15-20 µs); the answer only changes with the
URLconf and the script prefix, so both are part of the key.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Enough for every package of a large directory; a few hundred bytes each.
KEPT = 100_000
# Types an address's arguments may have to be kept: what templates pass (slugs, ids).
KEPT_ARGUMENTS = (str, int)


def _urlconf() -> str:
    return str(get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=KEPT)
def _reversed(
    urlconf: str,
    prefix: str,
    name: str,
    args: tuple[str | int, ...],
    kwargs: tuple[tuple[str, str | int], ...],
    current_app: str | None,
) -> str:
    return reverse(name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


# A slug no package has. An address reversed with it in a package slug's place is cut there, and
# each of a page's hundreds of packages is put in the cut instead of being reversed.
SLUG_MARK = "package-slug-mark"


def address_around_slug(name: str, *args: str | int) -> tuple[str, str]:
    """Return the address `name` reversed with `args` then a package slug, cut where the slug
    goes, each part HTML-escaped: a package's address is `before + escape(slug) + after`."""
    before, after = reverse(name, args=[*args, SLUG_MARK]).split(SLUG_MARK)
    return escape(before), escape(after)


def reverse_kept(name: str, **kwargs: str | int) -> str:
    """Return `reverse(name, kwargs=kwargs)`, reversed once per process for the same address."""
    return _reversed(_urlconf(), get_script_prefix(), name, (), tuple(sorted(kwargs.items())), None)


def reverse_kept_or_not(
    name: str,
    *,
    args: list[object],
    kwargs: dict[str, object],
    current_app: str | None,
) -> str:
    """Return `reverse(...)` as `{% url %}` asks it: kept when every argument is a string or a
    number (a model instance or a list is reversed each time: its text could change)."""
    values = (*args, *kwargs.values())
    if all(type(value) in KEPT_ARGUMENTS for value in values):
        return _reversed(
            _urlconf(),
            get_script_prefix(),
            name,
            tuple(args),
            tuple(sorted(kwargs.items())),
            current_app,
        )
    return reverse(name, args=args, kwargs=kwargs, current_app=current_app)
