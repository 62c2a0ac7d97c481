"""The search index in the database: its tables, and the triggers that keep it current.

Two backends, chosen by the database in use:

- SQLite: FTS5 tables. `packyard_search_package_text` (porter stemming over unicode61) holds
  each package's words in weighted columns and its facets as hidden tokens;
  `packyard_search_package_trigram` (the trigram tokenizer) holds its names and tags for
  substrings and misspellings; `packyard_search_grid_text` holds grids.
  See https://www.sqlite.org/fts5.html.
- PostgreSQL: `packyard_search_package` and `packyard_search_grid` with weighted tsvectors
  (GIN) and trigram indexes on names (pg_trgm, GIN).
  See https://www.postgresql.org/docs/current/textsearch.html and pgtrgm.html.

Both keep `packyard_search_name`: each package's and grid's title, slug and PyPI name as a
key (ASCII lower case, without spaces, `-`, `_` and dots) for exact name matches.

The index is current in the same transaction as every write: triggers on catalog_package,
catalog_category, grids_grid, grids_gridpackage and compatibility_packagecompatibility rewrite
the rows of what changed, whichever code wrote (importer, refresh, admin, a bulk update, raw
SQL). The catalogue's code never imports search.

The triggers are not frozen in a migration: SQLite cannot rebuild a table (as Django does for
many column changes) while a trigger elsewhere names it, so `migrate` drops them before it
runs migrations and installs the current ones afterwards, rebuilding the index when
migrations ran (see apps.py). `manage.py rebuild_search` installs them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper

from packyard.search.quality import QUALITY_COLUMNS, QUALITY_TABLES
from packyard.search.query import NAME_SEPARATORS

PACKAGE_TABLES_SQLITE = (
    "packyard_search_package_text",
    "packyard_search_package_trigram",
    "packyard_search_package_words",
    "packyard_search_package_rank",
)
GRID_TABLES_SQLITE = ("packyard_search_grid_text",)
PACKAGE_TABLE_POSTGRESQL = "packyard_search_package"
GRID_TABLE_POSTGRESQL = "packyard_search_grid"
WORD_TABLE_POSTGRESQL = "packyard_search_word"
NAME_TABLE = "packyard_search_name"

# Facet tokens stored beside each package's words (never matched by what people type).
LIVE_FACET = "xlive"
INACTIVE_FACET = "xinactive"
STATUS_FACETS = {"archived": "xarchived", "deprecated": "xdeprecated", "missing": "xmissing"}
CATEGORY_FACET = "xcategory"
GRID_FACET = "xgrid"
# One token per release cycle (Django, Python) the package's answer is "yes" for.
SUPPORT_FACET = "xsupport"
# The compatibility answers (packyard.compatibility.models.PackageCompatibility), and the
# answer that makes a support token.
ANSWER_TABLE = "compatibility_packagecompatibility"
YES = "yes"

SUPPORTED_VENDORS = ("sqlite", "postgresql")


def sql_name_key(column: str, *, vendor: str) -> str:
    """Return SQL that turns a column into a name key, as query.name_key does in Python."""
    if vendor == "postgresql":
        lowered = f"translate({column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
        return f"translate({lowered}, '{NAME_SEPARATORS}', '')"
    expression = f"lower({column})"
    for character in NAME_SEPARATORS:
        expression = f"replace({expression}, '{character}', '')"
    return expression


def _sql_spaced(expression: str) -> str:
    """Return SQL putting spaces for -, _ and dots, and a space on each side (for trigrams)."""
    for character in NAME_SEPARATORS.strip():
        expression = f"replace({expression}, '{character}', ' ')"
    return f"' ' || lower({expression}) || ' '"


# What each package contributes to the index, as SQL over `p` (package) and `c` (category).
def _package_parts(vendor: str) -> dict[str, str]:
    if vendor == "postgresql":
        grid_titles = (
            "(SELECT string_agg(g.title, ' ') FROM grids_gridpackage gp "
            "JOIN grids_grid g ON g.id = gp.grid_id WHERE gp.package_id = p.id)"
        )
        grid_tokens = (
            f"(SELECT ' ' || string_agg('{GRID_FACET}' || gp.grid_id, ' ') "
            "FROM grids_gridpackage gp WHERE gp.package_id = p.id)"
        )
        support_tokens = (
            f"(SELECT ' ' || string_agg('{SUPPORT_FACET}' || a.cycle_id, ' ') "
            f"FROM {ANSWER_TABLE} a WHERE a.package_id = p.id AND a.answer = '{YES}')"
        )
        people = (
            "(SELECT string_agg(login, ' ') FROM jsonb_array_elements_text(CASE WHEN "
            "jsonb_typeof(p.contributors) = 'array' THEN p.contributors ELSE '[]'::jsonb END) "
            "AS login WHERE login NOT LIKE '%%[bot]')"
        )
    else:
        grid_titles = (
            "(SELECT group_concat(g.title, ' ') FROM grids_gridpackage gp "
            "JOIN grids_grid g ON g.id = gp.grid_id WHERE gp.package_id = p.id)"
        )
        grid_tokens = (
            f"(SELECT ' ' || group_concat('{GRID_FACET}' || gp.grid_id, ' ') "
            "FROM grids_gridpackage gp WHERE gp.package_id = p.id)"
        )
        support_tokens = (
            f"(SELECT ' ' || group_concat('{SUPPORT_FACET}' || a.cycle_id, ' ') "
            f"FROM {ANSWER_TABLE} a WHERE a.package_id = p.id AND a.answer = '{YES}')"
        )
        people = (
            "(SELECT group_concat(j.value, ' ') FROM json_each(CASE WHEN "
            "json_valid(p.contributors) AND json_type(p.contributors) = 'array' "
            "THEN p.contributors ELSE '[]' END) AS j "
            "WHERE j.type = 'text' AND j.value NOT LIKE '%%[bot]')"
        )
    names = "p.title || ' ' || p.slug || ' ' || p.pypi_name"
    tags = (
        "c.title || ' ' || c.title_plural || ' ' || p.pypi_keywords || ' ' || "
        f"coalesce({grid_titles}, '')"
    )
    status = (
        "(CASE WHEN p.archived_at IS NULL AND p.deprecated_at IS NULL "
        f"AND p.repo_missing_since IS NULL THEN '{LIVE_FACET}' ELSE '{INACTIVE_FACET}' END)"
        f" || (CASE WHEN p.archived_at IS NULL THEN '' ELSE ' {STATUS_FACETS['archived']}' END)"
        " || (CASE WHEN p.deprecated_at IS NULL THEN '' "
        f"ELSE ' {STATUS_FACETS['deprecated']}' END)"
        " || (CASE WHEN p.repo_missing_since IS NULL THEN '' "
        f"ELSE ' {STATUS_FACETS['missing']}' END)"
    )
    category_id = "CAST(p.category_id AS text)" if vendor == "postgresql" else "p.category_id"
    return {
        "names": names,
        "tags": tags,
        "body": "p.description || ' ' || p.pypi_summary",
        "people": f"coalesce({people}, '')",
        "facets": (
            f"{status} || ' {CATEGORY_FACET}' || {category_id} || coalesce({grid_tokens}, '') "
            f"|| coalesce({support_tokens}, '')"
        ),
        "trigram_names": _sql_spaced(names),
        "trigram_tags": _sql_spaced(tags),
    }


# Columns of catalog_package whose change changes what the index holds.
PACKAGE_INDEXED_COLUMNS = (
    "title",
    "slug",
    "pypi_name",
    "description",
    "pypi_summary",
    "pypi_keywords",
    "contributors",
    "category_id",
    "archived_at",
    "deprecated_at",
    "repo_missing_since",
)
GRID_INDEXED_COLUMNS = ("title", "slug", "description")
PACKAGES_FROM = "catalog_package p JOIN catalog_category c ON c.id = p.category_id"


def quality_select(connection: BaseDatabaseWrapper) -> str:
    """Return SQL selecting (id, search_quality) of every package, by the database's clock.

    Compiled from `package_quality` by the ORM, so triggers and ranking use the one definition.
    """
    from django.db.models.functions import Now

    from packyard.catalog.models import Package
    from packyard.search.quality import package_quality

    queryset = (
        Package.objects.annotate(search_quality=package_quality(now=Now()))
        .values("id", "search_quality")
        .order_by()
    )
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    literals = []
    for param in params:
        # Trigger bodies take no parameters; only numbers are written into them.
        if isinstance(param, bool) or not isinstance(param, int | float):
            raise ImproperlyConfigured(
                f"package_quality() may use only numbers as values, not {param!r}."
            )
        literals.append(repr(float(param)) if isinstance(param, float) else str(param))
    return str(sql % tuple(literals))


# SQLite -----------------------------------------------------------------------------------


def _sqlite_package_text(ids: str) -> list[str]:
    """Return statements that rewrite the text and trigram rows of packages `ids` (SQL list)."""
    parts = _package_parts("sqlite")
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


def _sqlite_package_names(ids: str) -> list[str]:
    keys = {column: sql_name_key(f"p.{column}", vendor="sqlite") for column in NAME_COLUMNS}
    return [
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'package' AND object_id IN ({ids})",
        f"INSERT INTO {NAME_TABLE} (kind, object_id, key) SELECT DISTINCT 'package', p.id, "
        f"CASE k.n WHEN 1 THEN {keys['title']} WHEN 2 THEN {keys['slug']} "
        f"ELSE {keys['pypi_name']} END AS name_key FROM catalog_package p "
        "JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) AS k "
        f"WHERE p.id IN ({ids}) AND name_key <> ''",
    ]


def _sqlite_package_quality(ids: str, quality: str) -> list[str]:
    """Return statements that store the quality of packages `ids` (SQL list)."""
    return [
        "INSERT OR REPLACE INTO packyard_search_package_rank (package_id, quality) "
        f"SELECT q.id, COALESCE(q.search_quality, 0.0) FROM ({quality}) AS q WHERE q.id IN ({ids})"
    ]


def _sqlite_package_delete(ids: str) -> list[str]:
    return [
        f"DELETE FROM packyard_search_package_text WHERE rowid IN ({ids})",
        f"DELETE FROM packyard_search_package_trigram WHERE rowid IN ({ids})",
        f"DELETE FROM packyard_search_package_words WHERE rowid IN ({ids})",
        f"DELETE FROM packyard_search_package_rank WHERE package_id IN ({ids})",
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'package' AND object_id IN ({ids})",
    ]


def _sqlite_grid(ids: str) -> list[str]:
    title_key = sql_name_key("g.title", vendor="sqlite")
    slug_key = sql_name_key("g.slug", vendor="sqlite")
    return [
        *_sqlite_grid_delete(ids),
        "INSERT INTO packyard_search_grid_text (rowid, names, body) "
        f"SELECT g.id, g.title || ' ' || g.slug, g.description FROM grids_grid g "
        f"WHERE g.id IN ({ids})",
        f"INSERT INTO {NAME_TABLE} (kind, object_id, key) SELECT DISTINCT 'grid', g.id, "
        f"CASE k.n WHEN 1 THEN {title_key} ELSE {slug_key} END AS name_key FROM grids_grid g "
        "JOIN (SELECT 1 AS n UNION ALL SELECT 2) AS k "
        f"WHERE g.id IN ({ids}) AND name_key <> ''",
    ]


def _sqlite_grid_delete(ids: str) -> list[str]:
    return [
        f"DELETE FROM packyard_search_grid_text WHERE rowid IN ({ids})",
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'grid' AND object_id IN ({ids})",
    ]


NAME_COLUMNS = ("title", "slug", "pypi_name")


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)


def _sqlite_triggers(quality: str) -> dict[str, str]:
    """Return each SQLite trigger's CREATE statement by name."""
    members_of_grid = "SELECT package_id FROM grids_gridpackage WHERE grid_id = {row}.id"
    triggers = {
        "packyard_search_package_insert": (
            "AFTER INSERT ON catalog_package",
            _sqlite_package_text("NEW.id")
            + _sqlite_package_names("NEW.id")
            + _sqlite_package_quality("NEW.id", quality),
        ),
        # Django never changes a primary key, so the rows of NEW.id are rewritten.
        "packyard_search_package_update": (
            f"AFTER UPDATE ON catalog_package WHEN {_changed(PACKAGE_INDEXED_COLUMNS)}",
            _sqlite_package_text("NEW.id") + _sqlite_package_names("NEW.id"),
        ),
        "packyard_search_package_quality": (
            f"AFTER UPDATE ON catalog_package WHEN {_changed(QUALITY_COLUMNS)}",
            _sqlite_package_quality("NEW.id", quality),
        ),
        "packyard_search_package_delete": (
            "AFTER DELETE ON catalog_package",
            _sqlite_package_delete("OLD.id"),
        ),
        "packyard_search_category_update": (
            "AFTER UPDATE ON catalog_category WHEN "
            "OLD.title IS NOT NEW.title OR OLD.title_plural IS NOT NEW.title_plural",
            _sqlite_package_text("SELECT id FROM catalog_package WHERE category_id = NEW.id"),
        ),
        "packyard_search_grid_insert": ("AFTER INSERT ON grids_grid", _sqlite_grid("NEW.id")),
        "packyard_search_grid_update": (
            f"AFTER UPDATE ON grids_grid WHEN {_changed(GRID_INDEXED_COLUMNS)}",
            _sqlite_grid_delete("OLD.id")
            + _sqlite_grid("NEW.id")
            + _sqlite_package_text(members_of_grid.format(row="NEW")),
        ),
        "packyard_search_grid_delete": (
            "AFTER DELETE ON grids_grid",
            _sqlite_grid_delete("OLD.id") + _sqlite_package_text(members_of_grid.format(row="OLD")),
        ),
        "packyard_search_gridpackage_insert": (
            "AFTER INSERT ON grids_gridpackage",
            _sqlite_package_text("NEW.package_id"),
        ),
        "packyard_search_gridpackage_update": (
            "AFTER UPDATE ON grids_gridpackage WHEN "
            "OLD.package_id IS NOT NEW.package_id OR OLD.grid_id IS NOT NEW.grid_id",
            _sqlite_package_text("OLD.package_id, NEW.package_id"),
        ),
        "packyard_search_gridpackage_delete": (
            "AFTER DELETE ON grids_gridpackage",
            _sqlite_package_text("OLD.package_id"),
        ),
        # Only answers that are, or were, "yes" change a package's support tokens.
        "packyard_search_support_insert": (
            f"AFTER INSERT ON {ANSWER_TABLE} WHEN NEW.answer = '{YES}'",
            _sqlite_package_text("NEW.package_id"),
        ),
        "packyard_search_support_update": (
            f"AFTER UPDATE ON {ANSWER_TABLE} WHEN (OLD.answer = '{YES}' OR NEW.answer = '{YES}') "
            "AND (OLD.answer IS NOT NEW.answer OR OLD.cycle_id IS NOT NEW.cycle_id "
            "OR OLD.package_id IS NOT NEW.package_id)",
            _sqlite_package_text("OLD.package_id, NEW.package_id"),
        ),
        "packyard_search_support_delete": (
            f"AFTER DELETE ON {ANSWER_TABLE} WHEN OLD.answer = '{YES}'",
            _sqlite_package_text("OLD.package_id"),
        ),
    }
    for table, column in QUALITY_TABLES:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            triggers[f"packyard_search_quality_{table}_{event.lower()}"] = (
                f"AFTER {event} ON {table}",
                _sqlite_package_quality(f"{row}.{column}", quality),
            )
    return {
        name: f"CREATE TRIGGER {name} {when} BEGIN {'; '.join(body)}; END"
        for name, (when, body) in triggers.items()
    }


