"""Production smoke test: the whole topology on this machine, checked end to end.

Started by `scripts/prod-smoke` (and by `.ci/run`). Everything runs on 127.0.0.1 with ports
that were free: a Redis of its own (so stopping it disturbs nobody), a fresh PostgreSQL
database (dropped at the end), fake GitHub (OAuth, REST and GraphQL) and PyPI servers in
threads of this process, two gunicorn web processes (A and B) with the README's production
environment, an RQ worker and the scheduler. It then checks, in order:

1. the demo loads and both web processes answer `/health/` with 200;
2. a person signs in with (fake) GitHub on A, is made staff, and adds a package through the form;
3. the worker fetches it from the fakes, and B shows its fetched stars (the page cache is
   shared in Redis and invalidated by the write, across processes);
4. a worker SIGKILLed in the middle of a fetch: a new worker finishes the job;
5. Redis stopped: `/health/` answers 503 and pages are still served; Redis back: 200;
6. the scheduler, whose lock went with Redis's data, takes the lock again and goes on;
7. a graceful restart (SIGHUP) of A under a steady load fails no request;
8. every process started is still running.

Each check prints PASS or FAIL with its time; any failure (or the whole run passing
`SMOKE_TIMEOUT` seconds) stops the run, prints the logs' tails and exits 1. Every process
started is stopped and the database dropped, whatever happens.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import httpx
from werkzeug.serving import make_server
from werkzeug.wrappers import Request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.topology import (
    Topology,
    database_create,
    database_drop,
    free_port,
    wait_for,
)
from tests.fakes import FakeGitHub, FakePyPI
from tests.fakes.base import _QuietHandler
from tests.fakes.github_oauth import FakeGitHubOAuth, GitHubUser

POSTGRES = os.environ.get("SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SMOKE_TIMEOUT = int(os.environ.get("SMOKE_TIMEOUT", "420"))
CLIENT_ID, CLIENT_SECRET = "packyard-smoke", secrets.token_hex(16)
CHECKS = 10
STAFF = GitHubUser(login="smoke-staff", id=9001, name="Smoke Staff")


class SmokeFailed(Exception):
    pass


def expect(condition: object, message: object) -> None:
    """Fail the check in hand with `message` unless `condition` holds (asserts may be off)."""
    if not condition:
        raise SmokeFailed(str(message))


def unfinished_jobs(log: str) -> list[str]:
    """Return the ids of the jobs an RQ worker's log shows started and not done, in order.

    The killed worker may have been running any job that fetches the held package: the fetch
    the form queued, or the scheduler's round of due packages when a minute turned meanwhile
    (a new package is due at once). RQ logs "default: <function>(<arguments>) (<id>)" when it
    starts a job and "Job OK (<id>)" when one ends well.
    """
    started = re.findall(r"default: [\w.]+\(.*?\) \((\w+)\)", log)
    done = set(re.findall(r"Job OK \((\w+)\)", log))
    return [job for job in dict.fromkeys(started) if job not in done]


# --- Fakes ------------------------------------------------------------------------------------


class FakeGitHubHost:
    """github.com and api.github.com on one server: OAuth pages at /login/oauth/..., the API
    at /api (the signed-in user at /api/user, repositories and GraphQL below it)."""

    def __init__(self) -> None:
        self.oauth = FakeGitHubOAuth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        self.oauth.signed_in = STAFF
        self.api = FakeGitHub(rate_limit=None, max_hold=60)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/login/oauth/") or path == "/api/user":
            return self.oauth.handle(Request(environ))(environ, start_response)
        if path.startswith("/api/"):
            environ["PATH_INFO"] = path.removeprefix("/api")
            return self.api(environ, start_response)
        return self.oauth.handle(Request(environ))(environ, start_response)


def serve_wsgi(app) -> str:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="fake", daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


# --- HTTP as a browser behind the HTTPS proxy ---------------------------------------------------


class Browser:
    """One person's browser talking to one web process as the TLS proxy would: plain HTTP
    with `X-Forwarded-Proto: https`, so the site is HTTPS to Django (Secure cookies kept)."""

    def __init__(self, port: int) -> None:
        self.origin = f"https://127.0.0.1:{port}"
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"X-Forwarded-Proto": "https"},
            event_hooks={"response": [self._keep_secure_cookies]},
            timeout=30,
        )

    def _keep_secure_cookies(self, response: httpx.Response) -> None:
        """Send the site's Secure cookies back over the proxy's plain HTTP leg, as the
        browser does over HTTPS (the cookie jar would keep them back)."""
        for cookie in self.client.cookies.jar:
            cookie.secure = False

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        token = self.client.cookies.get("csrftoken", "")
        return self.client.post(
            path,
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Origin": self.origin, "Referer": self.origin + path},
        )

    def form_token(self, path: str) -> str:
        """GET a page holding a form; return its CSRF token (the cookie is kept)."""
        page = self.get(path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status_code != 200 or not found:
            raise SmokeFailed(f"GET {path}: {page.status_code}, no form token")
        return found.group(1)


# --- The run ------------------------------------------------------------------------------------


class Smoke:
    def __init__(self, logs: Path, keep_logs: bool) -> None:
        self.logs = logs
        self.keep_logs = keep_logs
        self.started = time.monotonic()
        self.database = f"packyard_smoke_{os.getpid()}"
        self.redis_port = free_port()
        self.ports = {"web-a": free_port(), "web-b": free_port()}
        self.redis: subprocess.Popen[bytes] | None = None
        self.github = FakeGitHubHost()
        self.pypi = FakePyPI()
        self.topology: Topology | None = None
        self.passed = 0

    # Steps -------------------------------------------------------------------------------------

    @contextmanager
    def check(self, what: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        except Exception as error:
            print(f"FAIL  {what} ({time.monotonic() - began:.1f} s): {error}", flush=True)
            raise SmokeFailed(what) from error
        self.passed += 1
        print(f"PASS  {what} ({time.monotonic() - began:.1f} s)", flush=True)

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(  # noqa: S603 - a fixed command line.
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.redis_port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=(self.logs / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.redis_answers, seconds=20, what="Redis starting")

    def redis_answers(self) -> bool:
        import redis

        return bool(redis.Redis(port=self.redis_port, socket_connect_timeout=1).ping())

    def stop_redis(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=30)

    def environment(self, github: str, pypi: str, static: Path) -> dict[str, str]:
        """The README's production environment, pointed at this run's services and fakes."""
        keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
        return {
            **{name: value for name, value in os.environ.items() if name in keep},
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": ",".join(
                f"https://127.0.0.1:{port}" for port in self.ports.values()
            ),
            "SITE_URL": f"https://127.0.0.1:{self.ports['web-a']}",
            "DATABASE_URL": f"{POSTGRES}/{self.database}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SECURE_COOKIES": "1",
            "BEHIND_TLS_PROXY": "1",
            "SECURE_SSL_REDIRECT": "1",
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_HSTS_PRELOAD": "1",
            "STATIC_MANIFEST": "1",
            "STATIC_ROOT": str(static),
            "LOG_FORMAT": "json",
            "GITHUB_OAUTH_URL": github,
            "GITHUB_API_URL": f"{github}/api",
            "GITHUB_CLIENT_ID": CLIENT_ID,
            "GITHUB_CLIENT_SECRET": CLIENT_SECRET,
            "GITHUB_TOKEN": "smoke-token",
            "PYPI_URL": pypi,
            # Short enough for a smoke run: a dead worker's job is taken back within seconds
            # and tried again at once; the scheduler's lock lasts 6 s.
            "JOBS_RECOVERY_SECONDS": "4",
            "JOBS_RETRY_DELAYS": "0,0,0",
            "SCHEDULER_LOCK_SECONDS": "6",
            # New accounts may add packages (the person is made staff anyway).
            "NEW_ACCOUNT_DAYS": "0",
        }

    def run(self) -> None:
        github, pypi = serve_wsgi(self.github), serve_wsgi(self.pypi)
        static = Path(tempfile.mkdtemp(prefix="packyard-smoke-static-"))
        try:
            self._run(github, pypi, static)
        finally:
            shutil.rmtree(static, ignore_errors=True)

    def _run(self, github: str, pypi: str, static: Path) -> None:
        with self.check("PostgreSQL database, Redis, migrations, demo data, static files"):
            database_create(POSTGRES, self.database)
            self.start_redis()
            self.topology = Topology(self.environment(github, pypi, static), self.logs)
            self.topology.manage("migrate", "--no-input")
            self.topology.manage("load_demo")
            self.topology.manage("collectstatic", "--no-input")
            report = self.topology.manage("check", "--deploy", "--fail-level", "WARNING")
            expect("no issues" in report, report)

        topology = self.topology
        a, b = Browser(self.ports["web-a"]), Browser(self.ports["web-b"])
        with self.check("two web processes, a worker and the scheduler answer"):
            web_a = topology.web("web-a", self.ports["web-a"])
            topology.web("web-b", self.ports["web-b"])
            worker = topology.worker("worker-1")
            scheduler = topology.scheduler()
            for browser in (a, b):
                wait_for(
                    lambda browser=browser: browser.get("/health/").status_code == 200,
                    seconds=60,
                    what="/health/ answering 200",
                )
            home = b.get("/")
            expect(home.status_code == 200, home.status_code)
            expect(
                "Content-Security-Policy" in home.headers,
                "no Content-Security-Policy header",
            )
            css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home.text)
            expect(css, "no hashed stylesheet on the home page")
            asset = b.get(css.group(1))
            expect(
                asset.status_code == 200 and "immutable" in asset.headers["Cache-Control"],
                "the hashed stylesheet is not served for ever",
            )

        self.github.api.add("smoke/smoke-pkg", stars=4321, description="Checked by the smoke")
        self.pypi.add("smoke-pkg", version="2.5")
        with self.check("a person signs in with GitHub on A and is made staff"):
            a.form_token("/accounts/login/")
            start = a.post("/accounts/github/login/", {"process": "login"})
            expect(start.status_code == 302, start.status_code)
            answer = httpx.get(start.headers["Location"], follow_redirects=False)
            callback = urlsplit(answer.headers["Location"])
            signed = a.get(f"{callback.path}?{callback.query}")
            expect(signed.status_code == 302, signed.status_code)
            topology.manage(
                "shell",
                "-c",
                "from django.contrib.auth import get_user_model; "
                f"get_user_model().objects.filter(username='{STAFF.login}')"
                ".update(is_staff=True, is_superuser=True)",
            )
            expect(STAFF.login in a.get("/").text, "not signed in on A")

        with self.check("staff add a package through the form on A"):
            slug = self.add_package(a, "https://github.com/smoke/smoke-pkg", "Smoke package")
            # B shows (and keeps in the shared cache) the package before its facts come.
            expect(
                b.get(f"/packages/p/{slug}/").status_code == 200,
                "B does not show the new package",
            )

        with self.check("the worker fetches it and B shows its fetched stars"):
            wait_for(
                lambda: "4,321" in b.get(f"/packages/p/{slug}/").text,
                seconds=90,
                what="4,321 stars on B's package page",
            )

        with self.check("a worker killed in the middle of a fetch: a new worker finishes it"):
            self.github.api.add("smoke/slow-pkg", stars=1234)
            release = threading.Event()
            self.github.api.hold("/graphql", release)
            slow = self.add_package(a, "https://github.com/smoke/slow-pkg", "Slow package")
            wait_for(self.fetch_held, seconds=60, what="the fetch under way")
            worker.kill_tree()
            release.set()
            killed = unfinished_jobs(worker.log.read_text())
            expect(len(killed) == 1, f"the killed worker's log names {len(killed)} unfinished jobs")
            second = topology.worker("worker-2")
            wait_for(
                lambda: "1,234" in b.get(f"/packages/p/{slow}/").text,
                seconds=90,
                what="1,234 stars on B after the new worker's fetch",
            )
            wait_for(
                lambda: f"Job OK ({killed[0]})" in second.log.read_text(),
                seconds=30,
                what=f"the killed job {killed[0]} done by the new worker",
            )

        with self.check("Redis stopped: /health/ answers 503, pages still 200; back: 200"):
            self.stop_redis()
            wait_for(lambda: b.get("/health/").status_code == 503, seconds=30, what="503")
            page = b.get(f"/packages/p/{slug}/")
            expect(page.status_code == 200, f"a page with Redis down: {page.status_code}")
            self.start_redis()
            wait_for(lambda: b.get("/health/").status_code == 200, seconds=60, what="200")
            wait_for(lambda: a.get("/health/").status_code == 200, seconds=60, what="200 on A")

        with self.check("the scheduler, its lock gone with Redis's data, takes it again"):
            wait_for(
                lambda: scheduler.log.read_text().count("Starting scheduler") >= 2,
                seconds=30,
                what="the scheduler started again under its lock",
            )

        with self.check("a graceful restart of A under load fails no request"):
            served, failures = self.restart_under_load(web_a.pid, self.ports["web-a"])
            expect(not failures, failures[:5])
            print(f"      {served} requests during the restart, none failed", flush=True)

        with self.check("every process started is still running"):
            ended = [p.name for p in topology.processes if not p.alive() and p is not worker]
            expect(not ended, f"ended: {ended}")
            expect(
                self.redis is not None and self.redis.poll() is None,
                "self.redis is not None and self.redis.poll() is None",
            )

    def fetch_held(self) -> bool:
        """Whether the fake GitHub holds a request back (the hold set has been taken)."""
        return all(fault.times == 0 for fault in self.github.api._faults)

    def add_package(self, browser: Browser, repo_url: str, title: str) -> str:
        """Add a package in the form's two steps; return its slug."""
        browser.form_token("/packages/add/")
        details = browser.post("/packages/add/", {"repo_url": repo_url})
        expect(details.status_code == 200, details.status_code)
        category = re.search(r'<option value="(\d+)"', details.text)
        slug = re.search(r'name="slug"[^>]*value="([^"]+)"', details.text)
        expect(category and slug, "step two's form has no category or slug")
        added = browser.post(
            "/packages/add/",
            {
                "step": "details",
                "repo_url": repo_url,
                "title": title,
                "slug": slug.group(1),
                "category": category.group(1),
                "pypi_name": repo_url.rsplit("/", 1)[1],
                "description": "",
                "documentation_url": "",
            },
        )
        expect(added.status_code == 303, (added.status_code, added.text[-2000:]))
        return slug.group(1)

    def restart_under_load(self, master: int, port: int) -> tuple[int, list[str]]:
        """SIGHUP gunicorn's master while a thread asks for pages; return requests and failures."""
        from scripts.topology import descendants

        stop, failures, served = threading.Event(), [], [0]

        def load() -> None:
            browser = Browser(port)
            paths = ["/", "/api/v4/packages/", "/grids/", "/health/"]
            while not stop.is_set():
                path = paths[served[0] % len(paths)]
                try:
                    status = browser.get(path).status_code
                    if status >= 500:
                        failures.append(f"{path}: {status}")
                except httpx.HTTPError as error:
                    failures.append(f"{path}: {error!r}")
                served[0] += 1

        before = set(descendants(master))
        thread = threading.Thread(target=load, daemon=True)
        thread.start()
        wait_for(lambda: served[0] >= 20, seconds=30, what="load under way")
        os.kill(master, signal.SIGHUP)
        # New workers answering, the old ones gone; then a while more of load on the new ones.
        wait_for(
            lambda: len(new := set(descendants(master)) - before) >= 2 and not before & new,
            seconds=60,
            what="new workers after SIGHUP",
        )
        wait_for(lambda: not (set(descendants(master)) & before), seconds=60, what="old gone")
        counted = served[0]
        wait_for(lambda: served[0] >= counted + 20, seconds=30, what="load on the new workers")
        stop.set()
        thread.join(timeout=30)
        return served[0], failures

    def close(self) -> None:
        if self.topology is not None:
            if self.passed < CHECKS or self.keep_logs:
                for process in self.topology.processes:
                    print(f"\n--- {process.name} ({process.log}) ---\n{process.tail()}")
            self.topology.close()
        self.stop_redis()
        database_drop(POSTGRES, self.database)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep-logs", action="store_true", help="print every log's tail")
    options = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="packyard-smoke-"))
    smoke = Smoke(logs, options.keep_logs)

    def out_of_time(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"the smoke run took more than {SMOKE_TIMEOUT} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    signal.alarm(SMOKE_TIMEOUT)
    print(f"Production smoke: logs in {logs}", flush=True)
    status = 1
    try:
        smoke.run()
        status = 0
    except SmokeFailed:
        pass
    except Exception as error:
        print(f"FAIL  {error!r}", flush=True)
    finally:
        signal.alarm(0)
        smoke.close()
    total = time.monotonic() - smoke.started
    print(f"\n{smoke.passed} checks passed; {'OK' if status == 0 else 'FAILED'} in {total:.0f} s")
    if status == 0 and not options.keep_logs:
        shutil.rmtree(logs, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
