"""Each package's facts version, `Package.facts_version`, kept by database triggers.

HTML made of a package's facts once and kept (a grid's column: `packyard.grids.models`) is
stored with the facts version it was made at; it is fresh while the package's version is the
same, which a page reads with the package at no cost. The version grows, in the writing
transaction and whatever writes (services, the refresh, the importer, the admin, raw SQL),
when one of these changes:

- a fact of the package a summary shows (FACT_COLUMNS), compared value by value, so a save
  that changes nothing keeps the version;
- the title or slug of the package that replaces it;
- its category's title;
- its latest release (the release whose version is the package's `pypi_version`);
- and, through `packyard.scoring.facts`, its score.

Like the count triggers (`packyard.catalog.counts`), they step aside while migrations run, since
SQLite rebuilds the tables they name, and `migrate` installs them again.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from packyard.core.database import triggers_drop, triggers_install

TRIGGER_PREFIX = "packyard_facts_"
PACKAGES = "catalog_package"
CATEGORIES = "catalog_category"
RELEASES = "catalog_release"
# What summaries of a package show of its own row.
FACT_COLUMNS = (
    "title",
    "slug",
    "description",
    "stars",
    "forks",
    "commits_over_52",
    "archived_at",
    "deprecated_at",
    "repo_missing_since",
    "pypi_version",
    "latest_release_at",
    "pypi_project_status",
    "category_id",
    "replaced_by_id",
)
# What a summary shows of the latest release (and what makes a release the latest).
RELEASE_COLUMNS = (
    "package_id",
    "version",
    "license",
    "requires_python",
    "classifiers",
    "development_status",
)

# Every name here is this module's constant, never input.


def bump(where: str) -> str:
    """Return the statement that moves the facts version of the packages `where` selects."""
    return f"UPDATE {PACKAGES} SET facts_version = facts_version + 1 WHERE {where};"  # noqa: S608


def _changed(columns: tuple[str, ...], *, differ: str) -> str:
    return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in columns)


def _latest(row: str) -> str:
    return f"(id = {row}.package_id AND pypi_version = {row}.version)"


_SQLITE = {
    "package": (
        f"AFTER UPDATE OF {', '.join(FACT_COLUMNS)} ON {PACKAGES} "
        f"WHEN {_changed(FACT_COLUMNS, differ='IS NOT')} BEGIN {bump('id = NEW.id')} END"
    ),
    "replacement": (
        f"AFTER UPDATE OF title, slug ON {PACKAGES} "
        f"WHEN {_changed(('title', 'slug'), differ='IS NOT')} "
        f"BEGIN {bump('replaced_by_id = NEW.id')} END"
    ),
    "category": (
        f"AFTER UPDATE OF title ON {CATEGORIES} WHEN OLD.title IS NOT NEW.title "
        f"BEGIN {bump('category_id = NEW.id')} END"
    ),
    "release_insert": f"AFTER INSERT ON {RELEASES} BEGIN {bump(_latest('NEW'))} END",
    "release_delete": f"AFTER DELETE ON {RELEASES} BEGIN {bump(_latest('OLD'))} END",
    "release_update": (
        f"AFTER UPDATE OF {', '.join(RELEASE_COLUMNS)} ON {RELEASES} "
        f"WHEN {_changed(RELEASE_COLUMNS, differ='IS NOT')} "
        f"BEGIN {bump(_latest('OLD') + ' OR ' + _latest('NEW'))} END"
    ),
}

_POSTGRESQL = [
    # The package's own version is set before its row is written: no second write.
    f"""
CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}package() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.facts_version := OLD.facts_version + 1;
    IF {_changed(("title", "slug"), differ="IS DISTINCT FROM")} THEN
        {bump("replaced_by_id = NEW.id")}
    END IF;
    RETURN NEW;
END $$;
""",
    f"""
CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}category() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {bump("category_id = NEW.id")}
    RETURN NULL;
END $$;
""",
    f"""
CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        {bump(_latest("OLD"))}
    ELSIF TG_OP = 'INSERT' THEN
        {bump(_latest("NEW"))}
    ELSE
        {bump(_latest("OLD") + " OR " + _latest("NEW"))}
    END IF;
    RETURN NULL;
END $$;
""",
    f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}package ON {PACKAGES}",
    f"CREATE TRIGGER {TRIGGER_PREFIX}package BEFORE UPDATE OF {', '.join(FACT_COLUMNS)} "
    f"ON {PACKAGES} FOR EACH ROW "
    f"WHEN ({_changed(FACT_COLUMNS, differ='IS DISTINCT FROM')}) "
    f"EXECUTE FUNCTION {TRIGGER_PREFIX}package()",
    f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}category ON {CATEGORIES}",
    f"CREATE TRIGGER {TRIGGER_PREFIX}category AFTER UPDATE OF title ON {CATEGORIES} "
    f"FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) "
    f"EXECUTE FUNCTION {TRIGGER_PREFIX}category()",
    f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}release_written ON {RELEASES}",
    f"CREATE TRIGGER {TRIGGER_PREFIX}release_written AFTER INSERT OR DELETE ON {RELEASES} "
    f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER_PREFIX}release()",
    f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}release_changed ON {RELEASES}",
    f"CREATE TRIGGER {TRIGGER_PREFIX}release_changed AFTER UPDATE OF {', '.join(RELEASE_COLUMNS)} "
    f"ON {RELEASES} FOR EACH ROW WHEN ({_changed(RELEASE_COLUMNS, differ='IS DISTINCT FROM')}) "
    f"EXECUTE FUNCTION {TRIGGER_PREFIX}release()",
]
# Tables and columns the triggers name: installed once they all exist.
NEEDS = {PACKAGES: ("facts_version",), CATEGORIES: (), RELEASES: ()}


def facts_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Install the facts version triggers."""
    sqlite = {f"{TRIGGER_PREFIX}{name}": body for name, body in _SQLITE.items()}
    triggers_install(connection, sqlite=sqlite, postgresql=_POSTGRESQL)


def facts_triggers_uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the facts version triggers (before migrations, which may rebuild their tables)."""
    triggers_drop(connection, TRIGGER_PREFIX)
