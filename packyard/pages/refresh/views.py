"""Refresh on request: the "Fetch latest data" button and GitHub's push webhook."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.contrib import messages
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


def _signature_valid(request: HttpRequest, secret: str) -> bool:
    header = request.headers.get("X-Hub-Signature-256", "")
    if not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256="), expected)


@csrf_exempt  # GitHub signs the body with the shared secret instead.
@require_POST
def github_webhook(request: HttpRequest) -> JsonResponse:
    """Refresh the package of a pushed repository; unsigned or wrongly signed calls get 403.

    Only pushes, releases and repository changes queue a fetch, at most once per package per
    REFRESH_REQUEST_COOLDOWN_MINUTES (a delivery sent again queues nothing more).

    GitHub signs each delivery with HMAC-SHA256 in `X-Hub-Signature-256`:
    https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    """
    secret = settings.GITHUB_WEBHOOK_SECRET
    if not secret:
        return JsonResponse({"ok": False, "error": "The webhook is not configured."}, status=403)
    if not _signature_valid(request, secret):
        return JsonResponse({"ok": False, "error": "Invalid signature."}, status=403)
    event = request.headers.get("X-GitHub-Event", "")
    if event == "ping":
        return JsonResponse({"ok": True, "event": "ping"})
    if event not in WEBHOOK_EVENTS:
        # Stars, issues and the like change no fact Packyard fetches at once.
        return JsonResponse({"ok": True, "event": event, "package": None})
    try:
        payload = json.loads(request.body)
        url = payload["repository"]["html_url"]
        repository = parse_repository_url(url)
    except (ValueError, KeyError, TypeError, InvalidRepositoryURL):
        return JsonResponse({"ok": False, "error": "No repository in the payload."}, status=400)
    package = Package.objects.filter(repo_key=repository.key).first()
    if package is None:
        return JsonResponse({"ok": True, "event": event, "package": None})
    queued = package_refresh_request(package_id=package.pk)
    return JsonResponse(
        {"ok": True, "event": event, "package": package.slug, "queued": queued}, status=202
    )
