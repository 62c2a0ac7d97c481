"""Forms of the scoring pages: grid weights, a package's status, the upgrade check."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import escape
from django.utils.safestring import SafeString

from packyard.catalog.models import Package
from packyard.compatibility.models import ReleaseCycle
from packyard.scoring.dimensions import DEFAULT_WEIGHTS, DIMENSION_TITLES, MAX_WEIGHT

MAX_REQUIREMENTS = 50_000


class PlainNumberInput(forms.NumberInput):
    """Django's number input, drawn with string formats instead of three templates: a grid
    page shows five of them. The markup is the templates', byte for byte (tested)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"']
        if widget["value"] is not None:
            parts.append(f' value="{escape(str(widget["value"]))}"')
        for key, attribute in widget["attrs"].items():
            if attribute is True:
                parts.append(f" {escape(key)}")
            elif attribute is not False:
                parts.append(f' {escape(key)}="{escape(str(attribute))}"')
        parts.append(">")
        return SafeString("".join(parts))  # Safe: every part is escaped above.


class WeightsForm(forms.Form):
    """How much each dimension counts in a grid's overall score (kept in the URL)."""

    prefix = "w"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, default in DEFAULT_WEIGHTS.items():
            self.fields[name] = forms.IntegerField(
                label=DIMENSION_TITLES[name],
                required=False,
                initial=default,
                validators=[MinValueValidator(0), MaxValueValidator(MAX_WEIGHT)],
                widget=PlainNumberInput(attrs={"min": 0, "max": MAX_WEIGHT, "step": 1}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = [cleaned.get(name) for name in DEFAULT_WEIGHTS]
        if not self.errors and all(value == 0 for value in values):
            raise forms.ValidationError("Give at least one dimension a weight above 0.")
        return cleaned

    def weights(self) -> dict[str, int]:
        """Return the chosen weights; a field left empty or invalid keeps its default."""
        if not self.is_bound:
            return dict(DEFAULT_WEIGHTS)
        valid = self.is_valid()
        data = self.cleaned_data if valid else {}
        chosen = {}
        for name, default in DEFAULT_WEIGHTS.items():
            value = data.get(name)
            chosen[name] = default if value is None else int(value)
        return chosen

    @property
    def is_custom(self) -> bool:
        return self.is_bound and self.weights() != DEFAULT_WEIGHTS


class StatusForm(forms.Form):
    """What a package's maintainers, stewards and staff say about its status."""

    deprecated = forms.BooleanField(required=False, label="Deprecated")
    replaced_by = forms.CharField(
        required=False,
        max_length=100,
        label="Replaced by (the replacement's slug)",
        help_text="The package to use instead, by its slug, such as django-allauth.",
    )
    needs_maintainer = forms.BooleanField(required=False, label="Needs a maintainer")
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note",
        help_text="Why it is deprecated, or what help it needs (plain text).",
    )

    def __init__(self, *args: Any, may_deprecate: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_deprecate:
            # A contributor says the package needs a maintainer; deprecation is for its
            # maintainers and staff. A disabled field keeps its initial value.
            for name in ("deprecated", "replaced_by"):
                self.fields[name].disabled = True
                self.fields[name].help_text = (
                    "The package's maintainers and staff decide this; propose it from the "
                    "package's page."
                )

    def deprecation_changed(self) -> bool:
        """Tell whether the posted data asks to change deprecated or replaced-by."""
        posted_deprecated = self.data.get("deprecated") not in (None, "", "false", "off")
        posted_replacement = (self.data.get("replaced_by") or "").strip()
        return posted_deprecated != bool(self.initial.get("deprecated")) or (
            posted_replacement != (self.initial.get("replaced_by") or "")
        )

    def clean_replaced_by(self) -> Package | None:
        slug = (self.cleaned_data["replaced_by"] or "").strip()
        if not slug:
            return None
        package = Package.objects.filter(slug=slug).first()
        if package is None:
            raise forms.ValidationError(f"No package has the slug {slug!r}.")
        return package


class UpgradeForm(forms.Form):
    """A pasted dependency list and the Django release to check it against."""

    requirements = forms.CharField(
        max_length=MAX_REQUIREMENTS,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        label="Requirements",
        help_text=(
            "Paste a requirements.txt, or the dependency list of a pyproject.toml (or the whole "
            "file)."
        ),
    )
    django = forms.ChoiceField(label="Target Django release")

    def __init__(self, *args: Any, targets: list[ReleaseCycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = {cycle.cycle: cycle for cycle in targets}
        field = cast("forms.ChoiceField", self.fields["django"])
        field.choices = [
            (cycle.cycle, f"Django {cycle.cycle}{' LTS' if cycle.lts else ''} ({cycle.phase})")
            for cycle in targets
        ]
        default = next((cycle for cycle in targets if cycle.phase == "supported"), None)
        if default is not None:
            field.initial = default.cycle

    def target(self) -> ReleaseCycle:
        return self.targets[self.cleaned_data["django"]]
