"""Catalogue pages: the package list, a category, a package."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from packyard.accounts import selectors as accounts_selectors
from packyard.accounts.permissions import Action, can, require
from packyard.catalog import selectors, services
from packyard.catalog.models import Category, Package, Release
from packyard.core.forms import form_add_service_errors
from packyard.core.paging import page_of
from packyard.core.repositories import InvalidRepositoryURL, parse_repository_url
from packyard.core.types import HtmxHttpRequest
from packyard.grids.selectors import grids_of_package
from packyard.history.models import Subject
from packyard.pages import ratelimits
from packyard.pages.catalog.forms import PackageForm, RepositoryForm
from packyard.pages.history import change_get, change_revert, history_render
from packyard.pages.lists import list_sort, list_text, render_list
from packyard.refresh.selectors import fetch_states_of
from packyard.refresh.tasks import package_refresh_enqueue
from packyard.scoring.selectors import INSIGHTS_BESIDE

FORM_ERROR = 400

RELEASES_PER_PAGE = 10


def _package_list(
    request: HtmxHttpRequest, *, category: Category | None, template_title: str
) -> HttpResponse:
    text = list_text(request)
    sort = list_sort(request, sorts=selectors.PACKAGE_SORTS, default=selectors.DEFAULT_PACKAGE_SORT)
    packages = selectors.packages_list(category=category, text=text, sort=sort)
    # Without a text filter the stored counts say how many there are; with one, the filter
    # reads every package anyway, and the database counts what it matched.
    count = None if text.strip() else selectors.packages_count(category=category)
    page = page_of(request, packages, per_page=settings.PAGE_SIZE, count=count)
    context = {
        "title": template_title,
        "category": category,
        "categories": selectors.categories_with_counts(),
        "page": page,
        "q": text,
        "sort": sort,
        "sorts": selectors.PACKAGE_SORTS,
    }
    return render_list(request, "catalog/package_list.html", context)


@require_safe
def package_list(request: HtmxHttpRequest) -> HttpResponse:
    """List every package, with filters and sorts."""
    category = None
    if slug := request.GET.get("category"):
        category = selectors.categories_with_counts().filter(slug=slug).first()
    return _package_list(request, category=category, template_title="Packages")


@require_safe
def category_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """List the packages of one category."""
    category = selectors.category_get(slug=slug)
    return _package_list(
        request, category=category, template_title=category.title_plural or category.title
    )


@require_safe
def package_latest(request: HtmxHttpRequest) -> HttpResponse:
    """List the packages added most recently."""
    packages = selectors.packages_list(sort="added")
    return render(
        request,
        "catalog/package_latest.html",
        {
            "page": page_of(
                request, packages, per_page=settings.PAGE_SIZE, count=selectors.packages_count()
            )
        },
    )


@require_safe
def package_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Show every fact about a package."""
    package = selectors.package_get(slug=slug, beside=INSIGHTS_BESIDE)
    # The first page, which nearly every reader sees, from SQL compiled once per process.
    if request.GET.get("releases", "1") != "1":
        items: QuerySet[Release] | list[Release] = selectors.package_releases(package=package)
    elif package.release_count:
        items = selectors.package_releases_first(package=package, count=RELEASES_PER_PAGE)
    else:
        items = []
    releases = page_of(
        request,
        items,
        per_page=RELEASES_PER_PAGE,
        param="releases",
        count=package.release_count,
    )
    # The latest release is usually on the first page of releases: read again only if not.
    latest = None
    if package.release_count:
        latest = next(
            (release for release in releases if release.version == package.pypi_version), None
        )
        if latest is None and package.pypi_version:
            latest = selectors.latest_releases_of(packages=[package]).get(package.pk)
    context = {
        "package": package,
        "releases": releases,
        "latest_release": latest,
        "python3": selectors.python3_support(latest),
        "grids": grids_of_package(package=package),
        "fetch_states": fetch_states_of(package=package),
        "marks": accounts_selectors.marks_of(packages=[package], user=request.user)[package.pk],
        "sites": accounts_selectors.sites_of(package=package),
    }
    template = "catalog/package_detail.html"
    if request.htmx and request.htmx.target == "releases":
        template += "#releases"
    return render(request, template, context)


# --- Adding and editing packages ------------------------------------------------------------


