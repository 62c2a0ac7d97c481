"""HTTP caching: validators on every answer, 304s, anonymous answers from the cache."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from packyard.catalog.models import Package
from packyard.core.caching import LocalAnswers
from packyard.core.versions import data_version, triggers_missing
from tests.factories import (
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    member,
)
from tests.services import needs_redis, redis_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_time_bucket(time_machine):
    """Hold the clock, so two requests of a test fall in one time bucket of the ETag."""
    time_machine.move_to("2026-12-04 12:00:00+00:00", tick=False)


ROOT = Path(__file__).resolve().parents[3]
PAGES = [
    "/",
    "/packages/",
    "/packages/p/alpha/",
    "/grids/",
    "/grids/g/compared/",
    "/search/?q=alpha",
    "/open/",
]
API = ["/api/v4/packages/", "/api/v4/search/?q=alpha", "/api/v3/packages/"]


@pytest.fixture
def alpha():
    package = FetchedPackageFactory(title="alpha", slug="alpha")
    GridPackageFactory(grid=GridFactory(title="Compared", slug="compared"), package=package)
    return package


@pytest.mark.parametrize("path", PAGES + API)
def test_an_anonymous_answer_carries_a_validator_public_rules_and_no_cookie(client, alpha, path):
    """Anonymous pages and API answers: an ETag, public caching rules, no cookie set."""
    response = client.get(path)
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    assert not response.cookies


@pytest.mark.parametrize("path", PAGES + API)
def test_the_same_answer_again_is_304_without_building_the_page(
    client, alpha, path, django_assert_num_queries
):
    """A matching If-None-Match answers 304 after one query (the data version), empty."""
    etag = client.get(path)["ETag"]
    with django_assert_num_queries(1):
        response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_a_weak_or_listed_validator_matches_too(client, alpha):
    """If-None-Match may list several tags, weak or not (RFC 9110's weak comparison)."""
    etag = client.get("/packages/")["ETag"]
    response = client.get("/packages/", headers={"If-None-Match": f'"other", W/{etag}'})
    assert response.status_code == 304
    assert client.get("/packages/", headers={"If-None-Match": '"other"'}).status_code == 200


def test_an_anonymous_answer_comes_from_the_cache_the_second_time(
    client, alpha, django_assert_num_queries
):
    """The second anonymous GET is the kept answer: one query, the same bytes."""
    first = client.get("/packages/p/alpha/")
    with django_assert_num_queries(1):
        second = client.get("/packages/p/alpha/")
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["ETag"] == first["ETag"]


def test_a_write_changes_the_validator_and_the_answer(client, alpha):
    """After a write the old ETag no longer matches and the page shows the change at once."""
    before = client.get("/packages/p/alpha/")
    version = data_version()
    Package.objects.filter(pk=alpha.pk).update(description="Now with wings.")
    assert data_version() > version
    after = client.get("/packages/p/alpha/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert b"Now with wings." in after.content


def test_every_table_of_the_directory_moves_the_version():
    """Each table of Packyard's apps has the trigger that bumps the version."""
    assert triggers_missing(connection) == []


def test_signed_in_answers_are_private_and_validated_per_person(client, alpha):
    """Signed-in pages: private, never kept for others, but 304 for the same person."""
    anonymous_etag = client.get("/packages/p/alpha/")["ETag"]
    client.force_login(member("ada"))
    client.get("/")  # The first signed-in page sets the CSRF cookie the next ones carry.
    response = client.get("/packages/p/alpha/")
    assert response["Cache-Control"] == "private, no-cache"
    assert response["ETag"] != anonymous_etag
    assert b"ada" in response.content
    again = client.get("/packages/p/alpha/", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_a_new_sign_in_is_not_answered_with_a_page_from_the_old_one(client, alpha):
    """Signing in again rotates the session and CSRF secret: the old ETag no longer matches."""
    ada = member("ada")
    client.force_login(ada)
    before = client.get("/packages/p/alpha/")
    client.logout()
    client.force_login(ada)
    again = client.get("/packages/p/alpha/", headers={"If-None-Match": before["ETag"]})
    assert again.status_code == 200


def test_a_signed_in_page_never_reaches_an_anonymous_reader(client, alpha):
    """What a signed-in person saw is not served to the next anonymous request."""
    client.force_login(member("ada"))
    client.get("/packages/p/alpha/")
    client.logout()
    assert b"ada" not in client.get("/packages/p/alpha/").content


def test_htmx_parts_are_validated_apart_from_whole_pages(client, alpha):
    """An htmx request for the results part gets its own ETag and its own kept answer."""
    whole = client.get("/packages/")
    part = client.get("/packages/", headers={"HX-Request": "true"})
    assert part["ETag"] != whole["ETag"]
    assert len(part.content) < len(whole.content)
    assert "HX-Request" in part["Vary"]


@pytest.mark.parametrize("path", ["/packages/p/alpha/", "/api/v4/packages/"])
def test_each_encoding_a_client_accepts_is_an_answer_of_its_own_kept_compressed(
    client, alpha, path, django_assert_num_queries
):
    """A browser (Brotli, gzip) gets Brotli, a client with gzip alone gets gzip, the others
    plain bytes: three answers, each with its own ETag, each kept compressed (one query)."""
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    gzipped = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    with django_assert_num_queries(1):
        packed_kept = client.get(path, headers={"Accept-Encoding": "br"})
    with django_assert_num_queries(1):
        gzipped_kept = client.get(path, headers={"Accept-Encoding": "gzip"})
    plain_again = client.get(path)

    assert [packed["Content-Encoding"], gzipped["Content-Encoding"]] == ["br", "gzip"]
    assert brotli.decompress(packed.content) == plain.content
    assert gzip.decompress(gzipped.content) == plain.content
    assert len({plain["ETag"], packed["ETag"], gzipped["ETag"]}) == 3
    assert "Accept-Encoding" in packed["Vary"]
    assert "Accept-Encoding" in gzipped["Vary"]
    assert packed_kept["Content-Encoding"] == "br"
    assert brotli.decompress(packed_kept.content) == plain.content
    assert packed_kept["ETag"] == packed["ETag"]
    assert gzipped_kept["Content-Encoding"] == "gzip"
    assert gzipped_kept["ETag"] == gzipped["ETag"]
    assert not plain_again.has_header("Content-Encoding")
    assert plain_again.content == plain.content


def test_health_is_never_validated_nor_kept(client):
    """/health/ reports the present: no ETag, and its own no-cache rules."""
    response = client.get("/health/")
    assert "ETag" not in response
    assert "no-cache" in response["Cache-Control"]


def test_a_waiting_message_is_shown_not_a_kept_page(client, alpha):
    """A person with a message waiting gets the page built for them, with the message."""
    client.get("/packages/p/alpha/")
    client.cookies["messages"] = "waiting"
    response = client.get("/packages/p/alpha/")
    assert "ETag" not in response


def test_posts_and_errors_are_not_kept(client, alpha):
    """Only 200 answers to GET are kept; a 404 has no validator."""
    response = client.get("/packages/p/nothing-here/")
    assert response.status_code == 404
    assert "ETag" not in response


def test_caching_can_be_turned_off(client, alpha, settings):
    """PAGE_CACHE_SECONDS=0: no validator, nothing kept."""
    settings.PAGE_CACHE_SECONDS = 0
    response = client.get("/packages/p/alpha/")
    assert "ETag" not in response


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_two_processes_share_the_cache_and_see_each_others_writes(
    client, settings, django_assert_num_queries
):
    """Another process fills the shared cache, this one is served from it, then sees its write.

    The other process is `manage.py shell` on the same database and the same Redis cache, as a
    second web process or the worker would be.
    """
    if connection.vendor != "postgresql":
        pytest.skip("a second process cannot open SQLite's in-memory test database")
    redis = redis_url("shared-cache")  # A database of its own, emptied first.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis}
    }
    cache.clear()
    # One release and one time bucket in both processes, however long the test takes.
    settings.PAGE_CACHE_RELEASE = "two-processes"
    settings.PAGE_CACHE_SECONDS = 10**9
    FetchedPackageFactory(title="alpha", slug="alpha", description="First words.")
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "REDIS_URL": redis,
        "PAGE_CACHE_RELEASE": "two-processes",
        "PAGE_CACHE_SECONDS": str(10**9),
    }

    def other_process(code: str) -> str:
        script = "from django.test import Client\nclient = Client(HTTP_HOST='localhost')\n" + code
        done = subprocess.run(  # noqa: S603 - this interpreter and manage.py, fixed code.
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout.strip()

    etag = other_process("print(client.get('/packages/p/alpha/')['ETag'])")
    with django_assert_num_queries(1):  # The data version; the page is the other's.
        kept = client.get("/packages/p/alpha/", HTTP_HOST="localhost")
    assert kept["ETag"] == etag
    assert b"First words." in kept.content

    other_process(
        "from packyard.catalog.models import Package\n"
        "Package.objects.filter(slug='alpha').update(description='Second words.')"
    )
    fresh = client.get("/packages/p/alpha/", HTTP_HOST="localhost")
    assert fresh["ETag"] != etag
    assert b"Second words." in fresh.content


@needs_redis
def test_a_process_keeps_the_answers_it_reads_most_in_its_own_memory(
    client, alpha, settings, django_assert_num_queries
):
    """In front of Redis, a kept answer is also held in the process: served again without
    Redis (emptied here), and never stale: a write moves the key on."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url("local-cache"),
        }
    }
    settings.PAGE_CACHE_LOCAL_BYTES = 1024 * 1024
    cache.clear()
    first = client.get("/packages/p/alpha/")
    cache.clear()  # Redis forgets; this process still holds the answer.
    with django_assert_num_queries(1):
        second = client.get("/packages/p/alpha/")
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]

    Package.objects.filter(pk=alpha.pk).update(description="Now with wings.")
    after = client.get("/packages/p/alpha/")
    assert after["ETag"] != first["ETag"]
    assert b"Now with wings." in after.content
    cache.clear()


def test_the_memory_a_process_keeps_answers_in_is_bounded():
    """The least recently read answers leave first once the bytes pass the limit, and an
    answer bigger than a quarter of it is not held at all."""
    answers = LocalAnswers()
    for name in "abcde":
        answers.put(name, (200, [], b"x" * 200), limit=1000)
    assert answers.get("a") is not None  # Read again: now the most recent.
    answers.put("f", (200, [], b"x" * 200), limit=1000)
    answers.put("huge", (200, [], b"x" * 300), limit=1000)

    assert answers.get("b") is None
    assert all(answers.get(name) is not None for name in "acdef")
    assert answers.get("huge") is None


def test_a_page_holding_a_csrf_token_is_built_for_each_reader(client, alpha):
    """The upgrade check holds a POST form: each reader gets their own token and cookie."""
    first = client.get("/upgrade/")
    assert b"csrfmiddlewaretoken" in first.content
    again = client.get("/upgrade/")  # The cookie is set now; the page is still not kept.
    assert b"csrfmiddlewaretoken" in again.content
    other = Client()
    answer = other.get("/upgrade/")
    assert "csrftoken" in answer.cookies
    assert "public" not in answer.get("Cache-Control", "")


@pytest.mark.django_db
def test_a_cache_that_is_down_is_a_miss_not_an_error(client, settings, caplog):
    """Redis down (nothing listens at its address): anonymous pages are built and answered,
    with their validators, and the failure is logged; nothing is kept."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # Closed again: nothing listens there.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    PackageFactory(title="Still here", slug="still-here")

    first = client.get("/packages/p/still-here/")
    again = client.get("/packages/p/still-here/")

    assert first.status_code == again.status_code == 200
    assert "Still here" in again.content.decode()
    assert first["ETag"] == again["ETag"]
    assert "The page cache cannot be read" in caplog.text