SQLITE_TABLES = (
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


# PostgreSQL -------------------------------------------------------------------------------

POSTGRESQL_TABLES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE TABLE IF NOT EXISTS {PACKAGE_TABLE_POSTGRESQL} ("
    "package_id bigint PRIMARY KEY, "
    "names text NOT NULL, "  # names, spaced and lower case: substrings (LIKE, trigram index)
    "fuzzy text NOT NULL, "  # names and tags, spaced and lower case: misspellings
    "primary_document tsvector NOT NULL, "  # names (A) and tags (B)
    "document tsvector NOT NULL, "  # names (A), tags (B), body (C), people (D)
    "facets tsvector NOT NULL, "
    "quality double precision NOT NULL DEFAULT 0)",  # quality.py, read by ranking
    # fastupdate off: a GIN pending list makes every search scan it (tens of thousands of
    # rows after an import); writes pay a little more instead.
    "CREATE INDEX IF NOT EXISTS packyard_search_package_primary "
    f"ON {PACKAGE_TABLE_POSTGRESQL} USING gin (primary_document) WITH (fastupdate = off)",
    "CREATE INDEX IF NOT EXISTS packyard_search_package_document "
    f"ON {PACKAGE_TABLE_POSTGRESQL} USING gin (document) WITH (fastupdate = off)",
    "CREATE INDEX IF NOT EXISTS packyard_search_package_facets "
    f"ON {PACKAGE_TABLE_POSTGRESQL} USING gin (facets) WITH (fastupdate = off)",
    "CREATE INDEX IF NOT EXISTS packyard_search_package_names "
    f"ON {PACKAGE_TABLE_POSTGRESQL} USING gin (names gin_trgm_ops) WITH (fastupdate = off)",
    "CREATE INDEX IF NOT EXISTS packyard_search_package_fuzzy "
    f"ON {PACKAGE_TABLE_POSTGRESQL} USING gin (fuzzy gin_trgm_ops) WITH (fastupdate = off)",
    # The words of names and tags (added as packages are indexed; rebuilt by rebuild_search):
    # misspellings are corrected to words of this list.
    f'CREATE TABLE IF NOT EXISTS {WORD_TABLE_POSTGRESQL} (word text COLLATE "C" PRIMARY KEY)',
    f"CREATE TABLE IF NOT EXISTS {GRID_TABLE_POSTGRESQL} ("
    "grid_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS packyard_search_grid_document "
    f"ON {GRID_TABLE_POSTGRESQL} USING gin (document) WITH (fastupdate = off)",
    f"CREATE TABLE IF NOT EXISTS {NAME_TABLE} ("
    "kind varchar(10) NOT NULL, object_id bigint NOT NULL, key text NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS packyard_search_name_key ON {NAME_TABLE} (key, kind)",
    f"CREATE INDEX IF NOT EXISTS packyard_search_name_object ON {NAME_TABLE} (kind, object_id)",
)


def _postgresql_functions(quality: str) -> list[str]:
    parts = _package_parts("postgresql")
    keys = {column: sql_name_key(f"p.{column}", vendor="postgresql") for column in NAME_COLUMNS}
    grid_keys = [sql_name_key(f"g.{column}", vendor="postgresql") for column in ("title", "slug")]
    changed_packages = " OR ".join(
        f"n.{column} IS DISTINCT FROM o.{column}" for column in PACKAGE_INDEXED_COLUMNS
    )
    changed_grids = " OR ".join(
        f"n.{column} IS DISTINCT FROM o.{column}" for column in GRID_INDEXED_COLUMNS
    )
    changed_quality = " OR ".join(
        f"n.{column} IS DISTINCT FROM o.{column}" for column in QUALITY_COLUMNS
    )
    document = (
        "setweight(to_tsvector('english', s.names), 'A') || "
        "setweight(to_tsvector('english', s.tags), 'B') || "
        "setweight(to_tsvector('english', s.body), 'C') || "
        "setweight(to_tsvector('english', s.people), 'D')"
    )
    primary = (
        "setweight(to_tsvector('english', s.names), 'A') || "
        "setweight(to_tsvector('english', s.tags), 'B')"
    )
    return [
        # Rewrite the index rows of some packages from their current rows.
        "CREATE OR REPLACE FUNCTION packyard_search_index_packages(ids bigint[]) "
        "RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        f"DELETE FROM {PACKAGE_TABLE_POSTGRESQL} WHERE package_id = ANY(ids); "
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'package' AND object_id = ANY(ids); "
        f"INSERT INTO {PACKAGE_TABLE_POSTGRESQL} "
        "(package_id, names, fuzzy, primary_document, document, facets, quality) "
        "SELECT s.id, s.trigram_names, s.trigram_names || s.trigram_tags, "
        f"{primary}, {document}, to_tsvector('simple', s.facets), "
        f"COALESCE((SELECT q.search_quality FROM ({quality}) AS q WHERE q.id = s.id), 0) FROM ("
        f"SELECT p.id, {parts['names']} AS names, {parts['tags']} AS tags, "
        f"{parts['body']} AS body, {parts['people']} AS people, {parts['facets']} AS facets, "
        f"{parts['trigram_names']} AS trigram_names, {parts['trigram_tags']} AS trigram_tags "
        f"FROM {PACKAGES_FROM} WHERE p.id = ANY(ids)) AS s; "
        f"INSERT INTO {NAME_TABLE} (kind, object_id, key) SELECT DISTINCT 'package', p.id, k.key "
        "FROM catalog_package p CROSS JOIN LATERAL (VALUES "
        f"({keys['title']}), ({keys['slug']}), ({keys['pypi_name']})) AS k(key) "
        "WHERE p.id = ANY(ids) AND k.key <> ''; "
        f"INSERT INTO {WORD_TABLE_POSTGRESQL} (word) SELECT DISTINCT w "
        f"FROM {PACKAGE_TABLE_POSTGRESQL} s, "
        "regexp_split_to_table(s.fuzzy, '[^[:alnum:]]+') AS w "
        "WHERE s.package_id = ANY(ids) AND length(w) >= 3 ON CONFLICT DO NOTHING; "
        "END $$".replace("%%", "%"),
        # Store the quality of some packages.
        "CREATE OR REPLACE FUNCTION packyard_search_index_quality(ids bigint[]) "
        "RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE {PACKAGE_TABLE_POSTGRESQL} AS s SET quality = COALESCE(q.search_quality, 0) "
        f"FROM ({quality}) AS q WHERE q.id = s.package_id AND s.package_id = ANY(ids) "
        "AND s.quality IS DISTINCT FROM COALESCE(q.search_quality, 0); "
        "END $$",
        "CREATE OR REPLACE FUNCTION packyard_search_index_grids(ids bigint[]) "
        "RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        f"DELETE FROM {GRID_TABLE_POSTGRESQL} WHERE grid_id = ANY(ids); "
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'grid' AND object_id = ANY(ids); "
        f"INSERT INTO {GRID_TABLE_POSTGRESQL} (grid_id, document) SELECT g.id, "
        "setweight(to_tsvector('english', g.title || ' ' || g.slug), 'A') || "
        "setweight(to_tsvector('english', g.description), 'C') "
        "FROM grids_grid g WHERE g.id = ANY(ids); "
        f"INSERT INTO {NAME_TABLE} (kind, object_id, key) SELECT DISTINCT 'grid', g.id, k.key "
        f"FROM grids_grid g CROSS JOIN LATERAL (VALUES ({grid_keys[0]}), ({grid_keys[1]})) "
        "AS k(key) WHERE g.id = ANY(ids) AND k.key <> ''; "
        "END $$",
        # Trigger functions: statement-level, reading the transition tables.
        "CREATE OR REPLACE FUNCTION packyard_search_package_changed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT id FROM new_rows)); "
        "ELSIF TG_OP = 'UPDATE' THEN "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT n.id FROM new_rows n "
        f"JOIN old_rows o ON o.id = n.id WHERE {changed_packages})); "
        "PERFORM packyard_search_index_quality(ARRAY(SELECT n.id FROM new_rows n "
        f"JOIN old_rows o ON o.id = n.id WHERE {changed_quality})); "
        "ELSE "
        f"DELETE FROM {PACKAGE_TABLE_POSTGRESQL} WHERE package_id IN (SELECT id FROM old_rows); "
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'package' "
        "AND object_id IN (SELECT id FROM old_rows); "
        "END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION packyard_search_category_changed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT p.id FROM catalog_package p "
        "JOIN new_rows n ON n.id = p.category_id JOIN old_rows o ON o.id = n.id "
        "WHERE n.title IS DISTINCT FROM o.title "
        "OR n.title_plural IS DISTINCT FROM o.title_plural)); "
        "RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION packyard_search_grid_changed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "PERFORM packyard_search_index_grids(ARRAY(SELECT id FROM new_rows)); "
        "ELSIF TG_OP = 'UPDATE' THEN "
        "PERFORM packyard_search_index_grids(ARRAY(SELECT n.id FROM new_rows n "
        f"JOIN old_rows o ON o.id = n.id WHERE {changed_grids})); "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT DISTINCT gp.package_id "
        "FROM grids_gridpackage gp JOIN new_rows n ON n.id = gp.grid_id "
        "JOIN old_rows o ON o.id = n.id WHERE n.title IS DISTINCT FROM o.title)); "
        "ELSE "
        f"DELETE FROM {GRID_TABLE_POSTGRESQL} WHERE grid_id IN (SELECT id FROM old_rows); "
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'grid' "
        "AND object_id IN (SELECT id FROM old_rows); "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT DISTINCT gp.package_id "
        "FROM grids_gridpackage gp JOIN old_rows o ON o.id = gp.grid_id)); "
        "END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION packyard_search_membership_changed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT DISTINCT package_id FROM new_rows)); "
        "ELSIF TG_OP = 'UPDATE' THEN "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT package_id FROM new_rows "
        "UNION SELECT package_id FROM old_rows)); "
        "ELSE "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT DISTINCT package_id FROM old_rows)); "
        "END IF; RETURN NULL; END $$",
        # Only answers that are, or were, "yes" change a package's support tokens.
        "CREATE OR REPLACE FUNCTION packyard_search_support_changed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT DISTINCT package_id FROM new_rows "
        f"WHERE answer = '{YES}')); "
        "ELSIF TG_OP = 'UPDATE' THEN "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT n.package_id FROM new_rows n "
        f"JOIN old_rows o ON o.id = n.id WHERE (o.answer = '{YES}' OR n.answer = '{YES}') "
        "AND (o.answer IS DISTINCT FROM n.answer OR o.cycle_id IS DISTINCT FROM n.cycle_id "
        "OR o.package_id IS DISTINCT FROM n.package_id) "
        "UNION SELECT o.package_id FROM new_rows n JOIN old_rows o ON o.id = n.id "
        "WHERE o.package_id IS DISTINCT FROM n.package_id)); "
        "ELSE "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT DISTINCT package_id FROM old_rows "
        f"WHERE answer = '{YES}')); "
        "END IF; RETURN NULL; END $$",
        # Django's flush (and any TRUNCATE) empties the catalogue without row triggers.
        "CREATE OR REPLACE FUNCTION packyard_search_package_truncated() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"TRUNCATE {PACKAGE_TABLE_POSTGRESQL}; "
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'package'; RETURN NULL; END $$",
        # Emptying the answers alone (a TRUNCATE of that table) takes every support token away.
        "CREATE OR REPLACE FUNCTION packyard_search_support_truncated() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT id FROM catalog_package)); "
        "RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION packyard_search_grid_truncated() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"TRUNCATE {GRID_TABLE_POSTGRESQL}; "
        f"DELETE FROM {NAME_TABLE} WHERE kind = 'grid'; RETURN NULL; END $$",
        *(
            f"CREATE OR REPLACE FUNCTION packyard_search_quality_from_{table}() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM packyard_search_index_quality("
            f"ARRAY(SELECT {column} FROM new_rows)); END IF; "
            "IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM packyard_search_index_quality("
            f"ARRAY(SELECT {column} FROM old_rows)); END IF; RETURN NULL; END $$"
            for table, column in QUALITY_TABLES
        ),
    ]


