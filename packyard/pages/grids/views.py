"""Grid pages: the list of grids and a grid's comparison matrix."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from packyard.accounts import selectors as accounts_selectors
from packyard.accounts.permissions import Action, can, require
from packyard.catalog.models import Package
from packyard.core.forms import form_add_service_errors
from packyard.core.paging import page_of
from packyard.core.types import HtmxHttpRequest
from packyard.grids import selectors, services
from packyard.grids.models import Element, Feature, Grid, GridPackage
from packyard.grids.picker import packages_to_pick
from packyard.history.models import Subject
from packyard.pages import ratelimits
from packyard.pages.grids import cells, extra_rows, heads, rows
from packyard.pages.grids.forms import CellForm, FeatureForm, GridForm, MoveForm, PickForm
from packyard.pages.history import change_get, change_revert, history_render
from packyard.pages.lists import list_sort, list_text, render_list
from packyard.pages.scoring.forms import WeightsForm
from packyard.scoring import selectors as scoring_selectors

FORM_ERROR = 400
FEATURE_ROW = SafeString(' class="feature-row"')


@require_safe
def grid_list(request: HtmxHttpRequest) -> HttpResponse:
    """List grids, with a text filter and sorts."""
    text = list_text(request)
    sort = list_sort(request, sorts=selectors.GRID_SORTS, default=selectors.DEFAULT_GRID_SORT)
    context = {
        "page": page_of(
            request, selectors.grids_list(text=text, sort=sort), per_page=settings.PAGE_SIZE
        ),
        "q": text,
        "sort": sort,
        "sorts": selectors.GRID_SORTS,
    }
    return render_list(request, "grids/grid_list.html", context)


@lru_cache(maxsize=1)
def _usual_weights_fields() -> str:
    """Return the weights' fields as a grid shows them unweighted: made once per process."""
    return render_to_string(
        "scoring/includes/weights_fields.html", {"weights_form": WeightsForm(None)}
    )


