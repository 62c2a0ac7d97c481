"""Forms for grids, their features and cells."""

from __future__ import annotations

from typing import Any

from django import forms

from packyard.grids.services import ELEMENT_MAX_LENGTH


class GridForm(forms.Form):
    """A grid's fields; the slug for its stewards and staff, the lock for staff."""

    title = forms.CharField(max_length=100)
    slug = forms.SlugField(max_length=100, help_text="The grid's address: /grids/g/<slug>/.")
    description = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A little Markdown: *emphasis*, **strong**, `code`, [links](https://…).",
    )
    is_locked = forms.BooleanField(
        label="Locked: only staff and the grid's stewards edit it", required=False
    )

    def __init__(self, *args: Any, slug: bool = True, lock: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not slug:
            del self.fields["slug"]
        if not lock:
            del self.fields["is_locked"]


class FeatureForm(forms.Form):
    title = forms.CharField(max_length=100)
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CellForm(forms.Form):
    text = forms.CharField(
        label="Cell",
        max_length=ELEMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A little Markdown: *emphasis*, **strong**, `code`, lists, [links](https://…).",
    )
    # The cell's version the text was opened at (0: no cell yet), so that a save made from an
    # older text is refused instead of overwriting someone else's (grids.services.element_set).
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)


class PickForm(forms.Form):
    package = forms.SlugField(max_length=100)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
