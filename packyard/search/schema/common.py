"""Name what both index backends share: tables, facet tokens, indexed columns, SQL pieces.

The backends' own tables and triggers are in sqlite.py and postgresql.py; __init__.py installs
whichever the database in use needs.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper

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
def package_parts(vendor: str) -> dict[str, str]:
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
NAME_COLUMNS = ("title", "slug", "pypi_name")


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


def vendor_of(connection: BaseDatabaseWrapper) -> str:
    """Return the connection's vendor, or fail clearly for a database search cannot use."""
    vendor = str(connection.vendor)
    if vendor not in SUPPORTED_VENDORS:
        raise NotImplementedError(f"Packyard's search runs on SQLite or PostgreSQL, not {vendor}.")
    return vendor
