"""Benchmark of the site as served: req/s, p50 and p99 of each URL, as a share of a floor.

Not a test. For each size (packages x grids) and database it builds a synthetic directory
(bench/synth_v4_records.py, imported with `import_v4`; 10 features with every cell written on
the 20 largest grids; compatibility answers and scores computed), serves it with gunicorn
(config/gunicorn.conf.py: 2 sync workers, DEBUG off, Redis cache) and loads each URL with wrk
for a fixed time and number of connections:

- cold: a server with the page cache off (PAGE_CACHE_SECONDS=0), so every answer is built;
- warm: a server with the page cache on, after one request filled it;
- 304: the warm server asked with the answer's ETag in If-None-Match.

Beside them the floor: a bare Django view returning 20 KB of JSON from memory
(bench/web_urls.py), on the same server with the same settings, measured in the same run, so
each figure is also printed as a share of the floor (absolute times are noisy here). Queries
are counted with one request through Django's test client, page cache off. Peak memory is the
largest VmHWM of the gunicorn workers. djangopackages.org's own code reached these shares of
the floor on the same data and server (issue 11): they are printed beside, with the target
(5x theirs, API list 8 %).

    .venv/bin/python bench/web.py                                   # 6000x400 on SQLite
    .venv/bin/python bench/web.py --sizes 6000x400 50000x2000 --keep  # databases kept for reruns
    .venv/bin/python bench/web.py --backends postgresql --duration 5 --only api-list home

Built databases are kept in /tmp/packyard-web-bench/ with --keep (and reused when there).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

from databases import POSTGRES, print_result, setup_django  # noqa: E402
from import_v4 import synthetic_dump  # noqa: E402

KEEP = Path(tempfile.gettempdir()) / "packyard-web-bench"
REDIS = "redis://127.0.0.1:6379/13"  # A Redis database of its own, emptied before each server.
FEATURES, FEATURE_GRIDS = 10, 20
ACCEPT_ENCODING = "gzip, deflate, br"  # What browsers send; bytes are counted on the wire.
CELL_TEXTS = ["yes", "no", "+", "?", "*yes*", "`partial`: only with `USE_TZ = True`"]
# djangopackages.org's code on the same data and server, as a share of the floor (issue 11).
DJANGOPACKAGES = {
    "api-list": 1.6,
    "api-list-100": 0.7,
    "api-package": 2.6,
    "api-search": 0.6,
    "home": 1.2,
    "package": 1.6,
    "packages": 0.7,
    "largest-grid": 1.4,
    "grid-10-features": 0.6,
}


# --- Building -----------------------------------------------------------------------------------


def database_url(backend: str, packages: int, grids: int, folder: Path) -> str:
    name = f"web_bench_{packages}_{grids}"
    if backend == "sqlite":
        return f"sqlite:///{folder}/{name}.sqlite3"
    return POSTGRES + name


def exists(backend: str, url: str) -> bool:
    if backend == "sqlite":
        return Path(url.removeprefix("sqlite:///")).exists()
    import psycopg

    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as connection:
        name = url.rsplit("/", 1)[1]
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def drop_postgresql(urls: list[str]) -> None:
    import psycopg

    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as connection:
        for url in urls:
            connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')


def build(backend: str, url: str, packages: int, grids: int) -> None:
    """Migrate, import a synthetic directory, write features and cells, compute scores."""
    if backend == "postgresql":
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(POSTGRES + "postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    environment = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory(prefix="packyard-web-bench-") as folder:
        print(f"Building {packages:,} packages and {grids:,} grids on {backend}…", flush=True)
        dump = synthetic_dump(packages, grids, Path(folder))
        for command in (["migrate", "-v0"], ["import_v4", "--dump", str(dump)]):
            subprocess.run(
                [sys.executable, "manage.py", *command], check=True, cwd=ROOT, env=environment
            )
    subprocess.run([sys.executable, __file__, "--finish", url], check=True, cwd=ROOT)


def finish(url: str) -> None:
    """Features and cells on the largest grids, then compatibility answers and scores."""
    setup_django(url)
    from django.db.models import Count
    from tqdm import tqdm

    from packyard.compatibility.services import compatibility_recompute
    from packyard.core.database import planner_statistics_refresh
    from packyard.core.markup import render_cell
    from packyard.grids.models import Element, Feature, Grid
    from packyard.scoring.services import scores_recompute_all

    largest = Grid.objects.annotate(size=Count("memberships")).order_by("-size", "pk")
    for grid in tqdm(largest[:FEATURE_GRIDS], desc="Features and cells", unit="grid"):
        features = Feature.objects.bulk_create(
            Feature(grid=grid, title=f"Feature {number}", description="", position=number)
            for number in range(FEATURES)
        )
        cells = []
        for index, membership in enumerate(grid.memberships.all()):
            for feature in features:
                text = CELL_TEXTS[(index + feature.position) % len(CELL_TEXTS)]
                cells.append(
                    Element(
                        grid_package=membership,
                        feature=feature,
                        text=text,
                        text_html=render_cell(text),
                    )
                )
        Element.objects.bulk_create(cells, batch_size=1000)
    for label, work in (
        ("Compatibility", compatibility_recompute),
        ("Scores", scores_recompute_all),
    ):
        started = time.monotonic()
        work()
        print(f"{label} computed in {time.monotonic() - started:.1f} s", flush=True)
    # What autovacuum does in production (it is off on some machines, this one included).
    planner_statistics_refresh()


def urls_of(url: str) -> None:
    """Print the measured URLs of this data, with each one's queries (page cache off)."""
    setup_django(url, PAGE_CACHE_SECONDS="0", ALLOWED_HOSTS="testserver")
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from packyard.catalog.models import Package
    from packyard.grids.models import Grid

    package = Package.objects.order_by("pk").first()
    assert package is not None
    last = max(1, (Package.objects.count() + 24) // 25)
    largest = Grid.objects.annotate(size=Count("memberships")).order_by("-size", "pk").first()
    # A grid with 10 features: the middle one of the featured grids (the 11th largest).
    featured = (
        Grid.objects.annotate(
            features_count=Count("features", distinct=True),
            size=Count("memberships", distinct=True),
        )
        .filter(features_count=FEATURES)
        .order_by("-size", "pk")[FEATURE_GRIDS // 2 : FEATURE_GRIDS // 2 + 1]
        .first()
    )
    assert largest is not None
    assert featured is not None
    urls = {
        "floor": "/bench-floor/",
        "api-list": "/api/v4/packages/",
        "api-list-100": "/api/v4/packages/?limit=100",
        "api-package": f"/api/v4/packages/{package.pk}/",
        "api-search": "/api/v4/search/?q=cache",
        "home": "/",
        "package": f"/packages/p/{package.slug}/",
        "packages": "/packages/",
        "packages-last": f"/packages/?page={last}",
        "largest-grid": f"/grids/g/{largest.slug}/",
        "grid-10-features": f"/grids/g/{featured.slug}/",
        "search": "/search/?q=auth",
        "sitemap": "/sitemap.xml",
    }
    client = Client()
    found = {}
    for name, address in urls.items():
        if name == "floor":
            found[name] = {"url": address, "queries": 0}
            continue
        client.get(address)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        assert response.status_code == 200, (address, response.status_code)
        found[name] = {"url": address, "queries": len(queries)}
    # A grid's cost grows with the packages it shows: the 50,000 directory's largest is bigger.
    found["largest-grid"]["packages"] = largest.size
    found["grid-10-features"]["packages"] = featured.size
    print_result(found)


def child(*arguments: str) -> Any:
    process = subprocess.run(
        [sys.executable, __file__, *arguments], check=True, stdout=subprocess.PIPE, text=True
    )
    line = next(line for line in process.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


# --- Serving and loading ----------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """gunicorn with 2 sync workers on the bench's settings (Packyard's, plus the floor)."""

    def __init__(self, url: str, *, cache: bool, logs: Path) -> None:
        import redis

        redis.Redis.from_url(REDIS).flushdb()
        self.port = free_port()
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "web_settings",
            "PYTHONPATH": f"{BENCH}:{ROOT}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": url,
            "REDIS_URL": REDIS,
            "PAGE_CACHE_SECONDS": "300" if cache else "0",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
        }
        self.log = logs / f"gunicorn-{'warm' if cache else 'cold'}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=environment,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.base + "/bench-floor/", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.1)  # The pause between two looks at the starting server.

    def peak_memory_mib(self) -> float:
        """The largest peak resident set (VmHWM) of the server's workers, in MiB."""
        peaks = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", status, re.M):
                found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
                if found:
                    peaks.append(int(found.group(1)) / 1024)
        return max(peaks, default=0.0)

    def close(self) -> None:
        import signal

        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(url: str, *, duration: int, connections: int, header: str = "") -> dict[str, float]:
    """Load `url` with wrk; return req/s, p50 and p99 in ms, errors and bytes per answer."""
    # As browsers and HTTP clients do: an answer's ETag covers its negotiated format, chosen by
    # Accept, and its encoding (browsers take Brotli; the floor is compressed too).
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    command += ["-H", "Accept: */*", "-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
    command += [*(["-H", header] if header else []), url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def number(pattern: str) -> float:
        found = re.search(pattern, output)
        return float(found.group(1)) if found else 0.0

    def milliseconds(label: str) -> float:
        found = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\b", output, re.M)
        if not found:
            return 0.0
        return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]

    requests = number(r"(\d+) requests in")
    total = re.search(r"requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read", output)
    size = 0.0
    if total and requests:
        scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[total.group(2)]
        size = float(total.group(1)) * scale / requests
    errors = number(r"Non-2xx or 3xx responses: (\d+)") + sum(
        float(count) for count in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
    )
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "p50": milliseconds("50%"),
        "p99": milliseconds("99%"),
        "errors": errors,
        "bytes": size,
    }


def measure(url: str, names: list[str], *, duration: int, connections: int) -> dict[str, Any]:
    import httpx

    found = child("--urls", url)
    chosen = {name: found[name] for name in found if name == "floor" or name in names}
    logs = Path(tempfile.mkdtemp(prefix="packyard-web-bench-logs-"))
    results: dict[str, Any] = {name: dict(found[name]) for name in chosen}
    cold = Server(url, cache=False, logs=logs)
    try:
        for name, item in chosen.items():
            print(f"  cold  {item['url']}", flush=True)
            results[name]["cold"] = wrk(
                cold.base + item["url"], duration=duration, connections=connections
            )
        memory = cold.peak_memory_mib()
    finally:
        cold.close()
    warm = Server(url, cache=True, logs=logs)
    try:
        for name, item in chosen.items():
            if name == "floor":
                continue
            address = warm.base + item["url"]
            print(f"  warm  {item['url']}", flush=True)
            results[name]["warm"] = wrk(address, duration=duration, connections=connections)
            # Asked just before: the ETag changes with the page cache's time window too.
            etag = httpx.get(
                address,
                headers={"Accept": "*/*", "Accept-Encoding": ACCEPT_ENCODING},
                timeout=60,
            ).headers.get("ETag", "")
            results[name]["304"] = (
                wrk(
                    address,
                    duration=duration,
                    connections=connections,
                    header=f"If-None-Match: {etag}",
                )
                if etag
                else None
            )
        memory = max(memory, warm.peak_memory_mib())
    finally:
        warm.close()
    shutil.rmtree(logs, ignore_errors=True)
    return {"urls": results, "memory_mib": memory}


def report(title: str, measured: dict[str, Any]) -> None:
    urls = measured["urls"]
    floor = urls["floor"]["cold"]["rps"] or 1.0
    print(
        f"\n{title}: floor {floor:,.0f} req/s; peak worker memory {measured['memory_mib']:.0f} MiB"
    )
    print(
        f"{'URL':17} {'mode':5} {'req/s':>8} {'floor %':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>6} {'KB':>7} {'queries':>7} {'djangopackages %':>16}"
    )
    for name, item in urls.items():
        for mode in ("cold", "warm", "304"):
            figures = item.get(mode)
            if not figures:
                continue
            share = 100 * figures["rps"] / floor
            theirs = DJANGOPACKAGES.get(name) if mode == "cold" else None
            beside = (
                f"{theirs:.1f} (target {max(5 * theirs, 8.0 if name == 'api-list' else 0):.1f})"
                if theirs
                else ""
            )
            print(
                f"{name:17} {mode:5} {figures['rps']:8.0f} {share:8.1f} {figures['p50']:8.1f} "
                f"{figures['p99']:8.1f} {figures['errors']:6.0f} {figures['bytes'] / 1024:7.1f} "
                f"{item['queries'] if mode == 'cold' else '':>7} {beside:>16}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["6000x400"], help="PACKAGESxGRIDS")
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--duration", type=int, default=3, help="seconds of load per URL")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help=f"keep (and reuse) databases in {KEEP}")
    parser.add_argument("--only", nargs="*", default=[], help="URL names (api-list, home, …)")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--finish", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.finish:
        finish(arguments.finish)
        return
    if arguments.urls:
        urls_of(arguments.urls)
        return
    if not arguments.build_only and shutil.which("wrk") is None:
        parser.error("wrk is not installed: `sudo apt-get install wrk` (Debian and Ubuntu)")
    folder = KEEP if arguments.keep else Path(tempfile.mkdtemp(prefix="packyard-web-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    names = arguments.only or [*DJANGOPACKAGES, "packages-last", "search", "sitemap"]
    measured: dict[str, dict[str, Any]] = {}
    built: list[str] = []
    try:
        for backend in arguments.backends:
            for size in arguments.sizes:
                packages, grids = (int(part) for part in size.split("x"))
                url = database_url(backend, packages, grids, folder)
                if not (arguments.keep and exists(backend, url)):
                    build(backend, url, packages, grids)
                    built.append(url)
                else:  # A kept database gets the migrations written since it was built.
                    environment = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
                    subprocess.run(
                        [sys.executable, "manage.py", "migrate", "-v0"],
                        check=True,
                        cwd=ROOT,
                        env=environment,
                    )
                if arguments.build_only:
                    continue
                print(f"Measuring {size} on {backend}…", flush=True)
                measured[f"{backend} {size}"] = measure(
                    url, names, duration=arguments.duration, connections=arguments.connections
                )
                report(f"{backend} {size}", measured[f"{backend} {size}"])
    finally:
        if not arguments.keep:
            shutil.rmtree(folder, ignore_errors=True)
            drop_postgresql([url for url in built if url.startswith(POSTGRES)])
    print("\nAll tables:")
    for title, figures in measured.items():
        report(title, figures)
    for backend in arguments.backends:
        if len(arguments.sizes) < 2:
            continue
        small, large = (measured.get(f"{backend} {size}") for size in arguments.sizes[:2])
        if not small or not large:
            continue
        print(f"\n{backend}: cold req/s at {arguments.sizes[0]} / at {arguments.sizes[1]}")
        for name in small["urls"]:
            a, b = small["urls"][name]["cold"]["rps"], large["urls"][name]["cold"]["rps"]
            ratio = a / b if b else 0
            shown = (small["urls"][name].get("packages"), large["urls"][name].get("packages"))
            per_package = (
                f"  ({shown[0]} / {shown[1]} packages: {ratio * shown[0] / shown[1]:.2f} a package)"
                if all(shown)
                else ""
            )
            print(f"  {name:17} {ratio:6.2f}{per_package}")


if __name__ == "__main__":
    main()
