"""Keep the PostgreSQL index: tsvector tables, the functions that fill them, their triggers.

`packyard_search_package` and `packyard_search_grid` hold weighted tsvectors (GIN) and
trigram indexes on names (pg_trgm, GIN). Triggers are statement-level and read the transition
tables. See https://www.postgresql.org/docs/current/textsearch.html and pgtrgm.html.

The functions that take `ids` plan their statements for each call (`plan_cache_mode =
force_custom_plan`). PL/pgSQL otherwise keeps one generic plan per statement for the whole
session, made when it first ran: a session that starts on empty tables (an import into a new
directory, right after `migrate` rebuilt the empty index) would scan every row of the growing
index tables for each package it writes, and an import would slow down as it went.
See https://www.postgresql.org/docs/current/plpgsql-implementation.html#PLPGSQL-PLAN-CACHING.
"""

from __future__ import annotations

from packyard.search.quality import QUALITY_COLUMNS, QUALITY_TABLES
from packyard.search.schema.common import (
    ANSWER_TABLE,
    GRID_INDEXED_COLUMNS,
    GRID_TABLE_POSTGRESQL,
    NAME_COLUMNS,
    NAME_TABLE,
    PACKAGE_INDEXED_COLUMNS,
    PACKAGE_TABLE_POSTGRESQL,
    PACKAGES_FROM,
    WORD_TABLE_POSTGRESQL,
    YES,
    package_parts,
    sql_name_key,
)

TABLES = (
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


# See the module docstring: plan each statement for the ids at hand, with the tables as they are.
CUSTOM_PLANS = "SET plan_cache_mode = force_custom_plan"


def functions(quality: str) -> list[str]:
    parts = package_parts("postgresql")
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
        f"RETURNS void LANGUAGE plpgsql {CUSTOM_PLANS} AS $$ BEGIN "
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
        f"RETURNS void LANGUAGE plpgsql {CUSTOM_PLANS} AS $$ BEGIN "
        f"UPDATE {PACKAGE_TABLE_POSTGRESQL} AS s SET quality = COALESCE(q.search_quality, 0) "
        f"FROM ({quality}) AS q WHERE q.id = s.package_id AND s.package_id = ANY(ids) "
        "AND s.quality IS DISTINCT FROM COALESCE(q.search_quality, 0); "
        "END $$",
        "CREATE OR REPLACE FUNCTION packyard_search_index_grids(ids bigint[]) "
        f"RETURNS void LANGUAGE plpgsql {CUSTOM_PLANS} AS $$ BEGIN "
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
        # A category's row changes with every package added to it (its stored count): only a
        # new title re-indexes its packages, and the test comes first, so a count's update
        # never reads the category's packages.
        "CREATE OR REPLACE FUNCTION packyard_search_category_changed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id "
        "WHERE n.title IS DISTINCT FROM o.title "
        "OR n.title_plural IS DISTINCT FROM o.title_plural) THEN "
        "PERFORM packyard_search_index_packages(ARRAY(SELECT p.id FROM catalog_package p "
        "JOIN new_rows n ON n.id = p.category_id JOIN old_rows o ON o.id = n.id "
        "WHERE n.title IS DISTINCT FROM o.title "
        "OR n.title_plural IS DISTINCT FROM o.title_plural)); "
        "END IF; RETURN NULL; END $$",
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


def triggers() -> dict[str, tuple[str, str]]:
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


FUNCTIONS = (
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
