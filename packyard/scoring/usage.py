"""Where "I use this" counts come from: a pluggable function named in settings.

`settings.SCORING_USAGE_COUNTS` is the dotted path of a function taking a list of package ids
and returning ``{package_id: count}`` in one query (the accounts app provides it). When it is
empty or cannot be imported, adoption is scored without usage and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import cast

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

UsageCounter = Callable[[Sequence[int]], dict[int, int]]


def usage_counter() -> UsageCounter | None:
    """Return the configured "I use this" counter, or None when there is none."""
    path = getattr(settings, "SCORING_USAGE_COUNTS", "")
    if not path:
        return None
    try:
        return cast("UsageCounter", import_string(path))
    except ImportError:
        logger.warning("SCORING_USAGE_COUNTS names %s, which cannot be imported", path)
        return None


def usage_counts(package_ids: Sequence[int]) -> dict[int, int] | None:
    """Return "I use this" counts by package id (0 when absent), or None when not available."""
    counter = usage_counter()
    if counter is None:
        return None
    counts = counter(list(package_ids))
    return {package_id: int(counts.get(package_id, 0)) for package_id in package_ids}
