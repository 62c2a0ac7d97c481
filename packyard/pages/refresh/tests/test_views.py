"""The "Fetch latest data" button and GitHub's webhook queue fetches, and only when they should."""

import hashlib
import hmac
import json

import pytest
from django_tasks_db.models import DBTaskResult

from tests.factories import FetchedPackageFactory, newcomer

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """A signed-in member: only people signed in may ask for fresh data (accounts issue)."""
    client.force_login(newcomer())
    return client


SECRET = "webhook-secret"


def queued_package_ids():
    return [result.args_kwargs["args"][0] for result in DBTaskResult.objects.all()]


def test_fetch_button_queues_a_fetch_and_says_so(client, django_capture_on_commit_callbacks):
    """Pressing the button queues one fetch and tells the visitor when facts will update."""
    package = FetchedPackageFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/packages/p/{package.slug}/fetch/", follow=True)

    assert response.status_code == 200
    assert "Fetching the latest data" in response.text
    assert queued_package_ids() == [package.pk]


def test_fetch_button_twice_within_ten_minutes_queues_once(
    client, django_capture_on_commit_callbacks
):
    """A second press inside the cooldown queues nothing more."""
    package = FetchedPackageFactory()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/packages/p/{package.slug}/fetch/")
        response = client.post(f"/packages/p/{package.slug}/fetch/", follow=True)

    assert "less than 10 minutes ago" in response.text
    assert queued_package_ids() == [package.pk]


def test_people_not_signed_in_are_sent_to_sign_in_and_nothing_is_queued():
    """The button is for signed-in people: anyone else is sent to sign in; nothing queued."""
    from django.test import Client

    package = FetchedPackageFactory()
    anonymous = Client()

    response = anonymous.post(f"/packages/p/{package.slug}/fetch/")
    page = anonymous.get(package.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert f'action="/packages/p/{package.slug}/fetch/"' not in page.text
    assert not DBTaskResult.objects.exists()


def test_presses_past_the_rate_limit_answer_429(client, settings):
    """Past RATE_LIMITS["refresh"] per person a press answers 429 and queues nothing."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "refresh": "1/h"}
    first, second = FetchedPackageFactory.create_batch(2)

    client.post(f"/packages/p/{first.slug}/fetch/")
    response = client.post(f"/packages/p/{second.slug}/fetch/")

    assert response.status_code == 429
    assert "too many requests for fresh data" in response.text


def test_fetch_button_refuses_get(client):
    """GET never queues anything."""
    package = FetchedPackageFactory()

    response = client.get(f"/packages/p/{package.slug}/fetch/")

    assert response.status_code == 405
    assert not DBTaskResult.objects.exists()


def test_fetch_button_needs_the_csrf_token():
    """A cross-site form post is refused."""
    from django.test import Client

    package = FetchedPackageFactory()
    response = Client(enforce_csrf_checks=True).post(f"/packages/p/{package.slug}/fetch/")

    assert response.status_code == 403
    assert not DBTaskResult.objects.exists()


def test_package_page_shows_the_button_and_sources(client):
    """The package page says where facts came from and offers the button as a form."""
    package = FetchedPackageFactory()

    response = client.get(package.get_absolute_url())

    assert f'action="/packages/p/{package.slug}/fetch/"' in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert "<strong>GitHub</strong>: fetched" in response.text


def signed(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def push(client, body: bytes, signature: str | None, event: str = "push", **extra):
    headers = {"HTTP_X_GITHUB_EVENT": event, **extra}
    if signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return client.post("/webhooks/github/", body, content_type="application/json", **headers)


def payload(url: str) -> bytes:
    return json.dumps({"ref": "refs/heads/main", "repository": {"html_url": url}}).encode()


def test_signed_push_refreshes_the_package(client, settings, django_capture_on_commit_callbacks):
    """A correctly signed push queues a fetch of the pushed repository's package."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    package = FetchedPackageFactory(
        repo_url="https://github.com/Owner/Thing", repo_key="github.com/owner/thing"
    )
    body = payload("https://github.com/owner/THING")

    with django_capture_on_commit_callbacks(execute=True):
        response = push(client, body, signed(body))

    assert response.status_code == 202
    assert response.json()["package"] == package.slug
    assert queued_package_ids() == [package.pk]


