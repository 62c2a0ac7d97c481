"""Model instances from plain rows, for pages that read hundreds of them at a time.

A grid of 105 packages reads each package with its category, its replacement, its score and
its latest release: over 400 instances a page. Django builds each one field by field
(`Model.from_db` and `Model.__init__` loop over every concrete field, loaded or deferred);
that was a fifth of the page's time. `rows_as` reads the same rows with `values_list` (the
same SQL and the same converters, JSON decoded and datetimes made aware) and makes each
instance at once, as `from_db` would have made it:

- the instance is saved in the database it came from (`_state.adding` false, `_state.db`);
- the fields not read are deferred, as with `.only()`: reading one queries it;
- one-to-one and foreign-key rows read beside it are cached, as `select_related` caches them.

No `post_init` signal is sent: no receiver is connected for the models read this way, and a
test (`core/tests/test_reads.py`) fails the day one is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.db.models.base import ModelState


def instance_of[M: Model](
    model: type[M],
    values: Mapping[str, Any],
    *,
    db: str = DEFAULT_DB_ALIAS,
    related: Mapping[str, Model | None] | None = None,
) -> M:
    """Return an instance of `model` holding `values` (by attname), as read from `db`.

    `related` gives the rows of its relations read beside it, by field name (None: no row).
    """
    instance = model.__new__(model)
    instance.__dict__.update(values)
    state = instance._state = ModelState()
    state.adding = False
    state.db = db
    if related:
        state.fields_cache.update(related)
    return instance


def rows_as[M: Model](
    model: type[M], rows: Iterable[Sequence[Any]], fields: Sequence[str], *, db: str
) -> Iterator[M]:
    """Yield an instance of `model` for each row of values of `fields` (attnames)."""
    for row in rows:
        yield instance_of(model, dict(zip(fields, row, strict=True)), db=db)
