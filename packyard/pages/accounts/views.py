"""Pages of the accounts app: profiles, marks, proposals and their review."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms as forms_module
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from packyard.accounts import selectors, services
from packyard.accounts.adapters import github_login_enabled
from packyard.accounts.models import DeprecationProposal, Flag, MarkKind, SiteEntry
from packyard.accounts.permissions import Action, require
from packyard.catalog.models import Package
from packyard.catalog.selectors import package_get
from packyard.core.paging import page_of
from packyard.core.types import HtmxHttpRequest
from packyard.pages import ratelimits
from packyard.pages.accounts import forms

FORM_ERROR = 400


def _back(request: HtmxHttpRequest, fallback: str) -> HttpResponseRedirect:
    """Redirect (303) to the page named by `next` when it is on this site, else `fallback`."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target, status=303)


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def github_configured(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 404 with an explanation when GitHub sign-in is not set up on this site."""

    @wraps(view)
    def wrapped(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not github_login_enabled():
            return render(request, "accounts/github_not_configured.html", status=404)
        return view(request, *args, **kwargs)

    return wrapped


# --- Profiles ----------------------------------------------------------------------------------


@require_safe
def profile(request: HtmxHttpRequest, login: str) -> HttpResponse:
    """Show a person: packages they contribute to and use, shared favourites, recent edits."""
    person = selectors.person_page(login=login, viewer=request.user)
    return render(request, "accounts/profile.html", {"person": person})


@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request: HtmxHttpRequest, login: str) -> HttpResponse:
    """Let a person change their own profile (name, bio, whether favourites are shared)."""
    user = selectors.person_get(login=login)
    if refused := require(request, Action.EDIT_PROFILE, user):
        return refused
    profile = getattr(user, "profile", None)
    if request.method != "POST":
        form = forms.ProfileForm(instance=profile)
        return render(request, "accounts/profile_edit.html", {"form": form, "person": user})
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    form = forms.ProfileForm(request.POST, instance=profile)
    if not form.is_valid():
        return render(
            request,
            "accounts/profile_edit.html",
            {"form": form, "person": user},
            status=FORM_ERROR,
        )
    saved = services.profile_update(
        user=user,
        name=form.cleaned_data["name"],
        bio=form.cleaned_data["bio"],
        share_favourites=form.cleaned_data["share_favourites"],
    )
    messages.success(request, "Your profile is saved.")
    return HttpResponseRedirect(saved.get_absolute_url(), status=303)


# --- Favourites and "I use this" ---------------------------------------------------------------


def _mark(request: HtmxHttpRequest, slug: str, kind: MarkKind) -> HttpResponse:
    package = package_get(slug=slug)
    action = Action.FAVOURITE if kind == MarkKind.FAVOURITE else Action.USE
    if refused := require(request, action, package):
        return refused
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    services.mark_toggle(user=request.user, package=package, kind=kind)  # type: ignore[arg-type]
    if request.htmx:
        # The counts as the toggle left them (the triggers moved them in the database).
        package.refresh_from_db(fields=["favourite_count", "use_count"])
        marks = selectors.marks_of(packages=[package], user=request.user)[package.pk]
        return render(
            request,
            "accounts/includes/marks.html#marks",
            {"package": package, "marks": marks, "compact": request.POST.get("compact") == "1"},
        )
    return _back(request, package.get_absolute_url())


@require_POST
def package_favourite(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Mark a package as a favourite, or unmark it."""
    return _mark(request, slug, MarkKind.FAVOURITE)


@require_POST
def package_use(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Say "I use this" of a package, or take it back."""
    return _mark(request, slug, MarkKind.USE)


@require_safe
def packages_liked(request: HtmxHttpRequest) -> HttpResponse:
    """List the packages people favourite most, with how many favourite and use each."""
    page = page_of(request, selectors.packages_most_liked(), per_page=settings.PAGE_SIZE)
    return render(request, "accounts/liked.html", {"page": page})


# --- Proposals: flags, deprecations, sites ----------------------------------------------------


@dataclass(frozen=True)
class _Proposal:
    """One kind of proposal about a package: who may make it, its form, and what stores it."""

    action: Action
    form_class: type[forms_module.Form]
    store: Callable[[Package, Any, dict[str, Any]], object]
    title: str
    button: str
    thanks: str
    intro: str = ""
    form_kwargs: Callable[[Package], dict[str, Any]] = lambda package: {}


def _propose(request: HtmxHttpRequest, slug: str, proposal: _Proposal) -> HttpResponse:
    """Show a proposal's form, or store the posted proposal (rate-limited as a flag)."""
    package = package_get(slug=slug)
    if refused := require(request, proposal.action, package):
        return refused
    context: dict[str, Any] = {
        "package": package,
        "title": proposal.title,
        "button": proposal.button,
        "intro": proposal.intro,
    }
    extra = proposal.form_kwargs(package)
    if request.method != "POST":
        form = proposal.form_class(**extra)
        return render(request, "accounts/package_form.html", {**context, "form": form})
    if refused := ratelimits.refusal(request, scope="flags"):
        return refused
    form = proposal.form_class(request.POST, **extra)
    if form.is_valid():
        try:
            proposal.store(package, request.user, form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, proposal.thanks)
            return HttpResponseRedirect(package.get_absolute_url(), status=303)
    context["form"] = form
    return render(request, "accounts/package_form.html", context, status=FORM_ERROR)


FLAG = _Proposal(
    action=Action.FLAG,
    form_class=forms.FlagForm,
    store=lambda package, user, data: services.flag_create(
        package=package, reporter=user, topic=data["topic"], reason=data["reason"]
    ),
    title="Flag wrong data",
    button="Send the flag",
    thanks="Thank you: staff will look at the flag.",
)
DEPRECATION = _Proposal(
    action=Action.PROPOSE_DEPRECATION,
    form_class=forms.DeprecationForm,
    store=lambda package, user, data: services.deprecation_propose(
        package=package, proposer=user, replaced_by=data["replaced_by"], reason=data["reason"]
    ),
    title="Propose a deprecation",
    button="Send the proposal",
    thanks="Thank you: staff will review the proposal.",
    intro="Staff review each proposal before the package is marked deprecated.",
    form_kwargs=lambda package: {"package": package},
)
SITE = _Proposal(
    action=Action.PROPOSE_SITE,
    form_class=forms.SiteEntryForm,
    store=lambda package, user, data: services.site_propose(
        package=package, submitter=user, name=data["name"], url=data["url"]
    ),
    title="Add a site that uses this package",
    button="Propose the site",
    thanks="Thank you: the site is listed once staff accept it.",
    intro="Sites are listed once staff accept them.",
)


@require_http_methods(["GET", "HEAD", "POST"])
def package_flag(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Report that something about a package is wrong, with a reason."""
    return _propose(request, slug, FLAG)


@require_http_methods(["GET", "HEAD", "POST"])
def package_deprecate(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Propose that a package is deprecated, and which package replaces it."""
    return _propose(request, slug, DEPRECATION)


@require_http_methods(["GET", "HEAD", "POST"])
def package_site_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Propose a site that uses a package; it is listed once staff accept it."""
    return _propose(request, slug, SITE)


# --- Review by staff ---------------------------------------------------------------------------


@require_safe
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    """List the flags, deprecation proposals and sites waiting for staff."""
    if refused := require(request, Action.MODERATE):
        return refused
    return render(request, "accounts/review.html", {"queue": selectors.review_queue()})


def _decision(request: HtmxHttpRequest) -> bool | None:
    form = forms.ReviewForm(request.POST)
    return form.cleaned_data["decision"] == "accept" if form.is_valid() else None


@require_POST
def review_flag(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Close a flag as fixed (accept) or as nothing wrong (reject)."""
    flag = get_object_or_404(Flag, pk=pk)
    return _review(request, flag)


@require_POST
def review_deprecation(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Accept a deprecation (the package is marked, in its history) or reject it."""
    proposal = get_object_or_404(DeprecationProposal.objects.select_related("package"), pk=pk)
    return _review(request, proposal)


@require_POST
def review_site(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Show a proposed site on its package's page, or reject it."""
    entry = get_object_or_404(SiteEntry, pk=pk)
    return _review(request, entry)


def _review(request: HtmxHttpRequest, item: Flag | DeprecationProposal | SiteEntry) -> HttpResponse:
    if refused := require(request, Action.MODERATE):
        return refused
    accept = _decision(request)
    if accept is None:
        return HttpResponse("Choose accept or reject (field decision).", status=400)
    reviewer = request.user
    try:
        if isinstance(item, Flag):
            services.flag_review(flag=item, reviewer=reviewer, accept=accept)  # type: ignore[arg-type]
        elif isinstance(item, DeprecationProposal):
            services.deprecation_review(proposal=item, reviewer=reviewer, accept=accept)  # type: ignore[arg-type]
        else:
            services.site_entry_review(entry=item, reviewer=reviewer, accept=accept)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{'Accepted' if accept else 'Rejected'}: {item}.")
    return HttpResponseRedirect(reverse("accounts:review"), status=303)
