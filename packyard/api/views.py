"""Answers for the API's addresses that hold nothing: the retired v1, and unknown paths."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def gone(request: HttpRequest) -> JsonResponse:
    """Answer 410 Gone for API v1, whatever the method, and point at API v4."""
    v4 = request.build_absolute_uri(reverse("apiv4:api-root"))
    return JsonResponse(
        {"detail": f"API v1 is gone. Use API v4: {v4}", "v4": v4},
        status=410,
    )


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    """Answer 404 in JSON for an address under /api/ that no endpoint serves."""
    return JsonResponse({"detail": "Not found."}, status=404)
