"""Keep the SQLite index: FTS5 tables and the triggers that rewrite their rows.

`packyard_search_package_text` (porter stemming over unicode61) holds each package's words in
weighted columns and its facets as hidden tokens; `packyard_search_package_trigram` (the
trigram tokenizer) holds its names and tags for substrings and misspellings;
`packyard_search_grid_text` holds grids. See https://www.sqlite.org/fts5.html.
"""

from __future__ import annotations

from packyard.search.quality import QUALITY_COLUMNS, QUALITY_TABLES
from packyard.search.schema.common import (
    ANSWER_TABLE,
    GRID_INDEXED_COLUMNS,
    NAME_COLUMNS,
    NAME_TABLE,
    PACKAGE_INDEXED_COLUMNS,
    PACKAGES_FROM,
    YES,
    package_parts,
    sql_name_key,
)


def package_text(ids: str) -> list[str]:
    """Return statements that rewrite the text and trigram rows of packages `ids` (SQL list)."""
    parts = package_parts("sqlite")
    return [
        f"DELETE FROM packyard_search_package_text WHERE rowid IN ({ids})",
        "INSERT INTO packyard_search_package_text (rowid, names, tags, body, people, facets) "
        f"SELECT p.id, {parts['names']}, {parts['tags']}, {parts['body']}, {parts['people']}, "
        f"{parts['facets']} FROM {PACKAGES_FROM} WHERE p.id IN ({ids})",
        f"DELETE FROM packyard_search_package_trigram WHERE rowid IN ({ids})",
        "INSERT INTO packyard_search_package_trigram (rowid, names, tags, facets) "
        f"SELECT p.id, {parts['trigram_names']}, {parts['trigram_tags']}, "
        f"' ' || {parts['facets']} || ' ' "
        f"FROM {PACKAGES_FROM} WHERE p.id IN ({ids})",
        f"DELETE FROM packyard_search_package_words WHERE rowid IN ({ids})",
        "INSERT INTO packyard_search_package_words (rowid, names, tags) "
        f"SELECT p.id, {parts['names']}, {parts['tags']} FROM {PACKAGES_FROM} "
        f"WHERE p.id IN ({ids})",
    ]


def package_names(ids: str) -> list[str]:
    keys = {column: sql_name_key(f"p.{column}", vendor="sqlite") for column in NAME_COLUMNS}
    return [
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'package' AND object_id IN ({ids})",
        f"INSERT INTO {NAME_TABLE} (kind, object_id, key) SELECT DISTINCT 'package', p.id, "
        f"CASE k.n WHEN 1 THEN {keys['title']} WHEN 2 THEN {keys['slug']} "
        f"ELSE {keys['pypi_name']} END AS name_key FROM catalog_package p "
        "JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) AS k "
        f"WHERE p.id IN ({ids}) AND name_key <> ''",
    ]


def package_quality(ids: str, quality: str) -> list[str]:
    """Return statements that store the quality of packages `ids` (SQL list)."""
    return [
        "INSERT OR REPLACE INTO packyard_search_package_rank (package_id, quality) "
        f"SELECT q.id, COALESCE(q.search_quality, 0.0) FROM ({quality}) AS q WHERE q.id IN ({ids})"
    ]


def _package_delete(ids: str) -> list[str]:
    return [
        f"DELETE FROM packyard_search_package_text WHERE rowid IN ({ids})",
        f"DELETE FROM packyard_search_package_trigram WHERE rowid IN ({ids})",
        f"DELETE FROM packyard_search_package_words WHERE rowid IN ({ids})",
        f"DELETE FROM packyard_search_package_rank WHERE package_id IN ({ids})",
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'package' AND object_id IN ({ids})",
    ]


def grid_rows(ids: str) -> list[str]:
    title_key = sql_name_key("g.title", vendor="sqlite")
    slug_key = sql_name_key("g.slug", vendor="sqlite")
    return [
        *_grid_delete(ids),
        "INSERT INTO packyard_search_grid_text (rowid, names, body) "
        f"SELECT g.id, g.title || ' ' || g.slug, g.description FROM grids_grid g "
        f"WHERE g.id IN ({ids})",
        f"INSERT INTO {NAME_TABLE} (kind, object_id, key) SELECT DISTINCT 'grid', g.id, "
        f"CASE k.n WHEN 1 THEN {title_key} ELSE {slug_key} END AS name_key FROM grids_grid g "
        "JOIN (SELECT 1 AS n UNION ALL SELECT 2) AS k "
        f"WHERE g.id IN ({ids}) AND name_key <> ''",
    ]


def _grid_delete(ids: str) -> list[str]:
    return [
        f"DELETE FROM packyard_search_grid_text WHERE rowid IN ({ids})",
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'grid' AND object_id IN ({ids})",
    ]


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)