def _suggested_slug(name: str) -> str:
    """Return a free slug made from a repository name ("django-foo", then "django-foo-2")."""
    base = slugify(name)[:90] or "package"
    taken = set(Package.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@require_http_methods(["GET", "HEAD", "POST"])
def package_add(request: HtmxHttpRequest) -> HttpResponse:
    """Add a package in two steps: its repository URL, then its details.

    Step one normalises the URL and, when the repository is listed already, shows that
    package instead of making a duplicate. Step two is a form filled in from the repository
    and PyPI names; saving it adds the package and queues its first fetch.
    """
    if refused := require(request, Action.ADD_PACKAGE):
        return refused
    if request.method != "POST":
        return render(request, "catalog/package_add.html", {"form": RepositoryForm()})
    if request.POST.get("step") != "details":
        form = RepositoryForm(request.POST)
        if not form.is_valid():
            return render(request, "catalog/package_add.html", {"form": form}, status=FORM_ERROR)
        try:
            repository = parse_repository_url(form.cleaned_data["repo_url"])
        except InvalidRepositoryURL as error:
            form.add_error("repo_url", str(error))
            return render(request, "catalog/package_add.html", {"form": form}, status=FORM_ERROR)
        existing = Package.objects.filter(repo_key=repository.key).first()
        if existing is not None:
            return render(
                request,
                "catalog/package_add.html",
                {"form": form, "existing": existing, "repository": repository},
            )
        details = PackageForm(
            initial={
                "repo_url": repository.url,
                "title": repository.name,
                "slug": _suggested_slug(repository.name),
                "pypi_name": repository.name,
            }
        )
        return render(
            request,
            "catalog/package_add.html",
            {
                "details": details,
                "repo_url": repository.url,
                "repository": repository,
                "same_pypi_name": Package.objects.filter(pypi_name__iexact=repository.name)[:3],
            },
        )
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    details = PackageForm(request.POST)
    if details.is_valid():
        data = details.cleaned_data
        try:
            package = services.package_create(
                actor=request.user,
                repo_url=data["repo_url"],
                title=data["title"],
                slug=data["slug"],
                category=data["category"],
                pypi_name=data["pypi_name"],
                description=data["description"],
                documentation_url=data["documentation_url"],
            )
        except services.PackageAlreadyListed as listed:
            existing = listed.existing
            if listed.raced:
                messages.info(
                    request,
                    f"{existing.title} was listed a moment ago by someone else: here it is.",
                )
                return HttpResponseRedirect(existing.get_absolute_url(), status=303)
            return render(
                request,
                "catalog/package_add.html",
                {
                    "details": details,
                    "repo_url": data["repo_url"],
                    "repository": None,
                    "listed_as": existing,
                },
                status=FORM_ERROR,
            )
        except ValidationError as error:
            form_add_service_errors(details, error)
        else:
            package_refresh_enqueue(package_id=package.pk)
            messages.success(
                request, f"{package.title} is added; its facts are fetched within a minute."
            )
            return HttpResponseRedirect(package.get_absolute_url(), status=303)
    return render(
        request,
        "catalog/package_add.html",
        {"details": details, "repo_url": request.POST.get("repo_url", ""), "repository": None},
        status=FORM_ERROR,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def package_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Edit a package; its repository URL and slug are for its stewards and staff."""
    package = selectors.package_get(slug=slug)
    if refused := require(request, Action.EDIT_PACKAGE, package):
        return refused
    identity = can(request.user, Action.CHANGE_PACKAGE_IDENTITY, package)
    context: dict[str, Any] = {"package": package, "identity": identity}
    if request.method != "POST":
        form = PackageForm(initial=PackageForm.initial_from(package), identity=identity)
        return render(request, "catalog/package_edit.html", {**context, "form": form})
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    form = PackageForm(request.POST, identity=identity)
    if form.is_valid():
        changes = dict(form.cleaned_data)
        changes["documentation_url"] = changes["documentation_url"] or None
        old_source = (package.repo_key, package.pypi_name)
        try:
            change = services.package_update(package=package, actor=request.user, changes=changes)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if change is None:
                messages.info(request, "Nothing changed.")
            else:
                messages.success(request, f"Saved: {', '.join(change.fields)}.")
                if (package.repo_key, package.pypi_name) != old_source:
                    package_refresh_enqueue(package_id=package.pk)
            return HttpResponseRedirect(package.get_absolute_url(), status=303)
    context["form"] = form
    return render(request, "catalog/package_edit.html", context, status=FORM_ERROR)


# --- History ----------------------------------------------------------------------------------


@require_safe
def package_history(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Show every edit of a package, newest first, as readable before → after."""
    package = selectors.package_get(slug=slug)
    return history_render(
        request,
        template="catalog/package_history.html",
        subject=Subject.PACKAGE,
        subject_id=package.pk,
        context={"package": package},
    )


@require_POST
def package_revert(request: HtmxHttpRequest, slug: str, change_id: int) -> HttpResponse:
    """Undo one change of a package (staff); the undo is recorded as a change too."""
    package = selectors.package_get(slug=slug)
    if refused := require(request, Action.REVERT, package):
        return refused
    change = change_get(subject=Subject.PACKAGE, subject_id=package.pk, change_id=change_id)
    change_revert(request, change=change, revert=services.package_change_revert)
    package.refresh_from_db(fields=["slug"])
    return HttpResponseRedirect(f"{package.get_absolute_url()}history/", status=303)
