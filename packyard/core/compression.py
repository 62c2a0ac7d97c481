"""Gzip of answers, but not of those compressed already (dump files, PNG cards)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

# Packing these again costs time and saves nothing; for application/gzip it would also make
# clients unpack only the outer layer.
COMPRESSED_TYPES = ("application/gzip", "application/zip", "image/png", "image/jpeg", "image/webp")


class CompressingMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH padding), skipping compressed content types."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.get("Content-Type", "").startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