def triggers(quality: str) -> dict[str, str]:
    """Return each SQLite trigger's CREATE statement by name."""
    members_of_grid = "SELECT package_id FROM grids_gridpackage WHERE grid_id = {row}.id"
    triggers = {
        "packyard_search_package_insert": (
            "AFTER INSERT ON catalog_package",
            package_text("NEW.id") + package_names("NEW.id") + package_quality("NEW.id", quality),
        ),
        # Django never changes a primary key, so the rows of NEW.id are rewritten.
        "packyard_search_package_update": (
            f"AFTER UPDATE ON catalog_package WHEN {_changed(PACKAGE_INDEXED_COLUMNS)}",
            package_text("NEW.id") + package_names("NEW.id"),
        ),
        "packyard_search_package_quality": (
            f"AFTER UPDATE ON catalog_package WHEN {_changed(QUALITY_COLUMNS)}",
            package_quality("NEW.id", quality),
        ),
        "packyard_search_package_delete": (
            "AFTER DELETE ON catalog_package",
            _package_delete("OLD.id"),
        ),
        "packyard_search_category_update": (
            "AFTER UPDATE ON catalog_category WHEN "
            "OLD.title IS NOT NEW.title OR OLD.title_plural IS NOT NEW.title_plural",
            package_text("SELECT id FROM catalog_package WHERE category_id = NEW.id"),
        ),
        "packyard_search_grid_insert": ("AFTER INSERT ON grids_grid", grid_rows("NEW.id")),
        "packyard_search_grid_update": (
            f"AFTER UPDATE ON grids_grid WHEN {_changed(GRID_INDEXED_COLUMNS)}",
            _grid_delete("OLD.id")
            + grid_rows("NEW.id")
            + package_text(members_of_grid.format(row="NEW")),
        ),
        "packyard_search_grid_delete": (
            "AFTER DELETE ON grids_grid",
            _grid_delete("OLD.id") + package_text(members_of_grid.format(row="OLD")),
        ),
        "packyard_search_gridpackage_insert": (
            "AFTER INSERT ON grids_gridpackage",
            package_text("NEW.package_id"),
        ),
        "packyard_search_gridpackage_update": (
            "AFTER UPDATE ON grids_gridpackage WHEN "
            "OLD.package_id IS NOT NEW.package_id OR OLD.grid_id IS NOT NEW.grid_id",
            package_text("OLD.package_id, NEW.package_id"),
        ),
        "packyard_search_gridpackage_delete": (
            "AFTER DELETE ON grids_gridpackage",
            package_text("OLD.package_id"),
        ),
        # Only answers that are, or were, "yes" change a package's support tokens.
        "packyard_search_support_insert": (
            f"AFTER INSERT ON {ANSWER_TABLE} WHEN NEW.answer = '{YES}'",
            package_text("NEW.package_id"),
        ),
        "packyard_search_support_update": (
            f"AFTER UPDATE ON {ANSWER_TABLE} WHEN (OLD.answer = '{YES}' OR NEW.answer = '{YES}') "
            "AND (OLD.answer IS NOT NEW.answer OR OLD.cycle_id IS NOT NEW.cycle_id "
            "OR OLD.package_id IS NOT NEW.package_id)",
            package_text("OLD.package_id, NEW.package_id"),
        ),
        "packyard_search_support_delete": (
            f"AFTER DELETE ON {ANSWER_TABLE} WHEN OLD.answer = '{YES}'",
            package_text("OLD.package_id"),
        ),
    }
    for table, column in QUALITY_TABLES:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            triggers[f"packyard_search_quality_{table}_{event.lower()}"] = (
                f"AFTER {event} ON {table}",
                package_quality(f"{row}.{column}", quality),
            )
    return {
        name: f"CREATE TRIGGER {name} {when} BEGIN {'; '.join(body)}; END"
        for name, (when, body) in triggers.items()
    }


TABLES = (
    # Weighted columns (bm25 weights per column come from the query); facets are tokens.
    "CREATE VIRTUAL TABLE IF NOT EXISTS packyard_search_package_text USING fts5("
    "names, tags, body, people, facets, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
    # Facets again, each token between spaces, so " xcategory1 " never matches xcategory12.
    "CREATE VIRTUAL TABLE IF NOT EXISTS packyard_search_package_trigram USING fts5("
    "names, tags, facets, tokenize = 'trigram')",
    # The words of names and tags, unstemmed, and their list (fts5vocab): misspellings are
    # corrected to words of this list.
    "CREATE VIRTUAL TABLE IF NOT EXISTS packyard_search_package_words USING fts5("
    "names, tags, tokenize = 'unicode61 remove_diacritics 2', detail = none)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS packyard_search_package_vocab USING fts5vocab("
    "packyard_search_package_words, 'row')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS packyard_search_grid_text USING fts5("
    "names, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    # Each package's quality (quality.py), read by ranking instead of the package row.
    "CREATE TABLE IF NOT EXISTS packyard_search_package_rank ("
    "package_id integer PRIMARY KEY, quality real NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {NAME_TABLE} ("
    "kind varchar(10) NOT NULL, object_id integer NOT NULL, key text NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS packyard_search_name_key ON {NAME_TABLE} (key, kind)",
    f"CREATE INDEX IF NOT EXISTS packyard_search_name_object ON {NAME_TABLE} (kind, object_id)",
)