def _postgresql_triggers() -> dict[str, tuple[str, str]]:
    """Return each PostgreSQL trigger's table and CREATE statement by name."""
    specs = {
        "packyard_search_package_insert": ("catalog_package", "INSERT", "package_changed"),
        "packyard_search_package_update": ("catalog_package", "UPDATE", "package_changed"),
        "packyard_search_package_delete": ("catalog_package", "DELETE", "package_changed"),
        "packyard_search_package_truncate": ("catalog_package", "TRUNCATE", "package_truncated"),
        "packyard_search_category_update": ("catalog_category", "UPDATE", "category_changed"),
        "packyard_search_grid_insert": ("grids_grid", "INSERT", "grid_changed"),
        "packyard_search_grid_update": ("grids_grid", "UPDATE", "grid_changed"),
        "packyard_search_grid_delete": ("grids_grid", "DELETE", "grid_changed"),
        "packyard_search_grid_truncate": ("grids_grid", "TRUNCATE", "grid_truncated"),
        "packyard_search_gridpackage_insert": ("grids_gridpackage", "INSERT", "membership_changed"),
        "packyard_search_gridpackage_update": ("grids_gridpackage", "UPDATE", "membership_changed"),
        "packyard_search_gridpackage_delete": ("grids_gridpackage", "DELETE", "membership_changed"),
        "packyard_search_support_insert": (ANSWER_TABLE, "INSERT", "support_changed"),
        "packyard_search_support_update": (ANSWER_TABLE, "UPDATE", "support_changed"),
        "packyard_search_support_delete": (ANSWER_TABLE, "DELETE", "support_changed"),
        "packyard_search_support_truncate": (ANSWER_TABLE, "TRUNCATE", "support_truncated"),
    }
    for table, _column in QUALITY_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            specs[f"packyard_search_quality_{table}_{event.lower()}"] = (
                table,
                event,
                f"quality_from_{table}",
            )
    transition = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows ",
        "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows ",
        "DELETE": "REFERENCING OLD TABLE AS old_rows ",
        "TRUNCATE": "",
    }
    return {
        name: (
            table,
            f"CREATE TRIGGER {name} AFTER {event} ON {table} {transition[event]}"
            f"FOR EACH STATEMENT EXECUTE FUNCTION packyard_search_{function}()",
        )
        for name, (table, event, function) in specs.items()
    }


