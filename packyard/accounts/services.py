"""Writes of the accounts app: profiles, marks, flags, proposals and their review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from packyard.accounts.models import (
    DeprecationProposal,
    Flag,
    Mark,
    MarkKind,
    Profile,
    Review,
    Reviewed,
    SiteEntry,
)
from packyard.catalog.models import Package
from packyard.catalog.services import package_update


@transaction.atomic
def profile_set_from_github(*, user: User, github: Mapping[str, Any]) -> Profile:
    """Create or update a person's profile from GitHub's user record.

    GitHub lets a login be taken again after its owner renames; the login moves to whoever
    holds it now. https://docs.github.com/en/rest/users/users#get-the-authenticated-user
    """
    login = str(github.get("login") or "")[:39] or None
    created_at = parse_datetime(str(github.get("created_at") or ""))
    if login:
        Profile.objects.filter(github_login__iexact=login).exclude(user=user).update(
            github_login=None
        )
    profile, _ = Profile.objects.get_or_create(user=user)
    values: dict[str, Any] = {
        "github_login": login,
        "github_id": github.get("id") if isinstance(github.get("id"), int) else None,
        "github_created_at": created_at,
        "avatar_url": str(github.get("avatar_url") or "")[:500],
    }
    if not profile.name:
        values["name"] = str(github.get("name") or "")[:100]
    changed = [name for name, value in values.items() if getattr(profile, name) != value]
    if changed:
        for name in changed:
            setattr(profile, name, values[name])
        profile.modified = timezone.now()
        profile.save(update_fields=[*changed, "modified"])
    return profile


@transaction.atomic
def profile_update(*, user: User, name: str, bio: str, share_favourites: bool) -> Profile:
    """Change what a person shows on their profile (made if a staff account had none)."""
    profile, _ = Profile.objects.get_or_create(user=user)
    profile.name = name.strip()[:100]
    profile.bio = bio.strip()[:500]
    profile.share_favourites = share_favourites
    profile.modified = timezone.now()
    profile.save(update_fields=["name", "bio", "share_favourites", "modified"])
    return profile


@transaction.atomic
def mark_toggle(*, user: User, package: Package, kind: MarkKind) -> bool:
    """Add a favourite or "I use this" mark, or take it away; return whether it is now set."""
    deleted, _ = Mark.objects.filter(user=user, package=package, kind=kind).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Mark.objects.create(user=user, package=package, kind=kind)
    except IntegrityError:
        pass  # A second click raced the first: the mark is there either way.
    return True


@transaction.atomic
def flag_create(*, package: Package, reporter: User, topic: str, reason: str) -> Flag:
    """Report that something about a package is wrong."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say what is wrong."})
    return Flag.objects.create(package=package, reporter=reporter, topic=topic, reason=reason)


@transaction.atomic
def deprecation_propose(
    *,
    package: Package,
    proposer: User,
    replaced_by: Package | None,
    reason: str,
) -> DeprecationProposal:
    """Propose that a package is deprecated, optionally naming its replacement."""
    if replaced_by is not None and replaced_by.pk == package.pk:
        raise ValidationError({"replaced_by": "A package cannot replace itself."})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the package is deprecated."})
    return DeprecationProposal.objects.create(
        package=package, proposer=proposer, replaced_by=replaced_by, reason=reason
    )


@transaction.atomic
def site_propose(*, package: Package, submitter: User, name: str, url: str) -> SiteEntry:
    """Propose a site that uses a package; it is shown once staff accept it."""
    if SiteEntry.objects.filter(package=package, url=url).exists():
        raise ValidationError({"url": "This site is already listed or waiting for review."})
    return SiteEntry.objects.create(
        package=package, submitted_by=submitter, name=name.strip(), url=url
    )


def _review(item: Reviewed, *, reviewer: User, accept: bool) -> None:
    if not item.is_pending:
        raise ValidationError(f"This was already {item.get_status_display()}.")
    item.status = Review.ACCEPTED if accept else Review.REJECTED
    item.reviewed_by = reviewer
    item.reviewed_at = timezone.now()
    item.save(update_fields=["status", "reviewed_by", "reviewed_at"])


@transaction.atomic
def flag_review(*, flag: Flag, reviewer: User, accept: bool) -> Flag:
    """Close a flag: accepted once the data is fixed, rejected when nothing was wrong."""
    _review(flag, reviewer=reviewer, accept=accept)
    return flag


@transaction.atomic
def site_entry_review(*, entry: SiteEntry, reviewer: User, accept: bool) -> SiteEntry:
    """Show a proposed site on its package's page, or reject it."""
    _review(entry, reviewer=reviewer, accept=accept)
    return entry


@transaction.atomic
def deprecation_review(
    *, proposal: DeprecationProposal, reviewer: User, accept: bool
) -> DeprecationProposal:
    """Accept a deprecation (recorded in the package's history) or reject it."""
    _review(proposal, reviewer=reviewer, accept=accept)
    if accept:
        package = proposal.package
        proposer = proposal.proposer.get_username() if proposal.proposer else "someone"
        package_update(
            package=package,
            actor=reviewer,
            changes={
                "deprecated_at": package.deprecated_at or timezone.now(),
                "replaced_by": proposal.replaced_by,
            },
            summary=f"{package.title}: deprecated, as {proposer} proposed",
        )
    return proposal
