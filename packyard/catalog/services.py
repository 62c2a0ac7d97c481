"""Writes to the catalogue: packages and their releases.

Every edit people make to a package goes through `package_create` or `package_update`, which
record it in the history (`packyard.history`) in the same transaction. Facts that the refresh
jobs fetch are not edits and are not recorded there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Field, Model
from django.utils import timezone
from packaging.version import InvalidVersion, Version

from packyard.catalog.models import Category, Package, Release
from packyard.core.repositories import (
    InvalidRepositoryURL,
    parse_repository_url,
    repository_identity,
)
from packyard.history.models import Action, Change, Subject
from packyard.history.services import (
    change_record,
    conflicting_fields,
    field_values,
    revert_check,
)

Actor = User | AnonymousUser | None

# The fields people edit, in the order the history shows them.
PACKAGE_FIELDS = (
    "title",
    "slug",
    "repo_url",
    "category",
    "pypi_name",
    "documentation_url",
    "description",
    "deprecated_at",
    "replaced_by",
)


@dataclass(frozen=True)
class ReleaseFacts:
    """One release as a source reports it.

    `license`, `requires_python` and `classifiers` are None when the source does not give
    them for this release (PyPI's JSON gives them for the latest version only): the stored
    values are then kept.
    """

    version: str
    upload_time: datetime | None
    yanked: bool = False
    yanked_reason: str = ""
    license: str | None = None
    requires_python: str | None = None
    classifiers: tuple[str, ...] | None = None


VERSION_MAX_LENGTH = 100  # Release.version's column.


def _parsed(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


def is_prerelease(version: str) -> bool:
    """Tell whether a version is a pre-release or development release by PEP 440."""
    parsed = _parsed(version)
    return bool(parsed and (parsed.is_prerelease or parsed.is_devrelease))


def latest_release[T: (Release, ReleaseFacts)](releases: Iterable[T]) -> T | None:
    """Return the highest non-yanked final release by PEP 440.

    When a package has only pre-releases, the highest non-yanked pre-release is its latest;
    yanked releases and versions PEP 440 cannot read never are.
    """
    best: tuple[bool, Version, T] | None = None
    for release in releases:
        parsed = _parsed(release.version)
        if release.yanked or parsed is None:
            continue
        final = not (parsed.is_prerelease or parsed.is_devrelease)
        if best is None or (final, parsed) > best[:2]:
            best = (final, parsed, release)
    return best[2] if best else None


def development_status(classifiers: Iterable[str]) -> str:
    """Return the words of the "Development Status" trove classifier ("" when none)."""
    for classifier in classifiers:
        if classifier.startswith("Development Status :: "):
            return classifier.rsplit(" - ", 1)[-1].strip()
    return ""


@transaction.atomic
def package_releases_set(*, package: Package, releases: Iterable[ReleaseFacts]) -> list[Release]:
    """Store every release a source lists and update the package's latest version.

    Releases the source no longer lists are kept: PyPI deletes files, history does not.
    """
    facts = list(releases)
    existing = {release.version: release for release in package.releases.all()}
    to_create: list[Release] = []
    to_update: list[Release] = []
    fields = [
        "upload_time",
        "yanked",
        "yanked_reason",
        "is_prerelease",
        "license",
        "requires_python",
        "classifiers",
        "development_status",
    ]
    for fact in facts:
        if not fact.version or len(fact.version) > VERSION_MAX_LENGTH:
            continue  # No PEP 440 version is that long; such an entry cannot be stored.
        values: dict[str, object] = {
            "upload_time": fact.upload_time,
            "yanked": fact.yanked,
            "yanked_reason": fact.yanked_reason,
            "is_prerelease": is_prerelease(fact.version),
        }
        if fact.license is not None:
            values["license"] = fact.license[:300]
        if fact.requires_python is not None:
            values["requires_python"] = fact.requires_python[:200]
        if fact.classifiers is not None:
            values["classifiers"] = list(fact.classifiers)
            values["development_status"] = development_status(fact.classifiers)
        release = existing.get(fact.version)
        if release is None:
            to_create.append(Release(package=package, version=fact.version, **values))
        elif any(getattr(release, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(release, name, value)
            to_update.append(release)
    Release.objects.bulk_create(to_create)
    if to_update:
        Release.objects.bulk_update(to_update, fields)
    stored = list(package.releases.all())
    latest = latest_release(stored)
    version = latest.version if latest else None
    released_at = latest.upload_time if latest else None
    if (package.pypi_version, package.latest_release_at) != (version, released_at):
        package.pypi_version = version
        package.latest_release_at = released_at
        package.save(update_fields=["pypi_version", "latest_release_at"])
    return stored


def _labels(package: Package, names: Iterable[str]) -> dict[str, str]:
    """Return readable values of the foreign keys among `names`."""
    labels = {}
    if "category" in names:
        labels["category"] = package.category.title if package.category_id else ""
    if "replaced_by" in names:
        replacement = (
            Package.objects.filter(pk=package.replaced_by_id).first()
            if package.replaced_by_id
            else None
        )
        labels["replaced_by"] = replacement.title if replacement else ""
    return labels


def _concrete(package: Package, name: str) -> Field[Any, Any]:
    """Return a stored field of the package by name."""
    return next(field for field in package._meta.concrete_fields if field.name == name)


def _set_repository(package: Package, text: str, *, strict: bool, errors: dict[str, str]) -> None:
    """Set the repository URL and the host and key derived from it."""
    text = text.strip()
    if not text:
        if strict:
            errors["repo_url"] = "Enter the address of the package's repository."
            return
        package.repo_url, package.repo_host, package.repo_key = "", "other", None
        return
    if strict:
        try:
            repository = parse_repository_url(text)
        except InvalidRepositoryURL as error:
            errors["repo_url"] = str(error)
            return
        url, host, key = repository.url, repository.host.value, repository.key
    else:
        # A revert restores the address as it was, even on a host no longer supported.
        url = text
        host, key = repository_identity(text)
    holder = Package.objects.filter(repo_key=key).exclude(pk=package.pk).first()
    if holder is not None:
        errors["repo_url"] = f"This repository is already listed as {holder.title} ({holder.slug})."
        return
    package.repo_url, package.repo_host, package.repo_key = url, host, key


def _set_slug(package: Package, slug: str, *, errors: dict[str, str]) -> None:
    slug = slug.strip()
    try:
        validate_slug(slug)
    except ValidationError:
        errors["slug"] = "Use letters, numbers, hyphens and underscores only."
        return
    if Package.objects.filter(slug=slug).exclude(pk=package.pk).exists():
        errors["slug"] = f"Another package already has the slug {slug!r}."
        return
    package.slug = slug


def _assign(
    package: Package, changes: Mapping[str, Any], *, strict: bool
) -> tuple[list[str], dict[str, str]]:
    """Put the new values on the package; return the stored fields touched and the errors."""
    errors: dict[str, str] = {}
    touched: list[str] = []
    for name, value in changes.items():
        if name == "repo_url":
            _set_repository(package, value or "", strict=strict, errors=errors)
            touched += ["repo_url", "repo_host", "repo_key"]
        elif name == "slug":
            _set_slug(package, value or "", errors=errors)
            touched.append("slug")
        else:
            field = _concrete(package, name)
            if field.is_relation:
                setattr(package, field.attname, value.pk if isinstance(value, Model) else value)
            else:
                setattr(package, name, field.to_python(value))
            touched.append(name)
    fields = {field.name for field in package._meta.concrete_fields}
    try:
        package.full_clean(
            exclude=sorted(fields - set(touched)), validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, " ".join(messages))
    known = Category.objects.filter(pk=package.category_id).exists
    if "category" in changes and not errors.get("category") and not known():
        errors["category"] = "Choose a category."
    return touched, errors


class PackageAlreadyListed(ValidationError):
    """The repository of a package being added is listed already, as `existing`.

    `raced` is True when that package was added while this one was being saved (two people
    adding the same repository at the same moment), False when it was listed before.
    """

    def __init__(self, existing: Package, *, raced: bool) -> None:
        listed = f"{existing.title} ({existing.slug})"
        super().__init__({"repo_url": f"This repository is already listed as {listed}."})
        self.existing = existing
        self.raced = raced


def _holder(repo_key: str | None) -> Package | None:
    return None if repo_key is None else Package.objects.filter(repo_key=repo_key).first()


@transaction.atomic
def package_create(
    *,
    actor: Actor,
    repo_url: str,
    title: str,
    slug: str,
    category: Category,
    pypi_name: str = "",
    description: str = "",
    documentation_url: str = "",
) -> Package:
    """Add a package for a repository that is not listed yet, and record who added it."""
    user = actor if isinstance(actor, User) else None
    package = Package(category=category, created_by=user, last_modified_by=user)
    _, errors = _assign(
        package,
        {
            "title": title.strip(),
            "repo_url": repo_url,
            "slug": slug,
            "pypi_name": pypi_name.strip(),
            "description": description.strip(),
            "documentation_url": documentation_url.strip() or None,
        },
        strict=True,
    )
    if not package.title:
        errors.setdefault("title", "Give the package a title.")
    if "repo_url" in errors:
        try:
            holder = _holder(parse_repository_url(repo_url).key)
        except InvalidRepositoryURL:
            holder = None
        if holder is not None:
            raise PackageAlreadyListed(holder, raced=False)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            package.save()
    except IntegrityError as error:
        # Someone else's insert of the same repository (or slug) committed first: the unique
        # index made this one wait for it, so it can be read now and shown to this person.
        holder = _holder(package.repo_key)
        if holder is not None:
            raise PackageAlreadyListed(holder, raced=True) from error
        raise ValidationError(
            {"slug": f"The slug {package.slug!r} was taken a moment ago; choose another."}
        ) from error
    names = [name for name in PACKAGE_FIELDS if name not in {"deprecated_at", "replaced_by"}]
    change_record(
        actor=actor,
        subject=Subject.PACKAGE,
        subject_id=package.pk,
        target=package,
        action=Action.CREATE,
        summary=package.title,
        after=field_values(package, names),
        labels={"category": {"after": category.title}},
    )
    return package


# What PyPI said about a project; forgotten when the package's PyPI name changes.
PYPI_FACTS = {
    "pypi_version": None,
    "latest_release_at": None,
    "pypi_summary": "",
    "pypi_keywords": "",
    "requires_dist": None,
    "vulnerabilities": None,
    "pypi_project_status": "",
    "changelog_url": "",
}


def _pypi_facts_forget(package: Package) -> None:
    """Drop the releases and facts of the PyPI project a package no longer names."""
    package.releases.all().delete()
    for name, empty in PYPI_FACTS.items():
        setattr(package, name, empty)
    package.save(update_fields=list(PYPI_FACTS))


@transaction.atomic
def package_update(
    *,
    package: Package,
    actor: Actor,
    changes: Mapping[str, Any],
    summary: str = "",
    reverts: Change | None = None,
) -> Change | None:
    """Change some of a package's fields and record the change; None when nothing changed.

    `changes` maps names in PACKAGE_FIELDS to new values (a foreign key as a row or an id).
    A new repository URL must be on a supported host and not listed already; bad values
    raise ValidationError naming the field, and nothing is saved.
    """
    unknown = set(changes) - set(PACKAGE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    locked = Package.objects.select_for_update().get(pk=package.pk)
    before = field_values(locked, changes)
    labels_before = _labels(locked, changes)
    touched, errors = _assign(locked, changes, strict=reverts is None)
    if errors:
        raise ValidationError(errors)
    after = field_values(locked, changes)
    names = [name for name in changes if before[name] != after[name]]
    if not names:
        return None
    user = actor if isinstance(actor, User) else None
    locked.modified = timezone.now()
    locked.last_modified_by = user
    derived = [name for name in touched if name in {"repo_host", "repo_key"}]
    try:
        with transaction.atomic():
            locked.save(update_fields=[*names, *derived, "modified", "last_modified_by"])
    except IntegrityError as error:
        raise ValidationError(
            "Another edit got there first; reload the page and try again."
        ) from error
    if "pypi_name" in names:
        _pypi_facts_forget(locked)
    labels_after = _labels(locked, names)
    labels = {
        name: {"before": labels_before[name], "after": labels_after[name]}
        for name in names
        if name in labels_after
    }
    # The caller's copy shows the new values too.
    for name in {*names, *derived, "modified", "last_modified_by"}:
        field = _concrete(locked, name)
        setattr(package, field.attname, getattr(locked, field.attname))
    return change_record(
        actor=actor,
        subject=Subject.PACKAGE,
        subject_id=locked.pk,
        target=locked,
        action=Action.UPDATE,
        summary=summary or locked.title,
        before={name: before[name] for name in names},
        after={name: after[name] for name in names},
        labels=labels,
        reverts=reverts,
    )


@transaction.atomic
def package_change_revert(*, change: Change, actor: Actor) -> Change:
    """Undo a change of a package by setting its fields back; the undo is itself a change.

    Refused when a field was changed again since (revert the later change first).
    """
    revert_check(change, subject=Subject.PACKAGE)
    try:
        package = Package.objects.select_for_update().get(pk=change.target_id or 0)
    except ObjectDoesNotExist as error:
        raise ValidationError("That package no longer exists.") from error
    conflicts = conflicting_fields(change, field_values(package, change.fields))
    if conflicts:
        raise ValidationError(
            f"{', '.join(conflicts)} changed again since; revert the later change first."
        )
    before: dict[str, Any] = change.before if isinstance(change.before, dict) else {}
    reverted = package_update(
        package=package,
        actor=actor,
        changes=before,
        summary=package.title,
        reverts=change,
    )
    if reverted is None:
        raise ValidationError("Nothing to revert: the values are already as before.")
    return reverted
