"""Django's PostgreSQL backend, with statements prepared and the health check only when idle.

`config.settings` names it as the engine of a `postgres://` DATABASE_URL. Two changes:

- **Prepared statements** (psycopg's server-side binding, `prepare_threshold` in OPTIONS).
  Planning a page's queries cost PostgreSQL more than running them (the package page's main
  query: 0.56 ms to plan, 0.12 ms to run); a statement run often on a connection is prepared
  and planned once. After five runs PostgreSQL may plan it generically, for any parameters;
  the search queries, whose best plan depends on the words searched, are slower so. Code in
  `unprepared()` has its statements sent unnamed, planned for their parameters each time.
- **Health check only after a pause.** With CONN_HEALTH_CHECKS, Django asks a kept connection
  `SELECT 1` before the first query of each request: one more round trip on every page. Here
  a connection used less than `HEALTH_CHECK_AFTER_IDLE` seconds ago is taken as healthy; one
  idle longer (the database may have restarted, a firewall dropped it) is checked as before.
  The cost: when the database restarts under load, each worker's next request fails once
  (Django closes a connection that failed, and the request after opens a new one).
- Server-side binding sends parameters apart from the SQL, as psycopg does by default; at
  most 65,535 a statement (no query here comes near). PgBouncer in transaction mode before
  1.21 cannot keep prepared statements: DATABASE_PREPARE_THRESHOLD=0 turns both off.
"""

from __future__ import annotations

import time
from typing import Any

from django.db.backends.postgresql import base

from packyard.core.postgresql import is_unprepared

# Seconds a kept connection may sit unused and still be used without a health check.
HEALTH_CHECK_AFTER_IDLE = 5.0


class ServerBindingCursor(base.ServerBindingCursor):
    """Django's server-binding cursor, which leaves statements unprepared in `unprepared()`."""

    def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
        if is_unprepared():
            options["prepare"] = False
        return super().execute(query, params, **options)  # type: ignore[misc]


class DatabaseWrapper(base.DatabaseWrapper):
    _last_used_at: float | None = None

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = ServerBindingCursor
        return params

    def create_cursor(self, name: Any = None) -> Any:
        # Stamped at each use of the connection, not at each request: a request that reads
        # nothing (a static file, a kept answer) says nothing about the connection.
        self._last_used_at = time.monotonic()
        return super().create_cursor(name)

    def close_if_unusable_or_obsolete(self) -> None:
        # Called as each request starts and ends: a connection used moments ago needs no
        # round trip to prove it still works.
        super().close_if_unusable_or_obsolete()
        if (
            self.connection is not None
            and self._last_used_at is not None
            and time.monotonic() - self._last_used_at < HEALTH_CHECK_AFTER_IDLE
        ):
            self.health_check_done = True
