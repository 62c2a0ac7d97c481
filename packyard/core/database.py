"""Database upkeep that bulk writes call for: fresh statistics for the query planner.

After a bulk load the planner still believes the tables are as they were (empty, often), and
picks a full scan and a sort over an index: on PostgreSQL the home page's "most starred" read
every one of 50,000 packages (40 ms) instead of six index entries (0.06 ms) until the table was
analysed. PostgreSQL's autovacuum would analyse in time, where it is on; an import does not
wait for it. https://www.postgresql.org/docs/current/sql-analyze.html,
https://sqlite.org/lang_analyze.html
"""

from __future__ import annotations

from django.db import connections

# Imports that wrote fewer rows than this leave the statistics to autovacuum.
BULK_ROWS = 1000


def planner_statistics_refresh(*, using: str = "default") -> None:
    """Refresh the query planner's statistics of every table (ANALYZE)."""
    connection = connections[using]
    if connection.vendor in {"postgresql", "sqlite"}:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
