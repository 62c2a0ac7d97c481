"""`manage.py import_v4`: a whole directory through API v4, and back out of Packyard's own.

A real HTTP server on 127.0.0.1 serves the demo records (4 categories, 78 grids and the 111
real djangopackages.org packages) as API v4 lists with limit/offset paging and `next` links.
"""

import json
from collections import defaultdict, deque
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import httpx
import pytest
import respx
import time_machine
from django.core.management import CommandError, call_command, load_command_class
from django.db import connection, transaction
from django.test import Client
from pytest_httpserver import HTTPServer
from werkzeug import Response

from packyard.catalog.models import Category, Package
from packyard.core.http import build_client
from packyard.grids.models import Grid, GridPackage
from packyard.importer.models import ImportRun, RecordKind, UpstreamRecord
from packyard.sources.djangopackages import DjangoPackagesClient, retry_after
from packyard.sources.errors import NotFound, RateLimited, UpstreamError

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[1] / "demo"
UPSTREAM = "https://djangopackages.org/api/v4/"
PATHS = {
    "categories.jsonl": "/api/v4/categories/",
    "grids.jsonl": "/api/v4/grids/",
    "packages.jsonl": "/api/v4/packages/",
}


def demo_records(name):
    """Return the records of one demo file, in the file's order."""
    with (DEMO / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


CATEGORIES = demo_records("categories.jsonl")
GRIDS = demo_records("grids.jsonl")
PACKAGES = demo_records("packages.jsonl")
RECORD_COUNT = len(CATEGORIES) + len(GRIDS) + len(PACKAGES)


def served(record):
    """Return a record as the service serves it: without the capture's own `_` notes."""
    return {key: value for key, value in record.items() if not key.startswith("_")}


class FakeDirectory:
    """A djangopackages.org stand-in: the demo records as paged API v4 lists.

    `faults[(path, offset)]` holds answers given, one per request, before the real page;
    a (path, offset) in `broken` answers 500 every time.
    """

    def __init__(self, server, *, packages=PACKAGES):
        self.server = server
        self.lists = {
            PATHS["categories.jsonl"]: CATEGORIES,
            PATHS["grids.jsonl"]: GRIDS,
            PATHS["packages.jsonl"]: packages,
        }
        self.lists = {
            path: sorted(
                (served(r) if isinstance(r, dict) else r for r in rows),
                key=lambda record: -record["id"] if isinstance(record, dict) else 0,
            )
            for path, rows in self.lists.items()
        }
        self.faults = defaultdict(deque)
        self.broken = set()
        for path in self.lists:
            server.expect_request(path).respond_with_handler(
                lambda request, path=path: self.serve(path, request)
            )

    @property
    def base_url(self):
        return self.server.url_for("/api/v4/")

    def serve(self, path, request):
        limit = int(request.args.get("limit", 20))
        offset = int(request.args.get("offset", 0))
        if self.faults[path, offset]:
            return self.faults[path, offset].popleft()
        if (path, offset) in self.broken:
            return Response("Server error", status=500)
        rows = self.lists[path]
        url = self.server.url_for(path)
        page = {
            "count": len(rows),
            "next": f"{url}?limit={limit}&offset={offset + limit}"
            if offset + limit < len(rows)
            else None,
            "previous": f"{url}?limit={limit}&offset={max(offset - limit, 0)}" if offset else None,
            "results": rows[offset : offset + limit],
        }
        return Response(json.dumps(page), content_type="application/json")

    def requests(self):
        """Return (path, offset) of every request the directory answered, in order."""
        return [
            (request.path, int(request.args.get("offset", 0))) for request, _ in self.server.log
        ]


@pytest.fixture
def directory(httpserver_ipv4):
    """A fake directory on 127.0.0.1 serving the demo records."""
    return FakeDirectory(httpserver_ipv4)


class FakeSleep:
    """Record the waits asked for, and move a clock of its own instead of waiting."""

    def __init__(self):
        self.waits = []
        self.now = 1000.0

    def __call__(self, seconds):
        self.waits.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


def run_import(*args, sleep=None):
    """Run import_v4 with a fake sleep; return (stdout, stderr, the CommandError or None)."""
    sleep = sleep or FakeSleep()
    out, err = StringIO(), StringIO()
    error = None
    try:
        call_command("import_v4", *args, stdout=out, stderr=err, sleep=sleep, clock=sleep.clock)
    except CommandError as raised:
        error = raised
    return out.getvalue(), err.getvalue(), error


def snapshot():
    """Return every imported row, field by field."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Category, Grid, Package, GridPackage)
    }


def as_upstream(response):
    """Return a Packyard API response's JSON with its links on djangopackages.org's host."""
    return json.loads(response.content.decode().replace("http://testserver/api/v4/", UPSTREAM))


# --- Every record round-trips -------------------------------------------------------------------


@pytest.fixture(scope="class")
def imported(django_db_setup, django_db_blocker):
    """Import the fake directory once for a class of tests, and roll it back after the last."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    fake = FakeDirectory(server)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            out, err, error = run_import(fake.base_url, "--delay", "0", "--page-size", "25")
            yield {"directory": fake, "out": out, "err": err, "error": error}
            transaction.set_rollback(True)
    finally:
        server.stop()


@pytest.fixture
def new_york(settings):
    """Serve datetimes in djangopackages.org's time zone."""
    settings.TIME_ZONE = "America/New_York"


@pytest.mark.usefixtures("new_york")
class TestRoundTrip:
    """import_v4 into an empty directory, then Packyard's /api/v4/ answers every record."""

    def test_the_import_takes_in_every_record(self, imported):
        """Every record is created, none fails, and the command exits cleanly."""
        assert imported["error"] is None, imported["err"]
        assert "193 created, 0 updated, 0 unchanged, 0 failed" in imported["out"]
        assert (Category.objects.count(), Grid.objects.count(), Package.objects.count()) == (
            len(CATEGORIES),
            len(GRIDS),
            len(PACKAGES),
        )

    def test_the_import_follows_next_links_page_by_page(self, imported):
        """Categories, then grids, then packages, each page once, in order."""
        requests = imported["directory"].requests()

        assert requests == [
            ("/api/v4/categories/", 0),
            ("/api/v4/grids/", 0),
            ("/api/v4/grids/", 25),
            ("/api/v4/grids/", 50),
            ("/api/v4/grids/", 75),
            ("/api/v4/packages/", 0),
            ("/api/v4/packages/", 25),
            ("/api/v4/packages/", 50),
            ("/api/v4/packages/", 75),
            ("/api/v4/packages/", 100),
        ]

    def test_the_import_names_packyard_in_its_user_agent(self, imported):
        """Every request says it comes from Packyard."""
        agents = {request.headers["User-Agent"] for request, _ in imported["directory"].server.log}

        assert len(agents) == 1
        assert agents.pop().startswith("Packyard/")

    @pytest.mark.parametrize("record", PACKAGES, ids=lambda record: f"package-{record['id']}")
    def test_each_package_comes_back_as_it_went_in(self, imported, client, record):
        """/api/v4/packages/<id>/ equals the record, field for field and in its order."""
        response = client.get(f"/api/v4/packages/{record['id']}/")

        assert response.status_code == 200
        answer = as_upstream(response)
        assert list(answer) == list(served(record))
        assert answer == served(record)

    @pytest.mark.parametrize("record", GRIDS, ids=lambda record: f"grid-{record['id']}")
    def test_each_grid_comes_back_as_it_went_in(self, imported, client, record):
        """/api/v4/grids/<id>/ equals the record, its packages in the record's order."""
        response = client.get(f"/api/v4/grids/{record['id']}/")

        assert response.status_code == 200
        answer = as_upstream(response)
        assert list(answer) == list(served(record))
        assert answer == served(record)

    @pytest.mark.parametrize("record", CATEGORIES, ids=lambda record: f"category-{record['id']}")
    def test_each_category_comes_back_as_it_went_in(self, imported, client, record):
        """/api/v4/categories/<id>/ equals the record."""
        response = client.get(f"/api/v4/categories/{record['id']}/")

        assert response.status_code == 200
        assert as_upstream(response) == served(record)

    @pytest.mark.parametrize(
        ("path", "records"),
        [
            ("/api/v4/packages/", PACKAGES),
            ("/api/v4/grids/", GRIDS),
            ("/api/v4/categories/", CATEGORIES),
        ],
    )
    def test_lists_page_over_every_record_newest_id_first(self, imported, client, path, records):
        """Following `next` from the first page gives every record once, newest id first."""
        url, answers, counts = path, [], set()
        while url:
            page = client.get(url).json()
            counts.add(page["count"])
            answers += page["results"]
            url = page["next"]

        assert counts == {len(records)}
        assert [answer["id"] for answer in answers] == sorted(
            (record["id"] for record in records), reverse=True
        )
        by_id = {record["id"]: served(record) for record in records}
        upstream_answers = json.loads(
            json.dumps(answers).replace("http://testserver/api/v4/", UPSTREAM)
        )
        assert all(answer == by_id[answer["id"]] for answer in upstream_answers)

    def test_the_wagtail_walk_works(self, imported, client):
        """Grids list, then each grid's package links, then each package, all from Packyard.

        wagtail.org builds its package pages this way every day.
        """
        packages_by_id = {record["id"]: served(record) for record in PACKAGES}
        url, visited = "/api/v4/grids/", 0
        while url:
            page = client.get(url).json()
            for grid in page["results"]:
                for link in grid["packages"]:
                    assert link.startswith("http://testserver/api/v4/packages/")
                    response = client.get(link)
                    assert response.status_code == 200
                    answer = as_upstream(response)
                    assert answer == packages_by_id[answer["id"]]
                    assert (
                        f"http://testserver/api/v4/grids/{grid['id']}/" in response.json()["grids"]
                    )
                    visited += 1
            url = page["next"]

        assert visited == sum(len(record["packages"]) for record in GRIDS)


@pytest.mark.usefixtures("new_york")
@pytest.mark.django_db(transaction=True)
def test_the_wagtail_walk_works_over_http_against_a_running_packyard(directory, live_server):
    """The same walk with a real HTTP client against a Packyard server on 127.0.0.1.

    As wagtail.org's importer does: only the host name differs from djangopackages.org's.
    """
    _out, err, error = run_import(directory.base_url, "--delay", "0")
    assert error is None, err
    base = f"{live_server.url}/api/v4/"
    packages_by_id = {record["id"]: served(record) for record in PACKAGES}
    visited = 0
    with httpx.Client(timeout=10) as http:
        url = f"{base}grids/"
        while url:
            response = http.get(url)
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/json"
            page = response.json()
            for grid in page["results"]:
                for link in grid["packages"]:
                    assert link.startswith(f"{base}packages/")
                    answer = json.loads(http.get(link).text.replace(base, UPSTREAM))
                    assert answer == packages_by_id[answer["id"]]
                    visited += 1
            url = page["next"]

    assert visited == sum(len(record["packages"]) for record in GRIDS)


# --- Running again ------------------------------------------------------------------------------


def test_a_second_run_changes_nothing(directory):
    """Importing the same directory twice reports every record unchanged and writes nothing."""
    run_import(directory.base_url, "--delay", "0")
    before = snapshot()

    out, err, error = run_import(directory.base_url, "--delay", "0")

    assert error is None, err
    assert f"0 created, 0 updated, {RECORD_COUNT} unchanged, 0 failed" in out
    assert snapshot() == before


def test_a_second_run_walks_the_whole_directory_again(directory):
    """After a finished run, the next run starts again at every list's first page."""
    run_import(directory.base_url, "--delay", "0", "--page-size", "100")
    directory.server.clear_log()

    run_import(directory.base_url, "--delay", "0", "--page-size", "100")

    assert directory.requests() == [
        ("/api/v4/categories/", 0),
        ("/api/v4/grids/", 0),
        ("/api/v4/packages/", 0),
        ("/api/v4/packages/", 100),
    ]


def test_an_interrupted_run_resumes_where_it_stopped(directory):
    """A directory that fails hard mid-way stops the run; the next run fetches only the rest."""
    directory.broken.add(("/api/v4/packages/", 50))
    sleep = FakeSleep()

    out, err, error = run_import(
        directory.base_url, "--delay", "0", "--page-size", "25", "--retries", "2", sleep=sleep
    )

    assert error is not None
    assert "the import stopped before its end" in str(error)
    assert "500 from" in err
    assert "gave up after 3 attempts" in err
    assert sleep.waits == [1.0, 2.0]  # Back-off doubles between attempts.
    assert Package.objects.count() == 50
    run = ImportRun.objects.get(source=directory.base_url, kind=RecordKind.PACKAGE)
    assert run.finished_at is None
    assert run.next_url.endswith("/api/v4/packages/?limit=25&offset=50")

    directory.broken.clear()
    directory.server.clear_log()
    out, err, error = run_import(directory.base_url, "--delay", "0", "--page-size", "25")

    assert error is None, err
    assert "Resuming" in out
    assert directory.requests() == [
        ("/api/v4/packages/", 50),
        ("/api/v4/packages/", 75),
        ("/api/v4/packages/", 100),
    ]
    assert Package.objects.count() == len(PACKAGES)
    assert (
        ImportRun.objects.filter(source=directory.base_url, finished_at__isnull=True).count() == 0
    )


# --- Politeness ---------------------------------------------------------------------------------


def test_a_429_waits_as_long_as_retry_after_says(directory):
    """A 429 with Retry-After: 7 waits 7 seconds, then the page is fetched and imported."""
    directory.faults["/api/v4/packages/", 0].append(
        Response("Slow down", status=429, headers={"Retry-After": "7"})
    )
    sleep = FakeSleep()

    _out, err, error = run_import(directory.base_url, "--delay", "0", sleep=sleep)

    assert error is None, err
    assert sleep.waits == [7.0]
    assert Package.objects.count() == len(PACKAGES)


def test_a_500_is_retried_after_a_back_off(directory):
    """A 500 is retried after a second; the run then finishes cleanly."""
    directory.faults["/api/v4/grids/", 0].append(Response("Oops", status=500))
    sleep = FakeSleep()

    _out, err, error = run_import(directory.base_url, "--delay", "0", sleep=sleep)

    assert error is None, err
    assert sleep.waits == [1.0]
    assert Grid.objects.count() == len(GRIDS)


def test_requests_start_at_least_the_delay_apart(directory):
    """With --delay 2, each request after the first waits its turn."""
    sleep = FakeSleep()

    run_import(directory.base_url, "--delay", "2", "--page-size", "100", sleep=sleep)

    # Four requests, and the fake clock moves only while the fake sleep waits.
    assert sleep.waits == [2.0, 2.0, 2.0]


def test_pages_are_fetched_concurrently_and_applied_in_order(directory):
    """With --concurrency 3 every page is fetched once and every record is imported."""
    out, err, error = run_import(
        directory.base_url, "--delay", "0", "--page-size", "10", "--concurrency", "3"
    )

    assert error is None, err
    assert sorted(directory.requests()) == sorted(
        [("/api/v4/categories/", 0)]
        + [("/api/v4/grids/", offset) for offset in range(0, 78, 10)]
        + [("/api/v4/packages/", offset) for offset in range(0, 111, 10)]
    )
    assert Package.objects.count() == len(PACKAGES)
    assert f"{RECORD_COUNT} created" in out


# --- Bad records --------------------------------------------------------------------------------


def test_a_malformed_record_is_reported_and_skipped(httpserver_ipv4):
    """A record with a bad field is named with its field and reason; the others import."""
    broken = {**served(PACKAGES[0]), "created": "last Tuesday"}
    directory = FakeDirectory(httpserver_ipv4, packages=[broken, *PACKAGES[1:]])

    out, err, error = run_import(directory.base_url, "--delay", "0")

    assert error is not None
    assert "1 record(s) failed" in str(error)
    assert f"{RECORD_COUNT - 1} created" in out
    assert "1 failed" in out
    assert f"package {broken['slug']} at {directory.server.url_for('/api/v4/packages/')}" in err
    assert "created: 'last Tuesday' is not an ISO 8601 date and time" in err
    assert not Package.objects.filter(pk=broken["id"]).exists()
    assert not GridPackage.objects.filter(package_id=broken["id"]).exists()
    assert not UpstreamRecord.objects.filter(upstream_id=broken["id"], kind="package").exists()
    assert Package.objects.count() == len(PACKAGES) - 1


def test_a_record_that_is_not_an_object_is_reported(httpserver_ipv4):
    """A list entry that is not a JSON object is reported with where it was."""
    directory = FakeDirectory(httpserver_ipv4, packages=[*PACKAGES, "not a record"])

    _out, err, error = run_import(directory.base_url, "--delay", "0")

    assert error is not None
    assert "expected a JSON object" in err
    assert Package.objects.count() == len(PACKAGES)


def test_a_page_that_is_not_json_stops_the_run(directory):
    """An answer that is not a list page stops the run with a reason, to resume later."""
    directory.faults["/api/v4/categories/", 0].append(Response("<html>maintenance</html>"))

    _out, err, error = run_import(directory.base_url, "--delay", "0")

    assert error is not None
    assert "did not answer JSON" in err
    assert Category.objects.count() == 0


# --- Dumps --------------------------------------------------------------------------------------


def test_a_dump_folder_imports_like_the_api():
    """--dump with a folder of JSON-lines files imports every record, keeping the ids."""
    out, err, error = run_import("--dump", str(DEMO))

    assert error is None, err
    assert f"{RECORD_COUNT} created" in out
    assert set(Package.objects.values_list("id", flat=True)) == {r["id"] for r in PACKAGES}


def test_an_import_plans_its_statements_for_the_tables_as_they_grow():
    """On PostgreSQL the import's writes run with each statement planned afresh (so lookups
    use the indexes as the tables grow), and the connection is as before afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite plans every statement as it runs")
    seen: list[str] = []

    def note_the_plan_mode(execute, sql, params, many, context):
        if not seen and sql.startswith('INSERT INTO "catalog_package"'):
            context["cursor"].execute("SHOW plan_cache_mode")
            seen.append(context["cursor"].fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_the_plan_mode):
        _out, err, error = run_import("--dump", str(DEMO))

    assert error is None, err
    assert seen == ["force_custom_plan"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "auto"


def test_a_dump_file_reports_its_bad_lines(tmp_path):
    """A JSON-lines dump with a broken line imports the rest and fails with its place."""
    dump = tmp_path / "records.jsonl"
    lines = [json.dumps(record) for record in CATEGORIES] + ["{not json"]
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")

    _out, err, error = run_import("--dump", str(dump))

    assert error is not None
    assert "records.jsonl:5: not valid JSON" in err
    assert Category.objects.count() == len(CATEGORIES)


def test_a_missing_dump_is_an_error(tmp_path):
    """A dump path that does not exist fails at once."""
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_v4", "--dump", str(tmp_path / "nowhere.jsonl"))


@pytest.mark.parametrize(
    "option", [["--concurrency", "0"], ["--page-size", "0"], ["--delay", "-1"], ["--retries", "-1"]]
)
def test_nonsense_options_are_refused(option):
    """Options that make no sense are refused before any request."""
    with pytest.raises(CommandError, match="must be"):
        call_command("import_v4", "http://127.0.0.1:9/api/v4/", *option)


# --- The client on its own ----------------------------------------------------------------------

PAGE = {"count": 1, "next": None, "previous": None, "results": [{"id": 1}]}


@pytest.fixture
def http(settings):
    """An httpx client as Packyard builds them, for a made-up host (answered by respx)."""
    with build_client(base_url="https://directory.example/api/v4/") as client:
        yield client


@respx.mock
def test_the_client_retries_a_timeout(http):
    """A timeout is retried after a back-off, and the page then read."""
    route = respx.get("https://directory.example/api/v4/grids/").mock(
        side_effect=[httpx.ReadTimeout("too slow"), httpx.Response(200, json=PAGE)]
    )
    sleep = FakeSleep()
    client = DjangoPackagesClient(http, base_url="https://directory.example/api/v4/", sleep=sleep)

    page = client.page("https://directory.example/api/v4/grids/")

    assert page.results == ({"id": 1},)
    assert route.call_count == 2
    assert sleep.waits == [1.0]


@respx.mock
def test_the_client_gives_up_after_its_retries(http):
    """Timeouts without end raise UpstreamError once the retries are spent."""
    respx.get("https://directory.example/api/v4/grids/").mock(side_effect=httpx.ConnectTimeout("x"))
    sleep = FakeSleep()
    client = DjangoPackagesClient(
        http, base_url="https://directory.example/api/v4/", retries=3, sleep=sleep
    )

    with pytest.raises(UpstreamError, match="gave up after 4 attempts"):
        client.page("https://directory.example/api/v4/grids/")
    assert sleep.waits == [1.0, 2.0, 4.0]


@respx.mock
def test_the_client_stops_at_a_retry_after_too_long_to_wait(http):
    """A Retry-After of a day is not waited out: RateLimited says until when."""
    respx.get("https://directory.example/api/v4/grids/").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "86400"})
    )
    client = DjangoPackagesClient(
        http, base_url="https://directory.example/api/v4/", sleep=FakeSleep()
    )

    with pytest.raises(RateLimited) as raised:
        client.page("https://directory.example/api/v4/grids/")
    assert raised.value.status == 429
    assert raised.value.reset_at > datetime.now(UTC)


@respx.mock
def test_the_client_reports_a_missing_list(http):
    """A 404 is not retried: it raises NotFound."""
    route = respx.get("https://directory.example/api/v4/grids/").mock(
        return_value=httpx.Response(404)
    )
    client = DjangoPackagesClient(
        http, base_url="https://directory.example/api/v4/", sleep=FakeSleep()
    )

    with pytest.raises(NotFound):
        client.page("https://directory.example/api/v4/grids/")
    assert route.call_count == 1


@respx.mock
def test_the_client_keeps_next_links_on_the_configured_host(http):
    """A `next` link on http:// or another host is fetched on the configured base instead."""
    first = {**PAGE, "count": 2, "next": "http://internal:8000/api/v4/grids/?limit=1&offset=1"}
    second = respx.get("https://directory.example/api/v4/grids/?limit=1&offset=1").mock(
        return_value=httpx.Response(200, json={**PAGE, "count": 2})
    )
    respx.get("https://directory.example/api/v4/grids/?limit=1").mock(
        return_value=httpx.Response(200, json=first)
    )
    client = DjangoPackagesClient(
        http, base_url="https://directory.example/api/v4/", sleep=FakeSleep()
    )

    pages = list(client.pages("https://directory.example/api/v4/grids/?limit=1"))

    assert [page.url for page in pages] == [
        "https://directory.example/api/v4/grids/?limit=1",
        "https://directory.example/api/v4/grids/?limit=1&offset=1",
    ]
    assert second.call_count == 1


@respx.mock
def test_the_client_stops_when_next_links_go_round_in_a_circle(http):
    """A `next` link back to a page already read raises instead of walking for ever."""
    looping = {**PAGE, "count": 2, "next": "https://directory.example/api/v4/grids/?limit=1"}
    respx.get("https://directory.example/api/v4/grids/?limit=1").mock(
        return_value=httpx.Response(200, json=looping)
    )
    client = DjangoPackagesClient(
        http, base_url="https://directory.example/api/v4/", sleep=FakeSleep()
    )

    with pytest.raises(UpstreamError, match="goes back to"):
        list(client.pages("https://directory.example/api/v4/grids/?limit=1"))


@time_machine.travel(datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC), tick=False)
def test_retry_after_reads_seconds_and_http_dates():
    """Retry-After gives seconds, or a date to wait until; nonsense gives None."""
    assert retry_after("120") == 120.0
    assert retry_after("Fri, 01 May 2026 12:01:30 GMT") == 90.0
    assert retry_after("Fri, 01 May 2026 11:00:00 GMT") == 0.0
    assert retry_after("soon") is None
    assert retry_after(None) is None


def test_the_command_is_listed_with_its_help():
    """`manage.py help import_v4` explains the command and its options."""
    command = load_command_class("packyard.importer", "import_v4")
    text = command.create_parser("manage.py", "import_v4").format_help()

    assert "djangopackages.org" in text
    for option in ("--concurrency", "--delay", "--dump", "--page-size", "--retries"):
        assert option in text


def test_the_site_answers_the_imported_ids(directory, client):
    """After an import, a package answers at the id upstream gave it, and at its slug."""
    run_import(directory.base_url, "--delay", "0")
    record = PACKAGES[0]

    by_id = Client().get(f"/api/v4/packages/{record['id']}/").json()
    by_slug = client.get(f"/api/v4/packages/{record['slug']}/").json()

    assert by_id == by_slug
    assert by_id["id"] == record["id"]