POSTGRESQL_FUNCTIONS = (
    "packyard_search_index_packages(bigint[])",
    "packyard_search_index_quality(bigint[])",
    "packyard_search_index_grids(bigint[])",
    "packyard_search_package_changed()",
    "packyard_search_category_changed()",
    "packyard_search_grid_changed()",
    "packyard_search_membership_changed()",
    "packyard_search_support_changed()",
    "packyard_search_support_truncated()",
    "packyard_search_package_truncated()",
    "packyard_search_grid_truncated()",
)


# Installing, checking, rebuilding ---------------------------------------------------------


def vendor_of(connection: BaseDatabaseWrapper) -> str:
    """Return the connection's vendor, or fail clearly for a database search cannot use."""
    vendor = str(connection.vendor)
    if vendor not in SUPPORTED_VENDORS:
        raise NotImplementedError(f"Packyard's search runs on SQLite or PostgreSQL, not {vendor}.")
    return vendor


def create_tables(connection: BaseDatabaseWrapper) -> None:
    """Create the index tables (and pg_trgm) if they are not there."""
    statements = SQLITE_TABLES if vendor_of(connection) == "sqlite" else POSTGRESQL_TABLES
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _index_tables(connection: BaseDatabaseWrapper) -> tuple[str, ...]:
    """Return the tables that hold the index's rows on this database."""
    if vendor_of(connection) == "sqlite":
        return (*PACKAGE_TABLES_SQLITE, *GRID_TABLES_SQLITE, NAME_TABLE)
    return (PACKAGE_TABLE_POSTGRESQL, GRID_TABLE_POSTGRESQL, WORD_TABLE_POSTGRESQL, NAME_TABLE)


