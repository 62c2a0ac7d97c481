"""Fresh databases for benchmark runs: a temporary SQLite file, or a new PostgreSQL database.

Each benchmark measures in a process of its own on a fresh database: the parent calls
`run_in_fresh_database`, the child `setup_django` and, at the end, `print_result`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

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


def run_in_fresh_database(script: str, arguments: list[str], *, postgres: bool, name: str) -> Any:
    """Run `script ARGUMENTS --database-url URL` on a fresh database; return what it printed."""
    database_url, drop = fresh_database(postgres=postgres, name=name)
    try:
        process = subprocess.run(
            [sys.executable, script, *arguments, "--database-url", database_url],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    finally:
        drop()
    line = next(line for line in process.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def setup_django(database_url: str, **environment: str) -> None:
    """Set Django up on one database (and further settings), quietly, in the measuring process."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            **environment,
        }
    )
    import django

    django.setup()


def print_result(result: Any) -> None:
    """Hand the measuring process's figures to the parent (`run_in_fresh_database`)."""
    print("RESULT " + json.dumps(result))
