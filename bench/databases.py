"""Fresh databases for benchmark runs: a temporary SQLite file, or a new PostgreSQL database."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable

POSTGRES = "postgres://postgres@127.0.0.1:5432/"


def fresh_database(*, postgres: bool, name: str) -> tuple[str, Callable[[], None]]:
    """Return a database URL for one run and a function that removes it afterwards."""
    if not postgres:
        folder = tempfile.mkdtemp(prefix=f"{name}-")
        return f"sqlite:///{folder}/{name}.sqlite3", lambda: None
    import psycopg

    database = f"{name}_{os.getpid()}"
    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')

    def drop() -> None:
        with psycopg.connect(POSTGRES + "postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}"')

    return POSTGRES + database, drop