def drop_tables(connection: BaseDatabaseWrapper) -> None:
    """Drop the index tables and their triggers."""
    uninstall_triggers(connection)
    tables = _index_tables(connection)
    with connection.cursor() as cursor:
        if vendor_of(connection) == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS packyard_search_package_vocab")
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def tables_exist(connection: BaseDatabaseWrapper) -> bool:
    """Tell whether the index tables exist (the search migration ran)."""
    return NAME_TABLE in connection.introspection.table_names()


def missing_source_tables(connection: BaseDatabaseWrapper) -> list[str]:
    """Return the tables the triggers read that do not exist (an app migrated back to zero)."""
    sources = [
        "catalog_package",
        "catalog_category",
        "grids_grid",
        "grids_gridpackage",
        ANSWER_TABLE,
        *(table for table, _column in QUALITY_TABLES),
    ]
    present = set(connection.introspection.table_names())
    return [table for table in sources if table not in present]


def trigger_names(connection: BaseDatabaseWrapper) -> set[str]:
    """Return the names of the search triggers installed now."""
    with connection.cursor() as cursor:
        if vendor_of(connection) == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'packyard_search_%%'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgname LIKE 'packyard_search_%%'"
            )
        return {row[0] for row in cursor.fetchall()}


def expected_trigger_names(connection: BaseDatabaseWrapper) -> set[str]:
    """Return the names of the triggers the index needs on this database."""
    if vendor_of(connection) == "sqlite":
        return set(_sqlite_triggers(quality=""))
    return set(_postgresql_triggers())


