"""Refresh on request: the "Fetch latest data" button and GitHub's push webhook."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from packyard.accounts.permissions import Action, require
from packyard.catalog.models import Package
from packyard.core.repositories import InvalidRepositoryURL, parse_repository_url
from packyard.pages import ratelimits
from packyard.refresh.tasks import package_refresh_request

# Deliveries that change facts: a push, a release, the repository renamed or archived.
WEBHOOK_EVENTS = frozenset({"push", "release", "repository"})
# A delivery id seen within this time is a replay (GitHub's "Redeliver" or an attacker's).
WEBHOOK_DELIVERY_SECONDS = 7 * 24 * 3600
WEBHOOK_DELIVERY_KEY = "webhook-delivery:{delivery}"

logger = logging.getLogger(__name__)


@require_POST
def package_fetch(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue a fetch of the package's facts, at most once per package per cooldown.

    Any signed-in member may ask (new accounts too: it changes no content), within the
    "refresh" rate limit per person; people not signed in are sent to sign in.
    """
    package = get_object_or_404(Package, slug=slug)
    if refused := require(request, Action.REFRESH, package):
        return refused
    if refused := ratelimits.refusal(request, scope="refresh"):
        return refused
    if package_refresh_request(package_id=package.pk):
        messages.success(request, "Fetching the latest data; the facts update within a minute.")
    else:
        cooldown = settings.REFRESH_REQUEST_COOLDOWN_MINUTES
        messages.info(
            request,
            f"The latest data was requested less than {cooldown} minutes ago; it is being fetched.",
        )
    return HttpResponseRedirect(package.get_absolute_url(), status=303)


def _signature_valid(request: HttpRequest, body: bytes, secret: str) -> bool:
    header = request.headers.get("X-Hub-Signature-256", "")
    if not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256="), expected)


def _body_within(request: HttpRequest, limit: int) -> bytes | None:
    """The request's body, or None when it is larger than `limit` bytes (read no further)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _answer(status: int = 200, **fields: object) -> JsonResponse:
    return JsonResponse(fields, status=status)


def _json_errors(view: Callable[[HttpRequest], JsonResponse]) -> Callable[..., JsonResponse]:
    """Answer an unexpected failure with a JSON 500, as every other answer of the view is JSON."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest) -> JsonResponse:
        try:
            return view(request)
        except Exception:  # Logged with its traceback; the sender is told in JSON.
            logger.exception("GitHub webhook failed")
            return _answer(500, ok=False, error="The delivery could not be handled.")

    return wrapped


@csrf_exempt  # GitHub signs the body with the shared secret instead.
@_json_errors
def github_webhook(request: HttpRequest) -> JsonResponse:
    """Refresh the package of a pushed repository; unsigned or wrongly signed calls get 403.

    Only pushes, releases and repository changes queue a fetch, at most once per package per
    REFRESH_REQUEST_COOLDOWN_MINUTES (a delivery sent again queues nothing more). Every answer
    is JSON: 405 for another method, 413 for a body over WEBHOOK_MAX_BYTES (before the
    signature is checked, so a large body costs no hashing), 200 with `"duplicate": true` for a
    delivery id already seen.

    GitHub signs each delivery with HMAC-SHA256 in `X-Hub-Signature-256` and names it with a
    unique `X-GitHub-Delivery` id:
    https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    """
    if request.method != "POST":
        response = _answer(405, ok=False, error="Only POST is allowed.")
        response["Allow"] = "POST"
        return response
    secret = settings.GITHUB_WEBHOOK_SECRET
    if not secret:
        return _answer(403, ok=False, error="The webhook is not configured.")
    limit = settings.WEBHOOK_MAX_BYTES
    body = _body_within(request, limit)
    if body is None:
        return _answer(413, ok=False, error=f"The body is larger than {limit} bytes.")
    if not _signature_valid(request, body, secret):
        return _answer(403, ok=False, error="Invalid signature.")
    event = request.headers.get("X-GitHub-Event", "")
    delivery = request.headers.get("X-GitHub-Delivery", "")[:100]
    if delivery and not cache.add(
        WEBHOOK_DELIVERY_KEY.format(delivery=delivery), "1", timeout=WEBHOOK_DELIVERY_SECONDS
    ):
        return _answer(ok=True, event=event, duplicate=True)
    if event == "ping":
        return _answer(ok=True, event="ping")
    if event not in WEBHOOK_EVENTS:
        # Stars, issues and the like change no fact Packyard fetches at once.
        return _answer(ok=True, event=event, package=None)
    try:
        payload = json.loads(body)
        url = payload["repository"]["html_url"]
        repository = parse_repository_url(url)
    except (ValueError, KeyError, TypeError, InvalidRepositoryURL):
        return _answer(400, ok=False, error="No repository in the payload.")
    package = Package.objects.filter(repo_key=repository.key).first()
    if package is None:
        return _answer(ok=True, event=event, package=None)
    queued = package_refresh_request(package_id=package.pk)
    return _answer(202, ok=True, event=event, package=package.slug, queued=queued)
