"""How good a package is, from 0 to 1, as search blends it with how well the text matches.

`package_quality` is the one place that says it. Until the scores of issue 7 exist it reads the
facts the catalogue has now: stars and forks (logarithmic, so a small well-kept package is not
crushed) and the newest of the last commit and the latest release (halving every
SEARCH_ACTIVITY_HALF_LIFE_DAYS). Status is not here: archived, deprecated and "repository
missing" packages sort after live ones whatever their quality.

The index stores each package's quality (schema.py compiles this expression into its
triggers), so ranking reads one number per match instead of the package row. It is computed
again when a column of QUALITY_COLUMNS changes (a fetch sets last_fetched_at, so activity
ages with each fetch) and every night for every package (tasks.py).

To rank by issue 7's overall score instead, the scoring app replaces the body of
`package_quality` with e.g. `Coalesce(Cast(F("scoring__overall"), FloatField()), 0.0) / 100.0`
and lists its table in QUALITY_TABLES, so that a new score re-ranks the package at once.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateTimeField, Expression, F, FloatField, Func, Value
from django.db.models.functions import Cast, Coalesce, Greatest, Least, Ln, Power
from django.db.models.sql.compiler import SQLCompiler

# Popularity and recent activity weigh the same in quality.
POPULARITY_SHARE = 0.5
# A grid with this many packages counts as fully grown.
GRID_FULL_SIZE = 12


# Columns of catalog_package whose change changes a package's quality.
QUALITY_COLUMNS = ("stars", "forks", "last_commit_at", "latest_release_at", "last_fetched_at")
# Other tables whose rows change a package's quality: (table, column holding the package id).
QUALITY_TABLES: tuple[tuple[str, str], ...] = ()


class DaysSince(Func):
    """Days from a datetime column to a moment, as a float (NULL stays NULL)."""

    output_field = FloatField()
    arity = 2

    def __init__(self, column: Expression | F, *, moment: datetime | Expression) -> None:
        if isinstance(moment, datetime):
            moment = Value(moment, output_field=DateTimeField())
        super().__init__(moment, column)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)::double precision",
            arg_joiner=" - ",
            **extra_context,
        )


def _float(value: float) -> Value:
    return Value(float(value), output_field=FloatField())


def package_popularity() -> Expression:
    """Return stars and forks on a 0-1 log scale, full at SEARCH_POPULARITY_STARS."""
    reach = Cast(Coalesce(F("stars"), 0) + Coalesce(F("forks"), 0), FloatField())
    full = math.log(1 + settings.SEARCH_POPULARITY_STARS)
    return Least(Ln(reach + _float(1.0)) / _float(full), _float(1.0))


def package_activity(*, now: datetime | Expression) -> Expression:
    """Return 1 for activity today, halving every SEARCH_ACTIVITY_HALF_LIFE_DAYS (0 for none)."""
    newest = Greatest(
        Coalesce(F("last_commit_at"), F("latest_release_at")),
        Coalesce(F("latest_release_at"), F("last_commit_at")),
    )
    days = Greatest(DaysSince(newest, moment=now), _float(0.0))
    half_life = _float(settings.SEARCH_ACTIVITY_HALF_LIFE_DAYS)
    return Coalesce(Power(_float(0.5), days / half_life), _float(0.0))


def package_quality(*, now: datetime | Expression) -> Expression:
    """Return a package's quality from 0 to 1 as an expression over Package (issue 7 swaps it).

    `now` is a moment, or `Now()` when the database computes it (in the index's triggers).
    """
    return package_popularity() * _float(POPULARITY_SHARE) + package_activity(now=now) * _float(
        1 - POPULARITY_SHARE
    )


def grid_quality_sql(*, package_count: str, vendor: str) -> str:
    """Return SQL for a grid's quality from its number of packages (0-1, log scale)."""
    least = "LEAST" if vendor == "postgresql" else "MIN"
    return f"{least}(1.0, ln(1.0 + {package_count}) / {math.log(1 + GRID_FULL_SIZE)!r})"
