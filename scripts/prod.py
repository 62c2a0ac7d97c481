"""Run Packyard's production topology on this machine, for a try-out (`make prod`).

Two gunicorn web processes (ports PORT and PORT+1, 8001 and 8002 by default), an RQ worker and
the scheduler, with DEBUG off and collected static files, on the local PostgreSQL (DATABASE_URL,
by default the database `packyard` on 127.0.0.1, created when missing) and Redis (REDIS_URL,
by default 127.0.0.1:6379/0). The demo is loaded into an empty database. It runs in the
foreground: Ctrl-C stops every process. Logs go to .prod-logs/.

It is a try-out over plain HTTP: the README's TLS settings (Secure cookies, HSTS, the HTTPS
redirect) are left off, as there is no proxy in front. Everything else is as in production.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.topology import ROOT, Topology, psql, wait_for

POSTGRES = "postgres://postgres@127.0.0.1:5432"


def main() -> int:
    port = int(os.environ.get("PORT", "8001"))
    database_url = os.environ.get("DATABASE_URL", f"{POSTGRES}/packyard")
    if "DATABASE_URL" not in os.environ:
        try:
            psql(POSTGRES, "CREATE DATABASE packyard")
        except subprocess.CalledProcessError as error:
            if b"already exists" not in (error.stderr or b""):
                print(f"Cannot create the database: {error.stderr.decode()}", file=sys.stderr)
                return 1
    secret = ROOT / ".prod-secret"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(50))
    logs = ROOT / ".prod-logs"
    logs.mkdir(exist_ok=True)
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secret.read_text().strip(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "STATIC_MANIFEST": "1",
    }
    topology = Topology(environment, logs)
    print("Migrating, loading the demo into an empty database, collecting static files…")
    topology.manage("migrate", "--no-input")
    topology.manage("load_demo")
    topology.manage("collectstatic", "--no-input")

    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for number, web_port in enumerate((port, port + 1)):
            topology.web(f"web-{'ab'[number]}", web_port)
        topology.worker()
        topology.scheduler()
        import httpx

        for web_port in (port, port + 1):
            wait_for(
                lambda web_port=web_port: httpx.get(f"http://127.0.0.1:{web_port}/health/"),
                seconds=60,
                what=f"the web process on {web_port}",
            )
        print(f"Packyard runs at http://127.0.0.1:{port}/ and http://127.0.0.1:{port + 1}/")
        print(f"(worker and scheduler beside them; logs in {logs}/). Ctrl-C stops them all.")
        while not stopping:
            ended = [process.name for process in topology.processes if not process.alive()]
            if ended:
                print(f"{', '.join(ended)} ended; see {logs}/. Stopping the rest.", file=sys.stderr)
                return 1
            time.sleep(0.5)  # How often the processes are looked at.
        return 0
    finally:
        print("Stopping every process…")
        topology.close()


if __name__ == "__main__":
    sys.exit(main())
