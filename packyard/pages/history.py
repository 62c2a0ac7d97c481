"""What the history pages of packages and grids share: the list of edits, and undoing one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from packyard.core.paging import page_of
from packyard.core.types import HtmxHttpRequest
from packyard.history.models import Change, Subject
from packyard.history.selectors import changes_of


def history_render(
    request: HtmxHttpRequest,
    *,
    template: str,
    subject: Subject,
    subject_id: int,
    context: Mapping[str, Any],
) -> HttpResponse:
    """Render a page of the edits of one package or grid, newest first."""
    changes = changes_of(subject=subject, subject_id=subject_id)
    page = page_of(request, changes, per_page=settings.PAGE_SIZE)
    return render(request, template, {**context, "page": page})


def change_get(*, subject: Subject, subject_id: int, change_id: int) -> Change:
    """Return one change of that package or grid, or answer 404."""
    return get_object_or_404(Change, pk=change_id, subject_type=subject, subject_id=subject_id)


def change_revert(
    request: HtmxHttpRequest, *, change: Change, revert: Callable[..., object]
) -> None:
    """Undo `change` with the domain's `revert` service and tell the person how that went."""
    try:
        revert(change=change, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Reverted: {change}.")
