"""/dump/: the current dump's files with their sizes, SHA-256 and times; the files themselves.

These answers follow the files, not the database, so the page cache (keyed by the data
version) stays out of them; a file carries its own ETag and Last-Modified.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from packyard.api.dump.files import CONTENT_TYPE
from packyard.api.dump.selectors import dump_file_path, dump_manifest
from packyard.core.caching import page_cache_exempt


@page_cache_exempt
@require_safe
def dump_index(request: HttpRequest) -> HttpResponse:
    """List the dump's files, or say that none was made yet."""
    return render(request, "api/dump.html", {"manifest": dump_manifest()})


@page_cache_exempt
@require_safe
def dump_manifest_json(request: HttpRequest) -> JsonResponse:
    """Answer the manifest as JSON (404 in JSON when no dump was made yet)."""
    manifest = dump_manifest()
    if manifest is None:
        return JsonResponse({"detail": "No dump has been made yet."}, status=404)
    return JsonResponse(manifest.to_json())


@page_cache_exempt
@require_safe
def dump_file(request: HttpRequest, name: str) -> HttpResponse | FileResponse:
    """Serve one of the dump's three files; any other name is a 404."""
    path = dump_file_path(name=name)
    if path is None:
        raise Http404("No such file in the dump.")
    stat = path.stat()
    etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    last_modified = int(stat.st_mtime)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPE
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=3600"
    return response