@pytest.mark.parametrize(
    "signature",
    [None, "sha256=0000", "sha1=abc", signed(b"other body")],
    ids=["unsigned", "wrong", "old-sha1", "other-body"],
)
def test_unsigned_or_wrongly_signed_calls_get_403_and_do_nothing(client, settings, signature):
    """Calls without a valid HMAC-SHA256 signature are refused and queue nothing."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    FetchedPackageFactory(
        repo_url="https://github.com/owner/thing", repo_key="github.com/owner/thing"
    )

    response = push(client, payload("https://github.com/owner/thing"), signature)

    assert response.status_code == 403
    assert not DBTaskResult.objects.exists()


def test_webhook_without_a_secret_is_disabled(client, settings):
    """With no secret configured every call is refused."""
    settings.GITHUB_WEBHOOK_SECRET = ""
    body = payload("https://github.com/owner/thing")

    assert push(client, body, signed(body, "")).status_code == 403


def test_ping_and_unknown_repositories_are_acknowledged(client, settings):
    """A ping, or a push of a repository not in the directory, answers 200 and queues nothing."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    ping = b'{"zen": "Keep it logically awesome."}'
    assert push(client, ping, signed(ping), event="ping").json() == {"ok": True, "event": "ping"}

    body = payload("https://github.com/nobody/nothing")
    response = push(client, body, signed(body))

    assert response.status_code == 200
    assert response.json()["package"] is None
    assert not DBTaskResult.objects.exists()


def test_signed_nonsense_is_a_400(client, settings):
    """A signed body without a repository answers 400."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    body = b"[1, 2"

    assert push(client, body, signed(body)).status_code == 400


def test_only_pushes_releases_and_repository_events_queue_a_fetch(
    client, settings, django_capture_on_commit_callbacks
):
    """A signed star or issue event queues nothing; a push queues one fetch."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    FetchedPackageFactory(
        repo_url="https://github.com/owner/thing", repo_key="github.com/owner/thing"
    )
    body = payload("https://github.com/owner/thing")

    with django_capture_on_commit_callbacks(execute=True):
        for event in ("star", "issues", "watch"):
            assert push(client, body, signed(body), event=event).json()["package"] is None
    assert not DBTaskResult.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert push(client, body, signed(body), event="push").status_code == 202
    assert DBTaskResult.objects.count() == 1


def test_a_delivery_sent_again_queues_nothing_more(
    client, settings, django_capture_on_commit_callbacks
):
    """Within the cooldown, a second push of the same repository queues no second fetch."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    FetchedPackageFactory(
        repo_url="https://github.com/owner/thing", repo_key="github.com/owner/thing"
    )
    body = payload("https://github.com/owner/thing")

    with django_capture_on_commit_callbacks(execute=True):
        first = push(client, body, signed(body)).json()
        second = push(client, body, signed(body)).json()

    assert (first["queued"], second["queued"]) == (True, False)
    assert DBTaskResult.objects.count() == 1


@pytest.mark.attack
def test_a_replayed_delivery_id_answers_duplicate_and_queues_nothing(
    client, settings, django_capture_on_commit_callbacks
):
    """The same X-GitHub-Delivery id sent twice: the second answers 200, duplicate, no job."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    settings.REFRESH_REQUEST_COOLDOWN_MINUTES = 0
    FetchedPackageFactory(
        repo_url="https://github.com/owner/thing", repo_key="github.com/owner/thing"
    )
    body = payload("https://github.com/owner/thing")
    headers = {"HTTP_X_GITHUB_DELIVERY": "72d3162e-cc78-11e3-81ab-4c9367dc0958"}

    with django_capture_on_commit_callbacks(execute=True):
        first = push(client, body, signed(body), **headers)
        replay = push(client, body, signed(body), **headers)

    assert first.status_code == 202
    assert replay.status_code == 200
    assert replay.json() == {"ok": True, "event": "push", "duplicate": True}
    assert DBTaskResult.objects.count() == 1


@pytest.mark.attack
def test_a_replay_is_only_recognised_once_the_signature_is_valid(client, settings):
    """A forged call with a delivery id does not burn that id for GitHub's real delivery."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    body = payload("https://github.com/nobody/nothing")
    headers = {"HTTP_X_GITHUB_DELIVERY": "d-1"}

    assert push(client, body, "sha256=0000", **headers).status_code == 403
    assert "duplicate" not in push(client, body, signed(body), **headers).json()


@pytest.mark.attack
def test_a_body_over_the_limit_answers_413_in_json_before_the_signature(client, settings):
    """A body over WEBHOOK_MAX_BYTES is refused with 413 JSON, even when signed."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    settings.WEBHOOK_MAX_BYTES = 1024
    body = b'{"pad": "' + b"x" * 2048 + b'"}'

    for signature in (signed(body), None):
        response = push(client, body, signature)
        assert response.status_code == 413
        assert response["Content-Type"] == "application/json"
        assert "1024 bytes" in response.json()["error"]


@pytest.mark.attack
def test_a_30_mb_signed_body_answers_413_json_with_the_default_limit(client, settings):
    """The default limit is 1 MB: a 30 MB delivery gets JSON, not Django's HTML 400 page."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    body = b"x" * (30 * 1024 * 1024)

    response = push(client, body, signed(body))

    assert response.status_code == 413
    assert response.json()["ok"] is False


@pytest.mark.attack
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_answer_405_in_json(client, method):
    """Every answer of the webhook endpoint is JSON, a wrong method's too."""
    response = getattr(client, method)("/webhooks/github/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["ok"] is False
