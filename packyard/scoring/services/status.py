"""Write a package's status: deprecated, replaced by another package, in need of a maintainer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from packyard.accounts.permissions import Action as Permission
from packyard.accounts.permissions import can
from packyard.catalog.models import Package
from packyard.catalog.services import Actor, package_update
from packyard.history.models import Action as HistoryAction
from packyard.history.models import Subject
from packyard.history.services import change_record
from packyard.scoring.models import PackageStatus
from packyard.scoring.services.scores import scores_recompute


@transaction.atomic
def package_status_set(
    *,
    package: Package,
    deprecated: bool,
    replaced_by: Package | None,
    needs_maintainer: bool,
    note: str = "",
    by: Actor = None,
    now: datetime | None = None,
) -> PackageStatus:
    """Set whether a package is deprecated, what replaces it, and whether it needs a maintainer.

    Deprecation and replacement are package edits, made (and recorded in the history) by the
    catalogue's `package_update`. Raises ValidationError naming the field when the replacement
    is the package itself or is replaced by it. The package's score is recomputed at once.
    """
    now = now or timezone.now()
    if replaced_by is not None:
        if replaced_by.pk == package.pk:
            raise ValidationError({"replaced_by": "A package cannot replace itself."})
        if replaced_by.replaced_by_id == package.pk:
            raise ValidationError(
                {"replaced_by": f"{replaced_by.title} is itself replaced by {package.title}."}
            )
    changes: dict[str, Any] = {}
    if deprecated != (package.deprecated_at is not None):
        changes["deprecated_at"] = now if deprecated else None
    if (replaced_by.pk if replaced_by else None) != package.replaced_by_id:
        changes["replaced_by"] = replaced_by
    user = by if isinstance(by, get_user_model()) else None
    if changes and user is not None and not can(user, Permission.DEPRECATE, package):
        raise ValidationError(
            {"deprecated": "Only the package's maintainers and staff mark it deprecated."}
        )
    if changes:
        package_update(package=package, actor=by, changes=changes, summary="Status")
    status, _ = PackageStatus.objects.get_or_create(package=package)
    before = {"needs_maintainer": status.needs_maintainer, "note": status.note}
    if needs_maintainer and not status.needs_maintainer:
        status.needs_maintainer_since = now
    if not needs_maintainer:
        status.needs_maintainer_since = None
    status.needs_maintainer = needs_maintainer
    status.note = note.strip()[:2000]
    status.updated_by = user
    status.updated_at = now
    status.save()
    after = {"needs_maintainer": status.needs_maintainer, "note": status.note}
    if after != before:
        names = [name for name in after if after[name] != before[name]]
        change_record(
            actor=user,
            subject=Subject.PACKAGE,
            subject_id=package.pk,
            target=status,
            action=HistoryAction.UPDATE,
            summary=f"{package.title}: status",
            before={name: before[name] for name in names},
            after={name: after[name] for name in names},
        )
    scores_recompute(package_ids=[package.pk], now=now)
    return status