def triggers_installed(connection: BaseDatabaseWrapper) -> bool:
    """Tell whether every trigger the index needs is in place."""
    return expected_trigger_names(connection) <= trigger_names(connection)


def uninstall_triggers(connection: BaseDatabaseWrapper) -> None:
    """Drop the search triggers (and PostgreSQL functions) that exist."""
    present = trigger_names(connection)
    with connection.cursor() as cursor:
        if vendor_of(connection) == "sqlite":
            for name in sorted(present):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            return
        cursor.execute(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE 'packyard_search_%%'"
        )
        for name, table in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
        for function in POSTGRESQL_FUNCTIONS:
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
        for table, _column in QUALITY_TABLES:
            cursor.execute(f"DROP FUNCTION IF EXISTS packyard_search_quality_from_{table}()")


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """Install the current triggers, replacing any older ones."""
    uninstall_triggers(connection)
    quality = quality_select(connection)
    with connection.cursor() as cursor:
        if vendor_of(connection) == "sqlite":
            for statement in _sqlite_triggers(quality).values():
                cursor.execute(statement)
            return
        for statement in _postgresql_functions(quality):
            cursor.execute(statement)
        for _table, statement in _postgresql_triggers().values():
            cursor.execute(statement)


def clear(connection: BaseDatabaseWrapper) -> None:
    """Remove every row of the index."""
    tables = _index_tables(connection)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")


