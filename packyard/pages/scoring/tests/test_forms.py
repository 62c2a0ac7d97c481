"""The grid's weight inputs are drawn in Python, as Django's templates draw them."""

from __future__ import annotations

import pytest
from django import forms

from packyard.pages.scoring.forms import PlainNumberInput


@pytest.mark.parametrize("value", [None, 0, 5, 3.5, "a<b\"'&"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"min": 0, "max": 100, "step": 1}, {"required": True, "disabled": False, "x": "<>"}],
)
def test_a_weight_input_is_the_markup_djangos_templates_draw(value, attrs):
    ours = PlainNumberInput(attrs=attrs).render("w-maintenance", value, {"id": "id_w-x"})

    assert ours == forms.NumberInput(attrs=attrs).render("w-maintenance", value, {"id": "id_w-x"})
