"""Scoring pages: a package's score explained, its status (staff), the upgrade check."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_safe

from packyard.accounts.permissions import Action, can, require
from packyard.catalog.models import Package
from packyard.compatibility.requirements import parse_requirements
from packyard.core.types import HtmxHttpRequest
from packyard.pages.scoring.forms import StatusForm, UpgradeForm
from packyard.scoring import selectors, services, upgrades
from packyard.scoring.dimensions import DIMENSION_TITLES
from packyard.scoring.models import PackageStatus

FORM_ERROR = 400


@require_safe
def package_score(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Explain every point of a package's score, with its history."""
    detail = selectors.score_detail(slug=slug)
    return render(
        request,
        "scoring/package_score.html",
        {"detail": detail, "package": detail.package, "titles": DIMENSION_TITLES},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def package_status(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Let stewards say a package needs a maintainer; its maintainers and staff deprecate it.

    The rule is `Action.DEPRECATE` in the permission policy (and the README's table): a POST
    that changes deprecated or replaced-by from someone who may not is refused with 403 and
    saves nothing, rather than saving the rest and passing over those fields in silence.
    """
    package = get_object_or_404(Package.objects.select_related("replaced_by"), slug=slug)
    if refusal := require(request, Action.SET_STATUS, package):
        return refusal
    current = PackageStatus.objects.filter(package=package).first()
    initial = {
        "deprecated": package.deprecated_at is not None,
        "replaced_by": package.replaced_by.slug if package.replaced_by else "",
        "needs_maintainer": bool(current and current.needs_maintainer),
        "note": current.note if current else "",
    }
    may_deprecate = can(request.user, Action.DEPRECATE, package)
    if request.method == "POST":
        form = StatusForm(request.POST, initial=initial, may_deprecate=may_deprecate)
        if not may_deprecate and form.deprecation_changed():
            # Asking for what the page does not offer: refused whole, nothing is saved.
            return require(request, Action.DEPRECATE, package) or HttpResponse(status=403)
        if form.is_valid():
            try:
                services.package_status_set(
                    package=package,
                    deprecated=form.cleaned_data["deprecated"],
                    replaced_by=form.cleaned_data["replaced_by"],
                    needs_maintainer=form.cleaned_data["needs_maintainer"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, f"The status of {package.title} is saved.")
                return HttpResponseRedirect(package.get_absolute_url(), status=303)
        return render(
            request,
            "scoring/package_status.html",
            {"package": package, "form": form},
            status=FORM_ERROR,
        )
    form = StatusForm(initial=initial, may_deprecate=may_deprecate)
    return render(request, "scoring/package_status.html", {"package": package, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def upgrade(request: HtmxHttpRequest) -> HttpResponse:
    """Check a pasted dependency list against a Django release; nothing is stored."""
    targets = list(upgrades.upgrade_targets())
    data = request.POST if request.method == "POST" else request.GET
    submitted = request.method == "POST" or "requirements" in request.GET
    form = UpgradeForm(data if submitted else None, targets=targets)
    report = None
    status = 200
    if submitted:
        if form.is_valid():
            report = upgrades.upgrade_report(
                parsed=parse_requirements(form.cleaned_data["requirements"]),
                target=form.target(),
            )
        else:
            status = FORM_ERROR
    return render(request, "scoring/upgrade.html", {"form": form, "report": report}, status=status)