def index_packages_between(connection: BaseDatabaseWrapper, low: int, high: int) -> None:
    """Write the index rows of the packages whose id is in [low, high]."""
    _index_between(connection, low, high, kind="package")


def index_grids_between(connection: BaseDatabaseWrapper, low: int, high: int) -> None:
    """Write the index rows of the grids whose id is in [low, high]."""
    _index_between(connection, low, high, kind="grid")


def _index_between(connection: BaseDatabaseWrapper, low: int, high: int, *, kind: str) -> None:
    table = "catalog_package" if kind == "package" else "grids_grid"
    ids = f"SELECT id FROM {table} WHERE id BETWEEN {int(low)} AND {int(high)}"
    with connection.cursor() as cursor:
        if vendor_of(connection) == "postgresql":
            function = (
                "packyard_search_index_packages"
                if kind == "package"
                else ("packyard_search_index_grids")
            )
            cursor.execute(f"SELECT {function}(ARRAY({ids}))")
            return
        statements = (
            _sqlite_package_text(ids)
            + _sqlite_package_names(ids)
            + _sqlite_package_quality(ids, quality_select(connection))
            if kind == "package"
            else _sqlite_grid(ids)
        )
        for statement in statements:
            cursor.execute(statement)


def index_quality_between(connection: BaseDatabaseWrapper, low: int, high: int) -> None:
    """Store again the quality of the packages whose id is in [low, high] (activity ages)."""
    ids = f"SELECT id FROM catalog_package WHERE id BETWEEN {int(low)} AND {int(high)}"
    with connection.cursor() as cursor:
        if vendor_of(connection) == "postgresql":
            cursor.execute(f"SELECT packyard_search_index_quality(ARRAY({ids}))")
            return
        for statement in _sqlite_package_quality(ids, quality_select(connection)):
            cursor.execute(statement)


def optimize(connection: BaseDatabaseWrapper) -> None:
    """Merge the index's segments (SQLite) or refresh the planner's statistics (PostgreSQL)."""
    with connection.cursor() as cursor:
        if vendor_of(connection) == "sqlite":
            for table in (*PACKAGE_TABLES_SQLITE, *GRID_TABLES_SQLITE):
                if table != "packyard_search_package_rank":
                    cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        else:
            for table in (
                PACKAGE_TABLE_POSTGRESQL,
                GRID_TABLE_POSTGRESQL,
                WORD_TABLE_POSTGRESQL,
                NAME_TABLE,
            ):
                cursor.execute(f"ANALYZE {table}")


@contextmanager
def triggers_paused(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Drop the triggers for a block (the index is rebuilt after it), then install them."""
    uninstall_triggers(connection)
    try:
        yield
    finally:
        install_triggers(connection)


ProgressCallback = Callable[[int], None]
