"""Each feature's row of cells, kept in `Feature.cells` by database triggers.

A grid page shows every cell of its features: 1,050 at 105 packages by 10 features, 15,000 at
500 by 30. Read as rows of the cells table, they cost a query and a Python row each on every
request. Kept with their feature, they come with the features the page reads anyway, one text
per row, made again in the writing transaction when a cell is written, moved or deleted,
whatever writes it (services, the dump restore, the admin, raw SQL).

The text is each non-empty cell's membership id and HTML, in the order of the membership ids,
all joined by `SEPARATOR`: `id␞html␞id␞html`. `row_cells` reads it back with one split. Like the
count triggers (`packyard.grids.counts`), the triggers step aside while migrations run and
`migrate` installs them again and makes every row that is wrong again.

On PostgreSQL the triggers run once per statement, over the rows it wrote (transition
tables): a bulk insert of thousands of cells makes each of its features' rows once.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from packyard.core.database import triggers_drop, triggers_install

TRIGGER_PREFIX = "packyard_feature_cells_"
FEATURES = "grids_feature"
CELLS = "grids_element"
# Between a row's membership ids and cells: a control character, never in the sanitised HTML
# of a cell (one there is dropped).
SEPARATOR = "\x1e"

# Every name here is this module's constant, never input.


def _row(feature: str, *, vendor: str) -> str:
    """Return the SQL expression of the kept row of the feature whose id is `feature`."""
    separator = "char(30)" if vendor == "sqlite" else "chr(30)"  # SEPARATOR
    part = f"e.grid_package_id || {separator} || replace(e.text_html, {separator}, '')"
    chosen = f"FROM {CELLS} e WHERE e.feature_id = {feature} AND e.text_html <> ''"
    if vendor == "sqlite":
        # SQLite 3.40 has no ORDER BY inside an aggregate: it concatenates in its input's order.
        made = (
            f"SELECT group_concat(part, {separator}) FROM "  # noqa: S608
            f"(SELECT {part} AS part {chosen} ORDER BY e.grid_package_id)"
        )
    else:
        made = f"SELECT string_agg({part}, {separator} ORDER BY e.grid_package_id) {chosen}"
    return f"COALESCE(({made}), '')"


_SQLITE_ROW = _row(f"{FEATURES}.id", vendor="sqlite")
_POSTGRESQL_ROW = _row(f"{FEATURES}.id", vendor="postgresql")


def _sqlite_make(where: str) -> str:
    return f"UPDATE {FEATURES} SET cells = {_SQLITE_ROW} WHERE {where};"  # noqa: S608


_SQLITE = {
    "insert": f"AFTER INSERT ON {CELLS} BEGIN {_sqlite_make('id = NEW.feature_id')} END",
    "delete": f"AFTER DELETE ON {CELLS} BEGIN {_sqlite_make('id = OLD.feature_id')} END",
    "update": (
        f"AFTER UPDATE OF text_html, feature_id, grid_package_id ON {CELLS} "
        "WHEN OLD.text_html IS NOT NEW.text_html OR OLD.feature_id IS NOT NEW.feature_id "
        "OR OLD.grid_package_id IS NOT NEW.grid_package_id "
        f"BEGIN {_sqlite_make('id IN (OLD.feature_id, NEW.feature_id)')} END"
    ),
}


def _postgresql_make(features: str) -> str:
    return (
        f"UPDATE {FEATURES} SET cells = {_POSTGRESQL_ROW} "  # noqa: S608
        f"WHERE {FEATURES}.id IN ({features});"
    )


# The features of the cells an update changed (transition tables cannot go with a column list).
_MOVED = (
    "SELECT {side}.feature_id FROM old_cells o JOIN new_cells n ON n.id = o.id "
    "WHERE o.text_html IS DISTINCT FROM n.text_html OR o.feature_id <> n.feature_id "
    "OR o.grid_package_id <> n.grid_package_id"
)


def _postgresql_function(name: str, features: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_postgresql_make(features)}
    RETURN NULL;
END $$;
"""


def _postgresql_trigger(name: str, event: str, tables: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}{name} ON {CELLS}",
        f"CREATE TRIGGER {TRIGGER_PREFIX}{name} AFTER {event} ON {CELLS} "
        f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER_PREFIX}{name}()",
    ]


_POSTGRESQL = [
    _postgresql_function("inserted", "SELECT feature_id FROM new_cells"),
    _postgresql_function("deleted", "SELECT feature_id FROM old_cells"),
    _postgresql_function("updated", f"{_MOVED.format(side='o')} UNION {_MOVED.format(side='n')}"),
    *_postgresql_trigger("inserted", "INSERT", "NEW TABLE AS new_cells"),
    *_postgresql_trigger("deleted", "DELETE", "OLD TABLE AS old_cells"),
    *_postgresql_trigger("updated", "UPDATE", "OLD TABLE AS old_cells NEW TABLE AS new_cells"),
]
# Tables and columns the triggers name: installed once they all exist.
NEEDS = {FEATURES: ("cells",), CELLS: ("text_html",)}


def feature_cells_install(connection: BaseDatabaseWrapper) -> None:
    """Install the triggers, then make again every kept row that is wrong."""
    row = _SQLITE_ROW if connection.vendor == "sqlite" else _POSTGRESQL_ROW
    differ = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
    triggers_install(
        connection,
        sqlite={f"{TRIGGER_PREFIX}{name}": body for name, body in _SQLITE.items()},
        postgresql=_POSTGRESQL,
        then=[f"UPDATE {FEATURES} SET cells = {row} WHERE cells {differ} {row}"],  # noqa: S608
    )


def feature_cells_uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (before migrations, which may rebuild their tables)."""
    triggers_drop(connection, TRIGGER_PREFIX)


def row_cells(cells: str) -> dict[str, str]:
    """Return a kept row's cells' HTML by membership id, as text (a page of 15,000 cells looks
    each up with its column's id made text once, rather than making 15,000 numbers)."""
    parts = cells.split(SEPARATOR) if cells else []
    return dict(zip(parts[::2], parts[1::2], strict=False))
