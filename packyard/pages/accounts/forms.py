"""Forms of the accounts app: staff sign-in, profiles, flags, proposals, site entries."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm
from django import forms
from django.core.exceptions import ValidationError

from packyard.accounts.models import FlagTopic, Profile
from packyard.catalog.models import Package


class StaffLoginForm(LoginForm):  # type: ignore[misc]
    """Sign in with a username and password: for staff only; everyone else uses GitHub."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        user = getattr(self, "user", None)
        if user is not None and not user.is_staff:
            self.user = None
            raise ValidationError(
                "Signing in with a password is for staff. Sign in with GitHub instead.",
                code="not_staff",
            )
        return cleaned


class ProfileForm(forms.ModelForm[Profile]):
    class Meta:
        model = Profile
        fields = ["name", "bio", "share_favourites"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4, "maxlength": 500})}
        labels = {"share_favourites": "Show my favourites on my profile"}


class FlagForm(forms.Form):
    topic = forms.ChoiceField(label="What is wrong", choices=FlagTopic.choices)
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say what is wrong and, if you know, what is right.",
    )


class DeprecationForm(forms.Form):
    replaced_by = forms.CharField(
        label="Replaced by (slug of a package in Packyard)",
        required=False,
        max_length=100,
        help_text="Leave empty when nothing replaces it.",
    )
    reason = forms.CharField(
        label="Why it is deprecated",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A link to the maintainers' announcement helps.",
    )

    def __init__(self, *args: Any, package: Package, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.package = package

    def clean_replaced_by(self) -> Package | None:
        slug = self.cleaned_data["replaced_by"].strip()
        if not slug:
            return None
        replacement = Package.objects.filter(slug=slug).first()
        if replacement is None:
            raise ValidationError(f"No package has the slug {slug!r}.")
        if replacement.pk == self.package.pk:
            raise ValidationError("A package cannot replace itself.")
        return replacement


class SiteEntryForm(forms.Form):
    name = forms.CharField(label="Site name", max_length=100)
    url = forms.URLField(label="Address", max_length=500, assume_scheme="https")

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise ValidationError("Give an http or https address.")
        return url


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])