@require_safe
def grid_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Compare every package of a grid, side by side."""
    sort = request.GET.get("sort", selectors.DEFAULT_COLUMN_SORT)
    if sort not in scoring_selectors.GRID_COLUMN_SORTS:
        sort = selectors.DEFAULT_COLUMN_SORT
    # Scores, re-weighting and the archived/deprecated toggle (scoring issue); all in the URL.
    weighted = any(name.startswith("w-") for name in request.GET)
    weights_form = WeightsForm(request.GET if weighted else None)
    show_retired = request.GET.get("retired") == "shown"
    weights_custom = weights_form.is_custom
    # Each column's cells as kept when its package's facts last changed (GridColumn), but
    # under the reader's own weights, whose score row differs from the kept one.
    kept_format = None if weights_custom else rows.kept_format()
    matrix = scoring_selectors.grid_scored(
        slug=slug,
        sort=sort,
        show_retired=show_retired,
        weights=weights_form.weights(),
        # A signed-in reader's buttons depend on whether they steward each package.
        for_stewards=request.user.is_authenticated,
        kept_format=kept_format,
    )
    packages = [column.package for column in matrix.columns]
    feature_rows = cells.feature_rows(
        grid=matrix.grid,
        features=matrix.features,
        columns=matrix.columns,
        may_edit=can(request.user, Action.EDIT_CELL, matrix.grid),
    )
    headings = rows.feature_headings(
        request_user=request.user, grid=matrix.grid, features=matrix.features
    )
    table, made = rows.table_rows(
        specs=[*rows.standard_specs(), *extra_rows.extra_specs(weights_custom=weights_custom)],
        columns=matrix.columns,
    )
    if made and kept_format is not None:
        services.grid_columns_keep(
            columns=[(column.package, cells) for column, cells in made], format=kept_format
        )
    context = {
        "matrix": matrix,
        "grid": matrix.grid,
        "sort": sort,
        "column_sorts": scoring_selectors.GRID_COLUMN_SORTS,
        "weights_form": weights_form,
        "weights_fields": None if weights_form.is_bound else _usual_weights_fields(),
        # The table is built in Python, a row at a time: a big grid has thousands of cells.
        "column_heads": rows.column_heads(
            columns=matrix.columns,
            marks=heads.column_marks(
                request,
                columns=matrix.columns,
                marks=accounts_selectors.marks_of(packages=packages, user=request.user),
            ),
        ),
        # The community's features first: they are what the grid compares; the catalogue's
        # standard facts and the scores follow. Joined here: a big grid's rows are 300 KB.
        "table_body": rows.table_body(
            [
                *(
                    rows.Row(heading=heading, cells=row.cells, attributes=FEATURE_ROW)
                    for heading, row in zip(headings, feature_rows, strict=True)
                ),
                *table,
            ]
        ),
    }
    return render(request, "grids/grid_detail.html", context)


# --- Editing -----------------------------------------------------------------------------------


def _grid(slug: str) -> Grid:
    return get_object_or_404(Grid, slug=slug)


def _to_grid(grid: Grid, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(grid.get_absolute_url() + anchor, status=303)


@require_http_methods(["GET", "HEAD", "POST"])
def grid_add(request: HtmxHttpRequest) -> HttpResponse:
    """Create a grid; its creator is one of its stewards."""
    if refused := require(request, Action.ADD_GRID):
        return refused
    if request.method != "POST":
        return render(request, "grids/grid_form.html", {"form": GridForm()})
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    form = GridForm(request.POST)
    if form.is_valid():
        try:
            grid = services.grid_create(
                actor=request.user,
                title=form.cleaned_data["title"],
                slug=form.cleaned_data["slug"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"{grid.title} is created: add packages and features.")
            return _to_grid(grid)
    return render(request, "grids/grid_form.html", {"form": form}, status=FORM_ERROR)


@require_http_methods(["GET", "HEAD", "POST"])
def grid_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Edit a grid's title and description (slug: stewards; lock: staff), list its parts."""
    grid = _grid(slug)
    if refused := require(request, Action.EDIT_GRID, grid):
        return refused
    may_slug = can(request.user, Action.CHANGE_GRID_SLUG, grid)
    may_lock = can(request.user, Action.LOCK_GRID, grid)
    context: dict[str, Any] = {
        "grid": grid,
        "features": list(grid.features.order_by("position", "id").defer("cells")),
        "memberships": list(grid.memberships.select_related("package").order_by("package__title")),
    }
    if request.method != "POST":
        initial = {field: getattr(grid, field) for field in services.GRID_FIELDS}
        form = GridForm(initial=initial, slug=may_slug, lock=may_lock)
        return render(request, "grids/grid_edit.html", {**context, "form": form})
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    form = GridForm(request.POST, slug=may_slug, lock=may_lock)
    if form.is_valid():
        try:
            change = services.grid_update(grid=grid, actor=request.user, changes=form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if change is None:
                messages.info(request, "Nothing changed.")
            else:
                messages.success(request, f"Saved: {', '.join(change.fields)}.")
            return _to_grid(grid)
    return render(request, "grids/grid_edit.html", {**context, "form": form}, status=FORM_ERROR)


@require_http_methods(["GET", "HEAD", "POST"])
def grid_package_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Find packages by name (GET ?q=) and add one to the grid (POST package=<slug>)."""
    grid = _grid(slug)
    if refused := require(request, Action.ADD_GRID_PACKAGE, grid):
        return refused
    if request.method != "POST":
        text = list_text(request)
        context = {"grid": grid, "q": text, "found": packages_to_pick(grid=grid, text=text)}
        template = "grids/grid_package_add.html"
        if request.htmx and request.htmx.target == "picker-results":
            template += "#results"
        return render(request, template, context)
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    form = PickForm(request.POST)
    package = (
        Package.objects.filter(slug=form.cleaned_data["package"]).first()
        if form.is_valid()
        else None
    )
    if package is None:
        return render(
            request,
            "grids/grid_package_add.html",
            {
                "grid": grid,
                "q": "",
                "found": [],
                "error": "Choose a package to add (field package).",
            },
            status=FORM_ERROR,
        )
    services.grid_add_package(grid=grid, package=package, actor=request.user)
    messages.success(request, f"{package.title} is in the grid.")
    return _to_grid(grid)


@require_POST
def grid_package_remove(request: HtmxHttpRequest, slug: str, package_slug: str) -> HttpResponse:
    """Take a package out of the grid (stewards and staff); its cells stay in the history."""
    grid = _grid(slug)
    membership = get_object_or_404(
        GridPackage.objects.select_related("package"), grid=grid, package__slug=package_slug
    )
    if refused := require(request, Action.REMOVE_GRID_PACKAGE, grid):
        return refused
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    services.grid_remove_package(grid=grid, package=membership.package, actor=request.user)
    messages.success(request, f"{membership.package.title} is out of the grid.")
    return HttpResponseRedirect(reverse("grids:grid_edit", args=[grid.slug]), status=303)


@require_http_methods(["GET", "HEAD", "POST"])
def feature_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Add a feature row at the bottom of the grid."""
    grid = _grid(slug)
    if refused := require(request, Action.ADD_FEATURE, grid):
        return refused
    context: dict[str, Any] = {"grid": grid, "title": "Add a feature"}
    if request.method != "POST":
        return render(request, "grids/feature_form.html", {**context, "form": FeatureForm()})
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    form = FeatureForm(request.POST)
    if form.is_valid():
        try:
            services.feature_create(grid=grid, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Feature {form.cleaned_data['title']} is added.")
            return _to_grid(grid)
    return render(request, "grids/feature_form.html", {**context, "form": form}, status=FORM_ERROR)


def _feature(grid: Grid, feature_id: int) -> Feature:
    return get_object_or_404(Feature.objects.select_related("grid"), pk=feature_id, grid=grid)


@require_http_methods(["GET", "HEAD", "POST"])
def feature_edit(request: HtmxHttpRequest, slug: str, feature_id: int) -> HttpResponse:
    """Change a feature's title or description."""
    grid = _grid(slug)
    feature = _feature(grid, feature_id)
    if refused := require(request, Action.EDIT_FEATURE, grid):
        return refused
    context: dict[str, Any] = {"grid": grid, "feature": feature, "title": "Edit a feature"}
    if request.method != "POST":
        initial = {"title": feature.title, "description": feature.description}
        form = FeatureForm(initial=initial)
        return render(request, "grids/feature_form.html", {**context, "form": form})
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    form = FeatureForm(request.POST)
    if form.is_valid():
        try:
            services.feature_update(feature=feature, actor=request.user, changes=form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Feature {feature.title} is saved.")
            return _to_grid(grid)
    return render(request, "grids/feature_form.html", {**context, "form": form}, status=FORM_ERROR)


@require_POST
def feature_move(request: HtmxHttpRequest, slug: str, feature_id: int) -> HttpResponse:
    """Move a feature one row up or down."""
    grid = _grid(slug)
    feature = _feature(grid, feature_id)
    if refused := require(request, Action.MOVE_FEATURE, grid):
        return refused
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Move a feature up or down (field direction).", status=FORM_ERROR)
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    services.feature_move(
        feature=feature, direction=form.cleaned_data["direction"], actor=request.user
    )
    return HttpResponseRedirect(reverse("grids:grid_edit", args=[grid.slug]), status=303)


@require_POST
def feature_delete(request: HtmxHttpRequest, slug: str, feature_id: int) -> HttpResponse:
    """Delete a feature row and its cells (stewards and staff); both stay in the history."""
    grid = _grid(slug)
    feature = _feature(grid, feature_id)
    if refused := require(request, Action.DELETE_FEATURE, grid):
        return refused
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    services.feature_delete(feature=feature, actor=request.user)
    messages.success(request, f"Feature {feature.title} is deleted.")
    return HttpResponseRedirect(reverse("grids:grid_edit", args=[grid.slug]), status=303)


def _cell_render(request: HtmxHttpRequest, context: dict[str, Any]) -> HttpResponse:
    """Answer with the cell as the grid shows it (after an edit, or when one is cancelled)."""
    grid, feature = context["grid"], context["feature"]
    cell_html = cells.cell_td(
        grid=grid,
        feature=feature,
        package=context["column"]["package"],
        element=context["cell"],
        may_edit=can(request.user, Action.EDIT_CELL, grid),
    )
    return render(request, "grids/cell_edit.html#cell", {**context, "cell_td": cell_html})


@require_http_methods(["GET", "HEAD", "POST"])
def cell_edit(
    request: HtmxHttpRequest, slug: str, feature_id: int, package_slug: str
) -> HttpResponse:
    """Write one cell; with htmx the form replaces the cell in the grid, and the cell it."""
    grid = _grid(slug)
    feature = _feature(grid, feature_id)
    membership = get_object_or_404(
        GridPackage.objects.select_related("package"), grid=grid, package__slug=package_slug
    )
    cell = Element.objects.filter(grid_package=membership, feature=feature).first()
    context: dict[str, Any] = {
        "grid": grid,
        "feature": feature,
        "column": {"package": membership.package},
        "cell": cell,
    }
    if request.method != "POST" and request.GET.get("show"):
        return _cell_render(request, context)
    if refused := require(request, Action.EDIT_CELL, grid):
        return refused
    inline = bool(request.htmx)
    context["inline"] = inline
    template = "grids/cell_edit.html#editor" if inline else "grids/cell_edit.html"
    if request.method != "POST":
        form = CellForm(initial={"text": cell.text if cell else "", "version": _version(cell)})
        return render(request, template, {**context, "form": form})
    if refused := ratelimits.refusal(request, scope="edits"):
        return refused
    form = CellForm(request.POST)
    status = FORM_ERROR
    if form.is_valid():
        try:
            context["cell"] = services.element_set(
                grid_package=membership,
                feature=feature,
                text=form.cleaned_data["text"],
                actor=request.user,
                version=form.cleaned_data["version"],
            )
        except services.CellChanged as changed:
            form, status = _cell_conflict(request, changed.current), 409
            context.update(cell=changed.current, conflict=changed.current)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if inline:
                return _cell_render(request, context)
            messages.success(request, f"Saved {feature.title} for {membership.package.title}.")
            return _to_grid(grid)
    # htmx swaps only 2xx answers, so the form with its error comes back as 200 there.
    return render(request, template, {**context, "form": form}, status=200 if inline else status)


def _version(cell: Element | None) -> int:
    return cell.version if cell else 0


def _cell_conflict(request: HtmxHttpRequest, current: Element) -> CellForm:
    """The form again after a save refused because the cell changed meanwhile: the writer's
    text kept in the box, the current version in the hidden field (saving again replaces the
    text they have now seen), and the error."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = CellForm(data)
    form.is_valid()
    form.add_error("text", "This cell changed while you were editing it; nothing was saved.")
    return form


# --- History -----------------------------------------------------------------------------------


@require_safe
def grid_history(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Show every edit of a grid, its features, packages and cells, as before → after."""
    grid = _grid(slug)
    return history_render(
        request,
        template="grids/grid_history.html",
        subject=Subject.GRID,
        subject_id=grid.pk,
        context={"grid": grid},
    )


@require_POST
def grid_revert(request: HtmxHttpRequest, slug: str, change_id: int) -> HttpResponse:
    """Undo one change of a grid (staff); the undo is recorded as a change too."""
    grid = _grid(slug)
    if refused := require(request, Action.REVERT, grid):
        return refused
    change = change_get(subject=Subject.GRID, subject_id=grid.pk, change_id=change_id)
    change_revert(request, change=change, revert=services.grid_change_revert)
    grid.refresh_from_db(fields=["slug"])
    return HttpResponseRedirect(reverse("grids:grid_history", args=[grid.slug]), status=303)
